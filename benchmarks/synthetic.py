"""Seeded synthetic subjects for benchmarks and batch tests: bodies, public servants and PPP projects
in a realistic mix, 0–5 events each, with principals and stage owners."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zwcx_rules.facts import uscc_check_char

KINDS = ["administrative_penalty", "administrative_sanction", "disciplinary_sanction", "judicial_judgment",
         "audit_finding", "illegal_debt", "contract_default", "commitment_breach", "procurement_misconduct"]
BODY_KINDS = ["government"] * 2 + ["department"] * 6 + ["township"] * 2 + ["subdistrict"]
EVENTS_PER_SUBJECT = [0, 0, 0, 1, 1, 2, 3, 5]


def uscc(n: int) -> str:
    prefix = f"11360100MB{n:07d}"
    return prefix + uscc_check_char(prefix)


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2018, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def subjects(n: int, seed: int = 20241125) -> Iterator[dict[str, Any]]:
    """N subjects, each with its events nested: 1 body per 10, 1 PPP project per 40, the rest persons."""
    rng = random.Random(seed)
    bodies, projects = max(1, n // 10), max(1, n // 40)
    persons = max(1, n - bodies - projects)
    person_ids = [f"p-{i}" for i in range(persons)]
    for i in range(n):
        if i < bodies:
            subject: dict[str, Any] = {
                "id": uscc(i), "type": "body", "body_kind": rng.choice(BODY_KINDS),
                "principals": [{"person": rng.choice(person_ids), "from": "2017-01-01", "to": "2021-06-30"},
                               {"person": rng.choice(person_ids), "from": "2021-07-01"}],
                "ratings": [{"period": "2023", "score": rng.randint(70, 100)}]}
        elif i < bodies + projects:
            subject = {"id": f"ppp-{i}", "type": "project", "government_side": uscc(i % bodies),
                       "stages": [{"stage": "execution", "responsible": rng.choice(person_ids),
                                   "from": "2019-01-01", "to": "2021-12-31"},
                                  {"stage": "execution", "responsible": rng.choice(person_ids), "from": "2022-01-01"}]}
        else:
            subject = {"id": person_ids[i - bodies - projects], "type": "person", "person_kind": "civil_servant",
                       "positions": [{"body": uscc(rng.randrange(bodies)), "role": "staff", "from": "2018-01-01"}]}
        events = []
        for k in range(rng.choice(EVENTS_PER_SUBJECT)):
            day = _date(rng)
            event: dict[str, Any] = {"id": f"e-{i}-{k}", "kind": rng.choice(KINDS), "date": day,
                                     "impact": rng.choice(["general", "serious", "severe"]),
                                     "domain": rng.choice(["investment", "ppp", "debt", "procurement"])}
            if subject["type"] == "project":
                event.update(kind="contract_default", stage="execution")
            if rng.random() < 0.3:
                event["remedies"] = [{"kind": "recovered_loss", "date": day}]
            events.append(event)
        subject["events"] = events
        yield subject


def write_jsonl(path: Path, n: int, seed: int = 20241125) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for subject in subjects(n, seed):
            out.write(json.dumps(subject, ensure_ascii=False) + "\n")
    return path


def case_file(n: int, seed: int = 20241125) -> dict[str, Any]:
    """The same subjects as one case file (events listed apart, each naming its subject)."""
    all_subjects, all_events = [], []
    for subject in subjects(n, seed):
        events = subject.pop("events")
        all_subjects.append(subject)
        all_events += [{"subject": subject["id"], **e} for e in events]
    return {"as_of": "2024-06-30", "subjects": all_subjects, "events": all_events}
