"""The intermediate representation: the merged layers of a policy, every name resolved, every
expression typed, spans kept. Frozen; built once by ``lower.py``; read by the engine and the tools.

Nothing after this pass looks a name up in a string table or reads the AST: a name is a
:class:`Var` (a bound variable), a :class:`Builtin`, a :class:`Param` (its value bound per date), a
:class:`DefRef` (a named definition, its body lowered once) or a constant code (:class:`Const`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from zwcx_rules.diagnostics.source import Span


@dataclass(frozen=True)
class Duration:
    """A span of days, months or years; months and years land on the same day of the month, clamped."""

    amount: int | float
    unit: str

    def add_to(self, day: dt.date, sign: int = 1) -> dt.date:
        amount = int(self.amount) * sign
        if self.unit == "days":
            return day + dt.timedelta(days=amount)
        months = amount * (12 if self.unit == "years" else 1)
        index = day.year * 12 + day.month - 1 + months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return dt.date(year, month + 1, min(day.day, last))

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


KIND_ORDER = ("record", "tolerance", "incentive", "punishment", "repair", "responsibility")
ACTING = ("incentive", "punishment", "repair", "responsibility")
"""The kinds of rule that act on a subject's records, in the order they act."""


class Clause(BaseModel):
    """The clause a rule follows: its layer, normalised id, cite as printed and the text quoted.

    Decisions cite it as it is (``ClauseRef`` in the decision models).
    """

    model_config = ConfigDict(frozen=True)

    policy: str
    id: str
    cite: str
    text: str


@dataclass(frozen=True, slots=True)
class Expr:
    """An expression: where it is written, its text as written (whitespace folded) and its type."""

    span: Span
    text: str
    type: str
    """number, money, duration, date, text, bool, list, object or any (semantics/types.py)."""


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A literal or a catalogue code: a number, text, date, bool, a period, an amount in yuan."""

    value: Any
    code: bool = False
    """A catalogue code written by name (`行政处罚` → `administrative_penalty`)."""


@dataclass(frozen=True, slots=True)
class Var(Expr):
    """A variable bound by a rule's iteration (`on each record r`) or an aggregate (`count e in …`)."""

    name: str
    role: Literal["event", "record", "element"]
    """What it ranges over: a subject's events, its records, or the elements of a collection."""


@dataclass(frozen=True, slots=True)
class Builtin(Expr):
    name: Literal["subject", "as_of", "records", "events"]


@dataclass(frozen=True, slots=True)
class Param(Expr):
    """A parameter; its value is the one in force on the decision date."""

    name: str


@dataclass(frozen=True, slots=True)
class DefRef(Expr):
    """A use of a named definition, which reads the `event` or `record` of the rule that uses it."""

    name: str


@dataclass(frozen=True, slots=True)
class Field(Expr):
    target: Expr
    name: str
    """The field as written (`from`), read as ``attribute`` (`from_`)."""
    attribute: str
    dated: bool
    """A field with an as-of view (facts/asof.py): later entries are not seen."""


@dataclass(frozen=True, slots=True)
class SetOf(Expr):
    items: tuple[Expr, ...]
    constant: frozenset[Any] | None
    """The set's value, when every item is a constant."""


