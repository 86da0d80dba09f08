"""Phase 4, check: every static problem a policy officer can fix, as diagnostics with spans.

Checks run as an ordered table (``CHECKS``); each takes the resolved policy and yields diagnostics.
Nothing here evaluates a rule: these hold for every case file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

from zwcx_rules.catalogue import SUBJECT_TYPES, Catalogue, MeasureSpec
from zwcx_rules.diagnostics.errors import Diagnostic, Severity
from zwcx_rules.diagnostics.source import Span
from zwcx_rules.language import ast
from zwcx_rules.semantics.resolve import ResolvedPolicy, ResolvedRule
from zwcx_rules.semantics.scope import meaning, rule_bindings, visible_names
from zwcx_rules.semantics.types import ExprType, infer

Check = Callable[[ResolvedPolicy], Iterator[Diagnostic]]

MODIFYING_REPAIRS = frozenset({"mitigation", "exemption"})


def suggest(name: str, candidates: list[str]) -> str | None:
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _did_you_mean(name: str, candidates: list[str], catalogue: Catalogue, fallback: str) -> str:
    match = suggest(name, candidates)
    if match is None:
        return fallback
    display = catalogue.display(catalogue.code_of(match) or match)
    return f"did you mean `{match}`" + (f" ({display})" if display != match else "") + "?"


def selector_types(name: str, catalogue: Catalogue) -> frozenset[str] | None:
    """The subject types a selector covers: a type itself, or the type its body/person kind implies."""
    if name in SUBJECT_TYPES:
        return frozenset({name})
    code = catalogue.code_of(name) or name
    if catalogue.normalise("subject_type", name):
        return frozenset({catalogue.normalise("subject_type", name) or code})
    if catalogue.normalise("body_kind", name):
        return frozenset({"body"})
    if catalogue.normalise("person_kind", name):
        return frozenset({"person"})
    return None


def rule_types(rule: ast.Rule, catalogue: Catalogue) -> frozenset[str]:
    out: set[str] = set()
    for selector in rule.selectors:
        out |= selector_types(selector.name, catalogue) or frozenset()
    return frozenset(out)


# ---- names and types -----------------------------------------------------------------------

def check_selectors(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    catalogue = policy.catalogue
    candidates = [*SUBJECT_TYPES, *catalogue.names("body_kind"), *catalogue.names("person_kind")]
    for entry in policy.rules:
        for selector in entry.rule.selectors:
            if selector_types(selector.name, catalogue) is None:
                yield Diagnostic(
                    code="Z202", message=f"unknown subject `{selector.name}`", span=selector.span,
                    label="not a subject type, body kind or person kind",
                    help=_did_you_mean(selector.name, candidates, catalogue,
                                       "use body, person, project, enterprise, a body_kind or a person_kind"))


def check_measures(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    catalogue = policy.catalogue
    names = [*catalogue.measures, *(n for m in catalogue.measures.values() for n in m.zh)]
    for entry in policy.rules:
        rule = entry.rule
        types = rule_types(rule, catalogue)
        for item in rule.then:
            if len(item.measures) > 1 and rule.kind != "repair":
                yield Diagnostic(
                    code="Z308", message="only a repair may offer alternatives with `or`", span=item.span,
                    help="list each measure once, separated by commas")
            for ident in item.measures:
                spec = catalogue.measure(ident.name)
                if spec is None:
                    yield Diagnostic(
                        code="Z203", message=f"unknown measure `{ident.name}`", span=ident.span,
                        label="not in the catalogue",
                        help=_did_you_mean(ident.name, names, catalogue,
                                           "see the measure table in docs/language.md, or declare it with `measure`"))
                    continue
                yield from _measure_fits(rule, item, ident, spec, types, first=ident is item.measures[0])


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _measure_fits(rule: ast.Rule, item: ast.MeasureItem, ident: ast.Ident, spec: MeasureSpec,
                  types: frozenset[str], *, first: bool) -> Iterator[Diagnostic]:
    if spec.kind != rule.kind and rule.kind != "record":  # a record rule's `then` is Z316 already
        yield Diagnostic(
            code="Z301", message=f"`{ident.name}` is {_a(spec.kind)} measure, not {_a(rule.kind)} one",
            span=ident.span, label=f"{_a(rule.kind)} rule cannot produce this",
            help=f"move it into a `{spec.kind}` rule, or choose {_a(rule.kind)} measure")
    unfit = sorted(types - set(spec.for_))
    if unfit and types:
        written = ", ".join(f"`{s.name}`" for s in rule.selectors)
        yield Diagnostic(
            code="Z302", message=f"`{ident.name}` does not apply to {', '.join(unfit)} (the rule is for {written})",
            span=ident.span, label=f"applies to {', '.join(spec.for_)} only",
            help=f"narrow the rule's `for` to subjects of type {', '.join(spec.for_)}, or split the rule")
    if not first:
        return  # `to`, `of` and `due` belong to the item: report them once, not per alternative
    if item.due is not None and not spec.deadline:
        yield Diagnostic(code="Z306", message=f"`{ident.name}` carries no deadline", span=item.due.span,
                         help="only measures such as rectification_order take `due`")
    if (item.to is not None) != (spec.kind == "responsibility"):
        yield Diagnostic(
            code="Z304", span=item.span,
            message="a responsibility measure needs `to` and the persons it falls on"
            if item.to is None else "only a responsibility measure takes `to`",
            help="write e.g. `then principal_accountability to principal of subject on r.date`")
    if (item.of is not None) != (spec.code in MODIFYING_REPAIRS):
        yield Diagnostic(
            code="Z305", span=item.span,
            message=f"`{ident.name}` needs `of` and the punishments it softens"
            if item.of is None else "only mitigation and exemption take `of`",
            help="write e.g. `then may exemption or mitigation of punishments`")


def check_iteration(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    for entry in policy.rules:
        rule = entry.rule
        over = rule.iteration.over if rule.iteration else None
        if rule.kind == "record" and rule.then:
            yield Diagnostic(code="Z316", message="a record rule admits events; it takes no `then`",
                             span=rule.then[0].span,
                             help="put the measures in a punishment rule `on each record r`")
        elif rule.kind != "record" and not rule.then:
            yield Diagnostic(code="Z101", message="a rule needs `then` and at least one measure",
                             span=rule.name.span, label=f"this {rule.kind} rule produces nothing",
                             help="write the measures after the condition: `when … then written_explanation, …`")
        if rule.kind in ("record", "tolerance") and rule.when is not None and any(
                isinstance(n, ast.Name) and n.name == "records" for n in _walk(rule.when)):
            yield Diagnostic(code="Z312", message=f"`records` is not known yet in a {rule.kind} rule",
                             span=rule.when.span,
                             help="records are what record and tolerance rules decide; use `events` here")
        if rule.kind in ("record", "tolerance") and over != "event":
            yield Diagnostic(
                code="Z303", message=f"a {rule.kind} rule decides about each event",
                span=rule.iteration.span if rule.iteration else rule.name.span,
                help="write `on each event e` after the subjects")
        elif rule.kind not in ("record", "tolerance") and over == "event":
            assert rule.iteration is not None
            yield Diagnostic(
                code="Z303", message=f"a {rule.kind} rule acts on records, never on raw events",
                span=rule.iteration.span, help="write `on each record r`: events become records first")
        if rule.kind == "repair" and over != "record" and any(
                m.of is not None for m in rule.then):
            yield Diagnostic(code="Z303", message="a repair that softens punishments works record by record",
                             span=rule.name.span, help="write `on each record r` after the subjects")


def check_names(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    for definition, _layer in policy.definitions.values():
        bound = frozenset({"event", "record"})
        yield from _check_expr(definition.expr, bound, policy)
    for entry in policy.rules:
        rule = entry.rule
        bound = rule_bindings(rule.iteration.over if rule.iteration else None,
                              rule.iteration.var.name if rule.iteration else None)
        for expr in _rule_exprs(rule):
            yield from _check_expr(expr, bound, policy)
            yield from _check_definition_bindings(expr, bound, policy)
        for item in rule.then:
            if item.of is not None:
                yield from _check_of(item.of, policy)
    for precedence, _layer, _clause in policy.precedences:
        for ident in (precedence.winner, precedence.loser):
            if policy.catalogue.measure(ident.name) is None:
                yield Diagnostic(code="Z206", message=f"unknown measure `{ident.name}` in precedence",
                                 span=ident.span, help="name two measures of the catalogue")


def _rule_exprs(rule: ast.Rule) -> Iterator[ast.Node]:
    if rule.when is not None:
        yield rule.when
    for item in rule.then:
        for expr in (item.due, item.until, item.to):
            if expr is not None:
                yield expr


def _check_of(of: ast.Of, policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    rule_names = {e.rule.name.name for e in policy.rules} | {e.qualified for e in policy.rules}
    for ident in of.names:
        spec = policy.catalogue.measure(ident.name)
        if ident.name in rule_names or (spec is not None and spec.kind == "punishment"):
            continue
        yield Diagnostic(
            code="Z207", message=f"`{ident.name}` is neither a punishment measure nor a punishment rule",
            span=ident.span, help="name punishment measures or rules, or write `of punishments` for all")


def _check_expr(node: ast.Node, bound: frozenset[str], policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    if isinstance(node, ast.Name):
        if meaning(node.name, bound, policy) is None:
            hint = ""
            if node.name in ("r", "record", "e", "event"):
                hint = " (it is bound only by `on each record r` or `on each event e`)"
            yield Diagnostic(
                code="Z201", message=f"unknown name `{node.name}`{hint}", span=node.span,
                label="not a variable, parameter, definition or code",
                help=_did_you_mean(node.name, visible_names(bound, policy), policy.catalogue,
                                   "declare it with `parameter` or `define`, or bind it with `on each`"))
        return
    if isinstance(node, ast.Aggregate | ast.Total):
        yield from _check_expr(node.collection, bound, policy)
        inner = bound | {node.var.name}
        for inner_node in (node.where, node.value if isinstance(node, ast.Total) else None):
            if inner_node is not None:
                yield from _check_expr(inner_node, inner, policy)
        return
    for child in _children(node):
        yield from _check_expr(child, bound, policy)
    if isinstance(node, ast.Field_ | ast.Arith | ast.Compare | ast.In):
        problem = infer(node, _type_env(bound, policy)).problem
        if problem is not None and not any(_has_problem(c, bound, policy) for c in _children(node)):
            yield Diagnostic(code="Z307", message=problem[0], span=node.span, help=problem[1])


def _has_problem(node: ast.Node, bound: frozenset[str], policy: ResolvedPolicy) -> bool:
    return infer(node, _type_env(bound, policy)).problem is not None


def _type_env(bound: frozenset[str], policy: ResolvedPolicy) -> Callable[[str], ExprType]:
    def lookup(name: str) -> ExprType:
        found = meaning(name, bound, policy)
        if found is None:
            return ExprType("any")
        if found.kind == "parameter":
            value = policy.parameter(name, None)
            return infer(value.value, lambda _: ExprType("any")) if value else ExprType("any")
        if found.kind == "definition":
            return ExprType("any")
        if found.kind == "code":
            return ExprType("text")
        return {"subject": ExprType("object", "subject"), "as_of": ExprType("date"),
                "records": ExprType("list", "record"), "events": ExprType("list", "event")}.get(
            name, ExprType("object", "record" if name != "event" else "event"))
    return lookup


def _check_definition_bindings(expr: ast.Node, bound: frozenset[str],
                               policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    for node in _walk(expr):
        if isinstance(node, ast.Name) and node.name in policy.definitions and node.name not in bound:
            needs = _free_iteration_names(policy.definitions[node.name][0].expr) - bound
            if needs:
                yield Diagnostic(
                    code="Z311", message=f"`{node.name}` uses `{sorted(needs)[0]}`, which this rule does not bind",
                    span=node.span, help=f"add `on each {sorted(needs)[0]} …` to the rule, or use another definition")


def _free_iteration_names(expr: ast.Node) -> set[str]:
    return {n.name for n in _walk(expr) if isinstance(n, ast.Name) and n.name in ("event", "record")}


def _children(node: ast.Node) -> list[ast.Node]:
    out: list[ast.Node] = []
    for value in node.__dict__.values():
        if isinstance(value, ast.Node) and not isinstance(value, ast.Ident):
            out.append(value)
        elif isinstance(value, tuple):
            out += [v for v in value if isinstance(v, ast.Node) and not isinstance(v, ast.Ident)]
    return out


def _walk(node: ast.Node) -> Iterator[ast.Node]:
    yield node
    for child in _children(node):
        yield from _walk(child)


# ---- the text ------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"……|…|\.\.\.")


def quote_found(quote: str, document: str) -> bool:
    """True if the quote's fragments (split at ……) appear in the document in order, whitespace ignored."""
    return quote_ranges(quote, document) is not None


