"""Benchmark: load the Jiangxi policy, then evaluate N synthetic subjects with full and summary traces.

    python benchmarks/evaluate.py [--subjects N] [--repeat R] [--seed S]

Prints medians over R runs and the peak resident memory. Figures only: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import time
from typing import Any

from synthetic import case_file

from zwcx_rules import evaluate, load_cases, load_policy
from zwcx_rules.api import _compile_checked
from zwcx_rules.semantics.resolve import load_layers


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
    data = case_file(args.subjects, args.seed)
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
