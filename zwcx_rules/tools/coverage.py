"""Proof of coverage: which rules, branches, clauses and source sentences a policy's tests exercise.

Built only on the coverage events evaluation emits (``evaluate(..., probe=set())``, see SubjectEvaluator):
``("rule", name, held)`` per binding a rule was considered for, ``("or", owner, "line:col", index)`` for
the alternative of an `or` that held and ``("else", owner, "line:col", index)`` for the target option that
found persons. A rule is covered when some test makes it fire and some test makes it not fire; a branch
when some test takes it; a clause when all its rules and their branches are. Each sentence of the source
document takes the state of the quotes it overlaps, quote by quote: the rules written after a quote
encode it, and so do a `disable`, a `precedence` or a `set` (written directly after the clause) that a
layer encodes a sentence with; a `not encoded` written after it leaves it unencoded.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from zwcx_rules.api import Policy
from zwcx_rules.language import ast
from zwcx_rules.semantics.check import quote_ranges
from zwcx_rules.semantics.resolve import Layer, ResolvedPolicy, ResolvedRule
from zwcx_rules.semantics.scope import meaning
from zwcx_rules.tools.coverage_hints import Nouns, Words, rule_nouns, singular
from zwcx_rules.tools.testing import CaseResult, read_test_file, run_case, test_files_of

SentenceStatus = Literal["tested", "encoded", "not_encoded", "unaccounted"]
Event = tuple[Any, ...]
_BREAKS = "。！？；\n\r"


@dataclass
class Branch:
    """One alternative of an `or`, or one option of a target `A else B`, and the cases that took it."""

    kind: Literal["or", "else"]
    owner: str
    site: str
    index: int
    text: str
    hint: str
    used_by: list[str] = field(default_factory=list)
    taken_by: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.kind, self.owner, self.site, self.index)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "owner": self.owner, "site": self.site, "index": self.index, "text": self.text,
                "used_by": self.used_by, "taken_by": self.taken_by, "covered": bool(self.taken_by),
                "hint": None if self.taken_by else self.hint}


@dataclass
class RuleCoverage:
    """One rule of the policy's own layer: the cases it fired in and did not, and its branches."""

    name: str
    kind: str
    clause: str
    fire_hint: str
    rest_hint: str | None
    """What would keep it from firing; None when nothing can (no condition, no iteration)."""
    branches: list[Branch]
    fired_by: list[str] = field(default_factory=list)
    rested_by: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.fired_by) and (bool(self.rested_by) or self.rest_hint is None)

    @property
    def complete(self) -> bool:
        return self.covered and all(b.taken_by for b in self.branches)

    def hints(self) -> list[str]:
        """What is missing for this rule alone (its branches are reported once, with the policy)."""
        missing = [] if self.fired_by else [self.fire_hint]
        return missing + ([self.rest_hint] if self.rest_hint and not self.rested_by else [])

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.name, "kind": self.kind, "clause": self.clause, "fired_by": self.fired_by,
                "not_fired_by": self.rested_by, "can_not_fire": self.rest_hint is not None, "covered": self.covered,
                "branches": [b.key[1:] for b in self.branches], "hints": self.hints()}


@dataclass
class ClauseCoverage:
    id: str
    cite: str
    rules: list[RuleCoverage]
    reasons: list[str]
    quotes: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    """The `disable`, `precedence` and `set` statements that encode its text without a rule, as written."""

    @property
    def status(self) -> Literal["covered", "uncovered", "encoded", "not_encoded"]:
        """With rules, whether tests cover them all; without, `encoded` by statements or `not_encoded`."""
        if not self.rules:
            return "encoded" if self.statements else "not_encoded"
        return "covered" if all(r.complete for r in self.rules) else "uncovered"

    def to_json(self) -> dict[str, Any]:
        return {"clause": self.id, "cite": self.cite, "status": self.status,
                "rules": [r.name for r in self.rules], "statements": self.statements, "not_encoded": self.reasons}


@dataclass
class Sentence:
    number: int
    start: int
    end: int
    text: str
    status: SentenceStatus = "unaccounted"
    clauses: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "status": self.status, "clauses": self.clauses,
                "reasons": self.reasons}


