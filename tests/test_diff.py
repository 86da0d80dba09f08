"""`zwcx diff` compares every field of every record and outcome, not only status and clause."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from casegen import case_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zwcx_rules import Policy, evaluate, load_policy
from zwcx_rules.cli import app
from zwcx_rules.engine.decisions import ClauseRef, Decisions, Modification, Outcome
from zwcx_rules.facts import uscc_check_char
from zwcx_rules.tools.diff import Difference, diff, outcome_label

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "examples" / "example_county.zwcx"
POLICIES = ("jiangxi", str(COUNTY), str(ROOT / "docs" / "examples" / "shiyi.zwcx"), "yancheng")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEPT = "11360100MB0000001" + uscc_check_char("11360100MB0000001")
runner = CliRunner()
COMPARED = [name for name in Outcome.model_fields if name not in ("measure", "kind", "reasons")]
"""Every field of an outcome but what names it (measure, kind) and its trace (reasons)."""


@cache
def policy(ref: str) -> Policy:
    return load_policy(ref)


DATES = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 1, 1))
evaluations = st.builds(lambda seed, ref, day: evaluate(policy(ref), case_file(seed), day),
                        st.integers(0, 10_000), st.sampled_from(POLICIES), DATES)


def _fields(outcome: Outcome) -> dict[str, Any]:
    """What each field of an outcome says, as the JSON writes it; a modification without its trace."""
    dumped = outcome.model_dump(mode="json")
    dumped["modified_by"] = [{k: v for k, v in m.items() if k not in ("because", "reasons")} for m in dumped["modified_by"]]
    return {name: dumped[name] for name in COMPARED}


def _outcomes(decisions: Decisions) -> dict[tuple[Any, ...], list[Outcome]]:
    found: dict[tuple[Any, ...], list[Outcome]] = {}
    for decision in decisions.decisions:
        for outcome in decision.outcomes:
            key = (decision.subject, outcome.measure, outcome.subject, tuple(outcome.events))
            found.setdefault(key, []).append(outcome)
    return found


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from(POLICIES), st.sampled_from(POLICIES), DATES, DATES, st.booleans())
def test_every_field_that_differs_between_matched_outcomes_is_in_the_diff(
        seed: int, ref_a: str, ref_b: str, day_a: dt.date, day_b: dt.date, same_day: bool) -> None:
    cases = case_file(seed)
    a = evaluate(policy(ref_a), cases, day_a)
    b = evaluate(policy(ref_b), cases, day_a if same_day else day_b)
    reported = {(d.subject, d.item, d.field): d for d in diff(a, b, own_names=True)}
    outcomes_a, outcomes_b = _outcomes(a), _outcomes(b)
    for key, found in outcomes_a.items():
        others = outcomes_b.get(key, [])
        if len(found) != 1 or len(others) != 1:
            continue
        label = outcome_label(found[0], key[0])
        before, after = _fields(found[0]), _fields(others[0])
        for name in COMPARED:
            if before[name] != after[name]:
                difference = reported[(key[0], label, name)]
                assert (difference.before, difference.after) == (before[name], after[name])
        assert not any(k[:2] == (key[0], label) for k in reported if before == after)
    for key in outcomes_a.keys() ^ outcomes_b.keys():  # decided on one side only: its status differs
        outcome = (outcomes_a.get(key) or outcomes_b[key])[0]
        assert (key[0], outcome_label(outcome, key[0]), "status") in reported


@SETTINGS
@given(evaluations)
def test_a_diff_of_decisions_with_itself_is_empty(decisions: Decisions) -> None:
    assert diff(decisions, decisions) == []
    assert diff(decisions, decisions.model_copy(deep=True), own_names=True) == []


CHANGES: dict[str, Any] = {
    "status": "declined",
    "clause": ClauseRef(policy="elsewhere", id="9", cite="九", text="另一条款"),
    "rule": "elsewhere/另一规则",
    "deadline": dt.date(2030, 1, 1),
    "until": dt.date(2031, 1, 1),
    "path": ["somewhere", "someone"],
    "modified_by": [Modification(measure="exemption", clause=ClauseRef(policy="x", id="1", cite="一", text="t"),
                                 rule="x/减免", discretionary=True)],
    "also": ["elsewhere/另一规则"],
    "discretionary": True,
}


@SETTINGS
@given(st.integers(0, 10_000), st.sampled_from(sorted(CHANGES)), st.data())
def test_changing_one_field_of_one_outcome_is_exactly_one_difference(seed: int, name: str, data: Any) -> None:
    decisions = evaluate(policy("jiangxi"), case_file(seed), "2024-06-30")
    places = [(i, j) for i, d in enumerate(decisions.decisions) for j in range(len(d.outcomes))]
    if not places:
        return
    i, j = data.draw(st.sampled_from(places))
    decision = decisions.decisions[i]
    outcome = decision.outcomes[j]
    if getattr(outcome, name) == CHANGES[name]:
        return
    changed = outcome.model_copy(update={name: CHANGES[name]})
    outcomes = [*decision.outcomes[:j], changed, *decision.outcomes[j + 1:]]
    edited = decisions.model_copy(update={"decisions": [
        *decisions.decisions[:i], decision.model_copy(update={"outcomes": outcomes}), *decisions.decisions[i + 1:]]})
    [difference] = diff(decisions, edited)
    assert (difference.subject, difference.item, difference.field) == (
        decision.subject, outcome_label(outcome, decision.subject), name)
    assert difference.before == _fields(outcome)[name] and difference.after == _fields(changed)[name]


# ---- the command ------------------------------------------------------------------------------

def _case(tmp_path: Path) -> Path:
    """A department fined in 2022 and ordered on 2022-06-15 to rectify, with no deadline of its own: the
    deadline is the order date plus 整改期限, 90 days in Jiangxi and 60 in the county layer."""
    case = {"as_of": "2024-06-30",
            "subjects": [{"id": DEPT, "type": "body", "body_kind": "department", "name": "某县财政局"}],
            "events": [{"id": "e-1", "subject": DEPT, "kind": "administrative_penalty", "date": "2022-05-10",
                        "impact": "serious", "rectification": {"ordered_on": "2022-06-15"}}]}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), "utf-8")
    return path


def test_diff_shows_a_deadline_that_only_a_parameter_changes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "jiangxi", str(COUNTY), str(_case(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index(f"{DEPT}  rectification_order (e-1)  [jiangxi 2.2.7 二（二）7]")
    assert lines[at + 1].split() == ["deadline", "2022-09-13", "→", "2022-08-14"]
    assert not lines[at + 2].startswith(" ")  # the deadline is all that differs about the order
    # the county overrides 公开通报批评: same status, another clause and rule
    at = lines.index(f"{DEPT}  public_criticism (e-1)")
    assert lines[at + 1].split()[:2] == ["clause", "jiangxi"] and lines[at + 2].split()[0] == "rule"
    assert lines[-1] == "2 differences between jiangxi and example_county (3 fields)"


def test_diff_json_is_one_object_per_field(tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff", "jiangxi", str(COUNTY), str(_case(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    jiangxi = {"policy": "jiangxi", "id": "2.2.7", "cite": "二（二）7"}
    assert {"subject": DEPT, "item": "rectification_order (e-1)", "kind": "outcome", "field": "deadline",
            "before": "2022-09-13", "after": "2022-08-14", "cited": [jiangxi, jiangxi]} in found
    assert {(d["item"], d["field"]) for d in found} == {
        ("rectification_order (e-1)", "deadline"), ("public_criticism (e-1)", "clause"),
        ("public_criticism (e-1)", "rule")}


def test_a_difference_serialises_as_the_json_lists_it() -> None:
    clause = ClauseRef(policy="jiangxi", id="2.2.6", cite="二（二）6", text="……")
    difference = Difference("s", "record e-1", "record", "status", "recorded", None, (clause, None))
    assert difference.to_json() == {
        "subject": "s", "item": "record e-1", "kind": "record", "field": "status", "before": "recorded",
        "after": None, "cited": [{"policy": "jiangxi", "id": "2.2.6", "cite": "二（二）6"}, None]}
