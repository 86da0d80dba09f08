"""Decisions as the interchange JSON, as an indented tree for a person, and as a comparison table."""

from __future__ import annotations

from zwcx_rules.engine.decisions import ClauseRef, Decision, Decisions, Modification, Outcome
from zwcx_rules.semantics.catalogue import Catalogue, default_catalogue


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
