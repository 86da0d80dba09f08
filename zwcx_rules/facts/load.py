"""Load a case file into :class:`Facts`: parse, validate, normalise codes, check ids, build relations.

Every problem becomes a :class:`~zwcx_rules.diagnostics.errors.Diagnostic` with the file and JSON path; all of
them are collected before one :class:`~zwcx_rules.diagnostics.errors.ZwcxError` is raised, so the engine never
decides on a case file it could not read whole. Codes: Z600 unreadable file or JSON, Z601 malformed
value, Z602 unknown code, Z603 bad 统一社会信用代码, Z604 bad 公民身份号码, Z605 duplicate subject id,
Z606 duplicate event id, Z607 event subject not in the file.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from zwcx_rules.catalogue import Catalogue, default_catalogue
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.facts.graph import RelationGraph, Relations, gc_paused
from zwcx_rules.facts.models import CaseFile, Event, Subject, json_type_name
from zwcx_rules.identifiers import (
    USCC_CHARSET,
    id_number_birth_date,
    id_number_check_char,
    mask_id_number,
    mask_if_id_number,
    uscc_check_char,
    uscc_is_valid,
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_SUGGESTED = 20  # did-you-mean over all subject ids is costly; suggest for the first few only


CaseSource = str | PathLike[str] | Mapping[str, Any] | CaseFile


@dataclass(frozen=True, eq=False)
class Facts:
    """A validated case file: subjects in input order, events by subject, and the relations graph."""

    as_of: date | None
    subjects: tuple[Subject, ...]
    events: tuple[Event, ...]
    events_by_subject: dict[str, tuple[Event, ...]]
    subject_by_id: dict[str, Subject]
    graph: Relations
    file: str | None = None
    case: CaseFile | None = None

    def events_of(self, subject_id: str) -> tuple[Event, ...]:
        """The events about one subject, in input order (empty for an unknown id)."""
        return self.events_by_subject.get(subject_id, ())


def load_cases(
    source: CaseSource,
    *,
    catalogue: Catalogue | None = None,
    file: str | None = None,
    extra_event_kinds: Iterable[str] = (),
    unique_event_ids: bool = True,
) -> Facts:
    """Read a case file (path, parsed JSON or ``CaseFile``) into Facts, or raise every problem at once."""
    with gc_paused():
        if isinstance(source, CaseFile):
            parsed = _Parsed(source, list(enumerate(source.subjects)), list(enumerate(source.events)))
        elif isinstance(source, (str, PathLike)):
            file = file or str(source)
            parsed = _validate(_read_json(Path(source), file), file)
        else:  # parsed JSON; anything but an object is reported as Z601 at `$`
            parsed = _validate(source, file)
        checker = _Checker(catalogue or default_catalogue(), extra_event_kinds, file, parsed.diags)
        checker.unique_event_ids = unique_event_ids
        case = checker.check(parsed)
        if checker.diags:
            raise ZwcxError(checker.diags)
        by_subject: dict[str, list[Event]] = {s.id: [] for s in case.subjects}
        for e in case.events:
            by_subject[e.subject].append(e)
        return Facts(
            as_of=case.as_of,
            subjects=tuple(case.subjects),
            events=tuple(case.events),
            events_by_subject={k: tuple(v) for k, v in by_subject.items()},
            subject_by_id={s.id: s for s in case.subjects},
            graph=RelationGraph(case.subjects),
            file=file,
            case=case,
        )


# -- reading and structural validation ------------------------------------------------------------


def _read_json(path: Path, name: str) -> Any:
    """The parsed JSON of a file, or a Z600 error with the line and column of a syntax error."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ZwcxError(Diagnostic(
            code="Z600", file=name, message=f"cannot read the case file: {e.strerror or e}",
            help="check the path; use `-` on the command line to read standard input",
        )) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ZwcxError(Diagnostic(
            code="Z600", file=name, message=f"the case file is not UTF-8 (byte {e.start})",
            help="save the case file as UTF-8",
        )) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        span = SourceFile(name=name, text=text).span(e.pos, min(e.pos + 1, len(text)))
        raise ZwcxError(Diagnostic(
            code="Z600", file=name, span=span, label="here",
            message=f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg[:1].lower()}{e.msg[1:]}",
            help="a case file is one JSON object; check for a missing comma, quote or bracket",
        )) from None


