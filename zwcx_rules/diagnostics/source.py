"""Source files and spans: every diagnostic and AST node points back into the text it came from."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    """A half-open character range in one source file, with 1-based line and column of its start."""

    model_config = ConfigDict(frozen=True)

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def contains(self, other: Span) -> bool:
        return self.file == other.file and self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class SourceFile:
    """The text of one policy file and the offsets of its line starts (for spans from offsets)."""

    name: str
    text: str
    path: Path | None = None
    _line_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        object.__setattr__(self, "_line_starts", tuple(starts))

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> SourceFile:
        return cls(name=name or str(path), text=path.read_text(encoding="utf-8"), path=path)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(
            file=self.name, start=start, end=end, line=line, column=column,
            end_line=end_line, end_column=end_column,
        )

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its newline."""
        if not 1 <= line <= len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]