def quote_ranges(quote: str, document: str) -> list[tuple[int, int]] | None:
    """Where each fragment of a quote lies in the document with whitespace removed (see `unspaced`); None if absent."""
    text = unspaced(document)
    position = 0
    ranges = []
    for fragment in _ELLIPSIS.split(unspaced(quote)):
        if not fragment:
            continue
        found = text.find(fragment, position)
        if found < 0:
            return None
        position = found + len(fragment)
        ranges.append((found, position))
    return ranges


def unspaced(text: str) -> str:
    """The text as quotes are matched against it: every whitespace character removed."""
    return _SPACE.sub("", text)


def _longest_found_prefix(quote: str, document: str) -> int:
    text, needle = _SPACE.sub("", document), _SPACE.sub("", _ELLIPSIS.split(quote)[0])
    low, high = 0, len(needle)
    while low < high:
        mid = (low + high + 1) // 2
        if needle[:mid] in text:
            low = mid
        else:
            high = mid - 1
    return low


def check_text(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    for layer in policy.layers:
        header = layer.policy.header
        if layer.is_library:
            for clause in layer.policy.clauses:
                yield Diagnostic(code="Z520", message="a library has no clauses", span=clause.id.span,
                                 help="move the clause into the policy that encodes its document")
            continue
        if header.source is None:
            yield Diagnostic(code="Z402", message=f"policy `{layer.id}` names no source document",
                             span=header.id.span, help='add `source "sources/<file>.txt"` to the header')
        elif layer.document is None:
            yield Diagnostic(code="Z402", message=f"source document `{header.source}` not found",
                             span=header.source_span, label="no such file beside the policy",
                             help="copy the document into the project and give its path relative to this file")
        for clause in layer.policy.clauses:
            yield from _check_clause(clause, layer.document, bool(layer.policy.sets_after(clause)))


def _check_clause(clause: ast.Clause, document: str | None, sets: bool = False) -> Iterator[Diagnostic]:
    if not clause.quotes:
        yield Diagnostic(code="Z404", message=f"clause `{clause.id.name}` quotes nothing", span=clause.id.span,
                         help='add `quote "…"` with the verbatim text of the clause')
    if not (clause.rules or clause.not_encoded or clause.disables or clause.precedences or sets):
        yield Diagnostic(code="Z405", message=f"clause `{clause.id.name}` accounts for nothing",
                         span=clause.id.span,
                         help='add the rules it implies, or `not encoded "<reason>"` if it sets no rule')
    for rule in clause.rules:
        if rule.quote is None:
            yield Diagnostic(code="Z403", message=f"rule `{rule.name.name}` comes before any quote",
                             span=rule.name.span,
                             help="put the `quote` the rule encodes before it, so the trace can cite it")
    if document is None:
        return
    for quote in clause.quotes:
        if not quote_found(quote.text, document):
            matched = _longest_found_prefix(quote.text, document)
            yield Diagnostic(
                code="Z401", message="quote not found verbatim in the source document", span=quote.span,
                label="differs from the document",
                help="copy the text exactly (whitespace is ignored; mark a cut with ……)",
                notes=(f"the first {matched} characters match; it differs from "
                       f"`{_SPACE.sub('', quote.text)[matched:matched + 12]}…`",))


# ---- conflicts and use ---------------------------------------------------------------------

def check_contradictions(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    catalogue = policy.catalogue
    declared = {frozenset({catalogue.measure(p.winner.name).code, catalogue.measure(p.loser.name).code})  # type: ignore[union-attr]
                for p, _, _ in policy.precedences
                if catalogue.measure(p.winner.name) and catalogue.measure(p.loser.name)}
    producers: dict[str, list[tuple[ResolvedRule, ast.Ident]]] = {}
    for entry in policy.rules:
        for item in entry.rule.then:
            for ident in item.measures:
                spec = catalogue.measure(ident.name)
                if spec is not None:
                    producers.setdefault(spec.code, []).append((entry, ident))
    reported: set[frozenset[str]] = set()
    for code, spec in sorted(catalogue.measures.items()):
        for other in spec.contradicts:
            pair = frozenset({code, other})
            if pair in declared or pair in reported:
                continue
            for first, first_ident in producers.get(code, []):
                clash = [(e, i) for e, i in producers.get(other, [])
                         if rule_types(e.rule, catalogue) & rule_types(first.rule, catalogue)]
                if clash:
                    _second, second_ident = clash[0]
                    reported.add(pair)
                    yield Diagnostic(
                        code="Z309", message=f"`{code}` and `{other}` can both hold for one subject",
                        span=second_ident.span, label=f"contradicts `{first_ident.name}` of rule `{first.rule.name.name}`",
                        help=f"declare which wins in the clause that settles it, e.g. `precedence {other} over {code}`",
                        notes=(f"`{first_ident.name}` is produced at {first_ident.span}",))
                    break


def check_unused(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    used: set[str] = set()
    exprs: list[ast.Node] = [d.expr for d, _ in policy.definitions.values()]
    for entry in policy.rules:
        exprs += list(_rule_exprs(entry.rule))
    for expr in exprs:
        used |= {n.name for n in _walk(expr) if isinstance(n, ast.Name)}
    leaf = policy.id  # a parent's names may go unused once a layer disables or overrides its rules
    if policy.leaf.is_library:
        return  # a library's names are for the policies that use it
    for name, values in policy.parameters.items():
        if name not in used and values[0].layer == leaf:
            yield Diagnostic(code="Z701", severity=Severity.WARNING, message=f"parameter `{name}` is never used",
                             span=values[0].declaration.name.span, help="use it in a rule, or remove it")
    for name, (definition, layer) in policy.definitions.items():
        if name not in used and layer == leaf:
            yield Diagnostic(code="Z702", severity=Severity.WARNING, message=f"definition `{name}` is never used",
                             span=definition.name.span, help="use it in a rule, or remove it")
    for name, values in policy.parameters.items():
        if policy.catalogue.code_of(name) is not None:
            yield Diagnostic(code="Z215", message=f"parameter `{name}` has the name of a catalogue code",
                             span=values[0].declaration.name.span, help="give the parameter a name of its own")
    for name, (definition, _layer) in policy.definitions.items():
        if policy.catalogue.code_of(name) is not None:
            yield Diagnostic(code="Z215", message=f"definition `{name}` has the name of a catalogue code",
                             span=definition.name.span, help="give the definition a name of its own")


def check_durations(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    """A duration is a whole number of days, months or years (`0.5 years` has no calendar meaning)."""
    nodes: list[ast.Node] = [v.value for values in policy.parameters.values() for v in values]
    nodes += [d.expr for d, _ in policy.definitions.values()]
    for entry in policy.rules:
        nodes += list(_rule_exprs(entry.rule))
    for root in nodes:
        for node in _walk(root):
            if isinstance(node, ast.Quantity) and node.unit != "yuan" and node.value != int(node.value):
                yield Diagnostic(code="Z317", message=f"`{node.value} {node.unit}` is not a whole number of {node.unit}",
                                 span=node.span, help="write a whole number, in a smaller unit if needed: `6 months`")


def check_header(policy: ResolvedPolicy) -> Iterator[Diagnostic]:
    for layer in policy.layers:
        level = layer.policy.header.level
        if level is not None and policy.catalogue.normalise("level", level.name) is None:
            yield Diagnostic(code="Z204", message=f"unknown level `{level.name}`", span=level.span,
                             help="one of: " + ", ".join(policy.catalogue.vocabularies["level"]))


CHECKS: tuple[tuple[str, Check], ...] = (
    ("header", check_header),
    ("selectors", check_selectors),
    ("measures", check_measures),
    ("iteration", check_iteration),
    ("names", check_names),
    ("durations", check_durations),
    ("text", check_text),
    ("contradictions", check_contradictions),
    ("unused", check_unused),
)


def check(policy: ResolvedPolicy) -> list[Diagnostic]:
    """Every diagnostic of a resolved policy, resolve problems included, sorted by place."""
    found = list(policy.diagnostics)
    for _name, run in CHECKS:
        found += list(run(policy))
    unique = {(d.code, d.span.start if d.span else 0, d.span.file if d.span else "", d.message): d for d in found}
    return sorted(unique.values(), key=Diagnostic.sort_key)


__all__ = ["CHECKS", "Span", "check", "quote_found", "quote_ranges", "rule_types", "selector_types", "unspaced"]
