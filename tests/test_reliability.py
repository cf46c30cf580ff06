"""Crashes, concurrent writers and bad input never leave the caseload half-written.

The crash tests run a real import or evaluation in a child process, wait until
it has written part of its batch inside its transaction, kill it with SIGKILL,
and check the database is exactly as before and a second run succeeds.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli.synthetic import generate, records
from eirules.core.errors import InputError
from eirules.core.importing import Record
from eirules.core.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CHILD_IMPORT = textwrap.dedent(
    """
    import sys, time
    from eirules.cli.synthetic import iter_cases, records
    from eirules.core.engine import Engine
    from eirules.core.importing import Record
    from eirules.core.store import imports
    from eirules.core.store import Store

    imports.CHUNK = 100  # small batches so a short run still writes several inside its transaction
    db, prefix, pause_after, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    store = Store.open(db, Engine(entry_points=False))

    def slow():
        for i, (doc, worker) in enumerate(iter_cases(part_c=300, part_b=0), start=1):
            doc["id"] = prefix + doc["id"]
            if i == pause_after:
                print("READY", flush=True)
                time.sleep(pause)
            yield Record("child", f"record {i}", doc, caseworker=worker)

    result = store.import_records(slow(), user=prefix or "child")
    print("DONE", result.created, flush=True)
    """
)

CHILD_EVALUATE = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from eirules.core.engine import Engine
    from eirules.core.store import Store

    engine = Engine(entry_points=False)
    real = engine.evaluate_stable  # what store.evaluate calls
    calls = [0]

    def evaluate(case, ruleset=None, as_of=None):
        calls[0] += 1
        if calls[0] == 110:  # in the third chunk of 50: the first is committed, the second held
            print("READY", flush=True)
            time.sleep(60)
        return real(case, ruleset, as_of)

    engine.evaluate_stable = evaluate
    store = Store.open(sys.argv[1], engine)
    # In this process: with worker processes, which one reaches its 60th case
    # depends on scheduling, and the test would be flaky.
    store.jobs = 1
    store.evaluate(as_of=date(2026, 3, 2), user="child", chunk=50)
    """
)


CHILD_ADD_EVENTS = textwrap.dedent(
    """
    import sys, time
    from datetime import date, timedelta
    from eirules.core.engine import Engine
    from eirules.core.store import Store

    db, first_day, count, pause = sys.argv[1], date.fromisoformat(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    engine = Engine(entry_points=False)
    if pause:  # hold the case between reading it and writing it back
        real = engine.case_from_dict

        def slow(*args, **kwargs):
            case = real(*args, **kwargs)
            print("READY", flush=True)
            time.sleep(pause)
            return case

        engine.case_from_dict = slow
    store = Store.open(db, engine)
    for i in range(count):
        store.add_event("SYN-C-0001", "service_started", first_day + timedelta(days=i),
                        user="child", today=date(2026, 12, 31), note=f"{sys.argv[2]} {i}")
    print("DONE", flush=True)
    """
)


def snapshot(db: Path) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "cases",
                "children",
                "events",
                "assignments",
                "case_documents",
                "determinations",
                "clocks",
                "evaluation_runs",
                "audit_log",
            )
        }
    finally:
        conn.close()


def start(script: str, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so a kill takes its workers too
    )


def wait_ready(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()
    if not line.startswith("READY"):  # two workers may print it at once: READYREADY
        proc.kill()
        raise AssertionError(line + proc.stderr.read())


@pytest.fixture
def seeded_db(tmp_path, engine):
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, engine)
    store.import_records(
        records(generate(part_c=40, part_b=20)), user="setup", new_caseworkers=True
    )
    store.close()
    return db


def test_kill_during_import_leaves_database_as_before_and_reimport_succeeds(seeded_db, engine):
    before = snapshot(seeded_db)
    proc = start(CHILD_IMPORT, seeded_db, "K-", 250, 60)
    wait_ready(proc)  # two chunks of 100 cases are written inside the open transaction
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(seeded_db) == before
    store = Store.open(seeded_db, engine)
    assert store.verify_audit()[1] == []
    store.close()
    again = start(CHILD_IMPORT, seeded_db, "K-", 0, 0)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.strip() == "DONE 300"
    assert snapshot(seeded_db)["cases"] == before["cases"] + 300


