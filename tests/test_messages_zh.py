"""Diagnostics in Chinese: every message the engine produces has a translation, and nothing is lost.

A new message (or a new code) without an entry in ``zwcx_rules/messages_zh.py`` fails here: every
English golden, every example of docs/errors.md, every code in the source and the variants below must
come out in Chinese.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zwcx_rules import check_policy
from zwcx_rules.cli import app
from zwcx_rules.diagnostics.errors import Diagnostic, Severity, ZwcxError
from zwcx_rules.diagnostics.messages_zh import CODES, compile_pattern, default_language, translate, translate_line, translate_text
from zwcx_rules.diagnostics.render import render_diagnostic, render_diagnostics, summary_line
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.facts import load_cases

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "diagnostics"
ENGLISH_CASES = sorted(GOLDEN.glob("[0-9][0-9]-*.zwcx"))
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def assert_translated(diagnostic: Diagnostic) -> None:
    """Each part is rewritten, and the message reads as Chinese (it has CJK characters of its own)."""
    zh = translate(diagnostic)
    assert zh.code == diagnostic.code and zh.span == diagnostic.span and zh.json_path == diagnostic.json_path
    assert CJK.search(zh.message) and zh.message != diagnostic.message, (diagnostic.code, diagnostic.message)
    for part in ("label", "help"):
        english = getattr(diagnostic, part)
        assert english is None or getattr(zh, part) != english, (diagnostic.code, part, english)
    for english, chinese in zip(diagnostic.notes, zh.notes, strict=True):
        assert chinese != english, (diagnostic.code, "note", english)


# ---- completeness ---------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ENGLISH_CASES, ids=[case.stem for case in ENGLISH_CASES])
def test_every_english_golden_renders_wholly_in_chinese(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    diagnostics = check_policy(case.name)
    assert diagnostics
    for diagnostic in diagnostics:
        assert_translated(diagnostic)
    rendered = render_diagnostics(diagnostics, lang="zh")
    assert not re.search(r"^(error|warning)\[|= (help|note):", rendered, re.MULTILINE)


def _documented_parts() -> list[tuple[str, str, str]]:
    """(code, part, English text) of every message, label, help and note in the examples of docs/errors.md."""
    text = (ROOT / "docs" / "errors.md").read_text("utf-8")
    found: list[tuple[str, str, str]] = []
    code = ""
    for block in re.findall(r"```\n(.*?)```", text, re.DOTALL):
        if re.search(r"^(?:错误|警告)\[", block, re.MULTILINE):
            continue  # the examples of output in Chinese
        for line in block.splitlines():
            if header := re.match(r"(?:error|warning)\[(Z\d{3})\]: (.*)$", line):
                code = header[1]
                found.append((code, "message", header[2]))
            elif extra := re.match(r"\s*= (help|note): (.*)$", line):
                found.append((code, "help" if extra[1] == "help" else "notes", extra[2]))
            elif label := re.match(r"\s*\|\s*\^+ (.+)$", line):
                found.append((code, "label", label[1]))
    return found


def test_every_example_in_errors_md_translates() -> None:
    parts = _documented_parts()
    assert len(parts) > 150
    untranslated = [p for p in parts if translate_text(*p) is None]
    assert not untranslated
    assert all(CJK.search(translate_text(*p) or "") for p in parts if p[1] == "message")


def test_every_code_documented_or_raised_has_a_table() -> None:
    documented = set(re.findall(r"^### (Z\d{3})$", (ROOT / "docs" / "errors.md").read_text("utf-8"), re.MULTILINE))
    raised = set()
    for path in (ROOT / "zwcx_rules").rglob("*.py"):
        if path.name != "messages_zh.py":
            raised |= set(re.findall(r"\"(Z\d{3})\"", path.read_text("utf-8")))
    assert documented and raised
    assert not (documented | raised) - set(CODES)
    assert all(CODES[code].message for code in documented | raised)


def test_every_pattern_compiles_and_every_template_uses_only_its_groups() -> None:
    for code, table in CODES.items():
        for part in ("message", "label", "help", "notes"):
            for pattern, template in getattr(table, part):
                groups = set(compile_pattern(pattern).groupindex)
                used = {m.split(":")[0] for m in re.findall(r"(?<!\{)\{([^{}]+)\}", template)}
                assert used <= groups, (code, pattern, template)


# Messages and helps the goldens and the docs do not show, written as the code writes them.
VARIANTS: list[tuple[str, str, str]] = [
    ("Z100", "message", "unexpected `then`"),
    ("Z100", "message", "unexpected the end of the file"),
    ("Z100", "help", "expected a name, `then`, a clause id like 2.2.7, `)`"),
    ("Z101", "label", "this incentive rule produces nothing"),
    ("Z201", "message", "unknown name `r` (it is bound only by `on each record r` or `on each event e`)"),
    ("Z201", "help", "declare it with `parameter` or `define`, or bind it with `on each`"),
    ("Z201", "help", "did you mean `限制期`?"),
    ("Z202", "help", "use body, person, project, enterprise, a body_kind or a person_kind"),
    ("Z203", "help", "see the measure table in docs/language.md, or declare it with `measure`"),
    ("Z203", "help", "use a measure of the catalogue (docs/language.md) or its Chinese name"),
    ("Z214", "message", "`archive_entry` is already a measure; a policy may add measures, not redefine them"),
    ("Z214", "help", "choose a new measure name, or use the catalogue's"),
    ("Z215", "message", "definition `serious` has the name of a catalogue code"),
    ("Z215", "help", "give the definition a name of its own"),
    ("Z303", "message", "a tolerance rule decides about each event"),
    ("Z303", "message", "a repair rule acts on records, never on raw events"),
    ("Z303", "message", "a repair that softens punishments works record by record"),
    ("Z303", "help", "write `on each record r`: events become records first"),
    ("Z303", "help", "write `on each record r` after the subjects"),
    ("Z304", "message", "only a responsibility measure takes `to`"),
    ("Z305", "message", "only mitigation and exemption take `of`"),
    ("Z307", "message", "a date has no field `year`"),
    ("Z307", "message", "cannot apply `+` to a text and a number"),
    ("Z307", "message", "durations do not compare: a month or a year has no fixed number of days"),
    ("Z307", "message", "comparing a date with a number"),
    ("Z307", "help", "field access works on subjects, events and records"),
    ("Z307", "help", "arithmetic works on numbers, and on dates with durations (`r.date + 90 days`)"),
    ("Z307", "help", "compare dates instead, e.g. `x.date + 1 years < as_of`"),
    ("Z307", "help", "compare dates with dates, numbers with numbers"),
    ("Z317", "message", "`0.5 years` is not a whole number of years"),
    ("Z317", "help", "write a whole number, in a smaller unit if needed: `6 months`"),
    ("Z402", "help", "copy the document into the project and give its path relative to this file"),
    ("Z502", "message", "`uses` makes a cycle: a → b → a"),
    ("Z502", "help", "a library may not use itself, directly or through another"),
    ("Z503", "message", "no library `common`"),
    ("Z511", "message", "`整改期限` is already a parameter of `jiangxi`"),
    ("Z511", "help", "write `set` to give it another value in this layer"),
    ("Z521", "message", "`jiangxi` is a policy, not a library"),
    ("Z521", "help", "write `extends jiangxi` to layer on a policy; `uses` takes libraries"),
    ("Z600", "message", "not JSON: Expecting value at line 1, column 1"),
    ("Z600", "message", "not JSON: Expecting ',' delimiter at column 7"),
    ("Z600", "help", "a case file is one JSON object with `subjects` and `events`"),
    ("Z601", "message", "a line must be one JSON object (a subject)"),
    ("Z601", "message", "expected a string or a whole number, found a list"),
    ("Z605", "message", "subject `p-1` already appears on line 3"),
    ("Z606", "message", "event `e-1` appears twice in this subject's events"),
    ("Z609", "help", "give --as-of: a batch input has no case-file `as_of`"),
    ("Z612", "message", "parameter `整改期限` has no value on 2020-01-01: every value starts later"),
    ("Z612", "help", "give it a value with no `since`, or one `since` a date on or before the decision date"),
    ("Z801", "message", "not a test file: mapping values are not allowed here"),
    ("Z801", "message", "a test file needs `policy` and a list of `cases`"),
    ("Z801", "help", "a test file is YAML with `policy` and `cases`"),
    ("Z801", "help", "see docs/language.md, section Policy tests"),
    ("Z901", "message", "no Parquet files in this folder"),
]


@pytest.mark.parametrize(("code", "part", "english"), VARIANTS, ids=[f"{c}-{p}-{i}" for i, (c, p, _) in enumerate(VARIANTS)])
def test_each_message_variant_translates(code: str, part: str, english: str) -> None:
    chinese = translate_text(code, part, english)
    assert chinese is not None and chinese != english and CJK.search(chinese)


POLICY_HEAD = ('policy variants "诊断测试：变体"\n  source "sources/doc.txt"\n\nclause 2.2.7 "二（二）7"\n'
               '  quote "要求其对具体失信情况书面说明原因并限期加以整改"\n')


def _punishment(condition: str, then: str = "written_explanation", each: str = "on each record r") -> str:
    return f"  punishment 说明 for government\n    {each}\n    when {condition}\n    then {then}\n"


CHECKED_VARIANTS = {
    "Z303": _punishment("true", each="on each event e"),
    "Z303 ": "  repair 从轻 for civil_servant\n    then may mitigation of punishments\n",
    "Z304": _punishment("true", then="written_explanation to principal of subject on r.date"),
    "Z307": _punishment("r.date.year > 1"),
    "Z307 ": _punishment('"a" + 1 > 0'),
    "Z307  ": _punishment("90 days > 30 days"),
    "Z307   ": _punishment("r.date > 5"),
    "Z317": _punishment("r.date > as_of - 0.5 years"),
    "Z201": "  punishment 说明 for government\n    when r.kind == 行政处罚\n    then written_explanation\n",
}


@pytest.mark.parametrize("code", list(CHECKED_VARIANTS), ids=[f"{c.strip()}-{i}" for i, c in enumerate(CHECKED_VARIANTS)])
def test_checker_variants_translate(code: str, tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text((GOLDEN / "sources" / "doc.txt").read_text("utf-8"), "utf-8")
    path = tmp_path / "variants.zwcx"
    path.write_text(POLICY_HEAD + CHECKED_VARIANTS[code], "utf-8")
    diagnostics = check_policy(path)
    assert code.strip() in {d.code for d in diagnostics}, [str(d) for d in diagnostics]
    for diagnostic in diagnostics:
        assert_translated(diagnostic)


def _case_file_diagnostics(data: Any) -> list[Diagnostic]:
    with pytest.raises(ZwcxError) as raised:
        load_cases(data, file="cases.json")
    return raised.value.diagnostics


CASE_PROBLEMS: list[Any] = [
    [1, 2],
    {"subjects": {}, "events": 3},
    {"as_of": 20240630, "subjects": [
        {"id": "11360100MB1234567X", "type": "body", "name": "甲"},
        {"id": "11360100MB12345", "type": "body"},
        {"id": "11360100mb1234567t", "type": "body"},
        {"id": "11360100MB1234567I", "type": "body"},
        {"id": "p-1", "type": "person", "id_number": "36010219900101301"},
        {"id": "p-2", "type": "person", "id_number": "36010219900101301A"},
        {"id": "p-3", "type": "person", "id_number": "36010219900101301x"},
        {"id": "p-4", "type": "person", "id_number": "360102199001013015"},
        {"id": "p-5", "type": "person", "id_number": "360102199013013013"},
        {"id": "p-7", "type": "person", "id_number": "3601021990010130AX"},
        {"id": "p-1", "type": "persn", "person_kind": "civil_servent",
         "positions": [{"body": "b", "role": "principal", "from": "2023-01-01", "to": "2022-12-31"}]},
        {"id": "", "type": "person"},
        {"id": "p-6", "type": "person", "name": 5, "positions": "x"},
    ], "events": [
        {"id": "e-1", "subject": "p-1", "kind": "administrative_penalti", "date": "2024/05/10", "loss_yuan": -5},
        {"id": "e-1", "subject": "p-9", "date": 20240510, "loss_yuan": float("inf"), "impact": "big"},
        {"id": "e-2", "subject": "p-2", "kind": "行政处罚", "date": "2024-05-10", "persons": "x"},
        {"id": "e-3", "subject": "p-8", "kind": "行政处罚", "date": "2024-05-10"},
        {"id": "e-4", "subject": "p-2", "kind": "administrative_penalti", "date": "2024-05-10", "impact": "big"},
    ]},
]


@pytest.mark.parametrize("data", CASE_PROBLEMS, ids=["not-an-object", "not-lists", "many-problems"])
def test_case_file_problems_translate(data: Any) -> None:
    diagnostics = _case_file_diagnostics(data)
    assert diagnostics
    for diagnostic in diagnostics:
        assert_translated(diagnostic)


def test_the_many_problems_case_covers_its_codes() -> None:
    codes = {d.code for d in _case_file_diagnostics(CASE_PROBLEMS[2])}
    assert {"Z601", "Z602", "Z603", "Z604", "Z605", "Z606", "Z607"} <= codes


@pytest.mark.parametrize("content", [None, b"\xff\xfe{}", b'{"as_of": "2024-06-30",}'], ids=["missing", "not-utf8", "bad-json"])
def test_unreadable_case_files_translate(content: bytes | None, tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    if content is not None:
        path.write_bytes(content)
    (diagnostic,) = _case_file_diagnostics(path)
    assert diagnostic.code == "Z600"
    assert_translated(diagnostic)


# ---- nothing is lost ------------------------------------------------------------------------------

def test_an_unmatched_message_passes_through_unchanged() -> None:
    new = Diagnostic(code="Z999", message="something nobody translated yet", label="here?", help="do this",
                     notes=("a note",), file="cases.json", json_path="$.x", severity=Severity.WARNING)
    assert translate(new) == new
    known_code = new.model_copy(update={"code": "Z203"})
    assert translate(known_code) == known_code
    partly = Diagnostic(code="Z203", message="unknown measure `x`", help="an advice nobody translated")
    zh = translate(partly)
    assert zh.message == "未知的措施 `x`" and zh.help == "an advice nobody translated"
    assert "= 建议：an advice nobody translated" in render_diagnostic(partly, lang="zh")


def test_names_paths_and_codes_are_kept_exactly() -> None:
    diagnostic = Diagnostic(code="Z503", message="`base_rulez` is not a policy this file can extend",
                            help="put `base_rulez.zwcx` beside this file or under policies/")
    zh = translate(diagnostic)
    assert "`base_rulez`" in zh.message and "`base_rulez.zwcx`" in (zh.help or "") and "policies/" in (zh.help or "")


def test_render_and_summary_in_both_languages() -> None:
    source = SourceFile(name="p.zwcx", text="then merit_restrictoin\n")
    diagnostic = Diagnostic(code="Z203", message="unknown measure `merit_restrictoin`", span=source.span(5, 22),
                            label="not in the catalogue", help="did you mean `merit_restriction` (限制评优评先)?",
                            notes=("first defined at p.zwcx:1:1",))
    english = render_diagnostic(diagnostic, {"p.zwcx": source})
    assert english == render_diagnostic(diagnostic, {"p.zwcx": source}, lang="en")
    assert english.startswith("error[Z203]: unknown measure") and "= help: did you mean" in english
    chinese = render_diagnostic(diagnostic, {"p.zwcx": source}, lang="zh")
    assert chinese.splitlines() == [
        "错误[Z203]：未知的措施 `merit_restrictoin`",
        "  --> p.zwcx:1:6",
        "  |",
        "1 | then merit_restrictoin",
        "  |      ^^^^^^^^^^^^^^^^^ 不在措施目录中",
        "  |",
        "  = 说明：首次定义于 p.zwcx:1:1",
        "  = 建议：是否想写 `merit_restriction`（限制评优评先）？",
    ]
    warning = Diagnostic(code="Z701", severity=Severity.WARNING, message="parameter `x` is never used")
    assert render_diagnostics([diagnostic, warning], lang="zh").count("\n\n警告[Z701]：参数 `x` 从未使用") == 1
    assert summary_line("jiangxi", [diagnostic]) == "jiangxi: 1 error, 0 warnings"
    assert summary_line("jiangxi", [diagnostic], lang="zh") == "jiangxi：1 个错误，0 个警告"
    assert summary_line("jiangxi", [diagnostic, warning, warning], lang="zh") == "jiangxi：1 个错误，2 个警告"


def test_lines_the_command_line_prints() -> None:
    assert translate_line("3 passed, 1 failed") == "通过 3 项，未通过 1 项"
    assert translate_line("3 passed, 1 failed", "en") == "3 passed, 1 failed"
    rejected = translate_line("the case was rejected: t.yaml#c: $.events[0].date: error[Z601]: `x` is not a date "
                              "(expected YYYY-MM-DD)")
    assert rejected == "该测试用例的案卷被拒收：t.yaml#c: $.events[0].date：错误[Z601]：`x` 不是日期（应为 YYYY-MM-DD）"
    assert translate_line("p-1: expected outcome {measure: a}; got none") == "p-1：应有结果 {measure: a}；实际为 无"
    assert translate_line("an unknown line") == "an unknown line"
    assert (translate_line("1200 subjects decided, 2 lines rejected (stopped early past --max-errors), 3.4 s → out")
            == "已对 1200 个主体作出决定，拒收 2 行（超过 --max-errors，提前停止），用时 3.4 秒 → out")
    assert translate_line("jiangxi: no test files in tests/jiangxi/ beside the policy").startswith("jiangxi：政策文件旁")


# ---- which language -------------------------------------------------------------------------------

@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"),
    ({"ZWCX_LANG": "zh"}, "zh"),
    ({"ZWCX_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"ZWCX_LANG": "zh_CN", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),
])
def test_default_language_follows_zwcx_lang_then_the_locale(environ: dict[str, str], expected: str) -> None:
    assert default_language(environ) == expected


def test_default_language_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_language() == "en"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert default_language() == "zh"
    monkeypatch.setenv("ZWCX_LANG", "en")
    assert default_language() == "en"
    assert default_language({}, locale=False, default="zh") == "zh"


def test_eval_prints_case_file_errors_in_the_chosen_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"as_of": "2024-06-30", "subjects": [], "events": [
        {"id": "e-1", "subject": "p-1", "kind": "administrative_penalti", "date": "2024-05-10"},
        {"id": "e-2", "subject": "p-1", "kind": "administrative_penalty", "date": "2024/05/10"}]}), "utf-8")
    english = runner.invoke(app, ["eval", "jiangxi", str(cases)])
    assert english.exit_code == 1 and "error[Z602]: unknown event kind" in english.stderr
    chinese = runner.invoke(app, ["eval", "jiangxi", str(cases), "--lang", "zh"])
    assert chinese.exit_code == 1
    assert "错误[Z602]：未知的事件类型 `administrative_penalti`" in chinese.stderr
    assert "错误[Z601]：`2024/05/10` 不是日期（应为 YYYY-MM-DD）" in chinese.stderr
    assert f"  --> {cases}: $.events[1].date" in chinese.stderr and "help:" not in chinese.stderr
    monkeypatch.setenv("ZWCX_LANG", "zh")
    assert runner.invoke(app, ["eval", "jiangxi", str(cases)]).stderr == chinese.stderr
    assert runner.invoke(app, ["eval", "jiangxi", str(cases), "--lang", "en"]).stderr == english.stderr


def test_batch_and_test_commands_take_lang(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.jsonl"
    result = runner.invoke(app, ["batch", "jiangxi", str(missing), "--out", str(tmp_path / "out"), "--lang", "zh"])
    assert result.exit_code == 1 and "错误[Z901]：该路径下没有批量输入" in result.stderr
    result = runner.invoke(app, ["test", "jiangxi", "--lang", "zh"])
    assert result.exit_code == 0 and re.search(r"^通过 \d+ 项，未通过 0 项$", result.stdout, re.MULTILINE)


def test_explain_keeps_its_chinese_default_unless_zwcx_lang_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    arguments = ["explain", "jiangxi", str(ROOT / "examples" / "cases.json"), "--subject", "nobody"]
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "错误[Z610]：主体 `nobody` 不在案卷文件中" in runner.invoke(app, arguments).stderr
    monkeypatch.setenv("ZWCX_LANG", "en")
    assert "error[Z610]: subject `nobody` is not in the case file" in runner.invoke(app, arguments).stderr
