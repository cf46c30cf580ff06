"""Rulesets: declarative, inherited, effective-dated parameters with citations.

A ruleset is a folder of TOML files. ``ruleset.toml`` names it::

    [ruleset]
    id = "us-mo"
    title = "Missouri"
    jurisdiction = "US-MO"
    extends = "us"
    version = "2026.1"

Any TOML file in the folder may hold ``[parameters...]`` tables. The baseline
declares each parameter (label, type, federal floor) and gives dated values; a
ruleset that extends it only adds dated values, each with its citation. A
value is looked up by nearest ancestor: the ruleset's own value in force on the
date asked, else its parent's, and so on. See docs/rulesets.md.

Validation never lets a wrong file through quietly: every problem names the
file, the line, the key path, what was found and what was expected.
"""

from __future__ import annotations

import bisect
import copy
import enum
import functools
import hashlib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, TypeGuard

import attrs

from . import school_rules, stability
from .dates import LATEST, UNITS, WEEKEND_RULES, BusinessCalendar, SchoolCalendar
from .errors import InputError, Problem, RulesetError, did_you_mean
from .models import DOMAINS, SUBDOMAINS
from .paths import escapes, inside
from .stability import TrackedDate

TYPES = (
    "integer",
    "number",
    "boolean",
    "string",
    "enum",
    "strings",
    "date",
    "duration",
    "clock",
    "criteria",
)
DECLARATION_KEYS = (
    "label",
    "description",
    "type",
    "unit",
    "choices",
    "floor",
    "floor_citation",
    "state_choice",
    "values",
)
#: Units a declaration may name: the clock units plus a few measures.
DECLARATION_UNITS = (
    *UNITS,
    "percent",
    "standard_deviations",
    "grams",
    "micrograms_per_decilitre",
    "grade",
    "hours",
)
VALUE_KEYS = ("effective", "until", "value", "citation", "url", "note", "repealed")
RULESET_KEYS = ("id", "title", "jurisdiction", "extends", "version", "description")
TOP_KEYS = ("ruleset", "parameters", "calendar")
CALENDAR_KEYS = ("holidays_country", "holidays_subdivision", "extra_holidays", "school_calendar")
SCHOOL_CALENDAR_KEYS = ("name", "terms", "closures", "years", "district", "imported_from")
TERM_KEYS = ("first_day", "last_day", "name")
FLOORS = ("at_most", "at_least")
CLOCK_KEYS = (
    "start",
    "stop",
    "length",
    "unit",
    "direction",
    "opens_length",
    "opens_unit",
    "excused_by",
    "excuse_policy",
    "agreed_date_reasons",
    "early_action_counts",
    "on_weekend",
    "count_start_day_as",
    *school_rules.RULE_KEYS,
)
CLOCK_REQUIRED = ("start", "stop", "length", "unit")
EXCUSE_POLICIES = ("fixed_with_reason", "for_the_period", "pause_and_extend")
CRITERION_KEYS = ("measure", "at_least", "domains", "in", "only", "unless_only", "label")
MEASURES = ("percent_delay", "months_delay", "sd_below_mean")
PARAM_MARKERS = ("values", "type", "label")
#: A ruleset id; always used with fullmatch ("$" alone would let a trailing newline through).
ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


@attrs.frozen
class RulesetProblem(Problem):
    """A Problem in a ruleset file, with its parts kept apart for programs (JSON output)."""

    file: str = ""
    line: int | None = None
    key: str = ""


@attrs.frozen
class ValueEntry:
    """One dated value of a parameter in one ruleset file."""

    effective: date
    value: Any
    citation: str
    until: date | None = None
    url: str | None = None
    note: str | None = None
    repealed: bool = False
    file: str = ""
    ruleset: str = ""
    #: Where the entry is written: key path and line, for error messages.
    key: str = ""
    line: int | None = None


@attrs.frozen
class Declaration:
    """What a parameter is: label, type, unit and federal floor."""

    name: str
    label: str
    type: str
    unit: str | None = None
    choices: tuple[str, ...] = ()
    floor: str | None = None
    floor_citation: str | None = None
    state_choice: bool = False
    description: str | None = None
    file: str = ""
    ruleset: str = ""


@attrs.frozen
class Param:
    """A parameter's value in force on a date, with where it came from."""

    name: str
    value: Any
    citation: str
    effective: date
    until: date | None
    ruleset: str
    file: str
    url: str | None = None
    note: str | None = None


# Line numbers ------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEYPART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEYPART}(?:\s*\.\s*{_KEYPART})*"
_HEADER_RE = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_KEY_RE = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART_RE = re.compile(_KEYPART)


def _split_dotted(raw: str) -> list[str]:
    parts = []
    for match in _PART_RE.finditer(raw):
        part = match.group(0)
        if part[:1] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def _strip_strings(text: str) -> str:
    return re.sub(_QUOTED, '""', text).split("#", 1)[0]


def _in_arrays(parts: list[str], counters: dict[str, int]) -> str:
    """A header's path with the index of each enclosing array of tables: a[1].b for [a.b]."""
    path = ""
    for i, part in enumerate(parts):
        path = f"{path}.{part}" if path else part
        if path in counters and i < len(parts) - 1:
            path = f"{path}[{counters[path]}]"
    return path


def line_index(text: str) -> dict[str, int]:
    """Map each key path written in a TOML text to its line (best effort, never fails).

    Paths look like the ones in problems: ``parameters.a.b.values[1].citation``.
    """
    index: dict[str, int] = {}
    counters: dict[str, int] = {}
    current = ""
    multiline: str | None = None
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if multiline:
            if multiline in line:
                multiline = None
            continue
        if depth > 0:
            cleaned = _strip_strings(line)
            depth += cleaned.count("[") - cleaned.count("]")
            continue
        header = _HEADER_RE.match(line)
        if header:
            path = _in_arrays(_split_dotted(header.group(2)), counters)
            if header.group(1) == "[[":
                i = counters.get(path, -1) + 1
                counters[path] = i
                current = f"{path}[{i}]"
            else:
                current = path
            index.setdefault(current, number)
            continue
        key = _KEY_RE.match(line)
        if not key:
            continue
        name = ".".join(_split_dotted(key.group(1)))
        index.setdefault(f"{current}.{name}" if current else name, number)
        rest = line[key.end() :]
        for quote in ('"""', "'''"):
            if rest.count(quote) == 1:
                multiline = quote
        if multiline is None and rest.strip().startswith("["):
            cleaned = _strip_strings(rest)
            depth = max(cleaned.count("[") - cleaned.count("]"), 0)
    return index


