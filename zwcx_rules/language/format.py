"""`zwcx fmt`: print a policy in its one canonical layout, comments kept, keywords in English or Chinese.

The layout is computed from the AST (items, clause parts and header fields keep their source order);
comments are collected by the lexer and re-attached: a comment on a line of its own goes before the
line of the construct it precedes, a comment after code stays at the end of the line it ends. See
docs/fmt.md for the layout.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from zwcx_rules.diagnostics.errors import ZwcxError
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.language import ast
from zwcx_rules.language.build import build_policy, policy_from_tree
from zwcx_rules.language.keywords import ENGLISH_ONLY, KEYWORDS, Style, spell
from zwcx_rules.resources import grammar_path

WIDTH = 120
"""Lines are wrapped to this many display columns (a Chinese character takes two) where they can be."""

_ZH_UNITS = {"days": "日", "months": "个月", "years": "年", "yuan": "元"}
_NAME = re.compile(r"(?!\d)[\w\u00b7]+")
_GROUPS: dict[type, str] = {ast.Parameter: "parameter", ast.Definition: "define", ast.CodeDecl: "code",
                            ast.MeasureDecl: "measure"}
"""Top-level items of one group follow each other without a blank line; a clause always has one before it."""
Frag = tuple[int, str, int | None]
"""One line of a fragment: its column, its text and the source offset of what starts it (if it may take comments)."""


class FormatError(Exception):
    """The formatter's output would not build to the same policy (a bug in the formatter)."""


# ---- lexing: comments and keyword spellings ----------------------------------------------------

_collected = threading.local()


def _collect(token: Token) -> Token:
    _collected.tokens.append(token)
    return token


@cache
def _parser() -> Lark:
    names = ("COMMENT", *(k.terminal for k in KEYWORDS), *ENGLISH_ONLY)
    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual",
                propagate_positions=True, maybe_placeholders=True, lexer_callbacks=dict.fromkeys(names, _collect))


def _parse(source: SourceFile) -> tuple[Tree[Token], list[Token]]:
    _collected.tokens = []
    try:
        tree = _parser().parse(source.text)
    except UnexpectedInput:
        build_policy(source)  # raises the classified syntax diagnostic
        raise
    return tree, _collected.tokens


def dominant_style(tokens: list[Token]) -> Style:
    """Chinese if most keyword tokens are spelt in Chinese, else English."""
    words = [t for t in tokens if t.type != "COMMENT"]
    chinese = sum(1 for t in words if not t.isascii())
    return "zh" if chinese > len(words) - chinese else "en"


# ---- entry points ------------------------------------------------------------------------------

def format_source(source: SourceFile, keywords: Style | None = None, *, verify: bool = True) -> str:
    """The canonical text of a policy file; ``keywords`` None keeps the file's dominant keyword style."""
    tree, tokens = _parse(source)
    policy = policy_from_tree(source, tree)
    comments = [t for t in tokens if t.type == "COMMENT"]
    printer = _Printer(keywords or dominant_style(tokens))
    printer.policy(policy, _header_fields(tree))
    text = printer.render(source, comments)
    if verify:
        _verify(policy, len(comments), SourceFile(source.name, text, source.path))
    return text


def format_text(text: str, keywords: Style | None = None, *, name: str = "<text>", verify: bool = True) -> str:
    """The canonical text of a policy given as a string."""
    return format_source(SourceFile(name, text), keywords, verify=verify)


def comments(text: str) -> list[str]:
    """The comments of a policy text, in order, as the lexer finds them (trailing blanks dropped)."""
    return [str(t).rstrip(" \t\r") for t in _parse(SourceFile("<text>", text))[1] if t.type == "COMMENT"]


def keyword_tokens(text: str) -> list[str]:
    """The keywords of a policy text, in order, as spelt."""
    return [str(t) for t in _parse(SourceFile("<text>", text))[1] if t.type != "COMMENT"]


def without_spans(value: Any) -> Any:
    """A model dump with every span (and the file path) removed, recursively: what formatting must keep."""
    if isinstance(value, dict):
        return {k: without_spans(v) for k, v in value.items() if k not in ("span", "source_span", "path")}
    if isinstance(value, list | tuple):
        return [without_spans(v) for v in value]
    return value


