"""The write lock on both backends: what an evaluation part waits for, and what is timed.

A part of `evaluate` is re-derivable from the case files, so on PostgreSQL its
COMMIT does not wait for the disk (``synchronous_commit = off``); the run's
closing transaction does, and flushes every part before it. How long each write
held the lock is recorded when asked (`WriteTimings`, used by
benchmarks/caseload.py); no test here times anything.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli.synthetic import generate, records
from eirules.core.errors import InputError
from eirules.core.store import Store
from eirules.core.store.backend import WriteTimings

D = date


@pytest.fixture
def store(db_target, engine):
    s, _ = Store.init(db_target, engine)
    yield s
    s.close()


@pytest.fixture
def caseload(store):
    """120 fictional cases (80 Part C, 40 Part B), imported and evaluated as of 2026-03-02."""
    store.import_records(
        records(generate(part_c=80, part_b=40)), user="setup", evaluate_as_of=D(2026, 3, 2)
    )
    return store


def synchronous(store) -> str:
    """Whether a COMMIT now would wait for the disk: PostgreSQL's synchronous_commit, or
    SQLite's synchronous pragma (1, NORMAL: in WAL mode no commit waits for the disk)."""
    if store.conn.postgres:
        return store.conn.execute("SHOW synchronous_commit").fetchone()[0]
    return str(store.conn.execute("PRAGMA synchronous").fetchone()[0])


def test_every_evaluation_part_is_relaxed_and_the_closing_transaction_durable(caseload):
    """Parts of 20 cases (chunk=20): 6 write transactions for 120 cases, the last one
    holding the last part with the run's record; only that one waits for the disk."""
    begun: list[tuple[str, bool]] = []
    real = caseload.conn.begin_write

    def begin_write(label="write", *, durable=True):
        begun.append((label, durable))
        real(label, durable=durable)

    caseload.conn.begin_write = begin_write
    report = caseload.evaluate(as_of=D(2026, 3, 9), user="nightly", chunk=20)
    assert report.evaluated == 120
    assert begun == [("evaluation", False)] * 5 + [("evaluation", True)]
    assert caseload.verify_audit()[1] == []
    actions = [e["action"] for e in caseload.audit_log()]
    assert actions[-1] == "evaluation.run"


def test_a_relaxed_write_does_not_wait_for_the_disk_and_the_next_write_does(store):
    """`synchronous_commit = off` is SET LOCAL: it ends with the transaction."""
    durable = "on" if store.conn.postgres else "1"
    relaxed = "off" if store.conn.postgres else "1"  # SQLite in WAL mode: NORMAL for both
    with store.write("nightly", label="evaluation", durable=False):
        assert synchronous(store) == relaxed
    assert synchronous(store) == durable
    with store.write("coordinator"):
        assert synchronous(store) == durable


def test_a_relaxed_write_that_fails_leaves_nothing_and_the_chain_verifies(store):
    with pytest.raises(RuntimeError), store.write("nightly", durable=False) as audit:
        audit.append("evaluation.batch", "run 1: stored 1 determination")
        raise RuntimeError("interrupted")
    assert list(store.audit_log()) == []
    assert store.verify_audit() == (0, [])


def test_a_writes_lock_hold_is_recorded_by_part_and_a_rolled_back_one_is_not(caseload):
    case_id = caseload.list_cases()[0]["case_id"]
    caseload.conn.timings = WriteTimings()
    caseload.assign(case_id, "Bench Coordinator", user="coordinator", new_caseworker=True)
    with pytest.raises(InputError, match="before the child's birth"):
        caseload.add_event(
            case_id, "referral_received", D(1990, 1, 1), user="coordinator", today=D(2026, 3, 2)
        )
    holds = caseload.conn.timings.holds
    assert [h["label"] for h in holds] == ["write"]
    (hold,) = holds
    assert set(hold) == {"label", "wait", "sql", "audit", "commit", "hold", "statements", "cpu"}
    assert 0 < hold["cpu"] < 60  # this process's CPU seconds while it held the lock
    assert "assignments" in hold["statements"]  # the new assignment's rows, by table
    # The statements, the audit chain's and the COMMIT are parts of the hold.
    assert 0 < hold["sql"] + hold["audit"] + hold["commit"] <= hold["hold"]
    assert hold["audit"] > 0  # the entry and the chain head were written