def find_line(index: dict[str, int], keypath: str) -> int | None:
    """The line of a key path, of the first thing written under it, or of its nearest ancestor."""
    if keypath in index:
        return index[keypath]
    below = [n for k, n in index.items() if k.startswith((keypath + ".", keypath + "["))]
    if below:
        return min(below)
    path = keypath
    while path:
        if path in index:
            return index[path]
        if path.endswith("]") and "[" in path:
            path = path[: path.rindex("[")]
        elif "." in path:
            path = path.rsplit(".", 1)[0]
        else:
            break
    return None


class _FileReader:
    """Collects problems for one TOML file, each with its line where it can be found."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        self.data: dict = {}
        self.index: dict[str, int] = {}
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.text = ""
            self.add(
                "", f"cannot read the file ({exc})", "check the path and that it is UTF-8 text"
            )
            return
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            self.add(
                "",
                f"not valid TOML: {exc}",
                "fix the syntax at that line",
                line=int(match.group(1)) if match else None,
            )
            return
        except (ValueError, RecursionError) as exc:  # tomllib may raise these on odd input
            self.add("", f"not valid TOML: {exc}", "fix the syntax")
            return
        self.index = line_index(self.text)

    def line(self, keypath: str) -> int | None:
        return find_line(self.index, keypath) if keypath else None

    def add(self, keypath: str, what: str, fix: str | None = None, line: int | None = None):
        line = line if line is not None else self.line(keypath)
        where = str(self.path) + (f":{line}" if line else "")
        if keypath:
            where += f": {keypath}"
        self.problems.append(
            RulesetProblem(where, what, fix, file=str(self.path), line=line, key=keypath)
        )


def _expected(choices: Iterable[str]) -> str:
    return "expected one of: " + ", ".join(str(c) for c in choices)


def _hint(found: Any, choices: Iterable[str]) -> str:
    """'did you mean "x"?' when a choice is close, else the list of choices."""
    choices = tuple(choices)
    return did_you_mean(str(found), choices) or _expected(choices)


def _check_keys(reader: _FileReader, table: dict, allowed: Iterable[str], keypath: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            reader.add(
                f"{keypath}.{key}" if keypath else key, f'unknown key "{key}"', _hint(key, allowed)
            )


def _kind(value: Any) -> str:
    """A TOML word for the type of a value, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, date):
        return "a date-time" if hasattr(value, "hour") else "a date"
    return type(value).__name__


def _is_date(value: Any) -> TypeGuard[date]:
    return isinstance(value, date) and not hasattr(value, "hour")


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
        fix = "or a ruleset with values for earlier dates (--ruleset, --rulesets-dir)"
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
        #: Resolved parameters by (name, date); None where no value is in force then.
        self._cache: dict[tuple[str, date], Param | None] = {}
        #: Per parameter: its change dates and the value resolved for each period between them.
        self._periods: dict[str, tuple[list[date], dict[int, Param | None]]] = {}
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
                h.update(path.read_bytes())
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
        if type(on) is TrackedDate:
            on = self.pinned(name, on)
        found = self._cache.get((name, on))  # what `find` would answer, when it already has
        if found is not None:
            return found
        found = self.find(name, on)
        if found is None:
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
        key = (name, on)
        found: Param | None | _Unresolved = self._cache.get(key, _UNRESOLVED)
        if found is _UNRESOLVED:
            if name not in self.declarations:
                hint = did_you_mean(name, self.declarations)
                raise RulesetError(
                    f'ruleset "{self.id}" has no parameter "{name}"' + (f"; {hint}" if hint else "")
                )
            # Misses are kept too: rules ask about a state-set value the ruleset
            # leaves empty (e.g. delay criteria in the federal floor) for every case.
            # A value holds from one change date to the next, so it is resolved once
            # per such period and every date of the period shares the answer.
            periods = self._periods.get(name)
            if periods is None:
                periods = self._periods[name] = (self.change_dates(name), {})
            starts, resolved = periods
            period = bisect.bisect_right(starts, on)
            found = resolved.get(period, _UNRESOLVED)
            if found is _UNRESOLVED:
                found = resolved[period] = self._resolve(name, on)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def pinned(self, name: str, on: date) -> date:
        """`on` as a plain date; an evaluation's tracked as-of date (core/stability.py) is
        held to the period between the parameter's change dates that holds it, where
        every day has the same value. An undeclared name: RulesetError, as `find` says."""
        key = (name, on._s.day + on._k)  # type: ignore[attr-defined]  # the value's ordinal
        found = self._pins.get(key)
        if found is None:
            if name not in self.declarations:
                self.find(name, stability.plain(on))
            periods = self._periods.get(name)
            if periods is None:
                periods = self._periods[name] = (self.change_dates(name), {})
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
        if type(on) is TrackedDate:
            on = self.pinned(name, on)
        found = self._cache.get((name, on))  # `find`'s answer, when it already has one
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
                f"ruleset {self.id}: school_calendar {name!r} is outside the ruleset folder",
                [Problem("calendar.school_calendar", "name a file inside the ruleset folder")],
            )
        calendar = load_school_calendar(path)
        self._calendars["school"] = calendar
        return calendar


def load_school_calendar(path: Path) -> SchoolCalendar:
    """Read a school calendar TOML file: terms (first and last day) and closures."""
    problems: list[Problem] = []
    calendar = _read_school_calendar(path, problems)
    if problems or calendar is None:
        raise RulesetError(f"invalid school calendar {path}", problems)
    return calendar


