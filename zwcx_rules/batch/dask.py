"""The same batch job on a Dask cluster: the compiled plan and the relations file reach each worker
once (a worker plugin), and each task decides one chunk with the code the local pool runs.

    zwcx batch jiangxi subjects.jsonl --out run/ --engine dask --scheduler tcp://10.0.0.5:8786

or, from Python, on a bag of subject dicts (each with its events nested)::

    import dask.bag as db
    from zwcx_rules.batch.dask import evaluate
    decisions = evaluate("jiangxi", db.read_text("subjects-*.jsonl").map(json.loads), as_of="2024-06-30")

Needs the `scale` extra: ``pip install 'zwcx-rules[scale]'``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from zwcx_rules import api
from zwcx_rules.batch import runner
from zwcx_rules.batch.chunk import ChunkResult, Line, Trace, run_chunk
from zwcx_rules.batch.relations import RelationStore, RelationWriter, first_lines


class ZwcxPlugin(WorkerPlugin):
    """Sets up each worker once: the compiled policy and its own copy of the relations file."""

    name = "zwcx"

    def __init__(self, policy: api.Policy, relations: bytes, as_of: dt.date, trace: Trace, rows: bool) -> None:
        self.policy, self.relations, self.as_of, self.trace, self.rows = policy, relations, as_of, trace, rows

    def setup(self, worker: Any) -> None:
        path = Path(worker.local_directory) / "zwcx-relations.sqlite"
        path.write_bytes(self.relations)
        plan = self.policy.plan_on(self.as_of)
        assert plan is not None
        runner.set_context(runner.ChunkContext(policy=self.policy, plan=plan, relations=RelationStore(path),
                                               as_of=self.as_of, trace=self.trace, rows=self.rows), path)


def _decide(index: int, lines: list[Line]) -> ChunkResult:
    """A task: one chunk, on a worker the plugin has set up."""
    return runner.process_chunk(index, lines, None)


def _client(scheduler: str | None, workers: int) -> Client:
    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           dashboard_address=":0")
    return Client(cluster)


def chunk_mapper(scheduler: str | None) -> Callable[..., Iterator[ChunkResult]]:
    """A replacement for the local pool in :func:`zwcx_rules.batch.run_batch` that runs on Dask."""
    def run(options: runner.BatchOptions, as_of: dt.date, relations: Path,
            work: Iterator[tuple[int, list[Line]]]) -> Iterator[ChunkResult]:
        policy = api.load_policy(options.policy)
        with _client(scheduler, options.workers) as client:
            client.register_plugin(ZwcxPlugin(policy, relations.read_bytes(), as_of, options.trace,
                                              options.format == "parquet"))
            window = 4 * max(1, len(client.scheduler_info().get("workers", {})))
            pending = as_completed()
            in_flight = 0
            for index, lines in work:
                pending.add(client.submit(_decide, index, lines, pure=False))
                in_flight += 1
                if in_flight >= window:
                    yield next(pending).result()
                    in_flight -= 1
            for future in pending:
                yield future.result()
    return run


def evaluate(policy: str | api.Policy, subjects: Any, as_of: str | dt.date, *, trace: Trace = "summary",
             client: Client | None = None) -> Any:
    """Decide a Dask bag of subject dicts (events nested), or a Dask DataFrame of such rows.

    Returns a bag of decision objects (the interchange JSON, as dicts) in the bag's order. The
    relations of all subjects are gathered first (a relations file shipped once to each worker).
    """
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    loaded = policy if isinstance(policy, api.Policy) else api.load_policy(policy)
    bag = subjects.to_bag(format="dict") if hasattr(subjects, "to_bag") else subjects
    folder = Path(tempfile.mkdtemp(prefix="zwcx-"))
    writer = RelationWriter(folder / "relations.sqlite")
    for number, subject in enumerate(bag.compute(), start=1):
        writer.add(subject, number, loaded.resolved.catalogue)
    writer.close()
    owned = client is None
    client = client or _client(None, 0)
    client.register_plugin(ZwcxPlugin(loaded, (folder / "relations.sqlite").read_bytes(), day, trace, False))

    def partition(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        lines = [(i + 1, json.dumps(item, ensure_ascii=False, default=str)) for i, item in enumerate(items)]
        assert runner._CONTEXT is not None, "the zwcx worker plugin is not registered"
        # line numbers are the partition's own here, so no first-line lookup for repeated ids
        return [json.loads(d) for d in run_chunk(runner._CONTEXT, 0, lines).decisions]

    out = bag.map_partitions(partition)
    if owned:
        out = out.persist()
    return out


__all__ = ["ZwcxPlugin", "chunk_mapper", "evaluate", "first_lines", "run_chunk"]
