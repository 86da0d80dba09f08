"""Loading case files: validation diagnostics, code normalisation, extra fields, and graph queries."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwcx_rules.diagnostics.errors import Diagnostic, ZwcxError
from zwcx_rules.facts import CaseFile, Facts, Hop, load_cases, uscc_check_char


def uscc(prefix17: str) -> str:
    """A valid 统一社会信用代码 from its first 17 characters."""
    return prefix17 + uscc_check_char(prefix17)


BODY = uscc("11360100MB1234567")
PARENT = uscc("11360000MB0000001")
ENTERPRISE = uscc("91350100M000100Y4")
ID_NUMBER = "11010519491231002X"

BASE: dict[str, Any] = {
    "as_of": "2024-06-30",
    "subjects": [
        {"id": BODY, "type": "body", "name": "某市某局", "body_kind": "department", "level": "city",
         "region": "江西省某市", "parent": PARENT,
         "principals": [{"person": "p-001", "from": "2019-01-01", "to": "2022-12-31"},
                        {"person": "p-002", "from": "2023-01-01"}]},
        {"id": "p-001", "type": "person", "name": "张某", "person_kind": "civil_servant",
         "id_number": ID_NUMBER,
         "positions": [{"body": BODY, "role": "principal", "from": "2019-01-01", "to": "2022-12-31"}]},
        {"id": "proj-1", "type": "project", "name": "某PPP项目", "government_side": BODY,
         "stages": [{"stage": "identification", "responsible": "p-010", "from": "2018-01-01", "to": "2019-12-31"},
                    {"stage": "execution", "responsible": "p-011", "from": "2020-01-01", "to": "2021-06-30"},
                    {"stage": "execution", "responsible": "p-012", "from": "2021-07-01"}]},
        {"id": ENTERPRISE, "type": "enterprise", "name": "某公司"},
    ],
    "events": [
        {"id": "e-1", "subject": BODY, "kind": "administrative_penalty", "date": "2022-05-10",
         "domain": "procurement", "loss_yuan": 1500000, "impact": "serious", "persons": ["p-001", "p-003"],
         "remedies": [{"kind": "recovered_loss", "date": "2022-06-01"}], "tolerance": None,
         "rectification": {"ordered_on": "2022-06-15", "deadline": "2022-09-15"}, "objection": None},
        {"id": "e-2", "subject": "proj-1", "kind": "contract_default", "date": "2021-03-01", "stage": "execution"},
        {"id": "e-3", "subject": BODY, "kind": "audit_finding", "date": "2023-02-01"},
    ],
}


def case(**changes: Any) -> dict[str, Any]:
    """A deep copy of the base case file with top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return data


def errors_of(data: Any, **kwargs: Any) -> list[Diagnostic]:
    with pytest.raises(ZwcxError) as info:
        load_cases(data, **kwargs)
    return info.value.diagnostics


def only(data: Any, **kwargs: Any) -> Diagnostic:
    diagnostics = errors_of(data, **kwargs)
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    return diagnostics[0]


# -- a valid case file ------------------------------------------------------------------------------


def test_loads_valid_case_file() -> None:
    facts = load_cases(case())
    assert isinstance(facts, Facts)
    assert facts.as_of == date(2024, 6, 30)
    assert [s.id for s in facts.subjects] == [BODY, "p-001", "proj-1", ENTERPRISE]
    assert [e.id for e in facts.events_by_subject[BODY]] == ["e-1", "e-3"]
    assert facts.events_by_subject[ENTERPRISE] == ()
    assert facts.subject_by_id["proj-1"].government_side == BODY
    event = facts.events[0]
    assert event.date == date(2022, 5, 10) and event.loss_yuan == 1500000
    assert event.rectification is not None and event.rectification.deadline == date(2022, 9, 15)
    assert facts.subjects[0].principals[1].to is None


