"""Phase 2, build: the Lark syntax tree to the typed AST of :mod:`zwcx_rules.language.ast`, spans kept."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import VisitError
from lark.tree import Meta

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.diagnostics.source import SourceFile, Span
from zwcx_rules.language import ast
from zwcx_rules.language.parse import parse_text

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}
_UNITS = {
    "day": ("days", 1), "days": ("days", 1), "日": ("days", 1), "天": ("days", 1),
    "month": ("months", 1), "months": ("months", 1), "个月": ("months", 1), "月": ("months", 1),
    "year": ("years", 1), "years": ("years", 1), "年": ("years", 1),
    "yuan": ("yuan", 1), "元": ("yuan", 1), "万元": ("yuan", 10_000),
}


def build_policy(source: SourceFile) -> ast.Policy:
    """Parse and build one policy file."""
    return policy_from_tree(source, parse_text(source))


def policy_from_tree(source: SourceFile, tree: Tree[Token]) -> ast.Policy:
    """Build the AST of a syntax tree parsed from ``source``."""
    try:
        policy: ast.Policy = _Builder(source).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, ZwcxError):
            raise error.orig_exc from None
        raise
    return policy.model_copy(update={"path": str(source.path) if source.path else None})


def _word(token: Token) -> str:
    """The English keyword a keyword token stands for, whichever spelling it has (RECORD → record)."""
    return token.type.lower()


@v_args(meta=True, inline=True)
class _Builder(Transformer[Token, Any]):
    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.file = source

    # ---- helpers ---------------------------------------------------------------------------
    def _span(self, meta: Meta) -> Span:
        if meta.empty:
            return self.file.span(0, 0)
        return self.file.span(meta.start_pos, meta.end_pos)

    def _tok(self, token: Token) -> Span:
        assert token.start_pos is not None and token.end_pos is not None
        return self.file.span(token.start_pos, token.end_pos)

    def _ident(self, token: Token) -> ast.Ident:
        return ast.Ident(name=str(token), span=self._tok(token))

    def _string(self, token: Token) -> str:
        def unescape(match: re.Match[str]) -> str:
            if match.group(1) not in _ESCAPES:
                raise ZwcxError(Diagnostic(
                    code="Z114", message=f"invalid escape `\\{match.group(1)}` in a string", span=self._tok(token),
                    help='inside quotes, write `\\"` for a quote and `\\\\` for a backslash'))
            return _ESCAPES[match.group(1)]
        return _ESCAPE.sub(unescape, str(token)[1:-1])

    def _date(self, token: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(token))
        except ValueError:
            raise ZwcxError(Diagnostic(
                code="Z115", message=f"`{token}` is not a calendar date", span=self._tok(token),
                help="write dates as YYYY-MM-DD with a real month and day",
            )) from None

    @staticmethod
    def _number(token: Token) -> int | float:
        text = str(token)
        return float(text) if "." in text else int(text)

    # ---- header ----------------------------------------------------------------------------
    def start(self, meta: Meta, header: ast.Header, *items: Any) -> ast.Policy:
        groups: dict[type, list[Any]] = {}
        for item in items:
            groups.setdefault(type(item), []).append(item)
        return ast.Policy(
            span=self._span(meta), header=header,
            parameters=tuple(groups.get(ast.Parameter, [])),
            definitions=tuple(groups.get(ast.Definition, [])),
            clauses=tuple(groups.get(ast.Clause, [])),
            codes=tuple(groups.get(ast.CodeDecl, [])),
            measures=tuple(groups.get(ast.MeasureDecl, [])),
        )

    def header(self, meta: Meta, kind: Token, name: Token, title: Token, *fields: tuple[str, Any]) -> ast.Header:
        values: dict[str, Any] = {"library": kind.type == "LIBRARY"}
        for key, value in fields:
            if key == "effective":
                values["effective_from"], values["effective_until"] = value
            elif key == "source":
                values["source"], values["source_span"] = value
            else:
                values[key] = value
        return ast.Header(span=self._span(meta), id=self._ident(name), title=self._string(title), **values)

    def header_kind(self, meta: Meta, token: Token) -> Token:
        return token

    def uses(self, meta: Meta, *names: Token) -> tuple[str, Any]:
        return "uses", tuple(self._ident(n) for n in names)

    def extends(self, meta: Meta, name: Token) -> tuple[str, Any]:
        return "extends", self._ident(name)

    def issuer(self, meta: Meta, text: Token) -> tuple[str, Any]:
        return "issuer", self._string(text)

    def region(self, meta: Meta, text: Token) -> tuple[str, Any]:
        return "region", self._string(text)

    def level(self, meta: Meta, name: Token) -> tuple[str, Any]:
        return "level", self._ident(name)

    def implements(self, meta: Meta, *texts: Token) -> tuple[str, Any]:
        return "implements", tuple(self._string(t) for t in texts)

    def repeals(self, meta: Meta, *texts: Token) -> tuple[str, Any]:
        return "repeals", tuple(self._string(t) for t in texts)

    def source(self, meta: Meta, text: Token) -> tuple[str, Any]:
        return "source", (self._string(text), self._tok(text))

    def effective(self, meta: Meta, start: Token, end: Token | None) -> tuple[str, Any]:
        return "effective", (self._date(start), self._date(end) if end is not None else None)

    # ---- declarations ----------------------------------------------------------------------
    def parameter(self, meta: Meta, name: Token, value: Any, since: dt.date | None,
                  doc: Token | None, *, is_set: bool = False) -> ast.Parameter:
        return ast.Parameter(span=self._span(meta), name=self._ident(name), value=value, since=since,
                             doc=self._string(doc) if doc is not None else None, is_set=is_set)

    def set_parameter(self, meta: Meta, name: Token, value: Any, since: dt.date | None,
                      doc: Token | None) -> ast.Parameter:
        return self.parameter(meta, name, value, since, doc, is_set=True)

    def since(self, meta: Meta, day: Token) -> dt.date:
        return self._date(day)

    def definition(self, meta: Meta, name: Token, expr: Any, doc: Token | None) -> ast.Definition:
        return ast.Definition(span=self._span(meta), name=self._ident(name), expr=expr,
                              doc=self._string(doc) if doc is not None else None)

    def code_decl(self, meta: Meta, vocabulary: Token, code: Token, *names: Token) -> ast.CodeDecl:
        return ast.CodeDecl(span=self._span(meta), vocabulary=self._ident(vocabulary),
                            code=self._ident(code), names=tuple(self._string(n) for n in names))

    def measure_decl(self, meta: Meta, code: Token, kind: str, *rest: Token) -> ast.MeasureDecl:
        names = tuple(self._string(t) for t in rest if t.type == "STRING")
        subjects = tuple(self._ident(t) for t in rest if t.type == "NAME")
        return ast.MeasureDecl(span=self._span(meta), code=self._ident(code), kind=kind,  # type: ignore[arg-type]
                               names=names, for_=subjects)

    # ---- clauses and rules -----------------------------------------------------------------
    def clause(self, meta: Meta, clause_id: Token, cite: Token, *parts: Any) -> ast.Clause:
        quotes: list[ast.Quote] = []
        rules: list[ast.Rule] = []
        others: dict[type, list[Any]] = {}
        for part in parts:
            if isinstance(part, ast.Quote):
                quotes.append(part)
            elif isinstance(part, ast.Rule):
                rules.append(part.model_copy(update={"quote": len(quotes) - 1 if quotes else None}))
            elif isinstance(part, ast.Precedence):
                others.setdefault(ast.Precedence, []).append(
                    part.model_copy(update={"quote": len(quotes) - 1 if quotes else None}))
            else:
                others.setdefault(type(part), []).append(part)
        return ast.Clause(
            span=self._span(meta), id=self._ident(clause_id), cite=self._string(cite),
            quotes=tuple(quotes), rules=tuple(rules),
            not_encoded=tuple(others.get(ast.NotEncoded, [])),
            precedences=tuple(others.get(ast.Precedence, [])),
            disables=tuple(others.get(ast.Disable, [])),
        )

    def quote(self, meta: Meta, text: Token) -> ast.Quote:
        return ast.Quote(span=self._tok(text), text=self._string(text))

    def not_encoded(self, meta: Meta, keyword: Token, reason: Token) -> ast.NotEncoded:
        return ast.NotEncoded(span=self._span(meta), reason=self._string(reason))

    def precedence(self, meta: Meta, winner: Token, loser: Token) -> ast.Precedence:
        return ast.Precedence(span=self._span(meta), winner=self._ident(winner), loser=self._ident(loser))

    def disable(self, meta: Meta, rule: ast.Ident, reason: Token) -> ast.Disable:
        return ast.Disable(span=self._span(meta), rule=rule, reason=self._string(reason))

    def rule_ref(self, meta: Meta, name: Token) -> ast.Ident:
        return self._ident(name)

    def rule(self, meta: Meta, override: Token | None, kind: str, name: Token, *rest: Any) -> ast.Rule:
        selectors = tuple(r for r in rest if isinstance(r, ast.Ident))
        iteration, when, then = rest[len(selectors):]
        name_ident = ast.Ident(name=self._string(name) if name.type == "STRING" else str(name),
                               span=self._tok(name))
        return ast.Rule(span=self._span(meta), kind=kind, name=name_ident,  # type: ignore[arg-type]
                        override=override is not None, selectors=selectors, iteration=iteration,
                        when=when, then=then or (), quote=None)

    def rule_kind(self, meta: Meta, token: Token) -> str:
        return _word(token)

    def selector(self, meta: Meta, name: Token) -> ast.Ident:
        return self._ident(name)

    def iteration(self, meta: Meta, over: Token, var: Token) -> ast.Iteration:
        return ast.Iteration(span=self._span(meta), over=_word(over), var=self._ident(var))  # type: ignore[arg-type]

    def iterated(self, meta: Meta, token: Token) -> Token:
        return token

    def when(self, meta: Meta, expr: Any) -> Any:
        return expr

    def then(self, meta: Meta, *items: ast.MeasureItem) -> tuple[ast.MeasureItem, ...]:
        return items

    def measure_item(self, meta: Meta, may: Token | None, *rest: Any) -> ast.MeasureItem:
        measures = tuple(self._ident(t) for t in rest if isinstance(t, Token))
        options: dict[str, Any] = {}
        for option in rest:
            if isinstance(option, tuple) and len(option) == 2 and isinstance(option[0], str):
                options[option[0]] = option[1]
        return ast.MeasureItem(span=self._span(meta), may=may is not None, measures=measures, **options)

    def due(self, meta: Meta, expr: Any) -> tuple[str, Any]:
        return "due", expr

    def until(self, meta: Meta, expr: Any) -> tuple[str, Any]:
        return "until", expr

    def to(self, meta: Meta, target: Any) -> tuple[str, Any]:
        return "to", target

    def of(self, meta: Meta, targets: ast.Of) -> tuple[str, Any]:
        return "of", targets

    def all_punishments(self, meta: Meta) -> ast.Of:
        return ast.Of(span=self._span(meta), all=True)

    def named_punishments(self, meta: Meta, *names: Token) -> ast.Of:
        return ast.Of(span=self._span(meta), all=False, names=tuple(self._ident(n) for n in names))

    def principal_of(self, meta: Meta, body: Any, on: Any) -> ast.PrincipalOf:
        return ast.PrincipalOf(span=self._span(meta), body=body, on=on)

    def leaders_of(self, meta: Meta, body: Any, on: Any) -> ast.LeadersOf:
        return ast.LeadersOf(span=self._span(meta), body=body, on=on)

    def stage_owner_of(self, meta: Meta, project: Any, stage: Any, on: Any) -> ast.StageOwnerOf:
        return ast.StageOwnerOf(span=self._span(meta), project=project, stage=stage, on=on)

    def persons_of(self, meta: Meta, record: Any) -> ast.PersonsOf:
        return ast.PersonsOf(span=self._span(meta), record=record)

    def target_else(self, meta: Meta, *options: Any) -> ast.TargetElse:
        return ast.TargetElse(span=self._span(meta), options=options)

    # ---- expressions -----------------------------------------------------------------------
    def number(self, meta: Meta, token: Token) -> ast.Number:
        return ast.Number(span=self._span(meta), value=self._number(token))

    def quantity(self, meta: Meta, token: Token, unit: Token) -> ast.Quantity:
        name, factor = _UNITS[str(unit)]
        return ast.Quantity(span=self._span(meta), value=self._number(token) * factor, unit=name)  # type: ignore[arg-type]

    def date(self, meta: Meta, token: Token) -> ast.DateLit:
        return ast.DateLit(span=self._span(meta), value=self._date(token))

    def string(self, meta: Meta, token: Token) -> ast.String:
        return ast.String(span=self._span(meta), value=self._string(token))

    def true(self, meta: Meta) -> ast.Bool:
        return ast.Bool(span=self._span(meta), value=True)

    def false(self, meta: Meta) -> ast.Bool:
        return ast.Bool(span=self._span(meta), value=False)

    def null(self, meta: Meta) -> ast.Null:
        return ast.Null(span=self._span(meta))

    def name(self, meta: Meta, token: Token) -> ast.Name:
        return ast.Name(span=self._span(meta), name=str(token))

    def field(self, meta: Meta, target: Any, name: Token) -> ast.Field_:
        return ast.Field_(span=self._span(meta), target=target, name=str(name))

    def set_(self, meta: Meta, *items: Any) -> ast.SetLit:
        return ast.SetLit(span=self._span(meta), items=tuple(i for i in items if i is not None))

    def not_(self, meta: Meta, operand: Any) -> ast.Not:
        return ast.Not(span=self._span(meta), operand=operand)

    def neg(self, meta: Meta, minus: Token, operand: Any) -> ast.Neg:
        return ast.Neg(span=self._span(meta), operand=operand)

    def and_(self, meta: Meta, *operands: Any) -> ast.BoolOp:
        return ast.BoolOp(span=self._span(meta), op="and", operands=operands)

    def or_(self, meta: Meta, *operands: Any) -> ast.BoolOp:
        return ast.BoolOp(span=self._span(meta), op="or", operands=operands)

    def otherwise(self, meta: Meta, *operands: Any) -> ast.Otherwise:
        return ast.Otherwise(span=self._span(meta), operands=operands)

    def compare(self, meta: Meta, left: Any, op: Token, right: Any) -> ast.Compare:
        return ast.Compare(span=self._span(meta), op=str(op), left=left, right=right)  # type: ignore[arg-type]

    def in_(self, meta: Meta, item: Any, collection: Any) -> ast.In:
        return ast.In(span=self._span(meta), negated=False, item=item, collection=collection)

    def not_in(self, meta: Meta, item: Any, collection: Any) -> ast.In:
        return ast.In(span=self._span(meta), negated=True, item=item, collection=collection)

    def arith(self, meta: Meta, left: Any, op: Token, right: Any) -> ast.Arith:
        return ast.Arith(span=self._span(meta), op=str(op), left=left, right=right)  # type: ignore[arg-type]

    def aggregate_op(self, meta: Meta, token: Token) -> str:
        return _word(token)

    def aggregate(self, meta: Meta, op: str, var: Token, collection: Any, where: Any) -> ast.Aggregate:
        return ast.Aggregate(span=self._span(meta), op=op, var=self._ident(var),  # type: ignore[arg-type]
                             collection=collection, where=where)

    def total(self, meta: Meta, value: Any, var: Token, collection: Any, where: Any) -> ast.Total:
        return ast.Total(span=self._span(meta), value=value, var=self._ident(var),
                         collection=collection, where=where)


def tree_of(source: SourceFile) -> Tree[Token]:
    """The raw syntax tree (for tools that want it, such as the formatter)."""
    return parse_text(source)
