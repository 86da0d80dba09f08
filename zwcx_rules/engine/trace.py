"""Tracers: listeners to the one evaluation (OPA's tracers, OpenFisca's full tracer).

An audit evaluation (``SubjectEvaluator(..., tracer=…)``) evaluates every rule of a subject's class on
every binding and tells its tracer, in typed events, whether the rule held, with the conditions it
evaluated and the values they read, and which alternative of an `or` or option of a target
`A else B` was taken. Coverage, explain and why-not are tracers; none of them evaluates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from zwcx_rules.engine.reasons import Condition
from zwcx_rules.identifiers import mask_if_id_number
from zwcx_rules.semantics import ir


@dataclass(frozen=True, slots=True)
class RuleEvaluated:
    """A rule evaluated for a subject and a binding (an event or record, or none)."""

    rule: ir.Rule
    subject: str
    """The subject's id (masked if it is a 公民身份号码)."""
    binding: str | None
    """The id of the event or record bound, if the rule iterates."""
    binding_kind: str | None
    binding_date: Any
    held: bool
    conditions: tuple[Condition, ...]
    """The conditions evaluated, in order, up to the first that failed."""


@dataclass(frozen=True, slots=True)
class BranchTaken:
    """An alternative of an `or` that held, or the option of a target `A else B` that found persons."""

    kind: Literal["or", "else"]
    owner: str
    """The rule (layer/name) or definition (`define name`) it is written in."""
    site: str
    """Where it is written: `line:column`."""
    index: int


class Tracer(Protocol):
    """What an audit evaluation tells."""

    def rule(self, rule: ir.Rule, subject: Any, binding: Any, held: bool, conditions: Any) -> None: ...

    def branch(self, kind: Literal["or", "else"], site: tuple[str, str], index: int) -> bool:
        """An alternative was taken; returns True (generated code tests with it)."""
        ...

    def first(self, site: tuple[str, str], index: int, hops: Any) -> Any:
        """A target option's persons; reports the option when it found someone, and returns them."""
        ...


class QuietTracer:
    """Hears nothing: evaluating a condition again, for its reasons only, takes no branch."""

    def rule(self, rule: ir.Rule, subject: Any, binding: Any, held: bool, conditions: Any) -> None:
        return None

    def branch(self, kind: Literal["or", "else"], site: tuple[str, str], index: int) -> bool:
        return True

    def first(self, site: tuple[str, str], index: int, hops: Any) -> Any:
        return hops


QUIET = QuietTracer()


@dataclass
class RecordingTracer:
    """Keeps every event, in order: what explain and why-not read."""

    events: list[RuleEvaluated | BranchTaken] = field(default_factory=list)

    def rule(self, rule: ir.Rule, subject: Any, binding: Any, held: bool, conditions: Any) -> None:
        self.events.append(RuleEvaluated(rule, mask_if_id_number(subject.id), getattr(binding, "id", None),
                                         getattr(binding, "kind", None), getattr(binding, "date", None), held,
                                         tuple(conditions)))

    def branch(self, kind: Literal["or", "else"], site: tuple[str, str], index: int) -> bool:
        self.events.append(BranchTaken(kind, site[0], site[1], index))
        return True

    def first(self, site: tuple[str, str], index: int, hops: Any) -> Any:
        if hops:
            self.events.append(BranchTaken("else", site[0], site[1], index))
        return hops

    def rules(self) -> list[RuleEvaluated]:
        return [e for e in self.events if isinstance(e, RuleEvaluated)]


@dataclass
class CoverageTracer:
    """Coverage events as a set: (`rule`, name, held) per binding, (`or`|`else`, owner, site, index) per
    alternative taken. Coverage is proved from these alone (tools/coverage.py)."""

    events: set[tuple[Any, ...]] = field(default_factory=set)

    def rule(self, rule: ir.Rule, subject: Any, binding: Any, held: bool, conditions: Any) -> None:
        self.events.add(("rule", rule.qualified, held))

    def branch(self, kind: Literal["or", "else"], site: tuple[str, str], index: int) -> bool:
        self.events.add((kind, site[0], site[1], index))
        return True

    def first(self, site: tuple[str, str], index: int, hops: Any) -> Any:
        if hops:
            self.events.add(("else", site[0], site[1], index))
        return hops
