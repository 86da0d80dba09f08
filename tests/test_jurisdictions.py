"""The five jurisdictions differ exactly where their documents do (shared/seeds README).

Each test runs the same case file (examples/compare.json, the one `zwcx demo` shows) under two or
more policies and asserts each side's outcome and the clause that makes it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from zwcx_rules import Decisions, evaluate, load_policy

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "compare.json"
_IDS = {s["name"]: s["id"] for s in json.loads(CASES.read_text("utf-8"))["subjects"]}


@cache
def decide(policy: str) -> Decisions:
    return evaluate(load_policy(policy), CASES)


def record(policy: str, subject: str, event: str) -> tuple[str, str | None]:
    found = next(r for r in decide(policy).for_subject(_IDS.get(subject, subject)).records if r.event == event)
    return found.status, found.clause.id if found.clause else None


def outcome(policy: str, subject: str, measure: str, person: str | None = None) -> tuple[str, str] | None:
    """(status, clause id) of a subject's outcome, or None when the policy gives none."""
    for o in decide(policy).for_subject(_IDS.get(subject, subject)).outcomes:
        if o.measure == measure and (person is None or o.subject == person):
            return o.status, o.clause.id
    return None


def test_a_tolerated_failure_is_excluded_in_yancheng_but_recorded_in_jiangxi() -> None:
    assert record("yancheng", "某市生态环境局", "t-1") == ("excluded", "2.3")
    assert outcome("yancheng", "某市生态环境局", "written_explanation") is None
    assert record("jiangxi", "某市生态环境局", "t-1") == ("recorded", "2.2.6")
    assert outcome("jiangxi", "某市生态环境局", "written_explanation") == ("applied", "2.2.7")


def test_remedial_action_softens_a_departments_punishment_in_yancheng_not_in_jiangxi() -> None:
    assert outcome("yancheng", "某市住房和城乡建设局", "written_explanation") == ("mitigated", "2.5")
    softened = next(o for o in decide("yancheng").for_subject(_IDS["某市住房和城乡建设局"]).outcomes
                    if o.measure == "written_explanation")
    assert [(m.measure, m.clause.id) for m in softened.modified_by] == [("mitigation", "2.7")]
    for policy in ("jiangxi", "rizhao", "sichuan", "licheng"):  # their repair clauses speak of 公务员 only
        status, _clause = outcome(policy, "某市住房和城乡建设局", "written_explanation") or ("none", "")
        assert status == "applied", policy


def test_a_civil_servants_remedy_softens_under_each_repair_clause() -> None:
    # Jiangxi 可减免或从轻 (二（二）8); Rizhao, Sichuan, Licheng 可从轻或免于: undecided, all mitigate
    expected = {"jiangxi": "2.2.8", "rizhao": "2.1.4", "sichuan": "2.2.9", "licheng": "2.3.2"}
    for policy, repair_clause in expected.items():
        softened = next(o for o in decide(policy).for_subject("p-201").outcomes if o.measure == "merit_restriction")
        assert softened.status == "mitigated", policy
        assert softened.modified_by[0].clause.id == repair_clause, policy
        assert softened.modified_by[0].discretionary


def test_a_seriously_dishonest_local_government_loses_funding_only_in_sichuan() -> None:
    assert outcome("sichuan", "某县人民政府", "funding_restriction") == ("applied", "2.1.1")
    assert outcome("sichuan", "某县人民政府", "leader_accountability", "p-103") == ("applied", "2.1.1")
    for policy in ("jiangxi", "rizhao", "yancheng", "licheng"):
        assert outcome(policy, "某县人民政府", "funding_restriction") is None, policy
        assert outcome(policy, "某县人民政府", "leader_accountability") is None, policy


def test_a_wrongful_punishment_is_undone_only_in_sichuan() -> None:
    assert outcome("sichuan", "p-202", "merit_restriction") == ("exempted", "2.2.8")
    assert outcome("sichuan", "p-202", "reputation_restoration") == ("applied", "2.2.9")
    assert outcome("jiangxi", "p-202", "merit_restriction") == ("applied", "2.2.7")
    assert outcome("jiangxi", "p-202", "reputation_restoration") is None


def test_malicious_wage_arrears_are_a_record_only_in_sichuan() -> None:
    assert record("sichuan", "某县交通运输局", "a-1") == ("recorded", "2.3.14")
    assert record("jiangxi", "某县交通运输局", "a-1") == ("not_applicable", None)


def test_an_overdue_dishonest_debtor_gets_unit_and_individual_records_in_licheng() -> None:
    assert record("licheng", "某街道办事处", "d-1") == ("recorded", "2.2.4")
    assert outcome("licheng", "某街道办事处", "individual_record", "p-105") == ("applied", "2.2.4")
    assert outcome("licheng", "p-105", "individual_record") == ("applied", "2.2.4")
    assert record("jiangxi", "某街道办事处", "d-1") == ("not_applicable", None)
    assert outcome("jiangxi", "某街道办事处", "individual_record") is None


def test_institution_staff_are_public_servants_only_in_licheng() -> None:
    assert record("licheng", "p-203", "i-1") == ("recorded", "2.2.2")
    assert outcome("licheng", "p-203", "merit_restriction") == ("applied", "2.2.5.2")
    for policy in ("jiangxi", "rizhao", "yancheng", "sichuan"):
        assert record(policy, "p-203", "i-1") == ("not_applicable", None), policy


def test_a_broken_public_credit_commitment_is_recorded_only_in_rizhao() -> None:
    assert record("rizhao", "p-204", "b-1") == ("recorded", "2.1.2")
    assert outcome("rizhao", "p-204", "archive_entry") == ("applied", "2.1.2")
    assert record("jiangxi", "p-204", "b-1") == ("not_applicable", None)


def test_special_governance_of_listed_bodies_in_rizhao_not_jiangxi() -> None:
    assert outcome("rizhao", "某街道办事处", "special_governance") == ("applied", "2.2.10")
    assert outcome("jiangxi", "某街道办事处", "special_governance") is None


def test_statistics_fraud_is_recorded_only_in_yancheng() -> None:
    assert record("yancheng", "某区统计局", "f-1") == ("recorded", "3.6")
    assert outcome("yancheng", "某区统计局", "responsible_person_accountability", "p-106") == ("applied", "3.6")
    assert record("jiangxi", "某区统计局", "f-1") == ("not_applicable", None)


def test_high_credit_suppliers_and_bidders_get_bond_relief_only_in_yancheng() -> None:
    assert outcome("yancheng", "某科技有限公司", "bond_reduction") == ("applied", "3.1")
    assert outcome("yancheng", "某科技有限公司", "bid_bond_substitution") == ("discretionary", "3.3")
    assert outcome("jiangxi", "某科技有限公司", "bond_reduction") is None


def test_a_default_after_a_change_of_leadership_is_the_principal_then_in_office() -> None:
    # 不得以政府换届、相关责任人更替等理由毁约: the 2022 default falls on p-107, not today's p-108
    for policy in ("jiangxi", "yancheng", "sichuan", "licheng"):
        assert outcome(policy, "某市商务局", "principal_accountability", "p-107") is not None, policy
        assert outcome(policy, "某市商务局", "principal_accountability", "p-108") is None, policy
    assert outcome("jiangxi", "p-107", "principal_accountability") == ("applied", "2.2.7")
