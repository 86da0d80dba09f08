"""Justifications for a policy officer: why an outcome holds, and why a measure does not.

`explain` walks an outcome of the decisions: its clause quoted, the facts that made its rule fire,
every exception considered (tolerance, repair, precedence) and why it did or did not apply, and each
hop of a responsibility chain. `why_not` re-tests, with the compiled conjuncts, every rule that could
produce a measure and says which condition failed. Both return a tree; `render_tree` prints it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from zwcx_rules.api import Policy, evaluate
from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.engine.decisions import Decisions, Outcome
from zwcx_rules.engine.plan import Plan
from zwcx_rules.engine.reasons import Determined, Softening, render_reason
from zwcx_rules.engine.trace import RecordingTracer, RuleEvaluated
from zwcx_rules.facts import Facts, mask_if_id_number
from zwcx_rules.semantics import ir
from zwcx_rules.tools.layers import LayerChanges, layer_changes

Lang = Literal["zh", "en"]

WORDS: dict[str, dict[Lang, str]] = {
    "subject": {"zh": "主体", "en": "subject"},
    "measure": {"zh": "措施", "en": "measure"},
    "clause": {"zh": "条款", "en": "clause"},
    "rule": {"zh": "规则", "en": "rule"},
    "facts": {"zh": "事实与条件", "en": "facts and conditions"},
    "exceptions": {"zh": "考虑过的例外", "en": "exceptions considered"},
    "chain": {"zh": "责任链", "en": "responsibility chain"},
    "applied_exception": {"zh": "适用", "en": "applied"},
    "not_applied": {"zh": "未适用", "en": "did not apply"},
    "not_for": {"zh": "规则不适用于该主体：只适用于", "en": "the rule is not for this subject: it is for"},
    "no_records": {"zh": "该主体没有政务失信记录，规则按记录逐条适用",
                   "en": "the subject has no records; the rule acts record by record"},
    "held": {"zh": "成立", "en": "holds"},
    "is_for": {"zh": "属于", "en": "is covered by"},
    "not_on_measure": {"zh": "该修复不作用于", "en": "it does not act on"},
    "failed": {"zh": "不成立", "en": "fails"},
    "why_not": {"zh": "为什么没有", "en": "why not"},
    "no_rule": {"zh": "本政策没有能产生该措施的规则", "en": "no rule of this policy produces this measure"},
    "has_outcome": {"zh": "该措施已产生，状态为", "en": "the measure was produced, with status"},
    "record_of": {"zh": "记录", "en": "record"},
    "status": {"zh": "状态", "en": "status"},
    "no_outcome": {"zh": "该主体没有这一措施", "en": "the subject has no such outcome"},
    "settled_by": {"zh": "由以下决定", "en": "settled by"},
    "disabled_rule": {"zh": "已停用的规则", "en": "disabled rule"},
    "disabled_by": {"zh": "停用于", "en": "disabled by"},
    "overridden_rule": {"zh": "已被替换的规则", "en": "overridden rule"},
    "replaced_by": {"zh": "替换为", "en": "replaced by"},
    "replacement_silent": {"zh": "替换后的规则不产生该措施", "en": "which does not produce this measure"},
    "parameter": {"zh": "参数", "en": "parameter"},
    "set_again": {"zh": "由下层重新设定", "en": "set again by a layer"},
    "read_by": {"zh": "读取它的规则", "en": "read by"},
    "since": {"zh": "自", "en": "since"},
    "applies": {"zh": "决定日适用", "en": "applies on the decision date"},
}


@dataclass
class Node:
    """One line of a justification tree and the lines under it."""

    text: str
    children: list[Node] = field(default_factory=list)

    def add(self, text: str) -> Node:
        child = Node(text)
        self.children.append(child)
        return child


def render_tree(root: Node) -> str:
    lines = [root.text]

    def walk(node: Node, prefix: str) -> None:
        for index, child in enumerate(node.children):
            last = index == len(node.children) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{child.text}")
            walk(child, prefix + ("   " if last else "│  "))
    walk(root, "")
    return "\n".join(lines)


def _w(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def explain(policy: Policy, facts: Facts, subject: str, measure: str | None = None,
            as_of: dt.date | None = None, lang: Lang = "zh") -> list[Node]:
    """One justification tree per outcome of a subject (or per outcome of one measure)."""
    tracer = RecordingTracer()
    decisions = evaluate(policy, facts, as_of, tracer=tracer)
    decision = _decision(decisions, subject, facts)
    code = _measure_code(policy, measure) if measure else None
    outcomes = [o for o in decision.outcomes if code is None or o.measure == code]
    if not outcomes:
        return [Node(f"{_w('subject', lang)} {subject}: {_w('no_outcome', lang)} {measure or ''}".rstrip())]
    plan = _plan(policy, decisions.as_of)
    heard = _Heard(tracer)
    return [_outcome_tree(outcome, decision.subject, plan, facts, heard, lang) for outcome in outcomes]


class _Heard:
    """What the tracer heard, by rule and subject: each binding's truth value and conditions."""

    def __init__(self, tracer: RecordingTracer) -> None:
        self.by_rule: dict[tuple[str, str], list[RuleEvaluated]] = {}
        for event in tracer.rules():
            self.by_rule.setdefault((event.rule.qualified, event.subject), []).append(event)

    def of(self, rule: ir.Rule, subject: str, bindings: list[str] | None = None) -> list[RuleEvaluated]:
        found = self.by_rule.get((rule.qualified, subject), [])
        return [e for e in found if bindings is None or e.binding in bindings or e.binding is None]


