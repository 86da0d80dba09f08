"""Name and type: the merged, checked layers of a policy to its IR (ir.py), once, when it is loaded.

Every name is resolved here, in the one order of scope.py, and nowhere after: the engine and the
tools read the IR. The checker must have passed (names resolve, measures fit their rule's kind).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from zwcx_rules.facts.asof import DATED_FIELDS
from zwcx_rules.facts.fields import attribute_of
from zwcx_rules.language import ast
from zwcx_rules.semantics import ir
from zwcx_rules.semantics.check import _type_env, selector_types
from zwcx_rules.semantics.resolve import ResolvedPolicy, ResolvedRule
from zwcx_rules.semantics.scope import meaning, rule_bindings
from zwcx_rules.semantics.types import infer

_GENERIC = frozenset({"event", "record"})
"""What a definition may read: the `event` or `record` of the rule that uses it."""



def lower(policy: ResolvedPolicy) -> ir.Program:
    """The IR of a resolved, checked policy."""
    lowering = _Lowering(policy)
    definitions = {name: lowering.definition(name) for name in policy.definitions}
    lowering.definitions = definitions
    rules = [lowering.rule(entry, order) for order, entry in enumerate(policy.rules)]
    listing = sorted({_listing(r) for r in rules})
    rules = [replace(r, rank=listing.index(_listing(r))) for r in rules]
    precedences = []
    for precedence, layer, clause in policy.precedences:
        winner = policy.catalogue.measure(precedence.winner.name)
        loser = policy.catalogue.measure(precedence.loser.name)
        assert winner is not None and loser is not None
        precedences.append(ir.Precedence(
            winner=winner.code, loser=loser.code, clause=lowering.clause(layer, clause, precedence.quote),
            label=f"{layer}/precedence {winner.code} over {loser.code}"))
    order = {layer.id: index for index, layer in enumerate(policy.layers)}
    parameters = {
        name: tuple(ir.ParameterValue(value=literal(v.value, policy), since=v.since, layer=v.layer,
                                      span=v.declaration.name.span)
                    for v in sorted(values, key=lambda v: order[v.layer]))
        for name, values in policy.parameters.items()}
    return ir.Program(
        id=policy.id, rules={kind: tuple(r for r in rules if r.kind == kind) for kind in ir.KIND_ORDER},
        precedences=tuple(precedences), definitions=definitions, parameters=parameters,
        ranks=_ranks(policy))


def _listing(rule: ir.Rule) -> tuple[Any, ...]:
    """Where a rule's outcomes are listed: by kind, then layer (root first), clause and name."""
    return ir.KIND_ORDER.index(rule.kind), rule.layer_index, rule.clause_key, rule.name


def clause_key(clause_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in clause_id.split(".") if part.isdigit())


def literal(node: ast.Value, policy: ResolvedPolicy) -> Any:
    """The runtime value of a literal: a duration, a number (yuan as number), a date, a code."""
    if isinstance(node, ast.Quantity):
        return node.value if node.unit == "yuan" else ir.Duration(node.value, node.unit)
    if isinstance(node, ast.Name):
        return policy.catalogue.code_of(node.name) or node.name
    return node.value


def _ranks(policy: ResolvedPolicy) -> dict[str, int]:
    """Rank of every ordered code (impact, severity, grade); a code ranked differently twice is dropped."""
    out: dict[str, int] = {}
    clashes: set[str] = set()
    for codes in policy.catalogue.ordered.values():
        for index, code in enumerate(codes):
            if out.setdefault(code, index) != index:
                clashes.add(code)
    return {code: rank for code, rank in out.items() if code not in clashes}


