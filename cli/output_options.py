"""Where a command's output goes: the --format option, --out FILE, --html and --pdf FILE.

Every file a command writes that may name children goes through `write_private`
(owner-only, 0600, all or nothing), and every output path is checked before any
work is done (`check_writable`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import (
    refuse_unsafe_target,
    write_private,
)  # the one writer of children's files

from .output import echo

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
