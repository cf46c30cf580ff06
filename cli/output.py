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
import functools
import io
import json
import os
import re
import shutil
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from json.encoder import c_make_encoder
from json.encoder import encode_basestring_ascii as _encode_text
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import (
    refuse_unsafe_target,
    write_private,
)  # the one writer of children's files
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
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    row = writer.writerow
    count = 0
    for record in records:
        get = record.get
        row([csv_cell(get(c)) for c in fields])
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


#: Every --format name a command may offer: `table` is the one for people everywhere.
FORMATS = ("table", "json", "jsonl", "csv", "html")
#: Old names still accepted, never shown: scripts written for `--format text` keep working.
FORMAT_ALIASES = {"text": "table"}
_FORMAT_HELP = {
    "table": "table for people",
    "json": "json for other programs",
    "jsonl": "jsonl (JSON Lines: one row a line) for other programs",
    "csv": "csv for a spreadsheet",
    "html": "html for a browser",
}


class FormatChoice(click.Choice):
    """`--format`'s choices, also taking the hidden old name `text` for `table`."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            alias = FORMAT_ALIASES.get(value.lower())
            if alias in self.choices:
                value = alias
        return super().convert(value, param, ctx)


#: What every option naming a file to write says about links and devices (`refuse_unsafe_target`).
LINK_REFUSED = (
    "A FILE that is a symbolic link or not an ordinary file (a device, a pipe) is refused."
)


def format_option(*choices: str, help: str | None = None, out: bool = False):
    """`--format` into the `fmt` argument: the one option factory every command uses.

    `choices` are the formats the command offers, from FORMATS; `table` (the one
    for people, and the default) is always first. `--format text`, the old name,
    still means `table` but is shown nowhere (docs/cli.md says so once). With
    `out`, also `--out FILE`: what the command prints goes to FILE, readable by
    its owner only (`private_stdout`), for listings of children's records.
    """
    choices = tuple(dict.fromkeys(("table", *choices)))
    unknown = [c for c in choices if c not in FORMATS]
    if unknown:
        raise ValueError(f"unknown --format {unknown}; use some of {FORMATS}")
    option = click.option(
        "--format",
        "fmt",
        type=FormatChoice(list(choices)),
        default="table",
        show_default=True,
        help=help or ", ".join(_FORMAT_HELP[c] for c in choices) + ".",
    )
    if not out:
        return option

    def with_out(command):
        @functools.wraps(command)
        def run(*args, out_path=None, **kwargs):
            if out_path is None:
                return command(*args, **kwargs)
            check_writable(out_path, "--out")  # before any work is done
            with private_stdout(out_path):
                return command(*args, **kwargs)

        out_option = click.option(
            "--out",
            "out_path",
            metavar="FILE",
            type=click.Path(dir_okay=False),
            help="Write the listing to FILE (any --format), readable by you only (mode "
            "0600), instead of to the screen; a shell's `> FILE` makes a file anyone may read. "
            + LINK_REFUSED,
        )
        return option(out_option(run))

    return with_out


@contextlib.contextmanager
def private_stdout(path: str | Path) -> Iterator[None]:
    """What is printed to stdout inside goes to `path` instead, through `write_private`
    (0600, all or nothing), once it is all printed; nothing is written on a failure.

    A listing that ends with a non-zero exit status on purpose (a case that could
    not be evaluated is a row of its own) is complete, so it is written too.
    """
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    except click.exceptions.Exit:
        write_private(path, buffer.getvalue())
        raise
    write_private(path, buffer.getvalue())


def plural(count: int, word: str) -> str:
    """`1 case`, `2 cases`, `0 cases`, `2 audit entries`: a count with a regular noun."""
    if count == 1:
        return f"{count} {word}"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return f"{count} {word[:-1]}ies"  # entry, entries; but day, days
    return f"{count} {word}s"


def is_terminal() -> bool:
    """True when stdout is a terminal: rich tables and colour, else plain text."""
    return sys.stdout.isatty()


def table_console(width: int | None = None):
    """The rich console tables print to: stdout, at the terminal's width (or `width`)."""
    from rich.console import Console

    return Console(width=width, highlight=False)


#: Piped with no width, the widest value a column is padded to; a longer one pushes the rest
#: of its line on (one long value must not pad every row of a listing).
PIPED_PAD = 40