class _Lowering:
    def __init__(self, policy: ResolvedPolicy) -> None:
        self.policy = policy
        self.catalogue = policy.catalogue
        self.texts = {layer.source.name: layer.source.text for layer in policy.layers}
        self.layers = [layer.id for layer in policy.layers]
        self.owner = ""
        """The rule (layer/name) or definition (`define name`) being lowered: where an `or` is written."""
        self.roles: dict[str, str] = {}
        """What each bound variable ranges over."""
        self.definitions: dict[str, ir.Expr] = {}

    def text(self, node: ast.Node) -> str:
        return " ".join(self.texts[node.span.file][node.span.start:node.span.end].split())

    def clause(self, layer: str, clause: ast.Clause, quote: int | None) -> ir.Clause:
        text = clause.quotes[quote].text if quote is not None else "……".join(q.text for q in clause.quotes)
        return ir.Clause(policy=layer, id=clause.id.name, cite=clause.cite, text=text)

    def definition(self, name: str) -> ir.Expr:
        self.owner, self.roles = f"define {name}", {"event": "event", "record": "record"}
        return self.expr(self.policy.definitions[name][0].expr, _GENERIC)

    # ---- rules -----------------------------------------------------------------------------
    def rule(self, entry: ResolvedRule, order: int) -> ir.Rule:
        rule = entry.rule
        over = rule.iteration.over if rule.iteration else None
        var = rule.iteration.var.name if rule.iteration else None
        bound = rule_bindings(over, var)
        self.owner = entry.qualified
        self.roles = {name: over for name in bound} if over else {}
        items = tuple(self.item(item, bound) for item in rule.then)
        when = self.expr(rule.when, bound) if rule.when is not None else None
        parts = when.operands if isinstance(when, ir.And) else (when,) if when is not None else ()
        kinds, exact = _kinds(parts, self.definitions) if over is not None else (None, False)
        positions: dict[str, int] = {}
        for index, measure in enumerate(m for item in items for m in item.measures):
            positions.setdefault(measure, index)
        return ir.Rule(
            name=rule.name.name, qualified=entry.qualified, kind=rule.kind, layer=entry.layer,
            layer_index=self.layers.index(entry.layer), order=order,
            clause=self.clause(entry.layer, entry.clause, rule.quote), clause_key=clause_key(entry.clause.id.name),
            selector=self.selector(rule), over=over, var=var, when=when, conjuncts=parts, items=items,
            positions=positions, emits=tuple((item, m, positions[m]) for item in items for m in item.measures),
            kinds=kinds, kinds_exact=exact, replaces=entry.replaces)

    def selector(self, rule: ast.Rule) -> ir.Selector:
        types: set[str] = set()
        body_kinds: set[str] = set()
        person_kinds: set[str] = set()
        for ident in rule.selectors:
            name = ident.name
            if code := self.catalogue.normalise("subject_type", name):
                types.add(code)
            elif code := self.catalogue.normalise("body_kind", name):
                body_kinds.add(code)
            elif code := self.catalogue.normalise("person_kind", name):
                person_kinds.add(code)
            else:
                assert selector_types(name, self.catalogue) is not None
        return ir.Selector(frozenset(types), frozenset(body_kinds), frozenset(person_kinds),
                           ", ".join(i.name for i in rule.selectors))

    def item(self, item: ast.MeasureItem, bound: frozenset[str]) -> ir.Item:
        codes = []
        for ident in item.measures:
            spec = self.catalogue.measure(ident.name)
            assert spec is not None
            codes.append(spec.code)
        of_names: set[str] = set()
        if item.of is not None:
            for ident in item.of.names:
                spec = self.catalogue.measure(ident.name)
                of_names.add(spec.code if spec is not None else ident.name)
        return ir.Item(
            measures=tuple(codes), may=item.may,
            due=self.expr(item.due, bound) if item.due is not None else None,
            until=self.expr(item.until, bound) if item.until is not None else None,
            target=self.target(item.to, bound) if item.to is not None else None,
            of_all=item.of is not None and item.of.all, of_names=frozenset(of_names))

    # ---- expressions -----------------------------------------------------------------------
    def expr(self, node: ast.Node, bound: frozenset[str]) -> ir.Expr:
        span, text = node.span, self.text(node)
        kind = infer(node, _type_env(bound, self.policy)).kind
        def sub(n: ast.Node) -> ir.Expr:
            return self.expr(n, bound)

        match node:
            case ast.Number(value=v) | ast.String(value=v) | ast.DateLit(value=v) | ast.Bool(value=v):
                return ir.Const(span, text, kind, v)
            case ast.Null():
                return ir.Const(span, text, kind, None)
            case ast.Quantity():
                return ir.Const(span, text, kind, literal(node, self.policy))
            case ast.Name(name=name):
                return self.name(node, name, bound, text, kind)
            case ast.Field_(target=target, name=name):
                attribute = attribute_of(name)
                return ir.Field(span, text, kind, sub(target), name, attribute, attribute in DATED_FIELDS)
            case ast.SetLit(items=items):
                lowered = tuple(sub(i) for i in items)
                constant = (frozenset(i.value for i in lowered if isinstance(i, ir.Const))
                            if all(isinstance(i, ir.Const) for i in lowered) else None)
                return ir.SetOf(span, text, kind, lowered, constant)
            case ast.Not(operand=operand):
                return ir.Not(span, text, kind, sub(operand))
            case ast.Neg(operand=operand):
                return ir.Neg(span, text, kind, sub(operand))
            case ast.BoolOp(op="and", operands=operands):
                return ir.And(span, text, kind, tuple(sub(o) for o in operands))
            case ast.BoolOp(operands=operands):
                return ir.Or(span, text, kind, tuple(sub(o) for o in operands), (self.owner, f"{span.line}:{span.column}"))
            case ast.Otherwise(operands=operands):
                return ir.Otherwise(span, text, kind, tuple(sub(o) for o in operands))
            case ast.Compare(op=op, left=left, right=right):
                return ir.Compare(span, text, kind, op, sub(left), sub(right))
            case ast.In(negated=negated, item=item, collection=collection):
                return ir.In(span, text, kind, sub(item), sub(collection), negated)
            case ast.Arith(op=op, left=left, right=right):
                return ir.Arith(span, text, kind, op, sub(left), sub(right))
            case ast.Aggregate() | ast.Total():
                return self.aggregate(node, bound, text, kind)
        raise TypeError(f"cannot lower {type(node).__name__}")

    def name(self, node: ast.Node, name: str, bound: frozenset[str], text: str, kind: str) -> ir.Expr:
        found = meaning(name, bound, self.policy)
        assert found is not None, name
        span = node.span
        if found.kind == "variable":
            return ir.Var(span, text, kind, name, self.roles.get(name, "element"))  # type: ignore[arg-type]
        if found.kind == "builtin":
            return ir.Builtin(span, text, kind, name)  # type: ignore[arg-type]
        if found.kind == "parameter":
            return ir.Param(span, text, kind, name)
        if found.kind == "definition":
            return ir.DefRef(span, text, kind, name)
        return ir.Const(span, text, kind, found.target, code=True)

    def aggregate(self, node: ast.Aggregate | ast.Total, bound: frozenset[str], text: str, kind: str) -> ir.Aggregate:
        name = node.var.name
        inner = bound | {name}
        saved = self.roles.get(name)
        collection = self.expr(node.collection, bound)
        self.roles[name] = "element"
        var = ir.Var(node.var.span, name, "any", name, "element")
        where = self.expr(node.where, inner) if node.where is not None else None
        value = self.expr(node.value, inner) if isinstance(node, ast.Total) else None
        if saved is None:
            self.roles.pop(name, None)
        else:
            self.roles[name] = saved
        op = "sum" if isinstance(node, ast.Total) else node.op
        return ir.Aggregate(node.span, text, kind, op, var, collection, where, value)

    def target(self, node: ast.Node, bound: frozenset[str]) -> ir.Target:
        span, text = node.span, self.text(node)
        def sub(n: ast.Node) -> ir.Expr:
            return self.expr(n, bound)

        match node:
            case ast.PrincipalOf(body=body, on=on):
                return ir.PrincipalOf(span, text, sub(body), sub(on))
            case ast.LeadersOf(body=body, on=on):
                return ir.LeadersOf(span, text, sub(body), sub(on))
            case ast.StageOwnerOf(project=project, stage=stage, on=on):
                return ir.StageOwnerOf(span, text, sub(project), sub(stage), sub(on))
            case ast.PersonsOf(record=record):
                return ir.PersonsOf(span, text, sub(record))
            case ast.TargetElse(options=options):
                return ir.TargetElse(span, text, tuple(self.target(o, bound) for o in options),
                                     (self.owner, f"{span.line}:{span.column}"))
        raise TypeError(f"cannot lower target {type(node).__name__}")


