"""The case file as frozen pydantic models: subjects, events and their dated facts (interchange.md).

Codes (``kind``, ``role``, ``stage`` …) are plain strings here; :func:`zwcx_rules.facts.load_cases`
normalises them to canonical catalogue codes. Unknown fields are kept (``model.model_extra``).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_JSON_TYPE = {str: "a string", int: "a number", float: "a number", bool: "a boolean",
              list: "a list", dict: "an object", type(None): "null"}


def json_type_name(value: object) -> str:
    """The JSON name of a value's type, for messages ("a string", "an object" …)."""
    return _JSON_TYPE.get(type(value), type(value).__name__)


def _parse_iso_date(value: object) -> date:
    """A ``date`` from an ISO ``YYYY-MM-DD`` string (or a date), rejecting every other form."""
    if type(value) is str:
        if len(value) == 10 and _DATE_RE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise PydanticCustomError(
            "zwcx_date", "`{value}` is not a date (expected YYYY-MM-DD)", {"value": value}
        )
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise PydanticCustomError(
        "zwcx_date_type", "expected a date string YYYY-MM-DD, found {found}",
        {"found": json_type_name(value)},
    )


def _int_or_str(value: object) -> int | str:
    """Accept a whole number or a string (a rating period is written either way)."""
    if type(value) in (int, str):
        return value  # type: ignore[return-value]
    raise PydanticCustomError(
        "zwcx_period", "expected a string or a whole number, found {found}",
        {"found": json_type_name(value)},
    )


IsoDate = Annotated[date, BeforeValidator(_parse_iso_date)]
Id = Annotated[str, Field(min_length=1)]
Amount = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
StrictBool = Annotated[bool, Field(strict=True)]
StrictInt = Annotated[int, Field(strict=True)]

_CONFIG = ConfigDict(
    extra="allow", frozen=True, validate_by_name=True, validate_by_alias=True,
    serialize_by_alias=True,
)


def period_text(start: date | None, end: date | None) -> str:
    """A date range as ``2019-01-01..2022-12-31``; an open end prints as ``2019-01-01..``."""
    return f"{start.isoformat() if start else ''}..{end.isoformat() if end else ''}"


class _Dated(BaseModel):
    """A fact that holds from ``from`` to ``to`` inclusive; no ``to`` means it still holds."""

    model_config = _CONFIG

    from_: IsoDate = Field(alias="from")
    to: IsoDate | None = None

    def covers(self, day: date) -> bool:
        """Whether the period includes ``day`` (both ends inclusive)."""
        return self.from_ <= day and (self.to is None or day <= self.to)

    @property
    def period(self) -> str:
        """The period as written in a path: ``2019-01-01..2022-12-31`` or ``2023-01-01..``."""
        return period_text(self.from_, self.to)


class Tenure(_Dated):
    """A tenure ``{person, from, to}`` of a body's 主要负责人."""

    person: Id


class Position(_Dated):
    """A person's position ``{body, role, from, to}`` (role: principal, leader, staff)."""

    body: Id
    role: str


class Stage(_Dated):
    """A project stage ``{stage, responsible, from, to}`` and the government-side person answering for it."""

    stage: str
    responsible: Id


class Remedy(BaseModel):
    """A remedial action taken after an event (主动挽回损失 …), with its date."""

    model_config = _CONFIG

    kind: str
    date: IsoDate


class Tolerance(BaseModel):
    """A 容错纠错 determination made under the prescribed procedure."""

    model_config = _CONFIG

    approved: StrictBool
    decided_on: IsoDate | None = None
    by: str | None = None


class Rectification(BaseModel):
    """A 限期整改 order: when ordered, its deadline, and when (if) it was completed."""

    model_config = _CONFIG

    ordered_on: IsoDate
    deadline: IsoDate | None = None
    completed_on: IsoDate | None = None


class Objection(BaseModel):
    """An 异议 / 申诉 against a record or punishment, and its outcome."""

    model_config = _CONFIG

    filed_on: IsoDate
    outcome: str = "pending"
    decided_on: IsoDate | None = None


class Determination(BaseModel):
    """A recorded decision on a discretionary measure: apply, mitigate, exempt or decline."""

    model_config = _CONFIG

    measure: str
    decision: str
    decided_on: IsoDate | None = None
    by: str | None = None


class Commitment(BaseModel):
    """A public credit commitment (信用承诺) and whether it was kept."""

    model_config = _CONFIG

    made_on: IsoDate
    due: IsoDate | None = None
    status: str = "pending"


class Assessment(BaseModel):
    """An annual assessment (年度考核) grade."""

    model_config = _CONFIG

    year: StrictInt
    grade: str


class Rating(BaseModel):
    """A 政务诚信评价 result for a period."""

    model_config = _CONFIG

    period: Annotated[int | str, BeforeValidator(_int_or_str)]
    score: Number | None = None
    grade: str | None = None


class Honor(BaseModel):
    """An honour or commendation (荣誉表彰); free-form beyond its name and date."""

    model_config = _CONFIG

    name: str | None = None
    date: IsoDate | None = None


class Event(BaseModel):
    """A fact reported about a subject; record rules decide whether it becomes a record."""

    model_config = _CONFIG

    id: Id
    subject: Id
    kind: str
    date: IsoDate
    domain: str | None = None
    loss_yuan: Amount | None = None
    impact: str | None = None
    severity: str | None = None
    stage: str | None = None
    persons: tuple[str, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    tolerance: Tolerance | None = None
    rectification: Rectification | None = None
    objection: Objection | None = None
    delisted_on: IsoDate | None = None
    determinations: tuple[Determination, ...] = ()


class Subject(BaseModel):
    """A body, person, project or enterprise; one model so that rules read any field uniformly."""

    model_config = _CONFIG

    id: Id
    type: str
    name: str | None = None
    body_kind: str | None = None
    level: str | None = None
    region: str | None = None
    parent: str | None = None
    principals: tuple[Tenure, ...] = ()
    person_kind: str | None = None
    positions: tuple[Position, ...] = ()
    id_number: str | None = Field(default=None, repr=False)
    government_side: str | None = None
    stages: tuple[Stage, ...] = ()
    honors: tuple[Honor, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    ratings: tuple[Rating, ...] = ()
    determinations: tuple[Determination, ...] = ()


class CaseFile(BaseModel):
    """One case file: the decision date and every subject and event the rules may look at."""

    model_config = _CONFIG

    as_of: IsoDate | None = None
    subjects: list[Subject] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
