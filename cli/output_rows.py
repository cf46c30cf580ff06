"""How a listing prints its rows for programs: JSON, JSON Lines and CSV, written as they come.

`emit` is the one way a listing prints; json, jsonl and csv go through the writers
here (every CSV cell through `csv_cell`, cli/output.py `CsvWriter`), a table through the
command's own `table()`.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from json.encoder import c_make_encoder
from json.encoder import encode_basestring_ascii as _encode_text
from typing import Any

from .output import CsvWriter

#: Rows written between two flushes of a streamed listing (the first row goes at once).
STREAM_BATCH = 1000


class _Stream:
    """Text written to stdout in batches: the first piece at once, then every STREAM_BATCH."""

    def __init__(self) -> None:
        self.out = sys.stdout  # looked up now: a test runner may have replaced it
        self.parts: list[str] = []
        self.first = True

    def write(self, text: str) -> None:
        self.parts.append(text)
        if self.first or len(self.parts) >= STREAM_BATCH:
            self.flush()
            self.first = False

    def flush(self) -> None:
        if self.parts:
            self.out.write("".join(self.parts))
            self.parts = []
        self.out.flush()


def _encoder(item_separator: str):
    """`json.dumps`'s own C encoder (ASCII, `": "` after a key) made once, not once per row;
    None where the C accelerator is missing (then `json.dumps` writes every row)."""
    if c_make_encoder is None:
        return None
    plain = json.JSONEncoder()
    return c_make_encoder(
        None, plain.default, _encode_text, None, ": ", item_separator, False, False, True
    )


#: One compact row, as `json.dumps(row)` writes it.
_LINE = _encoder(", ")
#: One row of an indented array: ASCII JSON holds no raw newline inside a string, so the
#: separator between items is where `json.dumps(rows, indent=2)` breaks the line.
_INDENTED = _encoder(",\n    ")


def _record(record: Mapping[str, Any], fields: tuple[str, ...]) -> Mapping[str, Any]:
    """`record` with exactly `fields`, in order (itself when it is already so: a listing's rows)."""
    if type(record) is dict and tuple(record) == fields:
        return record
    return {k: record.get(k) for k in fields}


def _json_row(record: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """One element of an indented JSON array, exactly as `json.dumps(rows, indent=2)` writes it."""
    row = _record(record, fields)
    if _INDENTED is not None and row:
        text = _INDENTED(row, 0)[0]
        if "{" not in text[1:] and "[" not in text:  # no list or object inside: one level
            return "  {\n    " + text[1:-1] + "\n  }"
    # A list or an object as a value (or no accelerator): the encoder's own indentation.
    return "  " + json.dumps(dict(row), indent=2).replace("\n", "\n  ")


def write_json_rows(records: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """Rows as one indented JSON array of `fields`, written as they come (same bytes as
    `echo_json` of the whole list, so a reader cannot tell it was streamed)."""
    fields = tuple(fields)
    out = _Stream()
    count = 0
    for record in records:
        out.write(("[\n" if count == 0 else ",\n") + _json_row(record, fields))
        count += 1
    out.write("\n]\n" if count else "[]\n")
    out.flush()


def write_json_lines(records: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """Rows as JSON Lines (one compact JSON object of `fields` per line), written as they come."""
    fields = tuple(fields)
    out = _Stream()
    line = (lambda row: _LINE(row, 0)[0]) if _LINE is not None else json.dumps
    for record in records:
        out.write(line(_record(record, fields)) + "\n")
    out.flush()


def write_lines(lines: Iterable[str]) -> None:
    """Lines of text made elsewhere (a listing's stored JSON Lines), written as they come."""
    out = _Stream()
    for line in lines:
        out.write(line + "\n")
    out.flush()


def write_csv(records: Iterable[Mapping[str, Any]], fields: tuple[str, ...] | list[str]) -> None:
    """Write records as CSV to stdout, one column per field, through the one CSV writer.

    Written as they come, in batches (the header and first row at once, then every
    STREAM_BATCH rows): a listing of the whole caseload never waits for its last row,
    nor holds every row in memory.
    """
    out = sys.stdout
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(fields)
    row = writer.writerow
    count = 0
    for record in records:
        get = record.get
        row([get(c) for c in fields])
        count += 1
        if count == 1 or count % STREAM_BATCH == 0:
            out.write(buffer.getvalue())
            out.flush()
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue())
    out.flush()


#: The --format choices a listing can stream: every row as it is read.
STREAM_FORMATS = ("json", "jsonl", "csv")


def emit(fmt: str, records: Iterable[Mapping[str, Any]], fields, table) -> None:
    """The one way a listing prints: JSON, JSON Lines or CSV of `fields`, else `table()`.

    Every command that lists goes through here, `print_table` and `write_csv`, so
    what is done to data before it reaches a terminal or a spreadsheet is done in
    one place for all of them. `records` may be an iterator: json, jsonl and csv
    are written as the rows come.
    """
    if fmt == "json":
        write_json_rows(records, fields)
    elif fmt == "jsonl":
        write_json_lines(records, fields)
    elif fmt == "csv":
        write_csv(records, fields)
    else:
        table()
