"""Shared pytest options and fixtures."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwcx_rules.cli import app

LANGUAGE_VARIABLES = ("ZWCX_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the expected output of golden tests from the current output")


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no language chosen by the environment, so messages are in English by default."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


GoldenCheck = Callable[[Path, "re.Pattern[str]", list[str]], str]


@pytest.fixture
def golden_check(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> GoldenCheck:
    """`zwcx check ARGS CASE` from the case's folder prints exactly ``CASE.out`` (rewritten first with
    --update-goldens), ends with the summary line ``summary`` matches for the case, and exits 1 on an
    error, 0 otherwise. Returns what it printed."""
    def check(case: Path, summary: re.Pattern[str], args: list[str]) -> str:
        monkeypatch.chdir(case.parent)
        result = CliRunner().invoke(app, ["check", *args, case.name])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        expected_file = case.with_suffix(".out")
        if request.config.getoption("--update-goldens"):
            expected_file.write_text(result.stdout, encoding="utf-8")
        assert expected_file.is_file(), f"no {expected_file.name}: run with --update-goldens and review it"
        assert result.stdout == expected_file.read_text(encoding="utf-8")
        found = summary.search(result.stdout)
        assert found is not None and found["file"] == case.name
        assert result.exit_code == (1 if int(found["errors"]) else 0)
        return result.stdout
    return check
