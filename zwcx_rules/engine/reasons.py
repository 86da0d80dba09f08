"""Typed reasons: why a record or an outcome is what it is, as data (Cedar returns policy ids, not prose).

The evaluator records what it did — the subject a rule is for, the event it bound, each condition
with the values it actually read and its truth value, the persons a target found, a determination,
an expiry, a precedence — and nothing else. Words are chosen only when a reason is rendered, in
Chinese or English, by message id (``Reason.message`` and the catalogues of diagnostics/messages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Annotated, Any, Literal

from pydantic import Field

from zwcx_rules.diagnostics.messages import Lang, message


@dataclass(frozen=True, slots=True, kw_only=True)
class _Reason:
    """Reasons are frozen dataclasses: a full trace makes many, from values the evaluator produced."""

    @property
    def message(self) -> str:
        """The message id this reason is rendered by."""
        return f"reason.{self.kind}"  # type: ignore[attr-defined]

    def arguments(self) -> dict[str, Any]:
        """The values its message is filled with."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "kind"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Covered(_Reason):
    """The subject is one a rule is `for`."""

    kind: Literal["covered"] = "covered"
    subject_type: str
    subject: str
    """The subject's id, masked if it is a 公民身份号码."""
    selector: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Overrides(_Reason):
    """The rule replaces a rule of the layer it extends."""

    kind: Literal["overrides"] = "overrides"
    rule: str
    replaced: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound(_Reason):
    """The event a rule was evaluated for; ``record``: it is one of the subject's records."""

    kind: Literal["bound"] = "bound"
    event: str
    event_kind: str
    date: dt.date
    record: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Read:
    """One fact a condition read, as the evaluator read it."""

    text: str
    """The expression as written (`r.loss_yuan`, `count e in events where …`)."""
    value: Any
    """The value read, as JSON: a date as YYYY-MM-DD, a period as `90 days`, a set as a sorted list."""
    shown: str
    """The value as a trace shows it."""
    of: str | None = None
    """The id of the event or subject a field was read from (None for a parameter or an aggregate)."""
    field: str | None = None
    """The field read, when ``of`` is set."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition(_Reason):
    """One `and`-part of a rule's condition: its text, where it is written, what it read, its truth value."""

    kind: Literal["condition"] = "condition"
    text: str
    at: str
    """Where the condition is written: `file:line:column`."""
    reads: tuple[Read, ...]
    holds: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetFound(_Reason):
    kind: Literal["target_found"] = "target_found"
    target: str
    person: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetEmpty(_Reason):
    kind: Literal["target_empty"] = "target_empty"
    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Determined(_Reason):
    """A determination recorded in the case file settled a discretionary matter."""

    kind: Literal["determined"] = "determined"
    decision: str
    by: str | None = None
    on: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Expired(_Reason):
    kind: Literal["expired"] = "expired"
    until: dt.date
    as_of: dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Softening(_Reason):
    """How a repair's softening was settled: required by a clause, or permitted and undecided."""

    kind: Literal["softening"] = "softening"
    required: str | None
    """The softening a clause requires (mitigation, exemption); None when the clauses only permit one."""
    determination: Determined | None = None
    permitted: bool = True
    """Whether the determination, if any, is within what the clauses permit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlsoAdmitted(_Reason):
    kind: Literal["also_admitted"] = "also_admitted"
    rule: str
    clause: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WouldBeRecorded(_Reason):
    kind: Literal["would_be_recorded"] = "would_be_recorded"
    rule: str
    clause: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Precedence(_Reason):
    kind: Literal["precedence"] = "precedence"
    winner: str
    rule: str


Reason = Annotated[
    Covered | Overrides | Bound | Condition | TargetFound | TargetEmpty | Determined | Expired | Softening
    | AlsoAdmitted | WouldBeRecorded | Precedence,
    Field(discriminator="kind"),
]


def render_reason(reason: Reason, lang: Lang = "en") -> str:
    """One reason as a line of a trace, in ``lang``."""
    m = message
    match reason:
        case Bound():
            return m("reason.bound_record" if reason.record else "reason.bound", lang, event=reason.event,
                     event_kind=reason.event_kind, date=reason.date)
        case Condition():
            line = m("reason.condition_holds" if reason.holds else "reason.condition_fails", lang, text=reason.text)
            shown = m("reason.read_separator", lang).join(
                m("reason.read", lang, text=read.text, shown=read.shown) for read in reason.reads
                if read.text != reason.text)
            return line + (m("reason.reads", lang, reads=shown) if shown else "")
        case Determined():
            return _determined(reason, lang)
        case Softening():
            note = (m("reason.softening_required", lang, required=reason.required) if reason.required
                    else m("reason.softening_undecided", lang))
            if reason.determination is None:
                return note
            if reason.permitted:
                return _determined(reason.determination, lang)
            return m("reason.softening_not_permitted", lang, note=note,
                     determined=_determined(reason.determination, lang))
    return m(reason.message, lang, **reason.arguments())


def _determined(reason: Determined, lang: Lang) -> str:
    by = message("reason.determined_by", lang, by=reason.by) if reason.by else ""
    on = message("reason.determined_on", lang, on=reason.on) if reason.on else ""
    return message("reason.determined", lang, by=by, on=on, decision=reason.decision)
