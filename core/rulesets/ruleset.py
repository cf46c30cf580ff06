"""A loaded ruleset: values looked up by date through its lineage, and its calendars."""

from __future__ import annotations

import bisect
import enum
import hashlib
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import stability
from ..dates import LATEST, BusinessCalendar, SchoolCalendar
from ..errors import InputError, Problem, RulesetError, did_you_mean, show_toml
from ..paths import inside
from ..stability import TrackedDate
from .files import read_toml_bytes
from .keys import _HOLIDAY_CHECK
from .params import Declaration, Param, ValueEntry
from .school_calendar_file import load_school_calendar


class _Unresolved(enum.Enum):
    TOKEN = enum.auto()


#: `Ruleset.param` cache marker for a (name, date) not looked up yet (an enum
#: member so that type checkers can tell it apart from a Param or None).
_UNRESOLVED = _Unresolved.TOKEN


class DateNotCovered(RulesetError, InputError):
    """A date before a parameter's first value: outside the dates a ruleset covers.

    Bad input (exit status 2, HTTP 422), not a ruleset fault: the as-of date (`as_of`
    set, by the engine) or a date in the case file is earlier than the ruleset's values.
    Still a RulesetError, so code that treats "no value" as not configured keeps working.
    """

    def __init__(
        self,
        ruleset: str,
        parameter: str,
        on: date,
        first: date,
        coverage: tuple[date, date],
        as_of: date | None = None,
    ):
        self.ruleset, self.parameter, self.on, self.first = ruleset, parameter, on, first
        self.coverage, self.as_of = coverage, as_of
        earliest, every = coverage
        covers = (
            f"ruleset {ruleset} has values from {earliest.isoformat()} to {LATEST.isoformat()}"
            f" (for every parameter from {every.isoformat()}); "
            f'"{parameter}" has none before {first.isoformat()}'
        )
        # Not every command has --ruleset (`due` takes each case file's): say both ways.
        fix = (
            "or a ruleset with values for earlier dates (the case file's `ruleset`, or "
            "check --ruleset; more with --rulesets-dir)"
        )
        if as_of is not None:
            message = f'--as-of {as_of.isoformat()} is before the dates ruleset "{ruleset}" covers'
            problem = Problem(
                "--as-of",
                covers,
                f"give a later date (every parameter has a value from {every.isoformat()}), {fix}",
            )
        else:
            message = (
                f'ruleset "{ruleset}" has no value of "{parameter}" before {first.isoformat()}, '
                f"so it cannot decide for {on.isoformat()}, a date of the case"
            )
            problem = Problem(
                on.isoformat(),
                covers,
                f"correct the date in the case file if it is wrong, or use {fix[3:]}",
            )
        super().__init__(message, [problem])

    def for_as_of(self, as_of: date) -> DateNotCovered:
        """The same, blaming the as-of date (the engine knows it; the ruleset does not)."""
        return DateNotCovered(
            self.ruleset, self.parameter, self.on, self.first, self.coverage, as_of
        )

    def __reduce__(self):  # rebuilt whole in another process (evaluate's workers)
        return (
            DateNotCovered,
            (self.ruleset, self.parameter, self.on, self.first, self.coverage, self.as_of),
        )