def test_serialises_by_alias_and_hides_id_number_in_repr() -> None:
    facts = load_cases(case())
    dumped = json.loads(facts.subjects[0].model_dump_json())
    assert dumped["principals"][0] == {"person": "p-001", "from": "2019-01-01", "to": "2022-12-31"}
    assert ID_NUMBER not in repr(facts.subjects[1])


def test_models_are_frozen() -> None:
    facts = load_cases(case())
    with pytest.raises(ValueError):
        facts.subjects[0].name = "x"  # type: ignore[misc]


def test_chinese_aliases_become_canonical_codes() -> None:
    data = case()
    body, person, project, _ = data["subjects"]
    body.update(type="政府机构", body_kind="政府部门", level="市级")
    person.update(person_kind="公务员")
    person["positions"][0]["role"] = "主要负责人"
    project["stages"][1]["stage"] = "项目执行"
    event = data["events"][0]
    event.update(kind="行政处罚", domain="政府采购", impact="较大", severity="严重失信",
                 objection={"filed_on": "2022-07-01", "outcome": "异议成立"},
                 determinations=[{"measure": "取消荣誉评选资格", "decision": "决定免于"}])
    event["remedies"][0]["kind"] = "主动挽回损失"
    facts = load_cases(data)
    b, p, pr, _ = facts.subjects
    assert (b.type, b.body_kind, b.level) == ("body", "department", "city")
    assert (p.person_kind, p.positions[0].role) == ("civil_servant", "principal")
    assert pr.stages[1].stage == "execution"
    e = facts.events[0]
    assert (e.kind, e.domain, e.impact, e.severity) == ("administrative_penalty", "procurement", "serious", "serious")
    assert e.remedies[0].kind == "recovered_loss"
    assert e.objection is not None and e.objection.outcome == "upheld"
    assert (e.determinations[0].measure, e.determinations[0].decision) == ("honor_disqualification", "exempt")
    assert facts.events_by_subject[BODY][0] is e


def test_unknown_fields_are_kept_and_readable() -> None:
    data = case(source_system="信用平台")
    data["subjects"][0]["credit_score"] = 87.5
    data["subjects"][0]["principals"][0]["appointed_by"] = "市委"
    data["events"][0]["reported_by"] = {"unit": "审计局"}
    facts = load_cases(data)
    body = facts.subjects[0]
    assert body.model_extra == {"credit_score": 87.5}
    assert body.credit_score == 87.5  # type: ignore[attr-defined]
    assert body.principals[0].model_extra == {"appointed_by": "市委"}
    assert facts.events[0].reported_by == {"unit": "审计局"}  # type: ignore[attr-defined]
    assert facts.case is not None and facts.case.model_extra == {"source_system": "信用平台"}


def test_relations_may_name_ids_not_in_the_file() -> None:
    facts = load_cases(case())
    g = facts.graph
    assert not g.in_file(PARENT) and not g.in_file("p-002") and g.in_file(BODY)
    assert g.graph.nodes[PARENT]["in_file"] is False
    assert g.principals_on(BODY, date(2024, 1, 1)) == [
        Hop("p-002", (BODY, "principal 2023-01-01..", "p-002"))]


def test_extra_event_kinds_from_a_policy_are_accepted() -> None:
    data = case()
    data["events"][0]["kind"] = "land_misuse"
    assert only(data).code == "Z602"
    assert load_cases(data, extra_event_kinds=("land_misuse",)).events[0].kind == "land_misuse"


def test_case_file_model_and_path_sources(tmp_path: Path) -> None:
    model = CaseFile.model_validate(case())
    assert [s.id for s in load_cases(model).subjects] == [BODY, "p-001", "proj-1", ENTERPRISE]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(case(), ensure_ascii=False), encoding="utf-8")
    facts = load_cases(path)
    assert facts.file == str(path) and len(facts.events) == 3
    assert load_cases(str(path), file="named.json").file == "named.json"


