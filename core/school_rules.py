"""Clock rules that need a school calendar: days not counted, year-end dates, absences.

A ruleset's clock definition may add (docs/rulesets.md, "Value shapes"):

* ``not_counting = "summer"``: calendar days in a summer of the school calendar (after
  the last school day of a school year, before the first of the next) are not counted.
* ``not_counting = "breaks"`` with ``break_over_school_days = N``: calendar days in any
  gap between school days that covers more than N weekdays are not counted.
* ``year_end = { at_least = A, fewer_than = B, due = "MM-DD" }``: when the start falls
  at least A but fewer than B school days before the last school day of its school year,
  the clock is due on that month and day of the year the school year ends;
  ``due = "before_next_school_year"``: the day before the first school day of the next
  school year.
* ``extended_by_absences = { event = "...", at_least = K }``: when the child was absent
  (events of that type, ``date`` to ``until``) on K or more school days of the period,
  the due date moves by that many school days; such absences also set the year-end
  date aside.

Every rule raises ValueError when there is no calendar, or the calendar does not cover
the days needed, so the clock says it cannot be computed instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from .errors import show_toml
from .school_calendar import SchoolCalendar

RULE_KEYS = ("not_counting", "break_over_school_days", "year_end", "extended_by_absences")
NOT_COUNTING = ("summer", "breaks")
_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
BEFORE_NEXT_YEAR = "before_next_school_year"


def applies(spec: dict[str, Any]) -> bool:
    """Whether a clock definition uses any of these rules."""
    return any(key in spec for key in RULE_KEYS)


def needs_school_calendar(spec: dict[str, Any]) -> bool:
    return applies(spec)


def check(value: dict[str, Any]) -> tuple[str, str | None] | None:
    """What is wrong with these keys in a clock definition (None when nothing)."""
    unit = value.get("unit")
    if "not_counting" in value:
        if value["not_counting"] not in NOT_COUNTING:
            return (
                f"not_counting: found {show_toml(value['not_counting'])}; expected summer or breaks",
                None,
            )
        if unit is not None and unit != "calendar_days":
            return "not_counting applies to calendar_days clocks only", 'set unit = "calendar_days"'
        if value["not_counting"] == "breaks" and "break_over_school_days" not in value:
            return 'not_counting = "breaks" needs break_over_school_days', (
                "add break_over_school_days = 5 (the size of break the rule leaves out)"
            )
    if "break_over_school_days" in value:
        n = value["break_over_school_days"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            return (
                f"break_over_school_days: found {show_toml(n)}; expected a whole number, 0 or more",
                None,
            )
        if value.get("not_counting") not in (None, "breaks"):
            return 'break_over_school_days goes with not_counting = "breaks"', None
    if "year_end" in value:
        rule = value["year_end"]
        if isinstance(rule, dict) and set(rule) - {"at_least", "fewer_than", "due"}:
            stray = sorted(set(rule) - {"at_least", "fewer_than", "due"})
            return f"year_end: unknown key {show_toml(stray[0])}", (
                "expected a table with at_least, fewer_than, due"
            )
        if not isinstance(rule, dict) or set(rule) != {"at_least", "fewer_than", "due"}:
            return (
                f"year_end: found {show_toml(rule)}; expected a table with at_least, fewer_than, due",
                ('write it as { at_least = 35, fewer_than = 45, due = "06-30" }'),
            )
        lo, hi = rule["at_least"], rule["fewer_than"]
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (lo, hi)):
            return "year_end: at_least and fewer_than must be whole numbers of school days", None
        if lo >= hi:
            return f"year_end: at_least {lo} must be less than fewer_than {hi}", None
        due = rule["due"]
        if not isinstance(due, str) or not (_MONTH_DAY.match(due) or due == BEFORE_NEXT_YEAR):
            return (
                f"year_end.due: found {show_toml(due)}; expected a month and day or {BEFORE_NEXT_YEAR}",
                f'write it as due = "06-30" or due = "{BEFORE_NEXT_YEAR}"',
            )
        if unit is not None and unit != "school_days":
            return "year_end applies to school_days clocks only", 'set unit = "school_days"'
    if "extended_by_absences" in value:
        rule = value["extended_by_absences"]
        if isinstance(rule, dict) and set(rule) - {"event", "at_least"}:
            stray = sorted(set(rule) - {"event", "at_least"})
            return f"extended_by_absences: unknown key {show_toml(stray[0])}", (
                "expected a table with event and at_least"
            )
        if (
            not isinstance(rule, dict)
            or set(rule) != {"event", "at_least"}
            or not isinstance(rule["event"], str)
            or not isinstance(rule["at_least"], int)
            or isinstance(rule["at_least"], bool)
            or rule["at_least"] < 1
        ):
            return (
                f"extended_by_absences: found {show_toml(rule)}; expected an event name and at_least",
                ('write it as { event = "absent_from_school", at_least = 3 }'),
            )
        if unit is not None and unit != "school_days":
            return "extended_by_absences applies to school_days clocks only", None
    return None


def _covered(school: SchoolCalendar, start: date, end: date, what: str) -> None:
    if start < school.first_day or end > school.last_day:
        raise ValueError(
            f"the school calendar ({school.first_day} to {school.last_day}) does not cover "
            f"{what} ({start} to {end}); import the district's calendar for those school years"
        )


def add_days_not_counting(
    school: SchoolCalendar, start: date, n: int, excluded: Callable[[date], bool]
) -> date | None:
    """The n-th calendar day after start that is not excluded; None past the calendar's end."""
    _covered(school, start, start, "the start of the clock")
    day, count = start, 0
    while count < n:
        day += timedelta(days=1)
        if day > school.last_day:
            return None
        if not excluded(day):
            count += 1
    return day


