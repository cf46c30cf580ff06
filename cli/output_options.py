"""Where a command's output goes: the --format option, --out FILE, --html and --pdf FILE.

Every file a command writes that may name children goes through `write_private`
(owner-only, 0600, all or nothing), and every output path is checked before any
work is done (`check_writable`).

No output replaces a file the command reads. Every option or argument naming a file
to read has the type `InputPath`, and the --db option the callback `note_database`:
each notes the file on the click context while the command line is read (`note_read`;
the caseload with its -wal, -shm and -journal files). Every option naming a file to
write has the type `OutputPath`, which checks it (`check_writable`) against what is
noted so far and notes it; a file to read noted after it is checked against the
outputs noted before. So `--out caseload.db`, `--out case.json` for the command's own
case file, a hard link to either or a `../` spelling are refused (exit 2) whatever the
order of the options, before any work is done and with nothing written. A FILE of
`-` is the standard output for an option that writes there when it is not given
(`OutputPath(stdout=True)`: --out of the listings, `cases export -o`), and refused
for every other one (no file named "-" is made; `./-` is that file).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import (
    ReadFile,
    read_by_command,
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


#: What every option naming a file to write says about what it refuses (`check_writable`).
LINK_REFUSED = (
    "A FILE that is a symbolic link, not an ordinary file (a device, a pipe), or a file the "
    "command reads (the caseload, an input) is refused."
)
#: What an option whose output otherwise goes to the standard output says about `-`.
DASH_IS_STDOUT = "A FILE of - is the standard output."

#: Where on the click context (`ctx.meta`, shared by a command and its groups) the files
#: the command reads and writes are noted.
_FILES = "eirules.files"


def _noted(ctx: click.Context) -> dict[str, list]:
    return ctx.meta.setdefault(_FILES, {"reads": [], "writes": []})


def reads_of(ctx: click.Context | None = None) -> list[ReadFile]:
    """The files the running command reads, as noted so far (none outside a command)."""
    ctx = ctx or click.get_current_context(silent=True)
    return [] if ctx is None else list(_noted(ctx)["reads"])


def note_read(ctx: click.Context, read: ReadFile) -> None:
    """Note a file the command reads; refused (InputError) if an output noted is that file."""
    noted = _noted(ctx)
    noted["reads"].append(read)
    for path, option in noted["writes"]:
        refuse_unsafe_target(path, option, reads=(read,))


def option_label(param: click.Parameter | None) -> str:
    """How a parameter is named in a message: its long option (--out), or its metavar (CASE)."""
    if param is None:
        return "FILE"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


class InputPath(click.Path):
    """A file (or, with `folder`, a folder of files) the command reads: click.Path's checks,
    then noted (`note_read`) so no output of the command replaces it.

    `folder`: given a folder, the endings of the files read in it at any depth (empty:
    every file); None, the default: a folder is not read as one, and not noted.
    """

    def __init__(self, *, folder: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = folder

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        value = super().convert(value, param, ctx)
        if ctx is not None and not ctx.resilient_parsing:
            note_input(ctx, value, option_label(param), folder=self.folder)
        return value


def note_input(
    ctx: click.Context, value: Any, where: str, *, folder: tuple[str, ...] | None = None
) -> None:
    """Note `value` as read by the command if it is a file (or a folder read as one);
    standard input (`-`) and a path not there are nothing to protect."""
    text = os.fspath(value) if not isinstance(value, bytes) else os.fsdecode(value)
    if text == "-":
        return
    path = Path(text)
    if path.is_dir():
        if folder is not None:
            note_read(ctx, ReadFile(path, f"a file this command reads (in {where})", folder))
    elif path.exists():
        note_read(ctx, ReadFile(path, f"a file this command reads ({where})"))


#: The files beside an SQLite caseload that are part of it.
_DB_COMPANIONS = (
    ("", "the caseload database"),
    ("-wal", "the caseload database's -wal file"),
    ("-shm", "the caseload database's -shm file"),
    ("-journal", "the caseload database's -journal file"),
)


def note_database(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The --db option's callback: note the caseload the command opens (given, $EIRULES_DB
    or the default), with its -wal, -shm and -journal files, as read (`note_read`)."""
    if not ctx.resilient_parsing:
        _note_caseload(ctx, value)
    return value


def _note_caseload(ctx: click.Context, value: str | None) -> None:
    """Note the SQLite caseload `value` names (None: $EIRULES_DB, else the default) and
    its companion files, once; a postgresql:// URL is no file."""
    from eirules.core.store.base import default_db_path
    from eirules.core.store.targets import is_postgres, sqlite_path

    target = value or default_db_path()
    if is_postgres(target):
        return
    db = sqlite_path(target)
    noted = _noted(ctx)
    if db in noted.setdefault("caseloads", []):
        return
    noted["caseloads"].append(db)
    for suffix, what in _DB_COMPANIONS:
        note_read(ctx, ReadFile(Path(db + suffix), f"{what} (--db or $EIRULES_DB)"))