# -- malformed values (Z601) ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2022-13-01", "2022/05/10", "20220510", "2022-5-10", "2022-05-10T00:00:00", ""])
def test_bad_event_date(bad: str) -> None:
    data = case()
    data["events"][0]["date"] = bad
    d = only(data, file="cases.json")
    assert (d.code, d.json_path, d.file) == ("Z601", "$.events[0].date", "cases.json")
    assert d.message == f"`{bad}` is not a date (expected YYYY-MM-DD)"
    assert d.help


def test_date_of_wrong_type_and_nested_path() -> None:
    data = case()
    data["subjects"][0]["principals"][1]["from"] = 20230101
    d = only(data)
    assert (d.code, d.json_path) == ("Z601", "$.subjects[0].principals[1].from")
    assert "expected a date string" in d.message


def test_negative_loss() -> None:
    data = case()
    data["events"][0]["loss_yuan"] = -5
    d = only(data)
    assert (d.code, d.json_path) == ("Z601", "$.events[0].loss_yuan")
    assert d.message == "`-5` is negative: `loss_yuan` must be at least 0"


@pytest.mark.parametrize(("path", "value", "json_path"), [
    (("events", 0, "loss_yuan"), "1500000", "$.events[0].loss_yuan"),
    (("events", 0, "tolerance"), {"approved": "yes"}, "$.events[0].tolerance.approved"),
    (("events", 0, "persons"), "p-001", "$.events[0].persons"),
    (("subjects", 1, "positions", 0, "body"), None, "$.subjects[1].positions[0].body"),
])
def test_wrong_types(path: tuple[Any, ...], value: Any, json_path: str) -> None:
    data = case()
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    d = only(data)
    assert (d.code, d.json_path) == ("Z601", json_path)
    assert d.message.startswith("expected ")


def test_missing_field() -> None:
    data = case()
    del data["events"][1]["kind"]
    d = only(data)
    assert (d.code, d.json_path, d.message) == ("Z601", "$.events[1].kind", "missing required field `kind`")


def test_period_ending_before_it_starts() -> None:
    data = case()
    data["subjects"][0]["principals"][0]["to"] = "2018-12-31"
    d = only(data)
    assert (d.code, d.json_path) == ("Z601", "$.subjects[0].principals[0].to")


def test_top_level_must_be_an_object() -> None:
    d = only([1, 2])
    assert (d.code, d.json_path) == ("Z601", "$")


@settings(max_examples=60)
@given(st.text(max_size=12))
def test_any_string_is_a_date_or_a_z601(text: str) -> None:
    data = case()
    data["events"][2]["date"] = text
    try:
        valid = date.fromisoformat(text) if len(text) == 10 and text[4] == text[7] == "-" else None
    except ValueError:
        valid = None
    if valid is not None and text.isascii():
        assert load_cases(data).events[2].date == valid
    else:
        assert [(d.code, d.json_path) for d in errors_of(data)] == [("Z601", "$.events[2].date")]


# -- codes, identifiers, ids ------------------------------------------------------------------------


def test_unknown_event_kind_suggests_the_nearest() -> None:
    data = case()
    data["events"][0]["kind"] = "administative_penalty"
    d = only(data)
    assert (d.code, d.json_path) == ("Z602", "$.events[0].kind")
    assert d.message == "unknown event kind `administative_penalty`"
    assert d.help is not None and d.help.startswith("did you mean `administrative_penalty` (行政处罚)?")
    assert "judicial_judgment" in d.help


def test_unknown_codes_in_nested_fields() -> None:
    data = case()
    data["subjects"][1]["positions"][0]["role"] = "boss"
    data["events"][0]["remedies"][0]["kind"] = "paid_back"
    found = {(d.code, d.json_path) for d in errors_of(data)}
    assert found == {("Z602", "$.subjects[1].positions[0].role"), ("Z602", "$.events[0].remedies[0].kind")}


