"""Parquet output: one flat row per outcome, so DuckDB, polars or Spark read it directly."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("line", pa.int64()),
    ("decision_subject", pa.string()),
    ("subject", pa.string()),
    ("measure", pa.string()),
    ("kind", pa.string()),
    ("status", pa.string()),
    ("clause", pa.string()),
    ("cite", pa.string()),
    ("rule", pa.string()),
    ("layer", pa.string()),
    ("deadline", pa.date32()),
    ("until", pa.date32()),
    ("events", pa.string()),
    ("discretionary", pa.bool_()),
])


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """One chunk's rows, written under a temporary name and renamed."""
    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), temporary)
    os.replace(temporary, path)


class ParquetAppender:
    """The chunks' rows in order, in one file, appended a chunk at a time (one in memory at once)."""

    def __init__(self, path: Path) -> None:
        self.writer = pq.ParquetWriter(path, SCHEMA)

    def append(self, part: Path) -> None:
        self.writer.write_table(pq.read_table(part, schema=SCHEMA))

    def close(self) -> None:
        self.writer.close()