class Ruleset:
    """A loaded ruleset, linked to its parent; look values up with `param` and `value`."""

    def __init__(
        self,
        *,
        id: str,
        title: str,
        jurisdiction: str,
        version: str,
        folder: Path,
        parent: Ruleset | None,
        declarations: dict[str, Declaration],
        values: dict[str, list[ValueEntry]],
        calendar: dict[str, Any],
        files: tuple[Path, ...],
        description: str | None = None,
    ):
        self.id = id
        self.title = title
        self.jurisdiction = jurisdiction
        self.version = version
        self.folder = folder
        self.parent = parent
        self.description = description
        self.own_declarations = declarations
        self.own_values = {k: sorted(v, key=lambda e: e.effective) for k, v in values.items()}
        self._starts = {k: [e.effective for e in v] for k, v in self.own_values.items()}
        self._holiday_check = calendar.pop(_HOLIDAY_CHECK, None)
        self._holiday_problems: list[Problem] = []
        self.calendar_settings = calendar
        self.files = files
        #: Per parameter: its change dates and the value resolved for each period between
        #: them (period i holds the dates from change date i-1 to the day before change
        #: date i; `_UNRESOLVED` until asked; None where no value is in force then).
        self._periods: dict[str, tuple[list[date], list[Param | None | _Unresolved]]] = {}
        #: Per (parameter, date ordinal): the period of its value holding that date.
        self._pins: dict[tuple[str, int], tuple[int, int, date]] = {}
        #: Imported district calendars (core.calendars.DistrictCalendars), set by the registry.
        self.district_calendars: Any = None

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} {self.version}>"

    @property
    def extends(self) -> str | None:
        return self.parent.id if self.parent else None

    @property
    def lineage(self) -> tuple[Ruleset, ...]:
        """This ruleset and its ancestors, nearest first."""
        chain: list[Ruleset] = []
        node: Ruleset | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return tuple(chain)

    @cached_property
    def declarations(self) -> dict[str, Declaration]:
        merged: dict[str, Declaration] = {}
        for node in reversed(self.lineage):
            merged.update(node.own_declarations)
        return merged

    @cached_property
    def digest(self) -> str:
        """A hash of every file in the lineage: same digest, same rules."""
        h = hashlib.sha256()
        for node in reversed(self.lineage):
            for path in node.files:
                h.update(path.name.encode())
                h.update(read_toml_bytes(path))
        return h.hexdigest()[:16]

    @property
    def full_version(self) -> str:
        return f"{self.version}+{self.digest}"

    def own_entry(self, name: str, on: date) -> ValueEntry | None:
        """This ruleset's own value entry in force on a date (not inherited)."""
        entries = self.own_values.get(name)
        if not entries:
            return None
        i = bisect.bisect_right(self._starts[name], on) - 1
        if i < 0:
            return None
        entry = entries[i]
        if entry.until is not None and on > entry.until:
            return None
        return entry

    def param(self, name: str, on: date) -> Param:
        """The parameter in force on a date, by nearest ancestor; RulesetError if none.

        A date before the parameter's first value is outside what the ruleset covers:
        `DateNotCovered`, which is bad input (an as-of date or a case's date), not a
        fault of the ruleset.
        """
        found = self.find(name, on)
        if found is None:
            if type(on) is TrackedDate:
                on = self.pinned(name, on)
            starts = self.change_dates(name)
            if starts and on < starts[0]:
                raise DateNotCovered(self.id, name, on, starts[0], self.coverage)
            raise RulesetError(
                f'ruleset "{self.id}": parameter "{name}" has no value in force on '
                f"{on.isoformat()}; add a value whose effective date is on or before it"
            )
        return found

    @property
    def coverage(self) -> tuple[date, date]:
        """The dates the ruleset covers, to core.dates.LATEST: (its earliest value, the first
        day every parameter it gives a value has one). (LATEST, LATEST) when it sets none."""
        if "_coverage" not in self.__dict__:
            firsts = [d[0] for d in map(self.change_dates, self.declarations) if d]
            self.__dict__["_coverage"] = (min(firsts), max(firsts)) if firsts else (LATEST, LATEST)
        return self.__dict__["_coverage"]

    def find(self, name: str, on: date) -> Param | None:
        """The parameter in force on a date, or None when it has no value then.

        RulesetError when the ruleset does not declare the parameter at all.
        """
        if type(on) is TrackedDate:
            on = self.pinned(name, on)
        periods = self._periods.get(name)
        if periods is None:
            periods = self._periods_of(name)
        # A value holds from one change date to the next, so it is resolved once per
        # such period and every date of the period shares the answer. Misses are kept
        # too: rules ask about a state-set value the ruleset leaves empty (e.g. delay
        # criteria in the federal floor) for every case.
        starts, resolved = periods
        period = bisect.bisect_right(starts, on)
        found = resolved[period]
        if found is _UNRESOLVED:
            found = resolved[period] = self._resolve(name, on)
        return found

    def _periods_of(self, name: str) -> tuple[list[date], list[Param | None | _Unresolved]]:
        """The parameter's change dates and its (as yet unresolved) value per period."""
        if name not in self.declarations:
            hint = did_you_mean(name, self.declarations)
            raise RulesetError(
                f'ruleset "{self.id}" has no parameter "{name}"' + (f"; {hint}" if hint else "")
            )
        starts = self.change_dates(name)
        # Before the first change date no value is in force.
        found = self._periods[name] = (starts, [None] + [_UNRESOLVED] * len(starts))
        return found

    def pinned(self, name: str, on: date) -> date:
        """`on` as a plain date; an evaluation's tracked as-of date (core/stability.py) is
        held to the period between the parameter's change dates that holds it, where
        every day has the same value. An undeclared name: RulesetError, as `find` says."""
        key = (name, on._s.day + on._k)  # type: ignore[attr-defined]  # the value's ordinal
        found = self._pins.get(key)
        if found is None:
            periods = self._periods.get(name)
            if periods is None:
                periods = self._periods_of(name)
            if len(self._pins) > 200_000:
                self._pins.clear()
            found = self._pins[key] = stability.period_of(on, periods[0])
        return stability.held(on, found)

    def _resolve(self, name: str, on: date) -> Param | None:
        decl = self.declarations[name]
        for node in self.lineage:
            entry = node.own_entry(name, on)
            if entry is None:
                continue
            if entry.repealed:
                return None
            value = entry.value
            if (
                decl.type == "clock"
                and node.parent is not None
                and name in node.parent.declarations
            ):
                inherited = node.parent._resolve(name, on)
                if inherited is not None:
                    value = {**inherited.value, **value}
            return Param(
                name=name,
                value=value,
                citation=entry.citation,
                effective=entry.effective,
                until=entry.until,
                ruleset=node.id,
                file=entry.file,
                url=entry.url,
                note=entry.note,
            )
        return None

    def value(self, name: str, on: date) -> Any:
        """The value of a parameter in force on a date."""
        found = self.find(name, on)
        return (found if found is not None else self.param(name, on)).value

    def has(self, name: str) -> bool:
        return name in self.declarations

    def parameter_names(self) -> list[str]:
        return sorted(self.declarations)

    def change_dates(self, name: str) -> list[date]:
        """Every date on which the parameter's value may change, across the lineage."""
        days: set[date] = set()
        for node in self.lineage:
            for entry in node.own_values.get(name, ()):
                days.add(entry.effective)
                if entry.until is not None and entry.until < date.max:
                    days.add(date.fromordinal(entry.until.toordinal() + 1))
        return sorted(days)

    # Calendars -----------------------------------------------------------------
    def _calendar_setting(self, key: str) -> Any:
        for node in self.lineage:
            if key in node.calendar_settings:
                return node.calendar_settings[key]
        return None

    def holiday_problems(self) -> list[Problem]:
        """Problems with this ruleset's and its ancestors' holidays settings (checked once)."""
        problems: list[Problem] = []
        for node in self.lineage:
            if node._holiday_check is not None:
                node._holiday_problems = node._holiday_check()
                node._holiday_check = None
            problems.extend(node._holiday_problems)
        return problems

    def business_calendar(self, years: Iterable[int]) -> BusinessCalendar:
        """Weekdays less public holidays of the ruleset's jurisdiction for those years."""
        years = tuple(sorted(set(years)))
        key = ("business", years)
        cached = self._calendars.get(key)
        if cached is not None:
            return cached
        problems = self.holiday_problems()
        if problems:
            raise RulesetError(f'ruleset "{self.id}" ({self.folder}) is not valid', problems)
        country = self._calendar_setting("holidays_country")
        subdivision = self._calendar_setting("holidays_subdivision")
        extra = self._calendar_setting("extra_holidays") or []
        days: list[date] = list(extra)
        if country:
            import holidays as holidays_lib

            days.extend(holidays_lib.country_holidays(country, subdiv=subdivision, years=years))
        calendar = BusinessCalendar(days, name=f"{country or ''}-{subdivision or ''}")
        self._calendars[key] = calendar
        return calendar

    @cached_property
    def _calendars(self) -> dict:
        return {}

    def school_calendar(self, district: str | None = None) -> SchoolCalendar | None:
        """The district's imported calendar when there is one, else the ruleset's, or None."""
        if district is not None and self.district_calendars is not None:
            found = self.district_calendars.get(district)
            if found is not None:
                return found
        cached = self._calendars.get("school")
        if cached is not None:
            return cached
        name = None
        folder = None
        for node in self.lineage:
            if "school_calendar" in node.calendar_settings:
                name = node.calendar_settings["school_calendar"]
                folder = node.folder
                break
        if not name:
            return None
        path = inside(folder, name)
        if path is None:  # validation refuses it; a ruleset built around validation too
            raise RulesetError(
                f"ruleset {self.id}: school_calendar {show_toml(name)} is outside the ruleset folder",
                [Problem("calendar.school_calendar", "name a file inside the ruleset folder")],
            )
        calendar = load_school_calendar(path)
        self._calendars["school"] = calendar
        return calendar


def iter_resolved(ruleset: Ruleset, on: date) -> Iterator[tuple[Declaration, Param | None]]:
    """Every declared parameter with its value in force on a date (None if none)."""
    for name in ruleset.parameter_names():
        decl = ruleset.declarations[name]
        try:
            yield decl, ruleset.param(name, on)
        except RulesetError:
            yield decl, None
