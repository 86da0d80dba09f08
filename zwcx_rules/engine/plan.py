"""The compiled plan: what evaluation runs, built once per policy by compile.py.

Rules by kind in a fixed order, each with its condition as a closure, the parameters in force on a
day, and the rules specialised per subject class (:class:`ClassPlan`): which rules can admit an
event of a kind, and which can fire given the kinds of a subject's records, so evaluating a
subject loops over the rules that can act on it, not over the whole policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.engine.decisions import ClauseRef
from zwcx_rules.engine.values import Duration, show
from zwcx_rules.language import ast
from zwcx_rules.semantics.catalogue import Catalogue
from zwcx_rules.semantics.resolve import ResolvedPolicy

Fn = Callable[[dict[str, Any]], Any]
Explainer = Callable[[dict[str, Any]], list[str]]
KIND_ORDER = ("record", "tolerance", "incentive", "punishment", "repair", "responsibility")


@dataclass(frozen=True)
class Selector:
    """Which subjects a rule is for, split by what a selector names."""

    types: frozenset[str]
    body_kinds: frozenset[str]
    person_kinds: frozenset[str]
    text: str

    def matches(self, subject: Any) -> bool:
        return (subject.type in self.types or subject.body_kind in self.body_kinds
                or subject.person_kind in self.person_kinds)


@dataclass(frozen=True)
class CompiledItem:
    measures: tuple[str, ...]
    may: bool
    due: Fn | None = None
    until: Fn | None = None
    target: Fn | None = None
    target_text: str = ""
    of_all: bool = False
    of_names: frozenset[str] = frozenset()

    @property
    def plain(self) -> bool:
        """Required of the subject itself, with no date to compute: the common case, made cheap."""
        return self.target is None and not self.may and self.due is None and self.until is None


@dataclass(frozen=True)
class Conjunct:
    """One `and`-part of a rule's condition: its text, its test, and the facts it reads (for traces)."""

    text: str
    test: Fn
    leaves: tuple[tuple[str, Fn], ...]

    def values(self, env: dict[str, Any]) -> str:
        quiet = {**env, "@probe": None}  # reading facts again for a trace takes no branch (coverage probes)
        return "; ".join(f"{leaf} = {show(fn(quiet))}" for leaf, fn in self.leaves if leaf != self.text)


@dataclass(frozen=True)
class CompiledRule:
    name: str
    qualified: str
    kind: str
    layer: str
    order: int
    clause: ClauseRef
    clause_key: tuple[int, ...]
    selector: Selector
    over: str | None
    var: str | None
    condition: Fn | None
    explain: Explainer
    conjuncts: tuple[Conjunct, ...]
    items: tuple[CompiledItem, ...]
    positions: dict[str, int]
    """Where each measure stands in the rule's `then`, to keep that order in the output."""
    layer_index: int = 0
    """The layer's place in the chain (root first): outcomes sort in chain order, not by name."""
    replaces: str | None = None
    """The rule of an extended layer this one overrides (layer/name), shown in the trace."""
    kinds: frozenset[str] | None = None
    """The event kinds the condition can hold for, when it says so (`e.kind in {…}`): a cheap
    test before the condition runs. None: any kind."""
    emits: tuple[tuple[CompiledItem, str, int], ...] = ()
    """Each measure the rule requires, with its item and its place in the rule's `then`."""
    rank: int = 0
    """The rule's place in the order outcomes are listed in: by kind, layer, clause and name."""
    kinds_exact: bool = False
    """The kinds test is the whole condition: a rule with a matching kind holds without running it
    (except under coverage probes, which record the condition's branches)."""


@dataclass(frozen=True)
class CompiledPrecedence:
    winner: str
    loser: str
    clause: ClauseRef
    label: str


