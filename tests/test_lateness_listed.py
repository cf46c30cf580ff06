"""A lateness that happened never drops off the lists (issue 10, second QA review).

One rule, `eirules.core.decisions.is_outstanding`, used by the due index (`clocks.is_open`),
the case status, `check` and `cases show`: a clock that went past its due date unmet stays
listed as overdue after it closed (the end of Part C at the third birthday, an exit, a
move) until it is met or its lateness is excused by a documented reason.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import caseload_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli.synthetic import iter_cases
from eirules.core.convert import determination_to_dict
from eirules.core.store.determinations import case_status, due_items

#: Wren, born 2022-06-06 (third birthday 2025-06-06), referred to Part C on 2023-12-25:
#: the initial IFSP meeting is due 45 days later, 2024-02-08 (34 CFR 303.310(a)); it was
#: never held. The notice to the SEA and LEA, transition conference and plan: not fewer
#: than 90 days before the third birthday, 2025-03-08 (303.209(b)(1)(i), (c)(1), (d)(2));
#: never done either.
WREN = {
    "schema": "eirules/case@1",
    "id": "WREN-0001",
    "ruleset": "us",
    "child": {"birth_date": "2022-06-06", "name": "Wren Ashcombe"},
    "enrolments": [{"program": "part_c", "start": "2023-12-25"}],
    "events": [
        {"type": "referral_received", "date": "2023-12-25", "program": "part_c"},
        {"type": "consent_for_evaluation", "date": "2023-12-27", "program": "part_c"},
    ],
}
MISSED = {
    "initial_ifsp_meeting",
    "transition_notification",
    "transition_conference",
    "transition_plan",
}


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def _write(tmp_path, document) -> str:
    path = tmp_path / f"{document['id']}.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_part_c_wren_missed_ifsp_meeting_stays_overdue_after_turning_3(run, tmp_path):
    """303.310(a), 303.21(a): due 2024-02-08, never held; Part C ended 2025-06-06. As of
    2025-07-01 `check`, `overdue`, `due`, `cases list` and `cases show` all say overdue:
    484 days, from the due date to the day it closed unmet (2024-02-08 to 2025-06-06, 2024
    a leap year), not to the as-of date: it could no longer be met after Part C ended."""
    path = _write(tmp_path, WREN)
    check = json.loads(run("check", path, "--as-of", "2025-07-01", "--format", "json").output)
    late = {c["id"]: c for c in check["clocks"] if c["status"] == "overdue"}
    assert set(late) == MISSED
    assert late["initial_ifsp_meeting"]["due"] == "2024-02-08"
    assert late["initial_ifsp_meeting"]["closed_on"] == "2025-06-06"
    text = " ".join(run("check", path, "--as-of", "2025-07-01").output.split())
    assert "by 2024-02-08, closed unmet on 2025-06-06, 484 days after it was due" in text

    run("cases", "import", path)
    for command in ("overdue", "due"):
        rows = json.loads(run(command, "--as-of", "2025-07-01", "--format", "json").output)
        clocks = {r["clock"]: r for r in rows if r["kind"] == "clock"}
        assert MISSED <= set(clocks), command
        assert clocks["initial_ifsp_meeting"]["days_left"] == -484
        assert clocks["initial_ifsp_meeting"]["status"] == "overdue"
        # The notice to the SEA and LEA never made while Part C lasted (303.209(b)(1)):
        # `not_made`, late, listed by the same rule.
        referrals = [(r["clock"], r["status"]) for r in rows if r["kind"] == "referral"]
        assert referrals == [("part_b_notification", "not_made")], command
    listing = run(
        "cases", "list", "--status", "overdue", "--as-of", "2025-07-01", "--format", "json"
    )
    assert [r["case_id"] for r in json.loads(listing.output)] == ["WREN-0001"]
    # Stored, then shown: the status is the clocks' (no "no_open_clocks" above overdue rows).
    run("evaluate", "--case", "WREN-0001", "--as-of", "2025-07-01")
    shown = run("cases", "show", "WREN-0001").output
    assert "status: overdue as of 2025-07-01" in shown
    assert "Clocks as of 2025-07-01 (determination 2), ruleset us (" in shown


def test_part_c_wren_late_for_a_documented_family_reason_leaves_the_list_once_closed(run, tmp_path):
    """303.310(b)(1), (c): the family was unavailable from 2024-01-20 to 2025-06-30, documented:
    while Part C lasts the late meeting is still owed ("late, excused"); once Part C ended
    (2025-06-06) it is excused and closed, so it leaves `overdue`. The transition clocks,
    late with no reason on file, stay."""
    document = json.loads(json.dumps(WREN))
    document["events"].append(
        {"type": "delay", "date": "2024-01-20", "until": "2025-06-30",
         "reason": "exceptional_family_circumstances",
         "program": "part_c"}
    )  # fmt: skip
    run("cases", "import", _write(tmp_path, document))
    before = json.loads(run("overdue", "--as-of", "2024-03-04", "--format", "json").output)
    assert [(r["clock"], r["status"]) for r in before] == [("initial_ifsp_meeting", "late_excused")]
    after = json.loads(run("overdue", "--as-of", "2025-07-01", "--format", "json").output)
    assert {r["clock"] for r in after if r["kind"] == "clock"} == MISSED - {"initial_ifsp_meeting"}


def test_cases_show_says_which_evaluation_its_status_and_clocks_are(run, tmp_path):
    """The QA finding: after `evaluate --case X --as-of 2199-12-31` the status read
    no_open_clocks above overdue clocks, with no date. Now it says the as-of date and the
    ruleset version, and the status is the most urgent listed clock's."""
    run("cases", "import", _write(tmp_path, WREN))
    run("evaluate", "--case", "WREN-0001", "--as-of", "2199-12-31")
    lines = run("cases", "show", "WREN-0001").output.splitlines()
    assert lines[1].endswith("status: overdue as of 2199-12-31")
    # A determination as of a day after today says so (session 16), then its clocks.
    assert lines[2].startswith("Note: the status and clocks below are as of 2199-12-31")
    assert lines[3].startswith("Clocks as of 2199-12-31 (determination 2), ruleset us (2026.")
    assert lines[3].endswith("), eirules 0.1.0:")
    shown = json.loads(run("cases", "show", "WREN-0001", "--format", "json").output)
    assert shown["status"] == "overdue" and shown["evaluated_as_of"] == "2199-12-31"


