"""The docs' example policy checks clean and passes its own tests, as the docs say it does."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwcx_rules import check_policy, load_policy
from zwcx_rules.tools.testing import run_policy_tests

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("path", sorted((DOCS / "examples").glob("*.zwcx")), ids=lambda p: p.name)
def test_docs_example_policies_check_clean_and_pass_their_tests(path: Path) -> None:
    assert check_policy(path) == []
    results = run_policy_tests(load_policy(path))
    assert results and all(r.passed for r in results), [f for r in results for f in r.failures]


def test_every_doc_the_readme_links_exists() -> None:
    readme = (DOCS.parent / "README.md").read_text("utf-8")
    for name in ("language", "tutorial", "embedding", "architecture", "errors"):
        assert f"docs/{name}.md" in readme and (DOCS / f"{name}.md").is_file()
