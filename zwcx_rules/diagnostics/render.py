"""Diagnostics as a compiler prints them: header, location, the source line with a caret, notes and help.

All multi-line rendering of diagnostics lives here; the CLI only chooses what to print and where.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from zwcx_rules.diagnostics.errors import Diagnostic
from zwcx_rules.diagnostics.messages_zh import translate
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.identifiers import mask_if_id_number

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """Mask every 公民身份号码 in a line of a file before it is printed (a case file may hold them)."""
    return _ID_NUMBER.sub(lambda m: mask_if_id_number(m.group(0)), text)


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


_WORDS = {
    "en": {"error": "error", "warning": "warning", "colon": ": ", "note": "note: ", "help": "help: "},
    "zh": {"error": "错误", "warning": "警告", "colon": "：", "note": "说明：", "help": "建议："},
}


def render_diagnostic(diagnostic: Diagnostic, sources: dict[str, SourceFile] | None = None, lang: str = "en") -> str:
    """rustc-style: header, location, the source line with a caret under the span, notes and help.

    With ``lang="zh"`` the diagnostic is translated (:func:`zwcx_rules.diagnostics.messages_zh.translate`) and the
    words of the layout are Chinese; codes, places and the source line stay as they are.
    """
    words = _WORDS["zh" if lang == "zh" else "en"]
    if lang == "zh":
        diagnostic = translate(diagnostic)
    lines = [f"{words[diagnostic.severity.value]}[{diagnostic.code}]{words['colon']}{diagnostic.message}"]
    span = diagnostic.span
    if span is None:
        lines.append(f"  --> {diagnostic.location()}")
    else:
        lines.append(f"  --> {span}")
        source = (sources or {}).get(span.file) or _read(span.file)
        if source is not None:
            text = mask_id_numbers(source.line_text(span.line)).replace("\t", " ")  # a tab is one column here
            gutter = " " * len(str(span.line))
            start = width(text[: span.column - 1])
            end_column = span.end_column if span.end_line == span.line else len(text) + 1
            marks = "^" * max(1, width(text[span.column - 1 : end_column - 1]))
            label = f" {diagnostic.label}" if diagnostic.label else ""
            lines += [f"{gutter} |", f"{span.line} | {text}", f"{gutter} | {' ' * start}{marks}{label}",
                      f"{gutter} |"]
    pad = " " * (len(str(span.line)) if span else 2)
    lines += [f"{pad} = {words['note']}{note}" for note in diagnostic.notes]
    if diagnostic.help:
        lines.append(f"{pad} = {words['help']}{diagnostic.help}")
    return "\n".join(lines)


def _read(name: str) -> SourceFile | None:
    path = Path(name)
    try:
        return SourceFile.read(path, name=name) if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def render_diagnostics(diagnostics: list[Diagnostic], lang: str = "en") -> str:
    """Every diagnostic, rendered in ``lang`` (en or zh), separated by a blank line."""
    return "\n\n".join(render_diagnostic(d, lang=lang) for d in diagnostics)


def summary_line(name: str, diagnostics: list[Diagnostic], lang: str = "en") -> str:
    """``jiangxi: 1 error, 0 warnings`` (in Chinese ``jiangxi：1 个错误，0 个警告``)."""
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if lang == "zh":
        return f"{name}：{errors} 个错误，{warnings} 个警告"
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return f"{name}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
