"""Issue 15: the statewide `due` gives its first row without reading every case first.

The cases whose stored clock rows cannot answer for the date asked (changed, failed,
never evaluated, evaluated as of another date or by another engine, ruleset version or
calendars state) are found by indexes (cases_status, and cases_evaluation of revision
0011), so the time to the first row follows the number of those cases, not the size of
the caseload. What is listed is exactly what evaluating every case gives.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from eirules.core.engine import Engine
from eirules.core.store import Store
from eirules.core.store.listing_rows import _wanted

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


@pytest.fixture
def demo(db_target):
    """The 240-case demo caseload, evaluated on import as of 2026-03-02, on each backend."""
    store, _ = Store.init(db_target, Engine(entry_points=False))
    store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=AS_OF)
    yield store
    store.close()


def _set(store: Store, sql: str, params=()) -> None:
    store.conn.execute(sql, params)
    if not store.conn.postgres:
        store.conn.commit()


_WHEN = "evaluated_as_of, stable_from, stable_until"


def _every_case_evaluated_for_the_answer(store: Store, as_of: date) -> tuple:
    """The listing as of `as_of` with no stored clock row answering (the reference): no
    as-of date and no stability interval on any case."""
    saved = store.conn.execute(f"SELECT {_WHEN}, id FROM cases").fetchall()
    _set(store, "UPDATE cases SET evaluated_as_of = NULL, stable_from = NULL, stable_until = NULL")
    try:
        answer = store.due(as_of=as_of)
        assert answer.refreshed == 240
        return answer.rows
    finally:
        store.conn.executemany(
            "UPDATE cases SET evaluated_as_of = ?, stable_from = ?, stable_until = ? WHERE id = ?",
            saved,
        )
        if not store.conn.postgres:
            store.conn.commit()


def _holds(store: Store, day: date) -> set[str]:
    """The cases whose stability interval holds `day` (core/store/currency.py holds_sql)."""
    return {
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM cases WHERE stable_from <= ? AND (stable_until IS NULL OR ? < "
            "stable_until)",
            (day.isoformat(), day.isoformat()),
        )
    }


def test_a_caseload_evaluated_on_several_dates_lists_what_evaluating_every_case_gives(demo):
    """Cases evaluated the day before or the day after (no interval: not current; with one
    holding the date: current), by an older engine, and never (a NULL date with a
    current-looking status): each not current is re-evaluated, none hidden, none stale."""
    store = demo
    reference = _every_case_evaluated_for_the_answer(store, AS_OF)
    before = (AS_OF - timedelta(days=1)).isoformat()
    after = (AS_OF + timedelta(days=1)).isoformat()
    no_interval = "stable_from = NULL, stable_until = NULL"
    _set(
        store, f"UPDATE cases SET evaluated_as_of = ?, {no_interval} WHERE id LIKE '%1'", (before,)
    )
    _set(store, f"UPDATE cases SET evaluated_as_of = ?, {no_interval} WHERE id LIKE '%2'", (after,))
    _set(store, f"UPDATE cases SET evaluated_as_of = NULL, {no_interval} WHERE id LIKE '%3'")
    _set(
        store,
        "UPDATE cases SET evaluated_with = replace(evaluated_with, 'eirules ', 'eirules-old ') "
        "WHERE id LIKE '%4'",
    )
    _set(store, "UPDATE cases SET evaluated_with = NULL WHERE id LIKE '%5'")
    # Evaluated the day before, with an interval that holds the date: current, not evaluated.
    _set(
        store,
        "UPDATE cases SET evaluated_as_of = ?, stable_from = ?, stable_until = NULL "
        "WHERE id LIKE '%6'",
        (before, before),
    )
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cases ORDER BY id")]
    moved = [i for i in ids if i[-1] in "12345"]
    answer = store.due(as_of=AS_OF)
    assert answer.refreshed == len(moved) and 0 < len(moved) < 240
    assert answer.rows == reference


def test_the_day_after_the_run_the_cases_not_held_are_re_evaluated_for_that_day(demo):
    """Asked as of 2026-03-03 with every case evaluated as of 2026-03-02: those whose
    stability interval does not hold the 3rd are found by the index's range and evaluated,
    the others answer from their rows; the rows are those of evaluating every case then."""
    store = demo
    day = AS_OF + timedelta(days=1)
    held = _holds(store, day)
    answer = store.due(as_of=day)
    assert 0 < answer.refreshed == 240 - len(held)
    assert answer.rows == _every_case_evaluated_for_the_answer(store, day)
    assert {r["evaluated_as_of"] for r in answer.rows} == {day.isoformat()}


def _plans(store: Store, as_of: date) -> list[str]:
    """The plans of the queries a statewide listing runs before its first row."""
    seen: list[tuple[str, list]] = []
    execute = store.conn.execute

    def spy(sql, params=()):
        seen.append((sql, list(params)))
        return execute(sql, params)

    store.conn.execute = spy
    try:
        current = store._current_sql(as_of, None)
        store._scope(as_of, None, current)
    finally:
        store.conn.execute = execute
    steps: list[str] = []
    if store.conn.postgres:  # a tiny table is scanned whatever the indexes: forbid it
        execute("SET enable_seqscan = off")
        try:
            for sql, params in seen:
                steps += [r[0] for r in execute("EXPLAIN " + sql, params)]
        finally:
            execute("SET enable_seqscan = on")
        return steps
    for sql, params in seen:
        steps += [r[-1] for r in execute("EXPLAIN QUERY PLAN " + sql, params)]
    return steps


def test_the_cases_not_current_are_found_by_index_not_by_reading_every_case(demo):
    """No step before the first row reads the whole cases table: 394 ms at 100,000 cases
    (issue 15) for a read that found no case to re-evaluate."""
    for day in (AS_OF, AS_OF + timedelta(days=1)):
        steps = _plans(demo, day)
        assert steps
        if demo.conn.postgres:
            assert not any("Seq Scan on cases" in s for s in steps), steps
        else:
            assert not any(s.startswith("SCAN c") or s == "SCAN cases" for s in steps), steps
            assert any("cases_evaluation" in s for s in steps), steps


@pytest.mark.parametrize("within", [None, 0, 14, 45, 400, -3])
def test_the_filters_chosen_in_sql_keep_exactly_the_rows_the_whole_list_keeps(demo, within):
    """--within and `overdue` are conditions of the query (two ranges of clocks_due_order);
    they keep exactly what `_wanted` keeps of the whole list, with stale cases merged in."""
    store = demo
    _set(
        store,
        "UPDATE cases SET evaluated_as_of = '2026-03-01', stable_from = NULL WHERE id LIKE '%7'",
    )
    for end, status in (("3", "pending"), ("4", "needs_information"), ("5", "overdue")):
        # Undated rows of each kind: owed now (sorted by date), and pending (sorted last).
        _set(
            store,
            f"UPDATE clocks SET due = NULL, status = '{status}' WHERE case_id LIKE '%{end}'",
        )
    whole = store.due(as_of=AS_OF).rows
    kinds = {(r["days_left"] is None, r["status"]) for r in whole}
    assert {(True, "pending"), (True, "needs_information"), (True, "overdue")} <= kinds
    assert any(r["days_left"] is not None and r["days_left"] < 0 for r in whole)
    horizon = AS_OF + timedelta(days=within) if within is not None else None
    if within is not None:
        listed = store.due(as_of=AS_OF, within_days=within)
        assert listed.refreshed > 0
        assert listed.rows == tuple(r for r in whole if _wanted(r, AS_OF, horizon, False))
    overdue = store.due(as_of=AS_OF, overdue_only=True).rows
    assert overdue == tuple(r for r in whole if _wanted(r, AS_OF, None, True))
    assert {r["status"] for r in overdue} >= {"overdue", "late_excused"}


def test_a_filtered_statewide_list_reads_index_ranges_and_sorts_nothing(demo):
    """The 14-day list reads the dated rows up to its horizon, then the undated ones."""
    store = demo
    current = store._current_sql(AS_OF, None)
    for horizon, overdue in ((AS_OF + timedelta(days=14), False), (None, True)):
        queries = store._indexed_sql(None, current, AS_OF, horizon, overdue)
        assert len(queries) == 2
        for sql, params in queries:
            if store.conn.postgres:
                store.conn.execute("SET enable_sort = off")
                try:
                    plan = [r[0] for r in store.conn.execute("EXPLAIN " + sql, params)]
                finally:
                    store.conn.execute("SET enable_sort = on")
                assert any("clocks_due_order" in s for s in plan), plan
                assert not any("Sort" in s for s in plan), plan
                continue
            plan = [r[-1] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            assert any("clocks_due_order" in s and "<" in s for s in plan) or any(
                "clocks_due_order" in s and "=?)" in s for s in plan
            ), plan
            assert not any("TEMP B-TREE" in s for s in plan), plan


HOSTILE = (
    'Ren\u00e9e \u202eevil\u202c \x1b[31mred\x1b[0m "quoted" back\\slash tab\there\nline '
    "\x7f del \u2028 sep \U0001f600 {brace} [list]"
)


def test_streamed_rows_are_the_bytes_json_dumps_and_the_csv_writer_give_for_hostile_text(
    tmp_path, monkeypatch
):
    """Names with bidi overrides, ESC sequences, quotes, newlines, DEL, emoji and brackets
    (written straight into the file: the text check refuses them at every way in): `due`
    in each format writes exactly json.dumps / the one CSV writer of the listing's rows."""
    import json

    from click.testing import CliRunner
    from helpers import caseload_cli

    from eirules.cli import cli, output
    from eirules.core.store import ROW_FIELDS
    from eirules.core.store.lines import refresh_shown

    run = caseload_cli(tmp_path, monkeypatch)
    run("cases", "import", EXAMPLES / "caseload")
    run("evaluate", "--all", "--as-of", AS_OF.isoformat())
    db = tmp_path / "caseload.db"
    store = Store.open(db)
    # Cases ending in 1 answered from the stored rows, in 3 re-evaluated for the answer.
    store.conn.execute(
        "UPDATE children SET name = ? WHERE case_id LIKE '%1' OR case_id LIKE '%3'", (HOSTILE,)
    )
    store.conn.execute(
        "UPDATE cases SET evaluated_as_of = NULL, stable_from = NULL WHERE id LIKE '%3'"
    )
    store.conn.execute(
        "UPDATE clocks SET subject = ? WHERE case_id LIKE '%2'", ("=cmd|' /C calc'!A0",)
    )
    # The listing shows the name kept on the clock rows (revision 0014) and their text
    # (revision 0015), made again from the columns as eirules's own writes make them.
    refresh_shown(store.conn, [i for (i,) in store.conn.execute("SELECT id FROM cases")])
    store.conn.commit()
    answer = store.due(as_of=AS_OF)
    rows = [dict(r) for r in answer.rows]
    store.close()
    assert 0 < answer.refreshed < 240
    assert sum(r["child"] == HOSTILE for r in rows) > 10
    base = ["--as-of", AS_OF.isoformat(), "--db", str(db), "--format"]
    runner = CliRunner()
    got = {f: runner.invoke(cli, ["due", *base, f]).output for f in ("json", "jsonl", "csv")}
    assert got["json"] == json.dumps(rows, indent=2) + "\n"
    assert got["jsonl"] == "".join(json.dumps(r) + "\n" for r in rows)
    assert got["csv"] == output.csv_text(rows, list(ROW_FIELDS))
    assert "'=cmd" in got["csv"]