def test_postgres_sessions_plan_each_execution_of_a_prepared_statement(store):
    """A generic plan kept from when a table was empty scanned the whole table on every
    call of an import (`assignments` at 100,000 cases): every execution is planned."""
    if not store.conn.postgres:
        pytest.skip("PostgreSQL's plan cache (SQLite plans each statement itself)")
    assert store.conn.execute("SHOW plan_cache_mode").fetchone()[0] == "force_custom_plan"
    assert store.conn.execute("SHOW jit").fetchone()[0] == "off"


# Caseworker names, looked up for a whole batch at once --------------------------------


def test_an_import_names_a_caseworker_once_whatever_case_or_spaces_it_is_typed_in(store):
    from eirules.core.importing import Assignment

    store.import_records(
        records(generate(part_c=3, part_b=0)), user="setup", evaluate_as_of=D(2026, 3, 2)
    )
    ids = [c["case_id"] for c in store.list_cases()]
    store.add_caseworker("Rhea Tallowby", user="setup")
    batch = [
        Assignment("a.csv", "row 2", ids[0], " rhea  tallowby "),
        Assignment("a.csv", "row 3", ids[1], "RHEA TALLOWBY"),
        Assignment("a.csv", "row 4", ids[2], "Ossian Vell"),
    ]
    store.import_records(batch, user="setup", new_caseworkers=True)
    current = dict(
        store.conn.execute("SELECT case_id, caseworker FROM assignments WHERE ended_at IS NULL")
    )
    assert [current[i] for i in ids] == ["Rhea Tallowby", "Rhea Tallowby", "Ossian Vell"]
    names = [r["name"] for r in store.caseworkers()]
    assert [n for n in names if n.casefold() == "rhea tallowby"] == ["Rhea Tallowby"]


WORD = st.from_regex(r"[A-Za-z]{1,4}", fullmatch=True)
NAME = st.lists(WORD, min_size=1, max_size=3).map(" ".join)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), stored=st.lists(NAME, max_size=6, unique=True))
def test_hypothesis_each_name_is_its_first_stored_spelling_or_itself_tidied(store, data, stored):
    """For any names stored and asked (ASCII: both databases' lower() agree on it), each
    asked name is the earliest-added stored name equal to it ignoring case and spacing,
    or the asked name with its spaces tidied; asking in one batch or one at a time agree."""
    store.conn.execute("DELETE FROM caseworkers")
    for i, name in enumerate(stored):
        store.conn.execute(
            "INSERT INTO caseworkers (name, added_at) VALUES (?, ?)",
            (name, f"2026-01-01T00:00:{59 - i:02d}+00:00"),  # the last listed is the oldest
        )
    variants = st.sampled_from(stored).map(lambda n: f"  {n.upper()} ") if stored else NAME
    asked = data.draw(st.lists(st.one_of(NAME, variants), max_size=8))
    got = store.caseworker_names(asked)
    oldest_first = list(reversed(stored))
    for raw in asked:
        tidy = " ".join(raw.split())
        same = [n for n in oldest_first if n.lower() == tidy.lower()]
        assert got[raw] == (same[0] if same else tidy)
        assert store.caseworker_name(raw) == got[raw]


