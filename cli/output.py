"""How commands print: JSON for other programs, aligned tables, text and CSV for people.

Everything a command prints for people goes through two mechanisms here, so a
value in the data (a child's name, a case id, a caseworker) cannot attack the
person or program reading the output:

- `safe` shows control characters (ESC, OSC, newline, ...) and bidirectional
  overrides as visible escapes (``\\x1b``, ``\\n``, ``\\u202e``), and tables on a
  terminal are built from rich `Text`, so markup such as ``[bold]`` in data is
  printed as written, never interpreted.
- `csv_cell` neutralises a CSV cell that a spreadsheet would run as a formula
  (one beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage return) by
  putting a ``'`` before it; numbers stay numbers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.text import UNSAFE as _UNSAFE  # controls and bidi: never printed raw

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: First characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: Any) -> str:
    """One value as text with every control and bidi character shown as a visible escape."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_visible, text)


def safe_lines(text: str) -> str:
    """Text of several lines the program wrote: each line made safe, the line breaks kept."""
    return "\n".join(safe(line) for line in text.split("\n"))


def echo(text: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo for text for people: controls and bidi characters in it shown as escapes."""
    click.echo(safe_lines(text if isinstance(text, str) else str(text)), err=err, nl=nl)


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: a leading `'` before a formula-like text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header, every text cell through `csv_cell` (the one CSV writer)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def echo_json(data: Any) -> None:
    """Write `data` to stdout as indented JSON (every command's --format json).

    JSON escapes control characters itself; non-ASCII is kept as \\u escapes, so a
    bidi override in data cannot reorder what a terminal shows.
    """
    click.echo(json.dumps(data, indent=2))


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`, `0 cases`: a count with a noun that takes -s."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_terminal() -> bool:
    """True when stdout is a terminal: rich tables and colour, else plain text."""
    return sys.stdout.isatty()


def print_table(
    headers: list[str],
    rows: list[list[str]],
    *,
    styles: list[str | None] | None = None,
    title: str | None = None,
) -> None:
    """Aligned columns: rich with colour on a terminal, plain text when piped."""
    if is_terminal():
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        # Text, never a markup string: "[bold]" or "[link=...]" in a name is printed as written.
        table = Table(
            title=Text(safe(title)) if title else None, show_lines=False, header_style="bold"
        )
        for i, header in enumerate(headers):
            # Keys (date, days, case id) never wrap; names and citations may.
            table.add_column(Text(safe(header)), no_wrap=i < 3)
        for i, row in enumerate(rows):
            table.add_row(*(Text(safe(c)) for c in row), style=(styles[i] if styles else None))
        Console().print(table)
        return
    if title:
        click.echo(safe(title))
    headers = [safe(h) for h in headers]
    rows = [[safe(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def write_private(path: str | Path, text: str) -> None:
    """Write `text` to `path` readable and writable by the owner only (0600), all or nothing.

    For files that hold children's records (the rejects file): written to a
    temporary file beside it and renamed, so a failure leaves no half-written file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_writable(path: str | Path, option: str, *, folder: bool = False) -> None:
    """Refuse an output file (or, with `folder`, a folder to create) that cannot be written.

    Called before any work is done, so a bad --out or --html costs nothing and
    leaves nothing half-written. Exit status 2 (InputError).
    """
    path = Path(path)
    if folder:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            fix = f"{existing} is a file, not a folder; choose another folder"
        elif not os.access(existing, os.W_OK | os.X_OK):
            fix = f"no permission to write in {existing}; choose another folder"
        else:
            return
        raise InputError(f"cannot write into {path}", [Problem(option, fix)])
    parent = path.parent
    if not parent.is_dir():
        fix = f"the folder {parent} does not exist; create it or choose another file"
    elif path.is_dir():
        fix = "it is a folder; give a file name"
    elif not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        fix = "no permission to write there; choose another file"
    else:
        return
    raise InputError(f"cannot write {path}", [Problem(option, fix)])