@dataclass
class Plan:
    """What evaluation runs: rules by kind in a fixed order, precedences, and parameter values by date."""

    policy: ResolvedPolicy
    rules: dict[str, tuple[CompiledRule, ...]]
    precedences: tuple[CompiledPrecedence, ...]
    catalogue: Catalogue
    _by_class: dict[tuple[str, str | None, str | None], ClassPlan] = field(default_factory=dict)
    specialised: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """The functions specialise.py wrote for this plan, by date and class (built on first use)."""
    winners: frozenset[str] = field(init=False)
    """The measures a precedence lets win: without one among the outcomes, none is overridden."""

    def __post_init__(self) -> None:
        self.winners = frozenset(p.winner for p in self.precedences)

    def for_subject(self, subject: Any) -> ClassPlan:
        """The rules whose `for` matches a subject, specialised (cached by type and kinds)."""
        key = (subject.type, subject.body_kind, subject.person_kind)
        found = self._by_class.get(key)
        if found is None:
            found = ClassPlan(key, {kind: tuple(r for r in rules if r.selector.matches(subject))
                               for kind, rules in self.rules.items()})
            self._by_class[key] = found
        return found

    def parameters_on(self, day: dt.date) -> dict[str, Any]:
        """Every parameter's runtime value in force on a day, keyed as closures read them (`$name`)."""
        out: dict[str, Any] = {}
        missing = []
        for name, values in self.policy.parameters.items():
            value = self.policy.parameter(name, day)
            if value is None:
                missing.append(Diagnostic(
                    code="Z612", span=values[0].declaration.name.span,
                    message=f"parameter `{name}` has no value on {day}: every value starts later",
                    help="give it a value with no `since`, or one `since` a date on or before the decision date"))
            else:
                out["$" + name] = literal(value.value, self.catalogue)
        if missing:
            raise ZwcxError(missing)
        return out


ACTING = ("incentive", "punishment", "repair", "responsibility")
"""The kinds of rule that act on a subject's records, in the order they act."""


@dataclass
class ClassPlan:
    """The rules for one class of subject (type, body kind, person kind), specialised by event kind.

    Most rules test the kind of the event or record they bind first; these tables list, for a
    kind, only the rules that can hold for it, in rule order, so the order of evaluation (and so
    every outcome) is that of the full lists.
    """

    key: tuple[str, str | None, str | None]
    rules: dict[str, tuple[CompiledRule, ...]]
    _admitting: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)
    _tolerating: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)
    _acting: dict[frozenset[str], tuple[CompiledRule, ...]] = field(default_factory=dict)

    idle: bool = False
    """No rule of the class acts without a record: a subject with no event has no outcome."""

    def __post_init__(self) -> None:
        self.idle = all(r.over == "record" for kind in ACTING for r in self.rules[kind])

    def admitting(self, kind: str) -> tuple[CompiledRule, ...]:
        """The record rules that can admit an event of this kind."""
        found = self._admitting.get(kind)
        if found is None:
            found = self._admitting[kind] = _for_kind(self.rules["record"], kind)
        return found

    def tolerating(self, kind: str) -> tuple[CompiledRule, ...]:
        """The tolerance rules that can exclude an event of this kind."""
        found = self._tolerating.get(kind)
        if found is None:
            found = self._tolerating[kind] = _for_kind(self.rules["tolerance"], kind)
        return found

    def acting(self, kinds: frozenset[str]) -> tuple[CompiledRule, ...]:
        """Incentive, punishment, repair and responsibility rules, in that order, that can act on a
        subject whose records are of these kinds (a rule over no record always can)."""
        found = self._acting.get(kinds)
        if found is None:
            found = tuple(r for kind in ACTING for r in self.rules[kind]
                          if r.over != "record" or r.kinds is None or not r.kinds.isdisjoint(kinds))
            if len(self._acting) < 4096:  # kinds seen together are few; bound the table regardless
                self._acting[kinds] = found
        return found


def _for_kind(rules: tuple[CompiledRule, ...], kind: str) -> tuple[CompiledRule, ...]:
    return tuple(r for r in rules if r.kinds is None or kind in r.kinds)


def literal(node: ast.Value, catalogue: Catalogue) -> Any:
    """The runtime value of a literal: a duration, a number (yuan as number), a date, a code."""
    if isinstance(node, ast.Quantity):
        return node.value if node.unit == "yuan" else Duration(node.value, node.unit)
    if isinstance(node, ast.Name):
        return catalogue.code_of(node.name) or node.name
    return node.value


