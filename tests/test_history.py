"""Issue 14: determination history grows only with what changed, and is kept as the rules say.

A nightly run over an unchanged caseload stores nothing; `db prune` removes the
determinations a newer one replaced longer ago than the case's ruleset keeps
them (records.determination_history_days: IDEA sets no period, 34 CFR 300.624,
303.416, so the shipped rulesets leave it unset), and the audit chain and the
data check still verify.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import caseload_cli

from eirules.core.engine import Engine
from eirules.core.importing import Record
from eirules.core.store import Store

AGENCY = """
[ruleset]
id = "us-zq"
title = "Example Agency (fictional)"
jurisdiction = "US-ZQ"
extends = "us"
version = "test"
"""
KEEP_30_DAYS = """
[[parameters.records.determination_history_days.values]]
effective = 2000-01-01
value = 30
citation = "Example Agency records schedule (fictional)"
"""


def doc(case_id: str, ruleset: str = "us-zq", **more) -> dict:
    return {
        "schema": "eirules/case@1",
        "id": case_id,
        "ruleset": ruleset,
        "child": {"birth_date": "2024-11-02", "name": "Tamsin Fictional"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
        **more,
    }


@pytest.fixture
def agency_engine(tmp_path):
    folder = tmp_path / "rulesets" / "us-zq"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text(AGENCY)
    (folder / "rules.toml").write_text(KEEP_30_DAYS)
    return Engine(entry_points=False, ruleset_dirs=[tmp_path / "rulesets"])


def dets(store: Store, case_id: str) -> list[tuple[int, str]]:
    return [
        tuple(r)
        for r in store.conn.execute(
            "SELECT number, as_of FROM determinations WHERE case_id = ? ORDER BY number",
            (case_id,),
        )
    ]


def backdate(store: Store, case_id: str, number: int, stamp: str) -> None:
    """Pretend a determination was stored on another day (created_at is the wall clock)."""
    store.conn.execute(
        "UPDATE determinations SET created_at = ? WHERE case_id = ? AND number = ?",
        (stamp, case_id, number),
    )
    store.conn.commit()


def test_an_unchanged_nightly_run_stores_nothing_and_the_log_verifies(db_target, engine):
    """Referral 2026-01-05, IFSP meeting due 2026-02-19 (303.310(a)): pending on both 02-01
    and 02-02 (more than 14 days left), so the second night decides what the first did."""
    store, _ = Store.init(db_target, engine)
    store.import_records([Record("a.json", "1", doc("H-1", ruleset="us"))])
    store.evaluate(as_of=date(2026, 2, 1))
    stored = store.conn.execute("SELECT count(*) FROM determinations").fetchone()[0]
    entries = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    report = store.evaluate(as_of=date(2026, 2, 2))
    assert (report.evaluated, report.unchanged, report.changes) == (1, 1, ())
    assert store.conn.execute("SELECT count(*) FROM determinations").fetchone()[0] == stored
    # One entry for the run itself, none for its (empty) chunk.
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries + 1
    # The due index answers as of 02-02 without re-evaluating.
    answer = store.due(as_of=date(2026, 2, 2))
    assert answer.refreshed == 0
    ifsp = [r for r in answer.rows if r["clock"] == "initial_ifsp_meeting"]
    assert [(r["due"], r["days_left"], r["evaluated_as_of"]) for r in ifsp] == [
        ("2026-02-19", 17, "2026-02-02")
    ]
    # 2026-02-06: 13 days left, due soon: a new decision, stored.
    assert store.evaluate(as_of=date(2026, 2, 6)).unchanged == 0
    assert dets(store, "H-1")[-1] == (3, "2026-02-06")
    assert store.verify_audit()[1] == [] and store.verify_data() == []
    store.close()


def test_a_case_file_changed_and_changed_back_is_current_again(db_target, engine):
    """The same file, ruleset and result as the latest determination: it stands, status too."""
    store, _ = Store.init(db_target, engine)
    store.import_records([Record("a.json", "1", doc("H-2", ruleset="us"))])
    store.evaluate(as_of=date(2026, 2, 1))
    note = doc("H-2", ruleset="us", district="North Hollow USD")
    store.import_records([Record("b.json", "1", note)], evaluate_as_of=date(2026, 2, 1))
    store.import_records(
        [Record("c.json", "1", doc("H-2", ruleset="us"))], evaluate_as_of=date(2026, 2, 1)
    )
    assert store.list_cases()[0]["status"] == "pending"
    assert store.due(as_of=date(2026, 2, 1)).refreshed == 0
    assert store.verify_audit()[1] == [] and store.verify_data() == []
    store.close()


def test_prune_removes_history_replaced_before_the_rulesets_period(db_target, agency_engine):
    """Kept 30 days (the agency ruleset): replaced 2026-01-01 -> gone on 2026-03-01; replaced
    2026-02-15 -> kept (14 days); the latest always stays. A `us` case keeps everything."""
    store, _ = Store.init(db_target, agency_engine)
    store.import_records(
        [Record("a.json", "1", doc("P-1")), Record("a.json", "2", doc("P-2", ruleset="us"))],
        evaluate_as_of=date(2026, 1, 10),
    )
    store.evaluate(as_of=date(2026, 2, 6))  # due soon: stored
    store.evaluate(as_of=date(2026, 2, 20))  # overdue: stored
    assert [n for n, _ in dets(store, "P-1")] == [1, 2, 3]
    for case_id in ("P-1", "P-2"):
        backdate(store, case_id, 1, "2025-12-01T09:00:00+00:00")
        backdate(store, case_id, 2, "2026-01-01T09:00:00+00:00")  # replaced #1 on 01-01
        backdate(store, case_id, 3, "2026-02-15T09:00:00+00:00")  # replaced #2 on 02-15
    dry = store.prune_history(today=date(2026, 3, 1), dry_run=True)
    assert dry["us-zq"]["days"] == 30 and dry["us-zq"]["removed"] == 1
    assert dry["us"] == {"days": None, "removed": 0, "case_file_versions": 0}
    assert len(dets(store, "P-1")) == 3  # a dry run removes nothing
    plan = store.prune_history(today=date(2026, 3, 1))
    assert plan["us-zq"]["removed"] == 1
    assert [n for n, _ in dets(store, "P-1")] == [2, 3]
    assert [n for n, _ in dets(store, "P-2")] == [1, 2, 3]
    assert store.verify_audit()[1] == [] and store.verify_data() == []
    # Tampering with a kept determination in a pruned chunk still shows.
    store.conn.execute(
        "UPDATE determinations SET as_of = '2026-02-07' WHERE case_id = 'P-1' AND number = 2"
    )
    store.conn.commit()
    assert any("not what entry" in p.what for p in store.verify_data())
    store.close()


def test_a_pruned_determination_number_says_which_are_kept(tmp_path, agency_engine):
    store, _ = Store.init(tmp_path / "c.db", agency_engine)
    store.import_records([Record("a.json", "1", doc("P-3"))], evaluate_as_of=date(2026, 1, 10))
    store.evaluate(as_of=date(2026, 2, 6))
    store.evaluate(as_of=date(2026, 2, 20))
    backdate(store, "P-3", 2, "2026-01-01T09:00:00+00:00")
    store.prune_history(today=date(2026, 3, 1))
    from eirules.core.errors import InputError

    with pytest.raises(InputError) as err:
        store.determination("P-3", 1)
    assert "the case keeps 2 (numbers 2, 3; older ones were pruned)" in str(err.value)
    store.close()


def test_db_prune_on_the_shipped_rulesets_keeps_everything(tmp_path, monkeypatch):
    run = caseload_cli(tmp_path, monkeypatch)
    from helpers import write_case_file

    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    assert run("db", "prune", "--dry-run").output == (
        "us: keeps all history (the ruleset sets no records.determination_history_days)\n"
    )


class Clock:
    """The store's wall clock (audit entries, determinations, imports), set by the test."""

    def __init__(self, monkeypatch):
        from eirules.core.store import audit, evaluation_runs, imports

        self.at = "2025-12-01T09:00:00+00:00"
        for module in (audit, evaluation_runs, imports):
            monkeypatch.setattr(module, "now", lambda: self.at)


