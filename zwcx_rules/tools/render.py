"""Decisions as the interchange JSON, as an indented tree for a person, as a comparison table, and the
field-by-field differences of two evaluations as lines."""

from __future__ import annotations

from typing import Any

from zwcx_rules.catalogue import Catalogue, default_catalogue
from zwcx_rules.engine.decisions import ClauseRef, Decision, Decisions, Modification, Outcome
from zwcx_rules.tools.diff import Difference, outcome_label


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
                key = (decision.subject, outcome_label(outcome, decision.subject))
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


# ---- what differs between two evaluations, field by field -------------------------------------


def render_differences(differences: list[Difference], before: str, after: str) -> str:
    """Each differing record or outcome, then one line per field: ``deadline 2023-05-30 → 2023-04-30``."""
    lines: list[str] = []
    current: tuple[str, str] | None = None
    width = max((len(d.field) for d in differences), default=0)
    for difference in differences:
        if (difference.subject, difference.item) != current:
            current = (difference.subject, difference.item)
            lines.append(_item_line(difference, differences, before, after))
        old, new = _shown(difference.before), _shown(difference.after)
        if old == new:  # the same clause cited with another text: show the texts
            old, new = _shown(difference.before, quote=True), _shown(difference.after, quote=True)
        lines.append(f"    {difference.field:<{width}}  {old} → {new}")
    return "\n".join(lines) + ("\n" if lines else "")


def _item_line(first: Difference, differences: list[Difference], before: str, after: str) -> str:
    """The subject and item, on which side alone it is, and the clauses it cites (unless a line below shows them)."""
    line = f"{first.subject}  {first.item}"
    if first.field == "status" and (first.before is None) != (first.after is None):
        line += f"  (only in {before if first.after is None else after})"
    fields = {d.field for d in differences if (d.subject, d.item) == (first.subject, first.item)}
    if "clause" not in fields:
        cited = [c for c in first.cited if c is not None]
        if cited:
            shown = [f"{c.policy} {c.id} {c.cite}".rstrip() for c in cited]
            line += f"  [{' → '.join(dict.fromkeys(shown))}]"
    return line


def _shown(value: Any, quote: bool = False) -> str:
    """A field's value in a few words: a clause by layer, id and cite; a modification by measure and rule."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and "cite" in value:
        return f"{value['policy']} {value['id']} {value['cite']}" + (f" 「{value['text']}」" if quote else "")
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return "; ".join(_modification_shown(v, quote) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _modification_shown(modification: dict[str, Any], quote: bool) -> str:
    shown = modification["measure"] + (" (可)" if modification["discretionary"] else "")
    if "rule" in modification:
        shown += f" by {modification['rule']} ({_shown(modification['clause'], quote)})"
    return shown
