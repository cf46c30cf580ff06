"""Issue 15: a partitioned caseload evaluated on a Dask cluster equals the single-process run.

The partitions are JSON Lines and Parquet files of the demo caseload's documents;
`eirules.bulk.evaluate_partitions` runs them on a LocalCluster of two worker
processes and on this process alone, and every determination file is compared byte
for byte with the engine's own determination of each case.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from eirules.bulk import evaluate_partitions
from eirules.core.convert import determination_to_dict
from eirules.core.engine import Engine
from eirules.core.errors import InputError

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
