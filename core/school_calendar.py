"""A district's school calendar: the days children attend (34 CFR 300.11(c)) and its school years.

School days are the weekdays of each term less closures. School years give the calendar
its summers: the days after the last school day of one school year and before the first
school day of the next. Breaks are the gaps between two school days; a break's size is
counted in the weekdays it covers (the school days it takes away), so a state rule such
as "vacation in excess of five schooldays" can be read off it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import pairwise


def _weekdays(first: date, last: date) -> int:
    """Monday-to-Friday days from first to last, both included."""
    count, day = 0, first
    while day <= last:
        count += day.weekday() < 5
        day += timedelta(days=1)
    return count


class SchoolCalendar:
    """The days children attend school: a sorted list, with the school years they belong to."""

    def __init__(
        self,
        school_days: Iterable[date],
        name: str = "school",
        years: Iterable[tuple[date, date, str]] = (),
    ):
        self.name = name
        self.days = tuple(sorted(set(school_days)))
        if not self.days:
            raise ValueError("a school calendar needs at least one school day")
        #: (first_day, last_day, name) of each school year, in date order; may be empty.
        self.years = tuple(sorted(years))

    @classmethod
    def from_terms(
        cls,
        terms: Iterable[tuple[date, date]],
        closures: Iterable[date] = (),
        name: str = "school",
        years: Iterable[tuple[date, date, str]] = (),
    ) -> SchoolCalendar:
        """Weekdays from each term's first to last day, less closures."""
        closed = set(closures)
        days = []
        for first, last in terms:
            day = first
            while day <= last:
                if day.weekday() < 5 and day not in closed:
                    days.append(day)
                day += timedelta(days=1)
        return cls(days, name=name, years=years)

    @property
    def first_day(self) -> date:
        return self.days[0]

    @property
    def last_day(self) -> date:
        return self.days[-1]

    def is_school_day(self, day: date) -> bool:
        i = bisect.bisect_left(self.days, day)
        return i < len(self.days) and self.days[i] == day

    def add_school_days(self, start: date, n: int) -> date | None:
        """The n-th school day after start (start itself is day 0); None past the calendar."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        i = bisect.bisect_right(self.days, start) + n - 1
        return self.days[i] if i < len(self.days) else None

    def school_days_between(self, start: date, end: date) -> int:
        """School days in (start, end]."""
        if end <= start:
            return 0
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)

    def in_session(self, day: date) -> bool:
        """True between the first and last school day of a term that contains the day."""
        return self.days[0] <= day <= self.days[-1] and not self.in_break(day)

    def in_break(self, day: date, min_days: int = 14) -> bool:
        """True when the day lies in a gap of at least min_days between school days (summer)."""
        i = bisect.bisect_left(self.days, day)
        if i < len(self.days) and self.days[i] == day:
            return False
        if i == 0 or i == len(self.days):
            return True
        return (self.days[i] - self.days[i - 1]).days > min_days

    # School years and summers ----------------------------------------------------------

    def year_of(self, day: date) -> tuple[date, date, str] | None:
        """The school year whose bounds contain the day, or None."""
        for year in self.years:
            if year[0] <= day <= year[1]:
                return year
        return None

    def _year_days(self, year: tuple[date, date, str]) -> tuple[date, ...]:
        lo = bisect.bisect_left(self.days, year[0])
        hi = bisect.bisect_right(self.days, year[1])
        return self.days[lo:hi]

    def last_school_day_of_year(self, day: date) -> date | None:
        """The last school day of the school year a day belongs to.

        A day in a summer belongs to the school year that follows it. None when the
        calendar does not cover that school year.
        """
        for year in self.years:
            days = self._year_days(year)
            if days and day <= days[-1] and (year[0] <= day or self._summer_before(year, day)):
                return days[-1]
        return None

    def _summer_before(self, year: tuple[date, date, str], day: date) -> bool:
        i = self.years.index(year)
        if i == 0:
            return False
        before = self._year_days(self.years[i - 1])
        return bool(before) and before[-1] < day < year[0]

    def summers(self) -> list[tuple[date, date]]:
        """Each summer as (first day, last day): between two school years' school days."""
        out = []
        for a, b in pairwise(self.years):
            da, db = self._year_days(a), self._year_days(b)
            if da and db and da[-1] + timedelta(days=1) <= db[0] - timedelta(days=1):
                out.append((da[-1] + timedelta(days=1), db[0] - timedelta(days=1)))
        return out

    def in_summer(self, day: date) -> bool | None:
        """Whether the day is in a summer of the calendar; None when the calendar cannot say.

        A summer is the gap between two declared school years; a day from a school year's
        first to its last school day is not in one. Any other day (a calendar without
        school years, before the first school year or after the last) the calendar cannot
        place: the neighbouring year is missing.
        """
        if any(first <= day <= last for first, last in self.summers()):
            return True
        for year in self.years:
            days = self._year_days(year)
            if days and days[0] <= day <= days[-1]:
                return False  # between a school year's first and last school day
        return None

    def breaks(self, over_school_days: int) -> list[tuple[date, date]]:
        """Gaps between two school days covering more than that many weekdays."""
        out = []
        for a, b in pairwise(self.days):
            if (b - a).days > 1:
                first, last = a + timedelta(days=1), b - timedelta(days=1)
                if _weekdays(first, last) > over_school_days:
                    out.append((first, last))
        return out
