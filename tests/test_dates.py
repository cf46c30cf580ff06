"""core/dates.py: every date convention, with worked examples and invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.dates import (
    BusinessCalendar,
    SchoolCalendar,
    add_days,
    add_months,
    add_years,
    age_in_months,
    apply_weekend_rule,
    birthday,
    shift,
)

D = date.fromisoformat
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def test_day_zero_is_the_start_day():
    """Convention: referral 2026-01-05 is day 0, so day 45 is 2026-02-19 (303.310(a))."""
    assert add_days(D("2026-01-05"), 45) == D("2026-02-19")


def test_counting_the_start_day_as_day_one_is_a_day_earlier():
    """count_start_day_as=1 (e.g. Virginia's day-1 practice): 2026-01-05 + 45 = 2026-02-18."""
    assert add_days(D("2026-01-05"), 45, count_start_day_as=1) == D("2026-02-18")
    with pytest.raises(ValueError):
        add_days(D("2026-01-05"), 45, count_start_day_as=2)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-08-31", 18, "2026-02-28"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2025-01-31", 1, "2025-02-28"),
        ("2025-03-31", -1, "2025-02-28"),
        ("2027-11-30", -9, "2027-02-28"),
        ("2025-12-15", 1, "2026-01-15"),
    ],
)
def test_months_clamp_to_the_end_of_the_month(start, months, expected):
    """Month arithmetic clamps to the last day of a shorter month (regulations.md 7.2)."""
    assert add_months(D(start), months) == D(expected)


def test_29_february_anniversaries():
    """No IDEA rule: the ruleset picks 28 February (default) or 1 March in a common year."""
    born = D("2024-02-29")
    assert birthday(born, 3) == D("2027-02-28")
    assert birthday(born, 3, leap_day="mar1") == D("2027-03-01")
    assert birthday(born, 4) == D("2028-02-29")
    assert add_years(born, 4, leap_day="mar1") == D("2028-02-29")
    with pytest.raises(ValueError):
        add_years(born, 1, leap_day="feb30")


def test_age_in_months():
    """Whole months plus the fraction of the current month: 2024-01-01 to 2025-03-01 is 14."""
    assert age_in_months(D("2024-01-01"), D("2025-03-01")) == 14
    assert age_in_months(D("2024-01-01"), D("2024-01-16")) == pytest.approx(15 / 31)
    with pytest.raises(ValueError):
        age_in_months(D("2024-01-01"), D("2023-12-31"))


def test_business_days_skip_weekends_and_holidays():
    """300.11(b): Monday to Friday less holidays. Friday 2026-07-03 (observed Independence Day)
    is a holiday: 5 business days after Wednesday 2026-07-01 is Thursday 2026-07-09."""
    cal = BusinessCalendar([D("2026-07-03")])
    assert cal.add_business_days(D("2026-07-01"), 5) == D("2026-07-09")
    assert BusinessCalendar().add_business_days(D("2026-07-01"), 5) == D("2026-07-08")
    assert cal.business_days_between(D("2026-07-01"), D("2026-07-09")) == 5
    assert cal.add_business_days(D("2026-07-01"), 0) == D("2026-07-01")
    with pytest.raises(ValueError):
        cal.add_business_days(D("2026-07-01"), -1)


def test_weekend_rule():
    """Default keep; a ruleset may move a due date off a weekend or holiday either way."""
    saturday = D("2026-02-21")
    assert apply_weekend_rule(saturday, "keep") == saturday
    assert apply_weekend_rule(saturday, "next_business_day") == D("2026-02-23")
    assert apply_weekend_rule(saturday, "previous_business_day") == D("2026-02-20")
    holiday = BusinessCalendar([D("2026-02-23")])
    assert apply_weekend_rule(saturday, "next_business_day", holiday) == D("2026-02-24")
    with pytest.raises(ValueError):
        apply_weekend_rule(saturday, "nearest")


def test_school_days_from_terms_less_closures():
    """300.11(c): school days are days children attend; breaks and closures do not count."""
    cal = SchoolCalendar.from_terms(
        [(D("2026-05-18"), D("2026-05-22")), (D("2026-08-17"), D("2026-08-21"))],
        closures=[D("2026-05-20")],
    )
    assert cal.add_school_days(D("2026-05-18"), 3) == D("2026-05-22")
    assert cal.add_school_days(D("2026-05-21"), 3) == D("2026-08-18")
    assert cal.add_school_days(D("2026-08-20"), 5) is None
    assert cal.in_break(D("2026-07-01"))
    assert not cal.in_break(D("2026-05-20"), min_days=14)
    assert not cal.is_school_day(D("2026-05-20"))
    with pytest.raises(ValueError):
        SchoolCalendar([])


