"""A pytest plugin that collects policy test files, so `pytest` runs them like any other test.

It collects ``<folder>/tests/<policy>/*.yaml`` where ``<folder>/<policy>.zwcx`` exists (the layout of
``policies/``). Enable it with ``-p zwcx_rules.tools.pytest_plugin`` or ``pytest_plugins = [...]`` in a conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from zwcx_rules.api import Policy, load_policy
from zwcx_rules.tools.render import render_text
from zwcx_rules.tools.testing import PolicyCase, read_test_file, run_case


def policy_of_test_file(path: Path) -> Path | None:
    """The policy a test file belongs to, by the folder layout; None if it is not a policy test file."""
    if path.suffix not in (".yaml", ".yml") or path.parent.parent.name != "tests":
        return None
    policy = path.parent.parent.parent / f"{path.parent.name}.zwcx"
    return policy if policy.is_file() else None


@cache
def _policy(path: Path) -> Policy:
    return load_policy(path)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.File | None:
    if policy_of_test_file(file_path) is None:
        return None
    return PolicyTestFile.from_parent(parent, path=file_path)


class PolicyTestFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for case in read_test_file(self.path):
            yield PolicyTestItem.from_parent(self, name=case.name, case=case)


class PolicyTestFailure(Exception):
    """A policy test whose decisions differ from what it expects."""


class PolicyTestItem(pytest.Item):
    def __init__(self, *, case: PolicyCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        policy_path = policy_of_test_file(self.case.file)
        assert policy_path is not None
        policy = _policy(policy_path)
        result = run_case(self.case, policy)
        if not result.passed:
            trace = render_text(result.decisions, policy.resolved.catalogue) if result.decisions else ""
            raise PolicyTestFailure("\n".join(result.failures) + ("\n\n" + trace if trace else ""))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PolicyTestFailure):
            return f"policy test `{self.case.name}` ({self.case.file.name}) failed:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"policy test: {self.case.name}"