def column_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int | None,
    *,
    keep: Iterable[int] = (),
    drop: Iterable[int] = (),
    gap: int = 2,
    edge: int = 0,
) -> tuple[list[int], dict[int, int] | None]:
    """How a table fits `width`: (dropped columns, {column: width}, or None for blocks).

    The one layout every table uses, plain or rich. `gap` is what separates two
    columns and `edge` what a table adds at its sides. Columns in `keep` (a due
    date, days, a case id, a clock) are as wide as their longest cell (their header
    may wrap at a space); the others wrap at spaces, never inside a word. When
    that does not fit, the kept columns wrap at spaces too, as little as needed
    (a "151 late, excused" on two lines), before any column is left out; then the
    `drop` columns are left out, least useful first; when even that does not fit,
    None: the rows are printed as blocks (`record_lines`), so no word is ever
    broken. `width` None (piped): nothing wraps or is left out, and each column is
    padded to its widest value up to PIPED_PAD (`row_line`).
    """
    keep = set(keep)
    natural = {i: max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)}
    if width is None:
        return [], {
            i: max([len(h), *(len(r[i]) for r in rows if len(r[i]) <= PIPED_PAD)])
            for i, h in enumerate(headers)
        }

    def room(shown) -> int:
        return width - edge - gap * (len(shown) - 1)

    if sum(natural.values()) <= room(natural):
        return [], natural

    def longest_word(cells) -> int:
        return max((len(w) for c in cells for w in c.split()), default=0)

    floor, least = {}, {}
    for i, h in enumerate(headers):
        cells = [r[i] for r in rows]
        if i in keep:
            floor[i] = max([longest_word([h]), *(len(c) for c in cells)])
            least[i] = longest_word([h, *cells])  # wrapped at spaces, as a last resort
        else:
            floor[i] = min(natural[i], max(longest_word([h, *cells]), 8))
    widths = dict(floor)

    def fits() -> bool:
        return sum(widths.values()) <= room(widths)

    def squeeze() -> bool:
        """Narrow the kept columns (the one with most to spare first) just enough to fit."""
        over = sum(widths.values()) - room(widths)
        kept = [i for i in widths if i in keep]
        if over > sum(widths[i] - least[i] for i in kept):
            return False
        for _ in range(over):
            i = max(kept, key=lambda j: widths[j] - least[j])
            widths[i] -= 1
        return True

    dropped = []
    for i in drop:
        if fits() or squeeze():
            break
        dropped.append(i)
        del widths[i]
    if not (fits() or squeeze()):
        return [], None
    # Room left over goes to the wrapped columns, the most cut first.
    spare = room(widths) - sum(widths.values())
    while spare > 0:
        short = [i for i in widths if widths[i] < natural[i]]
        if not short:
            break
        i = max(short, key=lambda j: natural[j] - widths[j])
        widths[i] += 1
        spare -= 1
    return dropped, widths


def row_line(cells: Sequence[str], widths: dict[int, int]) -> str:
    """One row as one whole line (piped): cells padded to `widths`, a longer one pushing on."""
    return "  ".join(cells[i].ljust(w) for i, w in widths.items()).rstrip()


