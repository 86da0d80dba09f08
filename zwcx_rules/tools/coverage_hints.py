"""Coverage hints: a condition or a responsibility target of the AST put into words, to say what input would take it."""

from __future__ import annotations

import operator
from collections.abc import Callable

from zwcx_rules.language import ast
from zwcx_rules.semantics.lower import literal
from zwcx_rules.semantics.resolve import ResolvedPolicy, ResolvedRule
from zwcx_rules.semantics.scope import meaning

Nouns = dict[str, str]
"""What each bound variable stands for, in words (`r` → `record`, `m` → `remedy`)."""

_OP_WORDS = {"==": "is", "!=": "is not", "<": "is below", "<=": "is at most", ">": "is above", ">=": "is at least"}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_SINGULAR = {"remedies": "remedy", "records": "record", "events": "event", "honors": "honor",
             "commitments": "commitment", "ratings": "rating", "assessments": "assessment",
             "persons": "person", "positions": "position", "principals": "principal", "stages": "stage"}


_BUILTINS = {"subject": "the subject", "as_of": "the decision date", "records": "the subject's records",
             "events": "the subject's events"}


def _article(noun: str) -> str:
    return "an " if noun[:1] in "aeiou" else "a "


def singular(collection: ast.Node) -> str:
    """The noun for one element of a collection (`r.remedies` → `remedy`)."""
    name = collection.name if isinstance(collection, ast.Field_ | ast.Name) else ""
    return _SINGULAR.get(name, f"element of {name}" if name else "element")


def rule_nouns(rule: ast.Rule) -> Nouns:
    """The names a rule's iteration binds, in words."""
    if rule.iteration is None:
        return {}
    return {rule.iteration.over: rule.iteration.over, rule.iteration.var.name: rule.iteration.over}


