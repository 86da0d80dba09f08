"""The pytest plugin collects policy test files and reports a failing case with its trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

CASE = """\
policy: mini
cases:
  - name: 罚款后书面说明
    as_of: 2024-06-30
    subjects:
      - {id: 11320900MB0000001A, type: body, body_kind: department}
    events:
      - {id: e-1, subject: 11320900MB0000001A, kind: 行政处罚, date: 2022-05-10}
    expect:
      - subject: 11320900MB0000001A
        outcomes: [{measure: written_explanation, status: STATUS, clause: "2"}]
"""


def run(tmp_path: Path, status: str) -> subprocess.CompletedProcess[str]:
    from zwcx_rules.facts import uscc_check_char

    body = "11320900MB0000001" + uscc_check_char("11320900MB0000001")
    shutil.copytree(FIXTURES, tmp_path / "policies")
    (tmp_path / "policies" / "tests" / "mini").mkdir(parents=True)
    text = CASE.replace("11320900MB0000001A", body).replace("STATUS", status)
    (tmp_path / "policies" / "tests" / "mini" / "cases.yaml").write_text(text, "utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "zwcx_rules.tools.pytest_plugin", "-q", "-p", "no:cacheprovider",
                           "policies/tests"], cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_a_passing_case_is_one_collected_test(tmp_path: Path) -> None:
    done = run(tmp_path, "applied")
    assert done.returncode == 0, done.stdout
    assert "1 passed" in done.stdout


def test_a_failing_case_shows_expected_actual_and_the_trace(tmp_path: Path) -> None:
    done = run(tmp_path, "exempted")
    assert done.returncode == 1
    assert "policy test `罚款后书面说明` (cases.yaml) failed" in done.stdout
    assert "expected outcome {measure: written_explanation, status: exempted, clause: 2}" in done.stdout
    assert "written_explanation applied (2, mini/部门惩戒)" in done.stdout
    assert "对具体失信情况书面说明原因" in done.stdout  # the trace, with the clause text
