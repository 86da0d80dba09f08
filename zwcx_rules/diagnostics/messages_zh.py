"""Diagnostics in Chinese: each English message, label, help and note matched by a pattern and rewritten.

Nothing that creates a diagnostic changes: :func:`translate` rewrites a finished one, and any text no
pattern matches stays in English, so no information is ever lost.

Each table entry is ``(pattern, template)``. A *pattern* is the English text with ``{name}`` where a
part varies; it compiles to a regular expression that must match the whole text, each ``{name}``
becoming the named group ``(?P<name>.+?)`` (``{name:REGEX}`` gives the group its own expression) and
``{{`` ``}}`` standing for literal braces. A *template* is a ``str.format`` string over the groups;
``{name:conv}`` passes the captured text through ``CONVERTERS[conv]`` (a rule kind, a list of subject
types …). Codes, names in backticks, file paths and JSON paths are captured and reused unchanged.
Within one table the first matching entry wins, so a specific pattern comes before a general one.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from zwcx_rules.catalogue import default_catalogue
from zwcx_rules.diagnostics.errors import Diagnostic

Entry = tuple[str, str]
"""An English pattern and its Chinese template."""


@dataclass(frozen=True)
class CodeTable:
    """The patterns of one code (or the shared ones) for each part of a diagnostic."""

    message: tuple[Entry, ...] = ()
    label: tuple[Entry, ...] = ()
    help: tuple[Entry, ...] = ()
    notes: tuple[Entry, ...] = ()


# ---- words inside messages ------------------------------------------------------------------------

RULE_KINDS = {"record": "记录", "punishment": "惩戒", "incentive": "激励", "repair": "修复",
              "tolerance": "容错", "responsibility": "责任"}
SUBJECT_TYPES = {"body": "政府机构", "person": "公务人员", "project": "项目", "enterprise": "市场主体"}
VALUE_TYPES = {"number": "数字", "money": "金额", "duration": "期间", "date": "日期", "text": "文本",
               "bool": "布尔值", "list": "列表", "object": "对象", "any": "任意值"}
JSON_TYPES = {"a string": "字符串", "a number": "数字", "a whole number": "整数", "a boolean": "布尔值",
              "true or false": "true 或 false", "a list": "列表", "an object": "对象", "null": "null（空值）"}
VOCABULARIES = {"subject type": "主体类型", "event kind": "事件类型", "body kind": "机构类别",
                "person kind": "人员类别", "objection outcome": "异议处理结果", "commitment status": "承诺履行状态",
                "assessment grade": "考核等次", "level": "层级", "role": "职务", "stage": "项目阶段",
                "domain": "领域", "impact": "影响程度", "severity": "失信程度", "remedy": "补救情形",
                "decision": "处理决定"}
UNITS = {"days": "日", "months": "月", "years": "年"}
EXPECTED_TOKENS = {"a name": "名称", "a quoted string": "带引号的字符串", "a number": "数字", "a date": "日期",
                   "a clause id like 2.2.7": "条款编号（如 2.2.7）", "a unit": "单位", "a comparison": "比较运算符",
                   "the end of the file": "文件结尾", "a rule name": "规则名称"}
JSON_ERRORS = {"expecting value": "缺少值", "expecting property name enclosed in double quotes": "属性名须用双引号括起",
               "expecting ',' delimiter": "缺少逗号分隔符", "expecting ':' delimiter": "缺少冒号分隔符",
               "extra data": "有多余的内容", "unterminated string starting at": "字符串没有结束引号",
               "invalid control character at": "含有无效的控制字符", "invalid \\escape": "含有无效的转义",
               "invalid \\uxxxx escape": "含有无效的 \\uXXXX 转义",
               "illegal trailing comma before end of object": "对象末尾有多余的逗号",
               "illegal trailing comma before end of array": "数组末尾有多余的逗号"}
OS_ERRORS = {"no such file or directory": "没有该文件或目录", "permission denied": "没有访问权限",
             "is a directory": "这是一个目录", "not a directory": "不是目录"}

_JSON_TYPE_RE = "|".join(re.escape(name) for name in JSON_TYPES)
_VOCABULARY_RE = "|".join(re.escape(name) for name in VOCABULARIES)


def _word(table: Mapping[str, str]) -> Callable[[str], str]:
    """A converter that looks a word up (case-insensitively) and keeps it when it is not in the table."""
    return lambda text: table.get(text, table.get(text.lower(), text))


def _coded(table: Mapping[str, str]) -> Callable[[str], str]:
    """A converter of a comma-separated list of codes: each code followed by its Chinese name."""
    return lambda text: "、".join(f"{c}（{table[c]}）" if c in table else c for c in text.split(", "))


def _levels(text: str) -> str:
    """Level codes, each with its Chinese name from the catalogue."""
    names = default_catalogue().vocabularies.get("level", {})
    return "、".join(f"{c}（{names[c][0]}）" if names.get(c) else c for c in text.split(", "))


def _vocabularies(text: str) -> str:
    """Vocabulary names (`event_kind` …), each with what it lists in Chinese."""
    return "、".join(f"{v}（{VOCABULARIES[v.replace('_', ' ')]}）" if v.replace("_", " ") in VOCABULARIES else v
                    for v in text.split(", "))


def _expected(text: str) -> str:
    """What the parser expected, each description in Chinese (tokens in backticks stay as they are)."""
    return "、".join(EXPECTED_TOKENS.get(item, item) for item in text.split(", "))


def _allowed(text: str) -> str:
    """A list of allowed codes `code (名称), …`, in Chinese punctuation."""
    text = text.replace("; or a kind the policy defines", "；或本政策自行定义的事件类型")
    return re.sub(r" \(([^()]*)\)", r"（\1）", text).replace(", ", "、")


def _nested(entries: tuple[Entry, ...]) -> Callable[[str], str]:
    """A converter that translates a captured sentence with its own table (kept in English if none matches)."""
    return lambda text: _apply(text, entries) or text


USCC_PROBLEMS: tuple[Entry, ...] = (
    ("it has {n:\\d+} characters, expected 18", "共 {n} 位，应为 18 位"),
    ("`{c}` must be upper case", "`{c}` 须为大写"),
    ("`{c}` is not a character of the code", "`{c}` 不是代码可用的字符"),
    ("the check character is `{a}`, expected `{b}`", "校验码为 `{a}`，应为 `{b}`"),
)
ID_NUMBER_PROBLEMS: tuple[Entry, ...] = (
    ("it has {n:\\d+} characters, expected 18", "共 {n} 位，应为 18 位"),
    ("its first 17 characters must be digits", "前 17 位须为数字"),
    ("the check character `x` must be upper case `X`", "校验码 `x` 须为大写 `X`"),
    ("its check character does not match its other 17 characters", "校验码与前 17 位不符"),
    ("characters 7-14 are not a real birth date", "第 7-14 位不是真实的出生日期"),
)


# ---- the tables -----------------------------------------------------------------------------------

COMMON = CodeTable(
    label=(
        ("expected a value here", "此处应为一个值"),
        ("defined again here", "在此处重复定义"),
        ("not found", "未找到"),
        ("not expected here", "此处不应出现"),
        ("here", "此处"),
    ),
    help=(
        ("did you mean `{s}` ({zh})?", "是否想写 `{s}`（{zh}）？"),
        ("did you mean `{s}`?", "是否想写 `{s}`？"),
        ("one of: {values}", "可选值：{values}"),
        ("use it in a rule, or remove it", "请在规则中使用它，或将其删除"),
        ("write e.g. {example}", "例如写作 {example}"),
    ),
    notes=(
        ("first defined at {place}", "首次定义于 {place}"),
    ),
)

CODES: dict[str, CodeTable] = {
    # ---- Z1xx syntax ------------------------------------------------------------------------------
    "Z100": CodeTable(
        message=(
            ("unexpected character `{char}`", "此处不应出现字符 `{char}`"),
            ("unexpected the end of the file", "文件在此处意外结束"),
            ("unexpected `{token}`", "此处不应出现 `{token}`"),
        ),
        help=(
            ("names may use letters, digits and `_`; put other text inside quotes",
             "名称只能使用字母、数字和 `_`；其他文字请写在引号内"),
            ("expected {items}", "此处应为：{items:expected}"),
        ),
    ),
    "Z101": CodeTable(
        message=(("a rule needs `then` and at least one measure", "规则须有 `then`（则）及至少一项措施"),),
        label=(
            ("expected `then` here", "此处应为 `then`"),
            ("this {kind} rule produces nothing", "该{kind:kind}规则不产生任何措施"),
        ),
        help=(("write the measures after the condition: `when … then written_explanation, …`",
               "在条件之后写出措施：`when … then written_explanation, …`"),),
    ),
    "Z102": CodeTable(
        message=(("a rule needs `for` and the subjects it applies to", "规则须有 `for`（适用于）及其适用的主体"),),
        label=(("expected `for` here", "此处应为 `for`"),),
        help=(("name the subjects after the rule's name: `punishment 名称 for department, civil_servant`",
               "在规则名称之后写明适用的主体：`punishment 名称 for department, civil_servant`"),),
    ),
    "Z103": CodeTable(
        message=(("`=` sets a parameter; a condition compares with `==`", "`=` 用于给参数赋值；条件中的比较应写 `==`"),),
        label=(("use `==` here", "此处应写 `==`"),),
        help=(("write `==` to compare, e.g. `when event.kind == administrative_penalty`",
               "比较请写 `==`，例如 `when event.kind == administrative_penalty`"),),
    ),
    "Z104": CodeTable(
        message=(("`then` needs at least one measure after it", "`then` 之后须至少写一项措施"),),
        label=(("expected a measure here", "此处应为措施"),),
        help=(("list the measures from the catalogue, separated by commas: `then written_explanation, public_criticism`",
               "列出措施目录中的措施，以逗号分隔：`then written_explanation, public_criticism`"),),
    ),
    "Z105": CodeTable(
        message=(("a rule must be inside a clause", "规则必须写在条款之内"),),
        label=(("this rule has no clause", "该规则不属于任何条款"),),
        help=(('write the clause it encodes first: `clause 2.2.7 "二（二）7"` and its `quote "…"`',
               '先写出该规则所落实的条款 `clause 2.2.7 "二（二）7"` 及其原文引文 `quote "…"`'),),
    ),
    "Z106": CodeTable(
        message=(("a clause needs its id and its cite as printed in the document", "条款须写明编号，以及文件中印刷的条文序号"),),
        label=(("expected the clause's cite here", "此处应为条款的条文序号"),),
        help=(('write `clause 2.2.7 "二（二）7"`: the dotted id, then the cite in quotes',
               '写作 `clause 2.2.7 "二（二）7"`：先写以点分隔的编号，再写带引号的条文序号'),),
    ),
    "Z107": CodeTable(
        message=(("a policy file starts with its header", "政策文件须以文件头开始"),),
        label=(("expected `policy` here", "此处应为 `policy`"),),
        help=(('begin the file with `policy <id> "<title>"`, e.g. `policy jiangxi "江西省加强政务诚信建设的实施方案"`',
               '文件以 `policy <id> "<title>"` 开头，例如 `policy jiangxi "江西省加强政务诚信建设的实施方案"`'),),
    ),
    "Z108": CodeTable(
        message=(("`on each` takes `event` or `record` and a name for it", "`on each` 之后须写 `event` 或 `record` 及其名称"),),
        label=(("expected `event` or `record`", "此处应为 `event` 或 `record`"),),
        help=(("write `on each record r` (punishments, repairs, responsibility) or `on each event e` (records, tolerance)",
               "写作 `on each record r`（惩戒、修复、责任规则）或 `on each event e`（记录、容错规则）"),),
    ),
    "Z109": CodeTable(
        message=(("the expression is incomplete", "表达式不完整"),),
        help=(("finish the expression: a name, a number, a date, a string or `{{…}}` must follow the operator",
               "请补全表达式：运算符之后须有名称、数字、日期、字符串或 `{{…}}`"),),
    ),
    "Z110": CodeTable(
        message=(("a parameter needs a value", "参数须有取值"),),
        help=(("write `parameter 整改期限 = 90 days`: a number with an optional unit (days, months, years, yuan), "
               "a code or a date",
               "写作 `parameter 整改期限 = 90 days`：取值可以是数字（可带单位 days、months、years、yuan）、代码或日期"),),
    ),
    "Z111": CodeTable(
        message=(("unbalanced parentheses or braces", "圆括号或花括号不配对"),),
        label=(("expected `)` or `}}`", "此处应为 `)` 或 `}}`"),),
        help=(("close every `(` with `)` and every `{{` with `}}`", "每个 `(` 都须以 `)` 闭合，每个 `{{` 都须以 `}}` 闭合"),),
    ),
    "Z112": CodeTable(
        message=(("this string is never closed", "字符串没有结束引号"),),
        label=(("the string starts here", "字符串从此处开始"),),
        help=(('end the string with `"` on the same line; write `\\"` for a quote inside it',
               '请在同一行内用 `"` 结束字符串；字符串中的引号写作 `\\"`'),),
    ),
    "Z113": CodeTable(
        message=(("full-width `{char}` in policy syntax", "政策语法中出现全角字符 `{char}`"),),
        label=(("full-width character", "全角字符"),),
        help=(("use the ASCII `{char}` outside quoted text", "引号以外请使用半角（ASCII）字符 `{char}`"),),
    ),
    "Z114": CodeTable(
        message=(("invalid escape `{escape}` in a string", "字符串中的转义 `{escape}` 无效"),),
        help=(('inside quotes, write `\\"` for a quote and `\\\\` for a backslash',
               '引号内，引号写作 `\\"`，反斜杠写作 `\\\\`'),),
    ),
    "Z115": CodeTable(
        message=(("`{date}` is not a calendar date", "`{date}` 不是有效的日历日期"),),
        help=(("write dates as YYYY-MM-DD with a real month and day", "日期写作 YYYY-MM-DD，且月、日须真实存在"),),
    ),
    # ---- Z2xx names -------------------------------------------------------------------------------
    "Z201": CodeTable(
        message=(
            ("unknown name `{name}` (it is bound only by `on each record r` or `on each event e`)",
             "未知的名称 `{name}`（它只能由 `on each record r` 或 `on each event e` 引入）"),
            ("unknown name `{name}`", "未知的名称 `{name}`"),
        ),
        label=(("not a variable, parameter, definition or code", "不是变量、参数、定义或代码"),),
        help=(("declare it with `parameter` or `define`, or bind it with `on each`",
               "请用 `parameter` 或 `define` 声明，或用 `on each` 引入"),),
    ),
    "Z202": CodeTable(
        message=(("unknown subject `{name}`", "未知的主体 `{name}`"),),
        label=(("not a subject type, body kind or person kind", "不是主体类型、机构类别或人员类别"),),
        help=(("use body, person, project, enterprise, a body_kind or a person_kind",
               "请使用 body、person、project、enterprise，或某一机构类别（body_kind）、人员类别（person_kind）"),),
    ),
    "Z203": CodeTable(
        message=(("unknown measure `{name}`", "未知的措施 `{name}`"),),
        label=(("not in the catalogue", "不在措施目录中"),),
        help=(
            ("see the measure table in docs/language.md, or declare it with `measure`",
             "请查阅 docs/language.md 中的措施表，或用 `measure` 声明"),
            ("use a measure of the catalogue (docs/language.md) or its Chinese name",
             "请使用措施目录中的措施（见 docs/language.md）或其中文名称"),
        ),
    ),
    "Z204": CodeTable(
        message=(("unknown level `{name}`", "未知的层级 `{name}`"),),
        help=(("one of: {values}", "可选值：{values:levels}"),),
    ),
    "Z206": CodeTable(
        message=(("unknown measure `{name}` in precedence", "`precedence` 中的措施 `{name}` 未知"),),
        help=(("name two measures of the catalogue", "请写出措施目录中的两项措施"),),
    ),
    "Z207": CodeTable(
        message=(("`{name}` is neither a punishment measure nor a punishment rule", "`{name}` 既不是惩戒措施，也不是惩戒规则"),),
        help=(("name punishment measures or rules, or write `of punishments` for all",
               "请写出惩戒措施或惩戒规则，或写 `of punishments` 表示全部惩戒"),),
    ),
    "Z213": CodeTable(
        message=(("unknown vocabulary `{name}`", "未知的词表 `{name}`"),),
        help=(("one of: {values}", "可选值：{values:vocabularies}"),),
    ),
    "Z214": CodeTable(
        message=(
            ("`{name}` is already a code; a policy may add codes, not redefine them",
             "`{name}` 已是代码；政策可以新增代码，但不能重新定义已有代码"),
            ("`{name}` is already a measure; a policy may add measures, not redefine them",
             "`{name}` 已是措施；政策可以新增措施，但不能重新定义已有措施"),
        ),
        help=(
            ("choose a new code name, or use the existing code", "请另取一个代码名，或直接使用已有代码"),
            ("choose a new measure name, or use the catalogue's", "请另取一个措施名，或直接使用措施目录中的措施"),
        ),
    ),
    "Z215": CodeTable(
        message=(
            ("parameter `{name}` has the name of a catalogue code", "参数 `{name}` 与目录中的代码同名"),
            ("definition `{name}` has the name of a catalogue code", "定义 `{name}` 与目录中的代码同名"),
        ),
        help=(
            ("give the parameter a name of its own", "请为该参数另取名称"),
            ("give the definition a name of its own", "请为该定义另取名称"),
        ),
    ),
    # ---- Z3xx kinds, shapes and types -------------------------------------------------------------
    "Z301": CodeTable(
        message=(("`{name}` is a{n:n?} {kind} measure, not a{m:n?} {rule} one",
                  "`{name}` 是{kind:kind}措施，不是{rule:kind}措施"),),
        label=(("a{n:n?} {rule} rule cannot produce this", "{rule:kind}规则不能产生此措施"),),
        help=(("move it into a `{kind}` rule, or choose a{n:n?} {rule} measure",
               "请将其移入 `{kind}`（{kind:kind}）规则，或改选{rule:kind}措施"),),
    ),
    "Z302": CodeTable(
        message=(("`{name}` does not apply to {types} (the rule is for {written})",
                  "`{name}` 不适用于 {types:types}类主体（本规则适用于 {written}）"),),
        label=(("applies to {types} only", "仅适用于 {types:types}"),),
        help=(("narrow the rule's `for` to subjects of type {types}, or split the rule",
               "请将规则的 `for` 限定为 {types:types}类主体，或将规则拆分"),),
    ),
    "Z303": CodeTable(
        message=(
            ("a {kind} rule decides about each event", "{kind:kind}规则须逐个事件作出判断"),
            ("a {kind} rule acts on records, never on raw events", "{kind:kind}规则作用于记录，不能直接作用于事件"),
            ("a repair that softens punishments works record by record", "减轻惩戒的修复规则须逐条记录处理"),
        ),
        help=(
            ("write `on each event e` after the subjects", "请在主体之后写 `on each event e`"),
            ("write `on each record r`: events become records first", "请写 `on each record r`：事件须先成为记录"),
            ("write `on each record r` after the subjects", "请在主体之后写 `on each record r`"),
        ),
    ),
    "Z304": CodeTable(
        message=(
            ("a responsibility measure needs `to` and the persons it falls on", "责任措施须有 `to` 及被追究的人员"),
            ("only a responsibility measure takes `to`", "只有责任措施可以使用 `to`"),
        ),
    ),
    "Z305": CodeTable(
        message=(
            ("`{name}` needs `of` and the punishments it softens", "`{name}` 须有 `of` 及其减轻的惩戒"),
            ("only mitigation and exemption take `of`", "只有 mitigation（从轻）和 exemption（免除）可以使用 `of`"),
        ),
    ),
    "Z306": CodeTable(
        message=(("`{name}` carries no deadline", "措施 `{name}` 不带期限"),),
        help=(("only measures such as rectification_order take `due`",
               "只有 rectification_order（责令整改）等带期限的措施可以使用 `due`"),),
    ),
    "Z307": CodeTable(
        message=(
            ("a date plus a bare number", "日期加上了不带单位的数字"),
            ("a {type} has no field `{field}`", "{type:type}没有字段 `{field}`"),
            ("cannot apply `{op}` to a {left} and a {right}", "不能对{left:type}和{right:type}使用 `{op}`"),
            ("durations do not compare: a month or a year has no fixed number of days",
             "期间不能比较大小：一个月或一年的天数并不固定"),
            ("comparing a {left} with a {right}", "将{left:type}与{right:type}进行比较"),
        ),
        help=(
            ("give the number a unit: `90 days`, `6 months` or `1 years`",
             "请给数字加上单位：`90 days`、`6 months` 或 `1 years`"),
            ("field access works on subjects, events and records", "只有主体、事件和记录才有字段"),
            ("arithmetic works on numbers, and on dates with durations (`r.date + 90 days`)",
             "算术运算只适用于数字之间，以及日期与期间之间（`r.date + 90 days`）"),
            ("compare dates instead, e.g. `x.date + 1 years < as_of`", "请改为比较日期，例如 `x.date + 1 years < as_of`"),
            ("compare dates with dates, numbers with numbers", "日期只能与日期比较，数字只能与数字比较"),
        ),
    ),
    "Z308": CodeTable(
        message=(("only a repair may offer alternatives with `or`", "只有修复规则可以用 `or` 提供备选措施"),),
        help=(("list each measure once, separated by commas", "每项措施只列一次，以逗号分隔"),),
    ),
    "Z309": CodeTable(
        message=(("`{a}` and `{b}` can both hold for one subject", "`{a}` 与 `{b}` 可能同时适用于同一主体"),),
        label=(("contradicts `{measure}` of rule `{rule}`", "与规则 `{rule}` 的 `{measure}` 相矛盾"),),
        help=(("declare which wins in the clause that settles it, e.g. {example}",
               "请在作出规定的条款中声明何者优先，例如 {example}"),),
        notes=(("`{measure}` is produced at {place}", "`{measure}` 产生于 {place}"),),
    ),
    "Z311": CodeTable(
        message=(("`{name}` uses `{var}`, which this rule does not bind", "`{name}` 用到了 `{var}`，但本规则没有引入它"),),
        help=(("add `on each {var} …` to the rule, or use another definition",
               "请在规则中加上 `on each {var} …`，或改用其他定义"),),
    ),
    "Z312": CodeTable(
        message=(("`records` is not known yet in a {kind} rule", "{kind:kind}规则中尚不能使用 `records`"),),
        help=(("records are what record and tolerance rules decide; use `events` here",
               "记录正是记录规则和容错规则要认定的对象；此处请使用 `events`"),),
    ),
    "Z316": CodeTable(
        message=(("a record rule admits events; it takes no `then`", "记录规则用于认定事件，不能有 `then`"),),
        help=(("put the measures in a punishment rule `on each record r`", "请将措施写入 `on each record r` 的惩戒规则"),),
    ),
    "Z317": CodeTable(
        message=(("`{quantity}` is not a whole number of {unit}", "`{quantity}` 不是整数个 {unit}（{unit:unit}）"),),
        help=(("write a whole number, in a smaller unit if needed: `6 months`", "请写整数，必要时改用更小的单位：`6 months`"),),
    ),
    # ---- Z4xx source text -------------------------------------------------------------------------
    "Z401": CodeTable(
        message=(("quote not found verbatim in the source document", "原文文件中找不到与该原文引文逐字一致的文字"),),
        label=(("differs from the document", "与原文不一致"),),
        help=(("copy the text exactly (whitespace is ignored; mark a cut with ……)",
               "请逐字照录原文（空白不计；删节处用 …… 标明）"),),
        notes=(("the first {n:\\d+} characters match; it differs from `{rest}`",
                "前 {n} 个字与原文一致；从 `{rest}` 处开始不同"),),
    ),
    "Z402": CodeTable(
        message=(
            ("policy `{name}` names no source document", "政策 `{name}` 没有指明原文文件"),
            ("source document `{path}` not found", "找不到原文文件 `{path}`"),
        ),
        label=(("no such file beside the policy", "政策文件旁没有该文件"),),
        help=(
            ('add `source "sources/<file>.txt"` to the header', '请在文件头中加上 `source "sources/<file>.txt"`'),
            ("copy the document into the project and give its path relative to this file",
             "请将原文文件复制到项目中，并写明其相对于本文件的路径"),
        ),
    ),
    "Z403": CodeTable(
        message=(("rule `{name}` comes before any quote", "规则 `{name}` 出现在所有原文引文之前"),),
        help=(("put the `quote` the rule encodes before it, so the trace can cite it",
               "请在规则之前写出它所落实的原文引文 `quote`，以便决定过程能够引用原文"),),
    ),
    "Z404": CodeTable(
        message=(("clause `{name}` quotes nothing", "条款 `{name}` 没有原文引文"),),
        help=(('add `quote "…"` with the verbatim text of the clause', '请加上 `quote "…"`，逐字照录该条款原文'),),
    ),
    "Z405": CodeTable(
        message=(("clause `{name}` accounts for nothing", "条款 `{name}` 未落实：既无规则，也无 `not encoded` 说明"),),
        help=(('add the rules it implies, or `not encoded "<reason>"` if it sets no rule',
               '请加上该条款所规定的规则；如不设规则，请写 `not encoded "<reason>"` 说明理由'),),
    ),
    # ---- Z5xx layering ----------------------------------------------------------------------------
    "Z501": CodeTable(
        message=(("no policy `{name}`", "找不到政策 `{name}`"),),
        help=(("give a path to a .zwcx file, or an id found in: {folders}",
               "请给出 .zwcx 文件的路径，或以下目录中的政策编号：{folders}"),),
    ),
    "Z502": CodeTable(
        message=(
            ("`extends` makes a cycle: {cycle}", "`extends` 形成循环：{cycle}"),
            ("`uses` makes a cycle: {cycle}", "`uses` 形成循环：{cycle}"),
        ),
        label=(("this layer is already in the chain", "该层已在扩展链中"),),
        help=(
            ("a policy may extend only the policy it implements; remove one `extends`",
             "政策只能扩展它所落实的上级政策；请删除其中一个 `extends`"),
            ("a library may not use itself, directly or through another", "库不能直接或间接地使用自身"),
        ),
    ),
    "Z503": CodeTable(
        message=(
            ("`{name}` is not a policy this file can extend", "`{name}` 不是本文件可以扩展的政策"),
            ("no library `{name}`", "找不到库 `{name}`"),
        ),
        help=(("put `{file}` beside this file or under policies/", "请将 `{file}` 放在本文件旁或 policies/ 目录下"),),
    ),
    "Z504": CodeTable(
        message=(("clause `{name}` appears twice", "条款 `{name}` 出现了两次"),),
        help=(("give each clause its own id, or merge the two", "请为每个条款设定不同的编号，或将两者合并"),),
    ),
    "Z505": CodeTable(
        message=(("rule `{name}` is defined twice", "规则 `{name}` 定义了两次"),),
        help=(("give each rule its own name", "每条规则须有各自的名称"),),
    ),
    "Z506": CodeTable(
        message=(("`override` of `{name}`, which no extended layer defines",
                  "`override` 的规则 `{name}` 在被扩展的各层中均无定义"),),
        help=(("use the exact name of the rule you replace, or drop `override`",
               "请使用被替换规则的准确名称，或删去 `override`"),),
    ),
    "Z507": CodeTable(
        message=(("rule `{name}` is already defined in `{layer}`", "规则 `{name}` 已在 `{layer}` 中定义"),),
        label=(("same name as an extended rule", "与被扩展层中的规则同名"),),
        help=(("write `{code}` to replace it, or choose another name", "如要替换该规则，请写 `{code}`；否则请另取名称"),),
    ),
    "Z508": CodeTable(
        message=(("`disable` of `{name}`, which no layer defines", "`disable` 的规则 `{name}` 在各层中均无定义"),),
        help=(("name a rule of a layer this policy extends", "请写出本政策所扩展的某一层中的规则"),),
    ),
    "Z510": CodeTable(
        message=(("`set` of `{name}`, which no layer declares", "`set` 的参数 `{name}` 在各层中均未声明"),),
        help=(("declare it with `parameter`, or check the name against the layer this one extends",
               "请用 `parameter` 声明，或对照被扩展的层核对参数名称"),),
    ),
    "Z511": CodeTable(
        message=(
            ("`{name}` is already a parameter of `{layer}`", "`{name}` 已是 `{layer}` 的参数"),
            ("`{name}` is already a parameter", "`{name}` 已是参数"),
        ),
        help=(
            ("write `set` to give it another value (optionally `since` a date)",
             "请用 `set` 给它另一个取值（可加 `since` 日期）"),
            ("write `set` to give it another value in this layer", "请在本层用 `set` 给它另一个取值"),
        ),
    ),
    "Z512": CodeTable(
        message=(("`{name}` is already defined", "`{name}` 已有定义"),),
        help=(("give the definition another name", "请为该定义另取名称"),),
    ),
    "Z520": CodeTable(
        message=(("a library has no clauses", "库中不能有条款"),),
        help=(("move the clause into the policy that encodes its document", "请将该条款移到落实其所属文件的政策中"),),
    ),
    "Z521": CodeTable(
        message=(
            ("`{name}` is a library; a policy `uses` a library", "`{name}` 是库；政策应以 `uses` 使用库"),
            ("`{name}` is a policy, not a library", "`{name}` 是政策，不是库"),
        ),
        help=(
            ("write `{a}` instead of `{b}`", "请写 `{a}`，而不是 `{b}`"),
            ("write `extends {name}` to layer on a policy; `uses` takes libraries",
             "在政策之上分层请写 `extends {name}`；`uses` 只用于库"),
        ),
    ),
    # ---- Z6xx case files --------------------------------------------------------------------------
    "Z600": CodeTable(
        message=(
            ("cannot read the case file: {reason}", "无法读取案卷文件：{reason:os}"),
            ("the case file is not UTF-8 (byte {n:\\d+})", "案卷文件不是 UTF-8 编码（第 {n} 字节）"),
            ("invalid JSON at line {line:\\d+}, column {column:\\d+}: {reason}",
             "JSON 格式错误，位于第 {line} 行第 {column} 列：{reason:json}"),
            ("not JSON: {reason} at line {line:\\d+}, column {column:\\d+}",
             "不是 JSON：{reason:json}（第 {line} 行第 {column} 列）"),
            ("not JSON: {reason} at column {column:\\d+}", "不是 JSON：{reason:json}（第 {column} 列）"),
        ),
        help=(
            ("check the path; use `-` on the command line to read standard input",
             "请检查路径；在命令行中用 `-` 可从标准输入读取"),
            ("save the case file as UTF-8", "请将案卷文件另存为 UTF-8 编码"),
            ("a case file is one JSON object; check for a missing comma, quote or bracket",
             "案卷文件是一个 JSON 对象；请检查是否缺少逗号、引号或括号"),
            ("a case file is one JSON object with `subjects` and `events`",
             "案卷文件是一个含 `subjects` 和 `events` 的 JSON 对象"),
        ),
    ),
    "Z601": CodeTable(
        message=(
            ("`{value}` is not a date (expected YYYY-MM-DD)", "`{value}` 不是日期（应为 YYYY-MM-DD）"),
            (f"expected a date string YYYY-MM-DD, found {{type:{_JSON_TYPE_RE}}} {{value}}",
             "应为 YYYY-MM-DD 格式的日期字符串，实际为{type:json} {value}"),
            (f"expected a date string YYYY-MM-DD, found {{type:{_JSON_TYPE_RE}}}",
             "应为 YYYY-MM-DD 格式的日期字符串，实际为{type:json}"),
            ("missing required field `{field}`", "缺少必填字段 `{field}`"),
            ("expected a JSON object with `subjects` and `events`, found {type}",
             "应为含 `subjects` 和 `events` 的 JSON 对象，实际为{type:json}"),
            ("expected a list of {key}, found {type}", "`{key}` 应为列表，实际为{type:json}"),
            ("expected a string or a whole number, found {type}", "应为字符串或整数，实际为{type:json}"),
            (f"expected {{want:{_JSON_TYPE_RE}}}, found {{type:{_JSON_TYPE_RE}}} {{value}}",
             "应为{want:json}，实际为{type:json} {value}"),
            ("{value} is negative: `{field}` must be at least {n}", "{value} 为负数：`{field}` 不得小于 {n}"),
            ("{value} is not a finite number", "{value} 不是有限的数值"),
            ("`{field}` must not be empty", "`{field}` 不能为空"),
            ("`to` {to} is before `from` {start}", "`to` {to} 早于 `from` {start}"),
            ("a line must be one JSON object (a subject)", "每行须是一个 JSON 对象（一个主体）"),
            ("input should be {what}", "输入值不符合要求：应为 {what}"),
        ),
        help=(
            ("write dates as YYYY-MM-DD, e.g. `2024-06-30`", "日期写作 YYYY-MM-DD，例如 `2024-06-30`"),
            ('write dates as strings, e.g. "2024-06-30"', '日期须写成字符串，例如 "2024-06-30"'),
            ("see interchange.md for the fields of a case file", "案卷文件的字段见 interchange.md"),
            ('a case file looks like {{"as_of": "2024-06-30", "subjects": [...], "events": [...]}}',
             '案卷文件形如 {{"as_of": "2024-06-30", "subjects": [...], "events": [...]}}'),
            ("write `{key}` as a JSON list", "`{key}` 须写成 JSON 列表"),
            (f"write `{{field}}` as {{want:{_JSON_TYPE_RE}}}", "`{field}` 须写成{want:json}"),
            ("`{field}` is an amount, 0 or more", "`{field}` 是金额，须为 0 或正数"),
            ("a period ends on or after the day it starts", "期间的结束日期不得早于开始日期"),
        ),
    ),
    "Z602": CodeTable(
        message=((f"unknown {{vocabulary:{_VOCABULARY_RE}}} {{value}}", "未知的{vocabulary:vocabulary} {value}"),),
        help=(
            ("did you mean `{code}` ({zh})? allowed: {allowed}", "是否想写 `{code}`（{zh}）？可选值：{allowed:allowed}"),
            ("allowed: {allowed}", "可选值：{allowed:allowed}"),
        ),
    ),
    "Z603": CodeTable(
        message=(("`{id}` is not a valid 统一社会信用代码: {problem}", "`{id}` 不是有效的统一社会信用代码：{problem:uscc}"),),
        help=(
            ("a 统一社会信用代码 uses 0-9 and upper-case ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z)",
             "统一社会信用代码由 0-9 和大写字母 ABCDEFGHJKLMNPQRTUWXY 组成（不含 I、O、S、V、Z）"),
            ("write it as `{code}`", "请写作 `{code}`"),
            ("a typing error in any of the first 17 characters also changes the check character; "
             "compare the code with the registration certificate",
             "前 17 位中任何一位录入错误都会使校验码不符；请与登记证书核对"),
        ),
    ),
    "Z604": CodeTable(
        message=(("`{id}` is not a valid 公民身份号码: {problem}", "`{id}` 不是有效的公民身份号码：{problem:id_number}"),),
        help=(("check the number against the identity card; it is 17 digits and a check character 0-9 or X, "
               "and is never shown whole",
               "请与居民身份证核对；号码由 17 位数字和 1 位校验码（0-9 或 X）组成，不会完整显示"),),
    ),
    "Z605": CodeTable(
        message=(
            ("duplicate subject id `{id}` (first at `{path}`)", "主体编号 `{id}` 重复（首次出现于 `{path}`）"),
            ("subject `{id}` already appears on line {line:\\d+}", "主体 `{id}` 已出现在第 {line} 行"),
        ),
        help=(("every subject in a case file has its own id", "案卷文件中每个主体须有各自的编号"),),
    ),
    "Z606": CodeTable(
        message=(
            ("duplicate event id `{id}` (first at `{path}`)", "事件编号 `{id}` 重复（首次出现于 `{path}`）"),
            ("event `{id}` appears twice in this subject's events", "事件 `{id}` 在该主体的事件中出现了两次"),
        ),
        help=(("every event in a case file has its own id", "案卷文件中每个事件须有各自的编号"),),
    ),
    "Z607": CodeTable(
        message=(("event `{event}` is about subject `{subject}`, which is not in the case file",
                  "事件 `{event}` 涉及的主体 `{subject}` 不在案卷文件中"),),
        help=(
            ("did you mean `{id}`? an event's subject must be one of the case file's subjects",
             "是否想写 `{id}`？事件的主体必须是案卷文件中的主体之一"),
            ("an event's subject must be one of the case file's subjects", "事件的主体必须是案卷文件中的主体之一"),
        ),
    ),
    "Z609": CodeTable(
        message=(("no date to decide on", "没有作出决定所依据的日期"),),
        help=(
            ("give `as_of` in the case file, or --as-of on the command line",
             "请在案卷文件中写明 `as_of`，或在命令行中使用 --as-of"),
            ("give --as-of: a batch input has no case-file `as_of`", "请使用 --as-of：批量输入没有案卷文件中的 `as_of`"),
        ),
    ),
    "Z610": CodeTable(
        message=(("subject `{id}` is not in the case file", "主体 `{id}` 不在案卷文件中"),),
        help=(("use an id from the case file's `subjects`", "请使用案卷文件 `subjects` 中的编号"),),
    ),
    "Z611": CodeTable(
        message=(("policy `{name}` is not in force on {date}", "政策 `{name}` 在 {date} 不在有效期内"),),
        help=(("choose an --as-of date within the policy's `effective` period",
               "请选择在政策 `effective` 有效期内的 --as-of 日期"),),
    ),
    "Z612": CodeTable(
        message=(("parameter `{name}` has no value on {date}: every value starts later",
                  "参数 `{name}` 在 {date} 没有取值：其所有取值的起始日期都更晚"),),
        help=(("give it a value with no `since`, or one `since` a date on or before the decision date",
               "请给它一个不带 `since` 的取值，或一个 `since` 日期不晚于决定日期的取值"),),
    ),
    # ---- Z7xx warnings, Z8xx test files, Z9xx batch runs ------------------------------------------
    "Z701": CodeTable(message=(("parameter `{name}` is never used", "参数 `{name}` 从未使用"),)),
    "Z702": CodeTable(message=(("definition `{name}` is never used", "定义 `{name}` 从未使用"),)),
    "Z801": CodeTable(
        message=(
            ("not a test file: {reason}", "不是测试文件：{reason}"),
            ("a test file needs `policy` and a list of `cases`", "测试文件须有 `policy` 和 `cases` 列表"),
            ("each case needs `name` and `expect`", "每个测试用例须有 `name` 和 `expect`"),
        ),
        help=(
            ("a test file is YAML with `policy` and `cases`", "测试文件是含 `policy` 和 `cases` 的 YAML 文件"),
            ("see docs/language.md, section Policy tests", "见 docs/language.md 的 Policy tests 一节"),
        ),
    ),
    "Z901": CodeTable(
        message=(
            ("no batch input at this path", "该路径下没有批量输入"),
            ("no Parquet files in this folder", "该文件夹中没有 Parquet 文件"),
        ),
        help=(("give a JSON Lines file, a Parquet file or a folder of Parquet files",
               "请给出 JSON Lines 文件、Parquet 文件或存放 Parquet 文件的文件夹"),),
    ),
    "Z902": CodeTable(
        message=(("the output folder already holds a batch run", "输出文件夹中已有一次批量运行"),),
        help=(("add --resume to finish that run, or choose another --out", "加上 --resume 以完成该次运行，或另选 --out"),),
    ),
    "Z903": CodeTable(
        message=(("cannot resume: {keys} changed since the run began", "无法续跑：自该次运行开始以来，{keys} 已改变"),),
        help=(("resume with the same policy, input and options, or start again in another --out",
               "请以相同的政策、输入和选项续跑，或在另一个 --out 中重新开始"),),
    ),
}

CONVERTERS: dict[str, Callable[[str], str]] = {
    "kind": _word(RULE_KINDS),
    "types": _coded(SUBJECT_TYPES),
    "type": _word(VALUE_TYPES),
    "json": _word({**JSON_TYPES, **JSON_ERRORS}),
    "os": _word(OS_ERRORS),
    "unit": _word(UNITS),
    "vocabulary": _word(VOCABULARIES),
    "expected": _expected,
    "levels": _levels,
    "vocabularies": _vocabularies,
    "allowed": _allowed,
    "uscc": _nested(USCC_PROBLEMS),
    "id_number": _nested(ID_NUMBER_PROBLEMS),
}


# ---- lines the command line prints besides diagnostics ----------------------------------------------

LINES: tuple[Entry, ...] = (
    ("{passed:\\d+} passed, {failed:\\d+} failed", "通过 {passed} 项，未通过 {failed} 项"),
    ("FAILED {policy} {file} :: {case}", "未通过 {policy} {file} :: {case}"),
    ("{policy}: no test files in tests/{folder}/ beside the policy", "{policy}：政策文件旁的 tests/{folder}/ 中没有测试文件"),
    ("{policy}: rule or clause coverage is below {n}%", "{policy}：规则或条款覆盖率低于 {n}%"),
    ("the case was rejected: {diagnostic}", "该测试用例的案卷被拒收：{diagnostic:diagnostic}"),
    ("no decision for subject `{subject}`", "没有主体 `{subject}` 的决定"),
    ("{subject}: expected no outcomes; got {got}", "{subject}：不应有任何结果；实际为 {got:none}"),
    ("{subject}: expected record {want}; got {got}", "{subject}：应有记录 {want}；实际为 {got:none}"),
    ("{subject}: expected outcome {want}; got {got}", "{subject}：应有结果 {want}；实际为 {got:none}"),
    ("{subject}: expected no {want}; got {got}", "{subject}：不应有 {want}；实际为 {got:none}"),
    ("{subjects:\\d+} subjects decided, {lines:\\d+} lines rejected (stopped early past --max-errors), {seconds} s → {out}",
     "已对 {subjects} 个主体作出决定，拒收 {lines} 行（超过 --max-errors，提前停止），用时 {seconds} 秒 → {out}"),
    ("{subjects:\\d+} subjects decided, {lines:\\d+} lines rejected, {seconds} s → {out}",
     "已对 {subjects} 个主体作出决定，拒收 {lines} 行，用时 {seconds} 秒 → {out}"),
)

_ONE_LINE = re.compile(r"(?P<place>.*?): (?P<severity>error|warning)\[(?P<code>Z\d{3})\]: (?P<message>.*)", re.DOTALL)
_SEVERITY = {"error": "错误", "warning": "警告"}


def _one_line(text: str) -> str:
    """``str(diagnostic)`` (`place: error[Z601]: message`) with the severity and message in Chinese."""
    match = _ONE_LINE.fullmatch(text)
    if match is None:
        return text
    message = translate_text(match["code"], "message", match["message"]) or match["message"]
    return f"{match['place']}：{_SEVERITY[match['severity']]}[{match['code']}]：{message}"


CONVERTERS["diagnostic"] = _one_line
CONVERTERS["none"] = lambda text: "无" if text == "none" else text


# ---- matching -------------------------------------------------------------------------------------

class _Converting(string.Formatter):
    """``str.format`` where a format spec names a converter of ``CONVERTERS``."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return CONVERTERS[format_spec](str(value)) if format_spec else str(value)