# The invariant, over generated cases --------------------------------------------------


@settings(deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    as_of=st.dates(min_value=date(2025, 6, 1), max_value=date(2031, 12, 31)),
)
def test_every_overdue_clock_is_listed_and_sets_the_case_status(engine, seed, as_of):
    """Whatever closed it, a clock a determination calls overdue is a listed row of the due
    index, and a case with one has the status overdue: `check` and `due` cannot disagree."""
    for document, _ in iter_cases(seed=seed, part_c=2, part_b=1, as_of=date(2026, 3, 2)):
        result = determination_to_dict(engine.evaluate(document, None, as_of))
        items = due_items(result)
        overdue = {c["id"] for c in result["clocks"] if c["status"] == "overdue"}
        listed = {i[1] for i in items if i[0] == "clock" and i[9]}
        assert overdue <= listed
        # An owed late_excused clock is past due too: its case is overdue (34 CFR 300.301(d)).
        late = {i[1] for i in items if i[0] == "clock" and i[9] and i[8] == "late_excused"}
        assert (case_status(items) == "overdue") == bool(overdue | late)


def test_db_upgrade_lists_the_late_clocks_an_older_eirules_stored_as_closed(run, tmp_path):
    """Revision 0010_late_clocks_stay_listed: a caseload written under the old rule (closed
    late clocks not listed, status no_open_clocks) lists them after `db upgrade`, with the
    status its determination gives, and `audit verify` finds nothing wrong."""
    import sqlite3

    run("cases", "import", _write(tmp_path, WREN))
    run("evaluate", "--all", "--as-of", "2025-07-01")
    db = sqlite3.connect(tmp_path / "caseload.db")
    listed = db.execute("SELECT clock, is_open FROM clocks ORDER BY clock").fetchall()
    # As an older eirules wrote them: the three closed late clocks off the due index.
    db.execute("UPDATE clocks SET is_open = 0 WHERE status = 'overdue'")
    db.execute("UPDATE cases SET status = 'no_open_clocks'")
    db.execute("UPDATE alembic_version SET version_num = '0009_token_expiry'")
    db.commit()
    result = run("db", "upgrade")
    assert "0010_late_clocks_stay_listed" in result.output
    assert db.execute("SELECT clock, is_open FROM clocks ORDER BY clock").fetchall() == listed
    assert db.execute("SELECT status FROM cases").fetchone() == ("overdue",)
    db.close()
    run("audit", "verify")
    rows = json.loads(run("overdue", "--as-of", "2025-07-01", "--format", "json").output)
    assert MISSED <= {r["clock"] for r in rows}
