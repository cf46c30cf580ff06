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


def write_csv(records: list[dict[str, Any]], fields: tuple[str, ...] | list[str]) -> None:
    """Write records as CSV to stdout, one column per field, through the one CSV writer."""
    click.echo(csv_text(records, list(fields)), nl=False)


def emit(fmt: str, records: list[dict[str, Any]], fields, table) -> None:
    """The one way a listing prints: JSON or CSV of `fields`, else `table()` for people.

    Every command that lists goes through here, `print_table` and `write_csv`, so
    what is done to data before it reaches a terminal or a spreadsheet is done in
    one place for all of them.
    """
    if fmt == "json":
        echo_json([{k: r.get(k) for k in fields} for r in records])
    elif fmt == "csv":
        write_csv(records, fields)
    else:
        table()


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`, `0 cases`: a count with a noun that takes -s."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def is_terminal() -> bool:
    """True when stdout is a terminal: rich tables and colour, else plain text."""
    return sys.stdout.isatty()


def table_console(width: int | None = None):
    """The rich console tables print to: stdout, at the terminal's width (or `width`)."""
    from rich.console import Console

    return Console(width=width, highlight=False)


def _fits(widths: list[int], width: int) -> bool:
    # rich's default box: one space of padding either side and one rule per column, plus one.
    return sum(w + 3 for w in widths) + 1 <= width


def print_table(
    headers: list[str],
    rows: list[list[str]],
    *,
    styles: list[str | None] | None = None,
    title: str | None = None,
    keep: tuple[int, ...] = (0, 1, 2),
    drop: tuple[int, ...] = (),
    console=None,
) -> None:
    """Aligned columns: rich with colour on a terminal, plain text when piped.

    On a terminal the table fits the console's width: the `keep` columns (a
    due date, days, a case id, a clock) are never shortened or wrapped; the
    others wrap at word boundaries, and when even that does not fit, the
    `drop` columns are left out, least useful first (a note says which). Piped
    output is plain, complete and as wide as its longest cell.
    """
    # One escaper for everything shown: data never carries control characters or markup.
    title = safe(title) if title else None
    headers = [safe(h) for h in headers]
    rows = [[safe(c) for c in row] for row in rows]
    if console is None and not is_terminal():
        if title:
            click.echo(title)
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
        click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        for row in rows:
            click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        return
    from rich.table import Table
    from rich.text import Text

    console = console or table_console()
    shown = list(range(len(headers)))

    def need(i: int) -> int:
        cells = [headers[i], *(r[i] for r in rows)]
        if i in keep:
            return max(len(c) for c in cells)
        # A wrapping column needs its longest word, and at least 12 characters.
        longest = max((len(w) for c in cells for w in c.split()), default=0)
        return min(max(longest, 12), max(len(c) for c in cells))

    dropped = []
    for i in drop:
        if _fits([need(j) for j in shown], console.width):
            break
        shown.remove(i)
        dropped.append(headers[i])
    # Text, never a markup string: "[bold]" or "[link=...]" in a name is printed as written.
    table = Table(
        title=Text(title) if title else None,
        show_lines=False,
        header_style="bold",
        title_justify="left",
    )
    for i in shown:
        if i in keep:
            table.add_column(Text(headers[i]), no_wrap=True, min_width=need(i))
        else:
            table.add_column(Text(headers[i]), overflow="fold")
    for n, row in enumerate(rows):
        table.add_row(*(Text(row[i]) for i in shown), style=(styles[n] if styles else None))
    console.print(table)
    if dropped:
        console.print(
            f"({', '.join(dropped)} left out to fit {console.width} columns; "
            "a wider terminal, or --format csv, shows every column)",
            style="dim",
            highlight=False,
        )


def progress_reporter(label: str):
    """A progress bar on stderr while a long job runs, only on a terminal.

    A context manager yielding `advance(done, total)`; a no-op when stderr is
    not a terminal (piped, in scripts and tests), so output stays plain.
    """
    import contextlib

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)

    @contextlib.contextmanager
    def bar():
        if not console.is_terminal:
            yield lambda done, total: None
            return
        with Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(label, total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            yield advance

    return bar()


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
