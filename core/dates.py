"""Date arithmetic for legal clocks: every convention in one small, tested module.

Conventions (see docs/clocks.md; a ruleset may change each one):

* Day counting: the day of the start event is day 0, so a 45-day clock that
  starts on 2026-01-05 is due on 2026-02-19. With ``count_start_day_as=1`` the
  start day is day 1 and the same clock is due a day earlier.
* Months and years: calendar arithmetic with end-of-month clamping
  (2024-08-31 + 6 months = 2025-02-28), as python-dateutil's relativedelta counts them.
* Birthdays: a child reaches age N on the N-th anniversary of birth; a child
  born on 29 February has the anniversary in a common year on 28 February
  (``leap_day_birthday="feb28"``) or 1 March (``"mar1"``).
* Weekends and holidays: a due date is kept where it falls unless the rule says
  ``next_business_day`` or ``previous_business_day``.
"""

from __future__ import annotations

import bisect
import re
from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta

from .school_calendar import SchoolCalendar

__all__ = ["SchoolCalendar"]  # re-exported: it lived here first

UNITS = ("calendar_days", "business_days", "school_days", "weeks", "months", "years")
WEEKEND_RULES = ("keep", "next_business_day", "previous_business_day")
LEAP_DAY_RULES = ("feb28", "mar1")

#: The one date bound: every date eirules reads (case files, CSV, rulesets, --as-of) lies in
#: this range. It holds every child of IDEA Part C and Part B with a century to spare, and
#: keeps the longest clock (years past a 22nd birthday) far from the calendar's end, so no
#: date a rule computes can overflow. docs/case-file.md says so.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

#: Digits and a unit, d or w in either case ("all" is read apart, in either case too).
_PERIOD = re.compile(r"^\s*([0-9]+)\s*([dwDW]?)\s*$")
#: The longest look-ahead a period may give: the whole date range eirules accepts.
MAX_PERIOD_DAYS = (LATEST - EARLIEST).days


def parse_period(text: str) -> int | None:
    """A look-ahead in days from "14d", "2w", "30" (days) or "all" (None: no limit).

    Raises ValueError with a sentence saying what was wrong and what is expected;
    `eirules due --within` and `GET /v1/due?within=` both read periods with it.
    """
    if str(text).strip().lower() == "all":
        return None
    match = _PERIOD.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a period (examples: 14d, 2w, 30, all)")
    digits, unit = match.group(1).lstrip("0") or "0", match.group(2).lower()
    # More digits than the longest period has: too long, said without reading the number
    # (Python refuses to read one of more than 4,300 digits).
    days = MAX_PERIOD_DAYS + 1 if len(digits) > 7 else int(digits) * (7 if unit == "w" else 1)
    if days > MAX_PERIOD_DAYS:
        shown = str(text) if len(str(text)) <= 20 else str(text)[:20] + "..."
        raise ValueError(f"{shown!r} is too long (at most {MAX_PERIOD_DAYS} days, or all)")
    return days


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def in_range(day: date) -> bool:
    """True when `day` is within EARLIEST to LATEST."""
    return EARLIEST <= day <= LATEST


def range_text() -> str:
    """The accepted range in words, for error messages."""
    return f"expected a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}"


def why_not_a_date(text: str) -> str:
    """What is wrong with a text `parse_date` refused, after the value is named: "is out
    of range; expected a date from ..." for a real date past the bound (0001-01-01), else
    "is not a date (YYYY-MM-DD)". The CLI's options and the HTTP API both say it so."""
    text = str(text)
    if parse_date(text.replace(text[:4], "2000", 1)) is not None:
        return f"is out of range; {range_text()}"
    return "is not a date (YYYY-MM-DD)"


def parse_date(text: str) -> date | None:
    """A YYYY-MM-DD date within the bound, else None (no week dates, no 20260302)."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if in_range(day) else None


class BusinessCalendar:
    """Monday to Friday, less public holidays: a sorted array of holidays, not a loop per day."""

    def __init__(self, holidays: Iterable[date] = (), name: str = "weekdays"):
        self.name = name
        self.holidays = tuple(sorted(set(holidays)))
        self._holiday_set = frozenset(self.holidays)

    def with_holidays(self, extra: Iterable[date]) -> BusinessCalendar:
        """A copy of this calendar with more holidays."""
        return BusinessCalendar((*self.holidays, *extra), name=self.name)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holiday_set

    def next_business_day(self, day: date) -> date:
        """The day itself if it is a business day, otherwise the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def previous_business_day(self, day: date) -> date:
        """The day itself if it is a business day, otherwise the one before."""
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def add_business_days(self, start: date, n: int) -> date:
        """The n-th business day after start (start itself is day 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        # Whole weeks hold at most five business days each, so this jump never
        # passes the answer; the walk that follows is a few days at most.
        day = start + timedelta(weeks=n // 5)
        count = self.business_days_between(start, day)
        while count < n:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        # The jump may land on a weekend or holiday after the n-th business day.
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]."""
        if end <= start:
            return 0
        lo = bisect.bisect_right(self.holidays, start)
        hi = bisect.bisect_right(self.holidays, end)
        holidays = sum(1 for h in self.holidays[lo:hi] if h.weekday() < 5)
        return _weekdays_between(start, end) - holidays


