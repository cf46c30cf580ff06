"""The one place the `eirules` command turns a failure into what a user reads.

Every command runs inside `handle_errors`: an error eirules raises on purpose
(`EirulesError`) prints its message and problems; a file that cannot be opened or
written, a damaged caseload or a broken pipe print one `Error:` line saying what to
do; anything else (a bug here or in a plugin) prints one `Error:` line asking for
`--debug`, which shows the traceback instead. No command catches these itself.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterator, Sequence
from typing import NoReturn

import click

from eirules.core.errors import EirulesError, InputError, Problem, StorageError, one_line

#: Exit status of an error eirules did not foresee, and of a problem in data or rules.
EXIT_ERROR = 1

#: Exit status of a command stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it.
EXIT_INTERRUPTED = 130
#: Exit status when the reader of the output left early (`eirules due | head`): 128 + 13
#: (SIGPIPE), what a shell reports for other tools stopped the same way; never 1, which
#: says a problem in the data or the database.
EXIT_CLOSED_PIPE = 141


def debug_requested(ctx: click.Context | None) -> bool:
    """True under `eirules --debug` or EIRULES_DEBUG=1: show tracebacks instead of hiding them."""
    root = ctx.find_root() if ctx is not None else None
    if root is not None and root.params.get("debug"):
        return True
    return os.environ.get("EIRULES_DEBUG", "").strip().lower() not in ("", "0", "false", "no")


def remember_db(ctx: click.Context, path: object) -> None:
    """Note which caseload file a command opened, so a damaged one is named in the error."""
    root = ctx.find_root()
    root.ensure_object(dict)
    root.obj["db_path"] = str(path)


def _is_database_error(exc: BaseException) -> bool:
    """An SQLite or PostgreSQL error, without importing a driver a command never loaded."""
    sqlite3 = sys.modules.get("sqlite3")
    psycopg = sys.modules.get("psycopg")
    return (sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError)) or (
        psycopg is not None and isinstance(exc, psycopg.Error)
    )


def _storage_error(ctx: click.Context, exc: Exception) -> EirulesError:
    where = (ctx.obj or {}).get("db_path") or "caseload"
    from eirules.core.store.targets import permission_error

    refused = permission_error(exc, where)
    if refused is not None:
        return refused
    return StorageError(
        f"the caseload {where} could not be read or written ({exc})",
        [
            Problem(
                "",
                "the file may be damaged or changed outside eirules",
                "run eirules audit verify, and restore the file from a backup if needed",
            )
        ],
    )


def _os_error(exc: OSError) -> EirulesError:
    """A file the command could not open, create or write, with what to do about it."""
    name = exc.filename or "a file"
    reason = exc.strerror or exc.__class__.__name__
    if isinstance(exc, FileNotFoundError):
        fix = "check the path; create the folder first if it does not exist"
    elif isinstance(exc, PermissionError):
        fix = "choose a place you may write to, or ask for permission"
    elif isinstance(exc, IsADirectoryError):
        fix = "give a file name, not a folder"
    else:
        fix = "check the path, the free disk space and the permissions"
    return EirulesError(f"cannot use {name}: {reason}", [Problem("", fix)])


#: How a write fails for want of room (a full disk, a quota, `> /dev/full`).
_NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _stdout_failed(exc: OSError) -> bool:
    """Whether `exc` is the standard output failing: a write with no room that names no
    file. Every file eirules writes is named in its error (`write_private` adds the name
    a failed write lacks); the standard output is the one stream written without a name."""
    return exc.filename is None and exc.errno in _NO_ROOM


def _output_error(exc: OSError) -> EirulesError:
    reason = (exc.strerror or exc.__class__.__name__).lower()
    return EirulesError(
        f"the output could not be written (standard output: {reason})",
        [
            Problem(
                "",
                "the file or device the output is sent to has no room",
                "free space there, or send the output elsewhere (--out FILE on another disk)",
            )
        ],
    )


def _quiet_stdout() -> None:
    """Send what is still printed (and the flush at exit) nowhere: the output is gone, and
    Python would otherwise report the unwritten rest as another error on the way out."""
    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit


#: The most problems an error lists on the terminal; the rest are counted in one line.
SHOWN_PROBLEMS = 20


def problem_lines(
    problems: Sequence[object], *, rest: str = "fix these first and run again"
) -> list[str]:
    """The lines listing an error's problems: the first `SHOWN_PROBLEMS`, then how many more
    there are and `rest` (what to do). One bad file gave 179,992 lines before: the first
    few name the mistake, the rest repeat it. A machine format (`--format json`, the rejects
    file) keeps every problem."""
    lines = [f"  {p}" for p in problems[:SHOWN_PROBLEMS]]
    hidden = len(problems) - SHOWN_PROBLEMS
    if hidden > 0:
        lines.append(
            f"  ... and {hidden:,} more {'problem' if hidden == 1 else 'problems'} not shown "
            f"({len(problems):,} in all): {rest}"
        )
    return lines


def _print(exc: EirulesError) -> None:
    from .output import echo  # a message may quote data: controls and bidi shown as escapes

    echo("\n".join([f"Error: {one_line(exc.message)}", *problem_lines(exc.problems)]), err=True)


def show_click_error(exc: click.ClickException | None) -> None:
    """Print one of click's own errors (usage, bad option value; None: aborted) as click
    words it, through the one printer: each line made safe and fitted to the reader's width."""
    from .output import echo

    if exc is None:
        echo("Aborted!", err=True)
        return
    text = io.StringIO()
    exc.show(file=text)
    echo(text.getvalue().rstrip("\n") + _value_hint(exc), err=True)


