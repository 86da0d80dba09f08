"""Every decision the engine makes, at every trace level, against golden files.

The outputs of every policy test case, of the example case files and of 300 seeded case files
(tests/casegen.py) under all five policies, at trace levels full, summary and none, with the
coverage events of the policy test cases. A change to how decisions are made must leave these
unchanged, or change them in a reviewed commit (``pytest --update-goldens``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from casegen import case_file

from zwcx_rules import Policy, ZwcxError, evaluate, load_policy
from zwcx_rules.tools.testing import read_test_file

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "decisions"
POLICIES = ("jiangxi", "rizhao", "yancheng", "sichuan", "licheng")
TRACES = ("full", "summary", "none")
SEEDS = range(300)


@cache
def policy(name: str) -> Policy:
    return load_policy(name if name in POLICIES else ROOT / name)


def _outputs(name: str, cases: Any, probes: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for trace in TRACES:
        try:
            out[trace] = json.loads(evaluate(policy(name), cases, trace=trace).model_dump_json())  # type: ignore[arg-type]
        except ZwcxError as error:
            out[trace] = {"error": [d.code for d in error.diagnostics]}
    if probes:
        probe: set[tuple[Any, ...]] = set()
        try:
            evaluate(policy(name), cases, probe=probe)
        except ZwcxError:
            pass
        out["coverage"] = sorted(json.dumps(list(event), ensure_ascii=False) for event in probe)
    return out


def _policy_cases(name: str) -> Iterator[tuple[str, Any]]:
    for path in sorted((ROOT / "policies" / "tests" / name).glob("*.yaml")):
        for case in read_test_file(path):
            yield f"{path.stem}/{case.name}", case.cases


def _examples() -> Iterator[tuple[str, str, Any]]:
    for cases in ("cases.json", "compare.json"):
        data = json.loads((ROOT / "examples" / cases).read_text(encoding="utf-8"))
        for name in (*POLICIES, "examples/example_county.zwcx"):
            yield name, cases, data


def groups() -> dict[str, Iterator[tuple[str, str, Any, bool]]]:
    out: dict[str, Any] = {}
    for name in POLICIES:
        out[f"tests-{name}"] = lambda name=name: ((name, key, cases, True) for key, cases in _policy_cases(name))
        out[f"generated-{name}"] = lambda name=name: ((name, f"seed-{seed}", case_file(seed), False) for seed in SEEDS)
    out["examples"] = lambda: ((name, f"{name}:{cases}", data, False) for name, cases, data in _examples())
    return out


def _differences(path: str, expected: Any, actual: Any, found: list[str]) -> None:
    if len(found) >= 20:
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            _differences(f"{path}.{key}", expected.get(key, "<absent>"), actual.get(key, "<absent>"), found)
    elif isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            _differences(f"{path}[{index}]", a, b, found)
    elif expected != actual:
        found.append(f"{path}: expected {json.dumps(expected, ensure_ascii=False)[:300]}, "
                     f"got {json.dumps(actual, ensure_ascii=False)[:300]}")


@pytest.mark.parametrize("group", sorted(groups()))
def test_decisions_match_the_golden_files(group: str, request: pytest.FixtureRequest) -> None:
    actual = {key: _outputs(name, cases, probes) for name, key, cases, probes in groups()[group]()}
    golden = GOLDEN / f"{group}.json.gz"
    if request.config.getoption("--update-goldens"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        text = json.dumps(actual, ensure_ascii=False, indent=0, sort_keys=True)
        golden.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    assert golden.is_file(), f"no {golden.name}: run with --update-goldens and review it"
    expected = json.loads(gzip.decompress(golden.read_bytes()))
    found: list[str] = []
    _differences(group, expected, actual, found)
    assert not found, "\n".join(found)