def test_event_subject_not_in_file() -> None:
    data = case()
    data["events"][1]["subject"] = "proj-2"
    d = only(data)
    assert (d.code, d.json_path) == ("Z607", "$.events[1].subject")
    assert d.help is not None and "did you mean `proj-1`" in d.help


def test_bad_uscc_check_char() -> None:
    data = case()
    wrong = "X" if BODY[-1] != "X" else "Y"
    data["subjects"][0]["id"] = BODY[:17] + wrong
    for event in data["events"]:
        if event["subject"] == BODY:
            event["subject"] = BODY[:17] + wrong
    d = only(data)
    assert (d.code, d.json_path) == ("Z603", "$.subjects[0].id")
    assert f"expected `{BODY[-1]}`" in d.message


def test_enterprise_id_is_checked_too() -> None:
    data = case()
    data["subjects"][3]["id"] = "91350100M000100Y4"
    d = only(data)
    assert (d.code, d.json_path) == ("Z603", "$.subjects[3].id")
    assert "17 characters" in d.message


@pytest.mark.parametrize("number", ["110105194912310021", "11010519491231002x", "1101051949123100", 110105194912310021])
def test_bad_id_number_is_never_shown_whole(number: str | int) -> None:
    data = case()
    data["subjects"][1]["id_number"] = number
    with pytest.raises(ZwcxError) as info:
        load_cases(data)
    (d,) = info.value.diagnostics
    assert d.json_path == "$.subjects[1].id_number"
    assert d.code == ("Z601" if isinstance(number, int) else "Z604")
    text = str(number)
    shown = " ".join([str(info.value), d.message, d.help or "", repr(info.value.diagnostics)])
    assert text not in shown
    if len(text) == 18:
        assert text[:6] + "*" * 8 + text[-4:] in d.message


def test_duplicate_subject_and_event_ids() -> None:
    data = case()
    data["subjects"].append(copy.deepcopy(data["subjects"][1]))
    data["events"].append({"id": "e-1", "subject": BODY, "kind": "audit_finding", "date": "2023-03-01"})
    found = [(d.code, d.json_path) for d in errors_of(data)]
    assert found == [("Z606", "$.events[3].id"), ("Z605", "$.subjects[4].id")]


def test_json_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"subjects": [\n  {"id": "x", "type": "person"},\n  {"id": "y",}\n]}', encoding="utf-8")
    d = only(path)
    assert (d.code, d.file) == ("Z600", str(path))
    assert "line 3, column 14" in d.message
    assert d.span is not None and (d.span.line, d.span.column) == (3, 14)


def test_missing_file(tmp_path: Path) -> None:
    assert only(tmp_path / "nope.json").code == "Z600"


def test_collects_every_problem_with_input_indices() -> None:
    data = case()
    data["subjects"][0]["principals"][0]["from"] = "2019-1-1"           # Z601, subject 0 fails
    data["subjects"][1]["id_number"] = "110105194912310021"             # Z604 at index 1, not 0
    data["subjects"][2]["type"] = "projet"                              # Z602
    data["events"][0]["loss_yuan"] = -1                                 # Z601, event 0 fails
    data["events"][2]["subject"] = "nobody"                             # Z607
    found = {(d.code, d.json_path) for d in errors_of(data)}
    assert found == {
        ("Z601", "$.subjects[0].principals[0].from"),
        ("Z604", "$.subjects[1].id_number"),
        ("Z602", "$.subjects[2].type"),
        ("Z601", "$.events[0].loss_yuan"),
        ("Z607", "$.events[2].subject"),
    }


def test_events_of_a_subject_that_failed_validation_are_not_orphans() -> None:
    data = case()
    data["subjects"][0]["level"] = 3
    assert [(d.code, d.json_path) for d in errors_of(data)] == [("Z601", "$.subjects[0].level")]


