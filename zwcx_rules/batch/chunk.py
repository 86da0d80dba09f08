"""One chunk of a batch: validate its lines, decide each subject, and serialise the results.

A pure function of (the compiled plan, the relations file, the lines), so the local process pool and
a Dask cluster run exactly the same code. A line that cannot be read whole is rejected alone, with
its line number and JSON path; it never stops the chunk.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from zwcx_rules.api import Policy
from zwcx_rules.batch.inputs import loads
from zwcx_rules.catalogue import Catalogue
from zwcx_rules.diagnostics.errors import ZwcxError
from zwcx_rules.engine.decisions import dumps
from zwcx_rules.engine.evaluate import Draft, SubjectEvaluator
from zwcx_rules.engine.plan import Plan
from zwcx_rules.facts import Facts, load_cases, mask_if_id_number
from zwcx_rules.facts.graph import Relations, gc_paused

Trace = Literal["full", "summary", "none"]
Line = tuple[int, str]
"""An input line: its 1-based number and its text (one subject with its events nested)."""


@dataclass
class ChunkResult:
    """What one chunk produced: decision lines (JSON), outcome rows, error lines and counts."""

    index: int
    decisions: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    subjects: int = 0
    written: bool = False
    """The worker wrote the chunk's files itself; only the counts came back."""


@dataclass(frozen=True)
class ChunkContext:
    """Everything a worker needs besides the lines; built once per process."""

    policy: Policy
    plan: Plan
    relations: Relations
    as_of: dt.date
    trace: Trace
    rows: bool
    """Produce flat outcome rows (Parquet) instead of decision lines (JSON Lines)."""

    @property
    def catalogue(self) -> Catalogue:
        return self.policy.resolved.catalogue


def run_chunk(context: ChunkContext, index: int, lines: list[Line],
              first_lines: Callable[[list[str]], dict[str, int]] | None = None) -> ChunkResult:
    """Decide every readable subject of the chunk, in line order; reject the others with a reason.

    ``first_lines`` gives the first input line of each subject id, to reject a repeated id.
    The cyclic garbage collector is paused throughout: reading, deciding and writing a chunk make
    no reference cycles, and each of its passes would rescan the chunk's objects.
    """
    with gc_paused():
        return _run_chunk(context, index, lines, first_lines)


def _run_chunk(context: ChunkContext, index: int, lines: list[Line],
               first_lines: Callable[[list[str]], dict[str, int]] | None) -> ChunkResult:
    result = ChunkResult(index=index)
    objects: list[tuple[int, dict[str, Any]]] = []
    for number, text in lines:
        try:
            data = loads(text)
        except ValueError:
            error = _json_error(text)
            result.errors.append(_error(number, None, "$", "Z600", f"not JSON: {error.msg} at column {error.colno}"))
            continue
        if not isinstance(data, dict):
            result.errors.append(_error(number, None, "$", "Z601", "a line must be one JSON object (a subject)"))
            continue
        objects.append((number, data))
    ids = [str(data["id"]) for _, data in objects if isinstance(data.get("id"), str)]
    duplicates = first_lines(ids) if first_lines is not None else {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, data in objects:
        first = duplicates.get(str(data.get("id")))
        if first is not None and first != number:
            result.errors.append(_error(number, data.get("id"), "$.id", "Z605",
                                        f"subject `{mask_if_id_number(str(data['id']))}` already appears on line {first}"))
            continue
        event_ids = [e.get("id") for e in data.get("events") or [] if isinstance(e, dict)]
        repeated = next((i for i, e in enumerate(event_ids) if e in event_ids[:i]), None)
        if repeated is not None:
            result.errors.append(_error(number, data.get("id"), f"$.events[{repeated}].id", "Z606",
                                        f"event `{event_ids[repeated]}` appears twice in this subject's events"))
            continue
        parsed.append((number, data))
    facts, accepted = _validate(context, parsed, result)
    evaluator = SubjectEvaluator(context.plan, facts, context.as_of, context.trace)
    counts = result.counts
    for (number, _), subject in zip(accepted, facts.subjects, strict=True):
        records, drafts = evaluator.evaluate(subject)
        result.subjects += 1
        for draft in drafts:
            counts[f"{draft.measure}\t{draft.status}"] += 1
        shown = mask_if_id_number(subject.id)
        if context.rows:
            result.rows += [_row(number, shown, d) for d in drafts]
        else:
            decision = {"subject": shown, "records": records, "outcomes": [d.freeze() for d in drafts]}
            result.decisions.append(dumps(decision).decode("utf-8"))
    return result


def _json_error(text: str) -> json.JSONDecodeError:
    """The standard parser's account of a line that is not JSON (its messages are the documented ones)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error
    return json.JSONDecodeError("not one JSON value", text, 0)


def _validate(context: ChunkContext, parsed: list[tuple[int, dict[str, Any]]],
              result: ChunkResult) -> tuple[Facts, list[tuple[int, dict[str, Any]]]]:
    """Facts of the chunk's readable lines; a chunk with a bad line is re-read line by line."""
    try:
        return _facts(context, [data for _, data in parsed]), parsed
    except ZwcxError:
        pass
    accepted = []
    for number, data in parsed:
        try:
            _facts(context, [data])
        except ZwcxError as error:
            for diagnostic in error.diagnostics:
                result.errors.append(_error(number, data.get("id"), _line_path(diagnostic.json_path),
                                            diagnostic.code, diagnostic.message))
            continue
        accepted.append((number, data))
    return _facts(context, [data for _, data in accepted]), accepted


def _facts(context: ChunkContext, lines: list[dict[str, Any]]) -> Facts:
    subjects, events = [], []
    for data in lines:
        subject = {k: v for k, v in data.items() if k != "events"}
        subjects.append(subject)
        for event in data.get("events") or []:
            events.append({"subject": subject.get("id"), **event} if isinstance(event, dict) else event)
    facts = load_cases({"subjects": subjects, "events": events}, catalogue=context.catalogue,
                       extra_event_kinds=context.policy.event_kinds, unique_event_ids=len(lines) == 1)
    return replace(facts, graph=context.relations)


_CASE_PATH = re.compile(r"^\$\.(subjects|events)\[(\d+)\]")


def _line_path(path: str | None) -> str:
    """A case-file path of a one-line case as the line's own path: `$.subjects[0].x` → `$.x`."""
    if not path:
        return "$"
    match = _CASE_PATH.match(path)
    if match is None:
        return path
    rest = path[match.end():]
    return "$" + rest if match.group(1) == "subjects" else f"$.events[{match.group(2)}]{rest}"


def _error(line: int, subject: Any, path: str, code: str, message: str) -> str:
    shown = mask_if_id_number(subject) if isinstance(subject, str) else None
    return json.dumps({"line": line, "subject": shown, "json_path": path, "code": code, "message": message},
                      ensure_ascii=False)


def _row(line: int, subject: str, draft: Draft) -> dict[str, Any]:
    clause = draft.rule.clause
    return {
        "line": line, "decision_subject": subject, "subject": draft.subject, "measure": draft.measure,
        "kind": draft.rule.kind, "status": draft.status, "clause": clause.id, "cite": clause.cite,
        "rule": draft.rule.qualified, "layer": clause.policy, "deadline": draft.deadline, "until": draft.until,
        "events": ",".join(draft.events), "discretionary": draft.discretionary,
    }
