"""A case's status counts every clock still owed, the excused late ones too (QA, status).

A `late_excused` clock not yet met is past its due date and owed as soon as possible:
`due` and `overdue` list it, and its case is `overdue` (`determinations.case_status`),
where it was `no_open_clocks`.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from helpers import caseload_cli

from eirules.core.store.determinations import case_status

#: Part B: consent 2025-09-02, so the initial evaluation is due 60 days later, 2025-11-01
#: (34 CFR 300.301(c)(1)(i)); the parent repeatedly failed to produce the child from
#: 2025-10-01 (300.301(d)(1)), so its lateness is excused. It was never done.
OWED = {
    "schema": "eirules/case@1",
    "id": "PB-STATUS-1",
    "ruleset": "us",
    "child": {"birth_date": "2019-04-14", "name": "Tamsin Fernbrook"},
    "enrolments": [{"program": "part_b", "start": "2025-09-02"}],
    "events": [
        {"type": "consent_for_evaluation", "date": "2025-09-02", "program": "part_b"},
        {
            "type": "delay",
            "date": "2025-10-01",
            "reason": "parent_failed_to_produce_child",
            "program": "part_b",
        },
    ],
}


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def _write(tmp_path, document) -> str:
    path = tmp_path / f"{document['id']}.json"
    path.write_text(json.dumps(document))
    return str(path)


def _statuses(run, *args) -> list[tuple[str, str]]:
    rows = json.loads(run("cases", "list", *args, "--format", "json").output)
    return [(r["case_id"], r["status"]) for r in rows]


def test_an_owed_evaluation_whose_lateness_is_excused_makes_its_case_overdue(run, tmp_path):
    """300.301(c)(1), (d)(1): as of 2025-11-25 the evaluation is 24 days past 2025-11-01,
    excused and still owed: `overdue` lists it, and `cases list` and `cases show` say the
    case is overdue (they said no_open_clocks)."""
    run("cases", "import", _write(tmp_path, OWED))
    run("evaluate", "--all", "--as-of", "2025-11-25")
    rows = json.loads(run("overdue", "--as-of", "2025-11-25", "--format", "json").output)
    assert [(r["clock"], r["due"], r["days_left"], r["status"]) for r in rows] == [
        ("initial_evaluation", "2025-11-01", -24, "late_excused")
    ]
    assert _statuses(run) == [("PB-STATUS-1", "overdue")]
    assert _statuses(run, "--status", "overdue") == [("PB-STATUS-1", "overdue")]
    assert _statuses(run, "--status", "no_open_clocks") == []
    assert _statuses(run, "--as-of", "2025-11-26") == [("PB-STATUS-1", "overdue")]
    shown = run("cases", "show", "PB-STATUS-1").output.splitlines()
    assert shown[1].endswith("status: overdue as of 2025-11-25")
    run("audit", "verify")


def test_an_excused_late_evaluation_once_done_owes_nothing(run, tmp_path):
    """300.301(d)(1): done on 2025-11-20, late and excused: nothing is owed any more."""
    document = json.loads(json.dumps(OWED))
    document["events"].append(
        {"type": "evaluation_completed", "date": "2025-11-20", "program": "part_b"}
    )
    run("cases", "import", _write(tmp_path, document))
    run("evaluate", "--all", "--as-of", "2025-11-25")
    assert run("overdue", "--as-of", "2025-11-25", "--format", "json").output.strip() == "[]"
    assert _statuses(run) == [("PB-STATUS-1", "no_open_clocks")]


def test_case_status_ranks_a_listed_late_excused_clock_as_overdue():
    """The derivation itself: a listed late_excused clock outranks due_soon; an unlisted one
    (met, or closed) counts for nothing."""

    def item(status, listed):
        return ("clock", "c", "part_b", "", None, None, None, "2025-11-01", status, listed)

    assert case_status([item("due_soon", 1), item("late_excused", 1)]) == "overdue"
    assert case_status([item("late_excused", 0), item("pending", 1)]) == "pending"
    assert case_status([item("late_excused", 0)]) == "no_open_clocks"


def test_a_listed_referral_is_owed_work_so_its_case_is_never_no_open_clocks():
    """A referral still to make (e.g. the Part C lead agency's referral to the SEA and LEA,
    34 CFR 303.209(b)(1)) is listed by `due`: its case is pending; one `not_made` (owed,
    the program since ended) is overdue. An unlisted one (made) counts for nothing."""

    def referral(status, listed):
        return ("referral", "r", "part_c", "", None, None, None, "2026-03-01", status, listed)

    def clock(status, listed):
        return ("clock", "c", "part_c", "", None, None, None, "2026-03-01", status, listed)

    assert case_status([referral("to_make", 1)]) == "pending"
    assert case_status([referral("not_made", 1)]) == "overdue"
    assert case_status([referral("made", 0), clock("met", 0)]) == "no_open_clocks"
    assert case_status([referral("to_make", 1), clock("needs_information", 1)]) == "pending"
    assert case_status([referral("to_make", 1), clock("due_soon", 1)]) == "due_soon"


def test_db_upgrade_sets_the_status_an_older_eirules_stored_for_an_excused_late_case(run, tmp_path):
    """Revision 0017_late_excused_cases_overdue: a case stored as no_open_clocks with an
    owed late_excused clock is overdue after `db upgrade`, and `audit verify` agrees. An
    evaluation that finds its decision unchanged keeps the stored status, so without the
    revision it would have stayed no_open_clocks."""
    run("cases", "import", _write(tmp_path, OWED))
    run("evaluate", "--all", "--as-of", "2025-11-25")
    db = sqlite3.connect(tmp_path / "caseload.db")
    db.execute("UPDATE cases SET status = 'no_open_clocks'")  # as an older eirules wrote it
    db.execute("UPDATE alembic_version SET version_num = '0016_caseworker_name_key'")
    db.commit()
    result = run("db", "upgrade")
    assert "0017_late_excused_cases_overdue" in result.output
    assert db.execute("SELECT status FROM cases").fetchall() == [("overdue",)]
    db.close()
    run("audit", "verify")
    assert _statuses(run) == [("PB-STATUS-1", "overdue")]
