"""Every quote of every policy is in its source document, checked here independently of the checker."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from zwcx_rules.semantics.resolve import read_layer

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


# sha256 of the five seed documents as published (shared/seeds): a source copied into the project
# must stay byte-identical to its seed, or quotes could be "verbatim" in an edited text.
SEED_DIGESTS = {
    "jiangxi": ("000_a76e476a23007514.txt", "f81f1ba2a6e95657f4f73444f033fd9aa7f29a011c91a97bf602ec5c74dc1877"),
    "rizhao": ("001_364cdeb57d90a19a.txt", "402f5c4acd4eb63404b73632387f33c2007319e96fcd97599ffc80c2f86df130"),
    "yancheng": ("002_c043da851155b882.txt", "6f09fd90cb177721ab5fae37aef84de8ac4d24e65fab96778864c0081513eef2"),
    "sichuan": ("003_f4289e78b6b23b40.txt", "db241b98f594b049459c3560290383b2b07f3b4ca9e655d531630ab319700ecc"),
    "licheng": ("004_a4fd8662db4facae.txt", "66339ae997769b17faa278444f9ed474b13dd8c75a58b249c0b2ae40c9c118ff"),
}


@pytest.mark.parametrize("policy", sorted(SEED_DIGESTS))
def test_source_documents_are_the_seed_texts(policy: str) -> None:
    seed, digest = SEED_DIGESTS[policy]
    copied = (ROOT / "policies" / "sources" / f"{policy}.txt").read_bytes()
    assert hashlib.sha256(copied).hexdigest() == digest
    seeds = ROOT.parent / "shared" / "seeds"
    if (seeds / seed).is_file():  # beside a checkout that has the seeds, compare the bytes too
        assert copied == (seeds / seed).read_bytes()
