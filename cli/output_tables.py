"""Tables for people: one layout (`column_widths`) fitted to the reader's width.

Rich with colour on a terminal, plain text when piped; every cell is made safe
(`safe`, cli/output.py) before it is shown, and on a terminal is rich `Text`, so
markup in data is printed as written.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Sequence

import click

from .output import fit_lines, output_width, safe


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
#: On a terminal, the share of the width one word of a wrapped column (a child's name)
#: may claim before it is shortened with "…" in that cell (`shorten_words`): one
#: 4,000-character name must not push a column out of every row of a listing.
WORD_SHARE = 4


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
    `drop` columns are left out, least useful first (unless shortening the words of
    a wrapped column longer than a WORD_SHARE of the width, with "…" in their cells,
    leaves fewer out: one very long name must not hide a column from every row);
    when even that does not fit, None: the rows are printed as blocks (`record_lines`), so no word
    is ever broken. `width` None (piped): nothing wraps or is left out, and each column is
    padded to its widest value up to PIPED_PAD (`row_line`).
    """
    keep, drop = set(keep), list(drop)
    if width is None:
        return _layout(headers, rows, None, keep, drop, gap, edge, None)
    whole = _layout(headers, rows, width, keep, drop, gap, edge, None)
    if whole[1] is None or not whole[0]:
        return whole  # it fits, or no table does (blocks show every word)
    # A column would be left out: try again with the longest words shortened.
    cut = _layout(headers, rows, width, keep, drop, gap, edge, max(8, (width - edge) // WORD_SHARE))
    return cut if cut[1] is not None and len(cut[0]) < len(whole[0]) else whole


def _layout(headers, rows, width, keep, drop, gap, edge, cap):
    """`column_widths` with the words of the wrapped columns at most `cap` long (None: whole)."""
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
        if cap is not None and i not in keep and longest_word([h, *cells]) > cap:
            # Its longest words are shortened with "…": it needs no more than its other
            # words do, and may grow to `cap` when the other columns leave room.
            words = [len(w) for c in [h, *cells] for w in c.split() if len(w) <= cap]
            natural[i], floor[i] = cap, max([8, *words])
            continue
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


def shorten_words(text: str, width: int) -> str:
    """`text` with each word wider than `width` cut to fit, ending in "…" (a cell only:
    csv and json keep every character)."""
    if len(text) <= width or all(len(w) <= width for w in text.split()):
        return text
    return " ".join(w if len(w) <= width else w[: max(width - 1, 0)] + "…" for w in text.split())


def _cell_lines(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    text = shorten_words(text, width)
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
        cells = (Text(shorten_words(row[i], widths[i])) for i in widths)
        table.add_row(*cells, style=(styles[n] if styles else None))
    console.print(table)
    if dropped:
        console.print(_left_out(headers, dropped, console.width), style="dim", highlight=False)