@dataclass(frozen=True, slots=True)
class Not(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class Neg(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class And(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Or(Expr):
    operands: tuple[Expr, ...]
    site: tuple[str, str]
    """(owner, `line:column`): the rule or `define name` it is written in, for coverage of alternatives."""


@dataclass(frozen=True, slots=True)
class Otherwise(Expr):
    operands: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class In(Expr):
    item: Expr
    collection: Expr
    negated: bool


@dataclass(frozen=True, slots=True)
class Arith(Expr):
    op: Literal["+", "-", "*", "/"]
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Aggregate(Expr):
    """`count|any|all|sum x in C where W [of V]`."""

    op: Literal["count", "any", "all", "sum"]
    var: Var
    collection: Expr
    where: Expr | None
    value: Expr | None


# ---- targets of responsibility -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Target:
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class PrincipalOf(Target):
    body: Expr
    on: Expr


@dataclass(frozen=True, slots=True)
class LeadersOf(Target):
    body: Expr
    on: Expr


@dataclass(frozen=True, slots=True)
class StageOwnerOf(Target):
    project: Expr
    stage: Expr
    on: Expr


@dataclass(frozen=True, slots=True)
class PersonsOf(Target):
    record: Expr


@dataclass(frozen=True, slots=True)
class TargetElse(Target):
    options: tuple[Target, ...]
    site: tuple[str, str]


# ---- rules -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Selector:
    """Which subjects a rule is for, split by what a selector names."""

    types: frozenset[str]
    body_kinds: frozenset[str]
    person_kinds: frozenset[str]
    text: str

    def matches(self, subject: Any) -> bool:
        return (subject.type in self.types or subject.body_kind in self.body_kinds
                or subject.person_kind in self.person_kinds)


@dataclass(frozen=True, slots=True)
class Item:
    """One `then` item: measures, required or permitted (`may`), with a deadline, an end, a target,
    or (for a repair) the punishments it softens."""

    measures: tuple[str, ...]
    may: bool
    due: Expr | None = None
    until: Expr | None = None
    target: Target | None = None
    of_all: bool = False
    of_names: frozenset[str] = frozenset()

    @property
    def target_text(self) -> str:
        return self.target.text if self.target is not None else ""

    @property
    def plain(self) -> bool:
        """Required of the subject itself, with no date to compute: the common case, made cheap."""
        return self.target is None and not self.may and self.due is None and self.until is None


@dataclass(frozen=True)
class Rule:
    name: str
    qualified: str
    kind: str
    layer: str
    layer_index: int
    """The layer's place in the chain (root first): outcomes sort in chain order, not by name."""
    order: int
    clause: Clause
    clause_key: tuple[int, ...]
    selector: Selector
    over: Literal["event", "record"] | None
    var: str | None
    when: Expr | None
    conjuncts: tuple[Expr, ...]
    """The condition split at its top-level `and`: each part is traced on its own."""
    items: tuple[Item, ...]
    positions: dict[str, int]
    """Where each measure stands in the rule's `then`, to keep that order in the output."""
    emits: tuple[tuple[Item, str, int], ...]
    """Each measure the rule requires, with its item and its place in the rule's `then`."""
    kinds: frozenset[str] | None
    """The event kinds the condition can hold for, when it says so (`e.kind in {…}`). None: any."""
    kinds_exact: bool
    """The kinds test is the whole condition: a rule with a matching kind holds."""
    replaces: str | None = None
    """The rule of an extended layer this one overrides (layer/name)."""
    rank: int = 0
    """The rule's place in the order outcomes are listed in: by kind, layer, clause and name."""


@dataclass(frozen=True, slots=True)
class Precedence:
    winner: str
    loser: str
    clause: Clause
    label: str


@dataclass(frozen=True, slots=True)
class ParameterValue:
    """A parameter's value from a day on (``since`` None: from the start), and where it was set."""

    value: Any
    since: dt.date | None
    layer: str
    span: Span


@dataclass(frozen=True)
class Program:
    """A policy chain as the engine runs it: rules by kind in a fixed order, definitions, parameters."""

    id: str
    rules: dict[str, tuple[Rule, ...]]
    precedences: tuple[Precedence, ...]
    definitions: dict[str, Expr]
    parameters: dict[str, tuple[ParameterValue, ...]]
    """Each parameter's values, latest layer's first when several apply on a day (see ``value_on``)."""
    ranks: dict[str, int]
    """The rank of every ordered code (impact, severity, grade), for `<` and `>` between codes."""
    winners: frozenset[str] = field(init=False)
    """The measures a precedence lets win: without one among the outcomes, none is overridden."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "winners", frozenset(p.winner for p in self.precedences))

    def all_rules(self) -> tuple[Rule, ...]:
        return tuple(r for kind in KIND_ORDER for r in self.rules[kind])

    def rule(self, qualified: str) -> Rule | None:
        return next((r for r in self.all_rules() if r.qualified == qualified), None)
