"""Phase 7, render: diagnostics as a compiler prints them, and decisions as JSON or an indented tree.

All multi-line output lives here; the CLI only chooses what to print and where.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .catalogue import Catalogue, default_catalogue
from .decisions import ClauseRef, Decision, Decisions, Modification, Outcome
from .errors import Diagnostic
from .facts import mask_if_id_number
from .messages_zh import translate
from .source import SourceFile

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

    With ``lang="zh"`` the diagnostic is translated (:func:`zwcx_rules.messages_zh.translate`) and the
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


# ---- decisions ---------------------------------------------------------------------------------

def render_json(decisions: Decisions) -> str:
    """The interchange JSON: exactly ``decisions.model_dump_json()``."""
    return decisions.model_dump_json()


def render_text(decisions: Decisions, catalogue: Catalogue | None = None) -> str:
    """Decisions for a person: one block per subject, each outcome with its clause and trace as a tree."""
    catalogue = catalogue or default_catalogue()
    policy = decisions.policy
    head = f"政策 policy {policy.id} 《{policy.title}》 chain {' → '.join(policy.chain)}  as of {decisions.as_of}"
    if not policy.in_force:
        head += "  (not in force on this date: nothing applied)"
    return "\n".join([head, *(_decision(d, catalogue) for d in decisions.decisions)]) + "\n"


def _decision(decision: Decision, catalogue: Catalogue) -> str:
    lines = ["", f"主体 subject {decision.subject}"]
    for record in decision.records:
        where = f" — {_cite(record.clause)}" if record.clause else ""
        lines.append(f"  记录 record {record.event}: {record.status}{where}")
        lines += [f"      · {line}" for line in record.because]
    if not decision.outcomes:
        lines.append("  (no outcomes)")
    for outcome in decision.outcomes:
        lines += _outcome(outcome, catalogue)
    return "\n".join(lines)


def _outcome(outcome: Outcome, catalogue: Catalogue) -> list[str]:
    who = f" → {outcome.subject or 'nobody found'}" if outcome.kind == "responsibility" else ""
    timing = "".join([f"  due {outcome.deadline}" if outcome.deadline else "",
                      f"  until {outcome.until}" if outcome.until else ""])
    may = " (可: discretionary)" if outcome.discretionary else ""
    lines = [f"  ├─ {outcome.measure} {catalogue.display(outcome.measure)} [{outcome.kind}] "
             f"{outcome.status}{may}{who}{timing}",
             f"  │    clause {_cite(outcome.clause)}",
             f"  │      「{outcome.clause.text}」",
             f"  │    rule {outcome.rule}" + (f" (also {', '.join(outcome.also)})" if outcome.also else "")]
    if outcome.events:
        lines.append(f"  │    events {', '.join(outcome.events)}")
    if outcome.path:
        lines.append(f"  │    path {' → '.join(outcome.path)}")
    if outcome.because:
        lines.append("  │    because")
        lines += [f"  │      · {line}" for line in outcome.because]
    for modification in outcome.modified_by:
        lines += _modification(modification, catalogue)
    return lines


def _modification(modification: Modification, catalogue: Catalogue) -> list[str]:
    lines = [f"  │    modified by {modification.measure} {catalogue.display(modification.measure)}"
             f"{' (可)' if modification.discretionary else ''} — {modification.rule}",
             f"  │      clause {_cite(modification.clause)}",
             f"  │        「{modification.clause.text}」"]
    lines += [f"  │        · {line}" for line in modification.because]
    return lines


def _cite(clause: ClauseRef | None) -> str:
    return f"{clause.policy} {clause.id} {clause.cite}" if clause else ""


# ---- the same case under several policies -------------------------------------------------------

Cell = tuple[str, str, str, str]
"""A policy's answer in a comparison: status, clause layer, clause id, cite (all empty when absent)."""
_ABSENT: Cell = ("", "", "", "")


def comparison_rows(results: list[Decisions], only_differences: bool = False,
                    by_status: bool = False) -> list[tuple[str, str, list[Cell]]]:
    """One row per (subject, record or outcome) any policy decided, with each policy's status and clause."""
    cells: dict[tuple[str, str], dict[int, Cell]] = {}
    for column, decisions in enumerate(results):
        for decision in decisions.decisions:
            for record in decision.records:
                key = (decision.subject, f"record {record.event}")
                cells.setdefault(key, {})[column] = _cell(record.status, record.clause)
            for outcome in decision.outcomes:
                if outcome.kind == "responsibility" and outcome.subject != decision.subject:
                    label = f"{outcome.measure} → {outcome.subject or 'nobody'}"
                else:
                    label = outcome.measure
                key = (decision.subject, label + (f" ({', '.join(outcome.events)})" if outcome.events else ""))
                cells.setdefault(key, {})[column] = _cell(outcome.status, outcome.clause)
    rows = [(subject, label, [found.get(i, _ABSENT) for i in range(len(results))])
            for (subject, label), found in cells.items()]
    if not only_differences:
        return rows
    return [row for row in rows if len({c[0] for c in row[2]} if by_status else set(row[2])) > 1]


def _cell(status: str, clause: ClauseRef | None) -> Cell:
    return (status, clause.policy, clause.id, clause.cite) if clause else (status, "", "", "")


def show_cell(cell: Cell, policy: str) -> str:
    """A status and the clause behind it; the clause's layer is named when it is not the column's own."""
    status, layer, _id, cite = cell
    if not status:
        return "—"
    return f"{status} {cite}".rstrip() + (f" [{layer}]" if layer and layer != policy else "")


def render_comparison(results: list[Decisions], width: int = 160, only_differences: bool = False,
                      headers: list[str] | None = None, by_status: bool = False) -> str:
    """A table: rows are subjects' records and outcomes, columns are policies; differing rows marked ≠.

    Across jurisdictions every clause differs, so ``by_status`` marks only rows whose statuses differ.
    """
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    table.add_column("", no_wrap=True)
    table.add_column("subject", overflow="fold")
    table.add_column("record / outcome", overflow="fold")
    for index, decisions in enumerate(results):
        table.add_column(headers[index] if headers else decisions.policy.id, overflow="fold")
    for subject, label, values in comparison_rows(results, only_differences, by_status):
        shown = [show_cell(cell, decisions.policy.id) for cell, decisions in zip(values, results, strict=True)]
        differs = len({cell[0] for cell in values} if by_status else set(values)) > 1
        table.add_row("≠" if differs else "", subject, label, *shown)
    buffer = StringIO()
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(table)
    return buffer.getvalue()
