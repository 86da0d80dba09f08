"""Every rule of every policy is stated, by some policy test, to fire and not to fire.

The test files themselves run through the pytest plugin (zwcx_rules/pytest_plugin.py, enabled in
the root conftest.py), one pytest item per case.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from zwcx_rules import Policy, load_policy
from zwcx_rules.semantics.resolve import read_layer
from zwcx_rules.tools.testing import PolicyCase, read_test_file

ROOT = Path(__file__).resolve().parents[1]
TEST_DIR = ROOT / "policies" / "tests"
POLICIES = sorted(p.stem for p in (ROOT / "policies").glob("*.zwcx") if not read_layer(p).is_library)


@cache
def policy(ref: str) -> Policy:
    return load_policy(ref)


def all_cases() -> list[PolicyCase]:
    return [case for path in sorted(TEST_DIR.glob("**/*.yaml")) for case in read_test_file(path)]


def _named(expectation: dict[str, object], key: str) -> set[str]:
    return {str(item["rule"]).split("/", 1)[-1] for item in expectation.get(key, []) if "rule" in item}  # type: ignore[union-attr]


@pytest.mark.parametrize("policy_id", POLICIES)
def test_every_rule_is_stated_to_fire_and_not_to_fire(policy_id: str) -> None:
    """Each rule appears in some test as an expected record/outcome/modification and as `absent`."""
    cases = [c for c in all_cases() if c.policy == policy_id]
    fires: set[str] = set()
    absent: set[str] = set()
    for case in cases:
        for expectation in case.expect:
            fires |= _named(expectation, "records") | _named(expectation, "outcomes")
            for outcome in expectation.get("outcomes", []):
                fires |= {str(m["rule"]).split("/", 1)[-1] for m in outcome.get("modified_by", []) if "rule" in m}
            absent |= _named(expectation, "absent")
    rules = {entry.rule.name.name for entry in policy(policy_id).resolved.rules if entry.layer == policy_id}
    assert not rules - fires, f"rules no test shows firing: {sorted(rules - fires)}"
    assert not rules - absent, f"rules no test shows not firing: {sorted(rules - absent)}"
