"""Seeded case files that reach every part of the policies: bodies of every kind, civil servants and
institution staff, PPP projects, events of every kind with remedies, tolerance, rectification,
objections, determinations and named persons. Deterministic, so their decisions can be golden files."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from zwcx_rules.facts import id_number_check_char, uscc_check_char

EVENT_KINDS = ["judicial_judgment", "administrative_penalty", "administrative_sanction", "government_sanction",
               "disciplinary_sanction", "accountability_action", "audit_finding", "dishonest_debtor_listing",
               "judgment_nonperformance", "commitment_breach", "contract_default", "payment_arrears",
               "illegal_debt", "statistical_fraud", "procurement_misconduct", "false_commitment"]
BODY_KINDS = ["government", "department", "institution", "subdistrict", "township", "management_committee",
              "financing_platform"]
DOMAINS = ["procurement", "ppp", "bidding", "investment", "debt", "public_resources", "statistics",
           "grassroots", "general"]
REMEDIES = ["recovered_loss", "eliminated_impact", "prevented_harm", "performed_obligation", "settled"]
MEASURES = ["written_explanation", "rectification_order", "honor_disqualification", "public_criticism",
            "record_disclosure", "archive_entry", "merit_restriction", "appointment_restriction",
            "funding_restriction", "special_governance", "mitigation", "exemption", "record_exclusion",
            "principal_accountability", "leader_accountability", "honor_priority", "merit_priority"]
STAGES = ["identification", "preparation", "procurement", "financing", "execution", "transfer"]


def _uscc(n: int) -> str:
    prefix = f"11360100MB{n:07d}"
    return prefix + uscc_check_char(prefix)


def _day(rng: random.Random, start: int = 2016, end: int = 2024) -> str:
    return str(dt.date(rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28)))


def _later(day: str, rng: random.Random, most: int = 400) -> str:
    return str(dt.date.fromisoformat(day) + dt.timedelta(days=rng.randint(1, most)))


def case_file(seed: int) -> dict[str, Any]:
    """One case file, the same for the same seed."""
    rng = random.Random(seed)
    bodies = [_uscc(seed * 10 + i) for i in range(rng.randint(1, 3))]
    persons = [f"p-{seed}-{i}" for i in range(rng.randint(1, 4))]
    projects = [f"ppp-{seed}-{i}" for i in range(rng.randint(0, 1))]
    subjects: list[dict[str, Any]] = []
    for index, body in enumerate(bodies):
        subject: dict[str, Any] = {
            "id": body, "type": "body", "body_kind": rng.choice(BODY_KINDS),
            "level": rng.choice(["province", "city", "county", "township"]),
            "principals": [{"person": rng.choice(persons), "from": "2015-01-01", "to": "2020-12-31"},
                           {"person": rng.choice(persons), "from": "2021-01-01"}],
            "ratings": [{"period": "2023", "score": rng.randint(55, 100)}],
        }
        if index and rng.random() < 0.5:
            subject["parent"] = bodies[0]
        if rng.random() < 0.3:
            subject["honors"] = [{"name": "文明单位", "date": _day(rng)}]
        if rng.random() < 0.3:
            subject["commitments"] = [{"made_on": _day(rng), "status": rng.choice(["kept", "breached", "pending"])}]
        if rng.random() < 0.2:
            subject["determinations"] = [{"measure": rng.choice(MEASURES),
                                          "decision": rng.choice(["apply", "mitigate", "exempt", "decline"]),
                                          "decided_on": _day(rng, 2020)}]
        subjects.append(subject)
    for person in persons:
        number = f"3601021985{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
        subject = {"id": person, "type": "person",
                   "person_kind": rng.choice(["civil_servant", "civil_servant", "institution_staff"]),
                   "id_number": number + id_number_check_char(number),
                   "positions": [{"body": rng.choice(bodies), "role": rng.choice(["principal", "leader", "staff"]),
                                  "from": "2016-01-01"}]}
        if rng.random() < 0.4:
            subject["assessments"] = [{"year": 2023, "grade": rng.choice(
                ["excellent", "competent", "basically_competent", "incompetent"])}]
        subjects.append(subject)
    for project in projects:
        subjects.append({"id": project, "type": "project", "government_side": rng.choice(bodies),
                         "stages": [{"stage": rng.choice(STAGES), "responsible": rng.choice(persons),
                                     "from": "2018-01-01"}]})
    events = []
    for index in range(rng.randint(0, 7)):
        owner = rng.choice(bodies + persons + projects)
        day = _day(rng)
        event: dict[str, Any] = {
            "id": f"e-{seed}-{index}", "subject": owner, "kind": rng.choice(EVENT_KINDS), "date": day,
            "domain": rng.choice(DOMAINS), "impact": rng.choice(["general", "serious", "severe"]),
        }
        if rng.random() < 0.5:
            event["loss_yuan"] = rng.choice([0, 50000, 500000, 1000000, 5000000, 20000000])
        if rng.random() < 0.3:
            event["severity"] = rng.choice(["general", "serious"])
        if owner in projects:
            event["stage"] = rng.choice(STAGES)
        if rng.random() < 0.4:
            event["persons"] = rng.sample(persons, rng.randint(1, len(persons)))
        if rng.random() < 0.4:
            event["remedies"] = [{"kind": rng.choice(REMEDIES), "date": _later(day, rng)}
                                 for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.15:
            event["tolerance"] = {"approved": rng.random() < 0.7, "decided_on": _later(day, rng)}
        if rng.random() < 0.3:
            ordered = _later(day, rng, 60)
            event["rectification"] = {"ordered_on": ordered, "deadline": _later(ordered, rng, 120)}
            if rng.random() < 0.5:
                event["rectification"]["completed_on"] = _later(ordered, rng, 200)
        if rng.random() < 0.15:
            event["objection"] = {"filed_on": _later(day, rng, 30),
                                  "outcome": rng.choice(["pending", "upheld", "rejected"])}
        if rng.random() < 0.1:
            event["delisted_on"] = _later(day, rng, 900)
        if rng.random() < 0.2:
            event["determinations"] = [{"measure": rng.choice(MEASURES),
                                        "decision": rng.choice(["apply", "mitigate", "exempt", "decline"]),
                                        "decided_on": _later(day, rng)}]
        events.append(event)
    return {"as_of": _day(rng, 2021, 2025), "subjects": subjects, "events": events}
