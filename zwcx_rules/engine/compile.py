"""Phase 5, compile: the resolved policy to a plan of Python closures.

Every expression becomes a closure over an environment dict (``env``) once, when the policy is
loaded; evaluating a subject calls closures and never walks a syntax tree. Policy text never
becomes Python source: names and strings are data captured by the closures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from zwcx_rules.engine.decisions import ClauseRef
from zwcx_rules.engine.plan import (
    KIND_ORDER,
    CompiledItem,
    CompiledPrecedence,
    CompiledRule,
    Conjunct,
    Explainer,
    Fn,
    Plan,
    Selector,
    literal,
)
from zwcx_rules.engine.values import arith, attribute_of, contains, get_field, id_of, ordered, present, ranks
from zwcx_rules.facts.asof import DATED_FIELDS, field_at
from zwcx_rules.language import ast
from zwcx_rules.semantics.check import selector_types
from zwcx_rules.semantics.resolve import ResolvedPolicy, ResolvedRule
from zwcx_rules.semantics.scope import meaning, rule_bindings

_MISSING = object()


def _listing(rule: CompiledRule) -> tuple[Any, ...]:
    """Where a rule's outcomes are listed: by kind, then layer (root first), clause and name."""
    return KIND_ORDER.index(rule.kind), rule.layer_index, rule.clause_key, rule.name


def clause_key(clause_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in clause_id.split(".") if part.isdigit())


def compile_policy(policy: ResolvedPolicy) -> Plan:
    """Compile every rule once; the checker must have passed (names resolve, kinds fit)."""
    compiler = _Compiler(policy)
    compiled = [compiler.rule(entry, order) for order, entry in enumerate(policy.rules)]
    ranks = sorted({_listing(r) for r in compiled})
    compiled = [replace(r, rank=ranks.index(_listing(r))) for r in compiled]
    by_kind = {kind: tuple(r for r in compiled if r.kind == kind) for kind in KIND_ORDER}
    precedences = []
    for precedence, layer, clause in policy.precedences:
        winner = policy.catalogue.measure(precedence.winner.name)
        loser = policy.catalogue.measure(precedence.loser.name)
        assert winner is not None and loser is not None
        precedences.append(CompiledPrecedence(
            winner=winner.code, loser=loser.code, clause=compiler.clause_ref(layer, clause, precedence.quote),
            label=f"{layer}/precedence {winner.code} over {loser.code}"))
    return Plan(policy=policy, rules=by_kind, precedences=tuple(precedences), catalogue=policy.catalogue)


