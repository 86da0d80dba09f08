"""`zwcx fmt`: the canonical layout is idempotent, keeps every comment and the AST, in either keyword set."""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from typer.testing import CliRunner

from zwcx_rules import ZwcxError, evaluate, load_policy
from zwcx_rules.cli import app
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.facts import uscc_check_char
from zwcx_rules.language.build import build_policy
from zwcx_rules.language.format import comments, format_text, keyword_tokens, without_spans
from zwcx_rules.language.keywords import CHINESE_ONLY, ENGLISH_ONLY, KEYWORDS, english_pattern, terminal_pattern
from zwcx_rules.language.parse import parser
from zwcx_rules.resources import grammar_path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini.zwcx"
FORMATTED = sorted([*ROOT.glob("policies/*.zwcx"), *ROOT.glob("examples/*.zwcx"), *FIXTURES.glob("*.zwcx")])
REAL = [*FORMATTED, *sorted(ROOT.glob("docs/examples/*.zwcx"))]


def _ast(text: str) -> Any:
    return without_spans(build_policy(SourceFile("p.zwcx", text)).model_dump())


# ---- the keyword table and the grammar ---------------------------------------------------------

def test_every_keyword_terminal_has_both_spellings_in_the_grammar() -> None:
    grammar = grammar_path().read_text("utf-8").splitlines()
    for keyword in KEYWORDS:
        assert f"{keyword.terminal}.3: /{terminal_pattern(keyword)}/" in grammar, keyword
    for terminal, word in ENGLISH_ONLY.items():
        assert f"{terminal}.3: /{english_pattern(word)}/" in grammar
    spellings = [k.chinese for k in KEYWORDS] + [k.english for k in KEYWORDS if k.terminal not in CHINESE_ONLY]
    assert len(spellings) == len(set(spellings)), "a spelling stands for two keywords"


def test_a_keyword_ends_at_a_word_boundary() -> None:
    text = ('政策 p "t"\n参数 记录期限 = 1\n定义 当事人 = 记录期限\n条款 1 "一"\n  原文 "q"\n'
            "  惩戒 责任单位惩戒 适用于 department\n    对每个 记录 r\n    当 当事人 > 0 且 r.records == 1\n"
            "    则 record_disclosure\n")
    policy = build_policy(SourceFile("p.zwcx", text))
    assert policy.parameters[0].name.name == "记录期限" and policy.definitions[0].name.name == "当事人"
    assert policy.clauses[0].rules[0].name.name == "责任单位惩戒"


def test_english_and_chinese_keywords_mix_in_one_file() -> None:
    english = 'policy p "t"\nclause 1 "一"\n  quote "q"\n  punishment x for department\n    on each record r\n' \
              "    when not r.a in {b} and r.c otherwise 1 > 0\n    then may m until r.date due 1 days\n"
    mixed = '政策 p "t"\nclause 1 "一"\n  原文 "q"\n  punishment x 适用于 department\n    对每个 record r\n' \
            "    当 非 r.a 属于 {b} and r.c 否则 1 > 0\n    then 可 m 直至 r.date due 1 日\n"
    assert _ast(mixed) == _ast(english)


# ---- the real policies -------------------------------------------------------------------------

@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
@pytest.mark.parametrize("style", [None, "en", "zh"])
def test_formatting_a_real_policy_is_idempotent_and_keeps_its_ast(path: Path, style: Any) -> None:
    text = path.read_text("utf-8")
    once = format_text(text, style, verify=False)
    assert _ast(once) == _ast(text)
    assert comments(once) == comments(text)
    assert format_text(once, style, verify=False) == once


@pytest.mark.parametrize("path", FORMATTED, ids=[p.stem for p in FORMATTED])
def test_the_policies_in_the_repository_are_formatted(path: Path) -> None:
    assert format_text(path.read_text("utf-8")) == path.read_text("utf-8"), f"run `zwcx fmt {path}`"


@pytest.mark.parametrize("doc", ["keywords.md", "fmt.md"])
def test_the_policies_in_the_docs_build_and_are_formatted(doc: str) -> None:
    blocks = re.findall(r"```zwcx\n(.*?)```", (ROOT / "docs" / doc).read_text("utf-8"), re.DOTALL)
    assert blocks
    for block in blocks:
        assert format_text(block) == block


# ---- comments ----------------------------------------------------------------------------------

MESSY = '''# file comment 1
# file comment 2

policy c "注释测试"  # after the header line
  # before source
  source "sources/mini.txt"   # after source
  level city
# before effective, at column 0
  effective 2020-01-01


# section comment, two blank lines before it

parameter 限制期限 = 2 years  # after a parameter's value
  # before the doc string
  "测试用"
parameter 整改期限 = 30 日 "测试用" # after a doc string
define 纠错 = {a, b} and  # inside an expression
      # on its own line inside an expression
      c
clause 1 "（三）" # after the clause line
  quote "甲"
  # before a rule
  record 失信记录 for department,  # after a selector
         civil_servant
    # before on each
    on each event e  # after on each
    when e.kind in {司法判决, 行政处罚}   # after when
  quote "乙"
  punishment x for department
    on each record r
    then written_explanation,  # first of two trailing comments that end up on one line
         honor_disqualification  # second of two
  # at the end of a clause
# at the end of the file

# the very last
'''


