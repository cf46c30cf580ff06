"""Issue 15: a partitioned caseload evaluated on a Dask cluster equals the single-process run.

The partitions are JSON Lines and Parquet files of the demo caseload's documents;
`eirules.bulk.evaluate_partitions` runs them on a LocalCluster of two worker
processes and on this process alone, and every determination file is compared byte
for byte with the engine's own determination of each case.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.bulk import DaskWorkers, evaluate_partitions
from eirules.cli import cli
from eirules.core.convert import determination_to_dict
from eirules.core.engine import Engine
from eirules.core.errors import InputError
from eirules.core.store import Store

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


def _documents() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((EXAMPLES / "caseload").glob("*.json"))
    ]


def _write_parts(folder: Path, docs: list[dict], parts: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(parts):
        path = folder / f"part-{i:02d}.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs[i::parts]), encoding="utf-8")
        paths.append(path)
    return paths


def _expected(engine: Engine, docs: list[dict]) -> list[str]:
    return [
        json.dumps(
            determination_to_dict(engine.evaluate(engine.case_from_dict(d), None, AS_OF)),
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for d in docs
    ]


def test_synchronous_run_writes_each_partitions_determinations_in_order(tmp_path):
    docs = _documents()[:40]
    engine = Engine(entry_points=False)
    paths = _write_parts(tmp_path / "in", docs, 4)
    report = evaluate_partitions(
        paths, tmp_path / "out", as_of=AS_OF, engine=engine, scheduler="synchronous"
    )
    assert report.cases == 40 and report.failed == 0
    for i, part in enumerate(report.partitions):
        lines = Path(part.output).read_text(encoding="utf-8").splitlines()
        assert lines == _expected(engine, docs[i::4])
        assert Path(part.output).stat().st_mode & 0o777 == 0o600  # children's data: owner only


def test_a_local_cluster_of_two_workers_equals_the_single_process_run(tmp_path):
    pytest.importorskip("dask.distributed")
    docs = _documents()
    engine = Engine(entry_points=False)
    paths = _write_parts(tmp_path / "in", docs, 6)
    one = evaluate_partitions(
        paths, tmp_path / "one", as_of=AS_OF, engine=engine, scheduler="synchronous"
    )
    two = evaluate_partitions(paths, tmp_path / "two", as_of=AS_OF, engine=engine, workers=2)
    assert two.cases == one.cases == 240
    for a, b in zip(one.partitions, two.partitions, strict=True):
        assert Path(a.output).read_bytes() == Path(b.output).read_bytes()
        assert (a.cases, a.failed) == (b.cases, b.failed)


def test_parquet_partitions_with_a_document_column(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    docs = _documents()[:10]
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "part-0.parquet"
    pq.write_table(pa.table({"document": [json.dumps(d) for d in docs]}), path)
    engine = Engine(entry_points=False)
    report = evaluate_partitions(
        [tmp_path / "in"], tmp_path / "out", as_of=AS_OF, engine=engine, scheduler="synchronous"
    )
    lines = Path(report.partitions[0].output).read_text(encoding="utf-8").splitlines()
    assert lines == _expected(engine, docs)


def test_a_bad_case_is_counted_and_named_and_the_others_are_written(tmp_path):
    docs = _documents()[:3]
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "p.jsonl"
    path.write_text(
        json.dumps(docs[0])
        + "\n"
        + '{"id": "X", "birth_date": "2026-02-30"}\n'
        + json.dumps(docs[2])
        + "\n",
        encoding="utf-8",
    )
    engine = Engine(entry_points=False)
    report = evaluate_partitions(
        [path], tmp_path / "out", as_of=AS_OF, engine=engine, scheduler="synchronous"
    )
    part = report.partitions[0]
    assert (part.cases, part.failed) == (3, 1)
    assert part.failures[0][0] == "line 2"
    lines = Path(part.output).read_text(encoding="utf-8").splitlines()
    assert lines == _expected(engine, [docs[0], docs[2]])


def test_a_path_that_is_not_a_partition_is_refused_before_any_work(tmp_path):
    (tmp_path / "x.csv").write_text("a\n")
    with pytest.raises(InputError) as caught:
        evaluate_partitions(
            [tmp_path / "x.csv"], tmp_path / "out", as_of=AS_OF, scheduler="synchronous"
        )
    assert "not a .jsonl or .parquet file" in str(caught.value)
    assert not (tmp_path / "out").exists()


# `eirules evaluate --all --engine dask`: the caseload database's cases on a Dask cluster ------


def _stored(db: Path) -> dict[str, list]:
    """What an evaluation left in the caseload: each case's status and latest result, clocks."""
    store = Store.open(db)
    try:
        conn = store.conn
        return {
            "cases": conn.execute(
                "SELECT c.id, c.status, c.programs, c.evaluated_as_of, d.result, d.number "
                "FROM cases c JOIN determinations d ON d.id = c.last_determination_id ORDER BY c.id"
            ).fetchall(),
            "clocks": conn.execute(
                "SELECT case_id, clock, subject, due, status, is_open FROM clocks "
                "ORDER BY case_id, clock, subject, due"
            ).fetchall(),
        }
    finally:
        store.close()


