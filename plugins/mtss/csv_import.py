"""CSV import into an MTSS data folder: screening results, session logs, progress points,
enrolments and phase changes (layouts in docs/mtss.md).

Every row is checked first; nothing is written unless all rows are valid. A row with
the same key as a stored item replaces it; a student file with nothing added or changed
is not written at all, and in a file that is written only the imported list changes
(fields stay as written: no `null` fields added, 93 stays 93). Dates go through the
one date bound (`eirules.core.dates.parse_date`), files through the one JSON reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from eirules.core.convert import read_json
from eirules.core.dates import parse_date, range_text
from eirules.core.errors import InputError, Problem, ValueProblem
from eirules.core.input_files import CsvRecords, read_input
from eirules.core.private_files import write_private

from . import csv_checks as _checks
from .csv_cells import BAD as _BAD
from .csv_cells import Cells as _Cells
from .csv_cells import RowProblems as _RowProblems
from .models import (
    SESSION_STATUSES,
    WINDOWS,
    Enrolment,
    MtssRecord,
    Phase,
    Point,
    Screening,
    Session,
)


def _date(text: str) -> date:
    day = parse_date(text)
    if day is None:
        raise ValueProblem(f'"{text}" is not a date', f"{range_text()}, written YYYY-MM-DD")
    return day


def _number(text: str, integer: bool = False):
    """A CSV cell as a number; "93" stays the whole number 93 (never 93.0). NaN and infinity
    parse (as Python reads them) and are refused by the model's bounds, with the rest."""
    try:
        if integer or text.lstrip("+-").isdigit():
            return int(text)
        return float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueProblem(f'"{text}" is not {kind}', f"expected {kind}") from None


def _whole(text: str) -> int:
    return _number(text, integer=True)


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word not in ("yes", "no", "true", "false", "1", "0"):
        raise ValueProblem(f'"{text}" is not yes or no', "expected yes or no")
    return word in ("yes", "true", "1")


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueProblem(f'"{text}" is not known', f"expected one of: {', '.join(choices)}")
        return text

    return parse


def _screening(row: dict) -> Screening:
    c = _Cells(row)
    if not row.get("percentile") and not row.get("category"):
        c.add(
            "percentile",
            "empty, and so is category",
            "expected a percentile rank (0 to 100), or a vendor category in column category",
        )
    return c.build(
        Screening,
        date=c.get("date", _date),
        window=c.get("window", _choice(WINDOWS)),
        instrument=c.get("instrument"),
        skill_area=c.get("skill_area"),
        percentile=c.get("percentile", _number),
        scaled_score=c.get("scaled_score", _number),
        category=c.get("category"),
    )


def _session(row: dict) -> Session:
    c = _Cells(row)
    status = c.get("status", _choice(SESSION_STATUSES))
    minutes = c.get("minutes", _whole, default=0)
    if status not in (_BAD, "delivered") and isinstance(minutes, int) and minutes > 0:
        c.add(
            "minutes",
            f'status "{status}" means the session was missed, but minutes is {minutes}',
            "expected 0 (or leave it empty), or status delivered with the minutes given",
        )
    return c.build(
        Session,
        date=c.get("date", _date),
        status=status,
        planned_minutes=c.get("planned_minutes", _whole),
        minutes=minutes,
        group=c.get("group"),
        program=c.get("program"),
        service=c.get("service"),
        makeup=c.get("makeup", _yes_no, default=False),
        note=c.get("note"),
    )


def _point(row: dict) -> Point:
    c = _Cells(row)
    return c.build(Point, date=c.get("date", _date), score=c.get("score", _number))


def _phase(row: dict) -> Phase:
    c = _Cells(row)
    return c.build(
        Phase,
        date=c.get("date", _date),
        label=c.get("label"),
        adaptation=c.get("adaptation", _yes_no, default=True),
    )


def _enrolment(row: dict) -> Enrolment:
    c = _Cells(row)
    tier = c.get("tier", _whole)
    if isinstance(tier, int) and tier not in (1, 2, 3):
        c.add("tier", f"{tier} is not a tier", "expected 1, 2 or 3")
        tier = _BAD
    return c.build(
        Enrolment,
        program=c.get("program"),
        tier=tier,
        skill_area=c.get("skill_area"),
        start=c.get("start", _date),
        group=c.get("group"),
        end=c.get("end", _date),
        sessions_per_week=c.get("sessions_per_week", _whole, default=0),
        minutes_per_session=c.get("minutes_per_session", _whole, default=0),
        outcome=c.get("outcome", _choice(("responded", "not_responded"))),
    )


