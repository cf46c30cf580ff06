"""Reading a district school calendar from a file: iCalendar (.ics) or CSV.

`read_csv` and `read_ics` turn a district's published calendar into `Period` rows
(school years, terms and closures, each with where it was read), with every problem
found; `core.calendars` checks the rows, stores one TOML file a district and gives
the stored calendars to the rulesets. The names here are importable from
`core.calendars` as well.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs

from .errors import InputError, Problem, show_value
from .input_files import CsvRecords, open_text, read_input

KINDS = ("school_year", "term", "closure")
CSV_FIELDS = ("kind", "first_day", "last_day", "name")
#: iCalendar CATEGORIES (or words in SUMMARY) that say what an event is, checked in order.
ICS_WORDS = {
    "school_year": ("school-year", "school year", "schoolyear"),
    "closure": ("closure", "closed", "no school", "no-school", "holiday", "break", "vacation"),
    "term": ("term", "semester", "trimester", "quarter", "session"),
}


@attrs.frozen
class Period:
    """One row of a calendar: a school year, a term or a closure, and where it was read."""

    kind: str
    first: date
    last: date
    name: str = ""
    where: str = ""

    def show(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first} to {self.last}"
        return (
            f'{self.kind.replace("_", " ")} "{self.name}" ({span})'
            if self.name
            else (f"{self.kind.replace('_', ' ')} ({span})")
        )


def _date(text: str, where: str, field: str, problems: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(
            Problem(
                f"{where}, field {field}",
                f"found {text.strip()!r}; expected a date YYYY-MM-DD",
                "write the date as 2025-08-18",
            )
        )
        return None


#: What `calendars import` reads, as a refusal of something else names it.
CALENDAR_FILE = "a calendar file (.ics or .csv)"


def read_csv(path: Path) -> tuple[list[Period], list[Problem]]:
    """Rows `kind,first_day,last_day,name`; last_day may be empty for a one-day closure."""
    problems: list[Problem] = []
    periods: list[Period] = []
    try:
        with open_text(path, expected=CALENDAR_FILE, encoding="utf-8-sig", newline="") as handle:
            rows = list(CsvRecords(str(path), handle))  # each record bounded
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            f"cannot read {path}",
            [Problem(str(path), str(exc), "save the calendar as UTF-8 CSV")],
        ) from exc
    if not rows:
        return [], [Problem(str(path), "the file is empty", f"add a header {','.join(CSV_FIELDS)}")]
    header = [h.strip().lower() for h in rows[0]]
    missing = [f for f in CSV_FIELDS if f not in header and f != "last_day"]
    unknown = [h for h in header if h not in CSV_FIELDS]
    if missing or unknown:
        what = []
        if missing:
            what.append(f"no column {', '.join(missing)}")
        if unknown:
            what.append(f"unknown column {', '.join(unknown)}")
        return [], [
            Problem(
                f"{path} line 1 (header)",
                "; ".join(what) + f"; expected the columns {','.join(CSV_FIELDS)}",
                "first line: kind,first_day,last_day,name",
            )
        ]
    col = {name: header.index(name) for name in CSV_FIELDS if name in header}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path} line {number}"
        cells = {name: (row[i] if i < len(row) else "") for name, i in col.items()}
        kind = cells["kind"].strip().lower()
        if kind not in KINDS:
            problems.append(
                Problem(
                    f"{where}, field kind",
                    f"found {cells['kind'].strip()!r}; expected one of {', '.join(KINDS)}",
                    "a school year gives the year's bounds, a term its days of instruction, "
                    "a closure a day or days without school",
                )
            )
            continue
        first = _date(cells["first_day"], where, "first_day", problems)
        last_text = cells.get("last_day", "").strip()
        last = _date(last_text, where, "last_day", problems) if last_text else first
        if first is None or last is None:
            continue
        if kind != "closure" and not last_text:
            problems.append(
                Problem(
                    f"{where}, field last_day",
                    f"a {kind.replace('_', ' ')} needs its last day",
                    "write the last day of the term or school year",
                )
            )
            continue
        periods.append(Period(kind, first, last, cells["name"].strip(), where))
    return periods, problems


def _ics_kind(component) -> str | None:
    words: list[str] = []
    categories = component.get("CATEGORIES")
    for item in categories if isinstance(categories, list) else [categories]:
        if item is not None:
            words.extend(str(c).lower() for c in getattr(item, "cats", [item]))
    summary = str(component.get("SUMMARY", "")).lower()
    for source in (" ".join(words), summary):
        for kind, keys in ICS_WORDS.items():
            if any(key in source for key in keys):
                return kind
    return None


def _ics_day(value) -> date:
    day = value.dt
    return day.date() if isinstance(day, datetime) else day


def read_ics(path: Path) -> tuple[list[Period], list[Problem], list[str]]:
    """All-day events classified by CATEGORIES (or words in SUMMARY); others are skipped."""
    import icalendar

    raw = read_input(path, expected=CALENDAR_FILE)
    fix = "export the calendar from the district's calendar program as .ics (iCalendar)"
    if b"BEGIN:VCALENDAR" not in raw.upper():
        what = "the file is empty" if not raw.strip() else "it has no BEGIN:VCALENDAR line"
        raise InputError(f"{path} is not an iCalendar file", [Problem(str(path), what, fix)])
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except (ValueError, KeyError, IndexError) as exc:  # the parser's own words, no class name
        raise InputError(
            f"cannot read {path} as iCalendar",
            [Problem(str(path), f"not valid iCalendar: {show_value(str(exc), 160)}", fix)],
        ) from exc
    periods: list[Period] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "")).strip()
        where = f"{path} event {number}" + (f' "{summary}"' if summary else "")
        if event.get("DTSTART") is None:
            problems.append(Problem(f"{where}, field DTSTART", "the event has no start", None))
            continue
        kind = _ics_kind(event)
        if kind is None:
            skipped.append(f"{where}: not a school year, term or closure (skipped)")
            continue
        if event.get("RRULE") is not None:
            problems.append(
                Problem(
                    f"{where}, field RRULE",
                    "repeating events are not read",
                    "export each day or period as its own event",
                )
            )
            continue
        first = _ics_day(event["DTSTART"])
        end = event.get("DTEND")
        if end is None:
            last = first
        else:
            # DTEND is exclusive for all-day events (RFC 5545 3.6.1); a timed event ends that day.
            raw = end.dt
            last = raw - timedelta(days=1) if not isinstance(raw, datetime) else raw.date()
            last = max(last, first)
        periods.append(Period(kind, first, last, summary, where))
    return periods, problems, skipped