def _read_school_calendar(path: Path, problems: list[Problem]) -> SchoolCalendar | None:
    before = len(problems)
    reader = _FileReader(path, problems)
    data = reader.data
    if len(problems) > before:
        return None
    _check_keys(reader, data, SCHOOL_CALENDAR_KEYS, "")
    if "name" in data and not isinstance(data["name"], str):
        reader.add("name", f"found {_kind(data['name'])}; expected a string")
    raw_terms = data.get("terms", [])
    if not isinstance(raw_terms, list):
        reader.add("terms", f"found {_kind(raw_terms)}; expected an array of tables ([[terms]])")
        raw_terms = []
    terms = []
    for i, term in enumerate(raw_terms):
        key = f"terms[{i}]"
        if not isinstance(term, dict):
            reader.add(key, f"found {_kind(term)}; expected a table with first_day and last_day")
            continue
        _check_keys(reader, term, TERM_KEYS, key)
        first, last = term.get("first_day"), term.get("last_day")
        if not _is_date(first) or not _is_date(last):
            reader.add(
                key,
                f"first_day {first!r} and last_day {last!r}: expected two dates",
                "write them as TOML dates: first_day = 2025-08-18",
            )
            continue
        if last < first:
            reader.add(f"{key}.last_day", f"{last} is before first_day {first}")
            continue
        terms.append((first, last))
    years = []
    for i, year in enumerate(data.get("years", []) if isinstance(data.get("years"), list) else []):
        key = f"years[{i}]"
        if not isinstance(year, dict) or not (
            _is_date(year.get("first_day")) and _is_date(year.get("last_day"))
        ):
            reader.add(key, "expected a table with first_day and last_day dates")
            continue
        _check_keys(reader, year, TERM_KEYS, key)
        years.append((year["first_day"], year["last_day"], str(year.get("name", ""))))
    closures = data.get("closures", [])
    if not isinstance(closures, list) or not all(_is_date(c) for c in closures):
        reader.add("closures", f"found {closures!r}; expected an array of dates")
        closures = []
    if not terms and len(problems) == before:
        reader.add("terms", "a school calendar needs at least one term", "add [[terms]]")
    if len(problems) > before:
        return None
    try:
        return SchoolCalendar.from_terms(
            terms, closures, name=str(data.get("name", path.stem)), years=years
        )
    except ValueError as exc:
        reader.add("terms", str(exc), "check that the terms contain weekdays that are not closed")
        return None


# Loading ------------------------------------------------------------------------


def builtin_folder() -> Path:
    """Where the shipped rulesets live inside the installed package."""
    from eirules import rulesets as package

    return Path(package.__file__).parent


def _plugin_folders(pm) -> list[Path]:
    """Folders plugins register; one that does not exist is an error naming the plugin.

    Silence would hide a packaging mistake (the folder not shipped as package data)
    until a case names a ruleset that then cannot be found.
    """
    folders: list[Path] = []
    problems: list[Problem] = []
    # pluggy calls the last registered first; keep that order, as the hook call would.
    for impl in reversed(pm.hook.register_rulesets.get_hookimpls()):
        for path in impl.function() or ():
            folder = Path(path)
            if not folder.is_dir():
                problems.append(
                    Problem(
                        str(folder),
                        f'plugin "{impl.plugin_name}" registered this ruleset folder, '
                        "but it does not exist",
                        "ship it with the plugin's package: list its files under "
                        "[tool.setuptools.package-data] in the plugin's pyproject.toml "
                        "(docs/plugins.md, register_rulesets)",
                    )
                )
            folders.append(folder)
    if problems:
        raise RulesetError("a plugin's ruleset folder is missing", problems)
    return folders


def ruleset_folders(extra: Iterable[Path] = (), pm=None) -> list[Path]:
    """Folders to search, in priority order: extra, $EIRULES_RULESETS_PATH, plugins, built-in."""
    folders = [Path(p) for p in extra]
    env = os.environ.get("EIRULES_RULESETS_PATH")
    if env:
        folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    if pm is not None:
        folders.extend(_plugin_folders(pm))
    folders.append(builtin_folder())
    return folders


def _ruleset_dirs(folder: Path) -> list[Path]:
    """The folder itself if it is a ruleset, else the ruleset folders directly inside it."""
    if (folder / "ruleset.toml").is_file():
        return [folder]
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if (p / "ruleset.toml").is_file())
    return []


def _declared_id(folder: Path) -> str:
    try:
        data = tomllib.loads((folder / "ruleset.toml").read_text(encoding="utf-8"))
        rid = data.get("ruleset", {}).get("id")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        rid = None
    return rid if isinstance(rid, str) and rid else folder.name


def discover(folders: Iterable[Path]) -> dict[str, Path]:
    """Map ruleset id to folder; a folder may be a ruleset or hold ruleset folders."""
    found: dict[str, Path] = {}
    for folder in folders:
        for candidate in _ruleset_dirs(Path(folder)):
            found.setdefault(_declared_id(candidate), candidate)
    return found


class RulesetRegistry:
    """Finds and loads rulesets by id, caching each one."""

    def __init__(self, folders: Iterable[Path], calendars: Any = None):
        self.folders = list(folders)
        #: Imported district calendars given to every ruleset loaded (core.calendars).
        self.calendars = calendars
        self._index: dict[str, Path] | None = None
        self._loaded: dict[str, Ruleset] = {}

    @property
    def index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = discover(self.folders)
        return self._index

    def ids(self) -> list[str]:
        return sorted(self.index)

    def get(self, ruleset_id: str) -> Ruleset:
        loaded = self._loaded.get(ruleset_id)
        if loaded is not None:
            return loaded
        return self._load(ruleset_id, ())

    def load_path(self, folder: Path) -> Ruleset:
        """Load the ruleset in a folder (its ancestors by id from this registry)."""
        folder = Path(folder)
        header = read_header(folder)
        rid = header["id"]
        parent = None
        if header.get("extends"):
            parent = self._load(header["extends"], (rid,))
        ruleset = load_folder(folder, parent)
        ruleset.district_calendars = self.calendars
        return ruleset

    def _load(self, ruleset_id: str, seen: tuple[str, ...]) -> Ruleset:
        if ruleset_id in self._loaded:
            return self._loaded[ruleset_id]
        if ruleset_id in seen:
            cycle = " -> ".join((*seen, ruleset_id))
            folder = self.index.get(ruleset_id)
            raise RulesetError(
                f"rulesets extend each other in a cycle: {cycle}",
                [
                    RulesetProblem(
                        f"{folder / 'ruleset.toml' if folder else ruleset_id}: ruleset.extends",
                        f"found a cycle {cycle}; expected a chain that ends at a baseline",
                        "make one ruleset in the cycle extend a baseline such as us",
                        file=str(folder / "ruleset.toml") if folder else "",
                        key="ruleset.extends",
                    )
                ],
            )
        folder = self.index.get(ruleset_id)
        if folder is None:
            hint = did_you_mean(ruleset_id, self.index)
            raise RulesetError(
                f'no ruleset "{ruleset_id}"'
                + (f"; {hint}" if hint else f"; known rulesets: {', '.join(self.ids())}")
            )
        header = read_header(folder)
        parent = None
        if header.get("extends"):
            parent = self._load(header["extends"], (*seen, ruleset_id))
        ruleset = load_folder(folder, parent)
        ruleset.district_calendars = self.calendars
        self._loaded[ruleset_id] = ruleset
        return ruleset


