"""Phase 6, evaluate: a compiled plan and the facts of a case file to decisions, on a date.

The order is fixed (docs/architecture.md): admit events as records → exclude by tolerance → fire
incentives and punishments → apply repairs → find the responsible persons → expire what ended →
settle precedence. Every outcome keeps the clause that caused it and, with a full trace, the facts
and conditions that made its rule fire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from zwcx_rules.engine.codegen import Mode
from zwcx_rules.engine.decisions import ClauseRef, Decision, Modification, Outcome, RecordResult
from zwcx_rules.engine.plan import Plan
from zwcx_rules.engine.reasons import (
    AlsoAdmitted,
    Bound,
    Condition,
    Covered,
    Determined,
    Expired,
    Overrides,
    Precedence,
    Reason,
    Softening,
    TargetEmpty,
    TargetFound,
    WouldBeRecorded,
)
from zwcx_rules.engine.trace import Tracer
from zwcx_rules.facts import Facts, mask_if_id_number
from zwcx_rules.facts.graph import Hop, gc_paused
from zwcx_rules.semantics import ir

Trace = Literal["full", "summary", "none"]
ACTIVE = frozenset({"applied", "mitigated", "discretionary"})


@dataclass(slots=True)
class Draft:
    """An outcome while the phases still act on it; with no trace, the outcome itself."""

    rule: ir.Rule
    measure: str
    status: str
    events: tuple[str, ...]
    subject: str | None
    because: Sequence[Reason]
    """Shared by the drafts of one binding: replaced, never changed in place (empty: a shared ())."""
    position: int
    """Where the measure stands in its rule's `then`."""
    record: Any = None
    """The record (or event) the rule was bound to, if any."""
    discretionary: bool = False
    path: list[str] | None = None
    deadline: dt.date | None = None
    until: dt.date | None = None
    modified_by: list[Modification] | None = None
    also: list[str] | None = None
    softenings: list[tuple[str, ir.Rule, Sequence[Reason], bool]] | None = None

    @property
    def kind(self) -> str:
        return self.rule.kind

    def fields(self) -> dict[str, Any]:
        """The outcome's fields, in the order of :class:`Outcome` (what its JSON lists)."""
        return {
            "measure": self.measure, "kind": self.rule.kind, "status": self.status, "events": list(self.events),
            "subject": self.subject, "path": self.path, "clause": self.rule.clause, "rule": self.rule.qualified,
            "deadline": self.deadline, "until": self.until, "modified_by": self.modified_by or [],
            "reasons": list(self.because), "discretionary": self.discretionary, "also": self.also or [],
        }

    def freeze(self) -> Outcome:
        # INVARIANT: every value here is already valid, so the model is built without re-validation
        return Outcome(**self.fields())


def _listing(draft: Draft) -> tuple[Any, ...]:
    """Where an outcome is listed: rule rank, events, position, subject, measure."""
    return draft.rule.rank, draft.events, draft.position, draft.subject or "", draft.measure


