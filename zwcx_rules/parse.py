"""Phase 1, parse: policy text to a Lark syntax tree, or syntax errors a policy officer can act on.

The parser is LALR(1) with a contextual lexer. Syntax errors are classified with Lark's
``match_examples``: each label below lists broken programs, and an error whose parser state matches
one of them gets that label's message and help instead of "unexpected token".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from .errors import Diagnostic, ZwcxError
from .resources import grammar_path
from .source import SourceFile


@cache
def parser() -> Lark:
    """The policy parser, built once per process."""
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse_text(source: SourceFile) -> Tree[Token]:
    """Parse one policy file; raise ZwcxError with one syntax diagnostic if it is malformed."""
    try:
        return parser().parse(source.text)
    except UnexpectedInput as error:
        raise ZwcxError(syntax_diagnostic(source, error)) from None


@dataclass(frozen=True)
class SyntaxProblem:
    code: str
    message: str
    label: str
    help: str
    examples: tuple[str, ...]


_HEAD = 'policy p "t"\nclause 1 "一"\nquote "q"\n'
_RULE = _HEAD + "punishment r for body "

PROBLEMS: tuple[SyntaxProblem, ...] = (
    SyntaxProblem(
        "Z101", "a rule needs `then` and at least one measure", "expected `then` here",
        "write the measures after the condition: `when … then written_explanation, …`",
        (
            _RULE + "when a == 1 written_explanation",
            _RULE + "on each record r when r.x in {a} written_explanation",
            _RULE + "on each record r written_explanation",
            _RULE + "written_explanation",
            _RULE + "when a and b written_explanation",
        ),
    ),
    SyntaxProblem(
        "Z102", "a rule needs `for` and the subjects it applies to", "expected `for` here",
        "name the subjects after the rule's name: `punishment 名称 for department, civil_servant`",
        (
            _HEAD + "punishment r then a",
            _HEAD + "punishment r when a then b",
            _HEAD + "punishment r on each record x then a",
        ),
    ),
    SyntaxProblem(
        "Z103", "`=` sets a parameter; a condition compares with `==`", "use `==` here",
        "write `==` to compare, e.g. `when event.kind == administrative_penalty`",
        (_RULE + "when a = 1 then b", _RULE + "on each record r when r.a = b then c"),
    ),
    SyntaxProblem(
        "Z104", "`then` needs at least one measure after it", "expected a measure here",
        "list the measures from the catalogue, separated by commas: `then written_explanation, public_criticism`",
        (
            _RULE + "then",
            _RULE + "then\nclause 2 \"二\"",
            _RULE + "then a,",
            _RULE + "then a,\nclause 2 \"二\"",
            _RULE + "then ,",
        ),
    ),
    SyntaxProblem(
        "Z105", "a rule must be inside a clause", "this rule has no clause",
        'write the clause it encodes first: `clause 2.2.7 "二（二）7"` and its `quote "…"`',
        (
            'policy p "t"\npunishment r for body then a',
            'policy p "t"\nrecord r for body then a',
            'policy p "t"\nincentive r for body then a',
            'policy p "t"\nrepair r for body then a',
            'policy p "t"\ntolerance r for body then a',
            'policy p "t"\nresponsibility r for body then a',
            'policy p "t"\nquote "x"',
            'policy p "t"\nparameter x = 1\npunishment r for body then a',
        ),
    ),
    SyntaxProblem(
        "Z106", "a clause needs its id and its cite as printed in the document",
        "expected the clause's cite here",
        'write `clause 2.2.7 "二（二）7"`: the dotted id, then the cite in quotes',
        (
            _HEAD + 'clause 2 quote "x"',
            _HEAD + "clause 2\npunishment r for body then a",
            _HEAD + 'clause "二" quote "x"',
            _HEAD + "clause quote",
        ),
    ),
    SyntaxProblem(
        "Z107", "a policy file starts with its header", "expected `policy` here",
        'begin the file with `policy <id> "<title>"`, e.g. `policy jiangxi "江西省加强政务诚信建设的实施方案"`',
        ('clause 1 "一"', "parameter x = 1", 'quote "x"', "punishment r for body then a"),
    ),
    SyntaxProblem(
        "Z108", "`on each` takes `event` or `record` and a name for it", "expected `event` or `record`",
        "write `on each record r` (punishments, repairs, responsibility) or `on each event e` (records, tolerance)",
        (_RULE + "on each records r then a", _RULE + "on each r then a", _RULE + "on record r then a"),
    ),
    SyntaxProblem(
        "Z109", "the expression is incomplete", "expected a value here",
        "finish the expression: a name, a number, a date, a string or `{…}` must follow the operator",
        (
            _RULE + "when a == then b",
            _RULE + "when a and then b",
            _RULE + "when a or then b",
            _RULE + "when not then b",
            _RULE + "when a in then b",
            _RULE + "when a + then b",
            _RULE + "when then b",
        ),
    ),
    SyntaxProblem(
        "Z110", "a parameter needs a value", "expected a value here",
        "write `parameter 整改期限 = 90 days`: a number with an optional unit (days, months, years, yuan), a code or a date",
        (
            _HEAD.split("clause")[0] + "parameter x =\nclause 1 \"一\"",
            _HEAD.split("clause")[0] + "parameter x = days",
            _HEAD.split("clause")[0] + "parameter x\nclause 1 \"一\"",
        ),
    ),
    SyntaxProblem(
        "Z111", "unbalanced parentheses or braces", "expected `)` or `}`",
        "close every `(` with `)` and every `{` with `}`",
        (_RULE + "when (a == 1 then b", _RULE + "when a in {b, c then d", _RULE + "when count(x in y where z then a"),
    ),
)

_FULL_WIDTH = {
    "，": ",", "＝": "=", "（": "(", "）": ")", "“": '"', "”": '"', "｛": "{", "｝": "}",
    "．": ".", "＋": "+", "－": "-", "＞": ">", "＜": "<", "：": ":",
}


@cache
def _examples() -> dict[SyntaxProblem, list[str]]:
    return {problem: list(problem.examples) for problem in PROBLEMS}


def syntax_diagnostic(source: SourceFile, error: UnexpectedInput) -> Diagnostic:
    """Turn a Lark error into one diagnostic: classified by example, else a plain unexpected-token one."""
    start = error.pos_in_stream if error.pos_in_stream is not None else len(source.text)
    if isinstance(error, UnexpectedCharacters):
        return _character_diagnostic(source, error, start)
    token = getattr(error, "token", None)
    length = len(token.value) if isinstance(token, Token) and token.type != "$END" else 1
    span = source.span(start, min(start + length, len(source.text)))
    problem = error.match_examples(parser().parse, _examples(), use_accepts=True)
    if isinstance(problem, SyntaxProblem):
        return Diagnostic(code=problem.code, message=problem.message, span=span,
                          label=problem.label, help=problem.help)
    found = "the end of the file" if isinstance(error, UnexpectedEOF) or (
        isinstance(token, Token) and token.type == "$END") else f"`{token}`"
    expected = sorted(_describe(name) for name in getattr(error, "expected", set()) or set())
    return Diagnostic(
        code="Z100", message=f"unexpected {found}", span=span, label="not expected here",
        help=("expected " + ", ".join(expected[:8])) if expected else None,
    )


def _character_diagnostic(source: SourceFile, error: UnexpectedCharacters, start: int) -> Diagnostic:
    char = error.char
    span = source.span(start, start + 1)
    if char == '"':
        return Diagnostic(code="Z112", message="this string is never closed", span=span,
                          label="the string starts here",
                          help='end the string with `"` on the same line; write `\\"` for a quote inside it')
    if char in _FULL_WIDTH:
        return Diagnostic(code="Z113", message=f"full-width `{char}` in policy syntax", span=span,
                          label="full-width character",
                          help=f"use the ASCII `{_FULL_WIDTH[char]}` outside quoted text")
    return Diagnostic(code="Z100", message=f"unexpected character `{char}`", span=span,
                      label="not expected here",
                      help="names may use letters, digits and `_`; put other text inside quotes")


_TERMINAL_WORDS = {
    "NAME": "a name", "STRING": "a quoted string", "NUMBER": "a number", "DATE": "a date",
    "CLAUSE_ID": "a clause id like 2.2.7", "UNIT": "a unit", "COMPARE": "a comparison",
    "NOT_ENCODED": "`not encoded`", "$END": "the end of the file", "QUALIFIED_NAME": "a rule name",
}


def _describe(terminal: str) -> str:
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"`{pattern.value}`" if pattern.type == "str" else terminal.lower()

