"""Phase 5b, specialise: the plan as one Python function per class of subject, for decisions
without a full trace (batch runs, ``trace="summary"`` or ``"none"``).

The closures of compile.py are walked rule by rule through an environment dict. A nightly batch of
millions of subjects wants the loop a programmer would write by hand instead: for a civil servant,
test each event's kind against the record rules that can admit it, then fire the punishments on
the records of matching kinds, each condition inlined. This module writes that function's source
from the plan, compiles it once per class and date, and the evaluator calls it.

No policy text becomes source. Every name, code, string, number and rule of the policy is a
constant bound in the function's namespace (``k0``, ``k1``, …); the source holds only generated
identifiers, operators, the field names of the engine's own models, and calls of the helpers in
values.py and facts/asof.py, of the relation queries and of the evaluator. What the function does
not write out (placing an outcome found by a target or with a date, determinations, softenings,
expiry, precedence) it asks the :class:`~zwcx_rules.engine.evaluate.SubjectEvaluator` to do, so both paths
share every rule of settlement; tests check that both give the same decisions on every policy's
tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from zwcx_rules.engine.plan import ACTING, ClassPlan, CompiledRule, Plan, literal
from zwcx_rules.engine.values import Duration, arith, attribute_of, contains, get_field, id_of, ordered, present, ranks
from zwcx_rules.facts.asof import DATED_FIELDS, EVENT_FIELDS, SUBJECT_FIELDS, field_at
from zwcx_rules.facts.identifiers import mask_if_id_number
from zwcx_rules.facts.models import Event, Subject
from zwcx_rules.language import ast
from zwcx_rules.semantics.scope import BUILTINS, meaning

Decide = Callable[[Any, Any, tuple[Any, ...], bool], tuple[list[Any], list[Any]]]
"""``decide(evaluator, subject, events, listing)`` → (record results, outcomes)."""


def _neg(value: Any) -> Any:
    return None if value is None else -value


def _otherwise(*values: Any) -> Any:
    return next((v for v in values if present(v)), None)


_HELPERS: dict[str, Any] = {
    "contains": contains, "ordered": ordered, "arith": arith, "get_field": get_field, "field_at": field_at,
    "neg": _neg, "otherwise": _otherwise, "mask": mask_if_id_number, "id_of": id_of,
}


class Specialiser:
    """Writes and compiles the function of each class of subject, for one plan on one date."""

    def __init__(self, plan: Plan, as_of: dt.date, draft: type, record_result: Callable[..., Any],
                 not_applicable: Callable[[Any], Any]) -> None:
        self.plan = plan
        self.policy = plan.policy
        self.as_of = as_of
        self.parameters = plan.parameters_on(as_of)
        self.namespace: dict[str, Any] = {**_HELPERS, "as_of": as_of, "ranks": ranks(plan.catalogue),
                                          "Draft": draft, "record_result": record_result,
                                          "not_applicable": not_applicable, "NO_RECORDS": (),
                                          "NO_RESULTS": (), "NO_OUTCOMES": (), "NOTHING": ((), ())}
        self.constants: dict[int, str] = {}
        self.fresh = 0
        self.dates: set[str] = {"as_of"}
        self.texts: set[str] = set()
        self.models: dict[str, type[BaseModel]] = {"event": Event, "record": Event, "subject": Subject}
        """The engine's model each local holds, where known: their fields are read directly."""
        self.functions: dict[tuple[str, str | None, str | None], Decide] = {}

    def decide(self, evaluator: Any, subject: Any, events: tuple[Any, ...], listing: bool) -> tuple[list[Any], list[Any]]:
        """Record results and outcomes of one subject, by the function of its class."""
        key = (subject.type, subject.body_kind, subject.person_kind)
        function = self.functions.get(key)
        if function is None:
            function = self.functions[key] = self.function(self.plan.for_subject(subject))[0]
        return function(evaluator, subject, events, listing)

    # ---- the function of one class ------------------------------------------------------------
    def function(self, plan: ClassPlan) -> tuple[Decide, str]:
        """The compiled function of a class, and its source (for tests and the curious)."""
        self.lines: list[str] = []
        self._write_function(plan)
        source = "\n".join(self.lines) + "\n"
        scope: dict[str, Any] = {}
        exec(compile(source, "<zwcx specialised plan>", "exec"), self.namespace, scope)
        return scope["decide"], source

    def _line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def _write_function(self, plan: ClassPlan) -> None:
        line = self._line
        tolerance = bool(plan.rules["tolerance"])
        line(0, "def decide(ev, subject, events, listing):")
        line(1, "events = [e for e in events if e.date <= as_of]")
        if plan.idle:
            line(1, "if not events:")
            line(2, "return NOTHING")
        line(1, "subject_id = subject.id")
        line(1, "results = [] if listing else NO_RESULTS")
        line(1, "recorded = []")
        if tolerance:
            line(1, "excluded = []")
        line(1, "env = None")
        if plan.rules["record"]:
            self._write_admission(plan)
        else:
            line(1, "if listing:")
            line(2, "results = [not_applicable(event) for event in events]")
        if plan.idle:
            line(1, "if not recorded and not excluded:" if tolerance else "if not recorded:")
            line(2, "return results, NO_OUTCOMES")
        line(1, "shown = mask(subject_id)")
        line(1, "drafts = {}")
        if tolerance:
            line(1, "if excluded:")
            line(2, "env = ev.environment(subject, events, recorded)")
            line(2, "for rule, event in excluded:")
            line(3, "ev.exclude(drafts, rule, event, subject, env)")
        for kind in ACTING:
            for rule in plan.rules[kind]:
                self._write_acting(rule)
        measures = {m for kind in ("tolerance", *ACTING) for r in plan.rules[kind] for i in r.items for m in i.measures}
        line(1, f"return results, ev.finish(drafts, subject, {not measures.isdisjoint(self.plan.winners)})")

    def _write_admission(self, plan: ClassPlan) -> None:
        line = self._line
        tests = [(self._test(rule, "event", {"records": "NO_RECORDS"}), rule) for rule in plan.rules["record"]]
        line(1, "for event in events:")
        line(2, "kind = event.kind")
        line(2, "if listing:")  # every admitting rule is listed in the event's record result
        line(3, "admitting = []")
        for test, rule in tests:
            line(3, f"if {test}:")
            line(4, f"admitting.append({self.const(rule)})")
        line(3, "if not admitting:")
        line(4, "results.append(not_applicable(event))")
        line(4, "continue")
        # otherwise the first admitting rule is all that is needed
        line(2, f"elif not ({' or '.join(f'({test})' for test, _rule in tests)}):")
        line(3, "continue")
        if not plan.rules["tolerance"]:
            line(2, "recorded.append(event)")
            line(2, "if listing:")
            line(3, "results.append(record_result(event, admitting, None, [], []))")
            return
        line(2, "tolerated = None")
        for rule in plan.rules["tolerance"]:
            test = self._test(rule, "event", {"records": "NO_RECORDS"})
            tolerates = f" and ev.tolerates({self.const(rule)}, event, subject)" if rule.items[0].may else ""
            line(2, f"if tolerated is None and {test}{tolerates}:")
            line(3, f"tolerated = {self.const(rule)}")
        line(2, "if tolerated is None:")
        line(3, "recorded.append(event)")
        line(2, "else:")
        line(3, "excluded.append((tolerated, event))")
        line(2, "if listing:")
        line(3, "results.append(record_result(event, admitting, tolerated, [], []))")

    def _write_acting(self, rule: CompiledRule) -> None:
        line = self._line
        builtins = {"records": "recorded"}
        if rule.over == "record":
            line(1, "for record in recorded:")
            line(2, f"if {self._test(rule, 'record', builtins)}:")
            line(3, "bound = (record.id,)")
        else:
            assert rule.over is None, rule.qualified  # the checker allows only records to act on
            line(1, f"if {self._test(rule, None, builtins)}:")
            line(2, "bound = ()")
        depth = 3 if rule.over == "record" else 2
        record = "record" if rule.over == "record" else "None"
        scope = {"record": "record", rule.var or "record": "record"} if rule.over == "record" else {}
        rule_k = self.const(rule)
        if rule.kind == "repair":
            if not all(item.of_all or item.of_names for item in rule.items):  # requires measures of its own
                line(depth, "if env is None:")
                line(depth + 1, "env = ev.environment(subject, events, recorded)")
                if rule.over is not None:
                    line(depth, f"env[{self.const(rule.over)}] = env[{self.const(rule.var)}] = record")
            line(depth, f"ev.repair_binding({rule_k}, {record}, drafts, subject, (), env)")
            return
        written = self.policy.rules[rule.order].rule.then
        for item, source in zip(rule.items, written, strict=True):
            due = self.expr(source.due, scope, builtins) if source.due is not None else "None"
            until = self.expr(source.until, scope, builtins) if source.until is not None else "None"
            if item.target is None and not item.may:  # required of the subject itself: written out
                dates = ""
                if item.due is not None or item.until is not None:
                    line(depth, f"due, until = {due}, {until}")
                    dates = ", False, None, due, until"
                for measure in item.measures:
                    self._write_plain(depth, rule, measure, rule.positions[measure], record, dates)
                continue
            # persons to find, or a measure the rule only permits: placed by the evaluator
            hops = self.target(source.to, scope, builtins) if source.to is not None else "None"
            line(depth, f"found = {hops}")
            for measure in item.measures:
                line(depth, f"ev.place(drafts, {rule_k}, {self.const(item)}, {self.const(measure)}, bound, "
                            f"subject, (), {record}, found, {due}, {until})")

    def _write_plain(self, depth: int, rule: CompiledRule, measure: str, position: int, record: str,
                     dates: str = "") -> None:
        """The subject itself is required a measure, applied (with its deadline and end, if any)."""
        line, measure_k = self._line, self.const(measure)
        line(depth, f"key = ({measure_k}, subject_id, bound)")
        line(depth, "found = drafts.get(key)")
        line(depth, "if found is None:")
        line(depth + 1, f"drafts[key] = Draft({self.const(rule)}, {measure_k}, 'applied', bound, shown, (), "
                        f"{position}, {record}{dates})")
        line(depth, "elif found.also is None:")
        line(depth + 1, f"found.also = [{self.const(rule.qualified)}]")
        line(depth, "else:")
        line(depth + 1, f"found.also.append({self.const(rule.qualified)})")

    def target(self, node: ast.Node, scope: dict[str, str], builtins: dict[str, str]) -> str:
        """Python source giving the hops to the persons a responsibility falls on."""
        sub = lambda n: self.expr(n, scope, builtins)  # noqa: E731
        match node:
            case ast.PrincipalOf(body=body, on=on):
                return f"ev.graph.principals_on(id_of({sub(body)}), {sub(on)})"
            case ast.LeadersOf(body=body, on=on):
                return f"ev.graph.leaders_on(id_of({sub(body)}), {sub(on)})"
            case ast.StageOwnerOf(project=project, stage=stage, on=on):
                return f"ev.graph.stage_owners_on(id_of({sub(project)}), {sub(stage)}, {sub(on)})"
            case ast.PersonsOf(record=record):
                return f"ev.graph.persons_of_event({sub(record)})"
            case ast.TargetElse(options=options):
                # the first target that finds anyone
                return "(" + " or ".join(self.target(o, scope, builtins) for o in options) + " or [])"
        raise TypeError(f"cannot specialise target {type(node).__name__}")

    def _test(self, rule: CompiledRule, bound: str | None, builtins: dict[str, str]) -> str:
        """A rule's condition for one binding: the kinds test first, then the condition unless the
        kinds test is all of it."""
        parts = []
        if rule.kinds is not None:
            parts.append(f"{'kind' if bound == 'event' else f'{bound}.kind'} in {self.const(rule.kinds)}")
        when = self.policy.rules[rule.order].rule.when
        if when is not None and not rule.kinds_exact:
            scope = {rule.over: bound, rule.var: bound} if bound is not None else {}
            parts.append(f"({self.expr(when, scope, builtins, test=True)})")  # type: ignore[arg-type]
        return " and ".join(parts) or "True"

    # ---- expressions ------------------------------------------------------------------------
    def const(self, value: Any) -> str:
        """A name bound to a value of the policy (the value never becomes source)."""
        key = id(value)
        name = self.constants.get(key)
        if name is None:
            name = self.constants[key] = f"k{len(self.constants)}"
            self.namespace[name] = value
            self.namespace.setdefault("_keep", []).append(value)  # ids stay unique while kept
        return name

    def local(self) -> str:
        self.fresh += 1
        return f"v{self.fresh}"

    def expr(self, node: ast.Node, scope: dict[str, str], builtins: dict[str, str], test: bool = False) -> str:
        """Python source computing ``node``; ``scope`` maps bound variables to their locals."""
        sub = lambda n: self.expr(n, scope, builtins)  # noqa: E731
        match node:
            case ast.Number(value=v) | ast.String(value=v) | ast.DateLit(value=v) | ast.Bool(value=v):
                return self.const(v)
            case ast.Null():
                return "None"
            case ast.Quantity():
                return self.const(literal(node, self.plan.catalogue))
            case ast.Name(name=name):
                return self.name(name, scope, builtins)
            case ast.Field_(target=target, name=name):
                attribute = attribute_of(name)
                value = sub(target)
                model = self.models.get(value)
                if model is not None and attribute in model.model_fields:
                    # a field of one of the engine's models: read directly (its name is the model's,
                    # never text of the policy), a dated one through its as-of view
                    views = EVENT_FIELDS if model is Event else SUBJECT_FIELDS if model is Subject else {}
                    if attribute in views:
                        return f"{self.const(views[attribute])}({value}.{attribute}, as_of)"
                    source = f"{value}.{attribute}"
                    annotation = model.model_fields[attribute].annotation
                    if annotation is dt.date:
                        self.dates.add(source)  # a required date: compared without null checks
                    elif annotation in (str, str | None):
                        self.texts.add(source)  # text or null: hashable, so `in` a set of codes is plain
                    return source
                if attribute in DATED_FIELDS:
                    return f"field_at({value}, {self.const(name)}, as_of)"
                return f"get_field({value}, {self.const(name)})"
            case ast.SetLit(items=items):
                constant = [self.constant(i, scope) for i in items]
                if all(found for found, _ in constant):
                    return self.const(frozenset(value for _, value in constant))
                return f"frozenset(({''.join(sub(i) + ', ' for i in items)}))"
            case ast.Not(operand=operand):
                return f"(not {self.expr(operand, scope, builtins, test=True)})"
            case ast.Neg(operand=operand):
                return f"neg({sub(operand)})"
            case ast.BoolOp(op=op, operands=operands):
                joined = f" {op} ".join(self.expr(o, scope, builtins, test=True) for o in operands)
                return f"({joined})" if test else f"(True if {joined} else False)"
            case ast.Otherwise(operands=operands):
                values = [sub(o) for o in operands]
                if all(v in self.texts or v in self.dates for v in values[:-1]):
                    # text, null or a date: present unless null, so no call is needed
                    out = values[-1]
                    for value in reversed(values[:-1]):
                        local = self.local()
                        out = f"({local} if ({local} := {value}) is not None else {out})"
                    return out
                return f"otherwise({', '.join(values)})"
            case ast.Compare(op=op, left=left, right=right):
                if op in ("==", "!="):
                    return f"({sub(left)} {op} {sub(right)})"
                a, b = sub(left), sub(right)
                if a in self.dates and b in self.dates:
                    return f"({a} {op} {b})"
                return f"ordered({self.const(op)}, {a}, {b}, ranks)"
            case ast.In(negated=negated, item=item, collection=collection):
                within, value = sub(collection), sub(item)
                if value in self.texts and isinstance(self.namespace.get(within), frozenset) and all(
                        isinstance(v, str) for v in self.namespace[within]):
                    found = f"({value} in {within})"  # text in a set of codes: what contains() does then
                else:
                    found = f"contains({within}, {value})"
                return f"(not {found})" if negated else found
            case ast.Arith(op=op, left=left, right=right):
                a, b = sub(left), sub(right)
                if op in ("+", "-") and a in self.dates and isinstance(self.namespace.get(b), Duration):
                    return f"{b}.add_to({a}{', -1' if op == '-' else ''})"  # a required date moved by a period
                return f"arith({self.const(op)}, {a}, {b})"
            case ast.Aggregate() | ast.Total():
                return self.aggregate(node, scope, builtins)
        raise TypeError(f"cannot specialise {type(node).__name__}")

    def constant(self, node: ast.Node, scope: dict[str, str]) -> tuple[bool, Any]:
        """Whether a set item is known when the plan is written (a literal or a code), and its value."""
        match node:
            case ast.Number(value=v) | ast.String(value=v) | ast.DateLit(value=v) | ast.Bool(value=v):
                return True, v
            case ast.Quantity():
                return True, literal(node, self.plan.catalogue)
            case ast.Name(name=name):
                found = meaning(name, frozenset(scope), self.policy)
                return (True, found.target) if found is not None and found.kind == "code" else (False, None)
        return False, None

    def aggregate(self, node: ast.Aggregate | ast.Total, scope: dict[str, str], builtins: dict[str, str]) -> str:
        element = self.local()
        inner = {**scope, node.var.name: element}
        collection_node = node.collection
        if isinstance(collection_node, ast.Field_):
            owner = self.models.get(self.expr(collection_node.target, scope, builtins))
            field = owner.model_fields.get(attribute_of(collection_node.name)) if owner else None
            items = get_args(field.annotation) if field is not None and get_origin(field.annotation) in (list, tuple) \
                else ()
            if items and isinstance(items[0], type) and issubclass(items[0], BaseModel):
                self.models[element] = items[0]  # e.g. a record's remedies are Remedy models
        # the collection is read once into a local; an empty one (most often) skips the loop
        collection = self.local()
        read = f"({collection} := {self.expr(node.collection, scope, builtins)})"
        where = self.expr(node.where, inner, builtins, test=True) if node.where is not None else "True"
        if isinstance(node, ast.Total):
            amount = self.local()
            value = self.expr(node.value, inner, builtins)
            return (f"(sum({amount} for {element} in {collection} if {where} "
                    f"for {amount} in ({value},) if {amount} is not None) if {read} else 0)")
        if node.op == "count":
            return f"(sum(1 for {element} in {collection} if {where}) if {read} else 0)"
        empty = "True" if node.op == "all" else "False"
        return f"({node.op}({where} for {element} in {collection}) if {read} else {empty})"

    def name(self, name: str, scope: dict[str, str], builtins: dict[str, str]) -> str:
        found = meaning(name, frozenset(scope), self.policy)
        assert found is not None, name
        if found.kind == "variable":
            return scope[name]
        if found.kind == "builtin":
            assert name in BUILTINS
            return builtins.get(name, name)
        if found.kind == "parameter":
            return self.const(self.parameters["$" + name])
        if found.kind == "definition":
            # a definition reads the generic `event` / `record` of the rule that uses it
            definition = self.policy.definitions[name][0].expr
            generic = {n: scope.get(n, "None") for n in ("event", "record")}
            return f"({self.expr(definition, generic, builtins)})"
        return self.const(found.target)
