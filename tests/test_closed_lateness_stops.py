"""A clock closed unmet stops counting lateness the day it closed: `check`, `due`,
`overdue` and `indicators` give one number, on every date after.

Umberto (examples/indicators/C8-1.json, fictional) turns 3 on 2026-03-01 and leaves
Part C that day; the 303.209(b)(1)(i) notice to the SEA and LEA and the 303.209(c)(1)
transition conference were due 2025-12-01 (90 days before) and never done. They are
late 90 days (2025-12-01 to 2026-03-01): after Part C ended they can no longer be done,
so a count to the as-of date (212 days on 2026-07-01) would misstate them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from helpers import caseload_cli

from eirules.core.decisions import days_left

CASE = Path(__file__).resolve().parent.parent / "examples" / "indicators" / "C8-1.json"
CLOCKS = ("transition_notification", "transition_conference")


@pytest.fixture
def cli(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def test_the_one_rule_counts_to_the_closing_day():
    due, closed = date(2025, 12, 1), date(2026, 3, 1)
    assert days_left(due, date(2026, 7, 1), closed) == -90
    assert days_left(due, date(2027, 1, 1), closed) == -90
    assert days_left(due, date(2026, 7, 1)) == -212  # open: to the as-of date
    assert days_left(None, date(2026, 7, 1), closed) is None


@pytest.mark.parametrize("as_of", ["2026-07-01", "2027-01-15"])
def test_check_due_overdue_and_indicators_agree_on_90_days(cli, as_of):
    text = " ".join(cli("check", CASE, "--as-of", as_of).output.split())
    assert "by 2025-12-01, closed unmet on 2026-03-01, 90 days after it was due" in text
    assert "212 days overdue" not in text and "overdue," not in text.split("Notify")[1][:80]
    cli("cases", "import", CASE)
    cli("evaluate", "--all", "--as-of", as_of)
    for command in ("due", "overdue"):
        rows = json.loads(cli(command, "--as-of", as_of, "--format", "json").output)
        late = {r["clock"]: r["days_left"] for r in rows if r["clock"] in CLOCKS}
        assert late == dict.fromkeys(CLOCKS, -90), command
        lines = [
            json.loads(x)
            for x in cli(command, "--as-of", as_of, "--format", "jsonl").output.splitlines()
        ]
        assert lines == rows, command  # the stored text (SQL) and the dict path agree
    report = cli("indicators", "--year", "2025-26", "--children", "--format", "csv").output
    late = {
        r["clock"]: r["days_late"]
        for r in csv.DictReader(io.StringIO(report))
        if r["case_id"] == "C8-1"
    }
    assert late == dict.fromkeys(CLOCKS, "90")


def test_a_case_re_evaluated_for_the_listing_counts_the_same(cli, tmp_path):
    """The rows of a case evaluated for the answer (its stored determination is stale:
    never evaluated here) are built in Python (`listing_rows._days`): the same -90."""
    cli("cases", "import", CASE)
    rows = json.loads(cli("due", "--as-of", "2026-07-01", "--format", "json").output)
    late = {r["clock"]: r["days_left"] for r in rows if r["clock"] in CLOCKS}
    assert late == dict.fromkeys(CLOCKS, -90)
