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

from zwcx_rules.engine.decisions import ClauseRef, Decision, Modification, Outcome, RecordResult
from zwcx_rules.engine.plan import ACTING, ClassPlan, CompiledItem, CompiledRule, Plan
from zwcx_rules.engine.specialise import Specialiser
from zwcx_rules.facts import Facts, mask_if_id_number
from zwcx_rules.facts.graph import Hop, gc_paused

Trace = Literal["full", "summary", "none"]
ACTIVE = frozenset({"applied", "mitigated", "discretionary"})
_NONE: frozenset[str] = frozenset()



@dataclass(slots=True)
class Draft:
    """An outcome while the phases still act on it; with no trace, the outcome itself."""

    rule: CompiledRule
    measure: str
    status: str
    events: tuple[str, ...]
    subject: str | None
    because: Sequence[str]
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
    softenings: list[tuple[str, CompiledRule, list[str], bool]] | None = None

    @property
    def kind(self) -> str:
        return self.rule.kind

    def fields(self) -> dict[str, Any]:
        """The outcome's fields, in the order of :class:`Outcome` (what its JSON lists)."""
        return {
            "measure": self.measure, "kind": self.rule.kind, "status": self.status, "events": list(self.events),
            "subject": self.subject, "path": self.path, "clause": self.rule.clause, "rule": self.rule.qualified,
            "deadline": self.deadline, "until": self.until, "modified_by": self.modified_by or [],
            "because": list(self.because), "discretionary": self.discretionary, "also": self.also or [],
        }

    def freeze(self) -> Outcome:
        # INVARIANT: every value here is already valid, so the model is built without re-validation
        return Outcome.trusted(**self.fields())


def _listing(draft: Draft) -> tuple[Any, ...]:
    """Where an outcome is listed: rule rank, events, position, subject, measure."""
    return draft.rule.rank, draft.events, draft.position, draft.subject or "", draft.measure