def test_one_caseworkers_filtered_list_reads_their_cases_rows_by_case(demo):
    """One caseworker's `due --within 14d` starts from their assignments and reads each
    case's rows by clocks_case_open (6.6 ms at 100,000 cases), never a range of the
    statewide index once per case (752 ms); the rows are their rows of the whole list."""
    store = demo
    worker = store.conn.execute(
        "SELECT caseworker FROM assignments WHERE ended_at IS NULL ORDER BY caseworker LIMIT 1"
    ).fetchone()[0]
    current = store._current_sql(AS_OF, worker)
    for horizon, overdue in ((AS_OF + timedelta(days=14), False), (None, True)):
        [(sql, params)] = store._indexed_sql(worker, current, AS_OF, horizon, overdue)
        if store.conn.postgres:
            continue  # PostgreSQL plans a table this small by sequential scan whatever it has
        plan = [r[-1] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        assert plan[0].startswith("SEARCH a USING INDEX assignments_caseworker"), plan
        assert not any("clocks_due_order" in step for step in plan), plan
    mine = store.due(as_of=AS_OF, caseworker=worker, within_days=14).rows
    whole = store.due(as_of=AS_OF, within_days=14).rows
    assert mine and mine == tuple(r for r in whole if r["caseworker"] == worker)
    late = store.due(as_of=AS_OF, caseworker=worker, overdue_only=True).rows
    assert late == tuple(
        r for r in store.due(as_of=AS_OF, overdue_only=True) if r["caseworker"] == worker
    )
