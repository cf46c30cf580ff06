"""Long tables for people, printed as the rows come: the listing's first rows lay it out.

`print_table` (cli/output_tables.py) needs every row to fit its columns; a statewide `due`
has hundreds of thousands. `print_table_rows` takes the rows as an iterator, lays
the columns out from the first TABLE_SAMPLE of them with the same layout, and
prints every row as it is read, so the first row shows at once and memory stays
flat, within the reader's width.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import click

from .output import fit_lines, output_width, safe
from .output_tables import (
    _cell_lines,
    _left_out,
    column_widths,
    is_terminal,
    print_table,
    record_lines,
    row_line,
    table_console,
)

#: Rows a long table lays its columns out from; the rest are printed as they come.
TABLE_SAMPLE = 1000


def print_table_rows(
    headers: list[str],
    rows: Iterable[tuple[list[str], str | None]],
    *,
    title: str | None = None,
    keep: tuple[int, ...] = (0, 1, 2),
    drop: tuple[int, ...] = (),
    console=None,
    sample: int | None = None,
) -> int:
    """`print_table` for a listing of any length: (cells, style) pairs, printed as they come.

    Up to `sample` rows (TABLE_SAMPLE) are one `print_table`, exactly as before. A longer
    listing is laid out from its first `sample` rows with the same layout
    (`column_widths`, two spaces between columns, rich colour per row on a terminal)
    and printed row by row, so the first row shows at once and memory stays flat. A
    later row that does not fit those widths (a longer id or word) is printed as a
    block (`record_lines`), so nothing is cut and no line is wider than the reader's
    width; piped with no width, every row stays one whole line (`row_line`: a longer
    cell pushes the rest of its line on). Returns the number of rows printed.
    """
    sample = TABLE_SAMPLE if sample is None else sample
    it = iter(rows)
    head = list(itertools.islice(it, sample + 1))
    if len(head) <= sample:
        print_table(
            headers,
            [cells for cells, _ in head],
            styles=[style for _, style in head],
            title=title,
            keep=keep,
            drop=drop,
            console=console,
        )
        return len(head)
    title = safe(title) if title else None
    headers = [safe(h) for h in headers]
    head = [([safe(c) for c in cells], style) for cells, style in head]
    terminal = console is not None or is_terminal()
    if terminal:
        from rich.text import Text

        console = console or table_console()
        width = console.width

        def out(line: str, style: str | None = None) -> None:
            console.print(Text(line, style=style or ""), highlight=False, soft_wrap=True)

    else:
        width = output_width()

        def out(line: str, style: str | None = None) -> None:
            click.echo(line)

    dropped, widths = column_widths(headers, [c for c, _ in head], width, keep=keep, drop=drop)
    if title:
        for line in fit_lines(title, width).split("\n"):
            out(line, "bold" if terminal else None)
    count = 0
    if widths is None:  # no table fits even the first rows: every row as a block
        assert width is not None  # piped without $COLUMNS always fits
        rest = (([safe(c) for c in cells], style) for cells, style in it)
        for cells, style in itertools.chain(head, rest):
            if count:
                out("")
            for line in record_lines(headers, [cells], width):
                out(line, style)
            count += 1
        return count
    for line in _row_lines(headers, widths):
        out(line, "bold" if terminal else None)
    for cells, style in head:
        for line in _row_lines(cells, widths):
            out(line, style)
        count += 1
    for cells, style in it:
        cells = [safe(c) for c in cells]
        if width is None:  # piped: each row one whole line, a longer cell only pushes on
            lines = [row_line(cells, widths)]
        elif _fits(cells, widths):
            lines = _row_lines(cells, widths)
        else:
            lines = record_lines(headers, [cells], width)
        for line in lines:
            out(line, style)
        count += 1
    if dropped:
        for line in fit_lines(_left_out(headers, dropped, width), width).split("\n"):
            out(line, "dim" if terminal else None)
    return count


def _fits(cells: Sequence[str], widths: dict[int, int]) -> bool:
    """True when a row fits the laid-out widths: no word wider than its column (a longer
    cell wraps at spaces, in a kept column too, as `column_widths` lets it)."""
    for i, w in widths.items():
        cell = cells[i]
        if len(cell) > w and max((len(word) for word in cell.split()), default=0) > w:
            return False
    return True


def _row_lines(cells: Sequence[str], widths: dict[int, int]) -> list[str]:
    """One table row as lines, long cells wrapped within their columns (as `plain_table`)."""
    parts = {i: _cell_lines(cells[i], w) for i, w in widths.items()}
    return [
        "  ".join(
            (parts[i][n] if n < len(parts[i]) else "").ljust(w) for i, w in widths.items()
        ).rstrip()
        for n in range(max(len(p) for p in parts.values()))
    ]
