"""Benchmark of the batch path: the engine against hand-written Python, `zwcx batch` on 1 and all
cores and on a Dask LocalCluster, and peak memory at N/10 and N.

    python benchmarks/batch.py [--subjects N] [--sample S] [--skip-dask]

Prints figures; asserts nothing about speed. The engine's outcomes on the hand-written subset are
checked equal first, so the ratio compares like with like.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from handwritten import decide
from synthetic import case_file, write_jsonl

from zwcx_rules import load_cases, load_policy
from zwcx_rules.engine.evaluate import Draft, SubjectEvaluator

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 30)


def median_rate(run: object, n: int, repeat: int = 5) -> float:
    """Subjects per second, the median of several runs. Each run starts with the garbage of the
    previous ones collected, so none pays for another; the collector stays on while it runs."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return n / statistics.median(times)


SUBSET_POLICY = Path(__file__).parent / "jiangxi_subset.zwcx"


def in_process(sample: int) -> None:
    policy = load_policy(SUBSET_POLICY)
    facts = load_cases(case_file(sample), policy)
    plan = policy.plan_on(AS_OF)
    assert plan is not None

    def engine(trace: str) -> list[Sequence[Draft]]:
        # the outcomes as the engine holds them (what batch output is written from)
        evaluator = SubjectEvaluator(plan, facts, AS_OF, trace)  # type: ignore[arg-type]
        return [drafts for _records, drafts in evaluator.evaluate_all(facts.subjects)]

    def hand() -> list[list[object]]:
        return [decide(s, facts.events_of(s.id), facts.graph, AS_OF) for s in facts.subjects]

    expected = [sorted(o) for o in hand()]
    got = [sorted((s.id, o.measure, o.status, tuple(o.events), o.subject) for o in outcomes)
           for s, outcomes in zip(facts.subjects, engine("summary"), strict=True)]
    assert got == expected, "the engine and the hand-written subset disagree"
    print(f"checked: engine == hand-written on the subset for {sample:,} subjects "
          f"({sum(map(len, expected)):,} outcomes)")
    hand_rate = median_rate(hand, sample)
    print(f"hand-written subset: {hand_rate:,.0f} subjects/s")
    for trace in ("full", "summary", "none"):
        rate = median_rate(lambda trace=trace: engine(trace), sample)
        print(f"engine, the same subset (jiangxi_subset.zwcx), trace {trace}: {rate:,.0f} subjects/s "
              f"(engine / hand-written = {rate / hand_rate:.2f})")


_PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)")


def batch(source: Path, workers: int, engine: str = "local", trace: str = "none") -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, largest process) of one `zwcx batch` run."""
    out = Path(tempfile.mkdtemp(prefix="zwcx-bench-"))
    command = [sys.executable, "-m", "zwcx_rules.cli", "batch", "jiangxi", str(source), "--out", str(out / "run"),
               "--as-of", AS_OF.isoformat(), "--workers", str(workers), "--trace", trace, "--engine", engine]
    # a fresh parent per run: its RUSAGE_CHILDREN peak is this run's largest process, workers included
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak = int(done.stdout.strip().splitlines()[-1]) / 1024
    summary = json.loads((out / "run" / "summary.json").read_text("utf-8"))
    assert summary["errors"] == 0
    shutil.rmtree(out)
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000, help="subjects for the in-process figures")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    in_process(min(args.sample, args.subjects))
    folder = Path(tempfile.mkdtemp(prefix="zwcx-input-"))
    small = write_jsonl(folder / "small.jsonl", args.subjects // 10)
    full = write_jsonl(folder / "full.jsonl", args.subjects)
    print(f"input: {args.subjects:,} subjects, {full.stat().st_size / 2**20:,.0f} MiB of JSON Lines")
    for workers in sorted({1, cores}):
        seconds, peak = batch(full, workers)
        print(f"zwcx batch --workers {workers} --trace none: {seconds:.1f} s, "
              f"{args.subjects / seconds:,.0f} subjects/s, peak RSS {peak:,.0f} MiB")
    if not args.skip_dask:
        seconds, peak = batch(full, cores, engine="dask")
        print(f"zwcx batch --engine dask (LocalCluster, {cores} workers): {seconds:.1f} s, "
              f"{args.subjects / seconds:,.0f} subjects/s")
    _seconds, small_peak = batch(small, 1)
    seconds, peak = batch(full, 1)
    print(f"peak RSS, one worker: {small_peak:,.0f} MiB at N/10, {peak:,.0f} MiB at N "
          f"(ratio {peak / small_peak:.2f})")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
