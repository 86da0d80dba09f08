"""Batch inputs: JSON Lines (one subject a line, its events nested) or Parquet of the same shape.

Both are read as a stream of numbered lines, so chunks, line numbers in errors and the input digest
mean the same for either. Blank lines are skipped; they are not subjects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError

loads: Callable[[str], Any] = json.loads
try:  # a faster parser when the `scale` extra is installed; the standard one otherwise
    import orjson

    loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    pass

Line = tuple[int, str]


@dataclass(frozen=True)
class BatchInput:
    path: Path

    @cached_property
    def is_parquet(self) -> bool:
        return self.path.is_dir() or self.path.suffix == ".parquet"

    def files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(p for p in self.path.rglob("*.parquet") if p.is_file())
        return [self.path]

    @cached_property
    def digest_value(self) -> str:
        hasher = hashlib.sha256()
        for file in self.files():
            with file.open("rb") as handle:
                while block := handle.read(1 << 20):
                    hasher.update(block)
        return "sha256:" + hasher.hexdigest()

    def digest(self) -> str:
        """sha256 of the input's bytes (a folder: its Parquet files in name order)."""
        return self.digest_value

    def lines(self) -> Iterator[Line]:
        """Every non-blank line with its 1-based number (a Parquet row is a line, numbered in order)."""
        if not self.is_parquet:
            with self.path.open("r", encoding="utf-8-sig") as handle:
                for number, text in enumerate(handle, start=1):
                    if text.strip():
                        yield number, text
            return
        import pyarrow.parquet as pq

        number = 0
        for file in self.files():
            for batch in pq.ParquetFile(file).iter_batches(batch_size=4096):
                for row in batch.to_pylist():
                    number += 1
                    yield number, json.dumps(_plain(row), ensure_ascii=False)

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The lines that parse as JSON objects (the relations pass skips the others)."""
        for number, text in self.lines():
            try:
                data = loads(text)
            except ValueError:
                continue
            if isinstance(data, dict):
                yield number, data

    def count(self) -> int:
        return sum(1 for _ in self.lines())

    def chunks(self, size: int) -> Iterator[tuple[int, list[Line]]]:
        """Consecutive groups of `size` lines, numbered from 0: the unit of work and of resuming."""
        chunk: list[Line] = []
        index = 0
        for line in self.lines():
            chunk.append(line)
            if len(chunk) == size:
                yield index, chunk
                index, chunk = index + 1, []
        if chunk:
            yield index, chunk


def _plain(value: Any) -> Any:
    """Parquet values as JSON values: dates as ISO strings, nulls inside structs dropped."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def open_input(path: Path) -> BatchInput:
    """A batch input, or a clear error if there is none at that path."""
    if not path.exists():
        raise ZwcxError(Diagnostic(code="Z901", file=str(path), message="no batch input at this path",
                                   help="give a JSON Lines file, a Parquet file or a folder of Parquet files"))
    source = BatchInput(path)
    if source.is_parquet and not source.files():
        raise ZwcxError(Diagnostic(code="Z901", file=str(path), message="no Parquet files in this folder",
                                   help="give a JSON Lines file, a Parquet file or a folder of Parquet files"))
    return source
