"""The executable plan of a policy: its IR, the rules of each class of subject, the parameters in force
on a day, and the compiled function of each class, date and tracing level (built on first use).

A plan is shared by every thread of a host application: compiled functions are built without shared
mutable state (codegen.py) and entered into the cache under a lock; the class tables are computed
values, the same whichever thread computes them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from zwcx_rules.catalogue import Catalogue
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.engine.codegen import Decide, Mode, compile_class
from zwcx_rules.semantics import ir

ClassKey = tuple[str, str | None, str | None]
"""A class of subject: its type, body kind and person kind."""

_KEPT_DATES = 16
"""Compiled functions are kept for this many (date, level) pairs: a service deciding on many dates
keeps the latest few."""


@dataclass
class Plan:
    """What evaluation runs: the policy's IR, by class of subject, compiled per date and tracing level."""

    program: ir.Program
    catalogue: Catalogue
    runtime: dict[str, Any]
    """The names generated code calls (values.py helpers, the draft type, record results)."""
    _by_class: dict[ClassKey, ClassPlan] = field(default_factory=dict)
    _functions: OrderedDict[tuple[dt.date, Mode], dict[ClassKey, Decide]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for worker processes and Dask) without its lock and compiled functions."""
        return {**self.__dict__, "_lock": None, "_functions": OrderedDict()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    @property
    def rules(self) -> dict[str, tuple[ir.Rule, ...]]:
        return self.program.rules

    @property
    def precedences(self) -> tuple[ir.Precedence, ...]:
        return self.program.precedences

    @property
    def winners(self) -> frozenset[str]:
        return self.program.winners

    def for_subject(self, subject: Any) -> ClassPlan:
        """The rules whose `for` matches a subject, specialised (cached by type and kinds)."""
        key = (subject.type, subject.body_kind, subject.person_kind)
        found = self._by_class.get(key)
        if found is None:
            found = self._by_class.setdefault(key, ClassPlan(
                key, {kind: tuple(r for r in rules if r.selector.matches(subject))
                      for kind, rules in self.program.rules.items()}))
        return found

    def functions(self, day: dt.date, mode: Mode) -> dict[ClassKey, Decide]:
        """The compiled functions of one date and level, by class (filled as classes are met)."""
        key = (day, mode)
        found = self._functions.get(key)
        if found is None:
            with self._lock:
                found = self._functions.get(key)
                if found is None:
                    found = self._functions[key] = {}
                    while len(self._functions) > _KEPT_DATES:
                        self._functions.popitem(last=False)
        return found

    def function(self, day: dt.date, mode: Mode, subject: Any) -> Decide:
        """The function deciding a subject's class on a day at a tracing level (compiled once)."""
        table = self.functions(day, mode)
        key = (subject.type, subject.body_kind, subject.person_kind)
        found = table.get(key)
        if found is None:
            plan = self.for_subject(subject)
            namespace = {**self.runtime, "as_of": day, "ranks": self.program.ranks}
            compiled, _source = compile_class(self.program, plan.rules, self.parameters_on(day), namespace, mode,
                                              plan.idle)
            with self._lock:
                found = table.setdefault(key, compiled)
        return found

    def source(self, day: dt.date, mode: Mode, subject: Any) -> str:
        """The generated source of a subject's class (for tests and the curious)."""
        plan = self.for_subject(subject)
        namespace = {**self.runtime, "as_of": day, "ranks": self.program.ranks}
        return compile_class(self.program, plan.rules, self.parameters_on(day), namespace, mode, plan.idle)[1]

    def parameters_on(self, day: dt.date) -> dict[str, Any]:
        """Every parameter's value in force on a day: the latest layer that sets it, latest `since` first."""
        out: dict[str, Any] = {}
        missing = []
        for name, values in self.program.parameters.items():
            value = _value_on(values, day)
            if value is None:
                missing.append(Diagnostic(
                    code="Z612", span=values[0].span,
                    message=f"parameter `{name}` has no value on {day}: every value starts later",
                    help="give it a value with no `since`, or one `since` a date on or before the decision date"))
            else:
                out[name] = value.value
        if missing:
            raise ZwcxError(missing)
        return out


def _value_on(values: tuple[ir.ParameterValue, ...], day: dt.date) -> ir.ParameterValue | None:
    """The value in force on a day: the nearest layer (values are root layer first) that sets one."""
    for layer in dict.fromkeys(v.layer for v in reversed(values)):
        candidates = [v for v in values if v.layer == layer and (v.since is None or v.since <= day)]
        if candidates:
            return max(candidates, key=lambda v: v.since or dt.date.min)
    return None


@dataclass
class ClassPlan:
    """The rules for one class of subject (type, body kind, person kind)."""

    key: ClassKey
    rules: dict[str, tuple[ir.Rule, ...]]
    idle: bool = False
    """No rule of the class acts without a record: a subject with no event has no outcome."""

    def __post_init__(self) -> None:
        self.idle = all(r.over == "record" for kind in ir.ACTING for r in self.rules[kind])
