"""Issue 15: `evaluate --all` skips a case whose determination cannot change.

Current means: made as of the same date or one inside its stability interval
(core/stability.py), from the case file the case holds now, by the same engine, with
the installed version (and content) of its ruleset, and no district calendar changed
since. Anything else is evaluated again; --force evaluates everything.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from helpers import caseload_cli

from eirules.core.store import Store

EXAMPLES = Path(__file__).parent.parent / "examples"
DAY = "2026-03-02"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("EIRULES_CALENDARS_DIR", str(tmp_path / "calendars"))
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", EXAMPLES / "caseload")
    invoke("evaluate", "--all", "--as-of", DAY)
    return invoke


def _determinations(tmp_path) -> int:
    store = Store.open(tmp_path / "caseload.db")
    try:
        return store.conn.execute("SELECT count(*) FROM determinations").fetchone()[0]
    finally:
        store.close()


def test_a_second_run_for_the_same_date_evaluates_nothing_and_stores_nothing(run, tmp_path):
    before = _determinations(tmp_path)
    result = run("evaluate", "--all", "--as-of", DAY)
    assert result.output.splitlines()[0] == (
        f"Evaluated 0 cases as of {DAY} (run 3); 240 cases skipped, current as of {DAY} "
        "(--force evaluates them again)"
    )
    assert "No changes since the last run." in result.output
    assert _determinations(tmp_path) == before


def test_a_changed_case_is_the_only_one_evaluated(run, tmp_path):
    """303.310(a): the IFSP meeting added to one case changes that case only."""
    listed = json.loads(run("cases", "list", "--as-of", DAY, "--format", "json").output)
    # A Part C case: an IFSP meeting on a case enrolled in Part B only is refused.
    case_id = next(r["case_id"] for r in listed if r["programs"] == "part_c")
    run("cases", "add-event", case_id, "ifsp_meeting_held", "2026-02-10")
    # add-event evaluates the case as of today; for DAY it is not current.
    result = run("evaluate", "--all", "--as-of", DAY)
    assert result.output.startswith(f"Evaluated 1 case as of {DAY}")
    assert "239 cases skipped" in result.output


def test_the_next_day_evaluates_only_cases_whose_interval_ends_and_gives_the_same_answer(
    run, tmp_path
):
    """A week of nightly runs: each evaluates only the cases whose stored interval does
    not hold the new date, and the listing then is what evaluating everything gives."""
    for day in ("2026-03-03", "2026-03-04", "2026-03-09"):
        first = run("evaluate", "--all", "--as-of", day).output.splitlines()[0]
        evaluated = int(first.split()[1])
        assert 0 < evaluated < 240 and f"; {240 - evaluated} cases skipped" in first, first
        skipped = run("due", "--as-of", day, "--format", "json").output
        listed = run("cases", "list", "--as-of", day, "--format", "json").output
        assert run("evaluate", "--all", "--force", "--as-of", day).output.startswith(
            f"Evaluated 240 cases as of {day}"
        )
        assert run("due", "--as-of", day, "--format", "json").output == skipped
        assert run("cases", "list", "--as-of", day, "--format", "json").output == listed


def test_a_newer_ruleset_or_force_evaluates_again(run, tmp_path):
    run("evaluate", "--all", "--force", "--as-of", "2026-03-03")
    store = Store.open(tmp_path / "caseload.db")
    store.conn.execute(
        "UPDATE determinations SET ruleset_version = 'old' WHERE id = "
        "(SELECT min(last_determination_id) FROM cases)"
    )
    store.conn.commit()
    store.close()
    assert run("evaluate", "--all", "--as-of", "2026-03-03").output.startswith(
        "Evaluated 1 case as of 2026-03-03"
    )
    assert run("evaluate", "--all", "--force", "--as-of", "2026-03-03").output.startswith(
        "Evaluated 240 cases as of 2026-03-03"
    )


def test_a_calendar_changed_after_the_run_makes_every_case_evaluated_again(run, tmp_path):
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "note.toml").write_text("# a district calendar would be here\n")
    later = time.time() + 5
    os.utime(folder / "note.toml", (later, later))
    assert run("evaluate", "--all", "--as-of", DAY).output.startswith(
        f"Evaluated 240 cases as of {DAY}"
    )


def test_skipping_leaves_the_same_answer_as_evaluating_everything(run, tmp_path):
    run("evaluate", "--all", "--as-of", DAY)
    skipped = run("due", "--as-of", DAY, "--format", "json").output
    run("evaluate", "--all", "--force", "--as-of", DAY)
    assert run("due", "--as-of", DAY, "--format", "json").output == skipped


def test_a_run_as_of_another_date_says_how_many_cases_were_decided_differently(
    tmp_path, monkeypatch
):
    """303.310(a): MO-0001's 45-day clock is overdue as of 2026-03-02; as of 2025-06-01
    (before the referral) it has no clock at all. No clock became newly overdue, yet the
    case was decided differently: the run says so instead of "No changes"."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", EXAMPLES / "mo-0001.json")
    invoke("evaluate", "--all", "--as-of", "2026-03-02")
    output = invoke("evaluate", "--all", "--as-of", "2025-06-01").output
    assert "No changes since the last run." not in output
    assert output.splitlines()[1] == (
        "1 case decided differently from the last run (eirules cases show ID); "
        "no clock newly overdue, no eligibility changed."
    )
