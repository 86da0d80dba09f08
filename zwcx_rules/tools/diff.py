"""Field-by-field differences between two evaluations of one case file: what `zwcx diff` reports.

Records are matched by (subject, event) and outcomes by (subject, measure, target person, events); each
field of a matched pair that differs is one `Difference`. An item decided on one side only differs in
every field it has a value for, except those its label already names. `because` (the trace) is not
compared: it follows from the fields that are. Rendering is in render.py; this module only computes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Literal, TypeVar

from zwcx_rules.engine.decisions import ClauseRef, Decisions, Modification, Outcome, RecordResult

RECORD_FIELDS: tuple[str, ...] = ("status", "clause", "rule")
OUTCOME_FIELDS: tuple[str, ...] = ("status", "clause", "rule", "deadline", "until", "subject", "path",
                                   "modified_by", "also", "discretionary", "events")
OWN_NAMES: frozenset[str] = frozenset({"clause", "rule", "also"})
"""Fields that name a layer's own clauses and rules: two policies that share no layer always differ there."""
KEY_FIELDS: frozenset[str] = frozenset({"subject", "events"})
"""Fields that match outcomes (with the measure): equal in a matched pair, and named by the item's label."""

ItemKind = Literal["record", "outcome"]
Item = RecordResult | Outcome
T = TypeVar("T", RecordResult, Outcome)


@dataclass(frozen=True)
class Difference:
    """One field of one record or outcome that the two evaluations decide differently.

    ``before`` and ``after`` are the field's values as in the decisions JSON (a clause is an object, a
    modification is {measure, clause, rule, discretionary}); None where the item is absent. ``cited``
    holds the clause each side's item cites, for the reader, whether or not clauses are compared.
    """

    subject: str
    item: str
    kind: ItemKind
    field: str
    before: Any
    after: Any
    cited: tuple[ClauseRef | None, ClauseRef | None] = (None, None)

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "item": self.item, "kind": self.kind, "field": self.field,
                "before": self.before, "after": self.after,
                "cited": [c.model_dump(exclude={"text"}) if c else None for c in self.cited]}


def share_layers(before: Decisions, after: Decisions) -> bool:
    """Whether the two policies have a layer in common, so a clause or rule may be the same on both sides."""
    return bool(set(before.policy.chain) & set(after.policy.chain))


def diff(before: Decisions, after: Decisions, *, own_names: bool | None = None) -> list[Difference]:
    """Every field that differs between two evaluations, item by item, in the order ``before`` lists them.

    ``own_names`` compares the clause, rule and `also` of each item (and of each modification); by
    default only when the policies share a layer, since two unrelated places never cite the same clause.
    """
    names = share_layers(before, after) if own_names is None else own_names
    decisions_a = {d.subject: d for d in before.decisions}
    decisions_b = {d.subject: d for d in after.decisions}
    differences: list[Difference] = []
    for subject in [*decisions_a, *(s for s in decisions_b if s not in decisions_a)]:
        a, b = decisions_a.get(subject), decisions_b.get(subject)
        records = _pairs(a.records if a else [], b.records if b else [], lambda r: (r.event,))
        for record_a, record_b in records:
            shown_record = record_a or record_b
            assert shown_record is not None
            cited = (record_a.clause if record_a else None, record_b.clause if record_b else None)
            differences += [Difference(subject, f"record {shown_record.event}", "record", *change, cited)
                            for change in _changes(record_a, record_b, RECORD_FIELDS, names)]
        outcomes = _pairs(a.outcomes if a else [], b.outcomes if b else [],
                          lambda o: (o.measure, o.subject, tuple(o.events)))
        for outcome_a, outcome_b in outcomes:
            shown_outcome = outcome_a or outcome_b
            assert shown_outcome is not None
            cited = (outcome_a.clause if outcome_a else None, outcome_b.clause if outcome_b else None)
            differences += [Difference(subject, outcome_label(shown_outcome, subject), "outcome", *change, cited)
                            for change in _changes(outcome_a, outcome_b, OUTCOME_FIELDS, names)]
    return differences


def outcome_label(outcome: Outcome, subject: str) -> str:
    """How a comparison names an outcome of a subject: its measure, the person it falls on, its events."""
    label = outcome.measure
    if outcome.kind == "responsibility" and outcome.subject != subject:
        label += f" → {outcome.subject or 'nobody'}"
    return label + (f" ({', '.join(outcome.events)})" if outcome.events else "")


def _pairs(items_a: Sequence[T], items_b: Sequence[T],
           key: Callable[[T], Hashable]) -> Iterator[tuple[T | None, T | None]]:
    """Items of both sides with the same key, paired in order; then those of ``after`` alone."""
    groups_a: dict[Hashable, list[T]] = {}
    groups_b: dict[Hashable, list[T]] = {}
    for item in items_a:
        groups_a.setdefault(key(item), []).append(item)
    for item in items_b:
        groups_b.setdefault(key(item), []).append(item)
    for k, group in groups_a.items():
        yield from zip_longest(group, groups_b.get(k, []))
    for k, group in groups_b.items():
        if k not in groups_a:
            yield from ((None, item) for item in group)


def _changes(a: Item | None, b: Item | None, fields: tuple[str, ...],
             names: bool) -> Iterator[tuple[str, Any, Any]]:
    """(field, before, after) for each field whose values differ; against an absent item, empty values do not."""
    for field in fields:
        if not names and field in OWN_NAMES:
            continue
        x = _value(a, field, names) if a is not None else None
        y = _value(b, field, names) if b is not None else None
        if (a is None or b is None) and (field in KEY_FIELDS or (x in (None, [], False) and y in (None, [], False))):
            continue
        if x != y:
            yield field, x, y


def _value(item: Item, field: str, names: bool) -> Any:
    """A field's value as the decisions JSON writes it; a modification without its trace."""
    value = getattr(item, field)
    if isinstance(value, ClauseRef):
        return value.model_dump()
    if field == "modified_by":
        return [_modification(m, names) for m in value]
    if isinstance(value, list):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _modification(modification: Modification, names: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {"measure": modification.measure}
    if names:
        shown |= {"clause": modification.clause.model_dump(), "rule": modification.rule}
    return shown | {"discretionary": modification.discretionary}