@dataclass
class _Parsed:
    """What structural validation produced: valid items with their input index, and the rest."""

    shell: CaseFile
    subjects: list[tuple[int, Subject]]
    events: list[tuple[int, Event]]
    diags: list[Diagnostic] = field(default_factory=list)
    # ids of items that failed validation, by input index: still counted as present and as taken
    failed: dict[str, dict[int, str]] = field(default_factory=lambda: {"subjects": {}, "events": {}})


def _validate(data: Any, file: str | None) -> _Parsed:
    """Validate item by item, so one bad subject does not hide the problems of the others."""
    if not isinstance(data, Mapping):
        return _Parsed(CaseFile(), [], [], [Diagnostic(
            code="Z601", file=file, json_path="$",
            message=f"expected a JSON object with `subjects` and `events`, found {json_type_name(data)}",
            help='a case file looks like {"as_of": "2024-06-30", "subjects": [...], "events": [...]}',
        )])
    diags: list[Diagnostic] = []
    shell_data = {k: v for k, v in data.items() if k not in ("subjects", "events")}
    try:
        shell = CaseFile.model_validate(shell_data)
    except ValidationError as e:
        diags += [_malformed(err, (), file) for err in e.errors(include_url=False)]
        shell = CaseFile.model_validate({k: v for k, v in shell_data.items() if k != "as_of"})
    parsed = _Parsed(shell, [], [], diags)
    targets: tuple[tuple[str, type[BaseModel], list[Any]], ...] = (
        ("subjects", Subject, parsed.subjects), ("events", Event, parsed.events))
    for key, model, out in targets:
        raw = data.get(key, [])
        if not isinstance(raw, list):
            diags.append(Diagnostic(
                code="Z601", file=file, json_path=f"$.{key}",
                message=f"expected a list of {key}, found {json_type_name(raw)}",
                help=f"write `{key}` as a JSON list",
            ))
            continue
        for i, item in enumerate(raw):
            try:
                out.append((i, model.model_validate(item)))
            except ValidationError as e:
                diags += [_malformed(err, (key, i), file) for err in e.errors(include_url=False)]
                if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                    parsed.failed[key][i] = item["id"]
    return parsed


