"""Shared pytest options and fixtures."""

from __future__ import annotations

import pytest

LANGUAGE_VARIABLES = ("ZWCX_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite the expected output of golden tests from the current output")


@pytest.fixture(autouse=True)
def _messages_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no language chosen by the environment, so messages are in English by default."""
    for name in LANGUAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
