"""What a traced condition read: each leaf's value as the evaluator read it, made into a typed reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from zwcx_rules.engine.reasons import Condition, Read
from zwcx_rules.engine.values import show
from zwcx_rules.identifiers import mask_if_id_number
from zwcx_rules.semantics.ir import Duration


def rd(reads: list[tuple[Any, ...]], info: tuple[str, str | None], value: Any, owner: Any) -> Any:
    """Record a leaf's value as it is read, and return it (generated code reads through this)."""
    reads.append((info, value, owner))
    return value


def cond(text: str, at: str, reads: list[tuple[Any, ...]], holds: bool) -> Condition:
    """A condition evaluated: its text, where it is written, the values it read (each once), its truth."""
    seen: dict[str, Read] = {}
    for (leaf, path), value, owner in reads:
        if leaf not in seen:
            of = getattr(owner, "id", None) if path is not None else None
            seen[leaf] = Read(text=leaf, value=jsonable(value), shown=mask_if_id_number(show(value)),
                                      of=mask_if_id_number(of) if isinstance(of, str) else None, field=path)
    return Condition(text=text, at=at, reads=tuple(seen.values()), holds=holds)


def jsonable(value: Any) -> Any:
    """A value read, as JSON: ids for events and subjects, dates as YYYY-MM-DD, sets sorted."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask_if_id_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, BaseModel):
        identifier = getattr(value, "id", None)
        if isinstance(identifier, str):
            return mask_if_id_number(identifier)
        return {k: jsonable(v) for k, v in value.model_dump(by_alias=True).items() if k != "id_number"}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)
