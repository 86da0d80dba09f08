"""Policy test files: a case file plus the outcomes expected *and* the clauses that caused them.

A test file is YAML kept beside its policy (``policies/tests/<policy>/*.yaml``)::

    policy: jiangxi
    cases:
      - name: 行政处罚纳入政务失信记录
        as_of: 2024-06-30
        subjects: [...]            # as in a case file
        events: [...]
        expect:
          - subject: 11360100MB1234567T
            records:  [{event: e-1, status: recorded, clause: 2.2.6}]
            outcomes: [{measure: written_explanation, status: applied, clause: 2.2.7}]
            absent:   [{rule: 荣誉评选优先}]

Each expected record or outcome must match one actual one on every field it gives; each `absent`
entry must match none, nor any repair or precedence in an outcome's `modified_by`. `rule` may be
written with or without its layer (`jiangxi/名称` or `名称`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from zwcx_rules.api import Policy, evaluate, load_cases, load_policy
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.engine.decisions import Decision, Decisions

Expectation = dict[str, Any]


@dataclass(frozen=True)
class PolicyCase:
    """One case of a test file."""

    file: Path
    policy: str
    name: str
    cases: dict[str, Any]
    expect: list[dict[str, Any]]


@dataclass
class CaseResult:
    case: PolicyCase
    decisions: Decisions | None
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def read_test_file(path: Path) -> list[PolicyCase]:
    """The cases of one test file; a malformed file is a ZwcxError naming it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ZwcxError(Diagnostic(code="Z801", message=f"not a test file: {error}", file=str(path),
                                   help="a test file is YAML with `policy` and `cases`")) from None
    if not isinstance(data, dict) or "policy" not in data or not isinstance(data.get("cases"), list):
        raise ZwcxError(Diagnostic(code="Z801", message="a test file needs `policy` and a list of `cases`",
                                   file=str(path), help="see docs/language.md, section Policy tests"))
    out = []
    for index, case in enumerate(data["cases"]):
        if not isinstance(case, dict) or "name" not in case or "expect" not in case:
            raise ZwcxError(Diagnostic(code="Z801", message="each case needs `name` and `expect`",
                                       file=str(path), json_path=f"$.cases[{index}]"))
        body = {k: _plain(v) for k, v in case.items() if k not in ("name", "expect")}
        out.append(PolicyCase(file=path, policy=str(data["policy"]), name=str(case["name"]),
                              cases=body, expect=_plain(case["expect"])))
    return out


def _plain(value: Any) -> Any:
    """YAML dates back to ISO strings, so a test's case file reads exactly like a JSON one."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_case(case: PolicyCase, policy: Policy | None = None, probe: set[tuple[Any, ...]] | None = None) -> CaseResult:
    """Evaluate one case and compare it with what it expects; ``probe`` collects coverage events (see `evaluate`)."""
    policy = policy or load_policy(case.policy)
    try:
        decisions = evaluate(policy, load_cases(case.cases, policy, file=f"{case.file}#{case.name}"), probe=probe)
    except ZwcxError as error:
        return CaseResult(case, None, [f"the case was rejected: {d}" for d in error.diagnostics])
    result = CaseResult(case, decisions)
    for expected in case.expect:
        subject = str(expected.get("subject"))
        try:
            decision = decisions.for_subject(subject)
        except KeyError:
            result.failures.append(f"no decision for subject `{subject}`")
            continue
        result.failures += compare(decision, expected)
    return result


def compare(decision: Decision, expected: Expectation) -> list[str]:
    """What differs between one decision and its expectation, in words."""
    failures = []
    records = [r.model_dump(mode="json") for r in decision.records]
    outcomes = [o.model_dump(mode="json") for o in decision.outcomes]
    for want in expected.get("records", []):
        if not any(_matches(actual, want) for actual in records):
            failures.append(f"{decision.subject}: expected record {_show(want)}; got {_brief(records, 'event')}")
    for want in expected.get("outcomes", []):
        if not any(_matches(actual, want) for actual in outcomes):
            failures.append(f"{decision.subject}: expected outcome {_show(want)}; got {_brief(outcomes, 'measure')}")
    for unwanted in expected.get("absent", []):
        # a repair or precedence shows inside the outcome it modified, so look there too
        modifications = [m for o in outcomes for m in o.get("modified_by") or []]
        hits = [a for a in outcomes + records + modifications if _matches(a, unwanted)]
        if hits:
            failures.append(f"{decision.subject}: expected no {_show(unwanted)}; got {_brief(hits, 'measure')}")
    if expected.get("no_outcomes") and outcomes:
        failures.append(f"{decision.subject}: expected no outcomes; got {_brief(outcomes, 'measure')}")
    return failures


def _matches(actual: dict[str, Any], want: dict[str, Any]) -> bool:
    for key, value in want.items():
        got = actual.get(key)
        if key == "clause":
            clause = got or {}
            if value is None:
                if got is not None:
                    return False
            elif str(value) not in (clause.get("id"), f"{clause.get('policy')}:{clause.get('id')}"):
                return False
        elif key == "rule":
            if got is None or (got != value and got.split("/", 1)[-1] != value):
                return False
        elif key == "modified_by":
            mods = got or []
            if not all(any(_matches(m, w) for m in mods) for w in value):
                return False
        elif got != value:
            return False
    return True


def _show(value: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"


def _brief(items: list[dict[str, Any]], key: str) -> str:
    if not items:
        return "none"
    return "; ".join(
        f"{i.get(key) or i.get('event')} {i.get('status')} ({(i.get('clause') or {}).get('id')}, {i.get('rule')})"
        for i in items)


def test_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/*.yaml"))


def fired_rules(decisions: Decisions) -> set[str]:
    """Qualified names of every rule that fired (an outcome, a record, a modification), from the trace."""
    fired: set[str] = set()
    for decision in decisions.decisions:
        fired |= {r.rule for r in decision.records if r.rule}
        for outcome in decision.outcomes:
            fired |= {outcome.rule, *outcome.also, *(m.rule for m in outcome.modified_by)}
    return fired


def test_files_of(policy: Policy) -> list[Path]:
    """The test files kept beside a policy: ``<its folder>/tests/<id>/*.yaml``."""
    source = policy.resolved.leaf.source.path
    if source is None:
        return []
    return sorted((source.parent / "tests" / policy.id).glob("*.yaml"))


def run_policy_tests(policy: Policy) -> list[CaseResult]:
    """Every case of every test file of a policy."""
    return [run_case(case, policy) for path in test_files_of(policy) for case in read_test_file(path)]
