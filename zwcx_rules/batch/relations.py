"""The relations of a whole batch input in an SQLite file: built in one streaming pass, read by workers.

Lines refer to each other by id (a body's principals, a person's positions, a project's stages),
so the first pass stores every relation on disk. Memory does not grow with the input: a worker
keeps only SQLite's page cache, and the file costs about 160 bytes per relation on disk.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from zwcx_rules.batch.inputs import loads
from zwcx_rules.catalogue import Catalogue
from zwcx_rules.facts.graph import Relations

# Rows go in as stated, unindexed; closing indexes them in one sort. A relation stated twice (on
# the body's line and on the person's) is stored twice and read once (`_unique`), and a repeated
# subject id's first line is its least: both cheaper than unique B-trees kept up per insert.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS edges (
  src TEXT NOT NULL, dst TEXT NOT NULL, kind TEXT NOT NULL,
  role TEXT, stage TEXT, start TEXT, finish TEXT
);
CREATE TABLE IF NOT EXISTS subjects (id TEXT NOT NULL, line INTEGER NOT NULL);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS edges_out ON edges (src, kind);
CREATE INDEX IF NOT EXISTS edges_in ON edges (dst, kind);
CREATE INDEX IF NOT EXISTS subjects_id ON subjects (id, line);
"""
Edge = tuple[str, str, str, str, str, str, str]
"""(src, dst, kind, role, stage, start, finish); absent values are '' so equal edges compare equal."""


def _date(value: Any) -> str | None:
    """An ISO date string, or None for anything that is not one (pass 2 reports it)."""
    return _iso(value) if isinstance(value, str) else None


@lru_cache(maxsize=1 << 16)
def _iso(value: str) -> str | None:
    # a province's tenures start on a few thousand distinct days: parse each once
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def raw_edges(subject: dict[str, Any], catalogue: Catalogue) -> Iterator[Edge]:
    """The relations one input line states, read from its raw JSON (the same edges as
    :func:`zwcx_rules.facts.graph.subject_edges` gives for the validated subject)."""
    sid = subject.get("id")
    if not isinstance(sid, str):
        return
    for tenure in subject.get("principals") or ():
        if isinstance(tenure, dict) and isinstance(tenure.get("person"), str) and (start := _date(tenure.get("from"))):
            yield sid, tenure["person"], "principal", "", "", start, _date(tenure.get("to")) or ""
    for position in subject.get("positions") or ():
        if not (isinstance(position, dict) and isinstance(position.get("body"), str)):
            continue
        start, finish = _date(position.get("from")), _date(position.get("to")) or ""
        role = catalogue.normalise("role", str(position.get("role"))) or str(position.get("role"))
        if start is None:
            continue
        yield sid, position["body"], "position", role, "", start, finish
        if role == "principal":
            yield position["body"], sid, "principal", "", "", start, finish
    if isinstance(subject.get("parent"), str):
        yield sid, subject["parent"], "parent", "", "", "", ""
    for stage in subject.get("stages") or ():
        if isinstance(stage, dict) and isinstance(stage.get("responsible"), str) and (start := _date(stage.get("from"))):
            name = catalogue.normalise("stage", str(stage.get("stage"))) or str(stage.get("stage"))
            yield sid, stage["responsible"], "stage", "", name, start, _date(stage.get("to")) or ""
    if isinstance(subject.get("government_side"), str):
        yield sid, subject["government_side"], "government_side", "", "", "", ""


class RelationStore(Relations):
    """Relations read from the SQLite file of a batch run (one read-only connection per process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._db.execute("PRAGMA cache_size = -8000")  # 8 MB of pages, whatever the input size
        self._out_cached = lru_cache(maxsize=4096)(self._query_out)

    def _query_out(self, node: str, kind: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        rows = self._db.execute(
            "SELECT dst, role, stage, start, finish FROM edges WHERE src = ? AND kind = ? ORDER BY rowid",
            (node, kind)).fetchall()
        return tuple((dst, _attrs(kind, role, stage, start, finish))
                     for dst, role, stage, start, finish in _unique(rows))

    def _out(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self._out_cached(node, kind)

    def _in(self, node: str, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        rows = self._db.execute(
            "SELECT src, role, stage, start, finish FROM edges WHERE dst = ? AND kind = ? ORDER BY rowid",
            (node, kind)).fetchall()
        for src, role, stage, start, finish in _unique(rows):
            yield src, _attrs(kind, role, stage, start, finish)

    def close(self) -> None:
        self._db.close()


def _unique(rows: list[Any]) -> list[Any]:
    """Rows in order, each once (an edge stated on two lines is stored twice)."""
    return list(dict.fromkeys(rows)) if len(rows) > 1 else rows


def _attrs(kind: str, role: str, stage: str, start: str, finish: str) -> dict[str, Any]:
    return {"kind": kind, "role": role or None, "stage": stage or None,
            "from": dt.date.fromisoformat(start) if start else None,
            "to": dt.date.fromisoformat(finish) if finish else None}


class RelationWriter:
    """Writes the relations file in one pass; remembers the first line of each subject id."""

    def __init__(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        self._edges: list[Edge] = []
        self._subjects: list[tuple[str, int]] = []

    def add(self, subject: dict[str, Any], line: int, catalogue: Catalogue) -> None:
        """One parsed input line's subject id and relations."""
        ids = [(subject["id"], line)] if isinstance(subject.get("id"), str) else []
        self.add_many(ids, list(raw_edges(subject, catalogue)))

    def add_many(self, subjects: list[tuple[str, int]], edges: list[Edge]) -> None:
        """What :func:`relations_of` read off a run of lines, in input order."""
        self._subjects.extend(subjects)
        self._edges.extend(edges)
        if len(self._edges) > 50_000:
            self.flush()

    def flush(self) -> None:
        self._db.executemany("INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?)", self._edges)
        self._db.executemany("INSERT INTO subjects VALUES (?, ?)", self._subjects)
        self._edges.clear()
        self._subjects.clear()

    def close(self) -> None:
        self.flush()
        self._db.executescript(_INDEXES)
        self._db.commit()
        self._db.close()


def relations_of(lines: Iterable[tuple[int, str]], catalogue: Catalogue) -> tuple[list[tuple[str, int]], list[Edge]]:
    """The subject ids (with their line numbers) and the relations of some input lines; a line that
    is not a JSON object states none (the second pass reports it)."""
    subjects: list[tuple[str, int]] = []
    edges: list[Edge] = []
    for number, text in lines:
        try:
            data = loads(text)
        except ValueError:
            continue
        if isinstance(data, dict):
            if isinstance(data.get("id"), str):
                subjects.append((data["id"], number))
            edges.extend(raw_edges(data, catalogue))
    return subjects, edges


def first_lines(path: Path, ids: Iterable[str]) -> dict[str, int]:
    """The first input line of each of these subject ids (to report a repeated id on a later line)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        wanted = list(ids)
        out: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            marks = ",".join("?" * len(part))
            out.update(db.execute(f"SELECT id, min(line) FROM subjects WHERE id IN ({marks}) GROUP BY id",
                                  part).fetchall())
        return out
    finally:
        db.close()
