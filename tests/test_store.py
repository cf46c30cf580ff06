"""The caseload store: schema, import, assignments, events, evaluation, due and replay."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from eirules.core.errors import InputError, StorageError
from eirules.core.importing import Record
from eirules.core.store import Store, canonical_json, default_db_path, migrations, sha256

D = date


def case_doc(case_id="T-0001", birth="2024-11-02", events=(), **more):
    """A Part C case file: referral on 2026-01-05 unless events are given."""
    events = list(events) or [{"type": "referral_received", "date": "2026-01-05"}]
    return {
        "schema": "eirules/case@1",
        "id": case_id,
        "ruleset": "us",
        "child": {"birth_date": birth, "name": "Ada Fictional"},
        "events": events,
        **more,
    }


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def store(db_target, engine):
    s, applied = Store.init(db_target, engine)
    assert applied == list(migrations.REVISIONS)
    yield s
    s.close()


def import_docs(store, docs, **kw):
    """Import case files; they are evaluated as of 2026-02-10 (the worked examples' date)."""
    kw.setdefault("evaluate_as_of", D(2026, 2, 10))
    return store.import_records(
        [Record("test.json", f"record {i}", d) for i, d in enumerate(docs, 1)], user="tester", **kw
    )


def count(store, table):
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# Schema ----------------------------------------------------------------------------------


def test_init_creates_named_tables_with_wal_foreign_keys_and_busy_timeout(store):
    tables = set(store.conn.table_names())
    for name in (
        "cases",
        "children",
        "events",
        "evaluations",
        "service_plans",
        "caseworkers",
        "assignments",
        "determinations",
        "clocks",
        "audit_log",
        "evaluation_runs",
    ):
        assert name in tables
    assert migrations.pending(store.conn) == []
    if store.conn.postgres:
        return
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_init_twice_applies_nothing_the_second_time(tmp_path, engine):
    Store.init(tmp_path / "c.db", engine)[0].close()
    store, applied = Store.init(tmp_path / "c.db", engine)
    assert applied == []
    store.close()


def test_open_missing_database_says_how_to_create_it(tmp_path):
    with pytest.raises(StorageError) as err:
        Store.open(tmp_path / "nope.db")
    assert "eirules db init" in str(err.value)


def test_open_file_without_schema_says_to_run_init(tmp_path):
    (tmp_path / "empty.db").write_bytes(b"")
    with pytest.raises(StorageError) as err:
        Store.open(tmp_path / "empty.db")
    assert "not an eirules caseload" in str(err.value)


def test_open_a_text_file_is_a_storage_error_not_a_traceback(tmp_path):
    (tmp_path / "junk.db").write_text("this is not sqlite" * 100)
    with pytest.raises(StorageError) as err:
        Store.open(tmp_path / "junk.db")
    assert str(err.value) == (
        f"{tmp_path / 'junk.db'} cannot be opened as a caseload database\n"
        "  file is not a database; check the path (--db, $EIRULES_DB), or create a new "
        "caseload with: eirules db init NEW.db"
    )


def test_default_path_comes_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EIRULES_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("EIRULES_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "eirules" / "caseload.db"


# Import ------------------------------------------------------------------------------------


def test_import_stores_case_rows_with_iso_dates(store):
    result = import_docs(store, [case_doc()])
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    row = store.conn.execute("SELECT type, date FROM events WHERE case_id = 'T-0001'").fetchone()
    assert row == ("referral_received", "2026-01-05")
    assert store.conn.execute("SELECT birth_date FROM children").fetchone()[0] == "2024-11-02"


def test_reimporting_the_same_case_is_idempotent_and_not_audited(store):
    import_docs(store, [case_doc()])
    entries = count(store, "audit_log")
    result = import_docs(store, [case_doc()])
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert count(store, "audit_log") == entries
    assert count(store, "events") == 1


def test_changed_case_is_updated_and_the_change_is_audited_with_before_and_after(store):
    import_docs(store, [case_doc()])
    changed = case_doc(
        events=[
            {"type": "referral_received", "date": "2026-01-05"},
            {"type": "ifsp_meeting_held", "date": "2026-02-10"},
        ]
    )
    result = import_docs(store, [changed])
    assert result.updated == 1
    assert count(store, "events") == 2
    entry = [e for e in store.audit_log("T-0001") if e["action"] == "case.updated"][-1]
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert len(before["events"]) == 1 and len(after["events"]) == 2


def test_one_bad_record_rolls_back_the_batch_and_lists_every_problem(store):
    bad_type = case_doc("T-0002", events=[{"type": "referal_received", "date": "2026-01-05"}])
    bad_date = case_doc("T-0003", birth="2024-13-40")
    with pytest.raises(InputError) as err:
        import_docs(store, [case_doc(), bad_type, bad_date])
    text = str(err.value)
    assert "nothing imported: 2 records not valid" in text
    assert (
        'test.json, record 2, events[0].type: "referal_received" is not a known event type' in text
    )
    assert 'did you mean "referral_received"' in text
    assert "test.json, record 3, child.birth_date" in text
    assert count(store, "cases") == 0
    assert count(store, "audit_log") == 0


def test_skip_invalid_imports_the_good_and_returns_rejects_with_reasons(store):
    bad = case_doc("T-0002", events=[{"type": "delay", "date": "2026-01-05"}])
    result = import_docs(store, [case_doc(), bad], skip_invalid=True)
    assert result.created == 1
    assert len(result.rejected) == 1
    reject = result.rejected[0]
    assert reject["record"] == "record 2"
    (problem,) = reject["problems"]
    assert problem.startswith("test.json, record 2, events[0].reason: ")
    assert '"delay"' in problem and "exceptional_family_circumstances" in problem
    assert reject["data"]["id"] == "T-0002"


def test_duplicate_case_id_in_one_import_is_a_problem(store):
    with pytest.raises(InputError) as err:
        import_docs(store, [case_doc(), case_doc()])
    assert 'case "T-0001" appears twice in this import' in str(err.value)


def test_import_folder_of_files_and_a_list_file(store, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.json", case_doc("A-1"))
    write(folder / "b.json", [case_doc("B-1"), case_doc("B-2")])
    result = store.import_paths([str(folder)], user="tester")
    assert result.created == 3


def test_import_invalid_json_names_file_line_and_column(store, tmp_path):
    (tmp_path / "broken.json").write_text('{"id": "X",\n  "child": }')
    with pytest.raises(InputError) as err:
        store.import_paths([str(tmp_path / "broken.json")], user="tester")
    assert f"{tmp_path / 'broken.json'}, line 2, column 12: not valid JSON" in str(err.value)


def test_import_missing_path_is_input_error(store, tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        store.import_paths([str(tmp_path / "missing")], user="tester")


# CSV ---------------------------------------------------------------------------------------

CSV_HEADER = "case_id,birth_date,child_name,program,caseworker,event_type,event_date,event_reason,event_until\n"


def test_csv_rows_group_into_cases_with_events_and_caseworker(store, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        CSV_HEADER
        + "C-1,2024-11-02,Ada Fictional,part_c,Rhea Tallowby,referral_received,2026-01-05,,\n"
        + "C-1,,,,,delay,2026-01-20,exceptional_family_circumstances,2026-02-01\n"
        + "C-2,2023-05-01,Bo Fictional,part_c,,,,,\n"
    )
    result = store.import_paths([str(path)], user="tester", new_caseworkers=True)
    assert (result.created, result.assigned) == (2, 1)
    doc = store.case_document("C-1")
    assert doc["events"][1] == {
        "type": "delay",
        "date": "2026-01-20",
        "reason": "exceptional_family_circumstances",
        "until": "2026-02-01",
    }
    assert doc["enrolments"] == [{"program": "part_c"}]
    assert store.list_cases(caseworker="Rhea Tallowby")[0]["case_id"] == "C-1"


def test_csv_problem_names_file_row_and_column(store, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        CSV_HEADER
        + "C-1,2024-11-02,,,,referral_received,2026-01-05,,\n"
        + "C-1,,,,,delay,2026-01-99,,\n"
    )
    with pytest.raises(InputError) as err:
        store.import_paths([str(path)], user="tester")
    text = str(err.value)
    assert f"{path}, rows 2-3, row 3, event_date" in text
    assert f"{path}, rows 2-3, row 3, event_reason" in text


def test_csv_conflicting_case_columns_and_unknown_column(store, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,birth_date,colour\nC-1,2024-11-02,red\n")
    with pytest.raises(InputError, match="column 'colour': unknown column"):
        store.import_paths([str(path)], user="tester")
    path.write_text(CSV_HEADER + "C-1,2024-11-02,,,,,,,\nC-1,2024-11-03,,,,,,,\n")
    with pytest.raises(
        InputError, match="row 3, birth_date: differs from an earlier row of this case"
    ):
        store.import_paths([str(path)], user="tester")


def test_assignments_csv_assigns_caseworkers(store, tmp_path):
    import_docs(store, [case_doc("A-1")])
    path = tmp_path / "assignments.csv"
    path.write_text("case_id,caseworker\nA-1,Inez Marchbank\n")
    # The caseload's first caseworkers are accepted: there is no one to mistake them for.
    assert store.import_paths([str(path)], user="tester").assigned == 1
    path.write_text("case_id,caseworker\nA-1,Inez Marchbnk\n")
    with pytest.raises(
        InputError,
        match='no caseworker "Inez Marchbnk" in the caseload; did you mean "Inez Marchbank"',
    ):
        store.import_paths([str(path)], user="tester")
    path.write_text("case_id,caseworker\nA-1,Inez Marchbnk\n")
    assert store.import_paths([str(path)], user="tester", new_caseworkers=True).assigned == 1
    path.write_text("case_id,caseworker\nZ-9,Inez Marchbank\n")
    with pytest.raises(InputError, match='no case "Z-9" in the caseload'):
        store.import_paths([str(path)], user="tester")


# Assignments and events ------------------------------------------------------------------


def test_reassignment_keeps_history_and_is_audited(store):
    import_docs(store, [case_doc()])
    assert store.assign("T-0001", "Rhea Tallowby", user="sup", new_caseworker=True)
    assert store.assign("T-0001", "Inez Marchbank", user="sup", new_caseworker=True)
    assert not store.assign("T-0001", "Inez Marchbank", user="sup", new_caseworker=True)
    history = store.case_summary("T-0001")["assignments"]
    assert [a["caseworker"] for a in history] == ["Rhea Tallowby", "Inez Marchbank"]
    assert history[0]["ended_at"] is not None and history[1]["ended_at"] is None
    entry = store.audit_log("T-0001")[-1]
    assert (entry["user"], entry["action"]) == ("sup", "case.assigned")
    assert json.loads(entry["before"]) == {"caseworker": "Rhea Tallowby"}


def test_assign_unknown_case_suggests_a_close_id(store):
    import_docs(store, [case_doc("SYN-C-0001")])
    with pytest.raises(InputError) as err:
        store.assign("SYN-C-0010", "Rhea Tallowby", user="sup")
    assert 'did you mean "SYN-C-0001"?' in str(err.value)


def test_add_event_appends_and_evaluates_the_case_in_the_same_write(store):
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 1), user="t")
    store.add_event("T-0001", "ifsp_meeting_held", D(2026, 2, 10), user="cm", today=D(2026, 3, 1))
    assert [e["type"] for e in store.case_document("T-0001")["events"]] == [
        "referral_received",
        "ifsp_meeting_held",
    ]
    # Evaluated as of the day it was recorded, in the same transaction (issue 10).
    summary = store.case_summary("T-0001")
    assert summary["status"] == "pending"
    assert summary["determinations"][-1]["as_of"] == "2026-03-01"
    assert [e["action"] for e in store.audit_log("T-0001")[-2:]] == [
        "event.added",
        "evaluation.run",
    ]


def test_add_event_refuses_future_date_before_birth_and_unknown_type(store):
    import_docs(store, [case_doc()])
    with pytest.raises(InputError) as err:
        store.add_event("T-0001", "ifsp_meting_held", D(2026, 3, 2), user="cm", today=D(2026, 3, 1))
    text = str(err.value)
    assert (
        'TYPE: "ifsp_meting_held" is not a known event type; did you mean "ifsp_meeting_held"?'
        in text
    )
    assert "DATE: 2026-03-02 is in the future (today is 2026-03-01)" in text
    with pytest.raises(
        InputError, match=r"DATE: 2024-11-01 is before the child.s birth; check the date"
    ):
        store.add_event(
            "T-0001", "referral_received", D(2024, 11, 1), user="cm", today=D(2026, 3, 1)
        )
    with pytest.raises(InputError, match='--reason: .*"delay" event'):
        store.add_event("T-0001", "delay", D(2026, 1, 10), user="cm", today=D(2026, 3, 1))
    assert len(store.case_document("T-0001")["events"]) == 1


def test_export_imports_back_unchanged(store):
    import_docs(store, [case_doc(conditions=[{"name": "Down syndrome", "code": "Q90.9"}])])
    exported = store.case_document("T-0001")
    assert import_docs(store, [json.loads(json.dumps(exported))]).unchanged == 1


# Evaluation, due and replay -----------------------------------------------------------------


def test_referral_2026_01_05_is_due_2026_02_19_with_9_days_left_on_2026_02_10(store):
    """34 CFR 303.310(a): the initial IFSP meeting within 45 days of the referral (day 0 = referral day)."""
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 10), user="t")
    rows = store.due(as_of=D(2026, 2, 10))
    ifsp = [r for r in rows if r["clock"] == "initial_ifsp_meeting"]
    assert ifsp[0]["due"] == "2026-02-19"
    assert ifsp[0]["days_left"] == 9
    assert ifsp[0]["citation"].startswith("34 CFR 303.310")
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)


