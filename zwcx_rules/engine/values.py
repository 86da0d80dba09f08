"""Runtime values of the policy language: durations, null-safe operators, code ranks."""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

from zwcx_rules.catalogue import Catalogue
from zwcx_rules.facts.fields import attribute_of, get_field
from zwcx_rules.semantics.ir import Duration

__all__ = ["Duration", "attribute_of", "get_field"]


def ranks(catalogue: Catalogue) -> dict[str, int]:
    """Rank of every ordered code (impact, severity, grade); a code ranked differently twice is dropped."""
    out: dict[str, int] = {}
    clashes: set[str] = set()
    for codes in catalogue.ordered.values():
        for index, code in enumerate(codes):
            if out.setdefault(code, index) != index:
                clashes.add(code)
    return {code: rank for code, rank in out.items() if code not in clashes}


def add(left: Any, right: Any) -> Any:
    """`+`, null-safe; values of kinds that do not add (a case file's free-form field) give null."""
    if left is None or right is None:
        return None
    if isinstance(right, Duration) and isinstance(left, dt.date):
        return right.add_to(left)
    if isinstance(left, Duration) and isinstance(right, dt.date):
        return left.add_to(right)
    try:
        return left + right
    except TypeError:
        return None


def subtract(left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if isinstance(right, Duration) and isinstance(left, dt.date):
        return right.add_to(left, -1)
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        return Duration((left - right).days, "days")
    try:
        return left - right
    except TypeError:
        return None


ORDERINGS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def ordered(op: str, a: Any, b: Any, code_ranks: dict[str, int]) -> bool:
    """`<`, `<=`, `>`, `>=`: false with a null; ordered codes by rank (general < serious < severe),
    other text as text, and values that do not compare as false."""
    if a is None or b is None:
        return False
    compare = ORDERINGS[op]
    if isinstance(a, str) and isinstance(b, str):
        ra, rb = code_ranks.get(a), code_ranks.get(b)
        if ra is not None and rb is not None:
            return bool(compare(ra, rb))
        return ra is None and rb is None and bool(compare(a, b))  # plain text, e.g. periods
    try:
        return bool(compare(a, b))
    except TypeError:
        return False


def arith(op: str, a: Any, b: Any) -> Any:
    """`+ - * /`, null-safe; division by zero gives null."""
    if op == "+":
        return add(a, b)
    if op == "-":
        return subtract(a, b)
    if a is None or b is None or (op == "/" and b == 0):
        return None
    return a * b if op == "*" else a / b


def id_of(value: Any) -> Any:
    """A subject's id, whether given the subject or its id (what relation queries take)."""
    return getattr(value, "id", value)


def contains(collection: Any, item: Any) -> bool:
    """Membership; in a list of objects with a `kind` (remedies, determinations) an item matches a kind."""
    if collection is None or item is None:
        return False
    if item in collection:
        return True
    return any(getattr(element, "kind", None) == item for element in collection)


def present(value: Any) -> bool:
    """Neither null nor empty: what `otherwise` and `else` look for."""
    return value is not None and not (isinstance(value, list | tuple | set | frozenset) and not value)


def show(value: Any) -> str:
    """A value as a policy officer reads it in a trace."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(show(v) for v in value) if isinstance(value, set | frozenset) else [show(v) for v in value]
        return "{" + ", ".join(items) + "}" if isinstance(value, set | frozenset) else "[" + ", ".join(items) + "]"
    kind = getattr(value, "kind", None)
    if isinstance(kind, str) and hasattr(value, "date"):
        return f"{kind} on {getattr(value, 'date', '')}"
    identifier = getattr(value, "id", None)
    if isinstance(identifier, str):
        return identifier
    return str(value)
