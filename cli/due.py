"""`eirules due` and `eirules overdue`: every owed clock and referral, as of one date."""

from __future__ import annotations

import itertools
from datetime import date
from operator import itemgetter

import attrs
import click

from eirules.core.dates import parse_period
from eirules.core.store import ROW_FIELDS, DueAnswer, DueStream

from .options import as_of_option, caseworker_option, db_option, format_option
from .output import echo, plural, progress_reporter
from .output_rows import STREAM_FORMATS, emit, write_lines
from .store import open_store, purpose_option
from .table_stream import print_table_rows

#: The JSON and CSV columns of `due` and `overdue`, one row per owed item.
DUE_COLUMNS = ROW_FIELDS
#: The case of a (case_id, text) row of `Store.due_lines`.
_CASE_ID = itemgetter(0)


class WithinType(click.ParamType):
    """A period such as 14d, 2w or 14 (days), or `all`: the one period option type.

    `lowest`/`highest` bound it in days and `all` may be refused, for a period
    that must end (`staff token --expires-in`).
    """

    name = "DAYS"

    def __init__(self, lowest: int = 0, highest: int | None = None, allow_all: bool = True):
        self.lowest, self.highest, self.allow_all = lowest, highest, allow_all

    def convert(self, value, param, ctx):
        if value is None or (isinstance(value, int) and self.highest is None):
            return value
        try:
            days = value if isinstance(value, int) else parse_period(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if days is None and not self.allow_all:
            self.fail(f"{value!r} is not a number of days (examples: 14d, 2w, 30)", param, ctx)
        if days is not None and not self.lowest <= days <= (self.highest or days):
            self.fail(
                f"{value!r} is not from {self.lowest} to {self.highest} days "
                "(examples: 14d, 2w, 30)",
                param,
                ctx,
            )
        return days


def days_text(row: dict) -> str:
    """Days left or overdue in words; what stands in when there is no due date."""
    days, status = row["days_left"], row["status"]
    if row["kind"] == "evaluation_failed":
        return "FAILED"
    if days is None:
        if row.get("closed_on"):
            # Closed unmet with no due date to count from: no longer doable, late (the
            # What column says when it closed). "now" would read as still to do.
            return "closed"
        if status in ("due_soon", "overdue", "to_make"):
            return "now"  # owed as soon as possible, e.g. 303.209(b)(1)(ii)
        if status == "needs_information":
            return "cannot compute"
        return status.replace("_", " ")
    if status == "needs_information":
        return "cannot compute"
    if days < 0 and status == "late_excused":
        # Late for a documented reason the regulation accepts; still owed.
        return f"{-days} late, excused"
    if days < 0:
        return f"{-days} overdue"
    if days == 0:
        return "due today"
    return f"{days} left"


def what_text(row: dict) -> str:
    """The clock or referral (or why the case could not be evaluated), in words."""
    if row["kind"] == "evaluation_failed":
        return f"{row['label']}. Fix: {row['fix']}"
    name = row["label"] or row["clock"] or ""
    if row["kind"] == "referral":
        name += f" (by {row['subject']})" if row["subject"] else ""
    elif row["subject"]:
        name += f" ({row['subject']})"
    if row["status"] == "needs_information" and row["reason"]:
        name += f": {row['reason']}"
    if row.get("closed_on") and row["kind"] == "referral":
        # A referral `not_made`: owed, never made, and closed (Part C ended): late.
        name += f"; late: not made, closed on {row['closed_on']}"
    elif row.get("closed_on"):
        # Why a closed clock is still listed: it closed unmet, so the lateness stands
        # until it is met or excused (decisions.is_outstanding; issue 10).
        name += f"; late: closed unmet on {row['closed_on']}"
    return name


def _style(row: dict) -> str | None:
    if row["kind"] == "evaluation_failed" or row["status"] == "needs_information":
        return "bold magenta"
    days = row["days_left"]
    if days is None:
        return "yellow"
    if days < 0:
        return "magenta" if row["status"] == "late_excused" else "bold red"
    if row["status"] == "due_soon" or days <= 14:
        return "yellow"
    return None


def lateness(row: dict) -> str | None:
    """ "overdue", "late_excused" (past due for a reason the regulation accepts), or None.

    The same reading as the Days column (`days_text`), so the summary line counts
    what the rows say.
    """
    if row["kind"] == "evaluation_failed" or row["status"] == "needs_information":
        return None
    days = row["days_left"]
    if days is None:
        return "overdue" if row["status"] == "overdue" else None
    if days >= 0:
        return None
    return "late_excused" if row["status"] == "late_excused" else "overdue"


@attrs.define
class Tally:
    """What the summary line counts, added up row by row (a streamed table keeps no rows)."""

    items: int = 0
    overdue: int = 0
    late_excused: int = 0
    referrals: int = 0
    unknown: int = 0

    def add(self, row: dict) -> dict:
        late = lateness(row)
        self.overdue += late == "overdue"
        self.late_excused += late == "late_excused"
        self.referrals += row["kind"] == "referral"
        self.unknown += row["status"] == "needs_information"
        self.items += row["kind"] != "evaluation_failed"
        return row


def tally_of(rows) -> Tally:
    """The summary counts of `rows` (a list: an iterator would be used up)."""
    tally = Tally()
    for row in rows:
        tally.add(row)
    return tally


def past_due(tally: Tally) -> list[str]:
    """ "68 overdue", "12 late (excused)": the past-due items apart, as the Days column says."""
    parts = [f"{tally.overdue} overdue"]
    if tally.late_excused:
        parts.append(f"{tally.late_excused} late (excused)")
    return parts


def summary(answer: DueAnswer | DueStream, tally: Tally | None = None) -> str:
    """One line counting what the answer holds (or `tally` counted), failed cases included."""
    if tally is None:
        tally = tally_of(answer.rows)
    parts = [
        f"{plural(tally.items, 'item')} as of {answer.as_of.isoformat()}",
        *past_due(tally),
    ]
    if tally.referrals:
        parts.append(plural(tally.referrals, "referral"))
    if tally.unknown:
        parts.append(f"{tally.unknown} cannot compute")
    if answer.failed:
        parts.append(
            f"{plural(len(answer.failed), 'case')} could not be evaluated (listed; exit status 1)"
        )
    return "; ".join(parts)


def show_due(
    answer: DueAnswer | DueStream,
    fmt: str,
    *,
    title: str | None = None,
    console=None,
    drop_caseworker=False,
) -> None:
    """Print an answer as a table (with its summary line), JSON, JSON Lines or CSV.

    A `DueStream` is written row by row as the store reads it, in every format: the
    table is laid out from its first rows (`print_table_rows`) and the summary line
    is counted as the rows go by.
    """
    if isinstance(answer, DueStream) and fmt in STREAM_FORMATS:
        emit(fmt, answer.rows, DUE_COLUMNS, lambda: None)
        return
    rows = iter(answer.rows)
    first = next(rows, None)

    def table() -> None:
        if first is None:
            if title:
                echo(title)
            echo(f"Nothing open as of {answer.as_of.isoformat()}.")
            return
        tally = Tally()
        # Least useful first when narrow: the citation, the caseworker (the same on a
        # caseworker's own list), the child's name. Never the date, days, case or what.
        print_table_rows(
            ["Due", "Days", "Case", "What", "Child", "Caseworker", "Citation"],
            (
                (
                    [
                        r["due"] or "-",
                        days_text(r),
                        r["case_id"],
                        what_text(r),
                        r["child"] or "",
                        r["caseworker"] or "",
                        r["citation"] or "",
                    ],
                    _style(r),
                )
                for r in map(tally.add, itertools.chain([first], rows))
            ),
            title=title,
            keep=(0, 1, 2),
            drop=(5, 6, 4) if drop_caseworker else (6, 5, 4),
            console=console,
        )
        line = summary(answer, tally)
        if console is not None:
            console.print(line, highlight=False)
        else:
            echo(line)

    emit(fmt, answer.rows, DUE_COLUMNS, table)


_format_option = format_option(
    "json",
    "jsonl",
    "csv",
    out=True,
    help="table for people (colour on a terminal); json, jsonl (JSON Lines: one row a line) "
    "or csv for other programs, written row by row as they are read.",
)
_as_of_option = as_of_option("Answer as of this date (YYYY-MM-DD), for every row. Default: today.")


def _due_options(f):
    """The options `due` and `overdue` share: who, as of when, in which format, which caseload."""
    options = (caseworker_option, _as_of_option, _format_option, purpose_option, db_option)
    for option in reversed(options):
        f = option(f)
    return f


def answer(ctx, store, *, as_of: date, **query) -> DueStream:
    """Ask the caseload, with a progress bar while cases are evaluated for the answer."""
    with progress_reporter("Evaluating cases for this answer") as advance:
        return store.due_stream(as_of=as_of, progress=advance, **query)


def _show(ctx, db_path, as_of, fmt, purpose, action, **query) -> None:
    store = open_store(ctx, db_path, engine=True)
    if fmt == "jsonl":  # each row's text as the store reads it, with no dict per row
        with progress_reporter("Evaluating cases for this answer") as advance:
            lines = store.due_lines(as_of=as_of or date.today(), progress=advance, **query)
        # Every case listed goes on its record of access (34 CFR 300.614, 303.405).
        write_lines(text for _, text in store.recorded(lines, action, purpose, _CASE_ID))
        if lines.failed:
            ctx.exit(1)
        return
    result = answer(ctx, store, as_of=as_of or date.today(), **query)
    # Every case listed goes on its record of access (34 CFR 300.614, 303.405).
    result = attrs.evolve(result, rows=store.recorded(result.rows, action, purpose))
    show_due(result, fmt, drop_caseworker=bool(query.get("caseworker")))
    if result.failed:
        ctx.exit(1)


@click.command("due")
@click.option(
    "--within",
    type=WithinType(),
    default="all",
    show_default=True,
    help="Only items due within this period from --as-of: 14d, 2w, 30 or all. "
    "Overdue items, items without a date and cases that could not be evaluated are always included.",
)
@_due_options
@click.pass_context
def due_command(ctx, within, caseworker, as_of, fmt, purpose, db_path):
    """Everything owed across the caseload: every open clock and referral, by due date.

    Each row is a clock or a referral to make (kind), with days left or overdue
    and the citation, all as of one date (--as-of, default today). Cases whose
    stored evaluation is not current for that date (changed, evaluated on
    another date or under an older ruleset) are evaluated for the answer; none
    is left out. A case that cannot be evaluated is a row of its own (kind
    evaluation_failed, with the fix) and the exit status is 1; a clock that
    cannot be computed is listed as "cannot compute". Exit status 0 otherwise.

    \b
    Example:
        eirules due --within 14d --caseworker "Rhea Tallowby" --as-of 2026-03-02
    """
    _show(ctx, db_path, as_of, fmt, purpose, "due", within_days=within, caseworker=caseworker)


@click.command("overdue")
@_due_options
@click.pass_context
def overdue_command(ctx, caseworker, as_of, fmt, purpose, db_path):
    """Clocks and referrals past their due date, oldest first, as of one date.

    Also lists what cannot be judged on time: cases that could not be evaluated
    (exit status 1) and clocks that cannot be computed.

    \b
    Example:
        eirules overdue --as-of 2026-03-02 --format csv --out overdue.csv
    """
    _show(ctx, db_path, as_of, fmt, purpose, "overdue", caseworker=caseworker, overdue_only=True)


def register(cli: click.Group) -> None:
    cli.add_command(due_command)
    cli.add_command(overdue_command)
