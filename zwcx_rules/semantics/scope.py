"""What a bare name in an expression means: a bound variable, a built-in, a parameter, a definition
or a catalogue code. The checker and the compiler share this one resolution order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zwcx_rules.semantics.resolve import ResolvedPolicy

BUILTINS = {
    "subject": "the subject being decided",
    "as_of": "the date the decision is made on",
    "records": "the subject's records (events admitted and not excluded)",
    "events": "the subject's events up to as_of",
}

NameKind = Literal["variable", "builtin", "parameter", "definition", "code"]


@dataclass(frozen=True)
class Meaning:
    kind: NameKind
    target: str
    """The variable, built-in, parameter or definition name, or the canonical code."""


def meaning(name: str, bound: frozenset[str], policy: ResolvedPolicy) -> Meaning | None:
    """Resolve a bare name; None if it means nothing here."""
    if name in bound:
        return Meaning("variable", name)
    if name in BUILTINS:
        return Meaning("builtin", name)
    if name in policy.parameters:
        return Meaning("parameter", name)
    if name in policy.definitions:
        return Meaning("definition", name)
    code = policy.catalogue.code_of(name)
    if code is not None:
        return Meaning("code", code)
    return None


def visible_names(bound: frozenset[str], policy: ResolvedPolicy) -> list[str]:
    """Every name an expression could use here (for did-you-mean)."""
    return [*bound, *BUILTINS, *policy.parameters, *policy.definitions, *policy.catalogue.all_names()]


def rule_bindings(over: str | None, var: str | None) -> frozenset[str]:
    """Names an iteration binds: its own variable and the generic `event` or `record`."""
    if over is None:
        return frozenset()
    return frozenset({over, var or over})