class _Compiler:
    def __init__(self, policy: ResolvedPolicy) -> None:
        self.policy = policy
        self.catalogue = policy.catalogue
        self.ranks = ranks(policy.catalogue)
        self.texts = {layer.source.name: layer.source.text for layer in policy.layers}
        self.definitions: dict[str, Fn] = {}
        self.owner = ""
        """The rule (layer/name) or definition (`define name`) being compiled, for coverage probes."""

    def text(self, node: ast.Node) -> str:
        return " ".join(self.texts[node.span.file][node.span.start:node.span.end].split())

    def clause_ref(self, layer: str, clause: ast.Clause, quote: int | None) -> ClauseRef:
        text = clause.quotes[quote].text if quote is not None else "……".join(q.text for q in clause.quotes)
        return ClauseRef(policy=layer, id=clause.id.name, cite=clause.cite, text=text)

    # ---- rules -----------------------------------------------------------------------------
    def rule(self, entry: ResolvedRule, order: int) -> CompiledRule:
        rule = entry.rule
        over = rule.iteration.over if rule.iteration else None
        var = rule.iteration.var.name if rule.iteration else None
        bound = rule_bindings(over, var)
        self.owner = entry.qualified
        items = tuple(self.item(item, bound) for item in rule.then)
        conjuncts = self.conjuncts(rule.when, bound)
        kinds, exact = self.kinds(rule.when, bound) if over is not None else (None, False)
        positions: dict[str, int] = {}
        for index, measure in enumerate(m for item in items for m in item.measures):
            positions.setdefault(measure, index)
        return CompiledRule(
            name=rule.name.name, qualified=entry.qualified, kind=rule.kind, layer=entry.layer,
            order=order, clause=self.clause_ref(entry.layer, entry.clause, rule.quote),
            clause_key=clause_key(entry.clause.id.name), selector=self.selector(rule),
            over=over, var=var,
            condition=self.expr(rule.when, bound) if rule.when is not None else None,
            explain=_explainer(conjuncts), conjuncts=conjuncts, items=items,
            positions=positions, emits=tuple((item, m, positions[m]) for item in items for m in item.measures),
            kinds=kinds, kinds_exact=exact,
            layer_index=[layer.id for layer in self.policy.layers].index(entry.layer), replaces=entry.replaces,
        )

    def kinds(self, when: ast.Node | None, bound: frozenset[str]) -> tuple[frozenset[str] | None, bool]:
        """The kinds a condition's top-level `x.kind in {…}` / `x.kind == code` conjuncts allow, and
        whether those tests are the whole condition (then it need not run for a matching kind)."""
        if when is None:
            return None, False
        parts = when.operands if isinstance(when, ast.BoolOp) and when.op == "and" else (when,)
        allowed: frozenset[str] | None = None
        exact = True
        for part in parts:
            found = self._kind_test(part, bound)
            if found is None:
                exact = False
            else:
                allowed = found if allowed is None else allowed & found
        return allowed, exact

    def _kind_test(self, node: ast.Node, bound: frozenset[str]) -> frozenset[str] | None:
        if isinstance(node, ast.In) and not node.negated:
            item, values = node.item, node.collection
        elif isinstance(node, ast.Compare) and node.op == "==":
            item, values = node.left, ast.SetLit(span=node.right.span, items=(node.right,))
        else:
            return None
        if not (isinstance(item, ast.Field_) and item.name == "kind" and isinstance(item.target, ast.Name)
                and item.target.name in bound):
            return None
        if isinstance(values, ast.Name) and values.name in self.policy.definitions:
            values = self.policy.definitions[values.name][0].expr
        if not (isinstance(values, ast.SetLit) and all(self._is_constant(v, bound) for v in values.items)):
            return None
        return frozenset(self.expr(v, bound)({}) for v in values.items)

    def selector(self, rule: ast.Rule) -> Selector:
        types: set[str] = set()
        body_kinds: set[str] = set()
        person_kinds: set[str] = set()
        for ident in rule.selectors:
            name = ident.name
            if self.catalogue.normalise("subject_type", name):
                types.add(self.catalogue.normalise("subject_type", name) or name)
            elif self.catalogue.normalise("body_kind", name):
                body_kinds.add(self.catalogue.normalise("body_kind", name) or name)
            elif self.catalogue.normalise("person_kind", name):
                person_kinds.add(self.catalogue.normalise("person_kind", name) or name)
            else:
                assert selector_types(name, self.catalogue) is not None
        return Selector(frozenset(types), frozenset(body_kinds), frozenset(person_kinds),
                        ", ".join(i.name for i in rule.selectors))

    def item(self, item: ast.MeasureItem, bound: frozenset[str]) -> CompiledItem:
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
        return CompiledItem(
            measures=tuple(codes), may=item.may,
            due=self.expr(item.due, bound) if item.due is not None else None,
            until=self.expr(item.until, bound) if item.until is not None else None,
            target=self.target(item.to, bound) if item.to is not None else None,
            target_text=self.text(item.to) if item.to is not None else "",
            of_all=item.of is not None and item.of.all, of_names=frozenset(of_names),
        )

    def conjuncts(self, when: ast.Node | None, bound: frozenset[str]) -> tuple[Conjunct, ...]:
        """A rule's condition split at its top-level `and`, each part with the facts it reads."""
        if when is None:
            return ()
        parts = when.operands if isinstance(when, ast.BoolOp) and when.op == "and" else (when,)
        return tuple(Conjunct(self.text(c), self.expr(c, bound),
                              tuple((self.text(leaf), self.expr(leaf, bound)) for leaf in self.leaves(c, bound)))
                     for c in parts)

    def leaves(self, node: ast.Node, bound: frozenset[str]) -> list[ast.Node]:
        """The facts a condition reads: fields, variables, parameters, and whole aggregates."""
        if isinstance(node, ast.Field_ | ast.Aggregate | ast.Total):
            return [node]
        if isinstance(node, ast.Name):
            found = meaning(node.name, bound, self.policy)
            if found is not None and found.kind == "definition":
                definition = self.policy.definitions[node.name][0].expr
                return self.leaves(definition, frozenset({"event", "record"}))
            return [node] if found is not None and found.kind != "code" else []
        out: list[ast.Node] = []
        for value in node.__dict__.values():
            children = value if isinstance(value, tuple) else (value,)
            for child in children:
                if isinstance(child, ast.Node) and not isinstance(child, ast.Ident):
                    out += [leaf for leaf in self.leaves(child, bound)
                            if self.text(leaf) not in {self.text(o) for o in out}]
        return out

    # ---- expressions -----------------------------------------------------------------------
    def expr(self, node: ast.Node, bound: frozenset[str]) -> Fn:
        match node:
            case ast.Number(value=v) | ast.String(value=v) | ast.DateLit(value=v) | ast.Bool(value=v):
                value: Any = v
                return lambda env: value
            case ast.Null():
                return lambda env: None
            case ast.Quantity():
                quantity = literal(node, self.catalogue)
                return lambda env: quantity
            case ast.Name(name=name):
                return self.name(name, bound)
            case ast.Field_(target=target, name=name):
                return _field(self.expr(target, bound), name)
            case ast.SetLit(items=items):
                item_fns = [self.expr(i, bound) for i in items]
                if all(self._is_constant(i, bound) for i in items):
                    constant = frozenset(fn({}) for fn in item_fns)
                    return lambda env: constant
                return lambda env: frozenset(fn(env) for fn in item_fns)
            case ast.Not(operand=operand):
                fn = self.expr(operand, bound)
                return lambda env: not fn(env)
            case ast.Neg(operand=operand):
                fn = self.expr(operand, bound)
                return lambda env: None if (v := fn(env)) is None else -v
            case ast.BoolOp(op="and", operands=operands):
                conjuncts = tuple(self.expr(o, bound) for o in operands)
                return lambda env: all(fn(env) for fn in conjuncts)
            case ast.BoolOp(operands=operands):
                disjuncts = tuple(self.expr(o, bound) for o in operands)
                site = ("or", self.owner, f"{node.span.line}:{node.span.column}")

                def disjunction(env: dict[str, Any]) -> bool:
                    for index, fn in enumerate(disjuncts):
                        if fn(env):
                            if (probe := env.get("@probe")) is not None:
                                probe.add((*site, index))  # coverage: which alternative held
                            return True
                    return False
                return disjunction
            case ast.Otherwise(operands=operands):
                options = tuple(self.expr(o, bound) for o in operands)
                return lambda env: next((v for fn in options if present(v := fn(env))), None)
            case ast.Compare(op=op, left=left, right=right):
                return self.compare(op, self.expr(left, bound), self.expr(right, bound))
            case ast.In(negated=negated, item=item, collection=collection):
                item_fn, coll_fn = self.expr(item, bound), self.expr(collection, bound)
                if negated:
                    return lambda env: not contains(coll_fn(env), item_fn(env))
                return lambda env: contains(coll_fn(env), item_fn(env))
            case ast.Arith(op=op, left=left, right=right):
                return _arith(op, self.expr(left, bound), self.expr(right, bound))
            case ast.Aggregate() | ast.Total():
                return self.aggregate(node, bound)
        raise TypeError(f"cannot compile {type(node).__name__}")

    def _is_constant(self, node: ast.Node, bound: frozenset[str]) -> bool:
        """A literal, or a name that is a catalogue code: known when the policy is compiled."""
        if isinstance(node, ast.Number | ast.String | ast.DateLit | ast.Bool | ast.Quantity):
            return True
        found = meaning(node.name, bound, self.policy) if isinstance(node, ast.Name) else None
        return found is not None and found.kind == "code"

    def name(self, name: str, bound: frozenset[str]) -> Fn:
        found = meaning(name, bound, self.policy)
        assert found is not None, name
        if found.kind in ("variable", "builtin"):
            return lambda env: env.get(name)
        if found.kind == "parameter":
            key = "$" + name
            return lambda env: env[key]
        if found.kind == "definition":
            if name not in self.definitions:
                self.definitions[name] = lambda env: None  # INVARIANT: definitions cannot recurse
                definition = self.policy.definitions[name][0]
                owner, self.owner = self.owner, f"define {name}"
                self.definitions[name] = self.expr(definition.expr, frozenset({"event", "record"}))
                self.owner = owner
            return self.definitions[name]
        code = found.target
        return lambda env: code

    def compare(self, op: str, left: Fn, right: Fn) -> Fn:
        if op == "==":
            return lambda env: left(env) == right(env)
        if op == "!=":
            return lambda env: left(env) != right(env)
        code_ranks = self.ranks
        return lambda env: ordered(op, left(env), right(env), code_ranks)

    def aggregate(self, node: ast.Aggregate | ast.Total, bound: frozenset[str]) -> Fn:
        var = node.var.name
        inner = bound | {var}
        collection = self.expr(node.collection, bound)
        where = self.expr(node.where, inner) if node.where is not None else (lambda env: True)
        value = self.expr(node.value, inner) if isinstance(node, ast.Total) else None
        op = "sum" if isinstance(node, ast.Total) else node.op

        def run(env: dict[str, Any]) -> Any:
            saved = env.get(var, _MISSING)
            try:
                result: Any = op == "all"
                total: Any = 0
                for element in collection(env) or ():
                    env[var] = element
                    holds = where(env)
                    if op == "any" and holds:
                        return True
                    if op == "all" and not holds:
                        return False
                    if holds and op == "count":
                        total += 1
                    elif holds and value is not None and (amount := value(env)) is not None:
                        total += amount
                return result if op in ("any", "all") else total
            finally:
                if saved is _MISSING:
                    env.pop(var, None)
                else:
                    env[var] = saved
        return run

    def target(self, node: ast.Node, bound: frozenset[str]) -> Fn:
        """A closure giving the hops to the persons a responsibility falls on."""
        match node:
            case ast.PrincipalOf(body=body, on=on):
                body_fn, day_fn = self.expr(body, bound), self.expr(on, bound)
                return lambda env: env["@graph"].principals_on(id_of(body_fn(env)), day_fn(env))
            case ast.LeadersOf(body=body, on=on):
                body_fn, day_fn = self.expr(body, bound), self.expr(on, bound)
                return lambda env: env["@graph"].leaders_on(id_of(body_fn(env)), day_fn(env))
            case ast.StageOwnerOf(project=project, stage=stage, on=on):
                project_fn, stage_fn, day_fn = (self.expr(n, bound) for n in (project, stage, on))
                return lambda env: env["@graph"].stage_owners_on(
                    id_of(project_fn(env)), stage_fn(env), day_fn(env))
            case ast.PersonsOf(record=record):
                record_fn = self.expr(record, bound)
                return lambda env: env["@graph"].persons_of_event(record_fn(env))
            case ast.TargetElse(options=options):
                fns = tuple(self.target(o, bound) for o in options)
                site = ("else", self.owner, f"{node.span.line}:{node.span.column}")

                def first_found(env: dict[str, Any]) -> Any:
                    for index, fn in enumerate(fns):
                        if hops := fn(env):
                            if (probe := env.get("@probe")) is not None:
                                probe.add((*site, index))  # coverage: which target found the persons
                            return hops
                    return []
                return first_found
        raise TypeError(f"cannot compile target {type(node).__name__}")


def _explainer(conjuncts: tuple[Conjunct, ...]) -> Explainer:
    """For a fired rule: each conjunct as written, with the values it read."""
    def explain(env: dict[str, Any]) -> list[str]:
        return [f"`{c.text}` holds" + (f": {shown}" if (shown := c.values(env)) else "") for c in conjuncts]
    return explain


def _field(target: Fn, name: str) -> Fn:
    attribute = attribute_of(name)
    if attribute in DATED_FIELDS:
        return lambda env: field_at(target(env), name, env["as_of"])  # the lazy as-of view (facts/asof.py)
    return lambda env: get_field(target(env), name)


def _arith(op: str, left: Fn, right: Fn) -> Fn:
    return lambda env: arith(op, left(env), right(env))
