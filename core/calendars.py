"""District school calendars: checked, stored one file a district, given to the rulesets.

A district calendar is a set of school years (the bounds of each year), terms (first and
last day of instruction) and closures (days with no school inside a term). School days
are the weekdays of the terms less closures (34 CFR 300.11(c)). The calendars folder
holds one TOML file per district; a case's `district` picks its calendar, and every
clock counting school days (or leaving out summers and breaks) counts that calendar's
days on each day it spans.

Reading a calendar from an iCalendar (.ics) or CSV file into `Period` rows is
`core.calendar_files` (its names are re-exported here); this module checks the rows
(`check`), writes and reads the stored TOML (`to_toml`, `DistrictCalendars`) and
summarises a calendar (`summary`).
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

# Reading a calendar file is calendar_files'; its names are importable from here too.
from .calendar_files import (  # noqa: F401
    CALENDAR_FILE,
    CSV_FIELDS,
    ICS_WORDS,
    KINDS,
    Period,
    read_csv,
    read_ics,
)
from .errors import InputError, Problem, StorageError
from .input_files import read_text
from .school_calendar import SchoolCalendar
from .text import text_problem

CALENDARS_ENV = "EIRULES_CALENDARS_DIR"


def default_calendars_dir() -> Path:
    """$EIRULES_CALENDARS_DIR, else the calendars folder beside the default caseload."""
    if os.environ.get(CALENDARS_ENV):
        return Path(os.environ[CALENDARS_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eirules" / "calendars"


# Checking --------------------------------------------------------------------------------


def _overlapping(periods: list[Period]) -> list[tuple[Period, Period]]:
    """Each period that starts before an earlier one (by first day) has ended, with that one."""
    out, latest = [], None
    for p in periods:
        if latest is not None and p.first <= latest.last:
            out.append((latest, p))
        if latest is None or p.last > latest.last:
            latest = p
    return out


def check(periods: Iterable[Period], source: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The calendar these periods make, or every problem found (never both)."""
    periods = list(periods)
    problems: list[Problem] = []
    for p in periods:
        if p.name and (found := text_problem(p.name)) is not None:  # shown and stored
            problems.append(Problem(f"{p.where}, field name", *found))
        if p.last < p.first:
            problems.append(
                Problem(
                    f"{p.where}, field last_day",
                    f"{p.last} is before the first day {p.first}",
                    "swap the two dates or correct the last day",
                )
            )
    ok = [p for p in periods if p.first <= p.last]
    years = sorted((p for p in ok if p.kind == "school_year"), key=lambda p: p.first)
    terms = sorted((p for p in ok if p.kind == "term"), key=lambda p: p.first)
    closures = [p for p in ok if p.kind == "closure"]
    if not years:
        problems.append(
            Problem(
                source,
                "no school year: the calendar must say which school year(s) it covers",
                "add a school year (CSV: school_year,2025-07-01,2026-06-30,2025-2026; "
                "or pass --school-year 2025-07-01:2026-06-30)",
            )
        )
    if not terms:
        problems.append(
            Problem(
                source,
                "no term: a calendar needs its days of instruction",
                "add a term (CSV: term,2025-08-18,2025-12-19,Fall)",
            )
        )
    for a, b in _overlapping(years):
        problems.append(
            Problem(
                b.where,
                f"{b.show()} overlaps {a.show()} ({a.where})",
                "school years must not overlap",
            )
        )
    for a, b in _overlapping(terms):
        problems.append(
            Problem(
                b.where,
                f"{b.show()} overlaps {a.show()} ({a.where})",
                "correct the dates so each day belongs to one term",
            )
        )
    if years:
        for p in (*terms, *closures):
            if not any(y.first <= p.first and p.last <= y.last for y in years):
                problems.append(
                    Problem(
                        p.where,
                        f"{p.show()} is outside the school year"
                        + ("s" if len(years) > 1 else "")
                        + f" ({'; '.join(y.show() for y in years)})",
                        "correct the dates, or add the school year it belongs to",
                    )
                )
    closed = {
        p.first + timedelta(days=i) for p in closures for i in range((p.last - p.first).days + 1)
    }
    for t in terms:
        day, found = t.first, False
        while day <= t.last and not found:
            found = day.weekday() < 5 and day not in closed
            day += timedelta(days=1)
        if not found:
            problems.append(
                Problem(
                    t.where,
                    f"{t.show()} has no school days (only weekends and closures)",
                    "correct the term's dates or remove the closures that cover it",
                )
            )
    if problems:
        return None, problems
    return {
        "years": [{"name": y.name, "first_day": y.first, "last_day": y.last} for y in years],
        "terms": [{"name": t.name, "first_day": t.first, "last_day": t.last} for t in terms],
        "closures": sorted(closed),
        # The closures' own names ("Labor Day"), shown by `calendars show`; the days
        # above are what the clocks count.
        "named_closures": sorted(
            (
                {"name": p.name, "first_day": p.first, "last_day": p.last}
                for p in closures
                if p.name
            ),
            key=lambda c: (c["first_day"], c["last_day"], c["name"]),
        ),
    }, []


