"""The one error type: a list of diagnostics, each with a code, a span or a JSON path, and help.

Codes are listed in docs/errors.md. ``str(error)`` is one line per diagnostic; the multi-line,
compiler-style rendering lives in :mod:`zwcx_rules.diagnostics.render`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from zwcx_rules.diagnostics.source import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(BaseModel):
    """One finding: where (a span in a policy file, or a file and JSON path in a case file), what, and what to do."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    severity: Severity = Severity.ERROR
    span: Span | None = None
    label: str | None = None
    file: str | None = None
    json_path: str | None = None
    help: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        if self.span is not None:
            return str(self.span)
        if self.json_path is not None:
            return f"{self.file or '<input>'}: {self.json_path}"
        return self.file or "<input>"

    def sort_key(self) -> tuple[str, int, tuple[tuple[int, str], ...]]:
        if self.span is not None:
            return (self.span.file, self.span.start, ((0, self.code),))
        # JSON paths sort with their indices as numbers: $.subjects[2] before $.subjects[10]
        parts = re.split(r"(\d+)", self.json_path or "")
        return (self.file or "", 0, tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts))

    def __str__(self) -> str:
        return f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"


class ZwcxError(Exception):
    """Raised by any phase that cannot produce its output; carries every diagnostic it found."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]
