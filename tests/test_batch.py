"""`zwcx batch`: bad lines rejected alone, byte-identical repeats, a resume after kill -9, Parquet,
and the same output from a Dask LocalCluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zwcx_rules import evaluate, load_cases, load_policy
from zwcx_rules.batch import BatchOptions, run_batch
from zwcx_rules.engine.decisions import Decision

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from synthetic import case_file, write_jsonl  # noqa: E402

AS_OF = "2024-06-30"


def options(source: Path, out: Path, **extra: object) -> BatchOptions:
    import datetime as dt

    return BatchOptions(policy="jiangxi", input=source, out=out, as_of=dt.date.fromisoformat(AS_OF),
                        **extra)  # type: ignore[arg-type]


def zwcx(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zwcx_rules.cli", *args], capture_output=True, text=True,
                          check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_jsonl(tmp_path_factory.mktemp("input") / "subjects.jsonl", 400)
    lines = path.read_text("utf-8").splitlines()
    lines.insert(10, '{"id": "broken", "type": "person"')                       # line 11: not JSON
    lines.insert(20, json.dumps({"id": "p-x", "type": "person", "person_kind": "civil_servant",
                                 "events": [{"id": "e", "kind": "行政处罚", "date": "2024-02-30"}]}))
    lines.insert(30, json.dumps({"id": "11360100MB00000011", "type": "body", "body_kind": "department"}))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_bad_lines_are_rejected_alone_with_line_and_path(source: Path, tmp_path: Path) -> None:
    summary = run_batch(options(source, tmp_path / "run", workers=1, chunk_size=50))
    errors = [json.loads(line) for line in (tmp_path / "run" / "errors.jsonl").read_text("utf-8").splitlines()]
    assert [(e["line"], e["code"], e["json_path"]) for e in errors] == [
        (11, "Z600", "$"), (21, "Z601", "$.events[0].date"), (31, "Z603", "$.id")]
    assert summary.errors == 3 and summary.subjects == 400
    decided = (tmp_path / "run" / "decisions.jsonl").read_text("utf-8").splitlines()
    assert len(decided) == 400
    result = zwcx("batch", "jiangxi", str(source), "--out", str(tmp_path / "cli"), "--as-of", AS_OF)
    assert result.returncode == 1 and "3 lines rejected" in result.stderr


@pytest.mark.parametrize("trace", ["full", "summary", "none"])
def test_batch_decides_as_eval_does(tmp_path: Path, trace: str) -> None:
    """Each line is, byte for byte, the API's decision JSON (less what falls on others' lines)."""
    source = write_jsonl(tmp_path / "s.jsonl", 120, seed=7)
    run_batch(options(source, tmp_path / "run", workers=1, trace=trace))
    batch = (tmp_path / "run" / "decisions.jsonl").read_text("utf-8").splitlines()
    whole = evaluate(load_policy("jiangxi"), case_file(120, seed=7), trace=trace).decisions  # type: ignore[arg-type]
    for line, decision in zip(batch, whole, strict=True):
        own = [o for o in decision.outcomes if not (o.kind == "responsibility" and o.subject == decision.subject
                                                    and decision.subject.startswith("p-"))]
        assert line == Decision(subject=decision.subject, records=decision.records, outcomes=own).model_dump_json()


def test_repeat_runs_are_byte_identical_whatever_the_workers(source: Path, tmp_path: Path) -> None:
    run_batch(options(source, tmp_path / "one", workers=1, chunk_size=64))
    run_batch(options(source, tmp_path / "two", workers=2, chunk_size=64))
    for name in ("decisions.jsonl", "errors.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_resume_after_kill_finishes_identically(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "big.jsonl", 6000, seed=3)
    expected = tmp_path / "expected"
    run_batch(options(source, expected, workers=2, chunk_size=100))
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "zwcx_rules.cli", "batch", "jiangxi", str(source), "--out", str(out),
               "--as-of", AS_OF, "--workers", "2", "--chunk-size", "100"]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "chunks").glob("*.counts.json"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers, mid-chunk
    process.wait()
    done = len(list((out / "chunks").glob("*.counts.json")))
    assert 5 <= done < 60, "the kill should land mid-run"
    assert not (out / "decisions.jsonl").exists()
    assert zwcx("batch", *command[4:6], "--out", str(out), "--as-of", AS_OF, "--workers", "2", "--chunk-size", "100",
                "--resume").returncode == 0
    for name in ("decisions.jsonl", "errors.jsonl"):
        assert (out / name).read_bytes() == (expected / name).read_bytes()


def test_resume_refuses_a_changed_input_or_policy(source: Path, tmp_path: Path) -> None:
    run_batch(options(source, tmp_path / "run", workers=1))
    changed = tmp_path / "changed.jsonl"
    changed.write_text(source.read_text("utf-8") + "\n" + json.dumps({"id": "p-new", "type": "person"}) + "\n", "utf-8")
    result = zwcx("batch", "jiangxi", str(changed), "--out", str(tmp_path / "run"), "--as-of", AS_OF, "--resume")
    assert result.returncode == 1 and "cannot resume: input_digest changed" in result.stderr
    result = zwcx("batch", "yancheng", str(source), "--out", str(tmp_path / "run"), "--as-of", AS_OF, "--resume")
    assert "cannot resume" in result.stderr and "policy_digest" in result.stderr
    again = zwcx("batch", "jiangxi", str(source), "--out", str(tmp_path / "run"), "--as-of", AS_OF)
    assert again.returncode == 1 and "already holds a batch run" in again.stderr


def test_max_errors_stops_early(source: Path, tmp_path: Path) -> None:
    summary = run_batch(options(source, tmp_path / "run", workers=1, chunk_size=15, max_errors=1))
    assert summary.stopped_early and summary.errors == 2
    assert not (tmp_path / "run" / "decisions.jsonl").exists()


def test_parquet_rows_are_flat_and_complete(source: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    summary = run_batch(options(source, tmp_path / "run", workers=1, format="parquet"))
    table = pq.read_table(tmp_path / "run" / "decisions.parquet")
    assert table.num_rows == sum(summary.counts.values())
    assert {"subject", "measure", "kind", "status", "clause", "rule", "layer", "deadline", "until"} <= set(
        table.column_names)
    rows = table.to_pylist()
    assert any(r["measure"] == "principal_accountability" and r["subject"] != r["decision_subject"] for r in rows)


def test_a_parquet_input_gives_the_same_decisions(source: Path, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    good = [json.loads(line) for line in source.read_text("utf-8").splitlines()[:60] if line.startswith('{"id": "1')]
    jsonl = tmp_path / "good.jsonl"
    jsonl.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in good), "utf-8")
    pq.write_table(pa.Table.from_pylist(good), tmp_path / "good.parquet")
    run_batch(options(jsonl, tmp_path / "a", workers=1))
    run_batch(options(tmp_path / "good.parquet", tmp_path / "b", workers=1))
    assert (tmp_path / "a" / "decisions.jsonl").read_bytes() == (tmp_path / "b" / "decisions.jsonl").read_bytes()


def test_dask_local_cluster_gives_the_local_output(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from zwcx_rules.batch.dask import chunk_mapper

    run_batch(options(source, tmp_path / "local", workers=1, chunk_size=80))
    run_batch(options(source, tmp_path / "dask", workers=2, chunk_size=80), map_chunks=chunk_mapper(None))
    for name in ("decisions.jsonl", "errors.jsonl"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_the_dask_api_decides_a_bag_as_the_batch_does(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    import dask.bag as db
    from distributed import Client, LocalCluster

    from zwcx_rules.batch.dask import evaluate as dask_evaluate

    source = write_jsonl(tmp_path / "s.jsonl", 80, seed=11)
    run_batch(options(source, tmp_path / "run", workers=1))
    expected = [json.loads(line) for line in (tmp_path / "run" / "decisions.jsonl").read_text("utf-8").splitlines()]
    subjects = [json.loads(line) for line in source.read_text("utf-8").splitlines()]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        bag = db.from_sequence(subjects, npartitions=3)
        assert dask_evaluate("jiangxi", bag, AS_OF, client=client).compute() == expected


def test_both_json_writers_give_the_models_own_bytes() -> None:
    """Decision lines are written without building models; with or without orjson, the same bytes."""
    from zwcx_rules.engine.decisions import _standard_dumps, dumps

    for decision in evaluate(load_policy("jiangxi"), ROOT / "examples" / "cases.json").decisions:
        assert _standard_dumps(decision).decode() == dumps(decision).decode() == decision.model_dump_json()


def test_the_relations_file_answers_as_the_case_file_graph_does(tmp_path: Path) -> None:
    """A relation stated on two lines is stored twice and read once; a repeated id keeps its first line."""
    import datetime as dt

    from zwcx_rules.batch.relations import RelationStore, RelationWriter, first_lines, relations_of

    policy = load_policy("jiangxi")
    body_id = "11360100MB00000016"
    body = {"id": body_id, "type": "body", "body_kind": "department",
            "principals": [{"person": "p-1", "from": "2020-01-01"}]}
    person = {"id": "p-1", "type": "person", "person_kind": "civil_servant",
              "positions": [{"body": "11360100MB00000016", "role": "principal", "from": "2020-01-01"},
                            {"body": "11360100MB00000016", "role": "leader", "from": "2018-01-01",
                             "to": "2019-12-31"}]}
    lines = [(1, json.dumps(body)), (2, json.dumps(person)), (3, json.dumps({**person, "positions": []}))]
    writer = RelationWriter(tmp_path / "r.sqlite")
    writer.add_many(*relations_of(lines, policy.resolved.catalogue))
    writer.close()
    store = RelationStore(tmp_path / "r.sqlite")
    graph = load_cases({"subjects": [body, person], "events": []}, policy).graph
    for day in (dt.date(2019, 6, 1), dt.date(2021, 6, 1)):
        assert store.principals_on(body_id, day) == graph.principals_on(body_id, day)
        assert store.leaders_on(body_id, day) == graph.leaders_on(body_id, day)
    assert len(list(store._out(body_id, "principal"))) == 1
    assert first_lines(tmp_path / "r.sqlite", ["p-1", body_id]) == {"p-1": 2, body_id: 1}