def _verify(policy: ast.Policy, comment_count: int, output: SourceFile) -> None:
    try:
        tree, tokens = _parse(output)
    except ZwcxError as error:
        raise FormatError(f"{output.name}: the formatted policy does not parse: {error}") from None
    again = policy_from_tree(output, tree)
    if without_spans(again.model_dump()) != without_spans(policy.model_dump()):
        raise FormatError(f"{output.name}: the formatted policy differs from the original")
    if sum(1 for t in tokens if t.type == "COMMENT") != comment_count:
        raise FormatError(f"{output.name}: the formatted policy lost or split a comment")


def _header_fields(tree: Tree[Token]) -> list[tuple[str, int]]:
    """The header's fields in source order; a repeated field counts once, where it last appears."""
    header = tree.children[0]
    assert isinstance(header, Tree)
    last = {str(c.data): c.meta.start_pos for c in header.children[1:] if isinstance(c, Tree)}
    return sorted(last.items(), key=lambda item: item[1])


# ---- text helpers ------------------------------------------------------------------------------

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _end(frags: list[Frag]) -> int:
    return frags[-1][0] + _width(frags[-1][1])


def _cat(frags: list[Frag], more: list[Frag]) -> list[Frag]:
    """Continue the last line of ``frags`` with the first line of ``more``."""
    col, text, anchor = frags[-1]
    return [*frags[:-1], (col, text + more[0][1], anchor), *more[1:]]


def _app(frags: list[Frag], text: str) -> list[Frag]:
    return _cat(frags, [(0, text, None)])


def quote(text: str) -> str:
    """A string literal for ``text``: backslash, quote, newline and tab escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def number(value: int | float) -> str:
    """A number as the grammar reads it back to the same value (no exponent; a float keeps its point)."""
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "1" + "0" * 400 + ".0"
    text = format(Decimal(repr(value)), "f")
    return text if "." in text else text + ".0"


def _prec(e: Any) -> int:
    """How tightly an expression binds: 1 `otherwise` … 10 an atom."""
    if isinstance(e, ast.Otherwise):
        return 1
    if isinstance(e, ast.BoolOp):
        return 2 if e.op == "or" else 3
    if isinstance(e, ast.Not):
        return 4
    if isinstance(e, ast.Compare | ast.In):
        return 5
    if isinstance(e, ast.Arith):
        return 6 if e.op in "+-" else 7
    if isinstance(e, ast.Neg):
        return 8
    return 9 if isinstance(e, ast.Field_) else 10


def _operands(e: Any) -> tuple[str, int, tuple[Any, ...]]:
    """A chain's keyword, the precedence its operands need, and its operands."""
    if isinstance(e, ast.Otherwise):
        return "otherwise", 2, e.operands
    return e.op, 3 if e.op == "or" else 4, e.operands


@dataclass
class _Line:
    indent: int
    text: str
    anchor: int | None
    block: bool = False
    """A top-level item or a clause part: blank lines around the comments before it are kept."""
    blank: bool = False
    """The layout puts a blank line before it."""


@dataclass
class _Comment:
    start: int
    text: str
    own_line: bool
    """Nothing but blanks before it on its line (else it ends a line of code)."""
    column: int
    blank_before: bool
    blank_after: bool