class SubjectEvaluator:
    """Evaluates one subject at a time against a plan, for one case file and one date."""

    def __init__(self, plan: Plan, facts: Facts, as_of: dt.date, trace: Trace = "full",
                 probe: set[tuple[Any, ...]] | None = None, specialised: bool = True) -> None:
        self.plan = plan
        self.facts = facts
        self.as_of = as_of
        self.full = trace == "full"
        self.listing = trace != "none"
        """Whether record results are built (with no trace a decision lists outcomes only)."""
        self.probe = probe
        """Coverage events, when given: (`rule`, name, fired) per binding, `or`/`else` alternatives taken."""
        self.base: dict[str, Any] = {"as_of": as_of, "@graph": facts.graph, "@probe": probe,
                                     **plan.parameters_on(as_of)}
        self.graph = facts.graph
        self._modifications: dict[tuple[str, str, bool], Modification] = {}
        self.specialiser: Specialiser | None = None
        """With no full trace and no probes, the plan's functions per class (specialise.py) decide."""
        if specialised and probe is None and not self.full:
            self.specialiser = plan.specialised.get(as_of)
            if self.specialiser is None:
                if len(plan.specialised) >= 16:  # a service deciding on many dates keeps the latest few
                    del plan.specialised[next(iter(plan.specialised))]
                self.specialiser = plan.specialised[as_of] = Specialiser(
                    plan, as_of, Draft, record_result, not_applicable)

    def environment(self, subject: Any, events: list[Any], recorded: list[Any]) -> dict[str, Any]:
        """What closures read for one subject: built-ins, parameters, and the bound variables."""
        env = dict(self.base)
        env.update(subject=subject, events=events, records=recorded)
        return env

    def prepare(self, subject: Any) -> tuple[dict[str, Any], list[RecordResult], list[Any]]:
        """The environment rules read for one subject on as_of, its record results and its records."""
        as_of = self.as_of
        events = [e for e in self.facts.events_of(subject.id) if e.date <= as_of]
        self._shown = mask_if_id_number(subject.id)
        env = dict(self.base)
        env.update(subject=subject, events=events, records=[])
        self._plan = self.plan.for_subject(subject)
        records, recorded = self._records(self._plan, env, events)
        env["records"] = recorded
        return env, records, recorded

    def evaluate(self, subject: Any) -> tuple[Sequence[RecordResult], Sequence[Draft]]:
        """Records and outcomes of one subject (responsibility outcomes name other subjects)."""
        if self.specialiser is not None:
            return self.specialiser.decide(self, subject, self.facts.events_of(subject.id), self.listing)
        if self.probe is None and self.plan.for_subject(subject).idle and not self._has_events(subject):
            return [], []  # no event to admit, and no rule of its class acts without a record
        env, records, recorded = self.prepare(subject)
        plan = self._plan
        drafts: dict[tuple[str, str | None, tuple[str, ...]], Draft] = {}
        for rule, event, because in self._excluded:
            self.exclude(drafts, rule, event, subject, env, because)
        # under coverage probes every rule runs, to record the ones that do not fire
        acting = (tuple(r for kind in ACTING for r in plan.rules[kind]) if self.probe is not None
                  else plan.acting(frozenset([r.kind for r in recorded]) if recorded else _NONE))
        for rule in acting:
            if rule.kind == "repair":
                self._repair(rule, env, recorded, drafts, subject)
            else:
                self._fire(rule, env, recorded, drafts, subject)
        if self.probe is not None and not recorded:
            # a rule on records that had none to act on did not fire for this subject
            self.probe.update(("rule", r.qualified, False) for r in acting if r.over == "record")
        return records, self.finish(drafts, subject)

    def exclude(self, drafts: dict[Any, Draft], rule: CompiledRule, event: Any, subject: Any,
                env: dict[str, Any], because: list[str] | None = None) -> None:
        """An event a tolerance rule excluded: the rule's measure (容错免责) for it."""
        env[rule.over] = env[rule.var] = event  # type: ignore[index]
        self._add(drafts, rule, rule.items[0], rule.items[0].measures[0], (event.id,), subject, because or [],
                  env, event)

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

    def evaluate_all(self, subjects: Iterable[Any]) -> list[tuple[Sequence[RecordResult], Sequence[Draft]]]:
        """Records and outcomes of many subjects, in order.

        The cyclic garbage collector is paused meanwhile: deciding makes no reference cycles, and
        each of its passes would rescan every subject and event loaded, costing more than deciding.
        """
        with gc_paused():
            if self.specialiser is None:
                return [self.evaluate(subject) for subject in subjects]
            decide, events_of, listing = self.specialiser.decide, self.facts.events_of, self.listing
            return [decide(self, subject, events_of(subject.id), listing) for subject in subjects]

    def _has_events(self, subject: Any) -> bool:
        as_of = self.as_of
        return any(e.date <= as_of for e in self.facts.events_of(subject.id))

    # ---- records and tolerance -------------------------------------------------------------
    def _records(self, plan: ClassPlan, env: dict[str, Any], events: list[Any]) -> tuple[list[RecordResult], list[Any]]:
        """Admit each event (first admitting rule wins) and exclude what a tolerance rule covers."""
        results: list[RecordResult] = []
        recorded: list[Any] = []
        self._excluded: list[tuple[CompiledRule, Any, list[str]]] = []
        for event in events:
            admitting = self._admitting(plan, env, event)
            if not admitting:
                if self.listing:
                    results.append(not_applicable(event))
                continue
            rule = admitting[0]
            tolerated = self._tolerated(plan, env, event)
            excluded_because: list[str] = []
            if tolerated is None:
                recorded.append(event)
            else:
                excluded_because = self._because(tolerated, env, event, "event") if self.full else []
                self._excluded.append((tolerated, event, excluded_because))
            if self.listing:
                because = self._because(rule, env, event, "event") if self.full else []
                results.append(record_result(event, admitting, tolerated, because, excluded_because))
        return results, recorded

    def _admitting(self, plan: ClassPlan, env: dict[str, Any], event: Any) -> list[CompiledRule]:
        """The record rules that admit an event; with no record results to list, only the first."""
        if self.probe is not None:
            return [r for r in plan.rules["record"] if self._holds(r, env, event)]
        admitting = []
        for rule in plan.admitting(event.kind):
            if rule.condition is not None and not rule.kinds_exact:
                env["event"] = env[rule.var] = event  # type: ignore[index]
                if not rule.condition(env):
                    continue
            admitting.append(rule)
            if not self.listing:
                break
        return admitting

    def _tolerated(self, plan: ClassPlan, env: dict[str, Any], event: Any) -> CompiledRule | None:
        """The first tolerance rule that excludes an admitted event, if any."""
        candidates = plan.rules["tolerance"] if self.probe is not None else plan.tolerating(event.kind)
        if not candidates:
            return None
        tolerating = [r for r in candidates if self._holds(r, env, event)]
        return next((r for r in tolerating if self.tolerates(r, event, env["subject"])), None)

    def tolerates(self, rule: CompiledRule, event: Any, subject: Any) -> bool:
        """Whether a tolerance rule that holds excludes the event: unless a determination declines
        what the rule only permits (可)."""
        item = rule.items[0]
        if not item.may:
            return True
        decision = self._determination(item.measures[0], event, subject)
        return decision is None or decision.decision != "decline"

    def _holds(self, rule: CompiledRule, env: dict[str, Any], bound: Any) -> bool:
        if rule.kinds is not None and bound.kind not in rule.kinds:  # the condition cannot hold
            if self.probe is not None:
                self.probe.add(("rule", rule.qualified, False))
            return False
        if rule.over is not None:
            env[rule.over] = bound
            env[rule.var] = bound  # type: ignore[index]
        if self.probe is None:
            return rule.condition is None or rule.kinds_exact or bool(rule.condition(env))
        holds = rule.condition is None or bool(rule.condition(env))
        self.probe.add(("rule", rule.qualified, holds))
        return holds

    def _holding(self, rule: CompiledRule, env: dict[str, Any], recorded: list[Any]) -> list[Any]:
        """The records a rule over records holds for, or ``[None]`` if a rule over none holds."""
        if self.probe is not None or rule.over != "record":
            return [r for r in (recorded if rule.over == "record" else (None,)) if self._holds(rule, env, r)]
        kinds = rule.kinds
        if kinds is not None:
            recorded = [r for r in recorded if r.kind in kinds]
        condition = rule.condition
        if condition is None or rule.kinds_exact:
            return recorded
        holding = []
        for record in recorded:
            env["record"] = env[rule.var] = record  # type: ignore[index]
            if condition(env):
                holding.append(record)
        return holding

    def _because(self, rule: CompiledRule, env: dict[str, Any], bound: Any, over: str | None) -> list[str]:
        subject = env["subject"]
        lines = [f"{subject.type} {mask_if_id_number(subject.id)} is covered by `for {rule.selector.text}`"]
        if rule.replaces:
            lines.append(f"rule {rule.qualified} overrides {rule.replaces}")
        if over == "record":
            lines.append(f"event {bound.id} ({bound.kind}, {bound.date}) is a record")
        elif over == "event":
            lines.append(f"event {bound.id} ({bound.kind}, {bound.date})")
        return lines + rule.explain(env)

    # ---- incentives, punishments, responsibility --------------------------------------------
    def _fire(self, rule: CompiledRule, env: dict[str, Any], recorded: list[Any],
              drafts: dict[Any, Draft], subject: Any) -> None:
        for record in self._holding(rule, env, recorded):
            if record is not None:
                env[rule.over] = env[rule.var] = record  # type: ignore[index]
            because = self._because(rule, env, record, rule.over) if self.full else []
            events = (record.id,) if record is not None else ()
            for item, measure, position in rule.emits:
                if item.plain:  # the subject itself, applied: no target to find, no date to compute
                    key = (measure, subject.id, events)
                    found = drafts.get(key)
                    if found is None:
                        drafts[key] = Draft(rule, measure, "applied", events, self._shown, because, position, record)
                    elif found.also is None:
                        found.also = [rule.qualified]
                    else:
                        found.also.append(rule.qualified)
                else:
                    self._add(drafts, rule, item, measure, events, subject, because, env, record)

    def _add(self, drafts: dict[Any, Draft], rule: CompiledRule, item: CompiledItem, measure: str,
             events: tuple[str, ...], subject: Any, because: list[str], env: dict[str, Any],
             record: Any) -> None:
        self.place(drafts, rule, item, measure, events, subject, because, record,
                   item.target(env) if item.target is not None else None,
                   item.due(env) if item.due is not None else None,
                   item.until(env) if item.until is not None else None)

    def place(self, drafts: dict[Any, Draft], rule: CompiledRule, item: CompiledItem, measure: str,
              events: tuple[str, ...], subject: Any, because: list[str], record: Any,
              hops: list[Hop] | None, due: dt.date | None, until: dt.date | None) -> None:
        """Require a measure of an item for one binding: of the subject, or of each person its
        target found (``hops``); a measure already required for the same events names this rule too."""
        targets: list[tuple[str | None, list[str] | None, list[str]]]
        if hops is not None:
            if hops:
                targets = [(h.person, list(h.path), self._found(item.target_text, h.person)) for h in hops]
            else:
                targets = [(None, [subject.id, f"nobody: {item.target_text}"],
                            [f"`{item.target_text}` found no one in the case file"] if self.full else [])]
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

    def _found(self, target: str, person: str) -> list[str]:
        return [f"`{target}` found {mask_if_id_number(person)}"] if self.full else []

    # ---- repair ----------------------------------------------------------------------------
    def _repair(self, rule: CompiledRule, env: dict[str, Any], recorded: list[Any],
                drafts: dict[Any, Draft], subject: Any) -> None:
        for record in self._holding(rule, env, recorded):
            if record is not None:
                env[rule.over] = env[rule.var] = record  # type: ignore[index]
            because = self._because(rule, env, record, rule.over) if self.full else []
            self.repair_binding(rule, record, drafts, subject, because, env)

    def repair_binding(self, rule: CompiledRule, record: Any, drafts: dict[Any, Draft], subject: Any,
                       because: list[str], env: dict[str, Any]) -> None:
        """What a repair rule does for one record it holds for: soften the punishments it names
        (settled at the end), or require its own measures."""
        for item in rule.items:
            if not (item.of_all or item.of_names):
                for measure in item.measures:
                    self._add(drafts, rule, item, measure, (record.id,) if record else (),
                              subject, because, env, record)
                continue
            for draft in drafts.values():
                if (draft.rule.kind == "punishment" and record is not None and record.id in draft.events
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
                draft.because = [*draft.because, f"its period ended on {draft.until}, before {self.as_of}"]

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
        note = ("discretionary (可) and undecided: the softening every reading allows" if not required
                else f"{_SOFTENING[required]} required by the clause")
        decision = self._determination(draft.measure, draft.record, subject)
        if decision is not None:
            wanted = _SETTLES[decision.decision]
            if required <= wanted <= most:  # 减免 (exemption) includes 从轻 (mitigation)
                level, note = wanted, _determined(decision)
            else:
                note += f"; {_determined(decision)}, which the clauses do not permit here"
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
            modification = Modification.trusted(measure=chosen, clause=rule.clause, rule=rule.qualified,
                                                because=[*because, note], discretionary=discretionary)
        else:  # with no trace, the same softening by the same rule is one frozen value, built once
            key = (chosen, rule.qualified, discretionary)
            modification = self._modifications.get(key)
            if modification is None:
                modification = self._modifications[key] = Modification.trusted(
                    measure=chosen, clause=rule.clause, rule=rule.qualified, because=[], discretionary=discretionary)
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
                    loser.modified_by = [*(loser.modified_by or ()), Modification.trusted(
                        measure=precedence.winner, clause=precedence.clause, rule=precedence.label,
                        because=[f"{precedence.winner} ({winners[0].rule.qualified}) takes precedence"],
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
    return RecordResult.trusted(event=event.id, status="not_applicable", clause=None, rule=None, because=[])


def record_result(event: Any, admitting: list[CompiledRule], tolerated: CompiledRule | None,
                  because: list[str], excluded_because: list[str]) -> RecordResult:
    """An admitted event's result: recorded under the first admitting rule, or excluded."""
    rule = admitting[0]
    if len(admitting) > 1:
        because = [*because, *(f"also admitted by {r.qualified} ({r.clause.id})" for r in admitting[1:])]
    if tolerated is None:
        return RecordResult.trusted(event=event.id, status="recorded", clause=rule.clause, rule=rule.qualified,
                                    because=because)
    return RecordResult.trusted(
        event=event.id, status="excluded", clause=tolerated.clause, rule=tolerated.qualified,
        because=[*because, f"would be recorded under {rule.qualified} ({rule.clause.id})", *excluded_because])


def _determined(decision: Any) -> str:
    by = f" by {decision.by}" if getattr(decision, "by", None) else ""
    on = f" on {decision.decided_on}" if getattr(decision, "decided_on", None) else ""
    return f"determination recorded{by}{on}: {decision.decision}"


def decide(plan: Plan, facts: Facts, as_of: dt.date, trace: Trace = "full",
           subjects: list[str] | None = None, probe: set[tuple[Any, ...]] | None = None) -> list[Decision]:
    """Decisions for every subject (or the listed ones), in input order; responsibility outcomes also
    appear in the decision of the person they fall on."""
    evaluator = SubjectEvaluator(plan, facts, as_of, trace, probe)
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
        decisions.append(Decision.trusted(subject=shown, records=list(records),
                                  outcomes=[*outcomes, *by_person.get(shown, [])]))
    return decisions


__all__ = ["ClauseRef", "SubjectEvaluator", "Trace", "decide"]
