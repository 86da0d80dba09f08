"""The policy AST: frozen pydantic models, one class per grammar construct, each with its source span."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from zwcx_rules.catalogue import RuleKind
from zwcx_rules.diagnostics.source import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True)

    span: Span


class Ident(Node):
    """A name as written, with its own span (a code, a selector, a measure, a rule)."""

    name: str


# ---- expressions ---------------------------------------------------------------------------

Unit = Literal["days", "months", "years", "yuan"]


class Number(Node):
    node: Literal["number"] = "number"
    value: int | float


class Quantity(Node):
    node: Literal["quantity"] = "quantity"
    value: int | float
    unit: Unit


class DateLit(Node):
    node: Literal["date"] = "date"
    value: dt.date


class String(Node):
    node: Literal["string"] = "string"
    value: str


class Bool(Node):
    node: Literal["bool"] = "bool"
    value: bool


class Null(Node):
    node: Literal["null"] = "null"


class Name(Node):
    node: Literal["name"] = "name"
    name: str


class Field_(Node):
    node: Literal["field"] = "field"
    target: Expr
    name: str


class SetLit(Node):
    node: Literal["set"] = "set"
    items: tuple[Expr, ...]


class Not(Node):
    node: Literal["not"] = "not"
    operand: Expr


class Neg(Node):
    node: Literal["neg"] = "neg"
    operand: Expr


class BoolOp(Node):
    node: Literal["boolop"] = "boolop"
    op: Literal["and", "or"]
    operands: tuple[Expr, ...]


class Otherwise(Node):
    """`a otherwise b`: the first operand that is neither null nor empty."""

    node: Literal["otherwise"] = "otherwise"
    operands: tuple[Expr, ...]


class Compare(Node):
    node: Literal["compare"] = "compare"
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    left: Expr
    right: Expr


class In(Node):
    node: Literal["in"] = "in"
    negated: bool
    item: Expr
    collection: Expr


class Arith(Node):
    node: Literal["arith"] = "arith"
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


class Aggregate(Node):
    """`count/any/all(x in C where P)`."""

    node: Literal["aggregate"] = "aggregate"
    op: Literal["count", "any", "all"]
    var: Ident
    collection: Expr
    where: Expr | None


class Total(Node):
    """`sum(E for x in C where P)`."""

    node: Literal["total"] = "total"
    value: Expr
    var: Ident
    collection: Expr
    where: Expr | None


Expr = Annotated[
    Number | Quantity | DateLit | String | Bool | Null | Name | Field_ | SetLit | Not | Neg | BoolOp
    | Otherwise | Compare | In | Arith | Aggregate | Total,
    Field(discriminator="node"),
]

# ---- responsibility targets ----------------------------------------------------------------


class PrincipalOf(Node):
    node: Literal["principal_of"] = "principal_of"
    body: Expr
    on: Expr


class LeadersOf(Node):
    node: Literal["leaders_of"] = "leaders_of"
    body: Expr
    on: Expr


class StageOwnerOf(Node):
    node: Literal["stage_owner_of"] = "stage_owner_of"
    project: Expr
    stage: Expr
    on: Expr


class PersonsOf(Node):
    node: Literal["persons_of"] = "persons_of"
    record: Expr


class TargetElse(Node):
    """`A else B`: the persons found by the first target that finds any."""

    node: Literal["target_else"] = "target_else"
    options: tuple[TargetAtom, ...]


TargetAtom = Annotated[
    PrincipalOf | LeadersOf | StageOwnerOf | PersonsOf, Field(discriminator="node")
]
Target = Annotated[
    PrincipalOf | LeadersOf | StageOwnerOf | PersonsOf | TargetElse,
    Field(discriminator="node"),
]

# ---- rules and clauses ---------------------------------------------------------------------


class Of(Node):
    """The punishments a repair acts on: all of the record's, or those named (measures or rules)."""

    all: bool
    names: tuple[Ident, ...] = ()


class MeasureItem(Node):
    may: bool
    measures: tuple[Ident, ...]
    due: Expr | None = None
    until: Expr | None = None
    to: Target | None = None
    of: Of | None = None


class Iteration(Node):
    over: Literal["event", "record"]
    var: Ident


class Rule(Node):
    kind: RuleKind
    name: Ident
    override: bool
    selectors: tuple[Ident, ...]
    iteration: Iteration | None
    when: Expr | None
    then: tuple[MeasureItem, ...]
    quote: int | None
    """Index of the clause quote written before this rule (the text it encodes)."""


class Quote(Node):
    text: str


class NotEncoded(Node):
    reason: str


class Precedence(Node):
    winner: Ident
    loser: Ident
    quote: int | None = None
    """Index of the clause quote written before it: the text that settles the conflict."""


class Disable(Node):
    rule: Ident
    reason: str


class Clause(Node):
    id: Ident
    cite: str
    quotes: tuple[Quote, ...]
    not_encoded: tuple[NotEncoded, ...]
    rules: tuple[Rule, ...]
    precedences: tuple[Precedence, ...]
    disables: tuple[Disable, ...]


Value = Annotated[
    Number | Quantity | DateLit | String | Bool | Name, Field(discriminator="node")
]


class Parameter(Node):
    name: Ident
    value: Value
    since: dt.date | None
    doc: str | None
    is_set: bool
    """True for `set`: re-sets a parameter of a policy this one extends."""


class Definition(Node):
    name: Ident
    expr: Expr
    doc: str | None


class CodeDecl(Node):
    vocabulary: Ident
    code: Ident
    names: tuple[str, ...]


class MeasureDecl(Node):
    code: Ident
    kind: RuleKind
    names: tuple[str, ...]
    for_: tuple[Ident, ...]


class Header(Node):
    id: Ident
    title: str
    library: bool = False
    extends: Ident | None = None
    uses: tuple[Ident, ...] = ()
    issuer: str | None = None
    region: str | None = None
    level: Ident | None = None
    implements: tuple[str, ...] = ()
    source: str | None = None
    source_span: Span | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    repeals: tuple[str, ...] = ()


class Policy(Node):
    """One parsed policy file."""

    header: Header
    parameters: tuple[Parameter, ...]
    definitions: tuple[Definition, ...]
    clauses: tuple[Clause, ...]
    codes: tuple[CodeDecl, ...]
    measures: tuple[MeasureDecl, ...]
    path: str | None = None

    def sets_after(self, clause: Clause) -> tuple[Parameter, ...]:
        """The `set`s written directly after a clause (only other `set`s between): the text they encode is
        that clause's, as a rule encodes the quote before it. Coverage and Z405 count them."""
        items = sorted((*self.parameters, *self.definitions, *self.clauses, *self.codes, *self.measures),
                       key=lambda item: item.span.start)
        found: list[Parameter] = []
        at = next(index for index, item in enumerate(items) if item is clause)
        for item in items[at + 1:]:
            if not (isinstance(item, Parameter) and item.is_set):
                break
            found.append(item)
        return tuple(found)


for _model in list(globals().values()):
    if isinstance(_model, type) and issubclass(_model, BaseModel) and _model is not BaseModel:
        _model.model_rebuild()