@attrs.frozen
class Kind:
    """One CSV layout: its columns, the required ones, how a row becomes an item, its key."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    parse: Callable[[dict], Any]
    #: The item's key from the item (dates as YYYY-MM-DD) and from a stored raw dict.
    key: Callable[[Any], tuple]
    raw_key: Callable[[dict], tuple]
    #: The list it goes into: in the mtss section, or in the series named by `series`.
    field: str
    nested: bool = False
    #: The columns of the key, as messages name them (with `series` when nested).
    key_columns: tuple[str, ...] = ()


def _iso(d):
    return d.isoformat() if isinstance(d, date) else d


KINDS = {
    k.name: k
    for k in (
        Kind(
            "screening",
            (
                "student_id",
                "date",
                "window",
                "instrument",
                "skill_area",
                "percentile",
                "scaled_score",
                "category",
            ),
            ("student_id", "date", "window", "instrument", "skill_area"),
            _screening,
            lambda s: (_iso(s.date), s.instrument, s.skill_area),
            lambda r: (r.get("date"), r.get("instrument"), r.get("skill_area")),
            "screenings",
            key_columns=("date", "instrument", "skill_area"),
        ),
        Kind(
            "sessions",
            (
                "student_id",
                "date",
                "status",
                "planned_minutes",
                "minutes",
                "group",
                "program",
                "service",
                "makeup",
                "note",
            ),
            ("student_id", "date", "status", "planned_minutes"),
            _session,
            lambda s: (_iso(s.date), s.group, s.program, s.service, s.makeup),
            lambda r: (
                r.get("date"),
                r.get("group"),
                r.get("program"),
                r.get("service"),
                bool(r.get("makeup", False)),
            ),
            "sessions",
            key_columns=("date", "group", "program", "service", "makeup"),
        ),
        Kind(
            "enrolments",
            (
                "student_id",
                "program",
                "tier",
                "skill_area",
                "start",
                "group",
                "end",
                "sessions_per_week",
                "minutes_per_session",
                "outcome",
            ),
            ("student_id", "program", "tier", "skill_area", "start"),
            _enrolment,
            lambda e: (e.program, _iso(e.start)),
            lambda r: (r.get("program"), r.get("start")),
            "enrolments",
            key_columns=("program", "start"),
        ),
        Kind(
            "points",
            ("student_id", "series", "date", "score"),
            ("student_id", "series", "date", "score"),
            _point,
            lambda x: (_iso(x.date),),
            lambda r: (r.get("date"),),
            "points",
            nested=True,
            key_columns=("series", "date"),
        ),
        Kind(
            "phases",
            ("student_id", "series", "date", "label", "adaptation"),
            ("student_id", "series", "date", "label"),
            _phase,
            lambda x: (_iso(x.date),),
            lambda r: (r.get("date"),),
            "phases",
            nested=True,
            key_columns=("series", "date"),
        ),
    )
}


def read_csv(
    path: str | Path,
    kind: str,
    known: dict | None = None,
    layout=None,
    school=None,
    categories: set[str] | None = None,
) -> list[tuple[int, str, Any]]:
    """Parse a CSV of one kind into (line, student id, item), or (line, student id,
    (series id, item)) for points and phases; InputError lists every bad row.

    With `known` (student id -> case), a row naming a student without MTSS data (or a
    series the student does not have) is a problem too, reported with the others. With
    a `layout` (layouts.Layout, screening only), the file is a vendor export read
    through it: every problem names the export's line and column. With the `school`
    (models.School), a screening's window is checked against its date and a session's
    group and program against the school's (csv_checks.py); with `categories` (the
    ruleset's mapped vendor categories), a category a percentile would override must be
    known. Two rows with one key and different values are refused, naming both lines.
    """
    path = Path(path)
    k = KINDS[kind]
    try:
        text = read_input(path, expected="a CSV file").decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    if layout is not None:
        from .layouts import translate

        pairs, problems = translate(path, text, layout)
        if problems and not pairs:
            raise InputError(f"{path} does not match layout {layout.name}", problems)
    else:
        pairs, problems = _plain_rows(path, text, k, kind)
    out: list[tuple[int, str, Any]] = []
    seen: dict = {}  # (student, key) -> (line, item): duplicates in the file
    for line, where, row in pairs:
        empty = [c for c in k.required if not row.get(c)]
        if empty:
            problems.extend(
                Problem(f"{where}, column {c}", "empty", _checks.EXPECTED.get(c)) for c in empty
            )
            continue
        try:
            item = k.parse(row)
            found = (
                _checks.screening(item, school, categories)
                if kind == "screening"
                else _checks.session(item, school)
                if kind == "sessions"
                else []
            )
            if found:
                raise _RowProblems(found)
        except _RowProblems as exc:  # every problem of the row, each with its column
            problems.extend(
                Problem(f"{where}, column {column}" if column else where, what, expected)
                for column, what, expected in exc.problems
            )
            continue
        except (ValueError, TypeError) as exc:
            problems.append(Problem(where, str(exc)))
            continue
        sid = row["student_id"]
        if known is not None and (sid not in known or "mtss" not in known[sid].sections):
            problems.append(
                Problem(
                    where,
                    f'no student "{sid}" with MTSS data',
                    "add the student's case file (students/<id>.json) first",
                )
            )
            continue
        if k.nested:
            series = row["series"]
            if known is not None and series not in {
                s.id for s in known[sid].sections["mtss"].series
            }:
                problems.append(
                    Problem(
                        where,
                        f'student "{sid}" has no series "{series}"',
                        "add the series (measure, goal) to the student's case file first",
                    )
                )
                continue
            key = (series, *k.key(item))
            item = (series, item)
        else:
            key = k.key(item)
        text = ", ".join(f"{c} {row.get(c) or '(empty)'}" for c in k.key_columns)
        if (twice := _checks.duplicate(seen, line, sid, key, item, text)) is not None:
            problems.append(Problem(where, *twice))
            continue
        out.append((line, sid, item))
    if problems:
        rows = len({p.where.split(", column ")[0] for p in problems})
        raise InputError(f"{path}: {rows} row(s) not valid; nothing was imported", problems)
    return out


def _plain_rows(path: Path, text: str, k: Kind, kind: str) -> tuple[list, list]:
    """(line, where, row) for each row of a CSV in eirules' own layout; header problems raise."""
    reader = CsvRecords(str(path), text.splitlines())  # each record bounded
    header = next(reader, None) or []
    problems = []
    unknown = [h for h in header if h not in k.columns]
    missing = [h for h in k.required if h not in header]
    if unknown or missing:
        if unknown:
            problems.append(
                Problem(
                    f"{path}:1",
                    f"unknown column(s) {', '.join(unknown)}",
                    f"expected columns: {', '.join(k.columns)}"
                    + (
                        "; a vendor export is read with --layout (eirules mtss layouts)"
                        if kind == "screening"
                        else ""
                    ),
                )
            )
        if missing:
            problems.append(Problem(f"{path}:1", f"missing column(s) {', '.join(missing)}"))
        raise InputError(f"{path} is not a {kind} CSV", problems)
    pairs = []
    for line, row in enumerate(reader.dicts(header), start=2):
        if None in row:
            problems.append(Problem(f"{path}:{line}", "more cells than columns"))
            continue
        pairs.append((line, f"{path}:{line}", {c: (v or "").strip() for c, v in row.items()}))
    return pairs, problems


