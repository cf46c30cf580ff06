"""MTSS numbers have bounds, NaN and infinity are refused, and every problem of a row is told.

QA: `mtss import sessions` took minutes 99999999999999999999999 and `programs report` then
showed "Fidelity: 222816399286987522048%"; bad values read "'percentile' must be <= 100:
inf"; a row with two problems reported one. The bounds are physical, not educational
thresholds: a session dated on one day lasts at most the day's 1,440 minutes, a week
holds at most 10,080 sessions of a minute; a percentile rank is 0 to 100.
"""

from __future__ import annotations

import math
import re
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.errors import ValueProblem
from eirules.plugins.mtss import datadir
from eirules.plugins.mtss.models import (
    MINUTES_PER_DAY,
    SESSIONS_PER_WEEK_MOST,
    Enrolment,
    Point,
    Screening,
    Session,
)

HEADER = "student_id,date,status,planned_minutes,minutes\n"


@pytest.fixture
def school_dir(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(datadir.bundled_dir(), target)
    return target


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _snapshot(folder):
    return {f.name: f.read_bytes() for f in sorted((folder / "students").glob("*.json"))}


def test_the_qa_minutes_are_refused_with_file_line_column_and_bound(school_dir):
    before = _snapshot(school_dir)
    report = run("programs", "report", "--dir", school_dir, "--as-of", "2026-06-05").output
    sessions = school_dir / "s.csv"
    sessions.write_text(HEADER + "ELM-001,2026-05-27,delivered,30,99999999999999999999999\n")
    result = run("mtss", "import", "sessions", sessions, "--dir", school_dir)
    assert result.exit_code == 2, result.output
    assert (
        f"{sessions}:2, column minutes: 99999999999999999999999 is out of range; "
        "expected 0 to 1,440 (the minutes in one day)"
    ) in result.output
    assert "nothing was imported" in result.output
    assert _snapshot(school_dir) == before
    after = run("programs", "report", "--dir", school_dir, "--as-of", "2026-06-05").output
    assert after == report
    assert not re.search(r"\d{5,}%", after)


def test_every_problem_of_a_row_is_reported_each_with_its_column(school_dir):
    sessions = school_dir / "s.csv"
    sessions.write_text(HEADER + "ELM-001,2026-02-30,delivered,nan,-1\n")
    result = run("mtss", "import", "sessions", sessions, "--dir", school_dir)
    assert result.exit_code == 2
    lines = [line.strip() for line in result.output.splitlines() if f"{sessions}:2" in line]
    assert lines == [
        f'{sessions}:2, column date: "2026-02-30" is not a date; expected a date from '
        "1900-01-01 to 2199-12-31, written YYYY-MM-DD",
        f'{sessions}:2, column planned_minutes: "nan" is not a whole number; '
        "expected a whole number",
        f"{sessions}:2, column minutes: -1 is out of range; "
        "expected 0 to 1,440 (the minutes in one day)",
    ]
    assert "1 row(s) not valid" in result.output


@pytest.mark.parametrize(
    "column, cell, said",
    [
        ("score", "nan", "NaN is not a finite number; expected a number"),
        ("score", "inf", "Infinity is not a finite number; expected a number"),
        ("score", "-1e999", "-Infinity is not a finite number; expected a number"),
    ],
)
def test_a_point_that_is_not_finite_is_refused_in_plain_words(school_dir, column, cell, said):
    points = school_dir / "p.csv"
    points.write_text(f"student_id,series,date,score\nELM-001,orf-elm-001,2026-06-01,{cell}\n")
    result = run("mtss", "import", "points", points, "--dir", school_dir)
    assert result.exit_code == 2
    assert f"{points}:2, column {column}: {said}" in result.output


def test_a_screening_row_with_a_bad_percentile_and_score_reports_both(school_dir):
    screening = school_dir / "sc.csv"
    screening.write_text(
        "student_id,date,window,instrument,skill_area,percentile,scaled_score\n"
        "ELM-001,2026-01-12,winter,Star Reading,reading,101,inf\n"
    )
    result = run("mtss", "import", "screening", screening, "--dir", school_dir)
    assert result.exit_code == 2
    assert (
        f"{screening}:2, column percentile: 101 is out of range; expected 0 to 100 "
        "(a percentile rank)"
    ) in result.output
    assert f"{screening}:2, column scaled_score: Infinity is not a finite number" in result.output
    assert "must be <=" not in result.output


DAY = date(2026, 1, 12)


@given(minutes=st.integers(-(10**30), 10**30))
def test_session_minutes_are_0_to_the_minutes_of_one_day(minutes):
    ok = 0 <= minutes <= MINUTES_PER_DAY
    try:
        Session(date=DAY, status="delivered", planned_minutes=30, minutes=minutes)
    except ValueProblem as exc:
        assert not ok and exc.fix == "expected 0 to 1,440 (the minutes in one day)"
    else:
        assert ok


@given(per_week=st.integers(-5, 10**7), minutes=st.integers(-5, 10**5))
def test_an_enrolment_dose_is_bounded_by_the_day_and_the_week(per_week, minutes):
    ok = 0 <= per_week <= SESSIONS_PER_WEEK_MOST and 0 <= minutes <= MINUTES_PER_DAY
    try:
        Enrolment(
            program="P",
            tier=2,
            skill_area="reading",
            start=DAY,
            sessions_per_week=per_week,
            minutes_per_session=minutes,
        )
    except ValueProblem:
        assert not ok
    else:
        assert ok


@given(value=st.floats())
def test_scores_and_percentiles_are_finite(value):
    finite = math.isfinite(value)
    try:
        Point(date=DAY, score=value)
    except ValueProblem as exc:
        assert not finite and "is not a finite number" in exc.what
    else:
        assert finite
    try:
        Screening(date=DAY, window="winter", instrument="I", skill_area="r", percentile=value)
    except ValueProblem:
        assert not (finite and 0 <= value <= 100)
    else:
        assert finite and 0 <= value <= 100