class _Printer:
    def __init__(self, style: Style) -> None:
        self.style = style
        self.lines: list[_Line] = []

    def kw(self, english: str) -> str:
        return spell(english, self.style)

    def emit(self, frags: list[Frag], anchor: int | None, *, block: bool = False, blank: bool = False) -> None:
        for index, (col, text, frag_anchor) in enumerate(frags):
            first = index == 0
            self.lines.append(_Line(col, text, anchor if first else frag_anchor, block and first, blank and first))

    # ---- expressions ---------------------------------------------------------------------------
    def flat(self, e: Any, level: int = 0) -> str:
        text = self._flat(e)
        return f"({text})" if _prec(e) < level else text

    def _flat(self, e: Any) -> str:
        kw = self.kw
        if isinstance(e, ast.Otherwise | ast.BoolOp):
            word, level, operands = _operands(e)
            return f" {kw(word)} ".join(self.flat(o, level) for o in operands)
        if isinstance(e, ast.Not):
            return f"{kw('not')} {self.flat(e.operand, 4)}"
        if isinstance(e, ast.Compare):
            return f"{self.flat(e.left, 6)} {e.op} {self.flat(e.right, 6)}"
        if isinstance(e, ast.In):
            return f"{self.flat(e.item, 6)} {kw('not in' if e.negated else 'in')} {self.flat(e.collection, 6)}"
        if isinstance(e, ast.Arith):
            level = 6 if e.op in "+-" else 7
            return f"{self.flat(e.left, level)} {e.op} {self.flat(e.right, level + 1)}"
        if isinstance(e, ast.Neg):
            return "-" + self.flat(e.operand, 8)
        if isinstance(e, ast.Field_):
            return f"{self.flat(e.target, 9)}.{e.name}"
        if isinstance(e, ast.SetLit):
            return "{" + ", ".join(self.flat(i) for i in e.items) + "}"
        if isinstance(e, ast.Aggregate | ast.Total):
            return self._aggregate_head(e) + self.flat(e.collection) + self._where(e, self.flat) + ")"
        return self.value(e)

    def value(self, e: Any) -> str:
        """An atom: a literal or a name."""
        if isinstance(e, ast.Number):
            return number(e.value)
        if isinstance(e, ast.Quantity):
            if self.style == "zh" and e.unit == "yuan" and isinstance(e.value, int) and e.value and e.value % 10_000 == 0:
                return f"{e.value // 10_000} 万元"
            return f"{number(e.value)} {_ZH_UNITS[e.unit] if self.style == 'zh' else e.unit}"
        if isinstance(e, ast.DateLit):
            return e.value.isoformat()
        if isinstance(e, ast.String):
            return quote(e.value)
        if isinstance(e, ast.Bool):
            return self.kw("true" if e.value else "false")
        if isinstance(e, ast.Null):
            return self.kw("null")
        assert isinstance(e, ast.Name), e
        return e.name

    def _aggregate_head(self, e: ast.Aggregate | ast.Total) -> str:
        if isinstance(e, ast.Aggregate):
            return f"{self.kw(e.op)}({e.var.name} {self.kw('in')} "
        return f"{self.kw('sum')}({self.flat(e.value)} {self.kw('for')} {e.var.name} {self.kw('in')} "

    def _where(self, e: ast.Aggregate | ast.Total, show: Any) -> str:
        return "" if e.where is None else f" {self.kw('where')} {show(e.where)}"

    def expr(self, e: Any, col: int, level: int = 0) -> list[Frag]:
        """An expression starting at ``col``, wrapped before `and`/`or`/`otherwise` where it is too long."""
        flat = self.flat(e, level)
        if col + _width(flat) <= WIDTH:
            return [(col, flat, None)]
        if _prec(e) < level:
            return _app(_cat([(col, "(", None)], self.expr(e, col + 1)), ")")
        if isinstance(e, ast.Otherwise | ast.BoolOp):
            word, sub, operands = _operands(e)
            frags = self.expr(operands[0], col, sub)
            for operand in operands[1:]:
                lead = self.kw(word) + " "
                frags += _cat([(col, lead, operand.span.start)], self.expr(operand, col + _width(lead), sub))
            return frags
        if isinstance(e, ast.Compare | ast.In | ast.Arith):
            left, right, op = (e.item, e.collection, self.kw("not in" if e.negated else "in")) if isinstance(e, ast.In) \
                else (e.left, e.right, e.op)
            left_level = 7 if isinstance(e, ast.Arith) and e.op in "*/" else 6
            right_level = left_level + 1 if isinstance(e, ast.Arith) else 6
            frags = _app(self.expr(left, col, left_level), f" {op} ")
            return _cat(frags, self.expr(right, _end(frags), right_level))
        if isinstance(e, ast.Not):
            lead = self.kw("not") + " "
            return _cat([(col, lead, None)], self.expr(e.operand, col + _width(lead), 4))
        if isinstance(e, ast.Aggregate | ast.Total):
            frags = [(col, self._aggregate_head(e), None)]
            frags = _cat(frags, self.expr(e.collection, _end(frags)))
            if e.where is not None:
                frags = _app(frags, f" {self.kw('where')} ")
                frags = _cat(frags, self.expr(e.where, _end(frags)))
            return _app(frags, ")")
        if isinstance(e, ast.SetLit):
            frags = [(col, "{", None)]
            for index, item in enumerate(e.items):
                if index:
                    frags = [*_app(frags, ","), (col + 1, "", item.span.start)]
                frags = _cat(frags, self.expr(item, _end(frags)))
            return _app(frags, "}")
        return [(col, flat, None)]

    # ---- measures and targets -------------------------------------------------------------------
    def item(self, m: ast.MeasureItem, col: int) -> list[Frag]:
        head = (self.kw("may") + " " if m.may else "") + f" {self.kw('or')} ".join(i.name for i in m.measures)
        frags: list[Frag] = [(col, head, None)]
        for word, value in (("due", m.due), ("until", m.until)):
            if value is not None:
                frags = _app(frags, f" {self.kw(word)} ")
                frags = _cat(frags, self.expr(value, _end(frags)))
        if m.to is not None:
            frags = _app(frags, f" {self.kw('to')} ")
            frags = _cat(frags, self.target(m.to, _end(frags), col + 2))
        if m.of is not None:
            targets = self.kw("punishments") if m.of.all else "{" + ", ".join(n.name for n in m.of.names) + "}"
            frags = _app(frags, f" {self.kw('of')} {targets}")
        return frags

    def target(self, t: Any, col: int, else_col: int) -> list[Frag]:
        if not isinstance(t, ast.TargetElse):
            return self.target_atom(t, col)
        flat = f" {self.kw('else')} ".join(self.target_atom(o, 0)[0][1] for o in t.options)
        if all(len(self.target_atom(o, 0)) == 1 for o in t.options) and col + _width(flat) <= WIDTH:
            return [(col, flat, None)]
        frags = self.target_atom(t.options[0], col)
        for option in t.options[1:]:
            lead = self.kw("else") + " "
            frags += _cat([(else_col, lead, option.span.start)], self.target_atom(option, else_col + _width(lead)))
        return frags

    def target_atom(self, t: Any, col: int) -> list[Frag]:
        kw = self.kw
        if isinstance(t, ast.PersonsOf):
            parts: list[tuple[str, Any]] = [(f"{kw('persons')} {kw('of')} ", t.record)]
        elif isinstance(t, ast.StageOwnerOf):
            parts = [(f"{kw('stage owner')} {kw('of')} ", t.project), (f" {kw('for')} ", t.stage), (f" {kw('on')} ", t.on)]
        else:
            word = "principal" if isinstance(t, ast.PrincipalOf) else "leaders"
            parts = [(f"{kw(word)} {kw('of')} ", t.body), (f" {kw('on')} ", t.on)]
        frags: list[Frag] = [(col, "", None)]
        for lead, e in parts:
            frags = _app(frags, lead)
            frags = _cat(frags, self.expr(e, _end(frags)))
        return frags

    # ---- statements -----------------------------------------------------------------------------
    def policy(self, policy: ast.Policy, fields: list[tuple[str, int]]) -> None:
        h = policy.header
        kind = self.kw("library" if h.library else "policy")
        self.emit([(0, f"{kind} {h.id.name} {quote(h.title)}", None)], h.span.start, block=True)
        for name, start in fields:
            self.emit([(2, self.header_field(h, name), None)], start)
        items = sorted((*policy.parameters, *policy.definitions, *policy.clauses, *policy.codes, *policy.measures),
                       key=lambda item: item.span.start)
        previous: Any = None
        for item in items:
            group = _GROUPS.get(type(item))
            blank = group is None or group != _GROUPS.get(type(previous))
            previous = item
            if isinstance(item, ast.Clause):
                self.clause(item, blank)
            else:
                self.declaration(item, blank)

    def header_field(self, h: ast.Header, name: str) -> str:
        kw = self.kw
        strings = {"issuer": h.issuer, "region": h.region, "source": h.source}
        if name in strings:
            return f"{kw(name)} {quote(strings[name] or '')}"
        if name in ("implements", "repeals"):
            return f"{kw(name)} " + ", ".join(quote(s) for s in getattr(h, name))
        if name == "uses":
            return f"{kw('uses')} " + ", ".join(i.name for i in h.uses)
        if name in ("extends", "level"):
            ident = getattr(h, name)
            return f"{kw(name)} {ident.name}"
        assert name == "effective" and h.effective_from is not None, name
        until = f" {kw('until')} {h.effective_until.isoformat()}" if h.effective_until else ""
        return f"{kw('effective')} {h.effective_from.isoformat()}{until}"

    def declaration(self, item: Any, blank: bool) -> None:
        kw = self.kw
        doc: str | None = None
        if isinstance(item, ast.Parameter):
            since = f" {kw('since')} {item.since.isoformat()}" if item.since else ""
            word = kw("set" if item.is_set else "parameter")
            frags: list[Frag] = [(0, f"{word} {item.name.name} = {self.flat(item.value)}{since}", None)]
            doc = item.doc
        elif isinstance(item, ast.Definition):
            lead = f"{kw('define')} {item.name.name} = "
            frags = _cat([(0, lead, None)], self.expr(item.expr, _width(lead)))
            doc = item.doc
        elif isinstance(item, ast.CodeDecl):
            names = ", ".join(quote(n) for n in item.names)
            frags = [(0, f"{kw('code')} {item.vocabulary.name} {item.code.name} {names}", None)]
        else:
            names = ", ".join(quote(n) for n in item.names)
            subjects = ", ".join(s.name for s in item.for_)
            frags = [(0, f"{kw('measure')} {item.code.name} {kw(item.kind)} {names} {kw('for')} {subjects}", None)]
        self.emit(frags, item.span.start, block=True, blank=blank)
        if doc is not None:
            self.emit([(2, quote(doc), None)], item.span.end - 1)

    def clause(self, clause: ast.Clause, blank: bool) -> None:
        kw = self.kw
        self.emit([(0, f"{kw('clause')} {clause.id.name} {quote(clause.cite)}", None)], clause.span.start,
                  block=True, blank=blank)
        parts = sorted((*clause.quotes, *clause.rules, *clause.not_encoded, *clause.precedences, *clause.disables),
                       key=lambda part: part.span.start)
        previous: Any = None
        for part in parts:
            blank = isinstance(part, ast.Quote) and previous is not None and not isinstance(previous, ast.Quote)
            previous = part
            if isinstance(part, ast.Rule):
                self.rule(part, blank)
                continue
            if isinstance(part, ast.Quote):
                text = f"{kw('quote')} {quote(part.text)}"
            elif isinstance(part, ast.NotEncoded):
                text = f"{kw('not encoded')} {quote(part.reason)}"
            elif isinstance(part, ast.Precedence):
                text = f"{kw('precedence')} {part.winner.name} {kw('over')} {part.loser.name}"
            else:
                assert isinstance(part, ast.Disable)
                text = f"{kw('disable')} {part.rule.name} {quote(part.reason)}"
            self.emit([(2, text, None)], part.span.start, block=True, blank=blank)

    def rule(self, rule: ast.Rule, blank: bool) -> None:
        kw = self.kw
        name = rule.name.name if _NAME.fullmatch(rule.name.name) else quote(rule.name.name)
        head = (kw("override") + " " if rule.override else "") + f"{kw(rule.kind)} {name} {kw('for')} "
        col = 2 + _width(head)
        cont = col if col <= 60 else 8
        frags: list[Frag] = [(2, head + rule.selectors[0].name, None)]
        for index, selector in enumerate(rule.selectors[1:], 2):
            comma = 1 if index < len(rule.selectors) else 0
            if _end(frags) + 2 + _width(selector.name) + comma <= WIDTH:
                frags = _app(frags, ", " + selector.name)
            else:
                frags = [*_app(frags, ","), (cont, selector.name, selector.span.start)]
        self.emit(frags, rule.span.start, block=True, blank=blank)
        if rule.iteration is not None:
            it = rule.iteration
            self.emit([(4, f"{kw('on each')} {kw(it.over)} {it.var.name}", None)], it.span.start)
        if rule.when is not None:
            lead = kw("when") + " "
            self.emit(_cat([(4, lead, None)], self.expr(rule.when, 4 + _width(lead))), rule.when.span.start)
        if rule.then:
            lead = kw("then") + " "
            col = 4 + _width(lead)
            items = [self.item(m, col) for m in rule.then]
            one_line = ", ".join(i[0][1] for i in items)
            if all(len(i) == 1 for i in items) and col + _width(one_line) <= WIDTH:
                self.emit([(4, lead + one_line, None)], rule.then[0].span.start)
                return
            for index, (m, frags) in enumerate(zip(rule.then, items, strict=True)):
                if index < len(items) - 1:
                    frags = _app(frags, ",")
                if index == 0:
                    frags = _cat([(4, lead, None)], frags)
                self.emit(frags, m.span.start)

    # ---- output with comments ----------------------------------------------------------------------
    def render(self, source: SourceFile, tokens: list[Token]) -> str:
        """The lines with the comments: after the code of the line a comment ends, else before the next line."""
        last = -1
        for line in self.lines:  # comments attach only to lines in source order
            if line.anchor is not None:
                if line.anchor <= last:
                    line.anchor = None
                else:
                    last = line.anchor
        anchored = [i for i, line in enumerate(self.lines) if line.anchor is not None]
        anchors = [self.lines[i].anchor or 0 for i in anchored]
        before: dict[int | None, list[_Comment]] = {}  # by the index of the line they precede; None: the end
        trailing: dict[int, _Comment] = {}
        lines = source.text.count("\n") + 1
        floor = 0  # comments keep their order: none goes to a line before the line of the one before it
        for token in tokens:
            comment = _comment(source, token, lines)
            if not comment.own_line:
                position = max(bisect.bisect_right(anchors, comment.start) - 1, 0)
                if position >= floor and anchored[position] not in trailing:
                    trailing[anchored[position]] = comment
                    floor = position
                    continue
                # A second comment for the same line goes on a line of its own, under it.
                comment = _Comment(comment.start, comment.text, True, WIDTH, False, False)
            floor = max(bisect.bisect_left(anchors, comment.start), floor)
            before.setdefault(anchored[floor] if floor < len(anchored) else None, []).append(comment)
        out: list[str] = []
        for index, line in enumerate(self.lines):
            above, rest = self._split(before.get(index, []), line.indent, self.lines[index - 1].indent if index else -1)
            out += above
            if out and (line.blank or (line.block and rest and rest[0].blank_before)):
                out.append("")
            for comment in rest:
                out.append(" " * line.indent + comment.text)
                if line.block and comment.blank_after:
                    out.append("")
            text = " " * line.indent + line.text
            out.append(text + ("  " + trailing[index].text if index in trailing else ""))
        above, rest = self._split(before.get(None, []), 0, self.lines[-1].indent)
        out += above
        for number_, comment in enumerate(rest):
            if out and (comment.blank_before if number_ == 0 else rest[number_ - 1].blank_after):
                out.append("")
            out.append(comment.text)
        return "\n".join(out) + "\n"

    @staticmethod
    def _split(comments: list[_Comment], indent: int, previous: int) -> tuple[list[str], list[_Comment]]:
        """Comments before a line: first those indented under the line above it (they stay with that
        block, at its indent of 2 or 4), then those that belong to the line itself."""
        comments = sorted(comments, key=lambda c: c.start)
        above: list[str] = []
        for comment in comments:
            levels = [level for level in (4, 2) if indent < level <= min(comment.column, previous)]
            if not levels:
                break
            above.append(" " * levels[0] + comment.text)
        return above, comments[len(above):]


def _comment(source: SourceFile, token: Token, lines: int) -> _Comment:
    """A comment token: where it is, and whether a blank line comes before and after it."""
    assert token.start_pos is not None and token.line is not None and token.column is not None

    def blank(line: int) -> bool:
        return 1 <= line <= lines and not source.line_text(line).strip(" \t\f\r")

    column = token.column - 1
    own_line = not source.text[token.start_pos - column:token.start_pos].strip(" \t\f\r")
    return _Comment(token.start_pos, str(token).rstrip(" \t\r"), own_line, column,
                    blank(token.line - 1), blank(token.line + 1))
