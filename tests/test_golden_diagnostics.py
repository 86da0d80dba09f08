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

from conftest import GoldenCheck

GOLDEN = Path(__file__).resolve().parent / "golden" / "diagnostics"
CASES = sorted(GOLDEN.glob("[0-9][0-9]-*.zwcx"))
SUMMARY = re.compile(r"^(?P<file>\S+): (?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?$", re.MULTILINE)


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_check_output(case: Path, golden_check: GoldenCheck) -> None:
    golden_check(case, SUMMARY, [])