def test_overdue_lists_the_clock_three_days_late_on_2026_02_22(store):
    """Due 2026-02-19 and no meeting held: overdue by 3 days on 2026-02-22 (303.310(a))."""
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 22), user="t")
    rows = store.due(as_of=D(2026, 2, 22), overdue_only=True)
    assert [(r["case_id"], r["clock"], r["days_left"]) for r in rows] == [
        ("T-0001", "initial_ifsp_meeting", -3)
    ]
    with pytest.raises(InputError, match='no caseworker "Nobody" in the caseload'):
        store.due(as_of=D(2026, 2, 22), overdue_only=True, caseworker="Nobody")


def test_due_within_limits_the_window(store):
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 10), user="t")
    assert store.due(as_of=D(2026, 2, 10), within_days=8) == [] or all(
        r["due"] <= "2026-02-18" for r in store.due(as_of=D(2026, 2, 10), within_days=8)
    )
    assert "initial_ifsp_meeting" in [
        r["clock"] for r in store.due(as_of=D(2026, 2, 10), within_days=9)
    ]


def test_due_query_uses_the_clock_index(store):
    if store.conn.postgres:  # PostgreSQL's planner scans a tiny table whatever the indexes
        store.conn.execute("SET enable_seqscan = off")
        plan = store.conn.execute(
            "EXPLAIN SELECT * FROM clocks k WHERE k.is_open = 1 AND k.due IS NOT NULL "
            "AND k.due <= '2026-03-01' ORDER BY k.due"
        ).fetchall()
        store.conn.execute("SET enable_seqscan = on")
        assert any("clocks_open_due" in row[0] for row in plan), plan
        return
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM clocks k WHERE k.is_open = 1 AND k.due IS NOT NULL "
        "AND k.due <= '2026-03-01' ORDER BY k.due"
    ).fetchall()
    assert any("clocks_open_due" in row[-1] for row in plan)


