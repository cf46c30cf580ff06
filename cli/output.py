"""How commands print: JSON for other programs, aligned tables, text and CSV for people.

Everything a command prints for people goes through two mechanisms here, so a
value in the data (a child's name, a case id, a caseworker) cannot attack the
person or program reading the output:

- `safe` shows control characters (ESC, OSC, newline, ...) and bidirectional
  overrides as visible escapes (``\\x1b``, ``\\n``, ``\\u202e``), and tables on a
  terminal are built from rich `Text`, so markup such as ``[bold]`` in data is
  printed as written, never interpreted.
- `CsvWriter`, the one CSV writer, puts every cell through `csv_cell`: controls and
  bidi characters shown as the same visible escapes, and a cell that a spreadsheet
  would run as a formula (one beginning with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return) neutralised by a ``'`` before it; numbers stay numbers.

HTML and SVG pages escape every value with `eirules.core.text.html_text`.

Beside this: output_tables.py (tables fitted to the reader's width),
output_rows.py (listings as json, jsonl and csv, `emit`) and output_options.py
(--format, --out FILE, --html and --pdf FILE).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

from eirules.core.text import visible  # controls and bidi: never printed raw

#: First characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> str:
    """One value as text with every control and bidi character shown as a visible escape."""
    return visible(value if isinstance(value, str) else str(value))


def safe_lines(text: str) -> str:
    """Text of several lines the program wrote: each line made safe, the line breaks kept."""
    return "\n".join(safe(line) for line in text.split("\n"))


def echo(text: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo for text for people: controls and bidi characters shown as escapes, and
    each line wrapped to the reader's width (`fit_lines`), the one wrapper for summary lines."""
    text = safe_lines(text if isinstance(text, str) else str(text))
    click.echo(fit_lines(text, output_width(err=err)), err=err, nl=nl)


#: The narrowest width text is wrapped to; below it a terminal wraps for itself.
MIN_WIDTH = 40
#: The widest prose (a determination's reasons) gets, however wide the terminal.
TEXT_WIDTH = 100


def output_width(*, err: bool = False) -> int | None:
    """The width people read at: $COLUMNS when set, else the terminal's; None when piped.

    The one width every command's text and tables fit (`echo`, `print_table`, the
    determination's wrapped text): piped output with no $COLUMNS is never wrapped
    or shortened, so a program reading it gets every line whole.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    stream = sys.stderr if err else sys.stdout
    with contextlib.suppress(AttributeError, ValueError, OSError):  # a closed or odd stream
        if stream.isatty():
            return max(MIN_WIDTH, shutil.get_terminal_size().columns)
    return None  # piped (or a stream that cannot say): never wrapped


def text_width() -> int:
    """The width prose wraps to: the reader's width up to TEXT_WIDTH (TEXT_WIDTH when piped)."""
    return min(TEXT_WIDTH, output_width() or TEXT_WIDTH)


def fit_lines(text: str, width: int | None) -> str:
    """Each line longer than `width` wrapped at spaces, continuing 2 columns further in.

    A word longer than the line is broken, never cut: every character is shown.
    Dates and ids keep their hyphens (no break after "-").
    """
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        out.extend(
            textwrap.wrap(
                line,
                width,
                subsequent_indent=" " * min(indent + 2, width // 2),
                break_on_hyphens=False,
            )
            or [line[:width]]
        )
    return "\n".join(out)


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run and that holds no control or bidi character:
    text `visible` (ESC, a line break, U+202E shown as ``\\x1b``, ``\\n``, ``\\u202e``;
    only the writer's own row separators break a line), then a leading `'` before a
    formula-like text. Numbers and None stay as they are; anything else is its text."""
    if value is None or type(value) in (int, float, bool):
        return value
    text = visible(value if isinstance(value, str) else str(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class CsvWriter:
    """The one CSV writer: `csv.writer` with every cell through `csv_cell`, rows ending in
    a line feed. Every CSV eirules writes (listings, reports, --out files) is made by it
    (tests/test_output_escaping.py finds no other `csv.writer`)."""

    def __init__(self, stream) -> None:
        self._row = csv.writer(stream, lineterminator="\n").writerow

    def writerow(self, cells: Iterable[Any]) -> None:
        self._row([csv_cell(c) for c in cells])


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV with a header (`CsvWriter`)."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c) for c in columns])
    return buffer.getvalue()


def echo_json(data: Any) -> None:
    """Write `data` to stdout as indented JSON (every command's --format json).

    JSON escapes control characters itself; non-ASCII is kept as \\u escapes, so a
    bidi override in data cannot reorder what a terminal shows.
    """
    click.echo(json.dumps(data, indent=2))


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`, `0 cases`, `2 audit entries`: a count with a regular noun."""
    if count == 1:
        return f"{count} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{count} {word[:-1]}ies"  # entry, entries; but day, days
    return f"{count} {word}s"


#: Warnings a command prints one by one; the rest are counted (an import of a whole
#: state's caseload must not bury its summary under them).
WARNINGS_SHOWN = 10


def echo_warnings(warnings: Sequence[tuple[str, str]], shown: int = WARNINGS_SHOWN) -> None:
    """`Warning: CASE: REASON` on stderr for each (case id, reason) a command's evaluation
    found new (`EvaluationReport.warnings`: an IFSP meeting dated before its referral, an
    evaluation before its consent, ...): the first `shown`, then how many more and where
    to see them. The one way every command that stores determinations says them."""
    for case_id, reason in warnings[:shown]:
        echo(f"Warning: {case_id}: {reason}", err=True)
    if len(warnings) > shown:
        cases = len({case_id for case_id, _ in warnings})
        echo(
            f"Note: {plural(len(warnings) - shown, 'more warning')} not shown ({len(warnings)} new "
            f"on {plural(cases, 'case')}); eirules indicators --check lists the event dates "
            "to check, eirules cases show ID --determination N a case's findings",
            err=True,
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
