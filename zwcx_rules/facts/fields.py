"""Reading a field of a case-file value by the name a policy writes it with."""

from __future__ import annotations

from typing import Any


def attribute_of(name: str) -> str:
    """The model attribute a field name reads (`from` is a Python keyword)."""
    return "from_" if name == "from" else name


def get_field(value: Any, name: str) -> Any:
    """`value.name`, null-safe; a mapping is read by key."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, attribute_of(name), None)