def _due_plan(store, caseworker=None) -> list[str]:
    """The plan of the whole-caseload (or one caseworker's) `due` query, one line per step."""
    current = store._current_sql(D(2026, 2, 10), caseworker)
    [(sql, params)] = store._indexed_sql(caseworker, current, D(2026, 2, 10))
    return _plan(store, sql, params)


def _plan(store, sql, params) -> list[str]:
    if store.conn.postgres:  # a sort must cost more than reading the index in order
        store.conn.execute("SET enable_sort = off")
        try:
            return [r[0] for r in store.conn.execute("EXPLAIN " + sql, params)]
        finally:
            store.conn.execute("SET enable_sort = on")
    return [r[-1] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def test_whole_caseload_due_reads_clocks_in_order_from_clocks_due_order(store):
    """Issue 15: statewide `due` waited 8.4 s at 100,000 cases for a sort of every open
    row; read in order from the index (revision 0008) its first row comes at once. The
    plan must use clocks_due_order and sort nothing, on SQLite and PostgreSQL."""
    import_docs(store, [case_doc(), case_doc(case_id="T-0002")])
    store.evaluate(as_of=D(2026, 2, 10), user="t")
    plan = _due_plan(store)
    assert any("clocks_due_order" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step or "Sort" in step for step in plan), plan
    # The order is the listing's: the first two rows are those `due` gives first.
    rows = store.due(as_of=D(2026, 2, 10))
    keys = [(r["due"] is None, r["due"] or "", r["case_id"], r["kind"]) for r in rows]
    assert keys == sorted(keys)


def test_determination_stores_ruleset_version_engine_as_of_and_inputs_hash(store):
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 10), user="t")
    det = store.determination("T-0001", 1)
    document = store.case_document("T-0001")
    assert det["inputs_hash"] == sha256(canonical_json(document))
    assert det["as_of"] == "2026-02-10"
    assert det["ruleset"] == "us"
    assert det["ruleset_version"] == store.engine.rulesets.get("us").full_version
    assert det["engine"].startswith("eirules ")


