"""An MTSS data folder: `school.json` plus one case file per student, and CSV import.

    school.json            School: programs, interventionists, groups, windows
    students/<id>.json     case files (schema eirules/case@1) with an "mtss" section

CSV import adds screening results or session logs to the students' case files.
Every row is checked first; nothing is written unless all rows are valid.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from eirules.core.convert import read_json, structure
from eirules.core.errors import InputError, Problem
from eirules.core.models import Case

from .models import SESSION_STATUSES, WINDOWS, MtssRecord, School, Screening, Session

SCREENING_COLUMNS = (
    "student_id",
    "date",
    "window",
    "instrument",
    "skill_area",
    "percentile",
    "scaled_score",
    "category",
)
SESSION_COLUMNS = (
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
)
REQUIRED = {
    "screening": ("student_id", "date", "window", "instrument", "skill_area"),
    "sessions": ("student_id", "date", "status", "planned_minutes"),
}


def bundled_dir() -> Path:
    """The fictional school shipped inside the package."""
    return Path(__file__).parent / "data" / "elm-street"


def default_dir() -> Path:
    env = os.environ.get("EIRULES_MTSS_DIR")
    return Path(env) if env else bundled_dir()


@attrs.define
class DataDir:
    """A loaded MTSS folder."""

    path: Path
    school: School
    cases: dict[str, Case]
    files: dict[str, Path]

    def records(self) -> dict[str, MtssRecord]:
        return {cid: c.sections["mtss"] for cid, c in self.cases.items() if "mtss" in c.sections}


def load(path: str | Path, engine) -> DataDir:
    """Read school.json and every students/*.json; InputError if the folder is not an MTSS folder."""
    path = Path(path)
    school_file = path / "school.json"
    if not school_file.is_file():
        raise InputError(
            f"{path} is not an MTSS data folder",
            [
                Problem(
                    str(school_file),
                    "no such file",
                    "create school.json (see docs/mtss.md) or pass --dir",
                )
            ],
        )
    school = structure(read_json(school_file), School, source=str(school_file))
    cases: dict[str, Case] = {}
    files: dict[str, Path] = {}
    for f in sorted((path / "students").glob("*.json")):
        case = engine.load_case(f)
        if case.id in cases:
            raise InputError(f"{f}: case id {case.id} is also in {files[case.id]}")
        cases[case.id] = case
        files[case.id] = f
    return DataDir(path, school, cases, files)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a date (YYYY-MM-DD)') from None


def _parse_number(text: str, integer: bool = False):
    """A CSV cell as a number; "93" stays the whole number 93 (never 93.0)."""
    try:
        if integer or text.lstrip("+-").isdigit():
            return int(text)
        return float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueError(f'"{text}" is not {kind}') from None


def _row_screening(row: dict) -> Screening:
    return Screening(
        date=_parse_date(row["date"]),
        window=row["window"],
        instrument=row["instrument"],
        skill_area=row["skill_area"],
        percentile=_parse_number(row["percentile"]) if row.get("percentile") else None,
        scaled_score=_parse_number(row["scaled_score"]) if row.get("scaled_score") else None,
        category=row.get("category") or None,
    )


def _row_session(row: dict) -> Session:
    makeup = (row.get("makeup") or "").strip().lower()
    if makeup not in ("", "yes", "no", "true", "false", "1", "0"):
        raise ValueError(f'makeup "{row["makeup"]}" must be yes or no')
    status = row["status"]
    minutes = _parse_number(row["minutes"], integer=True) if row.get("minutes") else 0
    if status != "delivered" and minutes > 0:
        raise ValueError(
            f'status "{status}" means the session was missed, but minutes is {minutes}: '
            "give 0 (or leave it empty), or use status delivered with the minutes given"
        )
    return Session(
        date=_parse_date(row["date"]),
        status=row["status"],
        planned_minutes=_parse_number(row["planned_minutes"], integer=True),
        minutes=minutes,
        group=row.get("group") or None,
        program=row.get("program") or None,
        service=row.get("service") or None,
        makeup=makeup in ("yes", "true", "1"),
        note=row.get("note") or None,
    )


def read_csv(
    path: str | Path, kind: str, known: dict | None = None
) -> list[tuple[int, str, Screening | Session]]:
    """Parse a screening or sessions CSV into (line, student id, item); InputError lists every bad row.

    With `known` (student id -> case), a row naming a student without MTSS data is a problem
    too, reported with the others.
    """
    path = Path(path)
    columns = SCREENING_COLUMNS if kind == "screening" else SESSION_COLUMNS
    parse = _row_screening if kind == "screening" else _row_session
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", [Problem("", "check the path")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    problems = []
    unknown = [h for h in header if h not in columns]
    missing = [h for h in REQUIRED[kind] if h not in header]
    if unknown or missing:
        if unknown:
            problems.append(
                Problem(
                    f"{path}:1",
                    f"unknown column(s) {', '.join(unknown)}",
                    f"expected columns: {', '.join(columns)}",
                )
            )
        if missing:
            problems.append(Problem(f"{path}:1", f"missing column(s) {', '.join(missing)}"))
        raise InputError(f"{path} is not a {kind} CSV", problems)
    out: list[tuple[int, str, Screening | Session]] = []
    for line, row in enumerate(reader, start=2):
        if None in row:
            problems.append(Problem(f"{path}:{line}", "more cells than columns"))
            continue
        row = {k: (v or "").strip() for k, v in row.items()}
        empty = [c for c in REQUIRED[kind] if not row.get(c)]
        if empty:
            problems.append(Problem(f"{path}:{line}", f"empty {', '.join(empty)}"))
            continue
        if kind == "screening" and row["window"] not in WINDOWS:
            problems.append(
                Problem(
                    f"{path}:{line}", f'window "{row["window"]}" is not one of {", ".join(WINDOWS)}'
                )
            )
            continue
        if kind == "sessions" and row["status"] not in SESSION_STATUSES:
            problems.append(
                Problem(
                    f"{path}:{line}",
                    f'status "{row["status"]}" is not one of {", ".join(SESSION_STATUSES)}',
                )
            )
            continue
        try:
            item = parse(row)
        except (ValueError, TypeError) as exc:
            problems.append(Problem(f"{path}:{line}", str(exc)))
            continue
        sid = row["student_id"]
        if known is not None and (sid not in known or "mtss" not in known[sid].sections):
            problems.append(
                Problem(
                    f"{path}:{line}",
                    f'no student "{sid}" with MTSS data',
                    "add the student's case file (students/<id>.json) first",
                )
            )
            continue
        out.append((line, sid, item))
    if problems:
        raise InputError(
            f"{path}: {len(problems)} row(s) not valid; nothing was imported", problems
        )
    return out


def _screen_key(s: Screening):
    return (s.date, s.instrument, s.skill_area)


def _session_key(s: Session):
    return (s.date, s.group, s.program, s.service, s.makeup)


def merge(rec: MtssRecord, kind: str, items: list) -> tuple[MtssRecord, int, int]:
    """Add items to a record; a row with the same key replaces the old one. (record, added, replaced)."""
    current: dict[tuple, Screening | Session]
    key: Callable[[Any], tuple]
    if kind == "screening":
        current = {_screen_key(s): s for s in rec.screenings}
        key = _screen_key
    else:
        current = {_session_key(s): s for s in rec.sessions}
        key = _session_key
    added = replaced = 0
    for item in items:
        k = key(item)
        if k in current:
            replaced += current[k] != item
        else:
            added += 1
        current[k] = item
    field = "screenings" if kind == "screening" else "sessions"
    changes: dict[str, Any] = {field: tuple(current.values())}
    return attrs.evolve(rec, **changes), added, replaced


def _raw_key(kind: str, raw: dict) -> tuple:
    """The merge key of an item as written in a case file (dates as written, YYYY-MM-DD)."""
    if kind == "screening":
        return (raw.get("date"), raw.get("instrument"), raw.get("skill_area"))
    return (
        raw.get("date"),
        raw.get("group"),
        raw.get("program"),
        raw.get("service"),
        bool(raw.get("makeup", False)),
    )


def _item_key(kind: str, item) -> tuple:
    k = _screen_key(item) if kind == "screening" else _session_key(item)
    return (k[0].isoformat(), *k[1:])


def _item_dict(item) -> dict:
    """An imported item as the case file writes it: no null fields, no defaults spelled out."""
    out = {}
    for a in attrs.fields(type(item)):
        v = getattr(item, a.name)
        if v is None or (a.default is not attrs.NOTHING and v == a.default):
            continue
        out[a.name] = v.isoformat() if isinstance(v, date) else v
    return out


def import_csv(data: DataDir, path: str | Path, kind: str) -> dict[str, tuple[int, int]]:
    """Import a CSV into the folder's case files: {student: (added, replaced)}.

    Only the files of students with an added or changed row are written, and in those only
    the imported list changes: every other field stays as it was written (no null fields
    added, 93 stays 93). A file is replaced whole (written beside it, then renamed), so a
    failure leaves the old file.
    """
    rows = read_csv(path, kind, data.cases)
    by_student: dict[str, list] = {}
    for _, sid, item in rows:
        by_student.setdefault(sid, []).append(item)
    field = "screenings" if kind == "screening" else "sessions"
    result = {}
    writes: list[tuple[str, Case, dict]] = []
    for sid, items in sorted(by_student.items()):
        case = data.cases[sid]
        rec, added, replaced = merge(case.sections["mtss"], kind, items)
        result[sid] = (added, replaced)
        if not added and not replaced:
            continue  # nothing changed: the file is not touched
        raw = read_json(data.files[sid])
        section = raw.setdefault("mtss", {})
        listed = list(section.get(field) or [])
        index = {_raw_key(kind, r): n for n, r in enumerate(listed) if isinstance(r, dict)}
        old = {_item_key(kind, x): x for x in getattr(case.sections["mtss"], field)}
        for item in items:
            k = _item_key(kind, item)
            if old.get(k) == item:
                continue  # the same row again: keep it as written
            old[k] = item
            if k in index:
                listed[index[k]] = _item_dict(item)
            else:
                index[k] = len(listed)
                listed.append(_item_dict(item))
        section[field] = listed
        writes.append((sid, attrs.evolve(case, sections={**case.sections, "mtss": rec}), raw))
    for sid, case, raw in writes:
        _write_raw(raw, data.files[sid])
        data.cases[sid] = case
    return result


def _write_raw(raw: dict, path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