@dataclass
class PolicyCoverage:
    """Everything measured for one policy: test results, rules, branches, clauses, sentences."""

    id: str
    title: str
    results: list[CaseResult]
    rules: list[RuleCoverage]
    branches: list[Branch]
    clauses: list[ClauseCoverage]
    sentences: list[Sentence]
    document: str | None = None

    def summary(self) -> dict[str, Any]:
        """Counts and percentages, as the table and the JSON show them."""
        encoded = [c for c in self.clauses if c.rules]
        counts = {s: sum(1 for x in self.sentences if x.status == s) for s in ("tested", "encoded", "not_encoded",
                                                                                  "unaccounted")}
        return {
            "cases": len(self.results), "failed": sum(1 for r in self.results if not r.passed),
            "rules": _ratio(sum(r.covered for r in self.rules), len(self.rules)),
            "branches": _ratio(sum(bool(b.taken_by) for b in self.branches), len(self.branches)),
            "clauses": _ratio(sum(c.status == "covered" for c in encoded), len(encoded)),
            "clauses_not_encoded": sum(1 for c in self.clauses if c.status == "not_encoded"),
            "sentences": {"total": len(self.sentences), **counts},
        }

    def uncovered(self) -> list[str]:
        """A hint for each rule that never fired or never stayed silent, and each branch never taken."""
        return [h for r in self.rules for h in r.hints()] + [b.hint for b in self.branches if not b.taken_by]

    def below(self, percent: float) -> bool:
        summary = self.summary()
        return summary["rules"]["percent"] < percent or summary["clauses"]["percent"] < percent

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.id, "title": self.title, "summary": self.summary(), "uncovered": self.uncovered(),
                "rules": [r.to_json() for r in self.rules], "branches": [b.to_json() for b in self.branches],
                "clauses": [c.to_json() for c in self.clauses],
                "unaccounted": [s.to_json() for s in self.sentences if s.status == "unaccounted"],
                "sentences": [s.to_json() for s in self.sentences],
                "tests": [{"file": r.case.file.name, "name": r.case.name, "passed": r.passed, "failures": r.failures}
                          for r in self.results]}


def _ratio(covered: int, total: int) -> dict[str, Any]:
    return {"covered": covered, "total": total, "percent": round(100.0 * covered / total, 1) if total else 100.0}


# ---- measuring -------------------------------------------------------------------------------


def case_label(result: CaseResult) -> str:
    return f"{result.case.file.name} :: {result.case.name}"


def run_with_probes(policy: Policy) -> list[tuple[CaseResult, set[Event]]]:
    """Run every test case of a policy, each with its own probe."""
    runs = []
    for path in test_files_of(policy):
        for case in read_test_file(path):
            probe: set[Event] = set()
            runs.append((run_case(case, policy, probe), probe))
    return runs


def measure(policy: Policy) -> PolicyCoverage:
    """Run a policy's tests and measure what they cover."""
    return coverage_of(policy, run_with_probes(policy))


def coverage_of(policy: Policy, runs: list[tuple[CaseResult, set[Event]]]) -> PolicyCoverage:
    """The coverage that the probes of some test runs prove."""
    resolved, words = policy.resolved, Words(policy.resolved)
    branches: dict[tuple[str, str, str, int], Branch] = {}
    rules: dict[str, RuleCoverage] = {}
    clauses = []
    layer = next(layer for layer in resolved.layers if layer.id == policy.id)
    for layer_id, clause in resolved.clauses:
        if layer_id != policy.id:
            continue
        entries = [e for e in resolved.rules if e.layer == layer_id and e.clause is clause]
        own = [_rule(entry, clause.id.name, words, branches) for entry in entries]
        rules.update((r.name, r) for r in own)
        statements = [*clause.disables, *clause.precedences, *layer.policy.sets_after(clause)]
        clauses.append(ClauseCoverage(clause.id.name, clause.cite, own, [n.reason for n in clause.not_encoded],
                                      [q.text for q in clause.quotes], [_as_written(layer, s) for s in statements]))
    for result, probe in runs:
        _record(case_label(result), probe, rules, branches)
    for branch in branches.values():
        if branch.owner.startswith("define "):
            branch.hint += f" (the definition is used by {', '.join(branch.used_by)})"
    sentences = classify(layer, {c.id: c for c in clauses})
    return PolicyCoverage(policy.id, policy.title, [r for r, _ in runs], list(rules.values()),
                          list(branches.values()), clauses, sentences, layer.document)


def _as_written(layer: Layer, node: ast.Node) -> str:
    """A statement as its file writes it, on one line."""
    return " ".join(layer.source.text[node.span.start:node.span.end].split())


def _record(label: str, probe: set[Event], rules: dict[str, RuleCoverage],
            branches: dict[tuple[str, str, str, int], Branch]) -> None:
    for event in probe:
        if event[0] == "rule" and event[1] in rules:
            rule = rules[event[1]]
            seen = rule.fired_by if event[2] else rule.rested_by
            if label not in seen:
                seen.append(label)
        elif event[0] in ("or", "else") and (branch := branches.get(event)) is not None:  # type: ignore[arg-type]
            if label not in branch.taken_by:
                branch.taken_by.append(label)