def test_postgres_caseloads_in_two_schemas_have_a_write_lock_each(store, db_target):
    """Advisory locks belong to the database: the lock is keyed by the schema too, so a
    caseload kept as a schema never waits for another one's nightly run."""
    if not store.conn.postgres:
        pytest.skip("schemas are PostgreSQL's")
    import psycopg

    from eirules.core.store.backend import WRITE_LOCK
    from eirules.core.store.targets import libpq_url

    try_lock = WRITE_LOCK.replace("pg_advisory_xact_lock", "pg_try_advisory_xact_lock")
    other = db_target.replace("search_path%3D", "search_path%3Dother_")
    schema = store.conn.execute("SELECT current_schema()").fetchone()[0]
    with psycopg.connect(libpq_url(db_target), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA other_{schema}")
    try:
        with store.write("nightly", label="evaluation", durable=False):
            with psycopg.connect(libpq_url(db_target)) as same:
                assert same.execute(try_lock).fetchone()[0] is False  # this caseload: queued
            with psycopg.connect(libpq_url(other)) as elsewhere:
                assert elsewhere.execute(try_lock).fetchone()[0] is True  # another: free
    finally:
        with psycopg.connect(libpq_url(db_target), autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA other_{schema} CASCADE")


def test_a_writer_gives_up_after_the_busy_timeout_on_both_backends(store, db_target, monkeypatch):
    """A second writer waits for the write lock at most BUSY_TIMEOUT_SECONDS (SQLite's busy
    timeout, PostgreSQL's lock_timeout), is told the caseload is busy, and can write once
    the lock is free: a refused BEGIN leaves no transaction open."""
    from eirules.core.errors import StorageError
    from eirules.core.store import backend, base

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(base, "BUSY_TIMEOUT_SECONDS", 0.3)
    other = Store.open(db_target)
    try:
        with store.write("nightly", label="evaluation"):
            with pytest.raises(StorageError, match="the caseload is busy"):
                with other.write("coordinator"):
                    pass  # pragma: no cover: the lock is held
            assert not other.conn.in_transaction
        with other.write("coordinator") as audit:
            audit.append("test.write", "after the lock was freed")
        assert [e["action"] for e in store.audit_log()][-1] == "test.write"
        assert store.verify_audit()[1] == []
    finally:
        other.close()


def test_worker_processes_run_at_a_lower_priority_than_the_writer(engine):
    """Spawned workers lower their own priority by WORKER_NICENESS, so the process holding
    the write lock (and a coordinator's command) gets a core before them (issue 14)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from eirules.core.chunks import WORKER_NICENESS, EngineRecipe, start_worker
    from eirules.core.engine import Engine

    recipe = EngineRecipe.of(Engine())
    assert recipe is not None
    mine = os.nice(0)
    with ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(recipe,),
    ) as pool:
        theirs = pool.submit(os.nice, 0).result(timeout=120)
    assert theirs == min(19, mine + WORKER_NICENESS)
    assert os.nice(0) == mine  # the writer's own priority is untouched


def test_postgres_a_large_import_refreshes_the_planner_statistics(store, monkeypatch):
    """After an import of ANALYZE_AFTER cases or more, PostgreSQL's statistics describe the
    new tables (else the statewide `due` is planned from an empty caseload until autovacuum
    samples it: 1.4 s to its first row at 100,000 cases, 21 ms after); a smaller import
    leaves them to autovacuum."""
    if not store.conn.postgres:
        pytest.skip("SQLite plans without statistics kept by a server")
    from eirules.core.store import imports

    def analyzed() -> dict[str, bool]:
        rows = store.conn.execute(
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema()"
        ).fetchall()
        return {name: done for name, done in rows if name in imports.ANALYZED_TABLES}

    monkeypatch.setattr(imports, "ANALYZE_AFTER", 30)
    store.import_records(records(generate(part_c=10, part_b=5)), user="setup",
                         evaluate_as_of=D(2026, 3, 2))  # fmt: skip
    assert set(analyzed().values()) == {False}
    store.import_records(records(generate(part_c=20, part_b=10, seed=2)), user="setup",
                         evaluate_as_of=D(2026, 3, 2))  # fmt: skip
    assert analyzed() == dict.fromkeys(imports.ANALYZED_TABLES, True)