def read_header(folder: Path) -> dict[str, Any]:
    """The [ruleset] table of a folder, checked enough to follow `extends` safely."""
    path = Path(folder) / "ruleset.toml"
    problems: list[Problem] = []
    reader = _FileReader(path, problems)
    if problems:
        raise RulesetError(f"invalid ruleset {folder}", problems)
    header = reader.data.get("ruleset")
    if not isinstance(header, dict):
        reader.add(
            "ruleset",
            f"found {_kind(header) if header is not None else 'no [ruleset] table'}; "
            "expected a [ruleset] table",
            'add [ruleset] with id = "..." and title = "..."',
            line=1 if header is None else None,
        )
        raise RulesetError(f"invalid ruleset {folder}", problems)
    rid = header.get("id")
    if not isinstance(rid, str) or not rid:
        reader.add(
            "ruleset.id",
            f"found {_kind(rid) if rid is not None else 'nothing'}; expected a string",
            'add id = "us-xx"',
        )
    extends = header.get("extends")
    if extends is not None and (not isinstance(extends, str) or not extends):
        reader.add(
            "ruleset.extends",
            f"found {_kind(extends)}; expected a ruleset id string",
            'write extends = "us"',
        )
    elif isinstance(rid, str) and extends == rid:
        reader.add(
            "ruleset.extends", f'the ruleset extends itself ("{rid}")', "extend its parent, e.g. us"
        )
    if problems:
        raise RulesetError(f"invalid ruleset {folder}", problems)
    return header


def _check_header(reader: _FileReader, header: Any) -> dict[str, Any]:
    if not isinstance(header, dict):
        reader.add(
            "ruleset",
            f"found {_kind(header)}; expected a table",
            'add [ruleset] with id = "..." and title = "..."',
        )
        return {}
    _check_keys(reader, header, RULESET_KEYS, "ruleset")
    for key in ("id", "title"):
        if not isinstance(header.get(key), str) or not header.get(key):
            found = header.get(key)
            reader.add(
                f"ruleset.{key}",
                f"found {_kind(found) if found is not None else 'nothing'}; expected a string",
                f'add {key} = "..."',
            )
    rid = header.get("id")
    if isinstance(rid, str) and rid and not ID_PATTERN.fullmatch(rid):
        reader.add(
            "ruleset.id",
            f'found "{rid}"; expected lower-case letters and digits joined by hyphens',
            'for example "us-mo" or "us-mo-stl-pilot"',
        )
    for key in ("jurisdiction", "extends", "version", "description"):
        if key in header and not isinstance(header[key], str):
            reader.add(f"ruleset.{key}", f"found {_kind(header[key])}; expected a string")
    return header


def _holiday_countries() -> frozenset[str]:
    """Country codes the holidays package knows, without importing every country's module."""
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


def _holiday_subdivisions(country: str) -> list[str]:
    import holidays as holidays_lib

    return list(getattr(holidays_lib, country).subdivisions)


_HOLIDAY_CHECK = "_holiday_check"


def _check_holidays(reader: _FileReader, ok: dict, country: str | None) -> list[Problem]:
    """Problems with holidays_country and holidays_subdivision, each with its file and line."""
    problems: list[Problem] = []
    reader = copy.copy(reader)
    reader.problems = problems
    supported = _holiday_countries()
    if "holidays_country" in ok and ok["holidays_country"] not in supported:
        reader.add(
            "calendar.holidays_country",
            f'found "{ok["holidays_country"]}"; expected a country code the holidays package knows',
            did_you_mean(ok["holidays_country"], supported) or 'for example "US"',
        )
    elif "holidays_subdivision" in ok:
        subdivisions = _holiday_subdivisions(country) if country in supported else []
        if ok["holidays_subdivision"] not in subdivisions:
            reader.add(
                "calendar.holidays_subdivision",
                f'found "{ok["holidays_subdivision"]}"; expected a subdivision of '
                f"{country or '(no holidays_country set)'}",
                _hint(ok["holidays_subdivision"], subdivisions)
                if subdivisions
                else "set holidays_country first",
            )
    return problems


def _check_calendar(reader: _FileReader, cal: Any, folder: Path, parent: Ruleset | None) -> dict:
    if not isinstance(cal, dict):
        reader.add("calendar", f"found {_kind(cal)}; expected a table")
        return {}
    _check_keys(reader, cal, CALENDAR_KEYS, "calendar")
    ok = {k: v for k, v in cal.items() if k in CALENDAR_KEYS}
    for key in ("holidays_country", "holidays_subdivision", "school_calendar"):
        if key in ok and not isinstance(ok[key], str):
            reader.add(f"calendar.{key}", f"found {_kind(ok[key])}; expected a string")
            ok.pop(key)
    country = ok.get("holidays_country")
    if country is None and parent is not None:
        country = parent._calendar_setting("holidays_country")
    if "holidays_country" in ok or "holidays_subdivision" in ok:
        # Checked when a business calendar is first built or by `rulesets validate`,
        # not at load: the holidays package takes ~100 ms to list its countries.
        ok[_HOLIDAY_CHECK] = functools.partial(_check_holidays, reader, dict(ok), country)
    if "extra_holidays" in ok:
        extra = ok["extra_holidays"]
        if not isinstance(extra, list) or not all(_is_date(d) for d in extra):
            reader.add(
                "calendar.extra_holidays",
                f"found {extra!r}; expected an array of dates",
                "write extra_holidays = [2026-11-27]",
            )
            ok.pop("extra_holidays")
    if "school_calendar" in ok:
        path = folder / ok["school_calendar"]
        if escapes(folder, ok["school_calendar"]):
            reader.add(
                "calendar.school_calendar",
                f'found "{ok["school_calendar"]}", which is outside the ruleset folder',
                "name a TOML file in the ruleset folder (a ruleset may not read other files)",
            )
            ok.pop("school_calendar")
        elif not path.is_file():
            reader.add(
                "calendar.school_calendar",
                f'found "{ok["school_calendar"]}", but there is no file {path}',
                "name a TOML file in the ruleset folder",
            )
            ok.pop("school_calendar")
        elif _read_school_calendar(path, reader.problems) is None:
            ok.pop("school_calendar")
    return ok