def _value_hint(exc: click.ClickException) -> str:
    """For an unknown option that may be a value (`caseworkers add -0`, a name beginning
    with "-"): how to give it, after `--`. Nothing for a mistyped option click has a
    suggestion for, nor for a command that takes no values."""
    ctx = getattr(exc, "ctx", None)
    if not isinstance(exc, click.NoSuchOption) or exc.possibilities or ctx is None:
        return ""
    values = [p.make_metavar(ctx) for p in ctx.command.params if isinstance(p, click.Argument)]
    if not values:
        return ""
    return (
        '\n  A value that begins with "-" (a name or an id) goes after --, the options before'
        f" it: {ctx.command_path} [OPTIONS] -- {' '.join(values)}"
    )


def show_interrupted() -> NoReturn:
    """End a command stopped by Ctrl-C: one line, exit status 130. What it wrote is whole:
    a write rolls back unless it committed (evaluate keeps the parts it committed)."""
    click.echo("Interrupted.", err=True)
    sys.exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def handle_errors(ctx: click.Context) -> Iterator[None]:
    """Run a command: every failure becomes an `Error:` message and an exit status, never a traceback.

    Exit status: 2 for bad input (InputError, or an error's own `exit_code`), 1 for
    every other problem and for errors nobody foresaw. Click's own usage errors and
    exits pass through unchanged.
    """
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except BrokenPipeError:
        # `eirules due | head`: the reader left; say nothing more on a closed pipe.
        _quiet_stdout()
        ctx.exit(EXIT_CLOSED_PIPE)
    except EirulesError as exc:
        if debug_requested(ctx):
            raise
        _print(exc)
        ctx.exit(getattr(exc, "exit_code", 2 if isinstance(exc, InputError) else EXIT_ERROR))
    except OSError as exc:
        if debug_requested(ctx):
            raise
        if _stdout_failed(exc):
            _print(_output_error(exc))
            _quiet_stdout()
        else:
            _print(_os_error(exc))
        ctx.exit(EXIT_ERROR)
    except Exception as exc:
        if debug_requested(ctx):
            raise
        if _is_database_error(exc):
            _print(_storage_error(ctx, exc))
            ctx.exit(EXIT_ERROR)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        from .output import echo

        echo(
            f"Error: eirules stopped on an unexpected problem ({exc.__class__.__name__}"
            + (f": {detail}" if detail else "")
            + "); this is a bug in eirules or a plugin: run the same command with "
            "`eirules --debug ...` to see where, and report it with that output.",
            err=True,
        )
        ctx.exit(EXIT_ERROR)
