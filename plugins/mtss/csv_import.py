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
from eirules.core.errors import InputError, Problem
from eirules.core.input_files import CsvRecords, read_input
from eirules.core.private_files import write_private

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
        raise ValueError(f'"{text}" is not a date (YYYY-MM-DD; {range_text()})')
    return day


def _number(text: str, integer: bool = False):
    """A CSV cell as a number; "93" stays the whole number 93 (never 93.0)."""
    try:
        if integer or text.lstrip("+-").isdigit():
            return int(text)
        return float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueError(f'"{text}" is not {kind}') from None


def _yes_no(row: dict, name: str, default: bool) -> bool:
    text = (row.get(name) or "").strip().lower()
    if text == "":
        return default
    if text not in ("yes", "no", "true", "false", "1", "0"):
        raise ValueError(f'{name} "{row[name]}" must be yes or no')
    return text in ("yes", "true", "1")


def _opt(row, name, parse=None):
    v = row.get(name)
    return (parse(v) if parse else v) if v else None


def _screening(row: dict) -> Screening:
    if row["window"] not in WINDOWS:
        raise ValueError(f'window "{row["window"]}" is not one of {", ".join(WINDOWS)}')
    return Screening(
        date=_date(row["date"]),
        window=row["window"],
        instrument=row["instrument"],
        skill_area=row["skill_area"],
        percentile=_opt(row, "percentile", _number),
        scaled_score=_opt(row, "scaled_score", _number),
        category=_opt(row, "category"),
    )


def _session(row: dict) -> Session:
    status = row["status"]
    if status not in SESSION_STATUSES:
        raise ValueError(f'status "{status}" is not one of {", ".join(SESSION_STATUSES)}')
    minutes = _number(row["minutes"], integer=True) if row.get("minutes") else 0
    if status != "delivered" and minutes > 0:
        raise ValueError(
            f'status "{status}" means the session was missed, but minutes is {minutes}: '
            "give 0 (or leave it empty), or use status delivered with the minutes given"
        )
    return Session(
        date=_date(row["date"]),
        status=status,
        planned_minutes=_number(row["planned_minutes"], integer=True),
        minutes=minutes,
        group=_opt(row, "group"),
        program=_opt(row, "program"),
        service=_opt(row, "service"),
        makeup=_yes_no(row, "makeup", False),
        note=_opt(row, "note"),
    )


def _point(row: dict) -> Point:
    return Point(date=_date(row["date"]), score=_number(row["score"]))


def _phase(row: dict) -> Phase:
    return Phase(
        date=_date(row["date"]), label=row["label"], adaptation=_yes_no(row, "adaptation", True)
    )


def _enrolment(row: dict) -> Enrolment:
    tier = _number(row["tier"], integer=True)
    if tier not in (1, 2, 3):
        raise ValueError(f'tier "{row["tier"]}" must be 1, 2 or 3')
    outcome = _opt(row, "outcome")
    if outcome not in (None, "responded", "not_responded"):
        raise ValueError(f'outcome "{outcome}" must be responded or not_responded (or empty)')
    return Enrolment(
        program=row["program"],
        tier=tier,
        skill_area=row["skill_area"],
        start=_date(row["start"]),
        group=_opt(row, "group"),
        end=_opt(row, "end", _date),
        sessions_per_week=_number(row["sessions_per_week"], True)
        if row.get("sessions_per_week")
        else 0,
        minutes_per_session=_number(row["minutes_per_session"], True)
        if row.get("minutes_per_session")
        else 0,
        outcome=outcome,
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
        ),
    )
}


def read_csv(
    path: str | Path, kind: str, known: dict | None = None, layout=None
) -> list[tuple[int, str, Any]]:
    """Parse a CSV of one kind into (line, student id, item), or (line, student id,
    (series id, item)) for points and phases; InputError lists every bad row.

    With `known` (student id -> case), a row naming a student without MTSS data (or a
    series the student does not have) is a problem too, reported with the others. With
    a `layout` (layouts.Layout, screening only), the file is a vendor export read
    through it: every problem names the export's line and column.
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
    for line, where, row in pairs:
        empty = [c for c in k.required if not row.get(c)]
        if empty:
            problems.append(Problem(where, f"empty {', '.join(empty)}"))
            continue
        try:
            item = k.parse(row)
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
            item = (series, item)
        out.append((line, sid, item))
    if problems:
        raise InputError(
            f"{path}: {len(problems)} row(s) not valid; nothing was imported", problems
        )
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


def import_csv(data, path: str | Path, kind: str, layout=None) -> dict[str, tuple[int, int]]:
    """Import a CSV into the folder's case files: {student: (added, replaced)}."""
    k = KINDS[kind]
    rows = read_csv(path, kind, data.cases, layout)
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