def _rule(entry: ResolvedRule, clause: str, words: Words,
          branches: dict[tuple[str, str, str, int], Branch]) -> RuleCoverage:
    rule = entry.rule
    can_rest = rule.when is not None or (rule.iteration is not None and rule.iteration.over == "record")
    own: list[Branch] = []
    owner = f"rule {rule.name.name} ({clause})"
    nodes: list[ast.Node] = [n for n in (rule.when,) if n is not None]
    for item in rule.then:
        nodes += [n for n in (item.due, item.until, item.to) if n is not None]
    for node in nodes:
        own += _branches(node, entry.qualified, owner, rule_nouns(rule), words, branches)
    for name in _definitions_used(nodes, frozenset(rule_nouns(rule)), words.policy):
        definition = words.policy.definitions[name][0]
        own += _branches(definition.expr, f"define {name}", f"definition {name}", {"record": "record", "event": "event"}, words,
                         branches)
    for branch in own:
        branch.used_by.append(entry.qualified)
    return RuleCoverage(entry.qualified, rule.kind, clause, words.fire_hint(entry, clause),
                        words.rest_hint(entry, clause) if can_rest else None, own)


def _branches(node: ast.Node, owner: str, described: str, nouns: Nouns, words: Words,
              known: dict[tuple[str, str, str, int], Branch]) -> list[Branch]:
    """The branches under a node, made once per site (a definition's are shared by the rules using it)."""
    found = []
    for child, bound in _walk(node, nouns):
        site = f"{child.span.line}:{child.span.column}"
        if isinstance(child, ast.BoolOp) and child.op == "or":
            for index, operand in enumerate(child.operands):
                key = ("or", owner, site, index)
                found.append(known.setdefault(key, Branch("or", owner, site, index, words.text(operand),
                                                          words.or_hint(child, index, described, bound))))
        elif isinstance(child, ast.TargetElse):
            for index, option in enumerate(child.options):
                key = ("else", owner, site, index)
                found.append(known.setdefault(key, Branch("else", owner, site, index, words.text(option),
                                                          words.else_hint(child, index, described, bound))))
    return found


def _walk(node: ast.Node, nouns: Nouns) -> list[tuple[ast.Node, Nouns]]:
    """Every node under (and with) a node, each with the variables bound where it stands."""
    out = [(node, nouns)]
    inner = {**nouns, node.var.name: singular(node.collection)} if isinstance(node, ast.Aggregate | ast.Total) else nouns
    for name, value in node.__dict__.items():
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, ast.Node) and not isinstance(child, ast.Ident):
                out += _walk(child, nouns if name == "collection" else inner)
    return out


def _definitions_used(nodes: list[ast.Node], bound: frozenset[str], policy: ResolvedPolicy) -> list[str]:
    """The definitions some nodes name, and those they name in turn, each once."""
    found: list[str] = []
    pending = [(n, bound) for n in nodes]
    while pending:
        node, names = pending.pop()
        for child, nouns in _walk(node, dict.fromkeys(names, "")):
            if isinstance(child, ast.Name) and child.name not in found:
                sense = meaning(child.name, frozenset(nouns), policy)
                if sense is not None and sense.kind == "definition":
                    found.append(child.name)
                    pending.append((policy.definitions[child.name][0].expr, frozenset({"event", "record"})))
    return found


# ---- the source document -------------------------------------------------------------------


def split_sentences(document: str) -> list[Sentence]:
    """Sentences end at 。！？； and at line breaks; blank ones are dropped; numbered from 1."""
    sentences: list[Sentence] = []
    start = 0
    for match in re.finditer(f"[{re.escape(_BREAKS)}]|$", document):
        end = match.end() if match.group() not in ("\n", "\r") else match.start()
        text = document[start:end]
        if text.strip():
            lead = len(text) - len(text.lstrip())
            trimmed = text.strip()
            sentences.append(Sentence(len(sentences) + 1, start + lead, start + lead + len(trimmed), trimmed))
        start = match.end()
    return sentences


Statement = ast.Disable | ast.Precedence | ast.Parameter
"""What encodes text without a rule: a `disable`, a `precedence`, or a `set` written directly after the clause."""


@dataclass(frozen=True)
class QuoteGroup:
    """A run of quotes with the rules, statements and `not encoded` reasons written after it."""

    quotes: list[ast.Quote]
    rules: list[ast.Rule]
    reasons: list[str]
    statements: list[Statement]