class SubjectEvaluator:
    """Decides one subject at a time by the compiled function of its class, for one case file and date.

    It is also the runtime that generated code calls for what it does not write out: placing an
    outcome found by a target, softenings, determinations, expiry and precedence. With a ``tracer``
    every rule of a subject's class is evaluated on every binding and reported (coverage, explain).
    """

    def __init__(self, plan: Plan, facts: Facts, as_of: dt.date, trace: Trace = "full",
                 tracer: Tracer | None = None) -> None:
        self.plan = plan
        self.facts = facts
        self.as_of = as_of
        self.mode: Mode = "audit" if tracer is not None else trace
        self.full = self.mode in ("full", "audit")
        self.listing = self.mode != "none"
        """Whether record results are built (with no trace a decision lists outcomes only)."""
        self.tracer = tracer
        self.graph = facts.graph
        self._modifications: dict[tuple[str, str, bool], Modification] = {}
        self._reasons: dict[tuple[str, str | None], Reason] = {}
        self._functions = plan.functions(as_of, self.mode)

    def evaluate(self, subject: Any) -> tuple[Sequence[RecordResult], Sequence[Draft]]:
        """Records and outcomes of one subject (responsibility outcomes name other subjects)."""
        function = self._functions.get((subject.type, subject.body_kind, subject.person_kind))
        if function is None:
            function = self.plan.function(self.as_of, self.mode, subject)
        return function(self, subject, self.facts.events_of(subject.id), self.listing)

    def evaluate_all(self, subjects: Iterable[Any]) -> list[tuple[Sequence[RecordResult], Sequence[Draft]]]:
        """Records and outcomes of many subjects, in order.

        The cyclic garbage collector is paused meanwhile: deciding makes no reference cycles, and
        each of its passes would rescan every subject and event loaded, costing more than deciding.
        """
        with gc_paused():
            functions, events_of, listing = self._functions, self.facts.events_of, self.listing
            out: list[tuple[Sequence[RecordResult], Sequence[Draft]]] = []
            for subject in subjects:
                function = functions.get((subject.type, subject.body_kind, subject.person_kind))
                if function is None:
                    function = self.plan.function(self.as_of, self.mode, subject)
                out.append(function(self, subject, events_of(subject.id), listing))
            return out

    def because(self, rule: ir.Rule, subject: Any, bound: Any, over: str | None,
                conditions: Sequence[Condition]) -> list[Reason]:
        """Why a rule holds for a binding: the subject is one it is for, the event it bound, its conditions."""
        cache = self._reasons
        if len(cache) > 4096:  # frozen values shared by the bindings of a few subjects at a time
            cache.clear()
        key = (subject.id, rule.selector.text)
        covered = cache.get(key)
        if covered is None:
            covered = cache[key] = Covered(subject_type=subject.type, subject=mask_if_id_number(subject.id),
                                           selector=rule.selector.text)
        reasons: list[Reason] = [covered]
        if rule.replaces:
            reasons.append(Overrides(rule=rule.qualified, replaced=rule.replaces))
        if over is not None and bound is not None:
            key = (bound.id, over)
            found = cache.get(key)
            if found is None:
                found = cache[key] = Bound(event=bound.id, event_kind=bound.kind, date=bound.date,
                                           record=over == "record")
            reasons.append(found)
        reasons += conditions
        return reasons

    def finish(self, drafts: dict[Any, Draft], subject: Any, overriding: bool = True) -> list[Draft]:
        """Settle softenings and expiry, then precedence; the outcomes in listing order.

        ``overriding``: whether any rule that acted can require a measure a precedence lets win.
        """
        outcomes = list(drafts.values())
        for draft in outcomes:
            if draft.softenings or draft.until is not None:
                self._settle(draft, subject)
        winning = self.plan.winners
        if overriding and winning and any(d.measure in winning for d in outcomes):
            self._precedence(outcomes)
        if len(outcomes) > 1:
            outcomes.sort(key=_listing)
        return outcomes

    def place(self, drafts: dict[Any, Draft], rule: ir.Rule, item: ir.Item, measure: str,
              events: tuple[str, ...], subject: Any, because: Sequence[Reason], record: Any,
              hops: list[Hop] | None, due: dt.date | None, until: dt.date | None) -> None:
        """Require a measure of an item for one binding: of the subject, or of each person its
        target found (``hops``); a measure already required for the same events names this rule too."""
        targets: list[tuple[str | None, list[str] | None, list[Reason]]]
        if hops is not None:
            if hops:
                targets = [(h.person, list(h.path), self._found(item.target_text, h.person)) for h in hops]
            else:
                targets = [(None, [subject.id, f"nobody: {item.target_text}"],
                            [TargetEmpty(target=item.target_text)] if self.full else [])]
        else:
            targets = [(subject.id, None, [])]
        for person, path, found in targets:
            key = (measure, person, events)
            if key in drafts:
                existing = drafts[key]
                existing.also = [*(existing.also or ()), rule.qualified]
                continue
            shown = mask_if_id_number(person) if person else None
            position = rule.positions.get(measure, 0)
            draft = Draft(
                rule, measure, "unresolved" if path and person is None else "discretionary" if item.may
                else "applied", events, shown, [*because, *found] if found else because, position, record, item.may,
                [mask_if_id_number(p) for p in path] if path else None, due, until,
            )
            if item.may and draft.status == "discretionary":
                decision = self._determination(measure, record, subject)
                if decision is not None:
                    draft.status = {"apply": "applied", "decline": "declined", "mitigate": "mitigated",
                                    "exempt": "exempted"}[decision.decision]
                    draft.because = [*draft.because, _determined(decision)]
            drafts[key] = draft

    def _found(self, target: str, person: str) -> list[Reason]:
        return [TargetFound(target=target, person=mask_if_id_number(person))] if self.full else []

    def tolerates(self, rule: ir.Rule, event: Any, subject: Any) -> bool:
        """Whether a tolerance rule that holds excludes the event: unless a determination declines
        what the rule only permits (可)."""
        item = rule.items[0]
        if not item.may:
            return True
        decision = self._determination(item.measures[0], event, subject)
        return decision is None or decision.decision != "decline"

    def soften(self, rule: ir.Rule, item: ir.Item, record: Any, drafts: dict[Any, Draft],
               because: Sequence[Reason]) -> None:
        """A repair item that softens punishments (`of …`): attach its softening to each punishment of
        the same record it names, settled at the end."""
        if record is None:
            return
        for draft in drafts.values():
            if (draft.rule.kind == "punishment" and record.id in draft.events
                    and (item.of_all or draft.measure in item.of_names
                         or draft.rule.name in item.of_names or draft.rule.qualified in item.of_names)):
                for measure in item.measures:
                    draft.softenings = [*(draft.softenings or ()), (measure, rule, because, item.may)]

    def _settle(self, draft: Draft, subject: Any) -> None:
        """Apply permitted softenings (a determination decides; undecided, never against the subject)."""
        if draft.softenings:
            if draft.status in ACTIVE:
                self._soften(draft, subject)
            draft.softenings = None  # settled: what softened it is in modified_by
        if draft.until is not None and draft.until < self.as_of and draft.status in ACTIVE:
            draft.status = "expired"
            if self.full:
                draft.because = [*draft.because, Expired(until=draft.until, as_of=self.as_of)]

    def _soften(self, draft: Draft, subject: Any) -> None:
        """Settle the softenings repair rules allow: what a clause requires always holds; within what
        the clauses permit a determination decides; undecided, the engine never decides against the
        subject (a permitted 从轻 shows as mitigated, the softening every reading allows)."""
        softenings = draft.softenings or []
        required = most = 0
        permits_mitigation = False
        for measure, _rule, _because, may in softenings:
            leniency = _LENIENCY[measure]
            most = max(most, leniency)
            if not may:
                required = max(required, leniency)
            permits_mitigation = permits_mitigation or measure == "mitigation"
        level = required or (1 if permits_mitigation else 2)
        note = Softening(required=_SOFTENING[required] if required else None)
        decision = self._determination(draft.measure, draft.record, subject)
        if decision is not None:
            wanted = _SETTLES[decision.decision]
            permitted = required <= wanted <= most  # 减免 (exemption) includes 从轻 (mitigation)
            if permitted:
                level = wanted
            note = Softening(required=note.required, determination=_determined(decision), permitted=permitted)
        if level == 0:
            draft.because = [*draft.because, note]
            return
        chosen = _SOFTENING[level]
        # credit the rule that requires the chosen softening, else one that permits it
        _m, rule, because, may = (softenings[0] if len(softenings) == 1
                                  else min(softenings, key=lambda s: (s[0] != chosen, s[3], s[1].order)))
        discretionary = may and level > required
        modification: Modification | None
        if self.full:
            modification = Modification(measure=chosen, clause=rule.clause, rule=rule.qualified,
                                                reasons=[*because, note], discretionary=discretionary)
        else:  # with no trace, the same softening by the same rule is one frozen value, built once
            key = (chosen, rule.qualified, discretionary)
            modification = self._modifications.get(key)
            if modification is None:
                modification = self._modifications[key] = Modification(
                    measure=chosen, clause=rule.clause, rule=rule.qualified, reasons=[], discretionary=discretionary)
        draft.modified_by = [*(draft.modified_by or ()), modification]
        draft.status = "exempted" if chosen == "exemption" else "mitigated"

    def _precedence(self, outcomes: list[Draft]) -> None:
        for precedence in self.plan.precedences:
            winners = [d for d in outcomes if d.measure == precedence.winner and d.status in ACTIVE]
            if not winners:
                continue
            for loser in outcomes:
                if loser.measure == precedence.loser and loser.status in ACTIVE and loser.subject == winners[0].subject:
                    loser.status = "overridden"
                    loser.modified_by = [*(loser.modified_by or ()), Modification(
                        measure=precedence.winner, clause=precedence.clause, rule=precedence.label,
                        reasons=[Precedence(winner=precedence.winner, rule=winners[0].rule.qualified)],
                        discretionary=False)]

    def _determination(self, measure: str, record: Any, subject: Any) -> Any:
        for holder in (record, subject):
            for decision in getattr(holder, "determinations", None) or ():
                if decision.measure == measure and (decision.decided_on is None or decision.decided_on <= self.as_of):
                    return decision
        return None


