"""Files shipped with the package: the grammar, the bundled policies and the example case files.

In a wheel they live under ``zwcx_rules/_data``; in a source checkout (editable install) they are
the top-level ``grammar/``, ``policies/`` and ``examples/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"zwcx_rules is missing its `{name}` folder")


def grammar_path() -> Path:
    return _find("grammar") / "zwcx.lark"


def policies_dir() -> Path:
    return _find("policies")


def examples_dir() -> Path:
    return _find("examples")
