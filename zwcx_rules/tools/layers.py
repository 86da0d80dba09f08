"""What the layers of a policy did to a measure: the rules producing it that a layer disabled or
overrode, and the parameters those rules read that a layer `set` again.

`why_not` shows these, so that a measure a county switched off is answered with the county's own
reason rather than with "no rule produces it". Everything here is read from the resolved layers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from zwcx_rules.api import Policy
from zwcx_rules.diagnostics.source import Span
from zwcx_rules.language import ast
from zwcx_rules.semantics import ir
from zwcx_rules.semantics.resolve import ResolvedPolicy, ResolvedRule


@dataclass(frozen=True)
class RuleAt:
    """A rule by its qualified name, with the layer and clause it is written in."""

    name: str
    layer: str
    clause: str
    cite: str
    span: Span


@dataclass(frozen=True)
class DisabledRule:
    """A rule that produced the measure, removed by a `disable` of a later layer, with its reason as written."""

    rule: RuleAt
    layer: str
    """The layer that disables it."""
    clause: str
    cite: str
    reason: str
    span: Span
    """The `disable` statement."""


@dataclass(frozen=True)
class OverriddenRule:
    """A rule that produced the measure, replaced by a rule of the same name in a later layer."""

    rule: RuleAt
    by: RuleAt
    produces: bool
    """Whether the replacing rule produces the measure too."""


@dataclass(frozen=True)
class LayerValue:
    """One layer's value of a parameter, as written, from ``since`` on; ``applies`` on the decision date."""

    layer: str
    value: str
    since: dt.date | None
    applies: bool


@dataclass(frozen=True)
class ResetParameter:
    """A parameter that a rule producing the measure reads and that a layer `set`s to another value."""

    name: str
    values: tuple[LayerValue, ...]
    read_by: tuple[str, ...]


@dataclass(frozen=True)
class LayerChanges:
    """Everything the layers did to the rules that produce one measure."""

    measure: str
    disabled: tuple[DisabledRule, ...]
    overridden: tuple[OverriddenRule, ...]
    parameters: tuple[ResetParameter, ...]

    @property
    def removed_rules(self) -> bool:
        """Whether a rule producing the measure was disabled or overridden."""
        return bool(self.disabled or self.overridden)


def layer_changes(policy: Policy, measure: str, day: dt.date | None = None) -> LayerChanges:
    """The disabled and overridden rules that produced ``measure`` (a code or Chinese name), and the
    parameters re-set by a layer that the rules producing it read; ``day`` marks which value applies."""
    resolved = policy.resolved
    spec = resolved.catalogue.measure(measure)
    code = spec.code if spec is not None else measure
    disabled = []
    overridden = []
    for disable, layer, entry in resolved.disabled:
        replaced = list(_replaced(resolved, entry))
        if _produces(resolved, entry.rule, code):
            clause = _clause_of(resolved, layer, disable)
            disabled.append(DisabledRule(_at(entry), layer, clause.id.name, clause.cite, disable.reason, disable.span))
        overridden += [OverriddenRule(_at(old), _at(new), _produces(resolved, new.rule, code))
                       for old, new in replaced if _produces(resolved, old.rule, code)]
    for entry in resolved.rules:
        overridden += [OverriddenRule(_at(old), _at(new), _produces(resolved, new.rule, code))
                       for old, new in _replaced(resolved, entry) if _produces(resolved, old.rule, code)]
    return LayerChanges(code, tuple(disabled), tuple(overridden), _reset_parameters(policy, code, day))


def _produces(resolved: ResolvedPolicy, rule: ast.Rule, code: str) -> bool:
    return bool(_items(resolved, rule, code))


def _items(resolved: ResolvedPolicy, rule: ast.Rule, code: str) -> list[ast.MeasureItem]:
    """The measure items of a rule that produce ``code`` (named by code or by a Chinese name)."""
    def code_of(name: str) -> str:
        spec = resolved.catalogue.measure(name)
        return spec.code if spec is not None else name
    return [item for item in rule.then if any(code_of(name.name) == code for name in item.measures)]


def _at(entry: ResolvedRule) -> RuleAt:
    return RuleAt(entry.qualified, entry.layer, entry.clause.id.name, entry.clause.cite, entry.rule.name.span)


def _replaced(resolved: ResolvedPolicy, entry: ResolvedRule) -> Iterator[tuple[ResolvedRule, ResolvedRule]]:
    """(replaced, replacing) for each rule an override chain replaced, the nearest first."""
    newer = entry
    while newer.rule.override:
        older = _nearest_before(resolved, newer)
        if older is None:
            return
        yield older, newer
        newer = older


def _nearest_before(resolved: ResolvedPolicy, entry: ResolvedRule) -> ResolvedRule | None:
    """The rule of the same name in the nearest layer before ``entry``'s: the one its `override` replaced."""
    ids = [layer.id for layer in resolved.layers]
    for layer in reversed(resolved.layers[:ids.index(entry.layer)]):
        for clause in layer.policy.clauses:
            for rule in clause.rules:
                if rule.name.name == entry.rule.name.name:
                    return ResolvedRule(rule=rule, layer=layer.id, clause=clause)
    return None


def _clause_of(resolved: ResolvedPolicy, layer_id: str, disable: ast.Disable) -> ast.Clause:
    layer = next(layer for layer in resolved.layers if layer.id == layer_id)
    return next(c for c in layer.policy.clauses if c.span.contains(disable.span))


# ---- parameters ------------------------------------------------------------------------------


def _reset_parameters(policy: Policy, code: str, day: dt.date | None) -> tuple[ResetParameter, ...]:
    """The parameters a layer set again that the rules producing ``code`` (in force) read."""
    resolved, program = policy.resolved, policy.plan.program
    readers: dict[str, list[str]] = {}
    for rule in program.all_rules():
        for name in _parameters_read(program, rule, code):
            readers.setdefault(name, []).append(rule.qualified)
    found = []
    for name, read_by in readers.items():
        values = resolved.parameters.get(name, [])
        if not any(v.declaration.is_set for v in values):
            continue
        current = resolved.parameter(name, day)
        texts = {layer.id: layer.source.text for layer in resolved.layers}
        shown = tuple(LayerValue(v.layer, texts[v.layer][v.value.span.start:v.value.span.end], v.since,
                                 v is current) for v in values)
        found.append(ResetParameter(name, shown, tuple(dict.fromkeys(read_by))))
    return tuple(found)


def _parameters_read(program: ir.Program, rule: ir.Rule, code: str) -> list[str]:
    """The parameters a rule's condition and its items producing ``code`` read, directly or through
    definitions (none if the rule does not produce ``code``)."""
    items = [item for item in rule.items if code in item.measures]
    if not items:
        return []
    pending: list[object] = [rule.when] + [part for item in items for part in (item.due, item.until, item.target)]
    found: list[str] = []
    seen: set[str] = set()
    while pending:
        node = pending.pop()
        if isinstance(node, ir.Param) and node.name not in seen:
            seen.add(node.name)
            found.append(node.name)
        elif isinstance(node, ir.DefRef) and node.name not in seen:
            seen.add(node.name)
            pending.append(program.definitions[node.name])
        elif isinstance(node, ir.Expr | ir.Target):
            for value in (getattr(node, f.name) for f in dataclasses.fields(node)):
                pending += value if isinstance(value, tuple) else [value]
    return found
