"""The public API: load a policy, load cases, evaluate. Phases are chained here and nowhere else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.engine.compile import compile_policy
from zwcx_rules.engine.decisions import Decision, Decisions, PolicyInfo
from zwcx_rules.engine.evaluate import Trace, decide
from zwcx_rules.engine.plan import Plan
from zwcx_rules.engine.trace import CoverageTracer, Tracer
from zwcx_rules.facts import CaseFile, Facts, mask_if_id_number
from zwcx_rules.facts import load_cases as _load_facts
from zwcx_rules.semantics.check import check
from zwcx_rules.semantics.resolve import Layer, ResolvedPolicy, load_layers, resolve


@dataclass
class Policy:
    """A checked, compiled policy chain, ready to evaluate case files on any date."""

    resolved: ResolvedPolicy
    plan: Plan
    diagnostics: list[Diagnostic]

    @property
    def id(self) -> str:
        return self.resolved.id

    @property
    def title(self) -> str:
        return self.resolved.title

    @property
    def chain(self) -> tuple[str, ...]:
        return self.resolved.chain

    @property
    def digest(self) -> str:
        return self.resolved.digest

    @property
    def event_kinds(self) -> tuple[str, ...]:
        return tuple(self.resolved.catalogue.vocabularies.get("event_kind", {}))

    def plan_on(self, day: dt.date) -> Plan | None:
        """The plan, or None when the policy is not in force on the day.

        A layer applies with the layers it extends: its overrides and re-set parameters are written
        against them, so the chain is in force exactly when its own file is.
        """
        return self.plan if self.resolved.leaf.in_force(day) else None


def _compile_checked(layers: tuple[Layer, ...]) -> tuple[Plan, ResolvedPolicy, list[Diagnostic]]:
    resolved = resolve(layers)
    diagnostics = check(resolved)
    if any(d.is_error for d in diagnostics):
        raise ZwcxError(diagnostics)
    return compile_policy(resolved), resolved, diagnostics


def check_policy(ref: str | Path) -> list[Diagnostic]:
    """Every diagnostic of a policy (errors and warnings), syntax errors included; never raises on them."""
    try:
        return check(resolve(load_layers(str(ref))))
    except ZwcxError as error:
        return error.diagnostics


def load_policy(ref: str | Path) -> Policy:
    """Load a policy by id (found under policies/) or path: parse, resolve layers, check, compile.

    Raises ZwcxError with every error found; warnings stay in ``Policy.diagnostics``.
    """
    plan, resolved, diagnostics = _compile_checked(load_layers(str(ref)))
    return Policy(resolved=resolved, plan=plan, diagnostics=diagnostics)


def load_cases(source: str | Path | dict[str, Any] | CaseFile, policy: Policy | None = None,
               *, file: str | None = None) -> Facts:
    """Read and validate a case file (path, parsed JSON or models); codes a policy adds are accepted."""
    extra = policy.event_kinds if policy is not None else ()
    catalogue = policy.resolved.catalogue if policy is not None else None
    return _load_facts(source, catalogue=catalogue, file=file, extra_event_kinds=extra)


def evaluate(policy: Policy | str | Path, cases: Facts | str | Path | dict[str, Any] | CaseFile,
             as_of: dt.date | str | None = None, *, trace: Trace = "full",
             subjects: list[str] | None = None, probe: set[tuple[Any, ...]] | None = None,
             tracer: Tracer | None = None) -> Decisions:
    """Decide every subject of a case file under a policy, on ``as_of`` (else the case file's own).

    ``probe``, when given, collects coverage events (rules fired or not, alternatives taken);
    ``tracer``, when given, hears every rule evaluated on every binding (engine/trace.py).
    """
    if probe is not None:
        tracer = CoverageTracer(probe)
    if not isinstance(policy, Policy):
        policy = load_policy(policy)
    facts = cases if isinstance(cases, Facts) else load_cases(cases, policy)
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of or facts.as_of
    if day is None:
        raise ZwcxError(Diagnostic(
            code="Z609", message="no date to decide on", file=facts.file, json_path="$.as_of",
            help="give `as_of` in the case file, or --as-of on the command line"))
    if subjects:
        known = {s.id for s in facts.subjects}
        missing = [s for s in subjects if s not in known]
        if missing:
            raise ZwcxError(Diagnostic(code="Z610", message=f"subject `{missing[0]}` is not in the case file",
                                       file=facts.file, help="use an id from the case file's `subjects`"))
    plan = policy.plan_on(day)
    info = PolicyInfo(id=policy.id, title=policy.title, chain=list(policy.chain), digest=policy.digest,
                      in_force=plan is not None)
    if plan is None:
        empty = [Decision(subject=mask_if_id_number(s.id), records=[], outcomes=[])
                 for s in facts.subjects if not subjects or s.id in subjects]
        return Decisions(policy=info, as_of=day, decisions=empty)
    return Decisions(policy=info, as_of=day, decisions=decide(plan, facts, day, trace, subjects, tracer))
