"""A hand-written plain-Python implementation of a fixed subset of the Jiangxi plan, for comparison.

The subset: record admission (二（二）6 and the body records of 二（三）9, 10, 12, 13), tolerance
(none in Jiangxi: every admitted event stays a record), the body punishments of 二（二）7, the
civil servant's restriction softened by 二（二）8, and the principal held responsible (二（二）7).
It reads the same validated facts the engine reads and returns comparable tuples:
(subject, measure, status, events, person).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

RECORD_KINDS = frozenset({"administrative_penalty", "administrative_sanction", "disciplinary_sanction",
                          "judicial_judgment", "audit_finding"})
BODIES = frozenset({"government", "department", "township", "subdistrict"})
REMEDIES = frozenset({"recovered_loss", "eliminated_impact", "prevented_harm"})
SUBSET = frozenset({"written_explanation", "rectification_order", "honor_disqualification", "public_criticism",
                    "merit_restriction", "archive_entry", "principal_accountability"})

Outcome = tuple[str, str, str, tuple[str, ...], str | None]


def _recorded(event: Any, is_body: bool) -> bool:
    """Whether an event is a record: the kinds of 二（二）6, and for bodies those of 二（三）."""
    if event.kind in RECORD_KINDS:
        return True
    return is_body and (event.kind in ("procurement_misconduct", "illegal_debt")
                        or (event.kind == "contract_default" and event.domain in ("ppp", "investment")))


def decide(subject: Any, events: tuple[Any, ...], relations: Any, as_of: dt.date) -> list[Outcome]:
    """The subset's outcomes for one subject."""
    is_body = subject.type == "body" and subject.body_kind in BODIES
    is_civil_servant = subject.type == "person" and subject.person_kind == "civil_servant"
    if not (is_body or is_civil_servant):
        return []
    out: list[Outcome] = []
    for event in events:
        if event.date > as_of or not _recorded(event, is_body):
            continue
        ids = (event.id,)
        if is_body:
            for measure in ("written_explanation", "rectification_order", "honor_disqualification",
                            "public_criticism"):
                out.append((subject.id, measure, "applied", ids, subject.id))
            for hop in relations.principals_on(subject.id, event.date):
                out.append((subject.id, "principal_accountability", "applied", ids, hop.person))
        else:
            softened = any(r.kind in REMEDIES and event.date <= r.date <= as_of for r in event.remedies)
            out.append((subject.id, "merit_restriction", "mitigated" if softened else "applied", ids, subject.id))
            out.append((subject.id, "archive_entry", "applied", ids, subject.id))
    return out