class Words:
    """Puts the expressions of one resolved policy into words."""

    def __init__(self, policy: ResolvedPolicy) -> None:
        self.policy = policy
        self.texts = {layer.source.name: layer.source.text for layer in policy.layers}
        self.catalogue = policy.catalogue

    def text(self, node: ast.Node) -> str:
        """The node as written, whitespace collapsed."""
        return " ".join(self.texts[node.span.file][node.span.start:node.span.end].split())

    # ---- rules -----------------------------------------------------------------------------
    def subject(self, entry: ResolvedRule) -> str:
        """`a department or civil_servant subject`, with what the rule iterates over."""
        rule = entry.rule
        who = f"a {' or '.join(s.name for s in rule.selectors)} subject"
        if rule.iteration is None:
            return who
        return f"{who} with {'a record' if rule.iteration.over == 'record' else 'an event'}"

    def fire_hint(self, entry: ResolvedRule, clause: str) -> str:
        """What makes a rule fire."""
        rule, verb = entry.rule, "apply" if entry.rule.kind in ("tolerance", "repair") else "fire"
        where = f" where {self.holds(rule.when, rule_nouns(rule))}" if rule.when is not None else ""
        return f"no test makes {rule.kind} {rule.name.name} ({clause}) {verb}: add a case with {self.subject(entry)}{where}"

    def rest_hint(self, entry: ResolvedRule, clause: str) -> str:
        """What keeps a rule from firing."""
        rule = entry.rule
        verb = "applying" if rule.kind in ("tolerance", "repair") else "firing"
        head = f"no test shows {rule.kind} {rule.name.name} ({clause}) not {verb}: add"
        who = f"a {' or '.join(s.name for s in rule.selectors)} subject"
        if rule.when is None:
            return f"{head} {who} with no records"
        unless = f"where {self.holds(rule.when, rule_nouns(rule), positive=False)}"
        if rule.iteration is not None and rule.iteration.over == "record":
            return f"{head} {who} with no records, or with a record {unless}"
        return f"{head} {self.subject(entry)} {unless}"

    # ---- branches --------------------------------------------------------------------------
    def or_hint(self, node: ast.BoolOp, index: int, owner: str, nouns: Nouns) -> str:
        """What makes alternative `index` of an `or` the one that holds."""
        alternative = node.operands[index]
        where = self.holds(alternative, nouns)
        before = [self.holds(o, nouns, positive=False) for o in node.operands[:index]]
        while_ = f", while {' and '.join(before)}" if before else ""
        return (f"no test makes `{self.text(alternative)}` hold for {owner} (alternative {index + 1} of "
                f"{len(node.operands)} of `{self.text(node)}`): add a case where {where}{while_}")

    def else_hint(self, node: ast.TargetElse, index: int, owner: str, nouns: Nouns) -> str:
        """What makes option `index` of `A else B` the target that finds the persons."""
        option = node.options[index]
        before = "".join(f"`{self.text(o)}` finds no one and " for o in node.options[:index])
        return (f"no test finds the persons through `{self.text(option)}` for {owner} (option {index + 1} of "
                f"{len(node.options)}): add a case where {before}{self.target(option, nouns)}")

    def target(self, node: ast.Node, nouns: Nouns) -> str:
        """A responsibility target finding someone, in words."""
        match node:
            case ast.PersonsOf(record=record):
                return f"{self.value(record, nouns)} names persons (`persons`)"
            case ast.PrincipalOf(body=body, on=on):
                return f"{self.value(body, nouns)} has a principal (`principals`) on {self.value(on, nouns)}"
            case ast.LeadersOf(body=body, on=on):
                return f"{self.value(body, nouns)} has a principal or a leader (`positions`) on {self.value(on, nouns)}"
            case ast.StageOwnerOf(project=project, stage=stage, on=on):
                return (f"{self.value(project, nouns)} has someone responsible (`stages`) for "
                        f"{self.value(stage, nouns)} on {self.value(on, nouns)}")
        return f"`{self.text(node)}` finds someone"

    # ---- expressions -----------------------------------------------------------------------
    def holds(self, node: ast.Node, nouns: Nouns, positive: bool = True) -> str:
        """A condition holding (or, with ``positive=False``, failing), in words."""
        match node:
            case ast.BoolOp(op=op, operands=operands):
                joiner = " and " if (op == "and") == positive else " or "
                return joiner.join(self._grouped(o, nouns, positive) for o in operands)
            case ast.Not(operand=operand):
                return self.holds(operand, nouns, not positive)
            case ast.Compare():
                return self.compare(node, nouns, positive)
            case ast.In(negated=negated, item=item, collection=collection):
                return self.membership(item, collection, nouns, positive != negated)
            case ast.Aggregate():
                return self.aggregate(node, nouns, positive)
            case ast.Name(name=name) if self._definition(name, nouns) is not None:
                definition = self._definition(name, nouns)
                assert definition is not None
                inner = {**nouns, "record": nouns.get("record", "record"), "event": nouns.get("event", "event")}
                state = "holds" if positive else "does not hold"
                return f"`{name}` {state} ({self.holds(definition.expr, inner, positive)})"
            case ast.Field_() | ast.Name():
                return f"{self.value(node, nouns)} is {'true' if positive else 'not true'}"
        return f"`{self.text(node)}` {'holds' if positive else 'does not hold'}"

    def _grouped(self, node: ast.Node, nouns: Nouns, positive: bool) -> str:
        """An operand of `and`/`or` in words, in parentheses when it is itself an `and`/`or`."""
        words = self.holds(node, nouns, positive)
        return f"({words})" if isinstance(node, ast.BoolOp) else words

    def compare(self, node: ast.Compare, nouns: Nouns, positive: bool) -> str:
        op = node.op if positive else _NEGATED[node.op]
        left = self.value(node.left, nouns)
        ranked = self._ranked(node.right)
        if ranked is not None and op in _COMPARE:
            code, vocabulary, shown = ranked
            ordered = self.catalogue.ordered[vocabulary]
            fits = [c for c in ordered if _COMPARE[op](ordered.index(c), ordered.index(code))]
            if not fits:
                return f"{left} {_OP_WORDS[op]} {code}{shown}, which nothing is"
            return f"{left} is {' or '.join(fits)}{shown}"
        if isinstance(node.left, ast.Aggregate) and node.left.op == "count" and isinstance(node.right, ast.Number):
            count = node.right.value
            if (op, count) in ((">", 0), (">=", 1), ("!=", 0)):
                return self.aggregate(node.left, nouns, True)
            if (op, count) in (("==", 0), ("<", 1), ("<=", 0)):
                return self.aggregate(node.left, nouns, False)
        return f"{left} {_OP_WORDS[op]} {self.value(node.right, nouns)}"

    def membership(self, item: ast.Node, collection: ast.Node, nouns: Nouns, positive: bool) -> str:
        items = self._set_items(collection, nouns)
        if items is None:
            return f"{self.value(item, nouns)} is {'' if positive else 'not '}in {self.value(collection, nouns)}"
        return f"{self.value(item, nouns)} is {'one' if positive else 'none'} of {', '.join(items)}"

    def aggregate(self, node: ast.Aggregate, nouns: Nouns, positive: bool) -> str:
        noun = singular(node.collection)
        inner = {**nouns, node.var.name: noun}
        where = f" where {self.holds(node.where, inner)}" if node.where is not None else ""
        collection = self.value(node.collection, nouns)
        if node.op == "all":
            if node.where is None:
                return f"{collection} is {'' if positive else 'not '}all true"
            quantifier = "every" if positive else "some"
            return f"{quantifier} {noun} in {collection} {'meets' if positive else 'fails'}: {self.holds(node.where, inner)}"
        return f"{collection} include{'' if positive else ' no'} {_article(noun) if positive else ''}{noun}{where}"

    def value(self, node: ast.Node, nouns: Nouns) -> str:
        """An operand as a noun phrase: `the record's impact`, `限制期限 (= 2 years)`."""
        match node:
            case ast.Name(name=name) if name in nouns:
                return f"the {nouns[name]}"
            case ast.Name(name=name) if name in _BUILTINS:
                return _BUILTINS[name]
            case ast.Number() | ast.Quantity() | ast.DateLit() | ast.String() | ast.Bool() | ast.Null():
                return self.text(node)
            case ast.Name(name=name) if self.catalogue.code_of(name) is not None:
                return name
            case ast.Arith(op=op, left=left, right=right):
                return f"{self.value(left, nouns)} {op} {self.value(right, nouns)}"
            case ast.Name(name=name) if name in self.policy.parameters:
                parameter = self.policy.parameter(name, None)
                return f"{name} (= {self.text(parameter.value)})" if parameter is not None else name
            case ast.Field_():
                return self._path(node, nouns)
            case ast.Otherwise(operands=operands):
                first, *rest = operands
                return f"{self.value(first, nouns)} (or, when missing, {' or '.join(self.value(o, nouns) for o in rest)})"
            case ast.Aggregate(op="count", collection=collection, var=var, where=where):
                inner = {**nouns, var.name: singular(collection)}
                condition = f" where {self.holds(where, inner)}" if where is not None else ""
                return f"the number of {singular(collection)}s in {self.value(collection, nouns)}{condition}"
        return f"`{self.text(node)}`"

    def _path(self, node: ast.Field_, nouns: Nouns) -> str:
        names: list[str] = []
        current: ast.Node = node
        while isinstance(current, ast.Field_):
            names.insert(0, current.name)
            current = current.target
        if isinstance(current, ast.Name) and (current.name in nouns or current.name == "subject"):
            return f"{self.value(current, nouns)}'s {'.'.join(names)}"
        return f"`{self.text(node)}`"

    def _definition(self, name: str, nouns: Nouns) -> ast.Definition | None:
        found = meaning(name, frozenset(nouns), self.policy)
        return self.policy.definitions[name][0] if found is not None and found.kind == "definition" else None

    def _set_items(self, node: ast.Node, nouns: Nouns) -> list[str] | None:
        if isinstance(node, ast.SetLit):
            return [self.text(i) for i in node.items]
        if isinstance(node, ast.Name) and (definition := self._definition(node.name, nouns)) is not None:
            return self._set_items(definition.expr, {})
        return None

    def _ranked(self, node: ast.Node) -> tuple[str, str, str] | None:
        """The code an ordered comparison is against, its vocabulary, and how a parameter gave it."""
        shown = ""
        value: object = None
        if isinstance(node, ast.Name) and (parameter := self.policy.parameter(node.name, None)) is not None:
            value = literal(parameter.value, self.policy)
            shown = f" ({node.name} = {value})"
        elif isinstance(node, ast.Name):
            value = self.catalogue.code_of(node.name)
        for vocabulary, codes in self.catalogue.ordered.items():
            if isinstance(value, str) and value in codes:
                return value, vocabulary, shown
        return None
