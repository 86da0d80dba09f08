"""Compile: the IR of one class of subject to one Python function, on one date, at one tracing level.

The function is the loop a programmer would write by hand — for each event, the record rules that can
admit its kind, then each acting rule over the records of matching kinds, every condition inlined —
and the tracing level is chosen when it is written, never tested at run time:

- ``none`` and ``summary``: outcomes (and, for summary, record results) only;
- ``full``: every condition of a rule that holds is traced with the values it read (typed reasons);
- ``audit``: as full, and every rule of the class is evaluated on every binding and reported to a
  tracer with its truth value and conditions, with every alternative taken; coverage, explain and
  why-not listen to it. A rule whose kinds exclude the binding is reported false, its conditions
  evaluated without reporting alternatives.

What the function does not write out — placing an outcome found by a target, determinations,
softenings, expiry, precedence — it asks the runtime (evaluate.py) to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from zwcx_rules.engine.codegen_expr import ExprWriter, Scope
from zwcx_rules.engine.emit import Emitter
from zwcx_rules.semantics import ir

Mode = Literal["none", "summary", "full", "audit"]
Decide = Callable[[Any, Any, tuple[Any, ...], bool], tuple[list[Any], list[Any]]]
"""``decide(runtime, subject, events, listing)`` → (record results, outcome drafts)."""


def compile_class(program: ir.Program, rules: dict[str, tuple[ir.Rule, ...]], parameters: dict[str, Any],
                  namespace: dict[str, Any], mode: Mode, idle: bool) -> tuple[Decide, str]:
    """The function deciding one class of subject (``rules``: the class's rules by kind), and its source."""
    emitter = Emitter(namespace)
    writer = _ClassWriter(emitter, ExprWriter(emitter, program, parameters), program, rules, mode, idle)
    writer.write()
    return emitter.compile("decide")


class _ClassWriter:
    def __init__(self, emitter: Emitter, exprs: ExprWriter, program: ir.Program,
                 rules: dict[str, tuple[ir.Rule, ...]], mode: Mode, idle: bool) -> None:
        self.e = emitter
        self.x = exprs
        self.program = program
        self.rules = rules
        self.mode = mode
        self.traced = mode in ("full", "audit")
        self.audit = mode == "audit"
        self.idle = idle
        self.conditions: dict[str, str] = {}
        """The generated condition function of each rule (traced modes)."""

    def write(self) -> None:
        if self.traced:
            for kind in ir.KIND_ORDER:
                for rule in self.rules[kind]:
                    self._condition_function(rule)
        line = self.e.line
        tolerance = bool(self.rules["tolerance"])
        line(0, "def decide(ev, subject, events, listing):")
        if self.audit:
            line(1, "tr = ev.tracer")
        elif self.traced:
            line(1, "tr = None")
        if any(item.target is not None for kind in ir.KIND_ORDER for r in self.rules[kind] for item in r.items):
            line(1, "graph = ev.graph")
        line(1, "events = [e for e in events if e.date <= as_of]")
        if self.idle and not self.audit:
            line(1, "if not events:")
            line(2, "return NOTHING")
        line(1, "subject_id = subject.id")
        line(1, "results = [] if listing else NO_RESULTS")
        line(1, "recorded = []")
        if tolerance:
            line(1, "excluded = []")
        if not self.rules["record"]:
            line(1, "if listing:")
            line(2, "results = [not_applicable(event) for event in events]")
        elif self.traced:
            self._traced_admission()
        else:
            self._admission()
        if self.idle and not self.audit:
            line(1, "if not recorded and not excluded:" if tolerance else "if not recorded:")
            line(2, "return results, NO_OUTCOMES")
        line(1, "shown = mask(subject_id)")
        line(1, "drafts = {}")
        if tolerance:
            self._exclusions()
        for kind in ir.ACTING:
            for rule in self.rules[kind]:
                self._acting(rule)
        if self.audit:
            idle = [r for kind in ir.ACTING for r in self.rules[kind] if r.over == "record"]
            if idle:  # a rule on records that had none to act on did not hold for this subject
                line(1, "if not recorded:")
                for rule in idle:
                    line(2, f"tr.rule({self.e.const(rule)}, subject, None, False, ())")
        measures = {m for kind in ("tolerance", *ir.ACTING) for r in self.rules[kind] for i in r.items for m in i.measures}
        line(1, f"return results, ev.finish(drafts, subject, {not measures.isdisjoint(self.program.winners)})")

    # ---- conditions ------------------------------------------------------------------------------
    def _scope(self, rule: ir.Rule, local: str | None, records: str, tracer: str | None = None,
               reads: str | None = None) -> Scope:
        names = {rule.over: local, rule.var: local} if rule.over is not None and local is not None else {}
        return Scope(locals=names, builtins={"records": records}, reads=reads, tracer=tracer)  # type: ignore[arg-type]

    def _test(self, rule: ir.Rule, local: str | None, records: str) -> str:
        """A rule's condition for one binding, untraced: the kinds test, then the condition unless the
        kinds test is all of it."""
        parts = []
        if rule.kinds is not None:
            parts.append(f"{'kind' if local == 'event' else f'{local}.kind'} in {self.e.const(rule.kinds)}")
        if rule.when is not None and not rule.kinds_exact:
            parts.append(f"({self.x.expr(rule.when, self._scope(rule, local, records), test=True)})")
        return " and ".join(parts) or "True"

    def _kinds(self, rule: ir.Rule, local: str) -> str:
        return f"{local}.kind in {self.e.const(rule.kinds)}" if rule.kinds is not None else "True"

    def _condition_function(self, rule: ir.Rule) -> None:
        """``c(tr, subject, bound, recorded, events)`` → (holds, conditions): each `and`-part evaluated in
        turn with the values it read, up to the first that fails."""
        name = self.conditions[rule.qualified] = f"c{len(self.conditions)}"
        line = self.e.line
        line(0, f"def {name}(tr, subject, bound, recorded, events):")
        if not rule.conjuncts:
            line(1, "return True, ()")
            line(0, "")
            return
        self.x.models["bound"] = self.x.models["event"]
        scope = self._scope(rule, "bound", "recorded", "tr" if self.audit else None, "reads")
        line(1, "out = []")
        for part in rule.conjuncts:
            at = f"{part.span.file}:{part.span.line}:{part.span.column}"
            line(1, "reads = []")
            line(1, f"holds = True if {self.x.expr(part, scope, test=True)} else False")
            line(1, f"out.append(cond({self.e.const(part.text)}, {self.e.const(at)}, reads, holds))")
            line(1, "if not holds:")
            line(2, "return False, out")
        line(1, "return True, out")
        line(0, "")

    def _evaluate(self, depth: int, rule: ir.Rule, local: str, records: str) -> None:
        """``holds, cs`` for a binding (traced), reported to the tracer in an audit."""
        line, k = self.e.line, self.e.const(rule)
        call = f"{self.conditions[rule.qualified]}(%s, subject, {local}, {records}, events)"
        line(depth, f"if {self._kinds(rule, local)}:")
        line(depth + 1, f"holds, cs = {call % 'tr'}")
        if self.audit:
            line(depth + 1, f"tr.rule({k}, subject, {local}, holds, cs)")
            line(depth, "else:")
            line(depth + 1, f"holds, cs = False, {call % 'QUIET'}[1]")
            line(depth + 1, f"tr.rule({k}, subject, {local}, False, cs)")
        else:
            line(depth, "else:")
            line(depth + 1, "holds = False")

    # ---- records and tolerance -----------------------------------------------------------------
    def _admission(self) -> None:
        line = self.e.line
        tests = [(self._test(rule, "event", "NO_RECORDS"), rule) for rule in self.rules["record"]]
        line(1, "for event in events:")
        line(2, "kind = event.kind")
        line(2, "if listing:")  # every admitting rule is listed in the event's record result
        line(3, "admitting = []")
        for test, rule in tests:
            line(3, f"if {test}:")
            line(4, f"admitting.append({self.e.const(rule)})")
        line(3, "if not admitting:")
        line(4, "results.append(not_applicable(event))")
        line(4, "continue")
        # otherwise the first admitting rule is all that is needed
        line(2, f"elif not ({' or '.join(f'({test})' for test, _rule in tests)}):")
        line(3, "continue")
        if not self.rules["tolerance"]:
            line(2, "recorded.append(event)")
            line(2, "if listing:")
            line(3, "results.append(record_result(event, admitting, None, (), ()))")
            return
        line(2, "tolerated = None")
        for rule in self.rules["tolerance"]:
            test = self._test(rule, "event", "NO_RECORDS")
            tolerates = f" and ev.tolerates({self.e.const(rule)}, event, subject)" if rule.items[0].may else ""
            line(2, f"if tolerated is None and {test}{tolerates}:")
            line(3, f"tolerated = {self.e.const(rule)}")
        line(2, "if tolerated is None:")
        line(3, "recorded.append(event)")
        line(2, "else:")
        line(3, "excluded.append((tolerated, event, ()))")
        line(2, "if listing:")
        line(3, "results.append(record_result(event, admitting, tolerated, (), ()))")

    def _traced_admission(self) -> None:
        line = self.e.line
        line(1, "for event in events:")
        line(2, "admitting = []")
        for rule in self.rules["record"]:
            self._evaluate(2, rule, "event", "NO_RECORDS")
            line(2, "if holds:")
            line(3, f"admitting.append(({self.e.const(rule)}, cs))")
        line(2, "if not admitting:")
        line(3, "results.append(not_applicable(event))")
        line(3, "continue")
        line(2, "tolerated = None")
        for rule in self.rules["tolerance"]:
            k = self.e.const(rule)
            self._evaluate(2, rule, "event", "NO_RECORDS")
            tolerates = f" and ev.tolerates({k}, event, subject)" if rule.items[0].may else ""
            line(2, f"if holds and tolerated is None{tolerates}:")
            line(3, f"tolerated, tolerated_cs = {k}, cs")
        line(2, "first, first_cs = admitting[0]")
        line(2, "because = ev.because(first, subject, event, 'event', first_cs)")
        line(2, "if tolerated is None:")
        line(3, "recorded.append(event)")
        line(3, "excluded_because = ()")
        line(2, "else:")
        line(3, "excluded_because = ev.because(tolerated, subject, event, 'event', tolerated_cs)")
        line(3, "excluded.append((tolerated, event, excluded_because))")
        line(2, "results.append(record_result(event, [r for r, _ in admitting], tolerated, because, excluded_because))")

    def _exclusions(self) -> None:
        """Each excluded event gets its tolerance rule's measure (容错免责), placed as any other."""
        line = self.e.line
        line(1, "for rule, event, because in excluded:")
        for index, rule in enumerate(self.rules["tolerance"]):
            line(2, f"{'if' if index == 0 else 'elif'} rule is {self.e.const(rule)}:")
            item = rule.items[0]
            scope = self._scope(rule, "event", "recorded", "tr" if self.audit else None)
            self._place(3, rule, item, item.measures[0], scope, "(event.id,)", "event", "because")

    # ---- incentives, punishments, repairs, responsibility -----------------------------------------
    def _acting(self, rule: ir.Rule) -> None:
        line = self.e.line
        over_record = rule.over == "record"
        local = "record" if over_record else "None"
        depth = 2 if over_record else 1
        if over_record:
            line(1, "for record in recorded:")
        else:
            assert rule.over is None, rule.qualified  # the checker allows only records to act on
        if self.traced:
            self._evaluate(depth, rule, local, "recorded")
            line(depth, "if holds:")
            line(depth + 1, f"because = ev.because({self.e.const(rule)}, subject, {local}, "
                            f"{self.e.const(rule.over)}, cs)")
        else:
            line(depth, f"if {self._test(rule, local if over_record else None, 'recorded')}:")
        because = "because" if self.traced else "()"
        depth += 1
        line(depth, f"bound = {'(record.id,)' if over_record else '()'}")
        scope = self._scope(rule, "record" if over_record else None, "recorded", "tr" if self.audit else None)
        for item in rule.items:
            if rule.kind == "repair" and (item.of_all or item.of_names):
                line(depth, f"ev.soften({self.e.const(rule)}, {self.e.const(item)}, {local}, drafts, {because})")
                continue
            for measure in item.measures:
                self._place(depth, rule, item, measure, scope, "bound", local, because)

    def _place(self, depth: int, rule: ir.Rule, item: ir.Item, measure: str, scope: Scope, bound: str,
               record: str, because: str) -> None:
        """Require a measure of one binding: written out for the subject itself, else placed by the runtime."""
        line, const = self.e.line, self.e.const
        due = self.x.expr(item.due, scope) if item.due is not None else "None"
        until = self.x.expr(item.until, scope) if item.until is not None else "None"
        if item.target is None and not item.may:  # required of the subject itself: written out
            key, position = const(measure), rule.positions[measure]
            line(depth, f"key = ({key}, subject_id, {bound})")
            line(depth, "found = drafts.get(key)")
            line(depth, "if found is None:")
            dates = f", False, None, {due}, {until}" if item.due is not None or item.until is not None else ""
            line(depth + 1, f"drafts[key] = Draft({const(rule)}, {key}, 'applied', {bound}, shown, {because}, "
                            f"{position}, {record}{dates})")
            line(depth, "elif found.also is None:")
            line(depth + 1, f"found.also = [{const(rule.qualified)}]")
            line(depth, "else:")
            line(depth + 1, f"found.also.append({const(rule.qualified)})")
            return
        # persons to find, or a measure the rule only permits: placed by the runtime
        hops = self.x.target(item.target, scope) if item.target is not None else "None"
        line(depth, f"ev.place(drafts, {const(rule)}, {const(item)}, {const(measure)}, {bound}, subject, "
                    f"{because}, {record}, {hops}, {due}, {until})")
