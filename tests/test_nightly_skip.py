"""The nightly run the next day (issue 15): a case whose stored stability interval holds
the new as-of date is not evaluated again; its `evaluated_as_of` moves to that date in
set-wide SQL. What anyone then sees for that date (cases show, the due index, the audit)
says as of it and is exactly what a fresh evaluation as of it gives. On SQLite and on
PostgreSQL (`db_target`).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from eirules.core.convert import determination_to_dict
from eirules.core.store import Store
from eirules.core.store.determinations import clock_rows_of, stored_case

EXAMPLES = Path(__file__).parent.parent / "examples"
DAY = date(2026, 3, 2)


@pytest.fixture
def store(db_target, engine):
    s, _ = Store.init(db_target, engine)
    s.import_paths([str(EXAMPLES / "caseload")], user="ana", evaluate_as_of=DAY)
    yield s
    s.close()


def _seen(store, case_id: str) -> dict:
    summary = store.case_summary(case_id)
    return {
        "evaluated_as_of": summary["evaluated_as_of"],
        "status": summary["status"],
        "clocks": sorted(
            (c["clock"], c["subject"] or "", c["due"] or "", c["status"]) for c in summary["clocks"]
        ),
    }


def _expected(case_id: str, result: dict, as_of: date) -> dict:
    rows, status = clock_rows_of(case_id, None, result)
    return {
        "evaluated_as_of": as_of.isoformat(),
        "status": status,
        "clocks": sorted((r[2], r[5] or "", r[8] or "", r[9]) for r in rows),
    }


@pytest.mark.parametrize("later", [1, 7])
def test_the_next_run_skips_what_cannot_change_and_shows_what_a_fresh_evaluation_gives(
    store, engine, later
):
    store.evaluate(as_of=DAY, skip_current=True)
    total = store.case_count()
    as_of = DAY + timedelta(days=later)
    report = store.evaluate(as_of=as_of, skip_current=True)
    assert report.skipped > total // 2, report  # most cases hold over a day and a week
    assert report.evaluated + report.skipped == total
    latest = {
        r[0]: r[1]
        for r in store.conn.execute(
            "SELECT c.id, d.result FROM cases c JOIN determinations d "
            "ON d.id = c.last_determination_id"
        )
    }
    for case_id, fresh in _fresh_as_of(store, engine, as_of).items():
        assert _seen(store, case_id) == _expected(case_id, fresh, as_of), case_id
        stored = json.loads(latest[case_id])
        stored.pop("as_of"), fresh.pop("as_of")
        assert stored == fresh, case_id  # the stored decision is the fresh one, byte for byte
    skipped_due = store.due(as_of=as_of)
    assert skipped_due.refreshed == 0  # the due index answered for every case
    run = [e for e in store.audit_log() if e["action"] == "evaluation.run"][-1]
    after = run["after"] if isinstance(run["after"], dict) else json.loads(run["after"])
    assert after["skipped"] == report.skipped and after["moved"] == report.skipped
    assert store.verify_audit()[1] == [] and store.verify_data() == []
    forced = store.evaluate(as_of=as_of, skip_current=False)
    assert forced.evaluated == total and forced.skipped == 0
    assert store.due(as_of=as_of).rows == skipped_due.rows


def _fresh_as_of(store, engine, as_of: date) -> dict[str, dict]:
    out = {}
    for case_id, document in store.conn.execute(
        "SELECT c.id, d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash"
    ):
        case = stored_case(engine, json.loads(document))
        out[case_id] = determination_to_dict(engine.evaluate(case, None, as_of))
    return out


def test_each_case_keeps_the_interval_of_its_evaluation(store, engine):
    """cases.stable_from / stable_until are `Engine.evaluate_stable`'s interval."""
    store.evaluate(as_of=DAY, skip_current=False)
    rows = store.conn.execute(
        "SELECT c.id, c.stable_from, c.stable_until, d.document FROM cases c "
        "JOIN case_documents d ON d.hash = c.document_hash ORDER BY c.id"
    ).fetchall()
    assert rows
    for case_id, start, until, document in rows[:40]:
        case = stored_case(engine, json.loads(document))
        _, (want_start, want_until) = engine.evaluate_stable(case, None, DAY)
        assert (start, until) == (
            want_start.isoformat(),
            want_until.isoformat() if want_until else None,
        ), case_id


def test_a_stale_case_is_evaluated_whatever_its_interval_says(store, engine):
    """A case whose status says it changed since its evaluation (a write in progress, an
    evaluation that failed) is evaluated the next day even inside its interval."""
    store.evaluate(as_of=DAY, skip_current=True)
    nxt = (DAY + timedelta(days=1)).isoformat()
    case_id = store.conn.execute(
        "SELECT min(id) FROM cases WHERE stable_from <= ? "
        "AND (stable_until IS NULL OR ? < stable_until)",
        (nxt, nxt),
    ).fetchone()[0]
    assert case_id is not None
    with store.write("test") as _:
        store.conn.execute(
            "UPDATE cases SET status = 'changed_since_evaluation' WHERE id = ?", (case_id,)
        )
    report = store.evaluate(as_of=date.fromisoformat(nxt), case_ids=[case_id], skip_current=True)
    assert (report.evaluated, report.skipped) == (1, 0)
    fresh = _fresh_as_of(store, engine, date.fromisoformat(nxt))[case_id]
    assert _seen(store, case_id) == _expected(case_id, fresh, date.fromisoformat(nxt))


def test_cases_show_names_the_determination_a_skipped_case_s_clocks_are(
    store, engine, db_target, monkeypatch, tmp_path
):
    """The QA finding M1: after the next night's run skipped a case, `cases show` said
    "Clocks as of 2026-03-03" but its history listed no determination as of that date.
    Now it names the determination (1, made as of 2026-03-02) and the dates it holds for,
    in the text and in the JSON."""
    nxt = DAY + timedelta(days=1)
    report = store.evaluate(as_of=nxt, skip_current=True)
    assert report.skipped
    case_id, document = store.conn.execute(
        "SELECT c.id, d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
        "WHERE c.evaluated_as_of = ? AND c.stable_until IS NOT NULL ORDER BY c.id",
        (nxt.isoformat(),),
    ).fetchone()
    _, (start, until) = engine.evaluate_stable(stored_case(engine, json.loads(document)), None, DAY)
    through = (until - timedelta(days=1)).isoformat()
    assert start <= nxt < until

    from click.testing import CliRunner

    from eirules.cli import cli

    monkeypatch.setenv("EIRULES_DB", str(db_target))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    shown = CliRunner().invoke(cli, ["cases", "show", case_id])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    clocks = next(line for line in lines if line.startswith("Clocks "))
    assert clocks.startswith(
        f"Clocks as of 2026-03-03 (determination 1, made as of 2026-03-02, which holds from "
        f"{start.isoformat()} through {through}), ruleset us ("
    ), clocks
    history = lines[lines.index("Determinations:") + 1 : lines.index("Caseworkers:")]
    assert [line.strip().split("  ")[1] for line in history] == ["as of 2026-03-02"]
    shown = CliRunner().invoke(cli, ["cases", "show", case_id, "--format", "json"])
    assert json.loads(shown.output)["clocks_from"] == {
        "determination": 1,
        "made_as_of": "2026-03-02",
        "as_of": "2026-03-03",
        "holds_from": start.isoformat(),
        "holds_through": through,
    }