def _caseload(tmp_path: Path, name: str) -> Path:
    """The demo caseload imported (and evaluated as of the import day, as `cases import` does)."""
    db = tmp_path / f"{name}.db"
    store, _ = Store.init(db, Engine(entry_points=False))
    store.jobs = 1
    store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=date(2026, 1, 5))
    store.close()
    return db


def test_evaluate_all_on_a_two_worker_local_cluster_stores_what_one_process_stores(tmp_path):
    """Issue 15: where the chunks are evaluated never changes a stored determination."""
    pytest.importorskip("dask.distributed")
    one, two = _caseload(tmp_path, "one"), _caseload(tmp_path, "two")
    # --force: every case through the workers, also those the import's evaluation (as of
    # today) already answers for (their stability interval holds the date).
    day = ["--as-of", AS_OF.isoformat(), "--force"]
    here = CliRunner().invoke(cli, ["evaluate", "--all", *day, "--jobs", "1", "--db", str(one)])
    assert here.exit_code == 0, here.output
    dask = CliRunner().invoke(
        cli, ["evaluate", "--all", *day, "--engine", "dask", "--jobs", "2", "--db", str(two)]
    )
    assert dask.exit_code == 0, dask.output
    assert dask.output.splitlines()[0].startswith("Evaluated 240 cases as of 2026-03-02")
    assert [line for line in dask.output.splitlines()[1:]] == here.output.splitlines()[1:]
    a, b = _stored(one), _stored(two)
    assert len(a["cases"]) == 240 and all(row[3] == "2026-03-02" for row in a["cases"])
    assert a == b


def test_the_dask_mapper_gives_results_in_the_order_of_the_chunks():
    pytest.importorskip("dask.distributed")
    engine = Engine(entry_points=False)
    with DaskWorkers(None, 2)(engine, 2) as pool:
        got = list(pool.map(_version_of, range(9)))
    assert [chunk for chunk, _ in got] == list(range(9))
    assert [result[:2] for _, result in got] == [(i, engine.version) for i in range(9)]
    assert os.getpid() not in {result[2] for _, result in got}  # run on the cluster's workers


def _version_of(engine, chunk):
    return chunk, engine.version, os.getpid()


def test_scheduler_without_engine_dask_is_a_usage_error(tmp_path):
    db = tmp_path / "c.db"
    result = CliRunner().invoke(
        cli, ["evaluate", "--all", "--scheduler", "tcp://127.0.0.1:1", "--db", str(db)]
    )
    assert result.exit_code == 2
    assert "--scheduler is for --engine dask" in result.output
    assert not db.exists()


def test_engine_dask_without_the_extra_says_how_to_install_it(tmp_path, monkeypatch):
    db = _caseload(tmp_path, "c")
    before = _stored(db)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if absent
    result = CliRunner().invoke(cli, ["evaluate", "--all", "--engine", "dask", "--db", str(db)])
    assert result.exit_code == 1
    assert "Error: Dask is not installed" in result.output
    assert 'pip install "eirules[dask]"' in result.output
    assert "Traceback" not in result.output
    assert _stored(db) == before  # nothing evaluated, nothing written


def test_a_scheduler_that_does_not_answer_is_named(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    import eirules.bulk

    monkeypatch.setattr(eirules.bulk, "CONNECT_TIMEOUT", 2)
    db = _caseload(tmp_path, "c")
    before = _stored(db)
    result = CliRunner().invoke(
        cli,
        [
            "evaluate",
            "--all",
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--db",
            str(db),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert _stored(db) == before
