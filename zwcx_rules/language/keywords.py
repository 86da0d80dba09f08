"""The keywords of the policy language, each in English and in Chinese (the grammar accepts both).

The grammar (``grammar/zwcx.lark``) spells every keyword as a named terminal with both spellings and
a word-boundary lookahead, e.g. ``RECORD.3: /(?:record|记录)(?![\\w\\u00b7])/``. This table is what
the formatter prints, what diagnostics call a terminal, and what ``docs/keywords.md`` lists; a test
checks that it and the grammar agree.

Three English keywords of two words have a Chinese spelling of one word: ``on each`` (对每个),
``not in`` (不属于) and ``stage owner`` (阶段负责人). ``not encoded`` (不编码) is one terminal in
both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["en", "zh"]


@dataclass(frozen=True)
class Keyword:
    """One keyword: its English and Chinese spellings and the grammar terminal for the Chinese one."""

    english: str
    chinese: str
    terminal: str
    group: str


_GROUPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "header": (
        ("policy", "政策", "POLICY"), ("library", "库", "LIBRARY"), ("extends", "扩展", "_EXTENDS"),
        ("uses", "使用", "_USES"), ("issuer", "发文机关", "_ISSUER"), ("region", "地区", "_REGION"),
        ("level", "层级", "_LEVEL"), ("implements", "落实", "_IMPLEMENTS"), ("source", "来源", "_SOURCE"),
        ("effective", "生效", "_EFFECTIVE"), ("until", "直至", "_UNTIL"), ("repeals", "废止", "_REPEALS"),
    ),
    "items": (
        ("parameter", "参数", "_PARAMETER"), ("set", "设定", "_SET"), ("since", "自", "_SINCE"),
        ("define", "定义", "_DEFINE"), ("code", "代码", "_CODE"), ("measure", "措施", "_MEASURE"),
    ),
    "clauses": (
        ("clause", "条款", "_CLAUSE"), ("quote", "原文", "_QUOTE"), ("not encoded", "不编码", "NOT_ENCODED"),
        ("precedence", "优先", "_PRECEDENCE"), ("over", "于", "_OVER"), ("disable", "停用", "_DISABLE"),
        ("override", "覆盖", "OVERRIDE"),
    ),
    "rule kinds": (
        ("record", "记录", "RECORD"), ("incentive", "激励", "INCENTIVE"), ("punishment", "惩戒", "PUNISHMENT"),
        ("tolerance", "容错", "TOLERANCE"), ("repair", "修复", "REPAIR"),
        ("responsibility", "责任", "RESPONSIBILITY"),
    ),
    "rules": (
        ("for", "适用于", "_FOR"), ("on each", "对每个", "_ON_EACH"), ("event", "事件", "EVENT"),
        ("when", "当", "_WHEN"), ("then", "则", "_THEN"), ("may", "可", "MAY"), ("due", "期限", "_DUE"),
        ("to", "追究", "_TO"), ("of", "针对", "_OF"), ("punishments", "全部惩戒", "_PUNISHMENTS"),
    ),
    "targets": (
        ("principal", "主要负责人", "_PRINCIPAL"), ("leaders", "领导班子", "_LEADERS"),
        ("stage owner", "阶段负责人", "_STAGE_OWNER"), ("persons", "相关人员", "_PERSONS"),
        ("on", "在", "_ON"), ("else", "无则", "_ELSE"),
    ),
    "expressions": (
        ("and", "且", "_AND"), ("or", "或", "_OR"), ("not", "非", "_NOT"), ("in", "属于", "_IN"),
        ("not in", "不属于", "_NOT_IN"), ("otherwise", "否则", "_OTHERWISE"), ("count", "计数", "COUNT"),
        ("any", "存在", "ANY"), ("all", "所有", "ALL"), ("sum", "合计", "_SUM"), ("where", "满足", "_WHERE"),
        ("true", "真", "_TRUE"), ("false", "假", "_FALSE"), ("null", "空", "_NULL"),
    ),
}

KEYWORDS: tuple[Keyword, ...] = tuple(
    Keyword(english, chinese, terminal, group)
    for group, entries in _GROUPS.items() for english, chinese, terminal in entries
)

CHINESE: dict[str, str] = {k.english: k.chinese for k in KEYWORDS}

# English keywords of two words are two terminals; their Chinese spelling is a terminal of its own.
# (``not encoded`` is one terminal in both languages.)
ENGLISH_ONLY: dict[str, str] = {"_EACH": "each", "_STAGE": "stage", "_OWNER": "owner"}
CHINESE_ONLY: frozenset[str] = frozenset({"_ON_EACH", "_NOT_IN", "_STAGE_OWNER"})

# How a diagnostic names a keyword terminal the parser expected: by its first English word.
TERMINAL_WORDS: dict[str, str] = {
    **{k.terminal: k.english.split()[0] if k.terminal in CHINESE_ONLY else k.english for k in KEYWORDS},
    **ENGLISH_ONLY,
}

BOUNDARY = r"(?![\w\u00b7])"
"""A keyword ends where a name could not go on: `records` and `记录期限` are names, not `record` + …."""


def spell(english: str, style: Style) -> str:
    """A keyword (or phrase of keywords) in the given style."""
    return english if style == "en" else CHINESE[english]


def terminal_pattern(keyword: Keyword) -> str:
    """The regular expression the grammar gives the keyword's terminal."""
    if keyword.terminal in CHINESE_ONLY:
        return f"(?:{keyword.chinese}){BOUNDARY}"
    english = keyword.english.replace(" ", "[ \\t]+")
    return f"(?:{english}|{keyword.chinese}){BOUNDARY}"


def english_pattern(word: str) -> str:
    """The regular expression of an English-only word of a two-word keyword."""
    return f"(?:{word}){BOUNDARY}"
