"""A batch run: relations pass, chunks on every core, ordered outputs, resumable after a kill.

Layout of the output folder::

    manifest.json      what this run is (input and policy digests, options) — checked on --resume
    relations.sqlite   the relations of the whole input (first pass)
    chunks/            one finished file per chunk, written under a temporary name and renamed
    decisions.jsonl | decisions.parquet, errors.jsonl, summary.json   (assembled at the end)

Chunk boundaries depend only on the chunk size, so any number of workers writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zwcx_rules.api import Policy, load_policy
from zwcx_rules.batch.chunk import ChunkContext, ChunkResult, Line, Trace, run_chunk
from zwcx_rules.batch.inputs import BatchInput, open_input
from zwcx_rules.batch.relations import Edge, RelationStore, RelationWriter, first_lines, relations_of
from zwcx_rules.catalogue import Catalogue
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.facts.graph import gc_paused

Format = Literal["jsonl", "parquet"]
Progress = Callable[[int, int], None]
"""Called with (subjects done, subjects in all) as chunks finish."""


@dataclass(frozen=True)
class BatchOptions:
    policy: str
    input: Path
    out: Path
    as_of: dt.date | None = None
    workers: int = 0
    """0: every core."""
    trace: Trace = "summary"
    format: Format = "jsonl"
    resume: bool = False
    max_errors: int | None = None
    chunk_size: int = 2000


@dataclass
class BatchSummary:
    subjects: int = 0
    errors: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    stopped_early: bool = False
    seconds: float = 0.0


def run_batch(options: BatchOptions, progress: Progress | None = None,
              map_chunks: Callable[..., Iterator[ChunkResult]] | None = None) -> BatchSummary:
    """Run (or resume) a batch; returns its summary. ``map_chunks`` replaces the local pool (Dask)."""
    started = time.perf_counter()
    policy = load_policy(options.policy)
    source = open_input(options.input)
    chunks_dir = options.out / "chunks"
    manifest = _manifest(options, policy, source)
    _prepare(options, manifest)
    relations = options.out / "relations.sqlite"
    if not (options.resume and relations.is_file() and (options.out / ".relations-done").is_file()):
        _write_relations(options, policy, source, relations)
        (options.out / ".relations-done").write_text("ok\n", "utf-8")
    total = source.count() if progress is not None else 0  # a whole read of the input: only for a bar
    as_of = options.as_of or manifest_as_of(manifest)
    work = ((index, lines) for index, lines in source.chunks(options.chunk_size)
            if not _done(chunks_dir, index, options.format))
    summary = BatchSummary()
    for index in _finished(chunks_dir, options.format):
        _add(summary, _read_counts(chunks_dir, index))
    runner = map_chunks or _local_pool
    assembler = _Assembler(options, chunks_dir)
    try:
        for result in runner(options, as_of, relations, work):
            if not result.written:
                _write_chunk(chunks_dir, result, options.format)
            _add(summary, _counts_of(result))
            assembler.advance()
            if progress is not None:
                progress(summary.subjects + summary.errors, total)
            if options.max_errors is not None and summary.errors > options.max_errors:
                summary.stopped_early = True
                break
        if not summary.stopped_early:
            assembler.finish()
    finally:
        assembler.close()
    summary.seconds = time.perf_counter() - started
    _write_json(options.out / "summary.json", {
        "subjects": summary.subjects, "errors": summary.errors, "stopped_early": summary.stopped_early,
        "counts": {k.replace("\t", " "): v for k, v in sorted(summary.counts.items())},
        "policy": {"id": policy.id, "chain": list(policy.chain), "digest": policy.digest},
        "input": {"path": str(options.input), "digest": source.digest()},
        "as_of": as_of.isoformat(), "trace": options.trace, "format": options.format,
        "wall_seconds": round(summary.seconds, 3),
    })
    return summary


# ---- the relations pass ------------------------------------------------------------------------

def _write_relations(options: BatchOptions, policy: Policy, source: BatchInput, path: Path) -> None:
    """The first pass: every relation the input states, into the relations file.

    With several workers, they parse the lines and read off the relations while this process
    writes what they send back, in input order (the first line of a repeated id stays first)."""
    writer = RelationWriter(path)
    catalogue = policy.resolved.catalogue
    workers = options.workers or os.cpu_count() or 1
    with gc_paused():  # parsed lines are dropped as they go: no cycles for the collector to find
        if workers == 1:
            for _index, lines in source.chunks(options.chunk_size * 5):
                writer.add_many(*relations_of(lines, catalogue))
        else:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_relations,
                                     initargs=(catalogue,)) as pool:
                pending: deque[Future[tuple[list[tuple[str, int]], list[Edge]]]] = deque()
                for _index, lines in source.chunks(options.chunk_size * 5):
                    pending.append(pool.submit(_relations_of, lines))
                    if len(pending) >= 2 * workers:
                        writer.add_many(*pending.popleft().result())
                while pending:
                    writer.add_many(*pending.popleft().result())
    writer.close()


_CATALOGUE: Catalogue | None = None


def _init_relations(catalogue: Catalogue) -> None:
    global _CATALOGUE
    _CATALOGUE = catalogue


def _relations_of(lines: list[Line]) -> tuple[list[tuple[str, int]], list[Edge]]:
    assert _CATALOGUE is not None
    return relations_of(lines, _CATALOGUE)


# ---- the run's identity ------------------------------------------------------------------------

def _manifest(options: BatchOptions, policy: Policy, source: BatchInput) -> dict[str, Any]:
    return {"input_digest": source.digest(), "policy_digest": policy.digest, "policy": policy.id,
            "as_of": options.as_of.isoformat() if options.as_of else None, "trace": options.trace,
            "format": options.format, "chunk_size": options.chunk_size}


def manifest_as_of(manifest: dict[str, Any]) -> dt.date:
    if manifest["as_of"] is None:
        raise ZwcxError(Diagnostic(code="Z609", message="no date to decide on",
                                   help="give --as-of: a batch input has no case-file `as_of`"))
    return dt.date.fromisoformat(manifest["as_of"])


def _prepare(options: BatchOptions, manifest: dict[str, Any]) -> None:
    """Create the output folder, or check that a resumed one belongs to the same run."""
    path = options.out / "manifest.json"
    if path.is_file():
        previous = json.loads(path.read_text("utf-8"))
        if not options.resume:
            raise ZwcxError(Diagnostic(
                code="Z902", file=str(options.out), message="the output folder already holds a batch run",
                help="add --resume to finish that run, or choose another --out"))
        changed = [key for key in manifest if previous.get(key) != manifest[key]]
        if changed:
            raise ZwcxError(Diagnostic(
                code="Z903", file=str(options.out),
                message=f"cannot resume: {', '.join(changed)} changed since the run began",
                help="resume with the same policy, input and options, or start again in another --out"))
        return
    options.out.mkdir(parents=True, exist_ok=True)
    (options.out / "chunks").mkdir(exist_ok=True)
    _write_json(path, manifest)


# ---- chunks ----------------------------------------------------------------------------------------

def _chunk_name(index: int, suffix: str) -> str:
    return f"{index:08d}.{suffix}"


def _done(chunks: Path, index: int, format: Format) -> bool:
    return (chunks / _chunk_name(index, "counts.json")).is_file()


def _finished(chunks: Path, format: Format) -> list[int]:
    return sorted(int(p.name.split(".")[0]) for p in chunks.glob("*.counts.json"))


def _write_chunk(chunks: Path, result: ChunkResult, format: Format) -> None:
    """Write a chunk's files under temporary names and rename them; the counts file goes last and
    marks the chunk done, so a kill at any moment leaves either a whole chunk or none."""
    if format == "parquet":
        from zwcx_rules.batch.outputs import write_rows

        write_rows(chunks / _chunk_name(result.index, "parquet"), result.rows)
    else:
        _write_text(chunks / _chunk_name(result.index, "jsonl"), "".join(d + "\n" for d in result.decisions))
    _write_text(chunks / _chunk_name(result.index, "errors.jsonl"), "".join(e + "\n" for e in result.errors))
    _write_json(chunks / _chunk_name(result.index, "counts.json"), _counts_of(result))


def _counts_of(result: ChunkResult) -> dict[str, Any]:
    return {"subjects": result.subjects, "errors": len(result.errors), "counts": dict(result.counts)}


def _read_counts(chunks: Path, index: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((chunks / _chunk_name(index, "counts.json")).read_text("utf-8"))
    return data


def _add(summary: BatchSummary, counts: dict[str, Any]) -> None:
    summary.subjects += counts["subjects"]
    summary.errors += counts["errors"]
    summary.counts.update(counts["counts"])


class _Assembler:
    """Appends finished chunks to the final files in input order while the run goes on, so the
    output is written as the chunks are and not all over again at the end. The files are built
    under temporary names and renamed only when every chunk is in; a resumed run builds them anew
    from the chunk files, which stay the record of what is done."""

    def __init__(self, options: BatchOptions, chunks: Path) -> None:
        self.chunks, self.format, self.out, self.next = chunks, options.format, options.out, 0
        self.errors = (options.out / "errors.jsonl.tmp").open("wb")
        self.decisions: Any
        if self.format == "parquet":
            from zwcx_rules.batch.outputs import ParquetAppender

            self.decisions = ParquetAppender(options.out / "decisions.parquet.tmp")
        else:
            self.decisions = (options.out / "decisions.jsonl.tmp").open("wb")

    def advance(self) -> None:
        """Append every finished chunk that follows the ones already in."""
        while _done(self.chunks, self.next, self.format):
            name = _chunk_name(self.next, "parquet" if self.format == "parquet" else "jsonl")
            if self.format == "parquet":
                self.decisions.append(self.chunks / name)
            else:
                _append(self.chunks / name, self.decisions)
            _append(self.chunks / _chunk_name(self.next, "errors.jsonl"), self.errors)
            self.next += 1

    def finish(self) -> None:
        self.advance()
        self.close()
        suffix = "parquet" if self.format == "parquet" else "jsonl"
        os.replace(self.out / f"decisions.{suffix}.tmp", self.out / f"decisions.{suffix}")
        os.replace(self.out / "errors.jsonl.tmp", self.out / "errors.jsonl")

    def close(self) -> None:
        self.decisions.close()
        self.errors.close()


def _append(part: Path, out: Any) -> None:
    with part.open("rb") as chunk:
        shutil.copyfileobj(chunk, out, 1 << 20)


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def _write_json(path: Path, data: Any) -> None:
    _write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


# ---- the local pool ------------------------------------------------------------------------------

_CONTEXT: ChunkContext | None = None
_RELATIONS: Path | None = None


def set_context(context: ChunkContext, relations: Path) -> None:
    """Make this process a worker (the local pool's initializer, or the Dask worker plugin)."""
    global _CONTEXT, _RELATIONS
    _CONTEXT, _RELATIONS = context, relations


def worker_context(policy: str, relations: Path, as_of: dt.date, trace: Trace, rows: bool) -> ChunkContext:
    """The per-process context: the policy compiled once, the relations file opened read-only."""
    loaded = load_policy(policy)
    plan = loaded.plan_on(as_of)
    if plan is None:
        raise ZwcxError(Diagnostic(code="Z611", message=f"policy `{loaded.id}` is not in force on {as_of}",
                                   help="choose an --as-of date within the policy's `effective` period"))
    return ChunkContext(policy=loaded, plan=plan, relations=RelationStore(relations), as_of=as_of,
                        trace=trace, rows=rows)


def _init_worker(policy: str, relations: Path, as_of: dt.date, trace: Trace, rows: bool) -> None:
    set_context(worker_context(policy, relations, as_of, trace, rows), relations)


def process_chunk(index: int, lines: list[Line], relations: Path | None) -> ChunkResult:
    """Run one chunk in a worker whose context is set; duplicate ids are looked up first."""
    path = relations or _RELATIONS
    assert _CONTEXT is not None and path is not None
    return run_chunk(_CONTEXT, index, lines, lambda ids: first_lines(path, ids))


def _process_and_write(index: int, lines: list[Line], relations: Path, chunks: Path, format: Format) -> ChunkResult:
    """In a local worker: decide the chunk and write its files, sending back only the counts (the
    decisions would otherwise cross a pipe to be written by the parent)."""
    result = process_chunk(index, lines, relations)
    _write_chunk(chunks, result, format)
    return ChunkResult(index=result.index, errors=result.errors, counts=result.counts, subjects=result.subjects,
                       written=True)


def _local_pool(options: BatchOptions, as_of: dt.date, relations: Path,
                work: Iterator[tuple[int, list[Line]]]) -> Iterator[ChunkResult]:
    """Chunks on every core, at most two per worker in flight (memory does not grow with the input)."""
    workers = options.workers or os.cpu_count() or 1
    initargs = (options.policy, relations, as_of, options.trace, options.format == "parquet")
    if workers == 1:
        _init_worker(*initargs)
        for index, lines in work:
            yield process_chunk(index, lines, relations)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=initargs) as pool:
        pending: set[Future[ChunkResult]] = set()
        for index, lines in work:
            pending.add(pool.submit(_process_and_write, index, lines, relations, options.out / "chunks",
                                    options.format))
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        for future in pending:
            yield future.result()


def input_digest(path: Path) -> str:
    """sha256 of an input file, or of a folder's files in name order."""
    hasher = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            while block := handle.read(1 << 20):
                hasher.update(block)
    return "sha256:" + hasher.hexdigest()
