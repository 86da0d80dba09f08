"""The decision output of interchange.md as typed models: what `evaluate` returns and the CLI prints."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, computed_field

from zwcx_rules.engine.reasons import Reason, render_reason
from zwcx_rules.semantics.ir import Clause

OutcomeStatus = Literal[
    "applied", "mitigated", "exempted", "expired", "discretionary", "declined", "overridden",
    "unresolved",
]
RecordStatus = Literal["recorded", "excluded", "not_applicable"]


_ALL_FIELDS: dict[type, set[str]] = {}


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """Build from values the engine produced itself, every field given, without validation.

        ``model_construct`` costs more than the evaluation of a subject; this sets the same state
        directly. INVARIANT: callers pass every field (tests compare with validated models).
        """
        obj = cls.__new__(cls)
        object.__setattr__(obj, "__dict__", values)
        # every field is set, so every instance can share one set (copying a model copies it first)
        fields_set = _ALL_FIELDS.get(cls)
        if fields_set is None:
            fields_set = _ALL_FIELDS[cls] = set(cls.model_fields)
        object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", None)
        return obj


class _Explained(_Out):
    """A result with typed reasons, and the same reasons in English as ``because`` (the interchange field)."""

    if TYPE_CHECKING:
        reasons: list[Reason]  # declared by each subclass, where its place in the output is

    @computed_field  # type: ignore[prop-decorator]
    @property
    def because(self) -> list[str]:
        return [render_reason(r) for r in self.reasons]


ClauseRef = Clause
"""The clause that caused something: policy layer, normalised id, cite as printed, verbatim text."""


class Modification(_Explained):
    """An exception acting on an outcome: a repair that softened it, or a precedence that overrode it."""

    measure: str
    clause: ClauseRef
    rule: str
    reasons: list[Reason] = []
    discretionary: bool = False


class Outcome(_Explained):
    measure: str
    kind: str
    status: OutcomeStatus
    events: list[str]
    subject: str | None
    path: list[str] | None = None
    clause: ClauseRef
    rule: str
    deadline: dt.date | None = None
    until: dt.date | None = None
    modified_by: list[Modification] = []
    reasons: list[Reason] = []
    """Why: the subject a rule is for, the event it bound, each condition with the values it read."""
    discretionary: bool = False
    also: list[str] = []
    """Other rules (layer/name) that required the same measure for the same events."""


class RecordResult(_Explained):
    event: str
    status: RecordStatus
    clause: ClauseRef | None
    rule: str | None = None
    reasons: list[Reason] = []


class Decision(_Out):
    subject: str
    records: list[RecordResult]
    outcomes: list[Outcome]


class PolicyInfo(_Out):
    id: str
    title: str
    chain: list[str]
    digest: str
    in_force: bool = True


class Decisions(_Out):
    policy: PolicyInfo
    as_of: dt.date
    decisions: list[Decision]

    def for_subject(self, subject: str) -> Decision:
        for decision in self.decisions:
            if decision.subject == subject:
                return decision
        raise KeyError(subject)


def _fields(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a typed reason
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, BaseModel):
        if "reasons" in value.__dict__:  # and `because`, computed, last: as model_dump_json writes them
            return {**value.__dict__, "because": [render_reason(r) for r in value.__dict__["reasons"]]}
        return value.__dict__  # a model's fields, in declaration order
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _standard_dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_fields).encode("utf-8")


dumps: Callable[[Any], bytes] = _standard_dumps
"""Compact JSON of decisions and their parts (models, or dicts holding models): the same bytes as
``model_dump_json``, without building a model per outcome first."""
try:  # a faster writer when the `scale` extra is installed
    import orjson

    def _orjson_dumps(value: Any) -> bytes:
        return orjson.dumps(value, default=_fields)

    dumps = _orjson_dumps
except ImportError:  # pragma: no cover - depends on the environment
    pass