def item_dict(item) -> dict:
    """An imported item as the case file writes it: no null fields, no defaults spelled out."""
    out = {}
    for a in attrs.fields(type(item)):
        v = getattr(item, a.name)
        if v is None or (a.default is not attrs.NOTHING and v == a.default):
            continue
        if isinstance(v, tuple):
            v = [_iso(x) for x in v]
        out[a.name] = _iso(v)
    return out


def _apply(k: Kind, stored: tuple, listed: list, items: list) -> tuple[tuple, list, int, int]:
    """Merge items into one list: (structured list, raw list, added, replaced)."""
    current = {k.key(x): x for x in stored}
    index = {k.raw_key(r): n for n, r in enumerate(listed) if isinstance(r, dict)}
    added = replaced = 0
    for item in items:
        key = k.key(item)
        if current.get(key) == item:
            continue  # the same row again: keep it as written
        if key in current:
            replaced += 1
        else:
            added += 1
        current[key] = item
        if key in index:
            listed[index[key]] = item_dict(item)
        else:
            index[key] = len(listed)
            listed.append(item_dict(item))
    return tuple(current.values()), listed, added, replaced


def import_csv(
    data, path: str | Path, kind: str, layout=None, categories: set[str] | None = None
) -> dict[str, tuple[int, int]]:
    """Import a CSV into the folder's case files: {student: (added, replaced)}; read_csv
    checks every row against the folder's school (and `categories`, see there)."""
    k = KINDS[kind]
    rows = read_csv(path, kind, data.cases, layout, data.school, categories)
    by_student: dict[str, list] = {}
    for _, sid, item in rows:
        by_student.setdefault(sid, []).append(item)
    result = {}
    writes = []
    for sid, items in sorted(by_student.items()):
        case = data.cases[sid]
        rec: MtssRecord = case.sections["mtss"]
        raw = read_json(data.files[sid])
        section = raw.setdefault("mtss", {})
        added = replaced = 0
        if not k.nested:
            new, listed, added, replaced = _apply(
                k, getattr(rec, k.field), list(section.get(k.field) or []), items
            )
            if added or replaced:
                section[k.field] = listed
                rec = attrs.evolve(rec, **{k.field: new})
        else:
            series = list(rec.series)
            raw_series = section.get("series") or []
            for sname in sorted({s for s, _ in items}):
                i = next(n for n, s in enumerate(series) if s.id == sname)
                j = next(n for n, r in enumerate(raw_series) if r.get("id") == sname)
                mine = [x for s, x in items if s == sname]
                new, listed, a, r = _apply(
                    k, getattr(series[i], k.field), list(raw_series[j].get(k.field) or []), mine
                )
                if a or r:
                    raw_series[j][k.field] = listed
                    series[i] = attrs.evolve(series[i], **{k.field: new})
                added, replaced = added + a, replaced + r
            rec = attrs.evolve(rec, series=tuple(series))
        result[sid] = (added, replaced)
        if added or replaced:
            writes.append((sid, attrs.evolve(case, sections={**case.sections, "mtss": rec}), raw))
    for sid, case, raw in writes:
        _write_raw(raw, data.files[sid])
        data.cases[sid] = case
    return result


def _write_raw(raw: dict, path: Path) -> None:
    """Replace the student's file whole and owner-only: a failure leaves the old one."""
    write_private(path, json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