def test_kill_during_evaluation_keeps_whole_committed_chunks_and_a_verifiable_log(tmp_path, engine):
    """evaluate commits chunk by chunk: a killed run keeps whole chunks, marked unfinished."""
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, engine)
    store.import_records(
        records(generate(part_c=140, part_b=60)), user="setup", new_caseworkers=True
    )
    store.close()
    before = snapshot(db)
    proc = start(CHILD_EVALUATE, db)
    wait_ready(proc)  # chunk 1 committed, chunk 2 evaluated, chunk 3 under way
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    after = snapshot(db)
    # The import's own evaluation (200 determinations, run 1) and the killed run's first
    # chunk: its 50 cases are current as of 2026-03-02, a determination stored for each
    # whose decision differs from the import's (the others' stands, not stored again).
    conn = sqlite3.connect(db)
    current = conn.execute(
        "SELECT count(*) FROM cases WHERE evaluated_as_of = '2026-03-02'"
    ).fetchone()[0]
    stored = conn.execute("SELECT count(*) FROM determinations WHERE run_id = 2").fetchone()[0]
    conn.close()
    assert current == 50 and 0 < stored <= 50
    assert after["determinations"] == 200 + stored and after["evaluation_runs"] == 2
    assert {
        k: v
        for k, v in after.items()
        if k not in ("determinations", "clocks", "evaluation_runs", "audit_log")
    } == {
        k: v
        for k, v in before.items()
        if k not in ("determinations", "clocks", "evaluation_runs", "audit_log")
    }
    store = Store.open(db, engine)
    assert store.verify_audit()[1] == []
    run = store.conn.execute(
        "SELECT finished_at, cases FROM evaluation_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert run == (None, 0)
    # Each committed case has its determination and all of its clock rows.
    for (case_id,) in store.conn.execute("SELECT DISTINCT case_id FROM determinations").fetchall():
        stored = json.loads(store.determination(case_id)["result"])
        assert store.conn.execute(
            "SELECT count(*) FROM clocks WHERE case_id = ? AND kind = 'clock'", (case_id,)
        ).fetchone()[0] == len(stored["clocks"])
    report = store.evaluate(as_of=date(2026, 3, 2), user="again")
    assert report.evaluated == 200 and report.first_evaluations == 0  # the import evaluated all
    assert store.verify_audit()[1] == []
    store.close()


def test_two_writers_at_once_both_succeed_one_waiting_for_the_other(seeded_db, engine):
    before = snapshot(seeded_db)
    first = start(CHILD_IMPORT, seeded_db, "A-", 120, 0.8)
    wait_ready(first)  # first holds the write lock, mid-transaction
    second = start(CHILD_IMPORT, seeded_db, "B-", 0, 0)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert out1.strip() == "DONE 300" and out2.strip() == "DONE 300"
    after = snapshot(seeded_db)
    assert after["cases"] == before["cases"] + 600
    store = Store.open(seeded_db, engine)
    count, problems = store.verify_audit()
    users = {e["user"] for e in store.audit_log()}
    store.close()
    assert problems == []
    assert {"A-", "B-"} <= users


def _events_of(db: Path, case_id: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM events WHERE case_id = ?", (case_id,)).fetchone()[
            0
        ]
    finally:
        conn.close()


def test_lost_update_a_case_held_by_one_writer_keeps_the_other_writers_event(seeded_db):
    """add-event read the case before taking the write lock and wrote back from that copy.

    Writer A reads the case and pauses before writing; writer B adds an event in
    that pause. Both succeed: the case must end with both events, not only A's.
    """
    before = _events_of(seeded_db, "SYN-C-0001")
    first = start(CHILD_ADD_EVENTS, seeded_db, "2026-06-01", 1, 1.5)
    wait_ready(first)
    second = start(CHILD_ADD_EVENTS, seeded_db, "2026-07-01", 1, 0)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert _events_of(seeded_db, "SYN-C-0001") == before + 2


def test_two_processes_adding_events_to_one_case_lose_none(seeded_db, engine):
    """Two real processes, 20 events each on one case: 40 more events, 40 audit entries."""
    before = _events_of(seeded_db, "SYN-C-0001")
    writers = [
        start(CHILD_ADD_EVENTS, seeded_db, day, 20, 0) for day in ("2026-05-01", "2026-08-01")
    ]
    for proc in writers:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0 and out.strip() == "DONE", err
    assert _events_of(seeded_db, "SYN-C-0001") == before + 40
    store = Store.open(seeded_db, engine)
    document = store.case_document("SYN-C-0001")
    added = [e for e in store.audit_log("SYN-C-0001") if e["action"] == "event.added"]
    store.close()
    assert (
        len([e for e in document["events"] if e["type"] == "service_started" and e.get("note")])
        == 40
    )
    assert len(added) == 40


# Bad input --------------------------------------------------------------------------------


def fresh_store(engine) -> Store:
    path = Path(tempfile.mkdtemp(prefix="eirules-h-")) / "c.db"
    store, _ = Store.init(path, engine)
    store.import_records(
        [
            Record(
                "seed.json",
                "record 1",
                {
                    "id": "S-1",
                    "child": {"birth_date": "2024-11-02"},
                    "events": [{"type": "referral_received", "date": "2026-01-05"}],
                },
            )
        ],
        user="seed",
    )
    return store


def state(store: Store) -> tuple:
    conn = store.conn
    return tuple(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("cases", "events", "children", "case_documents", "audit_log", "assignments")
    ) + (conn.execute("SELECT document_hash FROM cases WHERE id = 'S-1'").fetchone(),)


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2026-01-05", "2026-02-30", "referral_received", "delay", ""]),
)
json_value = st.recursive(
    json_leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=8), kids, max_size=3)
    ),
    max_leaves=8,
)
BASE = {
    "id": "H-1",
    "ruleset": "us",
    "child": {"birth_date": "2024-11-02"},
    "events": [{"type": "referral_received", "date": "2026-01-05"}],
}


