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

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.diagnostics.source import SourceFile
from zwcx_rules.language.keywords import TERMINAL_WORDS
from zwcx_rules.resources import grammar_path


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

# How these examples are matched (lark 1.3): an error matches an example when the parser is in the
# same state *and* its stack has the same depth; an exact match of the unexpected token wins over an
# earlier same-state match. Hence:
# - Examples are repeated in each context that changes the depth: the clause first in the file or
#   after other items, `override`, one subject or several, `on each` or not; for a stray rule, each
#   kind of header field or item before it.
# - When an example's state and depth equal the error's but the tokens the parser would accept there
#   differ (after `a == b` versus after `a and b`, say), lark fails with a TypeError while logging.
#   Examples ending in a name inside an expression, where that happens most, therefore end in `@`:
#   an unexpected *character* is matched on state and depth alone, never on accepted tokens.
# - An operand missing just before `then` cannot be told from a missing `then`: `when a == then b`
#   reads `then` as the operand, exactly like `when a == c b`. Such errors get Z101.
_HEADS = (_HEAD, 'policy p "t"\nparameter x = 1\nclause 1 "一"\nquote "q"\n')
_SUBJECTS = tuple(head + override + "punishment r for " + subjects for head in _HEADS
                  for override in ("", "override ") for subjects in ("body ", "body, person "))
_RULES = tuple(rule + each for rule in _SUBJECTS for each in ("", "on each record r "))
_CONDITIONS = ("a", "a == b", "a == 1", 'a == "x"', "a > 2020-01-01", "a > b - 1 years",
               "a == true", "a in {b}", "a in b", "(a)", "count(x in y) == 0", "not a", "a and b",
               "a == b and c == d", "a == b and c.d == e", "a and b and c", "a and b and c and d", "a or b",
               "a == b or c == d", "(a otherwise b) >= c")
_FIELDS = ('source "s"', 'issuer "i"', 'region "r"', "level province", 'implements "a", "b"', "extends b",
           "effective 2020-01-01", "effective 2020-01-01 until 2021-01-01", 'repeals "x"')
_ITEMS = ("parameter x = 1", "parameter x = 90 days", "parameter x = general", 'parameter x = "s"',
          "parameter x = 2020-01-01", 'parameter x = 1 "doc"', "parameter x = 1 since 2020-01-01",
          "set x = 1", "define d = a", "define d = a == b", 'define d = a "doc"', "define d = {a, b}",
          'code event_kind k "k"', 'measure m punishment "m" for body')
_BEFORE_RULE = (
    'policy p "t"\n',
    *(f'policy p "t"\n{field}\n' for field in _FIELDS),
    *(f'policy p "t"\nissuer "i"\n{field}\n' for field in _FIELDS),
    *(f'policy p "t"\n{item}\n' for item in _ITEMS),
    *(f'policy p "t"\nparameter y = 1\n{item}\n' for item in _ITEMS),
)


def _in_rules(*bodies: str, rules: tuple[str, ...] = _RULES) -> tuple[str, ...]:
    return tuple(rule + body for body in bodies for rule in rules)


