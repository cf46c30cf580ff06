"""`plans import` refuses what the case file's other ways in refuse, naming the CSV line.

A measurement or a note dated after today has not happened yet (as an event dated in the
future is refused); a measurement below zero is not a count, rate, share or duration; a
control character in a note is reported against the CSV line it came from, not against
the case file the rows would have been written into. Nothing is written on refusal.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples" / "plans"


#: The day the tests run "as": `plans import` reads the date once (cli/plan_files.today),
#: pinned here, so a test is never run across midnight with two different todays.
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def reads(monkeypatch):
    """Pin `plan_files.today` to TODAY; the list of its reads (one per command)."""
    from eirules.cli import plan_files

    calls = []

    def today():
        calls.append(TODAY)
        return TODAY

    monkeypatch.setattr(plan_files, "today", today)
    return calls


@pytest.fixture
def iep(tmp_path):
    return Path(shutil.copy(EXAMPLES / "pb-iep-goals.json", tmp_path / "p.json"))


def _import(case, csv, text, kind="points"):
    csv.write_text(text)
    before = case.read_bytes()
    result = CliRunner().invoke(cli, ["plans", "import", str(case), str(csv), "--kind", kind])
    return result, before


def test_a_measurement_dated_tomorrow_is_refused_naming_the_line(iep, tmp_path):
    today = TODAY
    tomorrow = today + timedelta(days=1)
    csv = tmp_path / "pts.csv"
    result, before = _import(
        iep, csv, f"goal,date,value\nmath-facts,2026-02-16,15\nmath-facts,{tomorrow},16\n"
    )
    assert result.exit_code == 2
    assert f"Error: {csv} has rows that cannot be read" in result.output
    assert (
        f"  line 3: date: {tomorrow.isoformat()} is in the future (today is "
        f"{today.isoformat()}); record a measurement on or after the day it is made"
    ) in result.output
    assert iep.read_bytes() == before  # the good row on line 2 is not written either


def test_a_measurement_dated_today_is_accepted(iep, tmp_path, reads):
    """It flaked around midnight: the test read the date, and `plans import` read it
    again for the CSV's rows and once more for the case file's own check. The command
    now reads "today" once (`plan_files.today`), which the test pins."""
    result, _ = _import(iep, tmp_path / "pts.csv", f"goal,date,value\nmath-facts,{TODAY},16\n")
    assert result.exit_code == 0, result.output
    assert "1 row added" in result.output
    assert reads == [TODAY]  # one read: the CSV and the case file are checked against one day


def test_a_note_dated_in_the_future_is_refused(iep, tmp_path):
    later = TODAY + timedelta(days=30)
    result, before = _import(
        iep,
        tmp_path / "notes.csv",
        f"goal,date,kind,by,text\nmath-facts,{later},observation,teacher,Counts on.\n",
        kind="notes",
    )
    assert result.exit_code == 2
    assert f"line 2: date: {later.isoformat()} is in the future" in result.output
    assert "record a note on or after the day it is made" in result.output
    assert iep.read_bytes() == before


def test_a_negative_count_is_refused(iep, tmp_path):
    result, before = _import(
        iep, tmp_path / "pts.csv", "goal,date,value\nmath-facts,2026-02-16,-3\n"
    )
    assert result.exit_code == 2
    assert "  line 2: value: -3 is below zero; expected 0 or more" in result.output
    assert iep.read_bytes() == before


def test_zero_is_a_count(iep, tmp_path):
    result, _ = _import(iep, tmp_path / "pts.csv", "goal,date,value\nmath-facts,2026-02-16,0\n")
    assert result.exit_code == 0, result.output


def test_a_control_character_in_a_note_names_the_csv_line_not_the_case_file(iep, tmp_path):
    csv = tmp_path / "notes.csv"
    result, before = _import(
        iep,
        csv,
        "goal,date,kind,by,text\nmath-facts,2026-02-10,observation,teacher,fine\n"
        'math-facts,2026-02-11,observation,teacher,"bad\x07bell"\n',
        kind="notes",
    )
    assert result.exit_code == 2
    assert f"Error: {csv} has rows that cannot be read" in result.output
    assert "  line 3: text: contains the control or bidi character U+0007" in result.output
    assert "notes[" not in result.output and "p.json" not in result.output
    assert iep.read_bytes() == before


def test_an_unknown_kind_or_empty_text_of_note_names_the_csv_line(iep, tmp_path):
    result, before = _import(
        iep,
        tmp_path / "notes.csv",
        "goal,date,kind,by,text\nmath-facts,2026-02-10,gossip,teacher,fine\n"
        "math-facts,2026-02-11,observation,teacher,   \n",
        kind="notes",
    )
    assert result.exit_code == 2
    assert '  line 2: kind: "gossip" is not a known kind of note' in result.output
    assert "  line 3: text: is empty; expected some text" in result.output
    assert iep.read_bytes() == before


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.integers(min_value=1, max_value=3000), value=st.integers(-1000, 1000))
def test_a_future_date_is_always_refused_and_nothing_written(iep, tmp_path, days, value):
    day = TODAY + timedelta(days=days)
    result, before = _import(
        iep, tmp_path / "pts.csv", f"goal,date,value\nmath-facts,{day},{value}\n"
    )
    assert result.exit_code == 2
    assert "line 2: date" in result.output
    assert iep.read_bytes() == before
