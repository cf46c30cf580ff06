"""Click parameter types and option bundles shared by the `eirules` commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from eirules.core.dates import parse_date, why_not_a_date
from eirules.core.text import text_problem

from .output import safe
from .output_options import format_option as format_option  # the one --format factory
from .output_options import note_database

F = TypeVar("F", bound=Callable[..., Any])


class DateType(click.ParamType):
    """A YYYY-MM-DD date."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        day = parse_date(value)
        if day is None:
            self.fail(f"{safe(str(value))!r} {why_not_a_date(value)}", param, ctx)
        return day


DATE = DateType()

#: The largest count an option takes (--last, --determination): far above any caseload,
#: and small enough for every database's integer.
MAX_COUNT = 2**31 - 1
#: A count of 1 or more, refused with exit 2 above MAX_COUNT instead of overflowing.
COUNT = click.IntRange(min=1, max=MAX_COUNT)


class HashType(click.ParamType):
    """A full SHA-256 hash: 64 hexadecimal digits (as `eirules audit verify` prints it)."""

    name = "HASH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip().lower()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            shown = text if len(text) <= 20 else text[:20] + "..."
            self.fail(
                f"{shown!r} is not a hash: give all 64 hexadecimal digits of a "
                "'Last hash:' line printed by an earlier `eirules audit verify`",
                param,
                ctx,
            )
        return text


HASH = HashType()


class TextType(click.ParamType):
    """Free text an option stores or shows (a name, a reason, a district, a note): the
    check every way into the caseload applies (core/text.text_problem: no control, bidi
    or invisible character, at most MAX_TEXT characters; a `note` may break lines),
    refused as a usage error (exit 2) that names the option, before anything is written."""

    name = "TEXT"

    def __init__(self, *, note: bool = False) -> None:
        self.note = note

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if (found := text_problem(text, note=self.note)) is not None:
            self.fail(f"{found[0]}; {found[1]}", param, ctx)
        return text


#: One line of free text (a name, an id, a reason); NOTE may also break lines and hold tabs.
TEXT = TextType()
NOTE = TextType(note=True)


def as_of_option(
    help: str = "Evaluate as of this date (YYYY-MM-DD). Default: today.",
) -> Callable[[F], F]:
    """`--as-of DATE` (None when not given); `help` says what the date is used for."""
    return click.option("--as-of", type=DATE, default=None, help=help)


db_option = click.option(
    "--db",
    "db_path",
    # No checks by click: a folder, a device or another program's file is refused by
    # eirules' own message, with a fix (core/store/new_file.py).
    type=click.Path(),
    metavar="FILE",
    envvar="EIRULES_DB",
    default=None,
    callback=note_database,  # no output of the command may replace the caseload
    help="Caseload database: an SQLite file or a postgresql://USER@HOST/DATABASE URL. "
    "Default: $EIRULES_DB, else ~/.local/share/eirules/caseload.db.",
)


class CaseworkerType(TextType):
    """A caseworker's name to list the cases of: an empty or blank one is refused (with no
    name to match, `due --caseworker ""` listed every case)."""

    name = "NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not text.strip():
            self.fail(
                f"{text!r} is not a caseworker's name: give one (eirules caseworkers list "
                "shows them), --unassigned for the cases no one holds, or leave --caseworker "
                "out for every case",
                param,
                ctx,
            )
        return super().convert(text, param, ctx)  # no control, bidi or invisible character


def caseworker_option(f: F) -> F:
    """`--caseworker NAME` and `--unassigned` (`due`, `overdue`, `cases list`), given to the
    command as one `caseworker`: a name, None, or UNASSIGNED (core/store/listing_scope.py
    `listing_caseworker`, as the HTTP API's `unassigned` query parameter is)."""

    @functools.wraps(f)
    def command(*args: Any, unassigned: bool = False, **kwargs: Any) -> Any:
        if unassigned:
            from eirules.core.store.listing_scope import listing_caseworker

            kwargs["caseworker"] = listing_caseworker(kwargs.get("caseworker"), unassigned)
        return f(*args, **kwargs)

    command = click.option(
        "--unassigned",
        is_flag=True,
        help="Only cases no caseworker holds now (e.g. imported from JSON case files, which "
        "name none): they are on no caseworker's list. Not with --caseworker.",
    )(command)
    return click.option(
        "--caseworker",
        type=CaseworkerType(),
        help="Only cases currently assigned to this caseworker.",
    )(command)  # type: ignore[return-value]


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1, max=256),
    envvar="EIRULES_JOBS",
    default=None,
    metavar="N",
    help="Worker processes for a big run (the results are the same with any number). "
    "Default: $EIRULES_JOBS, else the CPU count, at most 4; 1 runs in this process.",
)