PROBLEMS: tuple[SyntaxProblem, ...] = (
    SyntaxProblem(
        "Z101", "a rule needs `then` and at least one measure", "expected `then` here",
        "write the measures after the condition: `when … then written_explanation, …`",
        (
            *_in_rules("written_explanation", rules=_SUBJECTS),
            *_in_rules("on each record r written_explanation", "on each event e written_explanation",
                       rules=_SUBJECTS),
            *_in_rules(*(f"when {condition} @" for condition in _CONDITIONS)),
        ),
    ),
    SyntaxProblem(
        "Z102", "a rule needs `for` and the subjects it applies to", "expected `for` here",
        "name the subjects after the rule's name: `punishment 名称 for department, civil_servant`",
        tuple(
            head + override + body for head in _HEADS for override in ("", "override ")
            for body in ("punishment r then a", "punishment r when a then b", "punishment r on each record x then a",
                         "punishment r body then a")
        ),
    ),
    SyntaxProblem(
        "Z103", "`=` sets a parameter; a condition compares with `==`", "use `==` here",
        "write `==` to compare, e.g. `when event.kind == administrative_penalty`",
        # After a field (`when r.kind = …`), where `=` is by far the likeliest mistake; after a plain name,
        # `when x == a b` missing its `then` is likelier, so `when a = 1` is left to Z101.
        _in_rules("when a.b @", "when x and a.b @", "when x == y and a.b @", "when x and y and a.b @",
                  "when x or a.b @"),
    ),
    SyntaxProblem(
        "Z104", "`then` needs at least one measure after it", "expected a measure here",
        "list the measures from the catalogue, separated by commas: `then written_explanation, public_criticism`",
        _in_rules("then", 'then\nclause 2 "二"', "then a,", 'then a,\nclause 2 "二"', "then ,"),
    ),
    # Before Z105: `parameter x =` followed by another line shares its state with a stray rule after
    # `parameter x = general`; the rule keywords of Z105 match exactly, anything else is Z110.
    SyntaxProblem(
        "Z110", "a parameter needs a value", "expected a value here",
        "write `parameter 整改期限 = 90 days`: a number with an optional unit (days, months, years, yuan), a code or a date",
        tuple(
            head + body for head in ('policy p "t"\n', 'policy p "t"\nparameter y = 1\n', _HEAD)
            for body in ('parameter x =\nclause 1 "一"', 'parameter x\nclause 1 "一"',
                         "parameter x =", "parameter x =\nparameter y = 1", 'set x =\nclause 1 "一"')
        ),
    ),
    SyntaxProblem(
        "Z105", "a rule must be inside a clause", "this rule has no clause",
        'write the clause it encodes first: `clause 2.2.7 "二（二）7"` and its `quote "…"`',
        (
            *(head + rule for head in _BEFORE_RULE for rule in ("punishment r for body then a", 'quote "x"')),
            # After `parameter x = general` every keyword that starts a rule is listed, in both spellings:
            # each must match exactly (type and text) to win over Z110's `parameter x =` followed by the next line.
            *(head + f"parameter x = general\n{kind} r for body then a"
              for head in ('policy p "t"\n', 'policy p "t"\nparameter y = 1\n')
              for kind in ("record", "incentive", "repair", "tolerance", "responsibility", "override punishment",
                           "记录", "激励", "惩戒", "修复", "容错", "责任", "覆盖 惩戒")),
        ),
    ),
    SyntaxProblem(
        "Z106", "a clause needs its id and its cite as printed in the document",
        "expected the clause's cite here",
        'write `clause 2.2.7 "二（二）7"`: the dotted id, then the cite in quotes',
        tuple(
            head + body for head in ('policy p "t"\n', _HEAD)
            for body in ('clause 2 quote "x"', "clause 2\npunishment r for body then a", 'clause 2\nnot encoded "x"',
                         "clause 2\nrecord r for body", 'clause 2 二（二）7\nquote "x"', 'clause "二" quote "x"',
                         "clause quote")
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
        # A keyword ends at a word boundary, so `records` is a name where only `event` or `record` may stand;
        # any other word there is in the same parser state as these examples.
        _in_rules("on each records r then a", "on each records x then a", "on each events e then a",
                  "on each r then a", "on each rec r then a", "on record r then a", rules=_SUBJECTS),
    ),
    SyntaxProblem(
        "Z109", "the expression is incomplete", "expected a value here",
        "finish the expression: a name, a number, a date, a string or `{…}` must follow the operator",
        _in_rules("when a ==", "when a and", "when a or", "when not", "when a in", "when a +", "when",
                  "when a in {b, } then c", "when a in {b, c, } then d", "when (a == ) then b",
                  "when a == ) then b", "then a due b +", "then a due"),
    ),
    SyntaxProblem(
        "Z111", "unbalanced parentheses or braces", "expected `)` or `}`",
        "close every `(` with `)` and every `{` with `}`",
        _in_rules("when (a == 1 then b", "when a in {b, c then d", "when count(x in y where z then a"),
    ),
)

_FULL_WIDTH = {
    "，": ",", "、": ",", "＝": "=", "（": "(", "）": ")", "“": '"', "”": '"', "‘": '"', "’": '"',
    "｛": "{", "｝": "}", "．": ".", "＋": "+", "－": "-", "＞": ">", "＜": "<", "！": "!", "\u3000": " ",
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
    try:
        problem = error.match_examples(parser().parse, _examples(), use_accepts=True)
    except TypeError:  # lark can fail while comparing some parser states; fall back to the plain message
        problem = None
    if isinstance(problem, SyntaxProblem):
        return Diagnostic(code=problem.code, message=problem.message, span=span,
                          label=problem.label, help=problem.help)
    found = "the end of the file" if isinstance(error, UnexpectedEOF) or (
        isinstance(token, Token) and token.type == "$END") else f"`{token}`"
    expected = sorted({_describe(name) for name in getattr(error, "expected", set()) or set()})
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
    if terminal in TERMINAL_WORDS:  # a keyword, named by its English spelling
        return f"`{TERMINAL_WORDS[terminal]}`"
    try:
        pattern = parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"`{pattern.value}`" if pattern.type == "str" else terminal.lower()