def _school_calendar_path(header_path: Path) -> Path | None:
    """The school calendar file named in ruleset.toml, if any (not a parameter file)."""
    try:
        data = tomllib.loads(header_path.read_text(encoding="utf-8"))
        name = data.get("calendar", {}).get("school_calendar")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return None
    if not isinstance(name, str) or escapes(header_path.parent, name):
        return None
    return (header_path.parent / name).resolve()


@attrs.define
class _Item:
    reader: _FileReader
    name: str
    path: str
    table: dict


def load_folder(folder: Path, parent: Ruleset | None) -> Ruleset:
    """Load and validate one ruleset folder on top of its already loaded parent."""
    folder = Path(folder)
    problems: list[Problem] = []
    files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    header_path = folder / "ruleset.toml"
    header: dict[str, Any] = {}
    calendar: dict[str, Any] = {}
    items: list[_Item] = []
    school = _school_calendar_path(header_path)
    if header_path not in files:
        problems.append(
            RulesetProblem(
                str(header_path),
                "missing",
                "add ruleset.toml with a [ruleset] table",
                file=str(header_path),
            )
        )
    for path in files:
        if school is not None and path.resolve() == school:
            continue  # the school calendar named in [calendar], checked there
        reader = _FileReader(path, problems)
        data = reader.data
        _check_keys(reader, data, TOP_KEYS, "")
        if path == header_path:
            header = _check_header(reader, data.get("ruleset"))
            calendar = _check_calendar(reader, data.get("calendar", {}), folder, parent)
        else:
            for key in ("ruleset", "calendar"):
                if key in data:
                    reader.add(
                        key,
                        f"[{key}] found in {path.name}",
                        f"[{key}] belongs in ruleset.toml only",
                    )
        params = data.get("parameters")
        if params is None:
            continue
        if not isinstance(params, dict):
            reader.add("parameters", f"found {_kind(params)}; expected a table")
            continue
        _collect(reader, params, "", items)
    rid = str(header.get("id") or folder.name)
    inherited = parent.declarations if parent else {}
    if header.get("extends") and parent is None:
        problems.append(
            RulesetProblem(
                f"{header_path}: ruleset.extends",
                "extends a ruleset that was not loaded",
                file=str(header_path),
                key="ruleset.extends",
            )
        )
    if parent is not None and header.get("extends") not in (None, parent.id):
        problems.append(
            RulesetProblem(
                f"{header_path}: ruleset.extends",
                f'found "{header.get("extends")}", but it was loaded on top of "{parent.id}"',
                file=str(header_path),
                key="ruleset.extends",
            )
        )
    declarations: dict[str, Declaration] = {}
    for item in items:
        if not any(k in item.table for k in ("type", "label")):
            continue
        if item.name in inherited:
            item.reader.add(
                item.path,
                f'"{item.name}" is already declared by ruleset "{inherited[item.name].ruleset}"',
                "give only dated values here, under .values",
            )
            continue
        if item.name in declarations:
            item.reader.add(
                item.path,
                f'"{item.name}" is declared twice in this ruleset',
                f"it is also declared in {declarations[item.name].file}",
            )
            continue
        _check_keys(item.reader, item.table, DECLARATION_KEYS, item.path)
        decl = _declaration(item.reader, item.table, item.name, item.path, rid)
        if decl is not None:
            declarations[item.name] = decl
    known = {**inherited, **declarations}
    values: dict[str, list[ValueEntry]] = {}
    for item in items:
        declaring = any(k in item.table for k in ("type", "label"))
        if not declaring:
            if item.name not in known:
                hint = did_you_mean(item.name, known)
                item.reader.add(
                    item.path,
                    f'"{item.name}" is not a parameter declared by this ruleset or one it extends',
                    hint or "check the name, or declare it with a label and type",
                )
                continue
            _check_keys(item.reader, item.table, ("values",), item.path)
        decl = known.get(item.name)
        if decl is None:  # its declaration was invalid and is reported already
            continue
        entries = item.table.get("values", [])
        if not isinstance(entries, list):
            item.reader.add(
                f"{item.path}.values",
                f"found {_kind(entries)}; expected an array of tables ([[...values]])",
            )
            continue
        for i, raw in enumerate(entries):
            entry = _entry(item.reader, raw, f"{item.path}.values[{i}]", decl, rid, parent)
            if entry is not None:
                values.setdefault(item.name, []).append(entry)
    for name, entries in values.items():
        _check_entries(name, known[name], entries, problems, parent)
    # A baseline may declare a parameter without a value: the federal rule leaves
    # it to the state (e.g. the Part C timely-services timeline), and rules that
    # need it say so instead of guessing.
    if problems:
        raise RulesetError(f'ruleset "{rid}" ({folder}) is not valid', problems)
    return Ruleset(
        id=rid,
        title=str(header.get("title", rid)),
        jurisdiction=str(header.get("jurisdiction", "")),
        version=str(header.get("version", "0")),
        folder=folder,
        parent=parent,
        declarations=declarations,
        values=values,
        calendar=calendar,
        files=tuple(files),
        description=header.get("description"),
    )


def _is_param(table: dict) -> bool:
    return any(k in table for k in PARAM_MARKERS)


def _collect(reader: _FileReader, table: dict, prefix: str, items: list[_Item]) -> None:
    """Find the parameter tables under [parameters]; anything else is reported."""
    for key, sub in table.items():
        name = f"{prefix}.{key}" if prefix else key
        path = f"parameters.{name}"
        if not isinstance(sub, dict):
            reader.add(
                path,
                f"found {_kind(sub)}; expected a parameter table or a group of them",
                did_you_mean(key, (*PARAM_MARKERS, *DECLARATION_KEYS))
                or "a parameter table has label and type, or values",
            )
            continue
        if _is_param(sub):
            items.append(_Item(reader, name, path, sub))
        elif not sub:
            reader.add(
                path,
                "found an empty table; expected a parameter (label, type, values) "
                "or a group of parameters",
                "remove it or add the parameter's keys",
            )
        else:
            _collect(reader, sub, name, items)


