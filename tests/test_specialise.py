"""The specialised functions (specialise.py) decide exactly as the closures walked rule by rule do.

Without a full trace the evaluator runs one generated function per class of subject; with a full
trace or coverage probes it walks the compiled closures. Both must give the same decisions: on
every case of every policy's tests, on the example case files, and on generated case files.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_properties import case_files

from zwcx_rules import Policy, load_cases, load_policy
from zwcx_rules.engine.evaluate import SubjectEvaluator
from zwcx_rules.tools.testing import read_test_file

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["jiangxi", "rizhao", "yancheng", "sichuan", "licheng"]


@cache
def policy(name: str) -> Policy:
    return load_policy(name if name in POLICIES else ROOT / name)


def decisions(policy: Policy, cases: Any, as_of: dt.date, trace: str, specialised: bool) -> list[Any]:
    facts = load_cases(cases, policy)
    plan = policy.plan_on(as_of)
    if plan is None:
        return []
    evaluator = SubjectEvaluator(plan, facts, as_of, trace, specialised=specialised)  # type: ignore[arg-type]
    out = []
    for subject in facts.subjects:
        records, drafts = evaluator.evaluate(subject)
        out.append(([r.model_dump() for r in records], [d.freeze().model_dump() for d in drafts]))
    return out


def assert_same(policy: Policy, cases: Any, as_of: dt.date) -> None:
    for trace in ("summary", "none"):
        walked = decisions(policy, cases, as_of, trace, specialised=False)
        assert decisions(policy, cases, as_of, trace, specialised=True) == walked


def policy_cases() -> list[Any]:
    found = []
    for name in POLICIES:
        for path in sorted((ROOT / "policies" / "tests" / name).glob("*.yaml")):
            for case in read_test_file(path):
                found.append(pytest.param(name, case.cases, id=f"{name}/{path.stem}/{case.name}"))
    return found


@pytest.mark.parametrize(("name", "cases"), policy_cases())
def test_every_policy_case_decides_the_same_both_ways(name: str, cases: dict[str, Any]) -> None:
    assert_same(policy(name), cases, dt.date.fromisoformat(str(cases["as_of"])))


@pytest.mark.parametrize("name", [*POLICIES, "examples/example_county.zwcx", "benchmarks/jiangxi_subset.zwcx"])
@pytest.mark.parametrize("cases", ["examples/cases.json", "examples/compare.json"])
def test_example_case_files_decide_the_same_both_ways(name: str, cases: str) -> None:
    facts = load_cases(ROOT / cases, policy(name))
    assert facts.as_of is not None
    assert_same(policy(name), ROOT / cases, facts.as_of)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_files())
def test_generated_case_files_decide_the_same_both_ways(cases: dict[str, Any]) -> None:
    for name in POLICIES:
        assert_same(policy(name), cases, dt.date(2024, 6, 30))


def test_the_generated_source_holds_no_policy_text() -> None:
    """Names, codes and quotes of the policy are bound constants, never text of the source."""
    jiangxi = policy("jiangxi")
    facts = load_cases(ROOT / "examples/cases.json", jiangxi)
    plan = jiangxi.plan_on(dt.date(2024, 6, 30))
    assert plan is not None
    evaluator = SubjectEvaluator(plan, facts, dt.date(2024, 6, 30), "none")
    assert evaluator.specialiser is not None
    sources = [evaluator.specialiser.function(plan.for_subject(s))[1] for s in facts.subjects]
    assert all(source.isascii() for source in sources)
    for rule in plan.rules["punishment"]:
        assert all(rule.name not in source and rule.clause.text not in source for source in sources)
