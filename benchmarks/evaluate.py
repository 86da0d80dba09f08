"""Benchmark: load the Jiangxi policy, then evaluate N synthetic subjects with full and summary traces.

    python benchmarks/evaluate.py [--subjects N] [--repeat R] [--seed S]

Prints medians over R runs and the peak resident memory. Figures only: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import time
from typing import Any

from zwcx_rules import evaluate, load_cases, load_policy
from zwcx_rules.api import _compile_checked
from zwcx_rules.facts import uscc_check_char
from zwcx_rules.resolve import load_layers

KINDS = ["administrative_penalty", "administrative_sanction", "disciplinary_sanction", "judicial_judgment",
         "audit_finding", "illegal_debt", "contract_default", "commitment_breach", "procurement_misconduct"]
BODY_KINDS = ["government"] * 2 + ["department"] * 6 + ["township"] * 2 + ["subdistrict"]


def _uscc(n: int) -> str:
    prefix = f"11360100MB{n:07d}"
    return prefix + uscc_check_char(prefix)


def _date(rng: random.Random, start: int = 2018, end: int = 2024) -> str:
    return f"{rng.randint(start, end - 1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def synthetic_cases(n: int, seed: int) -> dict[str, Any]:
    """N subjects: 1 body for every 8 public servants and 1 PPP project per 40; 0–5 events each."""
    rng = random.Random(seed)
    bodies = max(1, n // 10)
    projects = max(1, n // 40)
    persons = n - bodies - projects
    subjects: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    person_ids = [f"p-{i}" for i in range(persons)]
    for i in range(bodies):
        first, second = rng.choice(person_ids), rng.choice(person_ids)
        subjects.append({"id": _uscc(i), "type": "body", "body_kind": rng.choice(BODY_KINDS),
                         "principals": [{"person": first, "from": "2017-01-01", "to": "2021-06-30"},
                                        {"person": second, "from": "2021-07-01"}],
                         "ratings": [{"period": "2023", "score": rng.randint(70, 100)}]})
    for pid in person_ids:
        subjects.append({"id": pid, "type": "person", "person_kind": "civil_servant"})
    for i in range(projects):
        subjects.append({"id": f"ppp-{i}", "type": "project", "government_side": _uscc(i % bodies),
                         "stages": [{"stage": "execution", "responsible": rng.choice(person_ids),
                                     "from": "2019-01-01", "to": "2021-12-31"},
                                    {"stage": "execution", "responsible": rng.choice(person_ids),
                                     "from": "2022-01-01"}]})
    for subject in subjects:
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2, 3, 5])):
            day = _date(rng)
            event: dict[str, Any] = {"id": f"e-{len(events)}", "subject": subject["id"], "kind": rng.choice(KINDS),
                                     "date": day, "impact": rng.choice(["general", "serious", "severe"]),
                                     "domain": rng.choice(["investment", "ppp", "debt", "procurement"])}
            if subject["type"] == "project":
                event.update(kind="contract_default", stage="execution")
            if rng.random() < 0.3:
                event["remedies"] = [{"kind": "recovered_loss", "date": day}]
            events.append(event)
    return {"as_of": "2024-06-30", "subjects": subjects, "events": events}


def median_seconds(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20241125)
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    load_seconds = median_seconds(lambda: _compile_checked(load_layers("jiangxi")), args.repeat)
    print(f"parse+check+compile jiangxi: {load_seconds * 1000:.1f} ms (median of {args.repeat})")

    policy = load_policy("jiangxi")
    data = synthetic_cases(args.subjects, args.seed)
    n, n_events = len(data["subjects"]), len(data["events"])
    start = time.perf_counter()
    facts = load_cases(data, policy)
    print(f"load {n} subjects, {n_events} events: {time.perf_counter() - start:.2f} s")
    for trace in ("full", "summary"):
        seconds = median_seconds(lambda trace=trace: evaluate(policy, facts, trace=trace), args.repeat)
        print(f"evaluate, {trace} trace: {n / seconds:,.0f} subjects/s ({seconds:.2f} s median of {args.repeat})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