# Storing ---------------------------------------------------------------------------------


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(district: str, data: dict[str, Any], sources: list[str]) -> str:
    lines = [
        "# A district school calendar written by `eirules calendars import`; edit with care.",
        f"district = {_toml_string(district)}",
        f"name = {_toml_string(data.get('name') or district)}",
        "imported_from = [" + ", ".join(_toml_string(s) for s in sources) + "]",
        "closures = [" + ", ".join(d.isoformat() for d in data["closures"]) + "]",
        "",
    ]
    for table in ("years", "terms", "named_closures"):
        for item in data.get(table, []):
            lines += [
                f"[[{table}]]",
                f"name = {_toml_string(item['name'])}",
                f"first_day = {item['first_day'].isoformat()}",
                f"last_day = {item['last_day'].isoformat()}",
                "",
            ]
    return "\n".join(lines)


def calendar_from_data(data: dict[str, Any], name: str) -> SchoolCalendar:
    years = [(y["first_day"], y["last_day"], y.get("name", "")) for y in data.get("years", [])]
    terms = [(t["first_day"], t["last_day"]) for t in data["terms"]]
    return SchoolCalendar.from_terms(terms, data.get("closures", []), name=name, years=years)


#: What the calendars folder holds, as a refusal of something else names it.
STORED_CALENDAR = "a district calendar (TOML)"
#: What a refusal of a stored calendar over `input_files.MAX_INPUT_BYTES` says to do.
STORED_SIZE_FIX = (
    "a district calendar is a few kilobytes: move the file out of the calendars folder and "
    "import the calendar again (eirules calendars import)"
)


