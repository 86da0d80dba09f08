"""The `zwcx` command as a user runs it: output formats, exit codes, standard input, the demo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwcx_rules import evaluate, load_policy
from zwcx_rules.cli import app

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases.json"
runner = CliRunner()


@pytest.mark.parametrize("trace", ["full", "summary", "none"])
def test_eval_json_is_exactly_the_api_json(trace: str) -> None:
    result = runner.invoke(app, ["eval", "jiangxi", str(CASES), "--format", "json", "--trace", trace])
    assert result.exit_code == 0, result.output
    expected = evaluate(load_policy("jiangxi"), CASES, trace=trace)  # type: ignore[arg-type]
    assert result.stdout.strip() == expected.model_dump_json()
    assert all(not d.records for d in expected.decisions) == (trace == "none")


def test_eval_json_follows_the_interchange_shape() -> None:
    data = json.loads(runner.invoke(app, ["eval", "jiangxi", str(CASES)]).stdout)
    assert data["policy"]["id"] == "jiangxi" and data["policy"]["chain"] == ["jiangxi"]
    assert data["policy"]["digest"].startswith("sha256:")
    outcome = next(o for d in data["decisions"] for o in d["outcomes"] if o["measure"] == "principal_accountability")
    assert set(outcome) >= {"measure", "kind", "status", "events", "subject", "path", "clause", "rule",
                            "deadline", "until", "modified_by", "because"}
    assert set(outcome["clause"]) == {"policy", "id", "cite", "text"}


def test_eval_text_prints_the_tree_with_chinese_clause_text() -> None:
    result = runner.invoke(app, ["eval", "jiangxi", str(CASES), "--format", "text", "--subject", "p-001"])
    assert result.exit_code == 0
    assert "主体 subject p-001" in result.stdout
    assert "对造成政务失信行为的主要负责人依法依规追究责任" in result.stdout
    assert "主体 subject 11360100MB1234567T" not in result.stdout


def test_eval_reads_standard_input_and_as_of_overrides() -> None:
    result = runner.invoke(app, ["eval", "jiangxi", "-", "--as-of", "2020-01-01"], input=CASES.read_text("utf-8"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["as_of"] == "2020-01-01"


def test_rejected_input_exits_1_with_the_json_path(tmp_path: Path) -> None:
    data = json.loads(CASES.read_text("utf-8"))
    data["events"][0]["date"] = "2022-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    result = runner.invoke(app, ["eval", "jiangxi", str(bad)])
    assert result.exit_code == 1
    assert "$.events[0].date" in result.stderr and result.stdout == ""


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["eval", "jiangxi"]).exit_code == 2
    assert runner.invoke(app, ["eval", "jiangxi", str(CASES), "--as-of", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["eval", "jiangxi", str(CASES), "--format", "xml"]).exit_code == 2


def test_unknown_policy_is_rejected() -> None:
    result = runner.invoke(app, ["eval", "no_such_policy", str(CASES)])
    assert result.exit_code == 1 and "no policy `no_such_policy`" in result.stderr


def test_check_reports_and_exits_by_severity(tmp_path: Path) -> None:
    assert runner.invoke(app, ["check", "jiangxi"]).exit_code == 0
    broken = tmp_path / "broken.zwcx"
    broken.write_text('policy broken "x"\nclause 1 "一"\n  quote "y"\n  punishment r for body then honor_disqualificaton\n',
                      "utf-8")
    result = runner.invoke(app, ["check", str(broken)])
    assert result.exit_code == 1
    assert "did you mean `honor_disqualification`" in result.stdout


def test_demo_shows_decisions_with_traces() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0
    assert "principal 2019-01-01..2022-12-31 → p-001" in result.stdout
    assert "modified by mitigation" in result.stdout


def test_importing_prints_nothing() -> None:
    done = subprocess.run([sys.executable, "-c", "import zwcx_rules"], capture_output=True, text=True, check=True)
    assert done.stdout == "" and done.stderr == ""


def test_id_numbers_are_masked_in_every_output() -> None:
    number = next(s["id_number"] for s in json.loads(CASES.read_text("utf-8"))["subjects"] if "id_number" in s)
    for fmt in ("json", "text"):
        assert number not in runner.invoke(app, ["eval", "jiangxi", str(CASES), "--format", fmt]).stdout


def test_a_json_syntax_error_is_located_and_masks_id_numbers(tmp_path: Path) -> None:
    number = next(s["id_number"] for s in json.loads(CASES.read_text("utf-8"))["subjects"] if "id_number" in s)
    bad = tmp_path / "bad.json"
    bad.write_text('{"subjects": [{"id": "p", "type": "person", "id_number": "' + number + '",}]}', "utf-8")
    result = runner.invoke(app, ["eval", "jiangxi", str(bad)])
    assert result.exit_code == 1
    assert "Z600" in result.stderr and ":1:" in result.stderr
    assert number not in result.stderr and number[:6] in result.stderr


def test_policy_test_matching_sees_modifications_and_null_clauses() -> None:
    from zwcx_rules.tools.testing import compare

    decision = evaluate(load_policy("jiangxi"), CASES).for_subject("p-003")
    assert compare(decision, {"absent": [{"rule": "关爱机制"}]})  # it softened merit_restriction
    assert not compare(decision, {"absent": [{"rule": "荣誉评选优先"}]})
    assert not compare(decision, {"records": [{"event": "e-3", "status": "recorded", "clause": "2.2.6"}]})
    assert compare(decision, {"records": [{"event": "e-3", "clause": None}]})


def test_zwcx_test_runs_a_policys_test_files() -> None:
    result = runner.invoke(app, ["test", "jiangxi"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("0 failed")
