"""Every quote of every policy is in its source document, checked here independently of the checker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zwcx_rules.resolve import read_layer

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for p in [*ROOT.glob("policies/*.zwcx"), *ROOT.glob("examples/*.zwcx")] if not read_layer(p).is_library)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_quote_is_verbatim_in_the_source(path: Path) -> None:
    layer = read_layer(path)
    assert layer.document is not None, f"{path.name}: source document missing"
    document = _squash(layer.document)
    quotes = [q for clause in layer.policy.clauses for q in clause.quotes]
    assert quotes
    for quote in quotes:
        position = 0
        for fragment in re.split("……", _squash(quote.text)):
            found = document.find(fragment, position)
            assert found >= 0, f"{path.name}:{quote.span.line}: not in the document: {fragment[:40]}"
            position = found + len(fragment)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_clause_has_rules_or_a_reason(path: Path) -> None:
    for clause in read_layer(path).policy.clauses:
        assert clause.rules or clause.not_encoded or clause.disables, clause.id.name
        assert all(n.reason.strip() for n in clause.not_encoded)


def test_source_documents_are_the_seed_texts() -> None:
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("the seed folder is not beside this checkout")
    assert (ROOT / "policies/sources/jiangxi.txt").read_bytes() == (seeds / "000_a76e476a23007514.txt").read_bytes()
