"""Proof of coverage (`zwcx test --coverage`): rules, branches, clauses and sentences of a copy of the mini
policy, measured on a few test cases written here, and the HTML report as a browser renders it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zwcx_rules import check_policy, evaluate, load_policy
from zwcx_rules.cli import app
from zwcx_rules.facts import uscc_check_char
from zwcx_rules.tools.coverage import PolicyCoverage, coverage_of, measure, split_sentences
from zwcx_rules.tools.coverage_html import render_html
from zwcx_rules.tools.testing import read_test_file, run_case

FIXTURES = Path(__file__).parent / "fixtures"
DEPT = "11320900MB0000001" + uscc_check_char("11320900MB0000001")
QUIET_DEPT = "11320900MB0000002" + uscc_check_char("11320900MB0000002")
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")) if p
                 and Path(p).exists()), None)
runner = CliRunner()

# The copy differs from the fixture in three places, to give coverage something to find: the record rule
# tests its event kinds as an `or` of two sets, the principal is found `else`-wise after the persons an
# event names, and a clause of 二（七） is `not encoded` (its quote cut with …… across two sentences).
EDITS = [
    ("when e.kind in {司法判决, 行政处罚, 纪律处分, 问责处理}",
     "when e.kind in {司法判决, 行政处罚} or e.kind in {纪律处分, 问责处理}"),
    ("to principal of subject on r.date", "to persons of r else principal of subject on r.date"),
]
NOT_ENCODED = '''
clause 4 "（七）异议"
  quote "完善政务信用信息保护机制……建立健全信用信息异议申诉制度"
  not encoded "objection procedure; no outcome for a subject"
'''


def _cases() -> list[dict[str, Any]]:
    """A department and a civil servant with an administrative penalty each; a department and one without."""
    return [
        {"name": "部门与公务员受行政处罚", "as_of": "2024-06-30",
         "subjects": [{"id": DEPT, "type": "body", "body_kind": "department", "name": "某局",
                       "principals": [{"person": "p-old", "from": "2018-01-01"}]},
                      {"id": "p-2", "type": "person", "person_kind": "civil_servant", "name": "李某"}],
         "events": [{"id": "e-1", "subject": DEPT, "kind": "administrative_penalty", "date": "2022-05-10"},
                    {"id": "e-2", "subject": "p-2", "kind": "行政处罚", "date": "2023-05-10"}],
         "expect": [{"subject": DEPT, "records": [{"event": "e-1", "status": "recorded", "clause": "1"}],
                     "outcomes": [{"measure": "principal_accountability", "subject": "p-old"}]},
                    {"subject": "p-2", "records": [{"event": "e-2", "status": "recorded"}]}]},
        {"name": "无记录的部门和公务员", "as_of": "2024-06-30",
         "subjects": [{"id": QUIET_DEPT, "type": "body", "body_kind": "department", "name": "某委"},
                      {"id": "p-3", "type": "person", "person_kind": "civil_servant", "name": "王某"}],
         "events": [],
         "expect": [{"subject": QUIET_DEPT, "no_outcomes": True}, {"subject": "p-3", "no_outcomes": True}]},
    ]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """`<dir>/mini.zwcx`, `<dir>/sources/` and `<dir>/tests/mini/cases.yaml`, from the fixture folder."""
    root = tmp_path / "policies"
    shutil.copytree(FIXTURES, root)
    text = (root / "mini.zwcx").read_text("utf-8")
    for old, new in EDITS:
        assert old in text
        text = text.replace(old, new)
    (root / "mini.zwcx").write_text(text + NOT_ENCODED, "utf-8")
    (root / "tests" / "mini").mkdir(parents=True)
    test_file = {"policy": "mini", "cases": _cases()}
    (root / "tests" / "mini" / "cases.yaml").write_text(json.dumps(test_file, ensure_ascii=False), "utf-8")
    return root


@pytest.fixture()
def report(folder: Path) -> PolicyCoverage:
    return measure(load_policy(folder / "mini.zwcx"))


def test_the_cases_pass_and_every_rule_is_measured(report: PolicyCoverage) -> None:
    assert [r.passed for r in report.results] == [True, True], [r.failures for r in report.results]
    assert [r.name for r in report.rules] == ["mini/失信记录", "mini/容错", "mini/表彰激励", "mini/公务员惩戒",
                                              "mini/部门惩戒", "mini/主要负责人", "mini/关爱"]


def test_fired_and_not_fired_name_the_cases(report: PolicyCoverage) -> None:
    rules = {r.name: r for r in report.rules}
    punished = rules["mini/公务员惩戒"]
    assert punished.fired_by == ["cases.yaml :: 部门与公务员受行政处罚"]
    assert punished.rested_by == ["cases.yaml :: 无记录的部门和公务员"]
    assert punished.covered and punished.complete
    assert rules["mini/失信记录"].fired_by and not rules["mini/失信记录"].covered  # every event was admitted


def test_a_rule_that_never_fires_is_uncovered_with_its_hint(report: PolicyCoverage) -> None:
    incentive = next(r for r in report.rules if r.name == "mini/表彰激励")
    assert not incentive.fired_by and incentive.rested_by and not incentive.covered
    hint = ("no test makes incentive 表彰激励 (2) fire: add a case with a civil_servant subject where "
            "the subject's honors include a honor")
    assert hint in report.uncovered()
    repair = next(r for r in report.rules if r.name == "mini/关爱")
    assert any(h.startswith("no test makes repair 关爱 (3) apply:") and "remedy's kind is one of recovered_loss" in h
               for h in repair.hints())


def test_an_or_alternative_never_taken_is_reported(report: PolicyCoverage) -> None:
    first, second = (b for b in report.branches if b.kind == "or")
    assert first.owner == second.owner == "mini/失信记录" and first.site == second.site
    assert first.taken_by == ["cases.yaml :: 部门与公务员受行政处罚"] and second.taken_by == []
    assert second.hint in report.uncovered()
    assert second.hint.startswith("no test makes `e.kind in {纪律处分, 问责处理}` hold for rule 失信记录 (1)")
    assert "the event's kind is one of 纪律处分, 问责处理, while the event's kind is none of 司法判决, 行政处罚" in second.hint


def test_an_else_option_never_taken_is_reported(report: PolicyCoverage) -> None:
    persons, principal = (b for b in report.branches if b.kind == "else")
    assert persons.text == "persons of r" and not persons.taken_by
    assert principal.taken_by == ["cases.yaml :: 部门与公务员受行政处罚"]
    assert "the record names persons (`persons`)" in persons.hint


def test_clauses_are_covered_only_when_all_their_rules_and_branches_are(report: PolicyCoverage) -> None:
    status = {c.id: c.status for c in report.clauses}
    assert status == {"1": "uncovered", "2": "uncovered", "3": "uncovered", "4": "not_encoded"}
    summary = report.summary()
    assert summary["rules"] == {"covered": 3, "total": 7, "percent": 42.9}
    assert summary["branches"] == {"covered": 2, "total": 4, "percent": 50.0}
    assert summary["clauses"] == {"covered": 0, "total": 3, "percent": 0.0}
    assert summary["clauses_not_encoded"] == 1


def test_sentences_take_the_state_of_the_quotes_they_overlap(report: PolicyCoverage) -> None:
    by_text = {s.text: s for s in report.sentences}
    assert report.sentences[0].text == "（三）建立健全政务信用记录。" and report.sentences[0].status == "unaccounted"
    # 公务员惩戒 fired and did not fire, and it is the only rule after its quote
    assert by_text["强化对失信政府部门和公务员的信用监管、约束和惩戒，建立政府失信责任追究制度。"].status == "tested"
    praised = by_text["探索政府部门和公务员的信用信息分类，"
                      "对于诚信事迹突出并受到表彰奖励的公务员在评先评优、职级晋升等方面予以守信激励。"]
    assert praised.status == "encoded" and praised.clauses == ["2"]
    # the quote cut with …… covers both sentences it touches, and shows the reason
    for text in ("完善政务信用信息保护机制，依法依规采集政府部门和公务员政务失信记录。",
                 "建立健全信用信息异议申诉制度，扩展信用修复渠道和方式。"):
        assert by_text[text].status == "not_encoded"
        assert by_text[text].reasons == ["objection procedure; no outcome for a subject"]
    assert by_text["（七）健全信用权益保护与容错纠错关爱机制。"].status == "unaccounted"


def test_a_trace_reading_facts_again_takes_no_branch(folder: Path) -> None:
    """The full trace re-reads the aggregates of a fired rule; an `or` inside one the condition never reached
    (its first alternative held) must not count as taken."""
    path = folder / "mini.zwcx"
    old = "when any(m in r.remedies where m.kind in {recovered_loss, eliminated_impact, prevented_harm} and m.date >= r.date)"
    new = ("when r.kind == administrative_penalty"
           " or any(m in r.remedies where m.kind == recovered_loss or m.kind == prevented_harm)")
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    case = {"as_of": "2024-06-30", "subjects": [{"id": "p-1", "type": "person", "person_kind": "civil_servant"}],
            "events": [{"id": "e-1", "subject": "p-1", "kind": "administrative_penalty", "date": "2023-01-01",
                        "remedies": [{"kind": "prevented_harm", "date": "2023-02-01"}]}]}
    probe: set[tuple[Any, ...]] = set()
    evaluate(load_policy(path), case, trace="full", probe=probe)
    taken = sorted((e[2], e[3]) for e in probe if e[0] == "or" and e[1] == "mini/关爱")
    assert len(taken) == 1 and taken[0][1] == 0, taken


def test_sentences_end_at_full_stops_semicolons_and_line_breaks() -> None:
    document = "甲，乙。 丙；丁！\n\n  戊？己\r\n庚"
    assert [s.text for s in split_sentences(document)] == ["甲，乙。", "丙；", "丁！", "戊？", "己", "庚"]
    third = split_sentences(document)[2]
    assert document[third.start:third.end] == "丁！" and third.number == 3


def test_run_case_keeps_its_signature_and_fills_a_probe(folder: Path) -> None:
    policy = load_policy(folder / "mini.zwcx")
    case = read_test_file(folder / "tests" / "mini" / "cases.yaml")[0]
    assert run_case(case, policy).passed
    probe: set[tuple[Any, ...]] = set()
    assert run_case(case, policy, probe).passed
    assert ("rule", "mini/部门惩戒", True) in probe


def test_fail_under_sets_the_exit_code(folder: Path) -> None:
    policy = str(folder / "mini.zwcx")
    met = runner.invoke(app, ["test", policy, "--coverage", "--fail-under", "0"])
    assert met.exit_code == 0, met.output
    assert met.stdout.endswith("2 passed, 0 failed\n") and "表彰激励" in met.stdout
    # rules are 43% covered, clauses 0%: either one under the bar fails the run
    short = runner.invoke(app, ["test", policy, "--fail-under", "1"])
    assert short.exit_code == 1
    assert "mini: rule or clause coverage is below 1%" in short.stdout


def test_without_coverage_the_output_is_unchanged(folder: Path) -> None:
    result = runner.invoke(app, ["test", str(folder / "mini.zwcx")])
    assert result.exit_code == 0 and result.stdout == "2 passed, 0 failed\n"


def test_json_report_shape(folder: Path) -> None:
    result = runner.invoke(app, ["test", str(folder / "mini.zwcx"), "--coverage", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (policy,) = data["policies"]
    assert set(policy) >= {"policy", "title", "summary", "uncovered", "rules", "branches", "clauses", "sentences",
                           "unaccounted", "tests"}
    assert policy["policy"] == "mini" and policy["title"] == "引擎测试用政策"
    assert policy["summary"]["sentences"]["total"] == len(policy["sentences"])
    rule = next(r for r in policy["rules"] if r["rule"] == "mini/表彰激励")
    assert rule["covered"] is False and rule["fired_by"] == [] and rule["hints"]
    branch = next(b for b in policy["branches"] if b["kind"] == "or" and b["index"] == 1)
    assert branch == {**branch, "owner": "mini/失信记录", "covered": False, "taken_by": []}
    assert {s["status"] for s in policy["sentences"]} == {"tested", "encoded", "not_encoded", "unaccounted"}
    assert policy["unaccounted"][0] == {"number": 1, "text": "（三）建立健全政务信用记录。", "status": "unaccounted",
                                        "clauses": [], "reasons": []}


def test_html_is_self_contained_and_escaped(report: PolicyCoverage) -> None:
    page = render_html(report)
    assert page.startswith("<!doctype html>") and '<meta charset="utf-8">' in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert 'class="s not_encoded"' in page and 'title="' in page and "objection procedure" in page
    assert 'href="#clause-2"' in page and 'id="clause-2"' in page
    assert "e.kind in {纪律处分, 问责处理}" in page  # braces survive, and nothing unescaped leaks
    report.title = "<b>&</b>"
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in render_html(report)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install -y chromium)")
def test_html_renders_in_headless_chromium(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    result = runner.invoke(app, ["test", str(folder / "mini.zwcx"), "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out / "mini.html"
    flags = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True)
    assert "<h1>引擎测试用政策</h1>" in dom.stdout
    assert 'class="s tested"' in dom.stdout and "强化对失信政府部门和公务员的信用监管" in dom.stdout
    screenshot = tmp_path / "mini.png"
    subprocess.run([*flags, "--window-size=1200,1600", f"--screenshot={screenshot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 20_000


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install -y chromium)")
@pytest.mark.parametrize("policy", ["jiangxi", "rizhao", "yancheng", "sichuan", "licheng"])
def test_each_policys_report_renders_in_headless_chromium(policy: str, tmp_path: Path) -> None:
    from zwcx_rules import load_policy

    out = tmp_path / "html"
    result = runner.invoke(app, ["test", policy, "--html", str(out), "--fail-under", "100"])
    assert result.exit_code == 0, result.output
    flags = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", (out / f"{policy}.html").as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert f"<h1>{load_policy(policy).title}</h1>" in dom
    assert 'class="s tested"' in dom and 'class="s unaccounted"' not in dom


# ---- a layer: clauses that only set, disable or override -------------------------------------------

COUNTY = Path(__file__).resolve().parents[1] / "examples" / "example_county.zwcx"


def _county_cases() -> list[dict[str, Any]]:
    """Two civil servants with a record each: one recovered the loss (the county's 关爱 exempts), one did not."""
    def servant(person: str, remedies: list[dict[str, str]]) -> dict[str, Any]:
        return {"as_of": "2024-06-30",
                "subjects": [{"id": person, "type": "person", "person_kind": "civil_servant"}],
                "events": [{"id": "e-1", "subject": person, "kind": "administrative_penalty", "date": "2023-03-01",
                            "remedies": remedies}]}
    return [
        {"name": "挽回损失的公务员免于惩戒", **servant("p-1", [{"kind": "recovered_loss", "date": "2023-03-10"}]),
         "expect": [{"subject": "p-1", "outcomes": [{"measure": "merit_restriction", "status": "exempted",
                                                     "modified_by": [{"rule": "mini_county/关爱"}]}]}]},
        {"name": "未挽回损失的公务员", **servant("p-2", []),
         "expect": [{"subject": "p-2", "outcomes": [{"measure": "merit_restriction", "status": "discretionary"}],
                     "absent": [{"rule": "关爱"}]}]},
    ]


@pytest.fixture()
def county_folder(tmp_path: Path) -> Path:
    """The fixture folder with `tests/mini_county/cases.yaml` beside `mini_county.zwcx`, a layer on mini."""
    root = tmp_path / "policies"
    shutil.copytree(FIXTURES, root)
    (root / "tests" / "mini_county").mkdir(parents=True)
    test_file = {"policy": "mini_county", "cases": _county_cases()}
    (root / "tests" / "mini_county" / "cases.yaml").write_text(json.dumps(test_file, ensure_ascii=False), "utf-8")
    return root


def test_clauses_that_only_set_disable_or_override_are_encoded(county_folder: Path) -> None:
    report = measure(load_policy(county_folder / "mini_county.zwcx"))
    assert all(r.passed for r in report.results), [r.failures for r in report.results]
    clauses = {c.id: c for c in report.clauses}
    assert {k: c.status for k, c in clauses.items()} == {"1": "encoded", "2": "encoded", "3": "covered"}
    assert clauses["1"].statements == ['set 整改期限 = 15 days "一：十五日"']
    assert clauses["2"].statements == ['disable 表彰激励 "二：本县不实施表彰激励"']
    status = {s.text: (s.status, s.clauses) for s in report.sentences}
    assert status == {"某县实施细则（测试用）": ("unaccounted", []),
                      "一、限期整改的期限为十五日。": ("encoded", ["1"]),
                      "二、本县不实施表彰激励。": ("encoded", ["2"]),
                      "三、主动挽回损失的公务员，免于惩戒。": ("tested", ["3"])}  # the override fired and did not
    summary = report.summary()
    assert summary["clauses_not_encoded"] == 0 and summary["rules"]["percent"] == 100.0
    assert summary["clauses"] == {"covered": 1, "total": 1, "percent": 100.0}
    page = render_html(report)
    assert '<section class="clause encoded" id="clause-2">' in page
    assert "encoded by <code>disable 表彰激励 &quot;二：本县不实施表彰激励&quot;</code>" in page


def test_an_override_no_test_exercises_is_encoded_not_tested(county_folder: Path) -> None:
    report = coverage_of(load_policy(county_folder / "mini_county.zwcx"), [])
    assert {s.text: s.status for s in report.sentences}["三、主动挽回损失的公务员，免于惩戒。"] == "encoded"
    assert {c.id: c.status for c in report.clauses}["3"] == "uncovered"


def test_the_example_county_accounts_for_every_sentence_it_quotes() -> None:
    report = coverage_of(load_policy(COUNTY), [])  # it has no test files: nothing is tested
    quoted = {s.text: (s.status, s.clauses) for s in report.sentences if s.clauses}
    assert quoted == {
        "对存在政务失信记录的政府及其部门，限期整改的期限为六十日，自责令整改之日起计算。": ("encoded", ["1"]),
        "对影响程度较大及以上的政务失信记录，以统一社会信用代码为索引予以公开通报批评；": ("encoded", ["2"]),
        "影响程度一般的，不予公开通报批评。": ("encoded", ["2"]),
        "本县荣誉评选另行规定，本细则不规定荣誉评选时的优先考虑。": ("encoded", ["3"]),
    }
    assert {c.id: c.status for c in report.clauses} == {"1": "encoded", "2": "uncovered", "3": "encoded"}
    assert [s.text for s in report.sentences if s.status == "unaccounted"][2:] == [  # after title and note
        "一、整改期限。", "二、通报批评。", "三、荣誉评选。"]  # headings no clause quotes


def test_a_set_accounts_for_the_clause_it_directly_follows(county_folder: Path) -> None:
    path = county_folder / "mini_county.zwcx"
    assert check_policy(path) == []
    text = path.read_text("utf-8")
    # with a parameter of its own between the clause and the `set`, the clause accounts for nothing
    path.write_text(text.replace("set 整改期限", 'parameter 本县期限 = 1 days "测试用"\nset 整改期限'), "utf-8")
    assert [(d.code, d.message) for d in check_policy(path) if d.is_error] == [
        ("Z405", "clause `1` accounts for nothing")]
