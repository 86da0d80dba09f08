"""Expressions and responsibility targets of the IR as Python source, for one generated module.

Two choices are made when the source is written, never at run time: whether the leaves of a
condition (the fields, parameters, variables and aggregates it reads) are recorded as they are read,
for a trace that quotes exactly what was read; and whether each alternative of an `or` and each
option of a target `A else B` that is taken is reported to a tracer, for coverage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from zwcx_rules.engine.emit import Emitter
from zwcx_rules.facts import models as case_models
from zwcx_rules.facts.asof import EVENT_FIELDS, SUBJECT_FIELDS
from zwcx_rules.semantics import ir


@dataclass(frozen=True)
class Scope:
    """What the source being written can refer to."""

    locals: dict[str, str]
    """A variable of the policy → the generated local holding it."""
    builtins: dict[str, str] = field(default_factory=dict)
    """`records`, `events` → the source that reads them here."""
    reads: str | None = None
    """The local list that leaves read are appended to, when a condition is traced."""
    tracer: str | None = None
    """The local holding the tracer that alternatives taken are reported to (coverage)."""

    def quiet(self) -> Scope:
        """The same scope, reading without recording (inside a leaf)."""
        return replace(self, reads=None) if self.reads is not None else self


class ExprWriter:
    """Writes expressions for one emitter; knows which locals hold which case-file model."""

    def __init__(self, emitter: Emitter, program: ir.Program, parameters: dict[str, Any]) -> None:
        self.e = emitter
        self.program = program
        self.parameters = parameters
        self.models: dict[str, type[BaseModel]] = {"event": case_models.Event, "record": case_models.Event,
                                                   "subject": case_models.Subject}
        self.dates: set[str] = {"as_of"}
        """Sources known to be a required date: compared without null checks."""
        self.texts: set[str] = set()
        """Sources known to be text or null: `in` a set of codes is plain membership."""

    # ---- expressions ----------------------------------------------------------------------------
    def expr(self, node: ir.Expr, scope: Scope, test: bool = False) -> str:
        """Python source computing ``node``; ``test``: only its truth is needed."""
        if scope.reads is not None and _is_leaf(node):
            return self._recorded(node, scope)
        def sub(n: ir.Expr) -> str:
            return self.expr(n, scope)

        const = self.e.const
        match node:
            case ir.Const(value=value):
                return "None" if value is None else const(value)
            case ir.Var(name=name):
                return scope.locals[name]
            case ir.Builtin(name=name):
                return scope.builtins.get(name, name)
            case ir.Param(name=name):
                return const(self.parameters[name])
            case ir.DefRef(name=name):
                generic = {n: scope.locals.get(n, "None") for n in ("event", "record")}
                return f"({self.expr(self.program.definitions[name], replace(scope, locals=generic))})"
            case ir.Field():
                return self._field(node, scope)
            case ir.SetOf(items=items, constant=constant):
                if constant is not None:
                    return const(constant)
                return f"frozenset(({''.join(sub(i) + ', ' for i in items)}))"
            case ir.Not(operand=operand):
                return f"(not {self.expr(operand, scope, test=True)})"
            case ir.Neg(operand=operand):
                return f"neg({sub(operand)})"
            case ir.And(operands=operands):
                joined = " and ".join(self.expr(o, scope, test=True) for o in operands)
                return f"({joined})" if test else f"(True if {joined} else False)"
            case ir.Or(operands=operands, site=site):
                if scope.tracer is not None:  # each alternative that holds is reported
                    options = " else ".join(
                        f"True if {self.expr(o, scope, test=True)} and {scope.tracer}.branch('or', {const(site)}, {i})"
                        for i, o in enumerate(operands))
                    return f"({options} else False)"
                joined = " or ".join(self.expr(o, scope, test=True) for o in operands)
                return f"({joined})" if test else f"(True if {joined} else False)"
            case ir.Otherwise(operands=operands):
                values = [sub(o) for o in operands]
                if all(v in self.texts or v in self.dates for v in values[:-1]):
                    out = values[-1]  # text, null or a date: present unless null, so no call is needed
                    for value in reversed(values[:-1]):
                        local = self.e.local()
                        out = f"({local} if ({local} := {value}) is not None else {out})"
                    return out
                return f"otherwise({', '.join(values)})"
            case ir.Compare(op=op, left=left, right=right):
                a, b = sub(left), sub(right)
                if op in ("==", "!="):
                    return f"({a} {op} {b})"
                if a in self.dates and b in self.dates:
                    return f"({a} {op} {b})"
                return f"ordered({const(op)}, {a}, {b}, ranks)"
            case ir.In(item=item, collection=collection, negated=negated):
                within, value = sub(collection), sub(item)
                members = self.e.namespace.get(within)
                if value in self.texts and isinstance(members, frozenset) and all(isinstance(v, str) for v in members):
                    found = f"({value} in {within})"  # text in a set of codes: what contains() does then
                else:
                    found = f"contains({within}, {value})"
                return f"(not {found})" if negated else found
            case ir.Arith(op=op, left=left, right=right):
                a, b = sub(left), sub(right)
                if op in ("+", "-") and a in self.dates and isinstance(self.e.namespace.get(b), ir.Duration):
                    return f"{b}.add_to({a}{', -1' if op == '-' else ''})"  # a required date moved by a period
                return f"arith({const(op)}, {a}, {b})"
            case ir.Aggregate():
                return self._aggregate(node, scope)
        raise TypeError(f"cannot write {type(node).__name__}")

    def _recorded(self, node: ir.Expr, scope: Scope) -> str:
        """A leaf whose value is recorded as it is read: its text, and the object and field it is read from."""
        root, path = _root(node)
        source = self.expr(node, scope.quiet())
        owner = self.expr(root, scope.quiet()) if root is not None else "None"
        return f"rd({scope.reads}, {self.e.const((node.text, path))}, {source}, {owner})"

    def _field(self, node: ir.Field, scope: Scope) -> str:
        value = self.expr(node.target, scope)
        attribute = node.attribute
        model = self.models.get(value)
        if model is not None and attribute in model.model_fields:
            # a field of one of the engine's models: read directly (its name is the model's, never text
            # of the policy), a dated one through its as-of view
            views = EVENT_FIELDS if model is case_models.Event else SUBJECT_FIELDS if model is case_models.Subject else {}
            name = Emitter.attribute(attribute)
            if attribute in views:
                return f"{self.e.const(views[attribute])}({value}.{name}, as_of)"
            source = f"{value}.{name}"
            annotation = model.model_fields[attribute].annotation
            if annotation is dt.date:
                self.dates.add(source)
            elif annotation in (str, str | None):
                self.texts.add(source)
            return source
        if node.dated:
            return f"field_at({value}, {self.e.const(node.name)}, as_of)"
        return f"get_field({value}, {self.e.const(node.name)})"

    def _aggregate(self, node: ir.Aggregate, scope: Scope) -> str:
        element = self.e.local()
        model = _element_model(node, self.models.get(self.expr(node.collection.target, scope))
                               if isinstance(node.collection, ir.Field) else None)
        if model is not None:
            self.models[element] = model
        inner = replace(scope, locals={**scope.locals, node.var.name: element})
        collection = self.e.local()
        read = f"({collection} := {self.expr(node.collection, scope)})"  # read once; an empty one skips the loop
        where = self.expr(node.where, inner, test=True) if node.where is not None else "True"
        if node.op == "sum":
            assert node.value is not None
            amount = self.e.local()
            value = self.expr(node.value, inner)
            return (f"(sum({amount} for {element} in {collection} if {where} "
                    f"for {amount} in ({value},) if {amount} is not None) if {read} else 0)")
        if node.op == "count":
            return f"(sum(1 for {element} in {collection} if {where}) if {read} else 0)"
        empty = "True" if node.op == "all" else "False"
        return f"({node.op}({where} for {element} in {collection}) if {read} else {empty})"

    # ---- targets ---------------------------------------------------------------------------------
    def target(self, node: ir.Target, scope: Scope) -> str:
        """Python source giving the hops to the persons a responsibility falls on."""
        def sub(n: ir.Expr) -> str:
            return self.expr(n, scope)

        match node:
            case ir.PrincipalOf(body=body, on=on):
                return f"graph.principals_on(id_of({sub(body)}), {sub(on)})"
            case ir.LeadersOf(body=body, on=on):
                return f"graph.leaders_on(id_of({sub(body)}), {sub(on)})"
            case ir.StageOwnerOf(project=project, stage=stage, on=on):
                return f"graph.stage_owners_on(id_of({sub(project)}), {sub(stage)}, {sub(on)})"
            case ir.PersonsOf(record=record):
                return f"graph.persons_of_event({sub(record)})"
            case ir.TargetElse(options=options, site=site):
                if scope.tracer is not None:  # the option that found someone is reported
                    return "(" + " or ".join(
                        f"{scope.tracer}.first({self.e.const(site)}, {i}, {self.target(o, scope)})"
                        for i, o in enumerate(options)) + " or [])"
                return "(" + " or ".join(self.target(o, scope) for o in options) + " or [])"
        raise TypeError(f"cannot write target {type(node).__name__}")


def _is_leaf(node: ir.Expr) -> bool:
    """A fact a condition reads, quoted in its trace: a field, a variable, a built-in, a parameter, an aggregate."""
    return isinstance(node, ir.Field | ir.Var | ir.Builtin | ir.Param | ir.Aggregate)


def _root(node: ir.Expr) -> tuple[ir.Expr | None, str | None]:
    """The event or subject a field chain is read from, and the field's path from it."""
    path: list[str] = []
    while isinstance(node, ir.Field):
        path.append(node.name)
        node = node.target
    if path and ((isinstance(node, ir.Var) and node.role in ("event", "record"))
                 or (isinstance(node, ir.Builtin) and node.name == "subject")):
        return node, ".".join(reversed(path))
    return None, None


def _element_model(node: ir.Aggregate, owner: type[BaseModel] | None) -> type[BaseModel] | None:
    """The model of a collection's elements, when the collection is a typed field of a known model."""
    collection = node.collection
    if isinstance(collection, ir.Field) and owner is not None:
        found = owner.model_fields.get(collection.attribute)
        args = get_args(found.annotation) if found is not None and get_origin(found.annotation) in (list, tuple) else ()
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return args[0]
    return None