def test_second_run_reports_new_overdue_clock(store):
    """Pending on 2026-02-10, overdue on 2026-02-20 (due 2026-02-19): reported as a change."""
    import_docs(store, [case_doc()])
    first = store.evaluate(as_of=D(2026, 2, 10), user="t")
    # The import evaluated it already (as of 2026-02-10): nothing new, nothing changed.
    assert first.first_evaluations == 0 and first.changes == ()
    second = store.evaluate(as_of=D(2026, 2, 20), user="t")
    overdue = [c for c in second.changes if c.kind == "new_overdue"]
    assert [(c.case_id, c.after) for c in overdue] == [("T-0001", "2026-02-19")]
    third = store.evaluate(as_of=D(2026, 2, 21), user="t")
    assert [c for c in third.changes if c.kind == "new_overdue"] == []
    # Stored: the import's (2026-02-10) and 2026-02-20's; the second 2026-02-10 run and
    # 2026-02-21's decided what the latest one did, so they are not stored again.
    assert (first.unchanged, second.unchanged, third.unchanged) == (1, 0, 1)
    dets = store.case_summary("T-0001")["determinations"]
    assert [(d["number"], d["as_of"]) for d in dets] == [(1, "2026-02-10"), (2, "2026-02-20")]
    row = store.conn.execute("SELECT evaluated_as_of FROM cases").fetchone()
    assert row[0] == "2026-02-21"


