"""Golden tests of diagnostics: `zwcx check` on each small broken policy prints exactly its `.out` file.

Each case is ``tests/golden/diagnostics/NN-name.zwcx`` beside ``NN-name.out``. Files not named
``NN-…`` (``base_*.zwcx``) are parents that layering cases extend; ``sources/doc.txt`` is the excerpt
their ``source`` header names. The check runs from the golden folder with a relative path, so file
names in the output do not depend on the machine.

After a deliberate change to a message, run ``pytest tests/test_golden_diagnostics.py --update-goldens``
and review the diff of the ``.out`` files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwcx_rules.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden" / "diagnostics"
CASES = sorted(GOLDEN.glob("[0-9][0-9]-*.zwcx"))
SUMMARY = re.compile(r"^(?P<file>\S+): (?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?$", re.MULTILINE)


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_check_output(case: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(GOLDEN)
    result = CliRunner().invoke(app, ["check", case.name])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    expected_file = case.with_suffix(".out")
    if request.config.getoption("--update-goldens"):
        expected_file.write_text(result.stdout, encoding="utf-8")
    assert expected_file.is_file(), f"no {expected_file.name}: run with --update-goldens and review it"
    assert result.stdout == expected_file.read_text(encoding="utf-8")
    summary = SUMMARY.search(result.stdout)
    assert summary is not None and summary["file"] == case.name
    assert result.exit_code == (1 if int(summary["errors"]) else 0)