def quote_groups(clause: ast.Clause, sets: tuple[ast.Parameter, ...] = ()) -> list[QuoteGroup]:
    """Each run of quotes with what is written after it, before the next quote; ``sets`` follow the clause."""
    groups: list[QuoteGroup] = []
    pending: list[ast.Quote] = []
    parts: list[ast.Node] = sorted([*clause.quotes, *clause.rules, *clause.not_encoded, *clause.disables,
                                    *clause.precedences, *sets], key=lambda n: n.span.start)
    for part in parts:
        if isinstance(part, ast.Quote):
            pending.append(part)
            continue
        if pending or not groups:
            groups.append(QuoteGroup(pending, [], [], []))
            pending = []
        if isinstance(part, ast.Rule):
            groups[-1].rules.append(part)
        elif isinstance(part, ast.NotEncoded):
            groups[-1].reasons.append(part.reason)
        elif isinstance(part, ast.Disable | ast.Precedence | ast.Parameter):
            groups[-1].statements.append(part)
    if pending:  # quotes with nothing after them belong to the clause as a whole
        groups.append(QuoteGroup(pending, list(clause.rules), [n.reason for n in clause.not_encoded],
                                 [*clause.disables, *clause.precedences, *sets]))
    return groups


def classify(layer: Layer, clauses: dict[str, ClauseCoverage]) -> list[Sentence]:
    """The sentences of a layer's source document, each with the state of the quotes it overlaps."""
    if layer.document is None:
        return []
    sentences = split_sentences(layer.document)
    positions = [m.start() for m in re.finditer(r"\S", layer.document)]
    spans = [(bisect.bisect_left(positions, s.start), bisect.bisect_left(positions, s.end)) for s in sentences]
    found: list[list[tuple[str, SentenceStatus, list[str]]]] = [[] for _ in sentences]
    for clause in layer.policy.clauses:
        coverage = clauses[clause.id.name]
        for group in quote_groups(clause, layer.policy.sets_after(clause)):
            state = _group_state(coverage, group)
            reasons = group.reasons
            for quote in group.quotes:
                for low, high in quote_ranges(quote.text, layer.document) or []:
                    for index, (start, end) in enumerate(spans):
                        if low < end and start < high:
                            found[index].append((clause.id.name, state, reasons if state == "not_encoded" else []))
    for sentence, marks in zip(sentences, found, strict=True):
        _settle(sentence, marks)
    return sentences


def _group_state(coverage: ClauseCoverage, group: QuoteGroup) -> SentenceStatus:
    """Tested when the rules after the quotes are; encoded by untested rules or by statements alone."""
    if not group.rules:
        if group.statements:
            return "encoded"
        return "not_encoded" if group.reasons else "unaccounted"
    names = {r.name.name for r in group.rules}
    complete = all(r.complete for r in coverage.rules if r.name.split("/", 1)[-1] in names)
    return "tested" if complete else "encoded"


def _settle(sentence: Sentence, marks: list[tuple[str, SentenceStatus, list[str]]]) -> None:
    """One state for a sentence: untested encoding wins over tested, which wins over not encoded."""
    for status in ("encoded", "tested", "not_encoded"):
        if any(state == status for _, state, _ in marks):
            sentence.status = status  # type: ignore[assignment]
            break
    sentence.clauses = list(dict.fromkeys(c for c, state, _ in marks if state != "unaccounted"))
    sentence.reasons = list(dict.fromkeys(r for _, _, reasons in marks for r in reasons))


# ---- the terminal report -------------------------------------------------------------------


def summary_table(reports: list[PolicyCoverage]) -> Table:
    """One row per policy: rules, branches, clauses and sentences."""
    table = Table(title="zwcx coverage", caption="rules: fired and not fired; clauses: all rules and branches covered "
                  "(n/e: only `not encoded`); the last four columns count source sentences")
    for column in ("policy", "cases", "rules", "branches", "clauses", "n/e", "tested", "encoded", "not encoded",
                   "unaccounted"):
        table.add_column(column, justify="left" if column == "policy" else "right", no_wrap=True)
    for report in reports:
        s = report.summary()
        table.add_row(report.id, str(s["cases"]), _cell(s["rules"]), _cell(s["branches"]), _cell(s["clauses"]),
                      str(s["clauses_not_encoded"]),
                      *(f"{s['sentences'][k]}/{s['sentences']['total']}" for k in ("tested", "encoded", "not_encoded",
                                                                                   "unaccounted")))
    return table


def _cell(ratio: dict[str, Any]) -> str:
    return f"{ratio['covered']}/{ratio['total']} {ratio['percent']:.0f}%"


def uncovered_report(report: PolicyCoverage) -> Group:
    """The uncovered items of one policy with their hints, and its unaccounted sentences."""
    lines: list[Text] = [Text(f"{report.id}: uncovered", style="bold")]
    lines += [Text(f"  - {hint}") for hint in report.uncovered()] or [Text("  every rule and branch is covered")]
    unaccounted = [s for s in report.sentences if s.status == "unaccounted"]
    lines.append(Text(f"{report.id}: unaccounted sentences ({len(unaccounted)})", style="bold"))
    lines += [Text(f"  {s.number}. {s.text}") for s in unaccounted] or [Text("  none")]
    return Group(*lines)