def _cell_lines(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def record_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[str]:
    """Rows too wide for any table at `width`, each as a block of `header: value` pairs.

    The pairs fill lines up to `width`, the block's later lines two columns in;
    a value too long for a line wraps at spaces. Blocks are a blank line apart.
    Nothing is left out: an empty cell is the only thing not shown.
    """
    lines: list[str] = []
    for row in rows:
        if lines:
            lines.append("")
        line = ""
        for header, cell in zip(headers, row, strict=True):
            if not cell:
                continue
            pair = f"{header}: {cell}"
            if not line or len(line) + 2 + len(pair) <= width:
                line = f"{line}  {pair}" if line else pair
                continue
            lines.extend(fit_lines(line, width).split("\n"))
            line = "  " + pair
        lines.extend(fit_lines(line, width).split("\n"))
    return lines


def plain_table(
    headers: list[str],
    rows: list[list[str]],
    *,
    width: int | None = None,
    keep: tuple[int, ...] = (0, 1, 2),
    drop: tuple[int, ...] = (),
) -> list[str]:
    """A table as plain lines: columns two spaces apart, long cells wrapped onto more lines.

    Fits `width` the way `column_widths` lays it out; with `width` None every row
    is one whole line (`row_line`). Cells must already be safe (`safe`).
    """
    dropped, widths = column_widths(headers, rows, width, keep=keep, drop=drop)
    if widths is None:
        return record_lines(headers, rows, width)
    if width is None:  # piped: every row one whole line
        return [row_line(row, widths) for row in [headers, *rows]]
    lines = []
    for row in [headers, *rows]:
        cells = {i: _cell_lines(row[i], w) for i, w in widths.items()}
        for n in range(max(len(c) for c in cells.values())):
            lines.append(
                "  ".join(
                    (cells[i][n] if n < len(cells[i]) else "").ljust(w) for i, w in widths.items()
                ).rstrip()
            )
    if dropped:
        lines.extend(fit_lines(_left_out(headers, dropped, width), width).split("\n"))
    return lines


def _left_out(headers, dropped, width) -> str:
    return (
        f"({', '.join(headers[i] for i in dropped)} left out to fit {width} columns; "
        "a wider terminal, or --format csv, shows every column)"
    )


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

    Both fit the reader's width (`output_width`: $COLUMNS, else the terminal's)
    with the one layout, `column_widths`: the others wrap at word boundaries
    before the `keep` columns (a due date, days, a case id, a clock) do, and those
    wrap at spaces before the `drop` columns are left out, least useful first (a
    note says which). Piped output with no $COLUMNS is plain and complete, each
    row one line, each column padded to its widest value up to PIPED_PAD.
    """
    # One escaper for everything shown: data never carries control characters or markup.
    title = safe(title) if title else None
    headers = [safe(h) for h in headers]
    rows = [[safe(c) for c in row] for row in rows]
    if console is None and not is_terminal():
        width = output_width()
        if title:
            click.echo(fit_lines(title, width))
        click.echo("\n".join(plain_table(headers, rows, width=width, keep=keep, drop=drop)))
        return
    from rich.table import Table
    from rich.text import Text

    console = console or table_console()
    # rich's default box: one space of padding either side and one rule per column, plus one.
    dropped, widths = column_widths(
        headers, rows, console.width, keep=keep, drop=drop, gap=3, edge=4
    )
    if widths is None:  # no table fits: the rows as blocks, every word whole
        if title:
            console.print(Text(title, style="bold"))
        for line in record_lines(headers, rows, console.width):
            console.print(Text(line), highlight=False)
        return
    # Text, never a markup string: "[bold]" or "[link=...]" in a name is printed as written.
    table = Table(
        title=Text(title) if title else None,
        show_lines=False,
        header_style="bold",
        title_justify="left",
    )
    for i, w in widths.items():
        table.add_column(Text(headers[i]), min_width=w, max_width=w, overflow="fold")
    for n, row in enumerate(rows):
        table.add_row(*(Text(row[i]) for i in widths), style=(styles[n] if styles else None))
    console.print(table)
    if dropped:
        console.print(_left_out(headers, dropped, console.width), style="dim", highlight=False)


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


def check_writable(path: str | Path, option: str, *, folder: bool = False) -> None:
    """Refuse an output file (or, with `folder`, a folder to create) that cannot be written.

    Called before any work is done, so a bad --out or --html costs nothing and
    leaves nothing half-written. A file that is a symbolic link or not an ordinary
    file is refused (`refuse_unsafe_target`, as `write_private` would). Exit status 2
    (InputError).
    """
    path = Path(path)
    if not folder:
        refuse_unsafe_target(path, option)
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


def _page_file(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an --html or --pdf file that cannot be written (and --pdf without Chromium)
    while the options are read, before the command does any work."""
    if value is not None and not ctx.resilient_parsing:
        option = f"--{param.name.removesuffix('_file')}"
        check_writable(value, option)
        if option == "--pdf":
            from .pdf import require_browser

            require_browser()
    return value


def page_options(
    *,
    html_required: bool = False,
    html_help: str = "Write the page here (HTML, readable by you only).",
):
    """The --html FILE and --pdf FILE options of a command that writes a page people print.

    Both files are checked while the options are read (`_page_file`), so a bad
    path or a missing Chromium costs nothing. The command passes both to
    `write_pages`.
    """
    html = click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False),
        required=html_required,
        default=None,
        callback=_page_file,
        help=html_help,
    )
    pdf = click.option(
        "--pdf",
        "pdf_file",
        type=click.Path(dir_okay=False),
        default=None,
        callback=_page_file,
        help="Also print the page to PDF with headless Chromium (readable by you only).",
    )
    return lambda f: html(pdf(f))


def write_pages(page: str, html_file: str | Path | None, pdf_file: str | Path | None) -> None:
    """Write a page that names children as HTML and/or PDF, each owner-only (0600).

    The one writer of printable pages: HTML through `write_private`; the PDF is the
    same page printed by headless Chromium (`cli.pdf.print_pdf`), then written the
    same way. A failure leaves no half-written file. "Wrote FILE" goes to stderr, so
    a command's JSON or table on stdout stays clean.
    """
    if html_file:
        write_private(html_file, page)
        echo(f"Wrote {html_file}", err=True)
    if pdf_file:
        from .pdf import print_pdf

        write_private(pdf_file, print_pdf(page, name=str(pdf_file)))
        echo(f"Wrote {pdf_file}", err=True)