# -- the relations graph ----------------------------------------------------------------------------


def test_graph_is_a_multidigraph_with_typed_edges() -> None:
    g = load_cases(case()).graph.graph
    assert isinstance(g, nx.MultiDiGraph)
    kinds = sorted(a["kind"] for _, _, a in g.edges(data=True))
    assert kinds == ["government_side", "parent", "position", "principal", "principal",
                     "stage", "stage", "stage"]


def test_principal_at_a_past_date_and_today() -> None:
    g = load_cases(case()).graph
    past = Hop("p-001", (BODY, "principal 2019-01-01..2022-12-31", "p-001"))
    now = Hop("p-002", (BODY, "principal 2023-01-01..", "p-002"))
    assert g.principals_on(BODY, date(2020, 6, 1)) == [past]
    assert g.principals_on(BODY, date(2022, 12, 31)) == [past]
    assert g.principals_on(BODY, date(2023, 1, 1)) == [now]
    assert g.principals_on(BODY, date(2024, 6, 30)) == [now]
    assert g.principals_on(BODY, date(2018, 12, 31)) == []
    assert g.principals_on("unknown-body", date(2020, 1, 1)) == []


def test_principal_sources_merge_without_duplicates() -> None:
    data = case()
    # p-005 is principal only by their own position; p-001 is in both the body and the position.
    data["subjects"].append({"id": "p-005", "type": "person", "positions": [
        {"body": BODY, "role": "principal", "from": "2021-01-01", "to": "2021-12-31"},
        {"body": BODY, "role": "leader", "from": "2019-01-01", "to": "2020-12-31"}]})
    g = load_cases(data).graph
    assert g.graph.number_of_edges(BODY, "p-001") == 1
    assert g.principals_on(BODY, date(2021, 6, 1)) == [
        Hop("p-001", (BODY, "principal 2019-01-01..2022-12-31", "p-001")),
        Hop("p-005", (BODY, "principal 2021-01-01..2021-12-31", "p-005")),
    ]
    assert g.leaders_on(BODY, date(2020, 6, 1)) == [
        Hop("p-001", (BODY, "principal 2019-01-01..2022-12-31", "p-001")),
        Hop("p-005", (BODY, "leader 2019-01-01..2020-12-31", "p-005")),
    ]


def test_stage_owner_by_date() -> None:
    g = load_cases(case()).graph
    assert g.stage_owners_on("proj-1", "execution", date(2020, 5, 1)) == [
        Hop("p-011", ("proj-1", "stage execution 2020-01-01..2021-06-30", "p-011"))]
    assert g.stage_owners_on("proj-1", "execution", date(2022, 1, 1)) == [
        Hop("p-012", ("proj-1", "stage execution 2021-07-01..", "p-012"))]
    assert g.stage_owners_on("proj-1", "transfer", date(2022, 1, 1)) == []
    assert [h.person for h in g.stage_owners_on("proj-1", "execution", None)] == ["p-011", "p-012"]
    assert [h.person for h in g.stage_owners_on("proj-1", "execution", None, as_of=date(2021, 1, 1))] == ["p-011"]


def test_persons_of_event_parent_and_government_side() -> None:
    facts = load_cases(case())
    g = facts.graph
    assert g.persons_of_event(facts.events[0]) == [
        Hop("p-001", (BODY, "event e-1", "p-001")), Hop("p-003", (BODY, "event e-1", "p-003"))]
    assert g.parent_of(BODY) == [Hop(PARENT, (BODY, "parent", PARENT))]
    assert g.parent_of(PARENT) == []
    assert g.government_side_of("proj-1") == [Hop(BODY, ("proj-1", "government_side", BODY))]


def test_hops_are_frozen() -> None:
    hop = Hop("p-1", ("b", "principal 2020-01-01..", "p-1"))
    with pytest.raises(AttributeError):
        hop.person = "p-2"  # type: ignore[misc]
