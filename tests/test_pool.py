"""Issue 15: evaluating a caseload on every core, on any platform (spawned workers).

Workers rebuild the engine once from a recipe (plugin modules, ruleset folders,
calendars folder) and evaluate chunks in order; a run gives exactly what one
process gives. No timing here: speed is measured by benchmarks/table.py.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pool_probe
import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.engine import Engine
from eirules.core.store import Store
from eirules.core.store import imports as imports_module
from eirules.core.store import workers as workers_module
from eirules.core.store.workers import MIN_CHUNKS, EngineRecipe, _Workers

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


def _pid(engine, chunk):
    return chunk, os.getpid(), engine.version


def test_chunks_run_in_spawned_workers_in_the_order_given():
    engine = Engine(entry_points=False)
    with _Workers(engine, 2) as workers:
        out = [result for _, result in workers.map(_pid, range(8))]
    assert [chunk for chunk, _, _ in out] == list(range(8))
    assert {pid for _, pid, _ in out} - {os.getpid()}, "no chunk ran in a worker"
    assert {version for _, _, version in out} == {engine.version}


def test_a_worker_never_imports_the_store():
    """The store (sqlite-utils, and pandas through it) was most of a worker's start-up."""
    engine = Engine(entry_points=False)
    with _Workers(engine, 2) as workers:
        seen = [found for _, found in workers.map(pool_probe.heavy_modules, range(MIN_CHUNKS))]
    assert seen == [[]] * MIN_CHUNKS


def test_a_second_map_runs_in_the_processes_of_the_first():
    engine = Engine(entry_points=False)
    with _Workers(engine, 2) as workers:
        first = {pid for _, (_, pid, _) in workers.map(_pid, range(8))}
        pool = workers.pool
        # Too few chunks to start workers for, but they are running: they take them.
        second = {pid for _, (_, pid, _) in workers.map(_pid, range(MIN_CHUNKS - 1))}
        assert workers.pool is pool
        # The pool's processes (which of them took a chunk depends on the machine's load:
        # under load one worker may take all eight of the first map).
        processes = set(pool._processes)
    assert os.getpid() not in first | second
    assert first <= processes and second <= processes


def test_too_few_chunks_or_one_job_run_here():
    engine = Engine(entry_points=False)
    for jobs, chunks in ((2, MIN_CHUNKS - 1), (1, 8)):
        with _Workers(engine, jobs) as workers:
            pids = {pid for _, (_, pid, _) in workers.map(_pid, range(chunks))}
        assert pids == {os.getpid()}


def test_the_recipe_rebuilds_the_same_engine():
    engine = Engine(entry_points=False)
    recipe = EngineRecipe.of(engine)
    assert recipe is not None
    again = recipe.build()
    assert again.version == engine.version
    engine.version = "eirules 0.1.0 + eirules-tiny 1.2.3"  # as an installed plugin makes it
    assert EngineRecipe.of(engine).build().version == engine.version
    assert again.rulesets.ids() == engine.rulesets.ids()
    assert sorted(again.event_types) == sorted(engine.event_types)
    assert [n for n, _ in again.pm.list_name_plugin()] == [
        n for n, _ in engine.pm.list_name_plugin()
    ]
    for rid in ("us", "us-mo", "us-ca"):
        assert again.rulesets.get(rid).full_version == engine.rulesets.get(rid).full_version


def test_an_engine_with_an_object_plugin_runs_in_this_process():
    class Local:
        """Not importable by another process."""

    engine = Engine(entry_points=False)
    engine.pm.register(Local(), name="local")
    assert EngineRecipe.of(engine) is None
    with _Workers(engine, 2) as workers:
        pids = {pid for _, (_, pid, _) in workers.map(_pid, range(8))}
    assert pids == {os.getpid()}


def _evaluated(tmp_path: Path, name: str, jobs: int) -> dict[str, tuple]:
    db = tmp_path / f"{name}.db"
    engine = Engine(entry_points=False)
    store, _ = Store.init(db, engine)
    store.jobs = 1
    store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=AS_OF)
    store.jobs = jobs
    report = store.evaluate(as_of=AS_OF, user="test", chunk=40)  # 6 chunks of 240 cases
    assert report.evaluated == 240 and not report.failures
    rows = store.conn.execute(
        "SELECT c.id, c.status, d.result FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id ORDER BY c.id"
    ).fetchall()
    clocks = store.conn.execute(
        "SELECT case_id, clock, subject, due, status, is_open FROM clocks "
        "ORDER BY case_id, clock, subject, due"
    ).fetchall()
    store.close()
    return {"cases": rows, "clocks": clocks}


def test_two_workers_store_exactly_what_one_process_stores(tmp_path):
    one = _evaluated(tmp_path, "one", 1)
    two = _evaluated(tmp_path, "two", 2)
    assert len(one["cases"]) == 240
    assert one == two


def _imported(tmp_path: Path, name: str, jobs: int) -> dict[str, list]:
    store, _ = Store.init(tmp_path / f"{name}.db", Engine(entry_points=False))
    store.jobs = jobs
    result = store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=AS_OF)
    assert result.created == result.evaluated == 240 and not result.failures
    rows = {
        "cases": store.conn.execute(
            "SELECT c.id, c.status, c.programs, d.result, d.result_digest FROM cases c "
            "JOIN determinations d ON d.id = c.last_determination_id ORDER BY c.id"
        ).fetchall(),
        "clocks": store.conn.execute(
            "SELECT case_id, clock, subject, due, status, is_open FROM clocks "
            "ORDER BY case_id, clock, subject, due"
        ).fetchall(),
    }
    store.close()
    return rows


def test_an_import_checks_and_evaluates_in_one_set_of_workers(tmp_path, monkeypatch):
    """Its records are checked in workers, then what it stored is evaluated in the same ones."""
    started = []

    class Counting(workers_module.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    one = _imported(tmp_path, "one", 1)
    monkeypatch.setattr(workers_module, "ProcessPoolExecutor", Counting)
    monkeypatch.setattr(imports_module, "CHUNK", 40)  # 6 chunks of records
    two = _imported(tmp_path, "two", 2)
    assert started == [2]
    assert len(one["cases"]) == 240
    assert one == two


@pytest.mark.parametrize("jobs", ["0", "x"])
def test_a_bad_jobs_value_is_a_usage_error(tmp_path, jobs):
    result = CliRunner().invoke(
        cli, ["evaluate", "--all", "--jobs", jobs, "--db", str(tmp_path / "c.db")]
    )
    assert result.exit_code == 2
    assert "--jobs" in result.output and "Traceback" not in result.output
