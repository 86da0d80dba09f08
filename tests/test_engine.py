"""Evaluation semantics on a small policy: tolerance, discretion, determinations, time, precedence,
repair and responsibility, each asserted through the decisions a user reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zwcx_rules import Decision, Outcome, ZwcxError, evaluate, load_policy
from zwcx_rules.facts import uscc_check_char

MINI = Path(__file__).parent / "fixtures" / "mini.zwcx"
DEPT = "11320900MB0000001" + uscc_check_char("11320900MB0000001")


@pytest.fixture(scope="module")
def mini() -> Any:
    return load_policy(MINI)


def case(events: list[dict[str, Any]], *, as_of: str = "2024-06-30", person: dict[str, Any] | None = None,
         dept: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "subjects": [
            {"id": DEPT, "type": "body", "body_kind": "department", "name": "某局",
             "principals": [{"person": "p-old", "from": "2018-01-01", "to": "2022-12-31"},
                            {"person": "p-new", "from": "2023-01-01"}], **(dept or {})},
            {"id": "p-1", "type": "person", "person_kind": "civil_servant", "name": "张某", **(person or {})},
            {"id": "p-old", "type": "person", "person_kind": "civil_servant"},
        ],
        "events": events,
    }


def penalty(subject: str = DEPT, **extra: Any) -> dict[str, Any]:
    return {"id": "e-1", "subject": subject, "kind": "administrative_penalty", "date": "2022-05-10", **extra}


def outcome(decision: Decision, measure: str) -> Outcome:
    found = [o for o in decision.outcomes if o.measure == measure]
    assert len(found) == 1, f"{measure}: {[o.measure for o in decision.outcomes]}"
    return found[0]


def test_record_and_department_punishments_cite_their_clause(mini: Any) -> None:
    decision = evaluate(mini, case([penalty()])).for_subject(DEPT)
    assert [(r.event, r.status, r.clause.id if r.clause else None) for r in decision.records] == [
        ("e-1", "recorded", "1")]
    rectification = outcome(decision, "rectification_order")
    assert rectification.status == "applied"
    assert str(rectification.deadline) == "2022-06-09"  # 30 日 after the failure
    assert rectification.clause.id == "2" and rectification.clause.policy == "mini"
    assert rectification.clause.text.startswith("对具体失信情况书面说明原因")
    assert rectification.rule == "mini/部门惩戒"
    assert any("is a record" in line for line in rectification.because)


def test_principal_at_the_date_of_the_failure_not_today(mini: Any) -> None:
    decisions = evaluate(mini, case([penalty()]))
    accountability = outcome(decisions.for_subject(DEPT), "principal_accountability")
    assert accountability.subject == "p-old"
    assert accountability.path == [DEPT, "principal 2018-01-01..2022-12-31", "p-old"]
    assert accountability in decisions.for_subject("p-old").outcomes


def test_nobody_in_post_is_unresolved_not_dropped(mini: Any) -> None:
    decision = evaluate(mini, case([penalty(date="2017-03-01")], dept={"principals": []})).for_subject(DEPT)
    accountability = outcome(decision, "principal_accountability")
    assert accountability.status == "unresolved" and accountability.subject is None


def test_tolerance_excludes_the_event_and_every_punishment(mini: Any) -> None:
    event = penalty(tolerance={"approved": True, "decided_on": "2022-06-01", "by": "市纪委"})
    decision = evaluate(mini, case([event])).for_subject(DEPT)
    assert decision.records[0].status == "excluded"
    assert decision.records[0].clause is not None and decision.records[0].clause.id == "1"
    assert decision.records[0].rule == "mini/容错"
    assert {o.measure for o in decision.outcomes} == {"record_exclusion"}
    assert outcome(decision, "record_exclusion").discretionary


def test_declined_tolerance_leaves_the_record(mini: Any) -> None:
    event = penalty(tolerance={"approved": True},
                    determinations=[{"measure": "record_exclusion", "decision": "decline", "decided_on": "2022-07-01"}])
    decision = evaluate(mini, case([event])).for_subject(DEPT)
    assert decision.records[0].status == "recorded"
    assert outcome(decision, "honor_disqualification").status == "applied"


def test_permitted_punishment_is_discretionary_until_determined(mini: Any) -> None:
    event = penalty(subject="p-1", kind="disciplinary_sanction")
    undecided = evaluate(mini, case([event], as_of="2023-06-30")).for_subject("p-1")
    assert outcome(undecided, "merit_restriction").status == "discretionary"
    for decision, status in (("apply", "applied"), ("decline", "declined")):
        decided = dict(event, determinations=[{"measure": "merit_restriction", "decision": decision,
                                               "decided_on": "2022-06-01", "by": "某局"}])
        result = outcome(evaluate(mini, case([decided], as_of="2023-06-30")).for_subject("p-1"), "merit_restriction")
        assert result.status == status
        assert any("determination recorded by 某局 on 2022-06-01" in line for line in result.because)


def test_time_limited_restriction_expires(mini: Any) -> None:
    event = penalty(subject="p-1", kind="disciplinary_sanction",
                    determinations=[{"measure": "merit_restriction", "decision": "apply"}])
    active = outcome(evaluate(mini, case([event], as_of="2023-06-30")).for_subject("p-1"), "merit_restriction")
    ended = outcome(evaluate(mini, case([event], as_of="2024-06-30")).for_subject("p-1"), "merit_restriction")
    assert str(active.until) == "2024-05-10" and active.status == "applied"
    assert ended.status == "expired"


def test_precedence_overrides_the_incentive_and_keeps_it_in_the_trace(mini: Any) -> None:
    honored = {"honors": [{"name": "优秀公务员", "date": "2021-01-01"}]}
    event = penalty(subject="p-1", kind="disciplinary_sanction",
                    determinations=[{"measure": "merit_restriction", "decision": "apply"}])
    alone = evaluate(mini, case([], person=honored)).for_subject("p-1")
    assert outcome(alone, "merit_priority").status == "applied"
    both = evaluate(mini, case([event], as_of="2023-01-01", person=honored)).for_subject("p-1")
    priority = outcome(both, "merit_priority")
    assert priority.status == "overridden"
    assert priority.modified_by[0].measure == "merit_restriction"
    assert priority.modified_by[0].clause.id == "2"


def test_repair_softens_undecided_to_mitigated_and_a_determination_exempts(mini: Any) -> None:
    remedy = {"remedies": [{"kind": "recovered_loss", "date": "2022-06-01"}]}
    decision = evaluate(mini, case([penalty(**remedy)])).for_subject(DEPT)
    explanation = outcome(decision, "written_explanation")
    assert explanation.status == "mitigated"
    assert explanation.clause.id == "2"  # the punishment keeps its own clause
    assert [(m.measure, m.clause.id, m.rule, m.discretionary) for m in explanation.modified_by] == [
        ("mitigation", "3", "mini/关爱", True)]
    exempt = penalty(**remedy, determinations=[{"measure": "written_explanation", "decision": "exempt"}])
    decided = evaluate(mini, case([exempt])).for_subject(DEPT)
    assert outcome(decided, "written_explanation").status == "exempted"
    assert outcome(decided, "honor_disqualification").status == "mitigated"
    assert outcome(decided, "principal_accountability").status == "applied"  # repair softens punishments only


def test_remedy_before_the_failure_does_not_count(mini: Any) -> None:
    early = penalty(remedies=[{"kind": "recovered_loss", "date": "2022-01-01"}])
    assert outcome(evaluate(mini, case([early])).for_subject(DEPT), "written_explanation").status == "applied"


def test_events_after_as_of_do_not_exist(mini: Any) -> None:
    decision = evaluate(mini, case([penalty(date="2025-01-01")])).for_subject(DEPT)
    assert decision.records == [] and decision.outcomes == []


def test_not_in_force_applies_nothing(mini: Any) -> None:
    decisions = evaluate(mini, case([penalty(date="2019-01-01")], as_of="2019-06-30"))
    assert not decisions.policy.in_force
    assert all(d.outcomes == [] and d.records == [] for d in decisions.decisions)


def test_every_subject_gets_a_decision_in_input_order(mini: Any) -> None:
    decisions = evaluate(mini, case([]))
    assert [d.subject for d in decisions.decisions] == [DEPT, "p-1", "p-old"]


def test_as_of_argument_overrides_the_case_file(mini: Any) -> None:
    assert str(evaluate(mini, case([]), as_of="2021-01-01").as_of) == "2021-01-01"


def test_a_case_file_with_an_error_decides_nothing(mini: Any) -> None:
    bad = case([penalty(subject="nobody"), penalty(date="2022-13-01")])
    with pytest.raises(ZwcxError) as raised:
        evaluate(mini, bad)
    paths = {d.json_path for d in raised.value.diagnostics}
    assert {"$.events[0].subject", "$.events[1].date"} <= paths


def test_summary_trace_keeps_clauses_and_drops_explanations(mini: Any) -> None:
    full = evaluate(mini, case([penalty()]))
    summary = evaluate(mini, case([penalty()]), trace="summary")
    strip = [[(o.measure, o.status, o.clause, o.rule) for o in d.outcomes] for d in full.decisions]
    assert strip == [[(o.measure, o.status, o.clause, o.rule) for o in d.outcomes] for d in summary.decisions]
    assert all(o.because == [] for d in summary.decisions for o in d.outcomes)


def test_chinese_aliases_work_wherever_a_code_does(tmp_path: Path, mini: Any) -> None:
    aliases = {"merit_restriction over merit_priority": "限制评优评先 over 评优评先优先",
               "for department, civil_servant": "for 政府部门, 公务员", "merit_priority": "评优评先优先",
               "may merit_restriction": "may 限制评优评先",
               "written_explanation": "书面说明原因", "{recovered_loss, eliminated_impact, prevented_harm}": "纠错补救集",
               "for department\n": "for 部门\n"}
    text = MINI.read_text("utf-8")
    for code, alias in aliases.items():
        assert code in text
        text = text.replace(code, alias)
    remedies = "define 纠错补救集 = {主动挽回损失, 消除不良影响, 有效阻止危害结果发生}\n"
    text = text.replace("parameter 整改期限", remedies + "parameter 整改期限")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "mini.txt").write_text((MINI.parent / "sources" / "mini.txt").read_text("utf-8"), "utf-8")
    (tmp_path / "mini.zwcx").write_text(text, "utf-8")
    honored = {"honors": [{"name": "优秀公务员", "date": "2021-01-01"}]}
    events = [penalty(remedies=[{"kind": "主动挽回损失", "date": "2022-06-01"}]),
              dict(penalty(subject="p-1", kind="纪律处分"), id="e-2")]
    english = evaluate(mini, case(events, person=honored, as_of="2023-01-01"))
    chinese = evaluate(load_policy(tmp_path / "mini.zwcx"), case(events, person=honored, as_of="2023-01-01"))
    def strip(decisions: Any) -> list[Any]:
        return [[(o.measure, o.status, o.clause.id, o.rule, [m.measure for m in o.modified_by]) for o in d.outcomes]
                for d in decisions.decisions]
    assert strip(english) == strip(chinese)
    assert ("written_explanation", "mitigated", "2", "mini/部门惩戒", ["mitigation"]) in strip(chinese)[0]


def test_plain_text_orders_and_codes_order_by_rank(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "doc.txt").write_text("一、对诚信事迹突出的公务员予以守信激励。", "utf-8")
    policy = tmp_path / "p.zwcx"
    policy.write_text('policy p "p"\n  source "sources/doc.txt"\nclause 1 "一"\n  quote "对诚信事迹突出的公务员予以守信激励。"\n'
                      '  incentive 近期评价 for civil_servant\n'
                      '    when any(x in subject.ratings where x.period > "2022") and not (一般 > 较大)\n'
                      '    then merit_priority\n', "utf-8")
    person = {"id": "p-1", "type": "person", "person_kind": "civil_servant"}
    recent = evaluate(load_policy(policy), {"as_of": "2024-01-01", "events": [],
                                            "subjects": [{**person, "ratings": [{"period": "2023"}]}]})
    old = evaluate(load_policy(policy), {"as_of": "2024-01-01", "events": [],
                                         "subjects": [{**person, "ratings": [{"period": "2021"}]}]})
    assert [o.measure for o in recent.decisions[0].outcomes] == ["merit_priority"]
    assert old.decisions[0].outcomes == []


def test_a_required_softening_wins_over_a_permitted_one_and_any_determination(tmp_path: Path) -> None:
    text = (MINI.read_text("utf-8")
            + '\nclause 4 "（七）"\n  quote "可从轻或免于惩戒。"\n'
            + "  repair 应免 for department, civil_servant\n    on each record r\n"
            + "    when r.objection.outcome == upheld\n    then exemption of punishments\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "mini.txt").write_text((MINI.parent / "sources" / "mini.txt").read_text("utf-8"), "utf-8")
    (tmp_path / "mini.zwcx").write_text(text, "utf-8")
    policy = load_policy(tmp_path / "mini.zwcx")
    event = penalty(remedies=[{"kind": "recovered_loss", "date": "2022-06-01"}],
                    objection={"filed_on": "2022-06-10", "outcome": "upheld", "decided_on": "2022-07-01"},
                    determinations=[{"measure": "written_explanation", "decision": "mitigate"}])
    explanation = outcome(evaluate(policy, case([event])).for_subject(DEPT), "written_explanation")
    assert explanation.status == "exempted"
    [modification] = explanation.modified_by
    assert (modification.rule, modification.discretionary) == ("mini/应免", False)
    assert any("which the clauses do not permit here" in line for line in modification.because)


def test_trusted_decisions_equal_validated_ones() -> None:
    from zwcx_rules import Decisions

    for policy in ("jiangxi", "yancheng", "sichuan"):
        root = Path(__file__).resolve().parents[1] / "examples"
        for cases in ("cases.json", "compare.json"):
            decisions = evaluate(load_policy(policy), root / cases)
            validated = Decisions.model_validate(decisions.model_dump())
            assert validated == decisions
            assert validated.model_dump_json() == decisions.model_dump_json()


def test_the_catalogue_has_no_name_for_two_codes() -> None:
    from zwcx_rules.catalogue import default_catalogue

    assert default_catalogue().ambiguous_aliases() == {}


def test_a_parameter_with_no_value_yet_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    old = "parameter 限制期限 = 2 years\n"
    assert old in MINI.read_text("utf-8")
    text = MINI.read_text("utf-8").replace(old, "parameter 限制期限 = 2 years since 2025-01-01\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "mini.txt").write_text((MINI.parent / "sources" / "mini.txt").read_text("utf-8"), "utf-8")
    (tmp_path / "mini.zwcx").write_text(text, "utf-8")
    with pytest.raises(ZwcxError) as raised:
        evaluate(load_policy(tmp_path / "mini.zwcx"), case([penalty()]))
    assert [d.code for d in raised.value.diagnostics] == ["Z612"]


def test_free_form_fields_of_the_wrong_kind_give_null_not_a_crash(tmp_path: Path, mini: Any) -> None:
    decisions = evaluate(mini, case([penalty()], dept={"joined": "last year"}))
    assert decisions.for_subject(DEPT).outcomes
