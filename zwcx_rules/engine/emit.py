"""The one emitter of generated Python: every identifier it writes is its own, every value a constant.

Policy text never becomes source. A value of the policy — a name, a code, a string, a number, a rule —
is bound in the function's namespace under a generated name (``k0``, ``k1``, …) and the source refers
to it by that name; locals are generated too (``v1``, ``v2``, …). The source holds only those names,
Python operators, the field names of the engine's own case-file models, and calls of the runtime
helpers. An emitter is used by one compilation only, so compiling is thread-safe.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class Emitter:
    """Source lines, constants and fresh locals of one generated module."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = dict(namespace)
        self.lines: list[str] = []
        self._constants: dict[int, str] = {}
        self._kept: list[Any] = []
        self._fresh = 0

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def const(self, value: Any) -> str:
        """The generated name of a value of the policy (the value itself never becomes source)."""
        key = id(value)
        name = self._constants.get(key)
        if name is None:
            name = self._constants[key] = f"k{len(self._constants)}"
            self.namespace[name] = value
            self._kept.append(value)  # ids stay unique while the values are kept
        return name

    def local(self) -> str:
        self._fresh += 1
        return f"v{self._fresh}"

    @staticmethod
    def attribute(name: str) -> str:
        """An attribute name of the engine's own models, checked to be a plain identifier."""
        if not name or not set(name) <= _ALLOWED or keyword.iskeyword(name) or name[0].isdigit():
            raise ValueError(f"not an identifier the emitter may write: {name!r}")
        return name

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"

    def compile(self, name: str) -> tuple[Callable[..., Any], str]:
        """The function ``name`` defined by the lines written, and its source."""
        source = self.source()
        if not source.isascii():
            raise ValueError("generated source must be ASCII: policy text reached it")
        exec(compile(source, "<zwcx generated plan>", "exec"), self.namespace)
        return self.namespace[name], source
