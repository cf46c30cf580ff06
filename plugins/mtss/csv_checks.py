"""Checks of an imported CSV row against the school and against the file's other rows
(plugins/mtss csv_import.py `read_csv`, the one reader of every MTSS import and vendor
layout): a screening's window against its date, a session's group, program and minutes,
a vendor category the percentile would silently override, and two rows of one file
with the same key and different values.

Each check returns (column, what, expected) problems, as a row's own cells do
(csv_cells.py), so every problem names its file, line and column.
"""

from __future__ import annotations

from typing import Any

from eirules.core.errors import did_you_mean

from .models import SESSION_STATUSES, School, Screening, Session

Found = list[tuple[str, str, str | None]]

#: What a required column holds, for the message of an empty cell.
EXPECTED = {
    "student_id": "expected the student's id (students/<id>.json)",
    "date": "expected a date, written YYYY-MM-DD",
    "start": "expected a date, written YYYY-MM-DD",
    "window": "expected one of: fall, winter, spring",
    "instrument": "expected the screener's name",
    "skill_area": "expected the skill area (e.g. reading)",
    "status": f"expected one of: {', '.join(SESSION_STATUSES)}",
    "planned_minutes": "expected a whole number of minutes",
    "series": "expected the series id in the student's case file",
    "score": "expected a number",
    "program": "expected the program id in school.json",
    "tier": "expected 1, 2 or 3",
    "label": "expected what changed (e.g. the new intervention)",
}


def window_of(school: School, day) -> Any:
    """The school's window (school.json `windows`) whose dates hold `day`, or None."""
    return next((w for w in school.windows if w.start <= day <= w.end), None)


def _span(w) -> str:
    return f"{w.name} {w.school_year} {w.start.isoformat()}..{w.end.isoformat()}"


def screening(s: Screening, school: School | None, categories: set[str] | None) -> Found:
    """A screening's window is the school's window its date falls in (docs/mtss.md: the
    school's own calendar of windows decides a date's season); a date in no window is
    refused while the school defines windows, as its season cannot be known. A vendor
    category next to a percentile is used by nothing (R1 bands the percentile), so one
    that is neither a band nor mapped in the ruleset is refused rather than dropped."""
    found: Found = []
    if school is not None and school.windows:
        w = window_of(school, s.date)
        day = s.date.isoformat()
        if w is None:
            listed = "; ".join(_span(x) for x in school.windows)
            found.append(
                (
                    "date",
                    f"{day} is in none of the school's screening windows ({listed})",
                    "correct the date, or add the window it belongs to in school.json "
                    "(windows: name, school_year, start, end)",
                )
            )
        elif w.name != s.window:
            labelled = [x for x in school.windows if x.name == s.window]
            found.append(
                (
                    "window",
                    f'"{s.window}" does not hold the date {day}'
                    + (f" ({'; '.join(_span(x) for x in labelled)})" if labelled else "")
                    + f": {day} is in {_span(w)}",
                    f'expected "{w.name}", or correct the date',
                )
            )
    if categories is not None and s.category is not None and s.percentile is not None:
        from .rules.screening import BANDS, category_key

        if category_key(s.category) not in categories | set(BANDS):
            found.append(
                (
                    "category",
                    f'"{s.category}" is neither a band ({", ".join(BANDS)}) nor a vendor '
                    "category mapped in the ruleset, and the percentile would be used in "
                    "its place",
                    "leave the category empty (the percentile decides the band), or map it "
                    f"in the ruleset (mtss.screening.category.{category_key(s.category)})",
                )
            )
    return found


def session(s: Session, school: School | None) -> Found:
    """A session's group and program are the school's; a delivered session has minutes
    and no more than were planned: R10 counts a delivered session as held and adds its
    minutes to those held against the planned ones, and R13 counts them as delivered,
    so 0 minutes or extra minutes would make delivery look other than it was."""
    found: Found = []
    if school is not None:
        for column, value, ids in (
            ("group", s.group, [g.id for g in school.groups]),
            ("program", s.program, [p.id for p in school.programs]),
        ):
            if value is not None and value not in ids:
                hint = did_you_mean(value, ids)
                found.append(
                    (
                        column,
                        f'no {column} "{value}" in school.json' + (f"; {hint}" if hint else ""),
                        f"expected one of: {', '.join(ids) or 'none defined'}",
                    )
                )
    if s.status == "delivered":
        if s.minutes == 0:
            found.append(
                (
                    "minutes",
                    "0 (or empty) for a delivered session",
                    "expected the minutes delivered (R10 would count the session as held "
                    "with no minutes), or the status of the missed session",
                )
            )
        elif s.minutes > s.planned_minutes:
            found.append(
                (
                    "minutes",
                    f"{s.minutes} delivered of {s.planned_minutes} planned",
                    f"expected at most {s.planned_minutes} (R10 and R13 count delivered "
                    "minutes against planned ones, so extra minutes would hide missed ones); "
                    "if the session was planned longer, correct planned_minutes; make-up "
                    "time goes on its own row with makeup yes",
                )
            )
    return found


def duplicate(seen: dict, line: int, sid: str, key: tuple, item: Any, text: str):
    """(what, fix) when a row has the key of an earlier row of the same file (`seen`: key
    -> (line, item), filled here) and different values, else None. The same row twice is
    harmless (one item, as importing a file twice is) and passes."""
    full = (sid, *key)
    first = seen.setdefault(full, (line, item))
    if first[1] == item:
        return None
    return (
        f'student "{sid}", {text}: also on line {first[0]}, with different values',
        f"keep one of lines {first[0]} and {line} (rows with one key are one item: the "
        "later would silently replace the earlier)",
    )