def test_comments_are_kept_in_order_and_place() -> None:
    out = format_text(MESSY)
    assert comments(out) == comments(MESSY) and len(comments(MESSY)) == 23
    assert out.startswith("# file comment 1\n# file comment 2\n\npolicy c \"注释测试\"  # after the header line\n")
    assert '  source "sources/mini.txt"  # after source\n' in out
    assert "  # before effective, at column 0\n  effective 2020-01-01\n" in out
    assert "\n\n# section comment, two blank lines before it\n\nparameter 限制期限 = 2 years  # after a parameter's value\n" \
           "  # before the doc string\n  \"测试用\"\n" in out
    assert '  "测试用"  # after a doc string\n' in out
    assert "    when e.kind in {司法判决, 行政处罚}  # after when\n" in out
    assert "    then written_explanation, honor_disqualification  # first of two trailing" in out
    assert out.endswith("one line\n    # second of two\n  # at the end of a clause\n# at the end of the file\n\n"
                        "# the very last\n")
    assert format_text(out) == out
    assert _ast(out) == _ast(MESSY)


def test_hash_inside_a_string_is_not_a_comment() -> None:
    text = 'policy p "t # not a comment"  # a comment\n'
    assert comments(text) == ["# a comment"]
    assert format_text(text) == text


# ---- expressions -------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "canonical"), [
    ("(a and b) or c", "a and b or c"),
    ("a and (b or c)", "a and (b or c)"),
    ("(a and b) and c", "(a and b) and c"),
    ("not (a == b)", "not a == b"),
    ("(not a) == b", "(not a) == b"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("a * (b + c)", "a * (b + c)"),
    ("-(a + b)", "-(a + b)"),
    ("(-a).b", "(-a).b"),
    ("(a otherwise b) + 1", "(a otherwise b) + 1"),
    ("(a in b) in c", "(a in b) in c"),
    ("a not in {b, c}", "a not in {b, c}"),
    ("count(x in y where (x.a))", "count(x in y where x.a)"),
    ("1.50 + 0.00001 + 2 万元", "1.5 + 0.00001 + 20000 yuan"),
])
def test_expressions_get_minimal_parentheses(written: str, canonical: str) -> None:
    out = format_text(f'policy p "t"\ndefine d = {written}\n')
    assert out == f'policy p "t"\n\ndefine d = {canonical}\n'


def test_strings_are_escaped_again() -> None:
    text = 'policy p "a \\"quoted\\" back\\\\slash\\ttab\\nline"\n'
    assert format_text(text) == text
    assert build_policy(SourceFile("p", text)).header.title == 'a "quoted" back\\slash\ttab\nline'


def test_long_lines_wrap() -> None:
    rule = ("policy p \"t\"\nclause 1 \"一\"\n  punishment 很长的规则名称 for " + ", ".join(f"subject_{i}" for i in range(14))
            + "\n    on each record r\n    when " + " and ".join(f"r.field_{i} == value_{i}" for i in range(8))
            + "\n    then " + ", ".join(f"measure_{i}" for i in range(12)) + "\n")
    out = format_text(rule)
    assert max(len(line) for line in out.splitlines()) <= 120
    assert "\n         measure_1,\n" in out and "\n         and r.field_1 == value_1\n" in out
    assert format_text(out) == out


# ---- the command -------------------------------------------------------------------------------