def _declaration(reader, sub, name, path, rid) -> Declaration | None:
    label, typ = sub.get("label"), sub.get("type")
    ok = True
    if not isinstance(label, str) or not label.strip():
        reader.add(
            f"{path}.label",
            f"found {_kind(label) if label is not None else 'nothing'}; expected a label",
            "add a label a case manager can read",
        )
        ok = False
    if typ not in TYPES:
        reader.add(f"{path}.type", f"found {typ!r}; expected a parameter type", _hint(typ, TYPES))
        ok = False
    floor = sub.get("floor")
    if floor is not None and floor not in FLOORS:
        reader.add(f"{path}.floor", f"found {floor!r}; expected a floor", _hint(floor, FLOORS))
        ok = False
    if floor is not None and typ not in ("integer", "number", "duration", "clock"):
        reader.add(
            f"{path}.floor",
            f"a floor on a {typ} parameter cannot be checked",
            "floors apply to integer, number, duration and clock parameters",
        )
        ok = False
    citation = sub.get("floor_citation")
    if floor is not None and (not isinstance(citation, str) or not citation.strip()):
        reader.add(
            f"{path}.floor_citation",
            "a federal floor needs the citation of the federal rule; found none",
            'add floor_citation = "34 CFR ..."',
        )
        ok = False
    elif citation is not None and floor is None:
        reader.add(
            f"{path}.floor_citation",
            "found a floor_citation but no floor",
            'add floor = "at_most" or "at_least", or remove it',
        )
        ok = False
    unit = sub.get("unit")
    if unit is not None and unit not in DECLARATION_UNITS:
        reader.add(
            f"{path}.unit", f"found {unit!r}; expected a unit", _hint(unit, DECLARATION_UNITS)
        )
        ok = False
    choices = sub.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        reader.add(f"{path}.choices", f"found {choices!r}; expected an array of strings")
        ok = False
        choices = []
    elif typ == "enum" and not choices:
        reader.add(
            f"{path}.choices",
            "an enum needs a list of choices; found none",
            'add choices = ["a", "b"]',
        )
        ok = False
    state_choice = sub.get("state_choice", False)
    if not isinstance(state_choice, bool):
        reader.add(f"{path}.state_choice", f"found {_kind(state_choice)}; expected true or false")
        ok = False
    description = sub.get("description")
    if description is not None and not isinstance(description, str):
        reader.add(f"{path}.description", f"found {_kind(description)}; expected a string")
        ok = False
    if not ok:
        return None
    return Declaration(
        name=name,
        label=label,
        type=typ,
        unit=unit,
        choices=tuple(choices),
        floor=floor,
        floor_citation=citation,
        state_choice=state_choice,
        description=description,
        file=str(reader.path),
        ruleset=rid,
    )


