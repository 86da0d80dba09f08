"""`zwcx explain` and `zwcx diff`: justifications and differences a policy officer can read."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwcx_rules import ZwcxError, load_cases, load_policy
from zwcx_rules.cli import app
from zwcx_rules.tools.explain import explain, render_tree, why_not

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases.json"
runner = CliRunner()


@pytest.fixture(scope="module")
def jiangxi() -> tuple[object, object]:
    policy = load_policy("jiangxi")
    return policy, load_cases(CASES, policy)


def test_explain_quotes_the_clause_the_facts_and_the_chain(jiangxi: tuple[object, object]) -> None:
    policy, facts = jiangxi
    [tree] = explain(policy, facts, "11360100MB1234567T", "principal_accountability")  # type: ignore[arg-type]
    text = render_tree(tree)
    assert text.splitlines()[0].startswith("措施 principal_accountability")
    assert "对造成政务失信行为的主要负责人依法依规追究责任" in text
    assert "记录 e-1 (administrative_penalty, 2022-05-10)" in text
    assert "principal 2019-01-01..2022-12-31" in text.split("责任链")[1]


def test_explain_shows_each_exception_considered_and_why(jiangxi: tuple[object, object]) -> None:
    policy, facts = jiangxi
    softened = render_tree(explain(policy, facts, "p-003", "merit_restriction", lang="en")[0])  # type: ignore[arg-type]
    assert "applied: mitigation" in softened and "jiangxi/关爱机制" in softened
    department = render_tree(explain(policy, facts, "11360102MB0098765W", "written_explanation")[0])  # type: ignore[arg-type]
    assert "未适用: jiangxi/关爱机制" in department
    assert "只适用于 `civil_servant`" in department  # 二（二）8 speaks of 公务员 only


def test_why_not_names_the_condition_that_failed(jiangxi: tuple[object, object]) -> None:
    policy, facts = jiangxi
    text = render_tree(why_not(policy, facts, "11360100MB1234567T", "荣誉评选优先"))  # type: ignore[arg-type]
    assert "✗ `评价达标` 不成立: count(x in subject.ratings) = 0" in text
    assert "✓ `考察期内无失信记录` 成立" not in text or "✗" in text


def test_unknown_subject_or_measure_is_an_error(jiangxi: tuple[object, object]) -> None:
    policy, facts = jiangxi
    with pytest.raises(ZwcxError):
        explain(policy, facts, "nobody")  # type: ignore[arg-type]
    with pytest.raises(ZwcxError):
        why_not(policy, facts, "p-001", "no_such_measure")  # type: ignore[arg-type]


def test_cli_explain_in_english_and_why_not() -> None:
    result = runner.invoke(app, ["explain", "jiangxi", str(CASES), "--subject", "p-004", "--outcome",
                                 "merit_restriction", "--lang", "en"])
    assert result.exit_code == 0
    assert "status exempted" in result.stdout and "determination recorded by" in result.stdout
    result = runner.invoke(app, ["explain", "jiangxi", str(CASES), "--subject", "p-001", "--why-not",
                                 "merit_restriction"])
    assert result.exit_code == 0 and "没有政务失信记录" in result.stdout


def test_diff_lists_each_field_that_differs_with_each_sides_value() -> None:
    result = runner.invoke(app, ["diff", "jiangxi", str(ROOT / "examples" / "example_county.zwcx"), str(CASES)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    at = lines.index("11360724MB0012345M  honor_priority  (only in jiangxi)")  # the county disables it
    assert lines[at + 1].split() == ["status", "applied", "→", "—"]
    at = lines.index("11360102MB0098765W  rectification_order (e-2)  [jiangxi 2.2.7 二（二）7]")
    assert lines[at + 1].split() == ["deadline", "2023-05-30", "→", "2023-04-30"]  # 整改期限 90 → 60 days
    at = lines.index("11360100MB1234567T  public_criticism (e-1)")  # the county overrides the rule
    assert lines[at + 1].split() == ["clause", "jiangxi", "2.2.7", "二（二）7", "→", "example_county", "2", "二"]
    assert lines[at + 2].split() == ["rule", "jiangxi/公开通报批评", "→", "example_county/公开通报批评"]
    assert result.stdout.strip().endswith("4 differences between jiangxi and example_county (8 fields)")


def test_diff_of_a_policy_with_itself_is_empty() -> None:
    result = runner.invoke(app, ["diff", "jiangxi", "jiangxi", str(CASES), "--format", "json"])
    assert result.exit_code == 0 and result.stdout.strip() == "[]"


def test_diff_between_two_places_compares_what_happens() -> None:
    result = runner.invoke(app, ["diff", "jiangxi", "yancheng", str(ROOT / "examples" / "compare.json")])
    lines = result.stdout.splitlines()
    at = lines.index("11320900MB0000101L  record t-1  [jiangxi 2.2.6 二（二）6 → yancheng 2.3 二（三）]")
    assert lines[at + 1].split() == ["status", "recorded", "→", "excluded"]
    assert not any("record r-1" in line for line in lines)  # recorded in both, under each one's own clause
    assert lines[-1].startswith("clause, rule and also not compared: jiangxi and yancheng share no layer")
    everything = runner.invoke(app, ["diff", "jiangxi", "yancheng", str(ROOT / "examples" / "compare.json"),
                                     "--all-fields"])
    assert "record r-1" in everything.stdout and "not compared" not in everything.stdout
