"""Reading records for a caseload import: case files (JSON) and the CSV layouts.

A record is one case document with where it came from (file and record or
rows), so every problem can be reported with file, record and field. Nothing
here validates a case against the models: the store does that with the engine.

CSV, cases layout (one row per event; rows with the same case_id make one case)::

    case_id,birth_date,child_name,gestational_age_weeks,ruleset,district,program,caseworker,
    event_type,event_date,event_program,event_reason,event_outcome,event_category,
    event_service,event_until,event_note

Only case_id and birth_date are required. Case columns (birth_date to
caseworker) must agree on every row of a case, or be left blank after the
first. `program` adds an enrolment; a row with no event_type adds no event.

CSV, assignments layout: exactly the two columns case_id,caseworker.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from .errors import InputError, Problem, did_you_mean
from .input_files import CsvRecords, check_input, open_text, read_input
from .jsonio import iter_records, parse_json
from .text import first_unsafe, text_problem

CASE_COLUMNS = (
    "case_id",
    "birth_date",
    "child_name",
    "gestational_age_weeks",
    "ruleset",
    "district",
    "program",
    "caseworker",
)
EVENT_COLUMNS = (
    "event_type",
    "event_date",
    "event_program",
    "event_reason",
    "event_outcome",
    "event_category",
    "event_service",
    "event_until",
    "event_note",
)
CSV_COLUMNS = CASE_COLUMNS + EVENT_COLUMNS
ASSIGNMENT_COLUMNS = ("case_id", "caseworker")
#: The case-file keys a CSV record can give (`_case_from_rows`): a re-import of a CSV
#: keeps the rest of the stored case (plans, evaluations, ...; `store/reimport.py`).
CSV_CARRIES = frozenset(("id", "child", "ruleset", "district", "enrolments", "events"))


@attrs.frozen
class Record:
    """One case document read from a file, or the problems that stopped reading it."""

    source: str
    label: str
    data: Any = None
    caseworker: str | None = None
    problems: tuple[Problem, ...] = ()
    #: For CSV records: maps a case-file path ("events[2].date") to "row 7, event_date".
    fields: dict[str, str] = attrs.field(factory=dict, hash=False)
    #: The case-file keys a record of its format can give (a CSV's: CSV_CARRIES); None
    #: for a whole case file. What it cannot give is kept from the stored case.
    carries: frozenset[str] | None = None

    def where(self, path: str) -> str:
        """File, record and field of a problem found at a case-file path."""
        return self.place(self.fields.get(path) or _csv_field(path, self.fields) or path)

    def place(self, field: str) -> str:
        """File, record and `field` ("h.csv, row 3, caseworker"), the record named once."""
        parts = [self.source, self.label]
        if field:
            # A one-row CSV record's field already starts with its row ("row 3, birth_date").
            parts[-1:] = [field] if field.startswith(f"{self.label}, ") else [self.label, field]
        return ", ".join(parts)


@attrs.frozen
class Assignment:
    """One row of an assignments CSV."""

    source: str
    label: str
    case_id: str
    caseworker: str


def _csv_field(path: str, fields: dict[str, str]) -> str | None:
    # events[2].reason -> the mapping for events[2] plus the column of the field
    head, dot, tail = path.partition(".")
    base = fields.get(head)
    if base and dot:
        return f"{base}, event_{tail.split('.')[0]}"
    return base


#: What `cases import` reads, as a refusal of something else names it.
IMPORTED = "a case file (.json, .jsonl) or a CSV file"


def _refused_at(exc: InputError) -> str:
    """The label of a file the JSON reader refused: where its first problem is, or "file"."""
    where = exc.problems[0].where if exc.problems else ""
    return where if where and where != "$" else "file"


def _refused(exc: InputError, named: str, own: str) -> tuple[Problem, ...]:
    """The JSON reader's refusal of `named` (a file, or a line of a JSON Lines file) as the
    problems of the record labelled `own`: the one wording for a .json file, a .jsonl line
    and a record of a streamed array ("line 4, column 2: not valid JSON: Expecting value").

    What the reader found the text not to be (`parse_json`: "not valid JSON", "not UTF-8
    text") comes before each problem; a refusal that says it whole (too large) does not
    need it. A problem's place loses what the label already says (`own`; "$": the whole).
    """
    said = exc.message.removeprefix(f"{named} is ")
    said = said if said != exc.message and said.startswith("not ") else ""
    if not exc.problems:
        return (Problem("", said or exc.message),)
    return tuple(
        Problem(
            "" if p.where in (own, "$") else p.where.removeprefix(own).lstrip(", "),
            f"{said}: {p.what}" if said else p.what,
            p.fix,
        )
        for p in exc.problems
    )


def _unreadable(source: str, exc: InputError) -> Record:
    """A file that cannot be read at all (not a regular file, too large) as a rejected record."""
    return Record(
        source,
        "file",
        problems=tuple(Problem("", p.what, p.fix) for p in exc.problems)
        or (Problem("", exc.message),),
    )


def files_in(paths: tuple[str, ...] | list[str]) -> list[Path]:
    """Every .json and .csv file named or inside the named folders, in a stable order."""
    found: list[Path] = []
    problems: list[Problem] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in (".json", ".csv", *JSON_LINES)
            )
            if not inside:
                problems.append(
                    Problem(
                        str(path),
                        f"no {', '.join(('.json', *JSON_LINES))} or .csv files in this folder",
                        "export the cases as case files (.json), JSON Lines or CSV",
                    )
                )
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        elif path.exists():  # a device, a named pipe, a socket: said as input_files says it
            try:
                check_input(path, expected=IMPORTED)
            except InputError as exc:
                problems.extend(exc.problems)
        else:
            problems.append(Problem(str(path), "no such file or folder", "check the path"))
    if problems:
        raise InputError("cannot import", problems)
    return found


def read_records(paths: list[Path]) -> Iterator[Record | Assignment]:
    """Yield records from case files and CSV files, one at a time."""
    for path in paths:
        if path.suffix.lower() == ".csv":
            yield from _csv_records(path)
        else:
            yield from _json_records(path)


#: A .json file larger than this is read record by record (`jsonio.iter_records`), never
#: whole; a smaller one is read whole, so its messages give line and column in the file.
STREAM_BYTES = 16 << 20
#: Case files in JSON Lines: one case document a line, always read line by line.
JSON_LINES = (".jsonl", ".ndjson")


def _streamed_records(path: Path) -> Iterator[Record]:
    """The records of a JSON Lines file or a large JSON array, one at a time (flat memory)."""
    source = str(path)
    lines = path.suffix.lower() in JSON_LINES
    try:
        for number, line, value in iter_records(path, source=source):
            if isinstance(value, InputError):
                label = f"line {line}" if lines else f"record {number}"
                # The record is named by the label: its problems say where inside it.
                named, own = (f"{source}, line {line}", "line 1") if lines else (source, label)
                yield Record(source, label, problems=_refused(value, named, own))
                continue
            label = _label(number, value)
            if lines:  # in JSON Lines a record is a line: named by it, as an editor shows it
                label = label.replace("record", "line", 1)
            yield Record(source, label, value)
    except InputError as exc:  # the file is broken between records: as a whole-file read says
        label = _refused_at(exc)
        yield Record(source, label, problems=_refused(exc, source, label)[:1])
    except OSError as exc:
        yield Record(source, "file", problems=(Problem("", f"cannot be read ({exc})"),))


def _json_records(path: Path) -> Iterator[Record]:
    source = str(path)
    try:
        check_input(path, expected=IMPORTED)
        if path.suffix.lower() in JSON_LINES or path.stat().st_size > STREAM_BYTES:
            yield from _streamed_records(path)
            return
        raw = read_input(path, expected=IMPORTED)
    except InputError as exc:
        yield _unreadable(source, exc)
        return
    except OSError as exc:
        yield Record(source, "file", problems=(Problem("", f"cannot be read ({exc})"),))
        return
    try:
        data = parse_json(raw, source=source)
    except InputError as exc:
        label = _refused_at(exc)
        yield Record(source, label, problems=_refused(exc, source, label))
        return
    if isinstance(data, list):
        for i, item in enumerate(data, start=1):
            yield Record(source, _label(i, item), item)
    else:
        yield Record(source, _label(1, data), data)


def _label(number: int, data: Any) -> str:
    """`record 2 (MO-0002)`: messages name the record and its case id, never personal data."""
    case_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(case_id, str) and 0 < len(case_id) <= 64 and first_unsafe(case_id) is None:
        return f"record {number} ({case_id})"
    return f"record {number}"


def _csv_records(path: Path) -> Iterator[Record | Assignment]:
    source = str(path)
    try:
        handle = open_text(path, expected=IMPORTED, newline="", encoding="utf-8-sig")
    except InputError as exc:
        yield _unreadable(source, exc)
        return
    except OSError as exc:
        yield Record(source, "file", problems=(Problem("", f"cannot be read ({exc})"),))
        return
    with handle:
        try:
            reader = CsvRecords(source, handle)  # each record bounded (input_files)
            header = [h.strip() for h in next(reader, None) or []]
            if tuple(header) == ASSIGNMENT_COLUMNS:
                yield from _assignment_rows(source, reader)
                return
            for sep in (";", "\t"):
                if len(header) == 1 and sep in header[0]:
                    shown = "tab" if sep == "\t" else repr(sep)
                    yield Record(
                        source,
                        "header",
                        problems=(
                            Problem(
                                "",
                                f"the columns are separated by {shown}",
                                "save the file comma-separated",
                            ),
                        ),
                    )
                    return
            unknown = [h for h in header if h not in CSV_COLUMNS]
            missing = [h for h in ("case_id", "birth_date") if h not in header]
            if unknown or missing:
                problems = [
                    Problem(
                        f"column {h!r}",
                        "unknown column",
                        did_you_mean(h, CSV_COLUMNS) or f"columns are: {', '.join(CSV_COLUMNS)}",
                    )
                    for h in unknown
                ] + [Problem(f"column {h!r}", "required column missing") for h in missing]
                yield Record(source, "header", problems=tuple(problems))
                return
            groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
            bad: list[Record] = []
            for row in reader.dicts(header):
                line = reader.line_num
                if None in row:
                    bad.append(_too_many_fields(source, f"row {line}", row, len(header)))
                    continue
                row = {k: (v or "").strip() for k, v in row.items()}
                if not any(row.values()):
                    continue
                if not row.get("case_id"):
                    bad.append(
                        Record(
                            source,
                            f"row {line}",
                            problems=(Problem("case_id", "required but empty"),),
                        )
                    )
                    continue
                groups.setdefault(row["case_id"], []).append((line, row))
        except csv.Error as exc:
            yield Record(source, "file", problems=(Problem("", f"not valid CSV: {exc}"),))
            return
        except InputError as exc:  # a record too large to read: the file is refused by it
            first = exc.problems[0]
            label = first.where.removeprefix(f"{source}, ")
            yield Record(source, label, problems=(Problem("", first.what, first.fix),))
            return
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start : exc.start + 1].hex()
            yield Record(
                source,
                "file",
                problems=(
                    Problem(
                        "",
                        f"not UTF-8 text (byte 0x{byte} cannot be decoded)",
                        'save it as "CSV UTF-8" or convert it to UTF-8',
                    ),
                ),
            )
            return
    yield from bad
    for rows in groups.values():
        yield _case_from_rows(source, rows)


def _too_many_fields(source: str, label: str, row: dict, columns: int) -> Record:
    """A CSV row with more fields than the header has columns, refused with what it holds
    (the rejects file keeps it to mend): its named fields and the extra ones in order."""
    extra = list(row.get(None) or ())
    data = {k: v for k, v in row.items() if k is not None}
    data["extra_fields"] = extra
    return Record(
        source,
        label,
        data=data,
        problems=(
            Problem(
                "",
                f"more fields than columns ({columns + len(extra)} fields, {columns} columns)",
                "a comma inside a value needs the value in double quotes; or remove the extra "
                "fields",
            ),
        ),
    )


def _assignment_rows(source: str, reader: CsvRecords) -> Iterator[Record | Assignment]:
    for row in reader.dicts(ASSIGNMENT_COLUMNS):
        label = f"row {reader.line_num}"
        case_id = (row.get("case_id") or "").strip()
        worker = (row.get("caseworker") or "").strip()
        if None in row:
            yield _too_many_fields(source, label, row, len(ASSIGNMENT_COLUMNS))
        elif not case_id or not worker:
            yield Record(
                source,
                label,
                problems=(
                    Problem("case_id" if not case_id else "caseworker", "required but empty"),
                ),
            )
        else:
            yield Assignment(source, label, case_id, worker)


def _case_from_rows(source: str, rows: list[tuple[int, dict[str, str]]]) -> Record:
    first_line, first = rows[0]
    label = f"row {first_line}" if len(rows) == 1 else f"rows {first_line}-{rows[-1][0]}"
    problems: list[Problem] = []
    case_values: dict[str, str] = {}
    for line, row in rows:
        for column in CASE_COLUMNS:
            value = row.get(column, "")
            if not value:
                continue
            if column in case_values and case_values[column] != value:
                personal = column in ("child_name", "birth_date")  # never quoted in a message
                problems.append(
                    Problem(
                        f"row {line}, {column}",
                        "differs from an earlier row of this case"
                        if personal
                        else f"{value!r} differs from {case_values[column]!r} on an earlier row "
                        "of this case",
                        "give case columns once or repeat the same value",
                    )
                )
            case_values.setdefault(column, value)
    worker = case_values.get("caseworker")
    if worker and (found := text_problem(worker)) is not None:
        problems.append(Problem(f"row {first_line}, caseworker", *found))
    fields = {
        "id": f"row {first_line}, case_id",
        "child.birth_date": f"row {first_line}, birth_date",
        "child.name": f"row {first_line}, child_name",
        "child.gestational_age_weeks": f"row {first_line}, gestational_age_weeks",
        "ruleset": f"row {first_line}, ruleset",
        "district": f"row {first_line}, district",
        "child": f"row {first_line}, birth_date",
    }
    child: dict[str, Any] = {"birth_date": case_values.get("birth_date", "")}
    if case_values.get("child_name"):
        child["name"] = case_values["child_name"]
    if case_values.get("gestational_age_weeks"):
        text = case_values["gestational_age_weeks"]
        # ASCII digits only: "²" or "٣١" stay text, and the model says they are not a number.
        child["gestational_age_weeks"] = int(text) if text.isascii() and text.isdigit() else text
    data: dict[str, Any] = {"id": case_values.get("case_id", ""), "child": child}
    for key in ("ruleset", "district"):
        if case_values.get(key):
            data[key] = case_values[key]
    if case_values.get("program"):
        data["enrolments"] = [{"program": case_values["program"]}]
        fields["enrolments"] = fields["enrolments[0].program"] = f"row {first_line}, program"
    events: list[dict[str, str]] = []
    for line, row in rows:
        if not row.get("event_type") and not row.get("event_date"):
            given = [c for c in EVENT_COLUMNS[2:] if row.get(c)]
            if given:  # event details without an event: never dropped silently
                problems.append(
                    Problem(
                        f"row {line}, {given[0]}",
                        "given, but the row has no event_type and event_date",
                        "fill in event_type and event_date, or leave the event columns empty",
                    )
                )
            continue
        event = {"type": row.get("event_type", ""), "date": row.get("event_date", "")}
        for column in EVENT_COLUMNS[2:]:
            if row.get(column):
                event[column.removeprefix("event_")] = row[column]
        fields[f"events[{len(events)}]"] = f"row {line}"
        events.append(event)
    data["events"] = events
    if problems:
        return Record(source, label, problems=tuple(problems))
    return Record(
        source,
        label,
        data,
        caseworker=case_values.get("caseworker"),
        fields=fields,
        carries=CSV_CARRIES,
    )