def _outcome_tree(outcome: Outcome, subject: str, plan: Plan, facts: Facts, heard: _Heard, lang: Lang) -> Node:
    catalogue = plan.catalogue
    who = f" → {outcome.subject or '—'}" if outcome.kind == "responsibility" else ""
    root = Node(f"{_w('measure', lang)} {outcome.measure} {catalogue.display(outcome.measure)} "
                f"[{outcome.kind}] {_w('status', lang)} {outcome.status}{who}")
    root.add(f"{_w('clause', lang)} {outcome.clause.policy} {outcome.clause.id} {outcome.clause.cite}："
             f"「{outcome.clause.text}」")
    root.add(f"{_w('rule', lang)} {outcome.rule}" + (f" (+ {', '.join(outcome.also)})" if outcome.also else ""))
    reasons = root.add(_w("facts", lang))
    owner_id = outcome.path[0] if outcome.path else subject
    owner = facts.subject_by_id.get(owner_id)
    rule = plan.program.rule(outcome.rule)
    shown = mask_if_id_number(owner_id)
    if owner is not None and rule is not None:
        reasons.add(f"{_w('subject', lang)} {shown} ({owner.type}) {_w('is_for', lang)} `for {rule.selector.text}`")
        _conditions(reasons, heard.of(rule, shown, outcome.events), facts, lang, held_only=True)
    reasons.children += [Node(render_reason(r, lang)) for r in outcome.reasons if isinstance(r, Determined | Softening)]
    exceptions = root.add(_w("exceptions", lang))
    for modification in outcome.modified_by:
        node = exceptions.add(f"{_w('applied_exception', lang)}: {modification.measure} "
                              f"{catalogue.display(modification.measure)} — {modification.rule} "
                              f"({modification.clause.id} {modification.clause.cite})")
        for reason in modification.reasons:
            node.add(render_reason(reason, lang))
    applied = {m.rule for m in outcome.modified_by}
    if owner is not None and outcome.kind == "punishment":
        for tolerance in plan.rules["tolerance"]:
            _considered(exceptions, tolerance, owner, heard.of(tolerance, shown, outcome.events), facts, lang)
        for repair in plan.rules["repair"]:
            if repair.qualified in applied:
                continue
            _considered(exceptions, repair, owner, heard.of(repair, shown, outcome.events), facts, lang,
                        acts_on=_acts_on(repair, outcome), measure=outcome.measure)
    if not exceptions.children:
        exceptions.add("—")
    if outcome.path:
        chain = root.add(_w("chain", lang))
        for hop in outcome.path:
            chain.add(hop)
    return root


def _acts_on(rule: ir.Rule, outcome: Outcome) -> bool:
    return any(item.of_all or outcome.measure in item.of_names or outcome.rule.split("/", 1)[-1] in item.of_names
               or outcome.rule in item.of_names for item in rule.items)


def _considered(parent: Node, rule: ir.Rule, subject: Any, heard: list[RuleEvaluated], facts: Facts,
                lang: Lang, *, acts_on: bool = True, measure: str = "") -> None:
    """An exception that did not apply, and why: not for the subject, not on the measure, or a failed condition."""
    node = parent.add(f"{_w('not_applied', lang)}: {rule.qualified} ({rule.clause.id} {rule.clause.cite})")
    if not rule.selector.matches(subject):
        node.add(f"{_w('not_for', lang)} `{rule.selector.text}`")
    elif not acts_on:
        node.add(f"{_w('not_on_measure', lang)} {measure}")
    else:
        _conditions(node, heard, facts, lang)


def _conditions(node: Node, heard: list[RuleEvaluated], facts: Facts, lang: Lang, held_only: bool = False) -> None:
    """Each binding the rule was evaluated for, and its conditions as evaluated, with the values they read."""
    for event in heard:
        if held_only and not event.held:
            continue
        parent = node
        if event.binding is not None:
            parent = node.add(f"{_w('record_of', lang)} {event.binding} ({event.binding_kind}, {event.binding_date})")
        for condition in event.conditions:
            shown = "; ".join(f"{read.text} = {read.shown}" for read in condition.reads if read.text != condition.text)
            parent.add(f"{'✓' if condition.holds else '✗'} `{condition.text}` "
                       f"{_w('held' if condition.holds else 'failed', lang)}" + (f": {shown}" if shown else ""))