@st.composite
def mangled_case(draw):
    data = json.loads(json.dumps(BASE))
    path = draw(
        st.sampled_from(
            [
                ("id",),
                ("child",),
                ("child", "birth_date"),
                ("events",),
                ("events", 0),
                ("events", 0, "type"),
                ("events", 0, "date"),
                ("ruleset",),
                ("extra",),
                ("child", "name"),
                ("evaluations",),
            ]
        )
    )
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = draw(json_value)
    return data


@given(mangled_case())
def test_hypothesis_bad_case_files_are_rejected_with_messages_and_nothing_written(engine, data):
    store = fresh_store(engine)
    try:
        before = state(store)
        try:
            store.import_records([Record("h.json", "record 1", data)], user="h")
        except InputError as exc:
            assert exc.problems and all(str(p).startswith("h.json, record 1") for p in exc.problems)
            assert state(store) == before
        else:
            assert store.case_document(data["id"])["id"] == data["id"]
    finally:
        store.close()


cell = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10),
    st.sampled_from(
        [
            "",
            "2026-01-05",
            "2024-11-02",
            "delay",
            "referral_received",
            "part_c",
            "H-1",
            "31",
            "exceptional_family_circumstances",
        ]
    ),
)


@given(st.lists(st.tuples(cell, cell, cell, cell, cell), min_size=1, max_size=4))
def test_hypothesis_bad_csv_rows_are_rejected_and_nothing_written(engine, rows):
    import csv

    store = fresh_store(engine)
    path = store.path.parent / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "birth_date", "event_type", "event_date", "event_reason"])
        writer.writerows(rows)
    try:
        before = state(store)
        try:
            store.import_paths([str(path)], user="h")
        except InputError as exc:
            assert exc.problems
            assert all(str(p).startswith(str(path)) for p in exc.problems)
            assert state(store) == before
    finally:
        store.close()


@given(
    st.binary(max_size=200).map(lambda b: b"case_id,birth_date,event_type,event_date\n" + b),
    st.sampled_from(["bytes.csv", "bytes.json"]),
)
def test_hypothesis_arbitrary_file_bytes_are_rejected_with_messages(engine, content, name):
    """Any bytes in a .csv or .json file (code pages, binary junk): problems, never a traceback."""
    store = fresh_store(engine)
    path = store.path.parent / name
    path.write_bytes(content if name.endswith(".csv") else content[41:])
    try:
        before = state(store)
        try:
            store.import_paths([str(path)], user="h")
        except InputError as exc:
            assert exc.problems
            assert all(str(p).startswith(str(path)) for p in exc.problems)
            assert state(store) == before
    finally:
        store.close()


@given(
    st.one_of(
        st.text(max_size=20), st.sampled_from(["delay", "ifsp_meeting_held", "referral_received"])
    ),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.one_of(
        st.none(), st.text(max_size=10), st.sampled_from(["exceptional_family_circumstances"])
    ),
    st.one_of(st.none(), st.text(max_size=10)),
)
def test_hypothesis_bad_event_arguments_are_rejected_and_nothing_written(
    engine, etype, on, reason, note
):
    store = fresh_store(engine)
    try:
        before = state(store)
        try:
            store.add_event(
                "S-1", etype, on, user="h", reason=reason, note=note, today=date(2026, 3, 1)
            )
        except InputError as exc:
            assert exc.problems
            assert state(store) == before
        else:
            assert etype in engine.event_types
            assert date(2024, 11, 2) <= on <= date(2026, 3, 1)
            events = store.case_document("S-1")["events"]
            assert any(e["type"] == etype and e["date"] == on.isoformat() for e in events)
    finally:
        store.close()