class DistrictCalendars:
    """The calendars folder: one TOML file per district, read when a case needs it."""

    def __init__(self, folder: Path | str | None):
        self.folder = Path(folder) if folder else None
        self._cache: dict[str, SchoolCalendar | None] = {}

    def path_for(self, district: str) -> Path:
        assert self.folder is not None
        return self.folder / (quote(district, safe="") + ".toml")

    def _read(self, path: Path) -> dict[str, Any]:
        """A stored calendar, read by the one opener of input files (core/input_files.py):
        a named pipe, a device or a folder in the calendars folder is refused by name
        without waiting or reading, and so is a file over 32 MiB (StorageError, exit 1,
        as any calendar that cannot be read)."""
        try:
            return tomllib.loads(
                read_text(
                    path,
                    expected=STORED_CALENDAR,
                    fix=STORED_SIZE_FIX,
                    found_in=f"the calendars folder {self.folder}",
                )
            )
        except InputError as exc:
            raise StorageError(
                f"cannot read the district calendar {path}",
                list(exc.problems)
                or [Problem(str(path), exc.message.removeprefix(f"{path}: "), "check the path")],
            ) from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise StorageError(
                f"cannot read the district calendar {path}",
                [Problem(str(path), str(exc), "import the calendar again")],
            ) from exc

    def get(self, district: str) -> SchoolCalendar | None:
        """The district's calendar, or None when none was imported."""
        if self.folder is None:
            return None
        if district in self._cache:
            return self._cache[district]
        path = self.path_for(district)
        calendar = None
        if path.exists():  # a pipe or a device is refused by name (_read), never passed over
            data = self._read(path)
            calendar = calendar_from_data(data, str(data.get("name", district)))
        self._cache[district] = calendar
        return calendar

    def data(self, district: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        path = self.path_for(district)
        return self._read(path) if path.exists() else None

    def districts(self) -> list[str]:
        if self.folder is None or not self.folder.is_dir():
            return []
        out = []
        for path in sorted(p for p in self.folder.glob("*.toml") if p.exists()):
            data = self._read(path)
            out.append(str(data.get("district", path.stem)))
        return sorted(out)

    def save(
        self, district: str, new: dict[str, Any], source: str
    ) -> tuple[dict[str, Any], list[str]]:
        """Add the school years of `new` to the district's calendar; say which were replaced.

        A school year that overlaps one already stored replaces it (its terms and closures
        go with it). The file is written whole to a temporary file and renamed, so a failure
        leaves the previous calendar as it was.
        """
        assert self.folder is not None
        old = self.data(district) or {"years": [], "terms": [], "closures": [], "imported_from": []}
        replaced, years = [], []
        spans = [(y["first_day"], y["last_day"]) for y in new["years"]]

        def overlaps(first: date, last: date) -> bool:
            return any(first <= b and a <= last for a, b in spans)

        for y in old.get("years", []):
            if overlaps(y["first_day"], y["last_day"]):
                replaced.append(y.get("name") or f"{y['first_day']} to {y['last_day']}")
            else:
                years.append(y)
        kept = [(y["first_day"], y["last_day"]) for y in years]

        def in_kept(day: date) -> bool:
            return any(a <= day <= b for a, b in kept)

        merged = {
            "name": new.get("name") or old.get("name") or district,
            "years": sorted([*years, *new["years"]], key=lambda y: y["first_day"]),
            "terms": sorted(
                [t for t in old.get("terms", []) if in_kept(t["first_day"])] + new["terms"],
                key=lambda t: t["first_day"],
            ),
            "closures": sorted(
                {d for d in old.get("closures", []) if in_kept(d)} | set(new["closures"])
            ),
            "named_closures": [  # a calendar stored before names were kept has none
                *(c for c in old.get("named_closures", []) if in_kept(c["first_day"])),
                *new.get("named_closures", []),
            ],
        }
        sources = [s for s in old.get("imported_from", []) if s != source] + [source]
        text = to_toml(district, merged, sources)
        calendar_from_data(tomllib.loads(text), district)  # what is written reads back
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(district)
        handle, tmp = tempfile.mkstemp(dir=self.folder, prefix=".import-", suffix=".toml")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(
                f"cannot write {path}", [Problem(str(path), str(exc), "check the folder")]
            ) from exc
        self._cache.pop(district, None)
        return merged, replaced


def summary(district: str, data: dict[str, Any]) -> dict[str, Any]:
    """What `calendars list` shows for one district."""
    calendar = calendar_from_data(data, district)
    years = data.get("years", [])
    return {
        "district": district,
        "name": str(data.get("name", district)),
        "school_years": [str(y.get("name") or f"{y['first_day']}:{y['last_day']}") for y in years],
        "first_school_day": calendar.first_day.isoformat(),
        "last_school_day": calendar.last_day.isoformat(),
        "school_days": len(calendar.days),
        "terms": len(data.get("terms", [])),
        "closures": len(data.get("closures", [])),
    }
