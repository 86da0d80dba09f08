"""Facts as they stood on a day: nothing dated after the decision date exists for the rules.

A case file may hold what happened later (a remedy, a completed rectification, an upheld
objection); evaluating on an earlier `as_of` must not see it. The view is lazy: a rule reads a
dated field through :func:`field_on`, which drops what is later than the day, so a subject costs
nothing for the fields no rule reads. Objects are copied only when something in them is later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from zwcx_rules.facts.fields import attribute_of, get_field
from zwcx_rules.facts.models import Event, Subject


def _until(field: str) -> Callable[[Any, date], Any]:
    """A list field's items dated on or before the day (the list itself when none is later)."""
    def on(items: list[Any], day: date) -> list[Any]:
        if not items:
            return items
        kept = [item for item in items if (getattr(item, field) is None or getattr(item, field) <= day)]
        return kept if len(kept) != len(items) else items
    return on


def _tolerance(tolerance: Any, day: date) -> Any:
    return None if tolerance is not None and tolerance.decided_on is not None and tolerance.decided_on > day \
        else tolerance


def _rectification(rectification: Any, day: date) -> Any:
    if rectification is None or rectification.ordered_on > day:
        return None
    if rectification.completed_on is not None and rectification.completed_on > day:
        return rectification.model_copy(update={"completed_on": None})
    return rectification


def _objection(objection: Any, day: date) -> Any:
    if objection is None or objection.filed_on > day:
        return None
    if objection.decided_on is not None and objection.decided_on > day:
        return objection.model_copy(update={"outcome": "pending", "decided_on": None})
    return objection


def _delisted(delisted_on: date | None, day: date) -> date | None:
    return None if delisted_on is not None and delisted_on > day else delisted_on


def _assessments(items: list[Any], day: date) -> list[Any]:
    kept = [a for a in items if a.year <= day.year]
    return kept if len(kept) != len(items) else items


def _ratings(items: list[Any], day: date) -> list[Any]:
    kept = [r for r in items if not (isinstance(r.period, int) and r.period > day.year)]
    return kept if len(kept) != len(items) else items


EVENT_FIELDS: dict[str, Callable[[Any, date], Any]] = {
    "remedies": _until("date"), "determinations": _until("decided_on"), "tolerance": _tolerance,
    "rectification": _rectification, "objection": _objection, "delisted_on": _delisted,
}
"""An event's fields that can hold something later than the decision date, each with its view."""

SUBJECT_FIELDS: dict[str, Callable[[Any, date], Any]] = {
    "principals": _until("from_"), "positions": _until("from_"), "stages": _until("from_"),
    "honors": _until("date"), "commitments": _until("made_on"), "determinations": _until("decided_on"),
    "assessments": _assessments, "ratings": _ratings,
}
"""A subject's fields that can hold something later than the decision date, each with its view."""

DATED_FIELDS = frozenset(EVENT_FIELDS) | frozenset(SUBJECT_FIELDS)


def field_on(value: Any, attribute: str, day: date) -> Any:
    """``value.attribute`` as it stood on ``day`` (an event's or a subject's dated field)."""
    found = getattr(value, attribute, None)
    views = EVENT_FIELDS if isinstance(value, Event) else SUBJECT_FIELDS if isinstance(value, Subject) else None
    view = views.get(attribute) if views is not None else None
    return found if view is None else view(found, day)


def field_at(value: Any, name: str, day: date) -> Any:
    """The field `name` of a value as a rule reads it on ``day``: null-safe, a mapping by key,
    an event's or a subject's dated field through its as-of view."""
    if value is None or isinstance(value, dict):
        return get_field(value, name)
    return field_on(value, attribute_of(name), day)
