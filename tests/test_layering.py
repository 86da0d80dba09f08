"""Layering: a county policy extends Jiangxi, re-sets a parameter, overrides a rule, disables another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zwcx_rules import ZwcxError, evaluate, load_policy
from zwcx_rules.facts import uscc_check_char

ROOT = Path(__file__).resolve().parents[1]
COUNTY = ROOT / "examples" / "example_county.zwcx"
BODY = "11360100MB0000002" + uscc_check_char("11360100MB0000002")


def cases(impact: str) -> dict[str, Any]:
    return {
        "as_of": "2024-06-30",
        "subjects": [{"id": BODY, "type": "body", "body_kind": "department",
                      "ratings": [{"period": "2023", "score": 99}]}],
        "events": [{"id": "e-1", "subject": BODY, "kind": "administrative_penalty", "date": "2023-03-01",
                    "impact": impact, "rectification": {"ordered_on": "2023-03-10"}}],
    }


def outcomes(policy: Any, impact: str) -> dict[str, Any]:
    return {o.measure: o for o in evaluate(policy, cases(impact)).decisions[0].outcomes}


def test_chain_and_digest_cover_both_layers() -> None:
    county = load_policy(COUNTY)
    assert county.chain == ("jiangxi", "example_county")
    assert county.digest != load_policy("jiangxi").digest


def test_reset_parameter_changes_the_deadline() -> None:
    assert str(outcomes(load_policy("jiangxi"), "general")["rectification_order"].deadline) == "2023-06-08"
    county = outcomes(load_policy(COUNTY), "general")["rectification_order"]
    assert str(county.deadline) == "2023-05-09"  # 60 days after the order
    assert county.rule == "jiangxi/书面说明并限期整改"  # the base rule fired, with the county's value


def test_override_fires_under_the_layer_that_wrote_it() -> None:
    county = load_policy(COUNTY)
    assert "public_criticism" not in outcomes(county, "general")
    criticism = outcomes(county, "serious")["public_criticism"]
    assert criticism.rule == "example_county/公开通报批评"
    assert criticism.clause.policy == "example_county" and criticism.clause.id == "2"
    assert outcomes(load_policy("jiangxi"), "general")["public_criticism"].rule == "jiangxi/公开通报批评"


def test_disabled_rule_no_longer_fires() -> None:
    clean = {**cases("general"), "events": []}
    assert [o.measure for o in evaluate(load_policy("jiangxi"), clean).decisions[0].outcomes] == ["honor_priority"]
    assert evaluate(load_policy(COUNTY), clean).decisions[0].outcomes == []


def test_layer_not_yet_in_force_falls_back_to_the_base(tmp_path: Path) -> None:
    text = COUNTY.read_text("utf-8").replace("effective 2020-01-01", "effective 2030-01-01")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "example_county.txt").write_text(
        (ROOT / "examples/sources/example_county.txt").read_text("utf-8"), "utf-8")
    later = tmp_path / "example_county.zwcx"
    later.write_text(text, "utf-8")
    decisions = evaluate(load_policy(later), cases("general"))
    assert not decisions.policy.in_force and decisions.decisions[0].outcomes == []


def test_a_child_cannot_silently_redefine_a_rule(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text("一、测试条文。", "utf-8")
    child = tmp_path / "child.zwcx"
    child.write_text('policy child "子"\n  extends jiangxi\n  source "sources/doc.txt"\n'
                     'clause 1 "一"\n  quote "测试条文。"\n'
                     '  punishment 公开通报批评 for department on each record r then public_criticism\n', "utf-8")
    with pytest.raises(ZwcxError) as raised:
        load_policy(child)
    assert [d.code for d in raised.value.errors] == ["Z507"]
    assert "override" in (raised.value.errors[0].help or "")


def test_libraries_are_shared_not_layered() -> None:
    jiangxi = load_policy("jiangxi")
    assert jiangxi.chain == ("jiangxi",)
    assert [layer.id for layer in jiangxi.resolved.layers] == ["common", "jiangxi"]
    assert "主动纠错" in jiangxi.resolved.definitions
    county = load_policy(COUNTY)
    assert [layer.id for layer in county.resolved.layers] == ["common", "jiangxi", "example_county"]


def test_a_policy_cannot_extend_a_library(tmp_path: Path) -> None:
    child = tmp_path / "child.zwcx"
    child.write_text('policy child "子"\n  extends common\n', "utf-8")
    with pytest.raises(ZwcxError) as raised:
        load_policy(child)
    assert [d.code for d in raised.value.errors] == ["Z521"]


def test_an_override_names_the_rule_it_replaces_in_the_trace() -> None:
    criticism = outcomes(load_policy(COUNTY), "serious")["public_criticism"]
    assert "rule example_county/公开通报批评 overrides jiangxi/公开通报批评" in criticism.because