def test_replay_gives_the_same_answer_and_detects_a_tampered_result(store):
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 10), user="t")
    assert store.replay("T-0001", 1).same
    stored = json.loads(store.determination("T-0001", 1)["result"])
    stored["clocks"][0]["due"] = "2026-02-20"
    store.conn.execute(
        "UPDATE determinations SET result = ? WHERE case_id = 'T-0001'", (json.dumps(stored),)
    )
    result = store.replay("T-0001", 1)
    assert not result.same
    assert result.differences[0].startswith("clocks: stored")


def test_replay_of_missing_determination_says_how_many_there_are(store):
    import_docs(store, [case_doc()])
    store.evaluate(as_of=D(2026, 2, 20), user="t")  # overdue now: a second determination
    with pytest.raises(InputError, match="numbered 1 to 2"):
        store.replay("T-0001", 4)


def test_case_status_follows_the_most_urgent_clock(store):
    import_docs(store, [case_doc()])
    # Evaluated by the import as of 2026-02-10: due 2026-02-19, 9 days left, within 14.
    assert store.list_cases()[0]["status"] == "due_soon"
    store.evaluate(as_of=D(2026, 2, 22), user="t")
    assert [c["case_id"] for c in store.list_cases(status="overdue")] == ["T-0001"]
    assert store.list_cases(program="part_b") == []


def test_unknown_ruleset_fails_that_case_only(store):
    import_docs(store, [case_doc(), case_doc("T-0002", ruleset="no-such-ruleset")])
    report = store.evaluate(as_of=D(2026, 2, 10), user="t")
    assert report.evaluated == 1
    assert [f[0] for f in report.failures] == ["T-0002"]
    assert store.case_summary("T-0002")["status"] == "evaluation_failed"


def test_parallel_evaluation_stores_exactly_what_one_process_stores(tmp_path, engine):
    from eirules.cli.synthetic import generate, records

    results = []
    for jobs in (1, 2):
        s, _ = Store.init(tmp_path / f"j{jobs}.db", engine)
        s.jobs = jobs
        s.import_records(records(generate(part_c=60, part_b=40)), user="t", new_caseworkers=True)
        report = s.evaluate(as_of=D(2026, 3, 2), user="t", chunk=25)
        assert report.evaluated == 100 and report.failures == ()
        results.append(
            s.conn.execute(
                "SELECT case_id, number, result FROM determinations ORDER BY case_id"
            ).fetchall()
        )
        results.append(
            s.conn.execute(
                "SELECT case_id, clock, due, status FROM clocks ORDER BY case_id, clock, due"
            ).fetchall()
        )
        s.close()
    assert results[0] == results[2] and results[1] == results[3]


