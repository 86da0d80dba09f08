"""Facts as they stood on a day: nothing dated after the decision date exists for the rules.

A case file may hold what happened later (a remedy, a completed rectification, an upheld
objection); evaluating on an earlier `as_of` must not see it. Objects are copied only when
something in them is later than the day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .models import Event, Subject


def _until(items: list[Any], day: date, field: str) -> list[Any] | None:
    """The items dated on or before the day, or None when none is later (nothing to copy)."""
    if not items:
        return None
    kept = [item for item in items if (getattr(item, field) is None or getattr(item, field) <= day)]
    return kept if len(kept) != len(items) else None


def event_as_of(event: Event, day: date) -> Event:
    """The event on a day: later remedies, determinations, decisions and orders removed."""
    update: dict[str, Any] = {}
    for name, field in (("remedies", "date"), ("determinations", "decided_on")):
        kept = _until(getattr(event, name), day, field)
        if kept is not None:
            update[name] = kept
    if event.tolerance is not None and event.tolerance.decided_on is not None and event.tolerance.decided_on > day:
        update["tolerance"] = None
    rectification = event.rectification
    if rectification is not None:
        if rectification.ordered_on > day:
            update["rectification"] = None
        elif rectification.completed_on is not None and rectification.completed_on > day:
            update["rectification"] = rectification.model_copy(update={"completed_on": None})
    objection = event.objection
    if objection is not None:
        if objection.filed_on > day:
            update["objection"] = None
        elif objection.decided_on is not None and objection.decided_on > day:
            update["objection"] = objection.model_copy(update={"outcome": "pending", "decided_on": None})
    if event.delisted_on is not None and event.delisted_on > day:
        update["delisted_on"] = None
    return event.model_copy(update=update) if update else event


def subject_as_of(subject: Subject, day: date) -> Subject:
    """The subject on a day: later tenures, positions, stages, honours, commitments and decisions removed."""
    update: dict[str, Any] = {}
    for name, field in (("principals", "from_"), ("positions", "from_"), ("stages", "from_"), ("honors", "date"),
                        ("commitments", "made_on"), ("determinations", "decided_on")):
        kept = _until(getattr(subject, name), day, field)
        if kept is not None:
            update[name] = kept
    if subject.assessments:
        assessments = [a for a in subject.assessments if a.year <= day.year]
        if len(assessments) != len(subject.assessments):
            update["assessments"] = assessments
    if subject.ratings:
        ratings = [r for r in subject.ratings if not (isinstance(r.period, int) and r.period > day.year)]
        if len(ratings) != len(subject.ratings):
            update["ratings"] = ratings
    return subject.model_copy(update=update) if update else subject