_LENIENCY = {"mitigation": 1, "exemption": 2}
_SOFTENING = {1: "mitigation", 2: "exemption"}
_SETTLES = {"apply": 0, "mitigate": 1, "exempt": 2, "decline": 2}
"""How lenient a determination is; declining to impose what may be lifted lifts it."""


def not_applicable(event: Any) -> RecordResult:
    """An event no record rule admits."""
    return RecordResult(event=event.id, status="not_applicable", clause=None, rule=None, reasons=[])


def record_result(event: Any, admitting: list[ir.Rule], tolerated: ir.Rule | None,
                  because: Sequence[Reason], excluded_because: Sequence[Reason]) -> RecordResult:
    """An admitted event's result: recorded under the first admitting rule, or excluded."""
    rule = admitting[0]
    reasons = list(because)
    if len(admitting) > 1:
        reasons += [AlsoAdmitted(rule=r.qualified, clause=r.clause.id) for r in admitting[1:]]
    if tolerated is None:
        return RecordResult.trusted(event=event.id, status="recorded", clause=rule.clause, rule=rule.qualified,
                                    reasons=reasons)
    reasons.append(WouldBeRecorded(rule=rule.qualified, clause=rule.clause.id))
    reasons += excluded_because
    return RecordResult.trusted(event=event.id, status="excluded", clause=tolerated.clause, rule=tolerated.qualified,
                                reasons=reasons)


