"""A small type inference for policy expressions, enough to catch `date + 90` and `date > 5` early.

Types are coarse (number, money, duration, date, text, bool, list, object, any). Unknown fields of
case files are allowed, so anything unknown is `any` and never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zwcx_rules.language import ast

EVENT_FIELDS = {
    "id": "text", "subject": "text", "kind": "text", "date": "date", "domain": "text",
    "loss_yuan": "money", "impact": "text", "severity": "text", "stage": "text",
    "persons": "list", "remedies": "list", "tolerance": "object", "rectification": "object",
    "objection": "object", "delisted_on": "date", "determinations": "list",
}
SUBJECT_FIELDS = {
    "id": "text", "type": "text", "name": "text", "body_kind": "text", "level": "text",
    "region": "text", "parent": "text", "principals": "list", "person_kind": "text",
    "positions": "list", "government_side": "text", "stages": "list", "honors": "list",
    "commitments": "list", "assessments": "list", "ratings": "list", "determinations": "list",
}
NESTED_FIELDS = {
    "date": "date", "from": "date", "to": "date", "decided_on": "date", "ordered_on": "date",
    "deadline": "date", "completed_on": "date", "filed_on": "date", "made_on": "date", "due": "date",
    "approved": "bool", "score": "number", "year": "number",
}


@dataclass(frozen=True)
class ExprType:
    kind: str
    of: str | None = None
    problem: tuple[str, str] | None = None


ANY = ExprType("any")
_NUMERIC = {"number", "money"}


def infer(node: ast.Node, lookup: Callable[[str], ExprType]) -> ExprType:
    """The type of an expression; a type with ``problem`` set marks the first mistake found."""
    match node:
        case ast.Number():
            return ExprType("number")
        case ast.Quantity(unit="yuan"):
            return ExprType("money")
        case ast.Quantity():
            return ExprType("duration")
        case ast.DateLit():
            return ExprType("date")
        case ast.String():
            return ExprType("text")
        case ast.Bool() | ast.Not() | ast.BoolOp() | ast.In():
            return ExprType("bool")
        case ast.Null():
            return ANY
        case ast.Name(name=name):
            return lookup(name)
        case ast.SetLit() | ast.PrincipalOf() | ast.LeadersOf() | ast.StageOwnerOf() | ast.PersonsOf():
            return ExprType("list")
        case ast.Field_(target=target, name=name):
            return _field(infer(target, lookup), name)
        case ast.Aggregate(op="count") | ast.Total():
            return ExprType("number")
        case ast.Aggregate():
            return ExprType("bool")
        case ast.Neg(operand=operand):
            return infer(operand, lookup)
        case ast.Otherwise(operands=operands):
            return infer(operands[-1], lookup)
        case ast.Arith(op=op, left=left, right=right):
            return _arith(op, infer(left, lookup), infer(right, lookup))
        case ast.Compare(left=left, right=right):
            return _compare(infer(left, lookup), infer(right, lookup))
    return ANY


def _field(target: ExprType, name: str) -> ExprType:
    table: dict[str, str] = {}
    if target.kind == "object" and target.of in ("event", "record"):
        table = EVENT_FIELDS
    elif target.kind == "object" and target.of == "subject":
        table = SUBJECT_FIELDS
    elif target.kind in ("date", "number", "money", "duration", "bool"):
        return ExprType("any", problem=(
            f"a {target.kind} has no field `{name}`", "field access works on subjects, events and records"))
    kind = table.get(name) or NESTED_FIELDS.get(name, "any")
    if kind == "list" and name in ("remedies", "determinations", "principals", "positions", "stages"):
        return ExprType("list", "object")
    return ExprType(kind)


def _arith(op: str, left: ExprType, right: ExprType) -> ExprType:
    kinds = (left.kind, right.kind)
    if "any" in kinds:
        return ANY
    if (op in "+-" and kinds in (("date", "duration"),)) or (op == "+" and kinds == ("duration", "date")):
        return ExprType("date")
    if op == "-" and kinds == ("date", "date"):
        return ExprType("duration")
    if kinds == ("duration", "duration") and op in "+-":
        return ExprType("duration")
    if set(kinds) <= _NUMERIC:
        return ExprType("money" if "money" in kinds else "number")
    if "date" in kinds and ("number" in kinds or "money" in kinds):
        return ExprType("any", problem=(
            "a date plus a bare number", "give the number a unit: `90 days`, `6 months` or `1 years`"))
    return ExprType("any", problem=(
        f"cannot apply `{op}` to a {left.kind} and a {right.kind}",
        "arithmetic works on numbers, and on dates with durations (`r.date + 90 days`)"))


def _compare(left: ExprType, right: ExprType) -> ExprType:
    kinds = {left.kind, right.kind}
    if "duration" in kinds:
        return ExprType("bool", problem=(
            "durations do not compare: a month or a year has no fixed number of days",
            "compare dates instead, e.g. `x.date + 1 years < as_of`"))
    if "any" in kinds or len(kinds) == 1 or kinds <= _NUMERIC:
        return ExprType("bool")
    return ExprType("bool", problem=(
        f"comparing a {left.kind} with a {right.kind}", "compare dates with dates, numbers with numbers"))