def _kinds(parts: tuple[ir.Expr, ...], definitions: dict[str, ir.Expr]) -> tuple[frozenset[str] | None, bool]:
    """The kinds a condition's top-level `x.kind in {…}` / `x.kind == code` conjuncts allow, and
    whether those tests are the whole condition."""
    if not parts:
        return None, False
    allowed: frozenset[str] | None = None
    exact = True
    for part in parts:
        found = _kind_test(part, definitions)
        if found is None:
            exact = False
        else:
            allowed = found if allowed is None else allowed & found
    return allowed, exact


def _kind_test(node: ir.Expr, definitions: dict[str, ir.Expr]) -> frozenset[str] | None:
    if isinstance(node, ir.In) and not node.negated:
        item, values = node.item, node.collection
    elif isinstance(node, ir.Compare) and node.op == "==" and isinstance(node.right, ir.Const):
        item, values = node.left, node.right
    else:
        return None
    if not (isinstance(item, ir.Field) and item.name == "kind" and isinstance(item.target, ir.Var)
            and item.target.role in ("event", "record")):
        return None
    if isinstance(values, ir.DefRef):
        values = definitions[values.name]
    if isinstance(values, ir.Const):
        return frozenset({values.value})
    if isinstance(values, ir.SetOf) and values.constant is not None:
        return values.constant
    return None