def _determined(decision: Any) -> Determined:
    return Determined(decision=decision.decision, by=getattr(decision, "by", None) or None,
                      on=getattr(decision, "decided_on", None))


def decide(plan: Plan, facts: Facts, as_of: dt.date, trace: Trace = "full",
           subjects: list[str] | None = None, tracer: Tracer | None = None) -> list[Decision]:
    """Decisions for every subject (or the listed ones), in input order; responsibility outcomes also
    appear in the decision of the person they fall on. A ``tracer`` hears every rule evaluated."""
    evaluator = SubjectEvaluator(plan, facts, as_of, trace, tracer)
    results: list[tuple[str, Sequence[RecordResult], list[Outcome]]] = []
    by_person: dict[str, list[Outcome]] = {}
    for subject, (records, drafts) in zip(facts.subjects, evaluator.evaluate_all(facts.subjects), strict=True):
        outcomes = [d.freeze() for d in drafts]
        for outcome in outcomes:
            if outcome.kind == "responsibility" and outcome.subject and outcome.subject != subject.id:
                by_person.setdefault(outcome.subject, []).append(outcome)
        results.append((subject.id, records, outcomes))
    wanted = set(subjects) if subjects else None
    decisions = []
    for subject_id, records, outcomes in results:
        if wanted is not None and subject_id not in wanted:
            continue
        shown = mask_if_id_number(subject_id)
        decisions.append(Decision(subject=shown, records=list(records),
                                  outcomes=[*outcomes, *by_person.get(shown, [])]))
    return decisions


__all__ = ["ClauseRef", "SubjectEvaluator", "Trace", "decide"]
