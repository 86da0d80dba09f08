"""What the layers did to a measure (tools/layers.py), and `zwcx explain --why-not` saying so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwcx_rules import Policy, load_cases, load_policy
from zwcx_rules.cli import app
from zwcx_rules.tools.explain import render_tree, why_not
from zwcx_rules.tools.layers import LayerValue, layer_changes

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "examples" / "example_county.zwcx"
CASES = ROOT / "examples" / "cases.json"
GOVERNMENT = "11360724MB0012345M"  # rated, no records: Jiangxi gives it honor_priority, the county does not
DEPARTMENT = "11360102MB0098765W"  # a record of illegal debt, severe impact
runner = CliRunner()


@pytest.fixture(scope="module")
def county() -> Policy:
    return load_policy(COUNTY)


def test_a_disabled_rule_comes_with_the_disabling_layer_and_its_reason(county: Policy) -> None:
    changes = layer_changes(county, "荣誉评选优先")  # a Chinese name of honor_priority
    assert changes.measure == "honor_priority" and changes.removed_rules
    [disabled] = changes.disabled
    assert (disabled.rule.name, disabled.rule.layer, disabled.rule.clause, disabled.rule.cite) == (
        "jiangxi/荣誉评选优先", "jiangxi", "2.2.7", "二（二）7")
    assert (disabled.layer, disabled.clause, disabled.cite) == ("example_county", "3", "三")
    assert disabled.reason == "三：本细则不规定荣誉评选时的优先考虑"
    written = COUNTY.read_text("utf-8")[disabled.span.start:disabled.span.end]
    assert written == 'disable 荣誉评选优先 "三：本细则不规定荣誉评选时的优先考虑"'
    assert changes.overridden == () and changes.parameters == ()


def test_an_overridden_rule_names_the_rule_that_replaced_it(county: Policy) -> None:
    [overridden] = layer_changes(county, "public_criticism").overridden
    assert (overridden.rule.name, overridden.rule.clause) == ("jiangxi/公开通报批评", "2.2.7")
    assert (overridden.by.name, overridden.by.layer, overridden.by.clause) == ("example_county/公开通报批评",
                                                                               "example_county", "2")
    assert overridden.produces


def test_a_parameter_set_again_shows_each_layers_value(county: Policy) -> None:
    [parameter] = layer_changes(county, "rectification_order", dt.date(2024, 6, 30)).parameters
    assert parameter.name == "整改期限" and parameter.read_by == ("jiangxi/书面说明并限期整改",)
    assert parameter.values == (LayerValue("jiangxi", "90 days", None, False),
                                LayerValue("example_county", "60 days", None, True))
    # the same rule writes written_explanation without reading the deadline
    assert layer_changes(county, "written_explanation").parameters == ()


def test_a_policy_without_layers_changes_nothing() -> None:
    changes = layer_changes(load_policy("jiangxi"), "honor_priority")
    assert not changes.removed_rules and changes.parameters == ()


def _town(tmp_path: Path, body: str) -> Policy:
    """A layer on the example county, its text in ``body`` under a clause quoting its one sentence."""
    shutil.copytree(ROOT / "examples" / "sources", tmp_path / "sources")
    shutil.copy(COUNTY, tmp_path / "example_county.zwcx")
    (tmp_path / "sources" / "town.txt").write_text("一、本镇另行规定通报批评。", "utf-8")
    (tmp_path / "town.zwcx").write_text(
        'policy town "某镇细则（测试）"\n  extends example_county\n  level township\n  source "sources/town.txt"\n'
        f'clause 1 "一"\n  quote "本镇另行规定通报批评。"\n{body}', "utf-8")
    return load_policy(tmp_path / "town.zwcx")


def test_an_override_of_an_override_lists_both_replacements(tmp_path: Path) -> None:
    town = _town(tmp_path, "  override punishment 公开通报批评 for department on each record r then record_disclosure\n")
    found = [(o.rule.name, o.by.name, o.produces) for o in layer_changes(town, "public_criticism").overridden]
    assert found == [("example_county/公开通报批评", "town/公开通报批评", False),
                     ("jiangxi/公开通报批评", "example_county/公开通报批评", True)]


def test_disabling_an_override_removes_the_rule_it_replaced_too(tmp_path: Path) -> None:
    town = _town(tmp_path, '  disable example_county/公开通报批评 "本镇另行规定"\n')
    changes = layer_changes(town, "public_criticism")
    assert [(d.rule.name, d.layer, d.reason) for d in changes.disabled] == [
        ("example_county/公开通报批评", "town", "本镇另行规定")]
    assert [(o.rule.name, o.by.name) for o in changes.overridden] == [
        ("jiangxi/公开通报批评", "example_county/公开通报批评")]
    tree = render_tree(why_not(town, load_cases(CASES, town), DEPARTMENT, "public_criticism", lang="en"))
    assert "no rule of this policy" not in tree and "disabled by town 1 一" in tree


# ---- why-not -------------------------------------------------------------------------------------


def test_why_not_answers_a_disabled_measure_with_the_layers_reason(county: Policy) -> None:
    tree = render_tree(why_not(county, load_cases(CASES, county), GOVERNMENT, "honor_priority", lang="en"))
    where = layer_changes(county, "honor_priority").disabled[0].span  # the file as loaded, :29:3
    assert str(where).endswith("example_county.zwcx:29:3")
    assert tree.splitlines() == [
        f"why not honor_priority 各类荣誉评选时予以优先考虑 — subject {GOVERNMENT}",
        "└─ disabled rule jiangxi/荣誉评选优先 (jiangxi 2.2.7 二（二）7)",
        f"   └─ disabled by example_county 3 三 ({where})：「三：本细则不规定荣誉评选时的优先考虑」",
    ]


def test_why_not_shows_an_override_and_a_parameter_before_the_rules(county: Policy) -> None:
    facts = load_cases(CASES, county)
    criticism = render_tree(why_not(county, facts, DEPARTMENT, "public_criticism"))
    assert "├─ 已被替换的规则 jiangxi/公开通报批评 (jiangxi 2.2.7 二（二）7)" in criticism
    assert "│  └─ 替换为 example_county/公开通报批评 (example_county 2 二)" in criticism
    assert criticism.index("已被替换的规则") < criticism.index("└─ 规则 example_county/公开通报批评")
    deadline = render_tree(why_not(county, facts, DEPARTMENT, "rectification_order"))
    assert "参数 整改期限 由下层重新设定 (读取它的规则 jiangxi/书面说明并限期整改)" in deadline
    assert "jiangxi: 90 days" in deadline and "example_county: 60 days (决定日适用)" in deadline


@pytest.mark.parametrize(("lang", "disabled", "reason"), [
    ("zh", "已停用的规则 jiangxi/荣誉评选优先", "停用于 example_county 3 三"),
    ("en", "disabled rule jiangxi/荣誉评选优先", "disabled by example_county 3 三"),
])
def test_cli_why_not_sees_the_county_layer(lang: str, disabled: str, reason: str) -> None:
    result = runner.invoke(app, ["explain", str(COUNTY), str(CASES), "--subject", GOVERNMENT,
                                 "--why-not", "honor_priority", "--lang", lang])
    assert result.exit_code == 0, result.output
    assert disabled in result.stdout and reason in result.stdout
    assert "三：本细则不规定荣誉评选时的优先考虑" in result.stdout
    assert "no rule" not in result.stdout and "没有能产生该措施的规则" not in result.stdout


def test_cli_why_not_still_says_when_no_rule_produces_a_measure() -> None:
    result = runner.invoke(app, ["explain", str(COUNTY), str(CASES), "--subject", GOVERNMENT,
                                 "--why-not", "delisting", "--lang", "en"])
    assert result.exit_code == 0 and "no rule of this policy produces this measure" in result.stdout