def _entry(reader, raw, path, decl: Declaration, rid, parent) -> ValueEntry | None:
    if not isinstance(raw, dict):
        reader.add(path, f"found {_kind(raw)}; expected a table with effective, value and citation")
        return None
    _check_keys(reader, raw, VALUE_KEYS, path)
    ok = True
    effective = raw.get("effective")
    if not _is_date(effective):
        reader.add(
            f"{path}.effective",
            f"found {_kind(effective) if effective is not None else 'nothing'}"
            f"{f' {effective!r}' if effective is not None else ''}; expected a date",
            "write it as a TOML date: effective = 2011-10-28",
        )
        ok = False
    until = raw.get("until")
    if until is not None and not _is_date(until):
        reader.add(f"{path}.until", f"found {_kind(until)} {until!r}; expected a date")
        ok = False
    elif until is not None and _is_date(effective) and until < effective:
        reader.add(
            f"{path}.until",
            f"found {until}, which is before effective {effective}",
            "a value ends on or after the day it takes effect",
        )
        ok = False
    citation = raw.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        reader.add(
            f"{path}.citation",
            f"found {_kind(citation) if citation is not None else 'no citation'}; "
            "every value needs a citation",
            'add citation = "34 CFR ..." or the state rule',
        )
        ok = False
    repealed = raw.get("repealed", False)
    if not isinstance(repealed, bool):
        reader.add(f"{path}.repealed", f"found {_kind(repealed)}; expected true or false")
        ok = False
        repealed = False
    if "value" not in raw and not repealed:
        reader.add(f"{path}.value", "missing", "add value = ... or repealed = true")
        ok = False
    if "value" in raw and repealed:
        reader.add(
            f"{path}.repealed",
            "found both a value and repealed = true",
            "a repeal has no value: remove one of them",
        )
        ok = False
    value = raw.get("value")
    if "value" in raw and not repealed:
        partial = decl.type == "clock" and parent is not None and decl.ruleset != rid
        problem = check_value(decl, value, partial=partial)
        if problem:
            reader.add(f"{path}.value", problem[0], problem[1])
            ok = False
    for key in ("url", "note"):
        if key in raw and not isinstance(raw[key], str):
            reader.add(f"{path}.{key}", f"found {_kind(raw[key])}; expected a string")
            ok = False
    if not ok:
        return None
    # ok stays True only when effective is a date and citation a non-empty string
    assert _is_date(effective) and isinstance(citation, str)
    return ValueEntry(
        effective=effective,
        value=_freeze(value),
        citation=citation,
        until=until,
        url=raw.get("url"),
        note=raw.get("note"),
        repealed=repealed,
        file=str(reader.path),
        ruleset=rid,
        key=path,
        line=reader.line(path),
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_value(
    decl: Declaration, value: Any, *, partial: bool = False
) -> tuple[str, str | None] | None:
    """Return (what was found and expected, how to fix) if the value does not fit."""
    t = decl.type
    found = f"found {_kind(value)} {value!r}"
    if t == "integer" and not _is_int(value):
        return f"{found}; expected a whole number" + (f" of {decl.unit}" if decl.unit else ""), None
    if t == "number" and not _is_num(value):
        return f"{found}; expected a finite number", None
    if t == "boolean" and not isinstance(value, bool):
        return f"{found}; expected true or false", None
    if t == "string" and not isinstance(value, str):
        return f"{found}; expected a string", None
    if t == "date" and not _is_date(value):
        return f"{found}; expected a date", "write it as a TOML date: 2026-07-01"
    if t == "enum" and (not isinstance(value, str) or value not in decl.choices):
        return f"{found}; expected one of the choices", _hint(value, decl.choices)
    if t == "strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{found}; expected an array of strings", None
        if decl.choices:
            for v in value:
                if v not in decl.choices:
                    return f'found "{v}"; expected one of the choices', _hint(v, decl.choices)
    if t == "duration":
        if not isinstance(value, dict) or set(value) != {"length", "unit"}:
            return (
                f"{found}; expected a duration table with length and unit",
                'write it as { length = 45, unit = "calendar_days" }',
            )
        if not _is_int(value["length"]) or value["length"] < 0:
            return f"length {value['length']!r}; expected a whole number of units, 0 or more", None
        if value["unit"] not in UNITS:
            return f"unit {value['unit']!r}; expected a unit", _hint(value["unit"], UNITS)
    if t == "clock":
        return _check_clock(value, partial)
    if t == "criteria":
        return _check_criteria(value, decl.choices or DOMAINS)
    return None


def _check_clock(value: Any, partial: bool) -> tuple[str, str | None] | None:
    if not isinstance(value, dict):
        return f"found {_kind(value)} {value!r}; expected a clock table", (
            'write it as { start = ["..."], length = 45, unit = "calendar_days", stop = ["..."] }'
        )
    for key in value:
        if key not in CLOCK_KEYS:
            return f'unknown clock key "{key}"', _hint(key, CLOCK_KEYS)
    if not partial:
        missing = [k for k in CLOCK_REQUIRED if k not in value]
        if missing:
            return f"the clock has no {', '.join(missing)}; expected all of " + ", ".join(
                CLOCK_REQUIRED
            ), None
    for key in ("start", "stop", "excused_by", "agreed_date_reasons"):
        if key in value and (
            not isinstance(value[key], list) or not all(isinstance(v, str) for v in value[key])
        ):
            return f"{key}: found {value[key]!r}; expected an array of event names", None
    for key in ("start", "stop"):
        if key in value and isinstance(value[key], list) and not value[key]:
            return f"{key}: found an empty array; expected at least one event name", None
    for key in ("length", "opens_length"):
        if key in value and (not _is_int(value[key]) or value[key] < 0):
            return f"{key}: found {value[key]!r}; expected a whole number of units, 0 or more", None
    for key in ("unit", "opens_unit"):
        if key in value and value[key] not in UNITS:
            return f"{key}: found {value[key]!r}; expected a unit", _hint(value[key], UNITS)
    if "direction" in value and value["direction"] not in ("after", "before"):
        return f"direction: found {value['direction']!r}; expected after or before", None
    if "on_weekend" in value and value["on_weekend"] not in WEEKEND_RULES:
        return f"on_weekend: found {value['on_weekend']!r}; expected a weekend rule", _hint(
            value["on_weekend"], WEEKEND_RULES
        )
    if "early_action_counts" in value and not isinstance(value["early_action_counts"], bool):
        return (
            f"early_action_counts: found {value['early_action_counts']!r}; expected true or false",
            None,
        )
    if "excuse_policy" in value and value["excuse_policy"] not in EXCUSE_POLICIES:
        return f"excuse_policy: found {value['excuse_policy']!r}; expected a policy", _hint(
            value["excuse_policy"], EXCUSE_POLICIES
        )
    if "count_start_day_as" in value and (
        not _is_int(value["count_start_day_as"]) or value["count_start_day_as"] not in (0, 1)
    ):
        return f"count_start_day_as: found {value['count_start_day_as']!r}; expected 0 or 1", None
    problem = school_rules.check(value)
    if problem is not None:
        return problem
    unit = value.get("unit")
    if value.get("direction") == "before" and unit in ("business_days", "school_days"):
        return f"a clock counted back (direction before) cannot use {unit}", (
            "use calendar_days, weeks, months or years"
        )
    return None


def _area_problem(
    name: str, domain: str, sub: str | None, domains: tuple[str, ...]
) -> tuple[str, str | None] | None:
    """Why `name` (a domain, a subdomain or "domain.subdomain") is not an area, else None.

    A misspelt area would never match a score: an eligible child would read as not
    eligible, so every name must be a known domain or subdomain.
    """
    known_subs = sorted({s for subs in SUBDOMAINS.values() for s in subs})
    if sub is not None:
        if domain not in domains:
            return f'found "{name}"; "{domain}" is not a domain', _hint(domain, domains)
        if sub not in SUBDOMAINS.get(domain, ()):
            subs = SUBDOMAINS.get(domain, ())
            return f'found "{name}"; "{sub}" is not a subdomain of {domain}', (
                _hint(sub, subs) or (f"subdomains of {domain}: {', '.join(subs)}" if subs else None)
            )
        return None
    if name in domains or name in known_subs:
        return None
    return f'found "{name}"; expected a domain or subdomain', _hint(
        name, (*domains, *known_subs)
    ) or f"domains: {', '.join(domains)}"


def _check_criteria(value: Any, domains: tuple[str, ...] = ()) -> tuple[str, str | None] | None:
    if not isinstance(value, list) or not value:
        return f"found {_kind(value)} {value!r}; expected a non-empty array of criterion tables", (
            'write it as [{ measure = "percent_delay", at_least = 25, domains = 1 }]'
        )
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return f"criterion {i}: found {_kind(item)}; expected a table", None
        for key in item:
            if key not in CRITERION_KEYS:
                return f'criterion {i}: unknown key "{key}"', _hint(key, CRITERION_KEYS)
        if item.get("measure") not in MEASURES:
            return (
                f"criterion {i}: measure {item.get('measure')!r}; expected a measure",
                _hint(item.get("measure"), MEASURES),
            )
        at_least = item.get("at_least")
        if not _is_num(at_least) or at_least < 0:
            return f"criterion {i}: at_least {at_least!r}; expected a number, 0 or more", None
        if item["measure"] == "percent_delay" and at_least > 100:
            return f"criterion {i}: at_least {at_least!r}; a percent delay is at most 100", None
        count = item.get("domains", 1)
        if not _is_int(count) or count < 1:
            return f"criterion {i}: domains {count!r}; expected a whole number, 1 or more", None
        for key in ("in", "only", "unless_only"):
            if key not in item:
                continue
            names = item[key]
            if (
                not isinstance(names, list)
                or not names
                or not all(isinstance(v, str) and v for v in names)
            ):
                return f"criterion {i}: {key} {names!r}; expected an array of domain names", None
            for v in names:
                # "communication.expressive" names a subdomain of a domain: check the domain.
                domain, dot, sub = v.partition(".")
                if dot and not sub:
                    return f'criterion {i}: {key}: found "{v}"; expected domain.subdomain', None
                problem = _area_problem(v, domain, sub if dot else None, domains)
                if problem is not None:
                    return f"criterion {i}: {key}: {problem[0]}", problem[1]
        if "only" in item and "unless_only" in item:
            return (
                f"criterion {i}: has both only and unless_only",
                "only: the criterion applies just when these are the only delays; "
                "unless_only: it does not apply then. Keep one",
            )
        if "in" in item and count > len(item["in"]):
            return (
                f"criterion {i}: domains {count} but only {len(item['in'])} listed under in",
                "a child cannot meet it; lower domains or list more",
            )
        if "label" in item and not isinstance(item["label"], str):
            return f"criterion {i}: label: found {_kind(item['label'])}; expected a string", None
    return None


def _floor_number(decl: Declaration, value: Any) -> tuple[float, str | None] | None:
    if decl.type in ("integer", "number") and _is_num(value):
        return float(value), decl.unit
    if decl.type in ("duration", "clock") and isinstance(value, dict) and "length" in value:
        return float(value["length"]), value.get("unit")
    return None


_MONTHS = {"months": 1, "years": 12}
_DAYS = {"calendar_days": 1, "weeks": 7}


def _comparable(
    a: tuple[float, str | None], b: tuple[float, str | None]
) -> tuple[float, float] | None:
    if a[1] == b[1]:
        return a[0], b[0]
    if a[1] in _MONTHS and b[1] in _MONTHS:
        return a[0] * _MONTHS[a[1]], b[0] * _MONTHS[b[1]]
    if a[1] in _DAYS and b[1] in _DAYS:
        return a[0] * _DAYS[a[1]], b[0] * _DAYS[b[1]]
    return None


def _entry_problem(entry: ValueEntry, what: str, fix: str | None = None) -> RulesetProblem:
    where = entry.file + (f":{entry.line}" if entry.line else "") + f": {entry.key}"
    return RulesetProblem(where, what, fix, file=entry.file, line=entry.line, key=entry.key)


def _show(number: tuple[float, str | None]) -> str:
    return f"{number[0]:g} {number[1] or ''}".strip()


def _check_entries(name, decl, entries, problems, parent) -> None:
    ordered = sorted(entries, key=lambda e: e.effective)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.effective == after.effective or (
            before.until is not None and before.until >= after.effective
        ):
            problems.append(
                _entry_problem(
                    after,
                    f"effective periods overlap: {before.effective} to "
                    f"{before.until or 'open'} ({before.key}) and from {after.effective}",
                    "end the earlier one (until) before the later one starts",
                )
            )
    if decl.type == "clock" and parent is not None and decl.ruleset != ordered[0].ruleset:
        for entry in ordered:
            if entry.repealed:
                continue
            missing = [k for k in CLOCK_REQUIRED if k not in entry.value]
            if missing and _first_gap(parent, name, entry) is not None:
                problems.append(
                    _entry_problem(
                        entry,
                        f"the clock has no {', '.join(missing)} and the ruleset it extends has "
                        f"no value to complete it on {_first_gap(parent, name, entry)}",
                        "give the whole clock: start, stop, length and unit",
                    )
                )
    if (
        parent is None
        or decl.floor is None
        or decl.state_choice
        or decl.ruleset == ordered[0].ruleset
    ):
        return
    for entry in ordered:
        problem = _floor_problem(name, decl, entry, parent)
        if problem is not None:
            problems.append(problem)


def _days_in_force(parent: Ruleset, name: str, entry: ValueEntry) -> list[date]:
    return [entry.effective] + [
        d
        for d in parent.change_dates(name)
        if d > entry.effective and (entry.until is None or d <= entry.until)
    ]


def _first_gap(parent: Ruleset, name: str, entry: ValueEntry) -> date | None:
    for day in _days_in_force(parent, name, entry):
        try:
            parent.param(name, day)
        except RulesetError:
            return day
    return None


def _floor_problem(name, decl, entry, parent) -> RulesetProblem | None:
    rule = decl.floor_citation
    for day in _days_in_force(parent, name, entry):
        try:
            base = parent.param(name, day)
        except RulesetError:
            continue
        if entry.repealed:
            return _entry_problem(
                entry,
                f"repeals a federal requirement that {rule} sets "
                f"({_show(_floor_number(decl, base.value) or (0, None))})",
                "a state may tighten a federal floor, never remove it",
            )
        value = entry.value
        if decl.type == "clock":
            value = {**base.value, **value}
        mine, theirs = _floor_number(decl, value), _floor_number(decl, base.value)
        if mine is None or theirs is None:
            continue
        pair = _comparable(mine, theirs)
        if pair is None:
            return _entry_problem(
                entry,
                f"found {_show(mine)}, a different unit from the federal floor of {_show(theirs)}, "
                f"so it cannot be checked against {rule}",
                f"keep the federal unit ({theirs[1]})",
            )
        loosened = pair[0] > pair[1] if decl.floor == "at_most" else pair[0] < pair[1]
        if loosened:
            bound = "at most" if decl.floor == "at_most" else "at least"
            return _entry_problem(
                entry,
                f"found {_show(mine)}, which loosens the federal floor: {rule} requires "
                f"{bound} {_show(theirs)}",
                f"set {bound} {_show(theirs)}; a state may tighten a federal floor, never loosen it",
            )
        if decl.type == "clock":
            extra = sorted(set(value.get("excused_by", ())) - set(base.value.get("excused_by", ())))
            if extra:
                return _entry_problem(
                    entry,
                    f"excused_by adds {', '.join(extra)}, which loosens the federal floor: "
                    f"{rule} allows only {', '.join(base.value.get('excused_by', ())) or 'none'}",
                    "a state may not excuse more delays than the federal rule",
                )
            if value.get("direction", "after") != base.value.get("direction", "after"):
                return _entry_problem(
                    entry,
                    f"direction: found {value.get('direction')!r}; {rule} counts "
                    f"{base.value.get('direction', 'after')}",
                    "keep the federal direction",
                )
            if (
                value.get("on_weekend") == "next_business_day"
                and base.value.get("on_weekend", "keep") != "next_business_day"
            ):
                return _entry_problem(
                    entry,
                    f"on_weekend next_business_day moves due dates later than {rule} allows",
                    "use keep or previous_business_day",
                )
    return None


def iter_resolved(ruleset: Ruleset, on: date) -> Iterator[tuple[Declaration, Param | None]]:
    """Every declared parameter with its value in force on a date (None if none)."""
    for name in ruleset.parameter_names():
        decl = ruleset.declarations[name]
        try:
            yield decl, ruleset.param(name, on)
        except RulesetError:
            yield decl, None
