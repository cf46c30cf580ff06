"""The Days column of `due` for a clock or referral that closed unmet with no due date.

One owed "as soon as possible" (no date to count from, e.g. a late referral to the SEA
and LEA, 34 CFR 303.209(b)(1)(ii)-(iii)) reads "now" while it can still be done. Once
it closed unmet (`closed_on`: Part C ended, 303.209(b)(1)), "now" read as still doable;
it says "closed" (the What column says the day and that it is late).
"""

from __future__ import annotations

import pytest

from eirules.cli.due import days_text, lateness, what_text

ROW = {
    "kind": "referral",
    "days_left": None,
    "label": "Transition notification to the SEA and LEA",
    "clock": "part_c.transition_notification",
    "subject": "lead agency",
    "reason": "",
    "fix": None,
}


@pytest.mark.parametrize("status", ["to_make", "overdue", "due_soon"])
def test_303_209_b_closed_unmet_with_no_due_date_says_closed_not_now(status):
    row = {**ROW, "status": status, "closed_on": "2027-11-02"}
    assert days_text(row) == "closed"
    assert "closed on 2027-11-02" in what_text(row)


def test_303_209_b_still_open_with_no_due_date_is_owed_now():
    assert days_text({**ROW, "status": "to_make", "closed_on": None}) == "now"
    assert days_text({**ROW, "status": "overdue"}) == "now"


def test_a_clock_closed_unmet_is_still_counted_late():
    row = {**ROW, "kind": "clock", "status": "overdue", "closed_on": "2027-11-02"}
    assert days_text(row) == "closed" and lateness(row) == "overdue"