def _weekdays_between(start: date, end: date) -> int:
    """Monday-to-Friday days in (start, end]."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    wd = start.weekday()
    for i in range(1, rest + 1):
        if (wd + i) % 7 < 5:
            count += 1
    return count


WEEKDAYS = BusinessCalendar()


#: timedelta(days=n) by n, for `days`: a keyword call of the timedelta type costs more
#: than the rest of a clock's status, and rules use a handful of lengths.
DAYS: dict[int, timedelta] = {}


def days(n: int) -> timedelta:
    """timedelta(days=n), made once per n (`DAYS`)."""
    found = DAYS.get(n)
    if found is None:
        if len(DAYS) > 4096:
            DAYS.clear()
        found = DAYS[n] = timedelta(days=n)
    return found


def add_days(start: date, n: int, *, count_start_day_as: int = 0) -> date:
    """start + n calendar days, where the start day counts as day 0 (default) or day 1."""
    if count_start_day_as not in (0, 1):
        raise ValueError("count_start_day_as must be 0 or 1")
    return start + timedelta(days=n - count_start_day_as)


def add_months(start: date, n: int) -> date:
    """start + n calendar months, clamped to the month's last day (2024-08-31 + 6 = 2025-02-28)."""
    # Plain year/month arithmetic, the day clamped to the month's last as relativedelta
    # clamps it (tests check the two agree); relativedelta's general constructor and
    # addition cost more than the rest of a clock.
    years, month0 = divmod(start.month - 1 + n, 12)
    year, day = start.year + years, start.day
    if day > 28:
        day = min(day, monthrange(year, month0 + 1)[1])
    if type(start) is date:  # positional: date.replace's keywords cost as much again
        return date(year, month0 + 1, day)
    return start.replace(year=year, month=month0 + 1, day=day)


def add_years(start: date, n: int, *, leap_day: str = "feb28") -> date:
    """start + n years; 29 February lands on 28 February or 1 March in a common year."""
    return years_later(start, n, leap_day)


def years_later(start: date, n: int, leap_day: str) -> date:
    """`add_years` with its arguments by position (`birthday` and `shift` call it so: a
    keyword is matched against the parameter names on every call)."""
    if leap_day not in LEAP_DAY_RULES:
        raise ValueError(f"leap_day must be one of {LEAP_DAY_RULES}")
    result = add_months(start, 12 * n)
    if leap_day == "mar1" and start.month == 2 and start.day == 29 and result.day == 28:
        result += timedelta(days=1)
    return result


def birthday(birth_date: date, years: int, *, leap_day: str = "feb28") -> date:
    """The day a child born on birth_date reaches the given age."""
    return years_later(birth_date, years, leap_day)


def age_in_months(birth_date: date, on: date) -> float:
    """Chronological age in months (whole months plus the fraction of the current one)."""
    if on < birth_date:
        raise ValueError("the date is before the birth date")
    # Whole months: the calendar difference, less one when that anniversary (clamped to
    # the month's end by add_months) is still ahead. Same result as relativedelta(on,
    # birth_date), without its slower general-purpose constructor.
    whole = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    if add_months(birth_date, whole) > on:
        whole -= 1
    anchor = add_months(birth_date, whole)
    following = add_months(birth_date, whole + 1)
    return whole + (on - anchor).days / (following - anchor).days


def shift(
    start: date,
    length: int,
    unit: str,
    *,
    direction: int = 1,
    count_start_day_as: int = 0,
    business: BusinessCalendar = WEEKDAYS,
    school: SchoolCalendar | None = None,
    leap_day: str = "feb28",
) -> date | None:
    """Move length units from start, forward (direction 1) or back (-1).

    Returns None only for school days beyond the end of the school calendar.
    """
    return shifted(start, length, unit, direction, count_start_day_as, business, school, leap_day)


def shifted(
    start: date,
    length: int,
    unit: str,
    direction: int,
    count_start_day_as: int,
    business: BusinessCalendar,
    school: SchoolCalendar | None,
    leap_day: str,
) -> date | None:
    """`shift` with every argument by position, in its order (the clock machinery calls
    it so: each keyword of a call is matched against the parameter names)."""
    if length < 0:
        raise ValueError("length must not be negative")
    if direction not in (1, -1):
        raise ValueError("direction must be 1 or -1")
    if unit == "calendar_days":
        if direction == 1:  # add_days, its timedelta made once per length
            if count_start_day_as not in (0, 1):
                raise ValueError("count_start_day_as must be 0 or 1")
            return start + days(length - count_start_day_as)
        return start - days(length - count_start_day_as)
    if unit == "weeks":
        return start + direction * timedelta(weeks=length)
    if unit == "months":
        return add_months(start, direction * length)
    if unit == "years":
        return years_later(start, direction * length, leap_day)
    if unit == "business_days":
        if direction == -1:
            raise ValueError("business days are counted forward only")
        n = max(length - count_start_day_as, 0)
        return business.add_business_days(start, n)
    if unit == "school_days":
        if school is None:
            raise ValueError("a school_days clock needs a school calendar")
        if direction == -1:
            raise ValueError("school days are counted forward only")
        return school.add_school_days(start, max(length - count_start_day_as, 0))
    raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")


def apply_weekend_rule(day: date, rule: str, calendar: BusinessCalendar = WEEKDAYS) -> date:
    """Keep a due date, or move it off a weekend or holiday as the rule says."""
    if rule == "keep":
        return day
    if rule == "next_business_day":
        return calendar.next_business_day(day)
    if rule == "previous_business_day":
        return calendar.previous_business_day(day)
    raise ValueError(f"unknown weekend rule {rule!r}; expected one of {', '.join(WEEKEND_RULES)}")