class OutputPath(click.Path):
    """A file the command writes: checked while the command line is read (`check_writable`,
    against the files it reads noted so far) and noted, so a file to read noted later is
    checked against it (`note_read`). The caseload $EIRULES_DB (or the default) names is
    noted first, for a command without --db too. With `stdout`, `-` is the standard
    output (None, as if the option were not given); without, `-` is refused."""

    def __init__(self, *, stdout: bool = False) -> None:
        super().__init__(dir_okay=False)
        self.stdout = stdout

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fspath(value) if not isinstance(value, bytes) else os.fsdecode(value)
        if ctx is not None and ctx.resilient_parsing:
            return text
        option = option_label(param)
        if text == "-":
            if self.stdout:
                return None
            raise InputError(
                f"{option} -: this command does not write {option} to the standard output",
                [
                    Problem(
                        option,
                        '"-" would be a file named "-"',
                        "give a file name (./- for a file named -)",
                    )
                ],
            )
        if ctx is not None:  # the caseload of $EIRULES_DB (or the default) is kept from every
            _note_caseload(ctx, None)  # output, whether or not the command opens it
        check_writable(text, option, ctx=ctx)
        if ctx is not None:
            _refuse_a_second_output(ctx, text, option)
            _noted(ctx)["writes"].append((text, option))
        return text


def _refuse_a_second_output(ctx: click.Context, text: str, option: str) -> None:
    """Two outputs of one command naming one file (`--html x --pdf x`, or a hard link or
    `../` spelling of it) would leave only the one written last: refused (exit 2) before
    any work is done, as an output naming an input is."""
    earlier = [
        ReadFile(Path(path), f"the file {where} writes") for path, where in _noted(ctx)["writes"]
    ]
    same = read_by_command(text, earlier)
    if same is None:
        return
    read, _found = same
    raise InputError(
        f"{option} {text} is {read.what}; one of the two outputs would replace the other",
        [Problem(option, f"the same file as {read.path}", "give each output its own file name")],
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
            if out_path is None:  # not given, or `-`
                return command(*args, **kwargs)
            with private_stdout(out_path):  # checked by OutputPath before any work
                return command(*args, **kwargs)

        out_option = click.option(
            "--out",
            "out_path",
            metavar="FILE",
            type=OutputPath(stdout=True),
            help="Write the listing to FILE (any --format), readable by you only (mode "
            "0600), instead of to the screen; a shell's `> FILE` makes a file anyone may read. "
            + DASH_IS_STDOUT
            + " "
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


def check_writable(
    path: str | Path, option: str, *, folder: bool = False, ctx: click.Context | None = None
) -> None:
    """Refuse an output file (or, with `folder`, a folder to create) that cannot be written.

    Called before any work is done (by `OutputPath` while the options are read), so a
    bad --out or --html costs nothing and leaves nothing half-written. A file that is a
    symbolic link or not an ordinary file is refused (`refuse_unsafe_target`, as
    `write_private` would), and so is one the command reads (`reads_of`: the
    caseload, an input file). Exit status 2 (InputError).
    """
    path = Path(path)
    if not folder:
        refuse_unsafe_target(path, option, reads=reads_of(ctx))
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
    """Refuse --pdf without Chromium while the options are read, before the command does
    any work (the files themselves are checked by `OutputPath`)."""
    if value is not None and not ctx.resilient_parsing and param.name == "pdf_file":
        from .pdf import require_browser

        require_browser()
    return value


def page_options(
    *,
    html_required: bool = False,
    html_help: str = "Write the page here (HTML, readable by you only).",
):
    """The --html FILE and --pdf FILE options of a command that writes a page people print.

    Both files are checked while the options are read (`OutputPath`, `_page_file`), so
    a bad path or a missing Chromium costs nothing. The command passes both to
    `write_pages`.
    """
    html = click.option(
        "--html",
        "html_file",
        type=OutputPath(),
        required=html_required,
        default=None,
        callback=_page_file,
        help=html_help,
    )
    pdf = click.option(
        "--pdf",
        "pdf_file",
        type=OutputPath(),
        default=None,
        callback=_page_file,
        help="Also print the page to PDF with headless Chromium (readable by you only).",
    )
    return lambda f: html(pdf(f))


def write_pages(
    page: str,
    html_file: str | Path | None,
    pdf_file: str | Path | None,
    then: Callable[[], None] | None = None,
) -> None:
    """Write a page that names children as HTML and/or PDF, each owner-only (0600).

    The one writer of printable pages: HTML through `write_private`; the PDF is the
    same page printed by headless Chromium (`cli.pdf.print_pdf`), then written the
    same way. Every output is made before any is written: the PDF is printed first,
    so a failure (no Chromium) leaves no file written, half or whole. `then` writes
    the command's own record last (`meetings notice --sent`: the case file), after
    the pages. "Wrote FILE" goes to stderr, so a command's JSON or table on stdout
    stays clean.
    """
    printed = None
    if pdf_file:
        from .pdf import print_pdf

        printed = print_pdf(page, name=str(pdf_file))
    if html_file:
        write_private(html_file, page)
        echo(f"Wrote {html_file}", err=True)
    if pdf_file and printed is not None:
        write_private(pdf_file, printed)
        echo(f"Wrote {pdf_file}", err=True)
    if then is not None:
        then()
