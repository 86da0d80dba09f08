"""Messages by id, one catalogue per language (``messages/en.toml``, ``messages/zh.toml``).

Every sentence the engine shows a person — a diagnostic, a reason in a trace, a label of the text
output — is a message id and its arguments, put into words only here. A test fails on any id that
one language has and the other lacks, or whose placeholders differ.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

Lang = Literal["en", "zh"]
LANGUAGES: tuple[Lang, ...] = ("en", "zh")


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    """Every message of one language, by id (`section.name`)."""
    text = resources.files(__package__).joinpath("messages", f"{lang}.toml").read_text("utf-8")
    flat: dict[str, str] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                flat[f"{prefix}{key}"] = str(value)
    walk("", tomllib.loads(text))
    return flat


def message(message_id: str, lang: Lang = "en", /, **arguments: Any) -> str:
    """The message ``message_id`` in ``lang``, filled with ``arguments``."""
    return catalogue(lang)[message_id].format(**arguments)


def placeholders(template: str) -> frozenset[str]:
    """The names a template fills in (`{name}`)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)