def json_path(loc: Iterable[int | str]) -> str:
    """A pydantic error location as a JSON path: ``$.subjects[2].principals[0].from``."""
    out = "$"
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def _show(value: Any, field: str | None) -> str:
    """A user's value in backticks for a message, with any 公民身份号码 masked."""
    if field == "id_number" and isinstance(value, (str, int)):
        return f"`{mask_id_number(str(value))}`"
    if isinstance(value, (dict, list)):
        return json_type_name(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = mask_if_id_number(text)
    return f"`{text[:60]}…`" if len(text) > 60 else f"`{text}`"


_EXPECTED = {
    "string_type": "a string", "float_type": "a number", "int_type": "a whole number",
    "bool_type": "true or false", "list_type": "a list", "tuple_type": "a list", "model_type": "an object",
    "dict_type": "an object", "model_attributes_type": "an object", "int_from_float": "a whole number",
}


def _malformed(err: Any, prefix: tuple[int | str, ...], file: str | None) -> Diagnostic:
    """One pydantic error as a Z601 diagnostic with its JSON path and a message in our words."""
    loc = prefix + tuple(err["loc"])
    field = next((p for p in reversed(loc) if isinstance(p, str)), None)
    kind, value = err["type"], err.get("input")
    help_text: str | None = None
    if kind == "zwcx_date":
        message = f"{_show(value, field)} is not a date (expected YYYY-MM-DD)"
        help_text = "write dates as YYYY-MM-DD, e.g. `2024-06-30`"
    elif kind == "zwcx_date_type":
        message = f"expected a date string YYYY-MM-DD, found {json_type_name(value)} {_show(value, field)}"
        help_text = 'write dates as strings, e.g. "2024-06-30"'
    elif kind == "missing":
        message = f"missing required field `{field}`"
        help_text = "see interchange.md for the fields of a case file"
    elif kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, found {json_type_name(value)} {_show(value, field)}"
        help_text = f"write `{field}` as {_EXPECTED[kind]}" if field else None
    elif kind == "greater_than_equal":
        message = f"{_show(value, field)} is negative: `{field}` must be at least {err['ctx']['ge']:g}"
        help_text = f"`{field}` is an amount, 0 or more" if field == "loss_yuan" else None
    elif kind == "finite_number":
        message = f"{_show(value, field)} is not a finite number"
    elif kind == "string_too_short":
        message = f"`{field}` must not be empty"
    else:
        msg = str(err.get("msg", kind))
        message = msg[:1].lower() + msg[1:]
    return Diagnostic(code="Z601", file=file, json_path=json_path(loc), message=message, help=help_text)


# -- semantic checks ------------------------------------------------------------------------------

Loc = tuple[int | str, ...]
M = TypeVar("M", bound=BaseModel)
_SUBJECT_CODES = (("type", "subject_type"), ("body_kind", "body_kind"), ("level", "level"),
                  ("person_kind", "person_kind"))
_EVENT_CODES = (("kind", "event_kind"), ("domain", "domain"), ("impact", "impact"),
                ("severity", "severity"), ("stage", "stage"))
_SUBJECT_LISTS = (("positions", (("role", "role"),)), ("stages", (("stage", "stage"),)),
                  ("commitments", (("status", "commitment_status"),)),
                  ("assessments", (("grade", "assessment_grade"),)))
_DECISION = (("decision", "decision"),)
_LABEL = {"subject_type": "subject type", "event_kind": "event kind", "body_kind": "body kind",
          "person_kind": "person kind", "objection_outcome": "objection outcome",
          "commitment_status": "commitment status", "assessment_grade": "assessment grade"}
_USCC_TYPES = ("body", "enterprise")


class _Checker:
    """Semantic checks and code normalisation of one load; paths stay loc tuples until reported."""

    def __init__(self, catalogue: Catalogue, extra_event_kinds: Iterable[str], file: str | None,
                 diags: list[Diagnostic]) -> None:
        self.catalogue, self.file, self.diags = catalogue, file, diags
        self.index: dict[str, dict[str, str]] = {}
        for vocabulary, codes in catalogue.vocabularies.items():
            names = {name: code for code, zh in codes.items() for name in zh}
            self.index[vocabulary] = {**names, **{code: code for code in codes}}  # codes win
        self.extra_kinds = tuple(extra_event_kinds)
        self.unique_event_ids = True
        self.index.setdefault("event_kind", {}).update({k: k for k in self.extra_kinds})

    def error(self, code: str, loc: Loc, message: str, help_text: str | None = None) -> None:
        """Record one diagnostic at a JSON location."""
        self.diags.append(Diagnostic(code=code, file=self.file, json_path=json_path(loc),
                                     message=message, help=help_text))

    def check(self, parsed: _Parsed) -> CaseFile:
        """The case file with codes normalised; problems go to ``self.diags``."""
        subjects = [self.subject(s, ("subjects", i)) for i, s in parsed.subjects]
        events = [self.event(e, ("events", i)) for i, e in parsed.events]
        subject_ids = self.unique("subjects", "Z605", "subject",
                                  [(i, s.id) for i, s in parsed.subjects], parsed.failed["subjects"])
        if self.unique_event_ids:  # a batch line nests its events: their ids are unique per subject
            self.unique("events", "Z606", "event", [(i, e.id) for i, e in parsed.events],
                        parsed.failed["events"])
        suggested = 0
        for i, e in parsed.events:
            if e.subject not in subject_ids:
                suggested += 1
                near = (difflib.get_close_matches(e.subject, subject_ids, n=1)
                        if suggested <= _MAX_SUGGESTED else [])
                hint = f"did you mean {_show(near[0], 'id')}? " if near else ""
                self.error("Z607", ("events", i, "subject"),
                           f"event {_show(e.id, 'id')} is about subject {_show(e.subject, 'id')}, "
                           "which is not in the case file",
                           f"{hint}an event's subject must be one of the case file's subjects")
        return parsed.shell.model_copy(update={"subjects": subjects, "events": events})

    def unique(self, key: str, code: str, what: str, ids: list[tuple[int, str]],
               failed: dict[int, str]) -> dict[str, int]:
        """Report every repeated id (at its later places); the first index of each id."""
        first: dict[str, int] = {}
        for i, ident in sorted([*ids, *failed.items()]) if failed else ids:
            if ident in first:
                self.error(code, (key, i, "id"),
                           f"duplicate {what} id {_show(ident, 'id')} (first at `$.{key}[{first[ident]}]`)",
                           f"every {what} in a case file has its own id")
            else:
                first[ident] = i
        return first

    def codes(self, obj: M, fields: tuple[tuple[str, str], ...], loc: Loc,
              update: dict[str, Any] | None = None) -> M:
        """``obj`` with its code fields normalised (and ``update`` applied), or itself if unchanged."""
        index = self.index
        for attr, vocabulary in fields:
            value = getattr(obj, attr)
            if value is None:
                continue
            code = index[vocabulary].get(value) if vocabulary in index else None
            if code is None:
                self.unknown(vocabulary, value, (*loc, attr))
            elif code != value:
                update = {**(update or {}), attr: code}
        return obj.model_copy(update=update) if update else obj

    def many(self, items: Sequence[Any], fields: tuple[tuple[str, str], ...], loc: Loc) -> Sequence[Any]:
        """The items with codes normalised; the same object if none changed."""
        out: list[Any] | None = None
        for i, x in enumerate(items):
            y = self.codes(x, fields, (*loc, i))
            if y is not x:
                out = out or list(items)
                out[i] = y
        return items if out is None else tuple(out)

    def determinations(self, items: Sequence[Any], loc: Loc) -> Sequence[Any]:
        """Decisions normalised, and a measure's Chinese name turned into its code when it has one."""
        out: list[Any] | None = None
        for i, d in enumerate(items):
            spec = self.catalogue.measure(d.measure)
            update = {"measure": spec.code} if spec and spec.code != d.measure else None
            y = self.codes(d, _DECISION, (*loc, i), update)
            if y is not d:
                out = out or list(items)
                out[i] = y
        return items if out is None else tuple(out)

    def unknown(self, vocabulary: str, value: str, loc: Loc) -> None:
        """Z602: a code not in the vocabulary, with the nearest name and every allowed code."""
        codes = self.catalogue.vocabularies.get(vocabulary, {})
        names = list(self.index.get(vocabulary, {}))
        near = difflib.get_close_matches(value, names, n=1)
        hint = ""
        if near:
            code = self.index[vocabulary][near[0]]
            hint = f"did you mean `{code}` ({self.catalogue.display(code)})? "
        allowed = ", ".join(f"{c} ({zh[0]})" if zh else c for c, zh in codes.items())
        if vocabulary == "event_kind":
            allowed += "".join(f", {k}" for k in self.extra_kinds if k not in codes)
            allowed += "; or a kind the policy defines"
        label = _LABEL.get(vocabulary, vocabulary)
        self.error("Z602", loc, f"unknown {label} {_show(value, None)}", f"{hint}allowed: {allowed}")

    def subject(self, s: Subject, loc: Loc) -> Subject:
        """A subject with its codes normalised, its periods and identifiers checked."""
        update: dict[str, Any] = {}
        for attr, fields in _SUBJECT_LISTS:
            items = getattr(s, attr)
            if items:
                new = self.many(items, fields, (*loc, attr))
                if new is not items:
                    update[attr] = new
        if s.determinations:
            new = self.determinations(s.determinations, (*loc, "determinations"))
            if new is not s.determinations:
                update["determinations"] = new
        for attr in ("principals", "positions", "stages"):
            for i, t in enumerate(getattr(s, attr)):
                if t.to is not None and t.to < t.from_:
                    self.error("Z601", (*loc, attr, i, "to"),
                               f"`to` {t.to} is before `from` {t.from_}",
                               "a period ends on or after the day it starts")
        s = self.codes(s, _SUBJECT_CODES, loc, update)
        if s.type in _USCC_TYPES:
            self.uscc(s.id, (*loc, "id"))
        if s.id_number is not None:
            self.id_number(s.id_number, (*loc, "id_number"))
        return s

    def event(self, e: Event, loc: Loc) -> Event:
        """An event with its codes (and those of its remedies, objection, determinations) normalised."""
        update: dict[str, Any] = {}
        if e.remedies:
            remedies = self.many(e.remedies, (("kind", "remedy"),), (*loc, "remedies"))
            if remedies is not e.remedies:
                update["remedies"] = remedies
        if e.objection is not None:
            objection = self.codes(e.objection, (("outcome", "objection_outcome"),),
                                   (*loc, "objection"))
            if objection is not e.objection:
                update["objection"] = objection
        if e.determinations:
            determinations = self.determinations(e.determinations, (*loc, "determinations"))
            if determinations is not e.determinations:
                update["determinations"] = determinations
        return self.codes(e, _EVENT_CODES, loc, update)

    def uscc(self, code: str, loc: Loc) -> None:
        """Z603 unless a body's or enterprise's id is a valid 统一社会信用代码."""
        if uscc_is_valid(code):
            return
        message, help_text = _uscc_problem(code) or ("", None)
        self.error("Z603", loc, f"{_show(code, 'id')} is not a valid 统一社会信用代码: {message}",
                   help_text)

    def id_number(self, number: str, loc: Loc) -> None:
        """Z604 unless the number is a valid 公民身份号码; the message shows it masked only."""
        problem = _id_number_problem(number)
        if problem:
            self.error("Z604", loc,
                       f"{_show(number, 'id_number')} is not a valid 公民身份号码: {problem}",
                       "check the number against the identity card; it is 17 digits and a check "
                       "character 0-9 or X, and is never shown whole")


def _uscc_problem(code: str) -> tuple[str, str] | None:
    """Why ``code`` is not a 统一社会信用代码 (message, help), or None if it is one."""
    charset_help = "a 统一社会信用代码 uses 0-9 and upper-case ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z)"
    if len(code) != 18:
        return f"it has {len(code)} characters, expected 18", charset_help
    bad = [ch for ch in code if ch not in USCC_CHARSET]
    if bad:
        upper = code.upper()
        if all(ch in USCC_CHARSET for ch in upper):
            return f"`{bad[0]}` must be upper case", f"write it as `{upper}`"
        return f"`{bad[0]}` is not a character of the code", charset_help
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        advice = ("a typing error in any of the first 17 characters also changes the check "
                  "character; compare the code with the registration certificate")
        return f"the check character is `{code[17]}`, expected `{expected}`", advice
    return None


def _id_number_problem(number: str) -> str | None:
    """Why ``number`` is not a 公民身份号码, in words that do not reveal it, or None if it is one."""
    if len(number) != 18:
        return f"it has {len(number)} characters, expected 18"
    if not number[:17].isascii() or not number[:17].isdigit():
        return "its first 17 characters must be digits"
    if number[17] == "x":
        return "the check character `x` must be upper case `X`"
    if id_number_check_char(number[:17]) != number[17]:
        return "its check character does not match its other 17 characters"
    if id_number_birth_date(number) is None:
        return "characters 7-14 are not a real birth date"
    return None