def test_check_exits_1_and_lists_files_that_would_change_without_writing(tmp_path: Path) -> None:
    clean, messy = tmp_path / "clean.zwcx", tmp_path / "messy.zwcx"
    clean.write_text(format_text(MESSY), "utf-8")
    messy.write_text(MESSY, "utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["fmt", "--check", str(clean)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1 and f"would reformat {messy}" in result.stdout and str(clean) not in result.stdout
    assert messy.read_text("utf-8") == MESSY
    result = runner.invoke(app, ["fmt", str(tmp_path)])
    assert result.exit_code == 0 and f"reformatted {messy}" in result.stdout
    assert runner.invoke(app, ["fmt", "--check", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["fmt", "--check", "--keywords", "zh", str(clean)]).exit_code == 1


def test_a_file_with_a_syntax_error_is_reported_and_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zwcx"
    broken.write_text('policy p "t"\nclause 1 "一"\n  quote "q"\n  punishment r for body when a b\n', "utf-8")
    result = CliRunner().invoke(app, ["fmt", str(broken)])
    assert result.exit_code == 1 and "Z101" in result.stderr
    assert broken.read_text("utf-8").endswith("when a b\n")


# ---- Chinese keywords decide exactly as English ones --------------------------------------------

DEPT = "11320900MB0000001" + uscc_check_char("11320900MB0000001")
CASES = {
    "as_of": "2024-06-30",
    "subjects": [
        {"id": DEPT, "type": "body", "body_kind": "department", "name": "某局",
         "principals": [{"person": "p-old", "from": "2018-01-01", "to": "2022-12-31"},
                        {"person": "p-new", "from": "2023-01-01"}]},
        {"id": "p-1", "type": "person", "person_kind": "civil_servant", "honors": [{"name": "优秀公务员"}]},
        {"id": "p-2", "type": "person", "person_kind": "civil_servant"},
        {"id": "p-old", "type": "person", "person_kind": "civil_servant"},
    ],
    "events": [
        {"id": "e-1", "subject": DEPT, "kind": "administrative_penalty", "date": "2022-05-10",
         "remedies": [{"kind": "recovered_loss", "date": "2022-06-01"}]},
        {"id": "e-2", "subject": "p-2", "kind": "disciplinary_sanction", "date": "2023-02-01"},
        {"id": "e-3", "subject": "p-2", "kind": "administrative_penalty", "date": "2023-03-01",
         "tolerance": {"approved": True, "decided_on": "2023-04-01", "by": "市纪委"}},
    ],
}


def test_a_policy_in_chinese_keywords_decides_exactly_as_its_english_twin(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sources", tmp_path / "sources")
    twin = tmp_path / "mini.zwcx"
    shutil.copy(MINI, twin)
    assert CliRunner().invoke(app, ["fmt", "--keywords", "zh", str(twin)]).exit_code == 0
    spellings = keyword_tokens(twin.read_text("utf-8"))
    assert len(spellings) > 50 and not any(word.isascii() for word in spellings)
    assert "惩戒 公务员惩戒 适用于 civil_servant\n    对每个 记录 r\n" in twin.read_text("utf-8")
    english, chinese = load_policy(MINI), load_policy(twin)
    # The digest identifies the policy *text* (docs/embedding.md), so it differs; without the trace nothing else does.
    summary = [evaluate(p, CASES, trace="summary").model_dump() for p in (english, chinese)]
    assert summary[0]["policy"].pop("digest") != summary[1]["policy"].pop("digest")
    assert summary[0] == summary[1]
    # A full trace quotes each condition as written: with the keywords spelt back in English it is the same.
    full = [evaluate(p, CASES).model_dump() for p in (english, chinese)]
    assert full[0]["policy"].pop("digest") != full[1]["policy"].pop("digest")
    assert full[0] != full[1] and _unspell(full[1]) == _unspell(full[0])
    outcomes = [o for d in evaluate(english, CASES).decisions for o in d.outcomes]  # every kind of rule decided
    assert {"merit_priority", "merit_restriction", "rectification_order", "principal_accountability",
            "record_exclusion"} <= {o.measure for o in outcomes}
    assert {"applied", "discretionary", "mitigated"} <= {o.status for o in outcomes}


_ENGLISH = {k.chinese: k.english for k in KEYWORDS}
_QUOTED_CODE = re.compile(r"`[^`]*`|(?<=holds: ).*")
_CHINESE_KEYWORD = re.compile(r"(?<![\w\u00b7])(" + "|".join(sorted(_ENGLISH, key=len, reverse=True)) + r")(?![\w\u00b7])")


def _unspell(value: Any, key: str = "") -> Any:
    """The dump with Chinese keywords in the code trace lines quote (`x 属于 y` holds: 计数(…) = 1) in English."""
    if isinstance(value, dict):  # typed reasons carry the same words as `because`, and where each is written
        return {k: _unspell(v, k) for k, v in value.items() if k != "reasons"}
    if isinstance(value, list):
        return [_unspell(v, key) for v in value]
    if key == "because" and isinstance(value, str):
        return _QUOTED_CODE.sub(lambda code: _CHINESE_KEYWORD.sub(lambda k: _ENGLISH[k[1]], code[0]), value)
    return value


# ---- generated programs ------------------------------------------------------------------------

@cache
def _programs() -> st.SearchStrategy[str]:
    """Programs from the grammar, every token set off by spaces (a comment ends its line), so that
    generated keywords are not glued to the names beside them."""
    valid = {  # strings with the escapes the builder accepts, and calendar dates: most programs then build
        "STRING": st.from_regex(r'"([^"\\\n]|\\["\\nt])*"', fullmatch=True),
        "DATE": st.dates().map(lambda d: d.isoformat()).filter(lambda d: len(d) == 10),
    }
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for terminal in parser().terminals:
        if terminal.name == "WS":
            continue
        tokens = valid[terminal.name] if terminal.name in valid else st.from_regex(terminal.pattern.to_regexp(), fullmatch=True)
        explicit[terminal.name] = tokens.map((lambda t: f" {t}\n") if terminal.name == "COMMENT" else (lambda t: f" {t} "))
    return from_lark(parser(), start="start", explicit=explicit)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_programs())
def test_generated_programs_format_to_the_same_ast_and_a_fixed_point(text: str) -> None:
    try:
        original = _ast(text)
    except ZwcxError:
        return  # dates that are no dates, bad escapes: not a program
    for style in ("en", "zh"):
        once = format_text(text, style, verify=False)
        assert _ast(once) == original
        assert comments(once) == comments(text)
        assert format_text(once, style, verify=False) == once
