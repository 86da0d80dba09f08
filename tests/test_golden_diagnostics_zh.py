"""Golden tests of diagnostics in Chinese: `zwcx check --lang zh` on a broken policy prints exactly its `.out`.

The cases in ``tests/golden/diagnostics-zh/`` are copies of English cases of
``tests/golden/diagnostics/`` (with the parents they extend and ``sources/``). After a deliberate
change to a message or its translation, run
``pytest tests/test_golden_diagnostics_zh.py --update-goldens`` and review the diff of the ``.out`` files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import GoldenCheck
from zwcx_rules.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden" / "diagnostics-zh"
CASES = sorted(GOLDEN.glob("[0-9][0-9]-*.zwcx"))
SUMMARY = re.compile(r"^(?P<file>\S+)：(?P<errors>\d+) 个错误，(?P<warnings>\d+) 个警告$", re.MULTILINE)


def test_there_are_enough_cases_and_each_is_a_copy_of_an_english_one() -> None:
    assert len(CASES) >= 12
    english = GOLDEN.parent / "diagnostics"
    for case in CASES:
        assert case.read_bytes() == (english / case.name).read_bytes(), case.name


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_check_output_in_chinese(case: Path, golden_check: GoldenCheck) -> None:
    printed = golden_check(case, SUMMARY, ["--lang", "zh"])
    assert "help:" not in printed and "note:" not in printed


@pytest.mark.parametrize("case", CASES[:3], ids=[case.stem for case in CASES[:3]])
def test_the_environment_chooses_chinese_as_lang_zh_does(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    expected = case.with_suffix(".out").read_text(encoding="utf-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert CliRunner().invoke(app, ["check", case.name]).stdout == expected
    monkeypatch.setenv("ZWCX_LANG", "en")
    english = CliRunner().invoke(app, ["check", case.name]).stdout
    assert english == (GOLDEN.parent / "diagnostics" / case.with_suffix(".out").name).read_text(encoding="utf-8")
    assert CliRunner().invoke(app, ["check", "--lang", "zh", case.name]).stdout == expected