def _excluder(spec: dict[str, Any], school: SchoolCalendar) -> Callable[[date], bool]:
    if spec["not_counting"] == "summer":
        spans = school.summers()
    else:
        spans = school.breaks(int(spec["break_over_school_days"]))
    return lambda day: any(first <= day <= last for first, last in spans)


def absent_school_days(school: SchoolCalendar, absences: tuple, start: date, end: date) -> int:
    """School days in (start, end] covered by absence events (date to until)."""
    days: set[date] = set()
    for event in absences:
        day = max(event.date, start + timedelta(days=1))
        last = min(event.until or event.date, end)
        while day <= last:
            if school.is_school_day(day):
                days.add(day)
            day += timedelta(days=1)
    return len(days)


def due_date(
    spec: dict[str, Any],
    start: date,
    due: date | None,
    school: SchoolCalendar | None,
    absences: tuple = (),
    count_start_day_as: int = 0,
) -> tuple[date | None, str | None]:
    """The due date under these rules, and a note saying which rule set it (or None)."""
    if school is None:
        raise ValueError("this clock counts a school calendar's days and there is none")
    notes = []
    if "not_counting" in spec:
        n = max(int(spec["length"]) - count_start_day_as, 0)
        due = add_days_not_counting(school, start, n, _excluder(spec, school))
        if due is None:
            return None, None
        what = (
            "summer days"
            if spec["not_counting"] == "summer"
            else f"days of breaks over {spec['break_over_school_days']} school days"
        )
        notes.append(f"{spec['length']} calendar days from {start}, not counting {what}")
    ext = spec.get("extended_by_absences")
    if "year_end" in spec:
        rule = spec["year_end"]
        last = school.last_school_day_of_year(start)
        if last is None:
            raise ValueError(
                f"the school calendar does not cover the school year of {start}; "
                "import the district's calendar for that school year"
            )
        remaining = school.school_days_between(start, last)
        if rule["at_least"] <= remaining < rule["fewer_than"]:
            absent = absent_school_days(school, absences, start, last) if ext else 0
            if not (ext and absent >= ext["at_least"]):
                year_end_due = _year_end_due(rule["due"], school, last)
                return year_end_due, (
                    f"started {remaining} school days before the last school day of the year "
                    f"({last}): due {year_end_due}"
                )
            notes.append(
                f"started {remaining} school days before the last school day ({last}), "
                f"but absent {absent} school days, so the year-end date does not apply"
            )
    if ext and due is not None:
        absent = absent_school_days(school, absences, start, due)
        if absent >= ext["at_least"]:
            extended = school.add_school_days(due, absent)
            notes.append(f"extended by {absent} school days of absence (from {due})")
            due = extended
    return due, "; ".join(notes) or None


def _year_end_due(due: str, school: SchoolCalendar, last: date) -> date:
    """The year-end due date: a month and day of the year the school year ends, or the day
    before the next school year's first school day (which the calendar must cover)."""
    if due == BEFORE_NEXT_YEAR:
        first = school.add_school_days(last, 1)
        if first is None:
            raise ValueError(
                f"the school calendar ends with the school year that ends on {last}; the "
                "first school day of the next school year is needed: import the district's "
                "calendar for that school year"
            )
        return first - timedelta(days=1)
    month, day = (int(p) for p in due.split("-"))
    return date(last.year, month, day)
