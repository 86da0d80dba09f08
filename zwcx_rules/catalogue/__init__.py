"""The vocabulary of domain.md as data: codes, Chinese aliases, measures and their kinds."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RuleKind = Literal["record", "incentive", "punishment", "tolerance", "repair", "responsibility"]
RULE_KINDS: tuple[RuleKind, ...] = (
    "record", "incentive", "punishment", "tolerance", "repair", "responsibility",
)
SUBJECT_TYPES = ("body", "person", "project", "enterprise")


class MeasureSpec(BaseModel):
    """One measure of the catalogue: its kind, Chinese names, and the subject types it applies to."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    code: str
    kind: RuleKind
    zh: tuple[str, ...] = ()
    for_: tuple[str, ...] = Field(alias="for")
    deadline: bool = False
    until: bool = False
    contradicts: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        return self.zh[0] if self.zh else self.code


class Catalogue(BaseModel):
    """Codes by vocabulary, measures by code, and an alias index from every name to its code."""

    model_config = ConfigDict(frozen=True)

    vocabularies: dict[str, dict[str, tuple[str, ...]]]
    ordered: dict[str, tuple[str, ...]]
    measures: dict[str, MeasureSpec]

    def code_of(self, name: str) -> str | None:
        """The canonical code a name (code or Chinese alias) stands for, in any vocabulary."""
        return self._aliases().get(name)

    def normalise(self, vocabulary: str, value: str) -> str | None:
        """The canonical code of ``value`` in one vocabulary, or None if it is not one of its names."""
        codes = self.vocabularies.get(vocabulary, {})
        if value in codes:
            return value
        for code, names in codes.items():
            if value in names:
                return code
        return None

    def names(self, vocabulary: str) -> list[str]:
        """Every code and alias of one vocabulary (for did-you-mean suggestions)."""
        out: list[str] = []
        for code, zh in self.vocabularies.get(vocabulary, {}).items():
            out += [code, *zh]
        return out

    def all_names(self) -> list[str]:
        return list(self._aliases())

    def rank(self, vocabulary: str, code: str) -> int | None:
        order = self.ordered.get(vocabulary)
        return order.index(code) if order and code in order else None

    def measure(self, name: str) -> MeasureSpec | None:
        code = name if name in self.measures else self.code_of(name)
        return self.measures.get(code) if code else None

    def display(self, code: str) -> str:
        """The Chinese display name of a code, or the code itself."""
        if code in self.measures:
            return self.measures[code].display
        for codes in self.vocabularies.values():
            if codes.get(code):
                return codes[code][0]
        return code

    def extended(
        self,
        vocabulary_codes: dict[str, dict[str, tuple[str, ...]]] | None = None,
        measures: dict[str, MeasureSpec] | None = None,
    ) -> Catalogue:
        """A copy with a policy's own codes added beside the shared ones."""
        vocabularies = {k: dict(v) for k, v in self.vocabularies.items()}
        for vocabulary, codes in (vocabulary_codes or {}).items():
            vocabularies.setdefault(vocabulary, {}).update(codes)
        return Catalogue(
            vocabularies=vocabularies,
            ordered=self.ordered,
            measures={**self.measures, **(measures or {})},
        )

    def ambiguous_aliases(self) -> dict[str, set[str]]:
        """Names that stand for two different codes (the catalogue must have none)."""
        seen: dict[str, set[str]] = {}
        for codes in self.vocabularies.values():
            for code, zh in codes.items():
                for name in zh:
                    seen.setdefault(name, set()).add(code)
        for code, spec in self.measures.items():
            for name in spec.zh:
                seen.setdefault(name, set()).add(code)
        return {name: codes for name, codes in seen.items() if len(codes) > 1}

    def _aliases(self) -> dict[str, str]:
        cached = self.__dict__.get("_alias_cache")
        if cached is None:
            cached = {}
            for codes in self.vocabularies.values():
                for code, zh in codes.items():
                    cached.setdefault(code, code)
                    for name in zh:
                        cached.setdefault(name, code)
            for code, spec in self.measures.items():
                cached.setdefault(code, code)
                for name in spec.zh:
                    cached.setdefault(name, code)
            self.__dict__["_alias_cache"] = cached
        return cached


@cache
def default_catalogue() -> Catalogue:
    """The shared catalogue shipped with the package."""
    data = tomllib.loads(resources.files(__package__).joinpath("catalogue.toml").read_text("utf-8"))
    measures = {
        code: MeasureSpec.model_validate({"code": code, **spec})
        for code, spec in data["measures"].items()
    }
    vocabularies = {
        name: {code: tuple(zh) for code, zh in codes.items()}
        for name, codes in data["vocabularies"].items()
    }
    ordered = {name: tuple(codes) for name, codes in data["ordered"].items()}
    return Catalogue(vocabularies=vocabularies, ordered=ordered, measures=measures)