def why_not(policy: Policy, facts: Facts, subject: str, measure: str, as_of: dt.date | None = None,
            lang: Lang = "zh") -> Node:
    """Why a subject has no (active) outcome of a measure: each rule that could give it, and what failed;
    first, the rules giving it that a layer disabled or overrode and the parameters a layer set again."""
    tracer = RecordingTracer()
    decisions = evaluate(policy, facts, as_of, tracer=tracer)
    decision = _decision(decisions, subject, facts)
    code = _measure_code(policy, measure)
    plan = _plan(policy, decisions.as_of)
    root = Node(f"{_w('why_not', lang)} {code} {plan.catalogue.display(code)} — {_w('subject', lang)} {subject}")
    for outcome in decision.outcomes:
        if outcome.measure == code:
            node = root.add(f"{_w('has_outcome', lang)} {outcome.status} ({outcome.rule})")
            for modification in outcome.modified_by:
                node.add(f"{_w('settled_by', lang)} {modification.measure} — {modification.rule}")
    changes = layer_changes(policy, code, decisions.as_of)
    _layer_nodes(root, changes, lang)
    rules = [r for r in plan.program.all_rules() if any(code in item.measures for item in r.items)]
    if not rules:
        if not changes.removed_rules:
            root.add(_w("no_rule", lang))
        return root
    target = facts.subject_by_id[subject]
    heard = _Heard(tracer)
    shown = mask_if_id_number(subject)
    for rule in rules:
        node = root.add(f"{_w('rule', lang)} {rule.qualified} ({rule.clause.id} {rule.clause.cite})")
        evaluated = heard.of(rule, shown)
        if not rule.selector.matches(target):
            node.add(f"{_w('not_for', lang)} `{rule.selector.text}`")
        elif rule.over == "record" and all(e.binding is None for e in evaluated):
            node.add(_w("no_records", lang))
        else:
            _conditions(node, [e for e in evaluated if e.binding is not None or rule.over is None], facts, lang)
    return root


def _layer_nodes(root: Node, changes: LayerChanges, lang: Lang) -> None:
    """What the layers did to the rules producing the measure: disabled, overridden, parameters set again."""
    for disabled in changes.disabled:
        rule = disabled.rule
        node = root.add(f"{_w('disabled_rule', lang)} {rule.name} ({rule.layer} {rule.clause} {rule.cite})")
        node.add(f"{_w('disabled_by', lang)} {disabled.layer} {disabled.clause} {disabled.cite} "
                 f"({disabled.span})：「{disabled.reason}」")
    for overridden in changes.overridden:
        rule, by = overridden.rule, overridden.by
        node = root.add(f"{_w('overridden_rule', lang)} {rule.name} ({rule.layer} {rule.clause} {rule.cite})")
        node.add(f"{_w('replaced_by', lang)} {by.name} ({by.layer} {by.clause} {by.cite})"
                 + ("" if overridden.produces else f", {_w('replacement_silent', lang)}"))
    for parameter in changes.parameters:
        node = root.add(f"{_w('parameter', lang)} {parameter.name} {_w('set_again', lang)} "
                        f"({_w('read_by', lang)} {', '.join(parameter.read_by)})")
        for value in parameter.values:
            node.add(f"{value.layer}: {value.value}" + (f" {_w('since', lang)} {value.since}" if value.since else "")
                     + (f" ({_w('applies', lang)})" if value.applies else ""))


def _decision(decisions: Decisions, subject: str, facts: Facts) -> Any:
    try:
        return decisions.for_subject(subject)
    except KeyError:
        raise ZwcxError(Diagnostic(code="Z610", message=f"subject `{subject}` is not in the case file",
                                   file=facts.file, help="use an id from the case file's `subjects`")) from None


def _measure_code(policy: Policy, name: str) -> str:
    spec = policy.resolved.catalogue.measure(name)
    if spec is None:
        raise ZwcxError(Diagnostic(code="Z203", message=f"unknown measure `{name}`",
                                   help="use a measure of the catalogue (docs/language.md) or its Chinese name"))
    return spec.code


def _plan(policy: Policy, day: dt.date) -> Plan:
    plan = policy.plan_on(day)
    if plan is None:
        raise ZwcxError(Diagnostic(code="Z611", message=f"policy `{policy.id}` is not in force on {day}",
                                   help="choose an --as-of date within the policy's `effective` period"))
    return plan