def test_in_summer_is_the_gap_between_two_school_years():
    """300.101(b)(2) leaves "summer" to the school calendar: the days after the last school
    day of one school year and before the first of the next. Terms 2025-09-01 to
    2025-12-19, 2026-01-05 to 2026-06-05 (year 2025-2026) and 2026-08-24 to 2026-12-18
    (year 2026-2027): summer 2026-06-06 to 2026-08-23; the winter break is not a summer;
    past the last year, or without school years, the calendar cannot say."""
    terms = [
        (D("2025-09-01"), D("2025-12-19")),
        (D("2026-01-05"), D("2026-06-05")),
        (D("2026-08-24"), D("2026-12-18")),
    ]
    years = [
        (D("2025-07-01"), D("2026-06-30"), "2025-2026"),
        (D("2026-07-01"), D("2027-06-30"), "2026-2027"),
    ]
    cal = SchoolCalendar.from_terms(terms, years=years)
    assert cal.summers() == [(D("2026-06-06"), D("2026-08-23"))]
    assert cal.in_summer(D("2026-06-06")) is True
    assert cal.in_summer(D("2026-08-23")) is True
    assert cal.in_summer(D("2026-08-24")) is False
    assert cal.in_summer(D("2026-06-05")) is False
    assert cal.in_summer(D("2025-12-28")) is False  # winter break, inside a school year
    assert cal.in_break(D("2025-12-28"))  # ... which a 14-day gap rule would call summer
    assert cal.in_summer(D("2027-07-15")) is None  # after the last school year
    assert cal.in_summer(D("2025-08-15")) is None  # before the first
    assert SchoolCalendar.from_terms(terms).in_summer(D("2026-07-15")) is None  # no years


def test_shift_units_and_directions():
    """One entry point for every unit; backward only for calendar units."""
    start = D("2026-01-05")
    assert shift(start, 2, "weeks") == D("2026-01-19")
    assert shift(start, 1, "years") == D("2027-01-05")
    assert shift(D("2027-11-02"), 90, "calendar_days", direction=-1) == D("2027-08-04")
    assert shift(D("2027-11-02"), 9, "months", direction=-1) == D("2027-02-02")
    assert shift(start, 10, "business_days") == D("2026-01-19")
    with pytest.raises(ValueError):
        shift(start, 10, "business_days", direction=-1)
    with pytest.raises(ValueError):
        shift(start, 10, "school_days")
    with pytest.raises(ValueError):
        shift(start, 1, "fortnights")
    with pytest.raises(ValueError):
        shift(start, -1, "calendar_days")


@given(days, st.integers(0, 400), st.integers(0, 30))
def test_later_start_never_gives_an_earlier_due_date(start, n, later):
    """Invariant: for every unit, moving the start later never moves the due date earlier."""
    for unit in ("calendar_days", "weeks", "months", "years", "business_days"):
        size = n if unit in ("calendar_days", "business_days") else n % 40
        assert shift(start + timedelta(days=later), size, unit) >= shift(start, size, unit)


@given(days, st.integers(0, 120), st.lists(days, max_size=8), days)
def test_adding_a_holiday_never_makes_a_business_day_clock_earlier(start, n, holidays, extra):
    """Invariant: one more holiday can only keep or push back a business-day due date."""
    cal = BusinessCalendar(holidays)
    assert cal.with_holidays([extra]).add_business_days(start, n) >= cal.add_business_days(start, n)


@given(days, st.integers(0, 60), st.lists(days, max_size=6))
def test_business_day_jump_matches_a_day_by_day_walk(start, n, holidays):
    """The fast jump gives the same answer as walking one day at a time."""
    cal = BusinessCalendar(holidays)
    day, count = start, 0
    while count < n:
        day += timedelta(days=1)
        if cal.is_business_day(day):
            count += 1
    assert cal.add_business_days(start, n) == day


@given(days, st.integers(-400, 400))
def test_add_months_agrees_with_relativedelta(start, n):
    """Month arithmetic, clamped to the month's last day, gives exactly python-dateutil's answer."""
    from dateutil.relativedelta import relativedelta

    assert add_months(start, n) == start + relativedelta(months=n)