_FORMATTER = _Converting()


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression of a pattern: literal text escaped, ``{name}`` a named group."""
    parts = []
    for literal, field, spec, _conversion in string.Formatter().parse(pattern):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>{spec or '.+?'})")
    return re.compile("".join(parts), re.DOTALL)


@cache
def _compiled(entries: tuple[Entry, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((compile_pattern(pattern), template) for pattern, template in entries)


def _apply(text: str, entries: tuple[Entry, ...]) -> str | None:
    """The Chinese of ``text`` by the first entry whose pattern matches all of it, or None."""
    for regex, template in _compiled(entries):
        match = regex.fullmatch(text)
        if match is not None:
            try:
                return _FORMATTER.format(template, **match.groupdict())
            except Exception:  # a faulty entry must never hide the English text or stop the rendering
                return None
    return None


def translate_text(code: str, part: str, text: str) -> str | None:
    """One part (message, label, help, notes) of a diagnostic of ``code`` in Chinese, or None if no pattern matches."""
    own = getattr(CODES.get(code, CodeTable()), part)
    return _apply(text, own) or _apply(text, getattr(COMMON, part))


def translate(diagnostic: Diagnostic) -> Diagnostic:
    """A copy of the diagnostic in Chinese; any part no pattern matches stays in English."""
    code = diagnostic.code

    def zh(part: str, text: str | None) -> str | None:
        return None if text is None else translate_text(code, part, text) or text

    return diagnostic.model_copy(update={
        "message": zh("message", diagnostic.message),
        "label": zh("label", diagnostic.label),
        "help": zh("help", diagnostic.help),
        "notes": tuple(zh("notes", note) or note for note in diagnostic.notes),
    })


def translate_line(text: str, lang: str = "zh") -> str:
    """A line the command line prints (a test summary, a failed expectation …) in ``lang``; unknown lines unchanged."""
    if lang != "zh":
        return text
    return "\n".join(_apply(line, LINES) or line for line in text.split("\n"))


# ---- which language ---------------------------------------------------------------------------------

def default_language(environ: Mapping[str, str] | None = None, *, locale: bool = True, default: str = "en") -> str:
    """``ZWCX_LANG`` if set, else the locale (the first of LC_ALL, LC_MESSAGES, LANG that is set), else ``default``.

    A value starting with ``zh`` (``zh``, ``zh_CN.UTF-8`` …) means Chinese, any other English.
    """
    env = os.environ if environ is None else environ
    names = ("ZWCX_LANG", "LC_ALL", "LC_MESSAGES", "LANG") if locale else ("ZWCX_LANG",)
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return default


__all__ = ["CODES", "COMMON", "CONVERTERS", "LINES", "CodeTable", "compile_pattern", "default_language",
           "translate", "translate_line", "translate_text"]