def test_stored_documents_read_back_as_the_same_cases(engine):
    from eirules.cli.synthetic import generate
    from eirules.core.convert import case_to_dict
    from eirules.core.store import stored_case

    for document, _ in generate(part_c=30, part_b=30):
        case = engine.case_from_dict(document)
        assert stored_case(engine, json.loads(canonical_json(case_to_dict(case)))) == case


def _back_to_revision_0002(conn) -> None:
    """Make a caseload look as one made before 0003_staff_and_access_log existed."""
    for table in ("staff", "access_log", "audit_content"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("UPDATE alembic_version SET version_num = '0002_ruleset_versions'")
    conn.commit()


def test_a_new_migration_must_be_applied_with_db_upgrade(db_target, engine):
    from click.testing import CliRunner

    from eirules.cli import cli
    from eirules.core.store.targets import display

    store = Store.init(db_target, engine)[0]
    _back_to_revision_0002(store.conn)
    store.close()
    with pytest.raises(StorageError) as err:
        Store.open(db_target, engine)
    assert "needs upgrading" in str(err.value)
    assert (
        "migrations not applied: 0003_staff_and_access_log, 0004_audit_content, 0005_due_items, "
        "0006_current_evaluation, 0007_staff_tokens, 0008_due_order_index, 0009_token_expiry, "
        "0010_late_clocks_stay_listed, 0011_cases_evaluation_index, 0012_stability_interval, 0013_clock_closed_on, 0014_listing_columns_on_clocks, 0015_listed_text_on_clocks, 0016_caseworker_name_key, 0017_late_excused_cases_overdue; run: eirules db upgrade"
        in str(err.value)
    )
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", str(db_target)])
    assert result.output == (
        f"Applied to {display(db_target)}: 0003_staff_and_access_log, 0004_audit_content, "
        "0005_due_items, 0006_current_evaluation, 0007_staff_tokens, 0008_due_order_index, 0009_token_expiry, "
        "0010_late_clocks_stay_listed, 0011_cases_evaluation_index, 0012_stability_interval, 0013_clock_closed_on, 0014_listing_columns_on_clocks, 0015_listed_text_on_clocks, 0016_caseworker_name_key, 0017_late_excused_cases_overdue\n"
    )
    store = Store.open(db_target, engine)
    assert {"staff", "access_log"} <= set(store.conn.table_names())
    assert migrations.applied(store.conn) == list(migrations.REVISIONS)
    store.close()


def test_the_revision_list_is_alembics_history():
    """Opening a caseload compares with REVISIONS without loading Alembic: they must agree."""
    assert migrations.history() == list(migrations.REVISIONS)


def test_a_file_made_before_alembic_opens_and_upgrades_in_place(tmp_path, engine):
    """Files made by sqlite-utils' migrations (_sqlite_migrations) count as at the same revision."""
    path = tmp_path / "legacy.db"
    store = Store.init(path, engine)[0]
    import_docs(store, [case_doc()])
    store.close()
    conn = sqlite3.connect(path)
    for table in ("alembic_version", "staff", "access_log", "audit_content"):  # as 0.1.0 made it
        conn.execute(f"DROP TABLE {table}")
    conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT)")
    conn.executemany(
        "INSERT INTO _sqlite_migrations VALUES ('eirules', ?, '2026-01-01')",
        [("0001_initial_caseload",), ("0002_ruleset_versions",)],
    )
    conn.commit()
    conn.close()
    with pytest.raises(StorageError) as err:
        Store.open(path, engine)
    assert "migrations not applied: 0003_staff_and_access_log" in str(err.value)
    store, applied = Store.init(path, engine)
    assert applied == [
        "0003_staff_and_access_log",
        "0004_audit_content",
        "0005_due_items",
        "0006_current_evaluation",
        "0007_staff_tokens",
        "0008_due_order_index",
        "0009_token_expiry",
        "0010_late_clocks_stay_listed",
        "0011_cases_evaluation_index",
        "0012_stability_interval",
        "0013_clock_closed_on",
        "0014_listing_columns_on_clocks",
        "0015_listed_text_on_clocks",
        "0016_caseworker_name_key",
        "0017_late_excused_cases_overdue",
    ]
    assert store.list_cases()[0]["case_id"] == "T-0001"
    assert store.conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        migrations.latest()
    )
    store.close()
