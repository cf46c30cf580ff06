"""The one opener of the files a person gives eirules to read: ordinary files, of bounded size.

Every case file, caseload import, CSV, calendar and audit anchor is opened here, and
standard input (`-`) is read here; so is every file of a ruleset folder (the loader's
TOML files, a ruleset's school calendar, its tests; `--rulesets-dir`,
$EIRULES_RULESETS_PATH and plugins' folders alike: core/rulesets/files.py) and every
stored district calendar (core/calendars.py). Two kinds of input cannot hang or
exhaust the machine whichever command is given them:

- Anything that is not a regular file is refused before it is read, naming the file,
  what it is and what was expected: a folder; a device (``/dev/zero`` never ends, so
  reading it grew to gigabytes); a named pipe (opening one nobody writes to waits
  for ever, so it is opened without waiting and looked at first); a socket. A case
  sent through a pipe goes on standard input instead (``eirules check - < FILE``).
  A file eirules found in a folder itself (`found_in`) is named with that folder:
  the fix is to move it out, or put the file it should be in its place.
- A file read whole, and standard input, may hold at most `MAX_INPUT_BYTES` (32 MiB,
  the HTTP API's largest request body too). A case file is a few kilobytes; a larger
  file is a caseload, which ``eirules cases import`` reads record by record (JSON
  Lines, or a JSON array), each record up to the same size. The size is checked
  before reading, and the read itself stops one byte past the limit, so a file that
  grows while it is read is refused too.
- A CSV file is read record by record (`CsvRecords`, for every CSV reader of a
  person's file: `cases import`, `calendars import`, the MTSS and plan CSVs), and one
  record may hold at most `MAX_CSV_RECORD` characters: one enormous line (a file that
  is not CSV, a quote left open) is refused by its line before it is held whole.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from .errors import InputError, Problem
from .private_files import kind_of

#: The most bytes eirules reads as one document: a file read whole, standard input,
#: or one record of a caseload file read record by record.
MAX_INPUT_BYTES = 32 << 20
#: What a refusal for size tells the person to do.
TOO_LARGE_FIX = (
    "a case file is a few kilobytes: for many cases write one case a line (JSON Lines, "
    ".jsonl) and load it with `eirules cases import`, which reads it record by record"
)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def megabytes(size: int) -> str:
    """A size as the limit is written: "32 MiB" (whole mebibytes), else in bytes."""
    return f"{size >> 20} MiB" if size % (1 << 20) == 0 else f"{size:,} bytes"


#: What a refusal of one oversized record of a caseload file tells the person to do.
RECORD_FIX = (
    "a case record is a few kilobytes: check the file was exported with one case a record "
    "(a JSON array, or JSON Lines: one case a line)"
)


def too_large(
    source: str, size: int | None = None, *, fix: str = TOO_LARGE_FIX, where: str | None = None
) -> InputError:
    """The refusal of an input over `MAX_INPUT_BYTES` (`size`: its size, when known;
    `where`: the problem's place, the source itself unless given)."""
    limit = f"the limit of {megabytes(MAX_INPUT_BYTES)}"
    if not limit.endswith(" bytes"):
        limit += f" ({MAX_INPUT_BYTES:,} bytes)"
    found = f"{size:,} bytes, over {limit}" if size is not None else f"more than {limit}"
    return InputError(
        f"{source} is larger than {megabytes(MAX_INPUT_BYTES)}, the most eirules reads as one "
        "document",
        [Problem(source if where is None else where, found, fix)],
    )


def _not_regular(
    path: Path, mode: int, expected: str, dash: bool = False, found_in: str | None = None
) -> InputError:
    kind = kind_of(mode) or "not a regular file"
    if found_in is not None:  # found in a folder eirules reads, not a path the person gave
        fix = f"move it out of {found_in}, or put {expected} in its place"
    elif kind == "a folder":
        fix = f"give {expected} inside it"
    elif kind == "a named pipe":
        fix = f"save what it sends as {expected} and give that file's path" + (
            ", or give - and send it to standard input (eirules check - < FILE)" if dash else ""
        )
    else:
        fix = f"give the path of {expected}"
    return InputError(f"{path} is {kind}, not {expected}", [Problem(str(path), kind, fix)])


def _missing(path: Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file", [Problem("", "check the path")])
    return InputError(f"{path}: cannot be read ({exc.strerror or exc})")


def check_input(
    path: str | Path, *, expected: str = "a file", dash: bool = False, found_in: str | None = None
) -> None:
    """Raise InputError unless `path` names a regular file that exists (links followed);
    `dash`: the command reads standard input for `-`, and the message says so;
    `found_in`: the folder it was found in ("the ruleset folder rs"), when eirules
    looked there itself, so the fix is to replace it or move it out."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _missing(path, exc) from None
    except ValueError:  # a NUL byte in the path: no file can have that name
        raise InputError(
            f"{str(path)!r} is not a file name",
            [Problem("", "it holds a NUL byte", "check the path")],
        ) from None
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode, expected, dash, found_in)


def open_input(
    path: str | Path, *, expected: str = "a file", found_in: str | None = None
) -> BinaryIO:
    """Open a regular file for reading (binary); InputError for anything else.

    `expected` says what the command reads there ("a case file"), for the message.
    The file is opened without waiting (a named pipe does not block) and checked
    again once open, so a file swapped for a pipe or a device in between is refused.
    """
    path = Path(path)
    check_input(path, expected=expected, found_in=found_in)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise _missing(path, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode, expected, found_in=found_in)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def open_text(path: str | Path, *, expected: str = "a file", **options) -> io.TextIOWrapper:
    """`open_input` as text (`options`: encoding, newline, as for `open`)."""
    return io.TextIOWrapper(open_input(path, expected=expected), **options)


def read_input(
    path: str | Path,
    *,
    expected: str = "a file",
    fix: str = TOO_LARGE_FIX,
    found_in: str | None = None,
) -> bytes:
    """The bytes of a regular file of at most `MAX_INPUT_BYTES`; InputError otherwise
    (`fix`: what a refusal for size says to do; `found_in` as for `check_input`)."""
    path = Path(path)
    with open_input(path, expected=expected, found_in=found_in) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_INPUT_BYTES:
            raise too_large(str(path), size, fix=fix)
        data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:  # it grew while it was read
        raise too_large(str(path), fix=fix)
    return data


def read_text(
    path: str | Path,
    *,
    expected: str = "a file",
    fix: str = TOO_LARGE_FIX,
    found_in: str | None = None,
    encoding: str = "utf-8",
) -> str:
    """`read_input` decoded, its line ends read as `Path.read_text` reads them (universal
    newlines); UnicodeDecodeError as that raises it. For the TOML files of rulesets and
    district calendars, which were read with `read_text`."""
    text = read_input(path, expected=expected, fix=fix, found_in=found_in).decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def read_stdin(*, fix: str = TOO_LARGE_FIX) -> bytes:
    """Standard input, read to its end but never past `MAX_INPUT_BYTES`."""
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise too_large("standard input", fix=fix)
    return data


# CSV records -----------------------------------------------------------------------------

#: The most characters one CSV record may hold (a row, with the lines a quoted cell's
#: line breaks join to it). The widest record eirules reads is a case row of `cases
#: import`: 17 columns of at most 4,000 characters each (`text.MAX_TEXT`, refused past
#: that wherever text enters a caseload), 68,016 characters with the commas and 68,050
#: with every cell quoted, so 128 Ki characters holds the fullest real row about twice.
#: It is also the csv module's own limit for one cell (`csv.field_size_limit()`), so a
#: cell too long for the module is always refused here first, with this message.
MAX_CSV_RECORD = 128 << 10
#: What a refusal of an oversized CSV record tells the person to do.
CSV_RECORD_FIX = (
    "a CSV row is a few hundred characters: check that the file is CSV (not another file "
    "named .csv) and that no cell opens a quote it does not close, which joins the lines "
    "after it into one record"
)


def csv_record_too_large(source: str, line: int) -> InputError:
    """The refusal of a CSV record over `MAX_CSV_RECORD` characters, starting on `line`."""
    limit = f"{MAX_CSV_RECORD:,} characters"
    return InputError(
        f"{source}: the record on line {line} is longer than {limit}, the most eirules "
        "reads as one CSV record",
        [Problem(f"{source}, line {line}", f"more than the limit of {limit}", CSV_RECORD_FIX)],
    )


class CsvRecords:
    """The records of CSV text, as `csv.reader` gives them, each refused past
    `MAX_CSV_RECORD` characters before it is held whole (`csv_record_too_large`,
    naming the line the record starts on).

    `lines`: a text file opened with newline="" (read with a bounded `readline`, so one
    enormous line is never read whole), or lines already in memory (a bounded file's
    `splitlines()`). `line_num` is `csv.reader`'s: the last line of the record read.
    """

    def __init__(self, source: str, lines: TextIO | Iterable[str]):
        self.source = source
        self._used = 0  # characters of the record being read
        self._start = 1  # its first line
        self._reader = csv.reader(self._bounded(lines))

    @property
    def line_num(self) -> int:
        return self._reader.line_num

    def _bounded(self, lines: TextIO | Iterable[str]) -> Iterator[str]:
        limit = MAX_CSV_RECORD
        readline = getattr(lines, "readline", None)
        # At most one character past what the record may still hold, never the line whole.
        feed = iter(lambda: readline(limit - self._used + 1), "") if readline else lines
        for line in feed:
            if self._used == 0:
                self._start = self._reader.line_num + 1
            self._used += len(line)
            if self._used > limit:
                raise csv_record_too_large(self.source, self._start)
            yield line

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        row = next(self._reader)
        self._used = 0
        return row

    def dicts(self, fieldnames: Sequence[str]) -> Iterator[dict[Any, Any]]:
        """The records left, as `csv.DictReader` gives them: a blank line skipped, the
        cells past `fieldnames` as a list under None, a missing cell None."""
        for row in self:
            if not row:
                continue
            record: dict[Any, Any] = dict(zip(fieldnames, row, strict=False))
            if len(row) > len(fieldnames):
                record[None] = row[len(fieldnames) :]
            for name in fieldnames[len(row) :]:
                record[name] = None
            yield record


__all__ = [
    "MAX_CSV_RECORD",
    "MAX_INPUT_BYTES",
    "CsvRecords",
    "check_input",
    "csv_record_too_large",
    "open_input",
    "open_text",
    "read_input",
    "read_stdin",
    "read_text",
    "too_large",
]
