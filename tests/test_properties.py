"""Invariants that hold for every input: hypothesis generates policies' text and case files."""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from zwcx_rules import Policy, ZwcxError, evaluate, load_policy
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.facts import id_number_check_char, uscc_check_char
from zwcx_rules.language import ast as zast
from zwcx_rules.language.build import build_policy
from zwcx_rules.language.parse import parser
from zwcx_rules.semantics.check import quote_found

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def jiangxi() -> Policy:
    return load_policy("jiangxi")


# ---- the language ----------------------------------------------------------------------------

@SETTINGS
@given(st.text(max_size=200))
def test_any_text_gives_an_ast_or_a_zwcx_error(text: str) -> None:
    try:
        build_policy(SourceFile("random.zwcx", text))
    except ZwcxError as error:
        assert error.diagnostics and all(d.span is not None for d in error.diagnostics)


@SETTINGS
@given(from_lark(parser(), start="start"))
def test_grammar_generated_programs_build_with_nested_spans(text: str) -> None:
    try:
        policy = build_policy(SourceFile("generated.zwcx", text))
    except ZwcxError:
        return  # tokens the generator glued together; the property is "AST or ZwcxError"
    for parent, child in _parent_child_pairs(policy):
        assert parent.span.contains(child.span), (type(parent).__name__, type(child).__name__)


def _parent_child_pairs(node: zast.Node) -> list[tuple[zast.Node, zast.Node]]:
    pairs = []
    for value in node.__dict__.values():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, zast.Node) and not isinstance(child, zast.Ident | zast.Quote):
                if not isinstance(node, zast.Policy | zast.Clause):  # items may sit between spans of siblings
                    pairs.append((node, child))
                pairs += _parent_child_pairs(child)
    return pairs


# ---- case files ------------------------------------------------------------------------------

def _uscc(n: int) -> str:
    prefix = f"11360100MB{n:07d}"
    return prefix + uscc_check_char(prefix)


DATES = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2024, 6, 1))
KINDS = st.sampled_from(["administrative_penalty", "administrative_sanction", "disciplinary_sanction",
                         "judicial_judgment", "audit_finding", "illegal_debt", "contract_default",
                         "commitment_breach", "procurement_misconduct"])
REMEDY = st.fixed_dictionaries({"kind": st.sampled_from(["recovered_loss", "eliminated_impact", "settled"]),
                                "date": DATES.map(str)})


@st.composite
def case_files(draw: st.DrawFn) -> dict[str, Any]:
    bodies = [_uscc(i) for i in range(draw(st.integers(1, 3)))]
    persons = [f"p-{i}" for i in range(draw(st.integers(1, 3)))]
    number = "36010219850612301"
    subjects: list[dict[str, Any]] = [
        {"id": b, "type": "body", "body_kind": draw(st.sampled_from(["government", "department", "township"])),
         "principals": [{"person": draw(st.sampled_from(persons)), "from": "2018-01-01", "to": "2021-12-31"},
                        {"person": draw(st.sampled_from(persons)), "from": "2022-01-01"}],
         "ratings": [{"period": "2023", "score": draw(st.integers(60, 100))}]}
        for b in bodies]
    subjects += [{"id": p, "type": "person", "person_kind": "civil_servant",
                  "id_number": number + id_number_check_char(number)} for p in persons]
    events = []
    for index in range(draw(st.integers(0, 6))):
        events.append({
            "id": f"e-{index}", "subject": draw(st.sampled_from(bodies + persons)), "kind": draw(KINDS),
            "date": str(draw(DATES)), "domain": draw(st.sampled_from(["investment", "ppp", "debt", "general"])),
            "impact": draw(st.sampled_from(["general", "serious", "severe"])),
            "persons": draw(st.lists(st.sampled_from(persons), max_size=2, unique=True)),
            "remedies": draw(st.lists(REMEDY, max_size=2)),
        })
    return {"as_of": "2024-06-30", "subjects": subjects, "events": events}


def _punishments(decisions: Any) -> dict[tuple[str, str, tuple[str, ...]], str]:
    return {(d.subject, o.measure, tuple(o.events)): o.status
            for d in decisions.decisions for o in d.outcomes if o.kind == "punishment"}


@SETTINGS
@given(case_files())
def test_same_input_gives_byte_identical_json(cases: dict[str, Any]) -> None:
    assert evaluate(jiangxi(), cases).model_dump_json() == evaluate(jiangxi(), copy.deepcopy(cases)).model_dump_json()


@SETTINGS
@given(case_files(), st.randoms())
def test_outcomes_do_not_depend_on_event_order(cases: dict[str, Any], rng: Any) -> None:
    shuffled = copy.deepcopy(cases)
    rng.shuffle(shuffled["events"])
    a, b = evaluate(jiangxi(), cases), evaluate(jiangxi(), shuffled)
    assert [d.outcomes for d in a.decisions] == [d.outcomes for d in b.decisions]


@SETTINGS
@given(case_files(), KINDS, DATES)
def test_adding_a_record_never_removes_a_punishment(cases: dict[str, Any], kind: str, day: dt.date) -> None:
    more = copy.deepcopy(cases)
    more["events"].append({"id": "e-new", "subject": cases["subjects"][0]["id"], "kind": kind, "date": str(day)})
    before, after = _punishments(evaluate(jiangxi(), cases)), _punishments(evaluate(jiangxi(), more))
    assert set(before) <= set(after)


LENIENCY = {"applied": 0, "discretionary": 0, "expired": 0, "overridden": 0, "mitigated": 1, "exempted": 2,
            "declined": 2}


@SETTINGS
@given(case_files())
def test_a_repair_never_makes_a_punishment_harsher(cases: dict[str, Any]) -> None:
    bare = copy.deepcopy(cases)
    for event in bare["events"]:
        event["remedies"] = []
    with_repair, without = _punishments(evaluate(jiangxi(), cases)), _punishments(evaluate(jiangxi(), bare))
    assert set(with_repair) == set(without)
    for key, status in with_repair.items():
        assert LENIENCY[status] >= LENIENCY[without[key]]


@SETTINGS
@given(case_files())
def test_every_outcome_quotes_its_source_and_no_id_number_leaks(cases: dict[str, Any]) -> None:
    decisions = evaluate(jiangxi(), cases)
    document = (ROOT / "policies" / "sources" / "jiangxi.txt").read_text(encoding="utf-8")
    for decision in decisions.decisions:
        for outcome in decision.outcomes:
            assert outcome.clause.text and quote_found(outcome.clause.text, document)
            assert outcome.rule.startswith("jiangxi/")
    numbers = {s["id_number"] for s in cases["subjects"] if "id_number" in s}
    text = decisions.model_dump_json()
    assert not any(number in text for number in numbers)