def versions(store: Store, case_id: str) -> set[str]:
    json_id = store.conn.json_text("document", "id")
    return {
        r[0]
        for r in store.conn.execute(
            f"SELECT {json_id} || ':' || coalesce({store.conn.json_text('document', 'district')}, '-') "
            f"FROM case_documents WHERE {json_id} = ?",
            (case_id,),
        )
    }


def test_prune_removes_case_file_versions_replaced_before_the_period(
    db_target, agency_engine, monkeypatch
):
    """Kept 30 days (us-zq), pruned on 2026-03-01 (cutoff 2026-01-30). P-1's file was
    replaced on 2026-01-01 (version A, whose only determination is pruned too) and on
    2026-02-15 (version B, kept: replaced 14 days ago, and its determination stays);
    P-4's first version, replaced on 2026-01-01, goes with its determination. A `us`
    case keeps every version.
    Each current file stays, and the audit log and the data check still verify."""
    clock = Clock(monkeypatch)
    store, _ = Store.init(db_target, agency_engine)
    records = [
        Record("a.json", "1", doc("P-1", district="A")),
        Record("a.json", "2", doc("P-5", ruleset="us", district="A")),
    ]
    store.import_records(records, evaluate_as_of=date(2026, 1, 10))
    store.import_records([Record("a.json", "3", doc("P-4", district="A"))])
    clock.at = "2026-01-01T09:00:00+00:00"
    store.import_records(
        [
            Record("b.json", "1", doc("P-1", district="B")),
            Record("b.json", "2", doc("P-5", ruleset="us", district="B")),
            Record("b.json", "3", doc("P-4", district="B")),
        ],
        evaluate_as_of=date(2026, 1, 10),
    )
    clock.at = "2026-02-15T09:00:00+00:00"
    store.import_records(
        [
            Record("c.json", "1", doc("P-1", district="C")),
            Record("c.json", "2", doc("P-5", ruleset="us", district="C")),
        ],
        evaluate_as_of=date(2026, 1, 10),
    )
    assert versions(store, "P-1") == {"P-1:A", "P-1:B", "P-1:C"}
    dry = store.prune_history(today=date(2026, 3, 1), dry_run=True)
    assert dry["us-zq"] == {
        "days": 30,
        "removed": 2,
        "case_file_versions": 2,
        "replaced_before": "2026-01-30T00:00:00+00:00",
    }
    assert dry["us"]["case_file_versions"] == 0
    assert len(versions(store, "P-1")) == 3  # a dry run removes nothing
    plan = store.prune_history(today=date(2026, 3, 1))
    assert plan["us-zq"]["case_file_versions"] == 2
    assert versions(store, "P-1") == {"P-1:B", "P-1:C"}
    assert versions(store, "P-4") == {"P-4:B"}
    assert versions(store, "P-5") == {"P-5:A", "P-5:B", "P-5:C"}
    assert store.show_case("P-1")["district"] == "C"
    assert store.verify_audit()[1] == [] and store.verify_data() == []
    # The audit entry names the versions by digest, never by content.
    entry = store.audit_log()[-1]
    assert entry["action"] == "determinations.pruned"
    assert "P-1" not in json.dumps(entry) and "Tamsin" not in json.dumps(entry)
    # Nothing left to remove: a second prune writes nothing.
    entries = store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    assert store.prune_history(today=date(2026, 3, 1))["us-zq"]["case_file_versions"] == 0
    assert store.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries
    store.close()
