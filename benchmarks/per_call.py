"""Benchmark of one subject per call, as a credit platform decides on request: `evaluate()` on a case
file of one subject (validation included), against hand-written Python for the same rules on the
same subject (facts already validated, as the hand-written code cannot validate).

    python benchmarks/per_call.py [--calls N] [--repeat R]

Prints the median microseconds per call of R runs of N calls, at each trace level, and the ratio to
the hand-written code. Figures only: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from handwritten import decide
from synthetic import subjects

from zwcx_rules import evaluate, load_cases, load_policy

AS_OF = dt.date(2024, 6, 30)
SUBSET_POLICY = Path(__file__).parent / "jiangxi_subset.zwcx"


def one_subject_cases(n: int) -> list[dict[str, Any]]:
    """N case files of one subject each, with its events: bodies, projects and persons in the usual mix."""
    out = []
    for subject in subjects(n):
        events = [{"subject": subject["id"], **e} for e in subject.pop("events")]
        out.append({"as_of": AS_OF.isoformat(), "subjects": [subject], "events": events})
    return out


def microseconds_per_call(run: Any, calls: int, repeat: int) -> float:
    """The median over runs of the time per call; the garbage of earlier runs is collected first."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    policy = load_policy(SUBSET_POLICY)
    cases = one_subject_cases(args.calls)
    facts = [load_cases(case, policy) for case in cases]

    def hand() -> None:
        for loaded in facts:
            subject = loaded.subjects[0]
            decide(subject, loaded.events_of(subject.id), loaded.graph, AS_OF)

    hand_us = microseconds_per_call(hand, args.calls, args.repeat)
    print(f"hand-written, one subject per call (facts validated beforehand): {hand_us:.1f} µs")
    for trace in ("none", "summary", "full"):
        def engine(trace: str = trace) -> None:
            for case in cases:
                evaluate(policy, case, trace=trace)  # type: ignore[arg-type]

        engine_us = microseconds_per_call(engine, args.calls, args.repeat)
        print(f"evaluate(), one subject per call, trace {trace}: {engine_us:.1f} µs "
              f"(hand-written / engine = {hand_us / engine_us:.3f})")


if __name__ == "__main__":
    main()
