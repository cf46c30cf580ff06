"""How commands print: JSON for other programs, aligned tables for people."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem


def echo_json(data: Any) -> None:
    """Write `data` to stdout as indented JSON (every command's --format json)."""
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

        table = Table(title=title, show_lines=False, header_style="bold")
        for i, header in enumerate(headers):
            # Keys (date, days, case id) never wrap; names and citations may.
            table.add_column(header, no_wrap=i < 3)
        for i, row in enumerate(rows):
            table.add_row(*row, style=(styles[i] if styles else None))
        Console().print(table)
        return
    if title:
        click.echo(title)
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


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
