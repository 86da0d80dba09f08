"""Compile: a checked policy's IR to its executable plan, with the runtime its generated code calls."""

from __future__ import annotations

from typing import Any

from zwcx_rules.engine.evaluate import Draft, not_applicable, record_result
from zwcx_rules.engine.plan import Plan
from zwcx_rules.engine.recording import cond, rd
from zwcx_rules.engine.trace import QUIET
from zwcx_rules.engine.values import arith, contains, get_field, id_of, ordered, present
from zwcx_rules.facts.asof import field_at
from zwcx_rules.identifiers import mask_if_id_number
from zwcx_rules.semantics.lower import lower
from zwcx_rules.semantics.resolve import ResolvedPolicy


def _neg(value: Any) -> Any:
    return None if value is None else -value


def _otherwise(*values: Any) -> Any:
    return next((v for v in values if present(v)), None)


RUNTIME: dict[str, Any] = {
    "contains": contains, "ordered": ordered, "arith": arith, "get_field": get_field, "field_at": field_at,
    "neg": _neg, "otherwise": _otherwise, "mask": mask_if_id_number, "id_of": id_of,
    "Draft": Draft, "record_result": record_result, "not_applicable": not_applicable,
    "rd": rd, "cond": cond, "QUIET": QUIET,
    "NO_RECORDS": (), "NO_RESULTS": (), "NO_OUTCOMES": (), "NOTHING": ((), ()),
}
"""Every name generated code may call besides the constants of the policy (emit.py)."""


def compile_policy(policy: ResolvedPolicy) -> Plan:
    """Lower the checked policy to its IR and make its plan; functions are compiled on first use."""
    return Plan(program=lower(policy), catalogue=policy.catalogue, runtime=RUNTIME)
