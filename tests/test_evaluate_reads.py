"""Evaluating some cases reads those cases' documents, not the whole caseload's (issue 15).

An import, an added event or `evaluate --case` evaluates a few cases; before,
their documents were found by reading every case's document in id order and
keeping the ones asked for, so one event in a caseload of 100,000 read 100,000
documents.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from eirules.core.engine import Engine
from eirules.core.store import Store

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


def _store(tmp_path: Path) -> Store:
    store, _ = Store.init(tmp_path / "c.db", Engine(entry_points=False))
    store.jobs = 1
    store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=AS_OF)
    return store


def test_evaluating_two_cases_reads_only_their_documents(tmp_path):
    store = _store(tmp_path)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cases ORDER BY id").fetchall()]
    assert len(ids) == 240
    chosen = [ids[200], ids[3]]
    statements: list[str] = []
    store.conn.raw.set_trace_callback(statements.append)
    report = store.evaluate(as_of=date(2026, 4, 1), user="test", case_ids=chosen, chunk=40)
    store.conn.raw.set_trace_callback(None)
    assert report.evaluated == 2 and not report.failures
    reads = [s for s in statements if "d.document" in s]
    assert len(reads) == 1, reads  # one statement for both, not one per 40 cases
    assert all(f"'{ids[0]}'" not in s for s in reads)
    moved = store.conn.execute(
        "SELECT id FROM cases WHERE evaluated_as_of = '2026-04-01' ORDER BY id"
    ).fetchall()
    assert [r[0] for r in moved] == sorted(chosen)
    store.close()


def test_cases_asked_for_are_stored_in_id_order_as_a_whole_run_stores_them(tmp_path):
    store = _store(tmp_path)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cases ORDER BY id").fetchall()]
    chosen = [ids[150], ids[7], ids[99]]
    # A year on, those decided differently are stored again (an unchanged one is not).
    report = store.evaluate(as_of=date(2027, 3, 2), user="test", case_ids=chosen, chunk=2)
    assert report.evaluated == 3 and report.unchanged <= 1
    numbered = [
        r[0]
        for r in store.conn.execute(
            "SELECT case_id FROM determinations WHERE as_of = '2027-03-02' ORDER BY id"
        )
    ]
    assert len(numbered) == 3 - report.unchanged
    assert set(numbered) <= set(chosen) and numbered == sorted(numbered)
    store.close()
