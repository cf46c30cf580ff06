"""`eirules contacts`: contacts with the family, recorded in the case file and listed."""

from __future__ import annotations

import attrs
import click

from eirules.core.errors import InputError

from .options import DATE, NOTE, TEXT, format_option
from .output import echo, plural
from .plan_files import _list, _load, _record, _update, case_file_arg, read_case_options


@click.group("contacts")
def contacts_group():
    """The parent contact log: dated calls, visits, letters and messages.

    \b
    Example:
        eirules contacts list examples/plans/pb-iep-goals.json
    """


@contacts_group.command("add")
@case_file_arg
@click.option("--date", "on", required=True, type=DATE, help="Date of the contact (YYYY-MM-DD).")
@click.option(
    "--method",
    required=True,
    type=click.Choice(["call", "visit", "letter", "message", "email", "meeting"]),
    help="How the contact was made.",
)
@click.option("--person", required=True, type=TEXT, help="Who was contacted (e.g. mother).")
@click.option("--topic", required=True, type=TEXT, help="What it was about.")
@click.option("--outcome", type=NOTE, help="What came of it.")
@click.option("--by", type=TEXT, help="Who made the contact.")
@click.option(
    "--meeting",
    "meeting_id",
    type=TEXT,
    help="Id of the meeting (one of the file's) this contact tried to arrange (300.322(d)).",
)
@click.pass_context
def contacts_add(ctx, case_file, on, method, person, topic, outcome, by, meeting_id):
    """Record one contact with the family.

    \b
    Example:
        eirules contacts add case.json --date 2026-02-10 --method call --person mother \\
            --topic "annual review" --outcome "agreed 12 Feb 15:30" --meeting iep-annual-2026-02-12
    """

    def change(plans: dict) -> None:
        entry = {
            "date": on.isoformat(),
            "method": method,
            "person": person,
            "by": by,
            "topic": topic,
            "outcome": outcome,
            "meeting": meeting_id,
        }
        plans.setdefault("contacts", []).append({k: v for k, v in entry.items() if v is not None})

    try:
        _update(ctx, case_file, change)
    except InputError as exc:
        # The case file's check of a contact's meeting (plans.contacts): the option said it.
        named = f'names meeting "{meeting_id}",'
        raise InputError(
            exc.message,
            [
                attrs.evolve(p, where="--meeting")
                if meeting_id and p.where == "plans.contacts" and named in p.what
                else p
                for p in exc.problems
            ],
        ) from None
    echo(f"Recorded a {method} with {person} on {on.isoformat()} in {case_file}")


@contacts_group.command("list")
@read_case_options
@format_option("json", "csv")
@click.pass_context
def contacts_list(ctx, case_file, db_path, purpose, fmt):
    """List the parent contact log, oldest first.

    \b
    Example:
        eirules contacts list examples/plans/pb-iep-goals.json --format csv
        eirules contacts list PB-PLAN-01 --purpose "annual review"
    """
    _, case = _load(ctx, case_file, db_path, purpose, "contacts list")
    rows = [
        {
            "date": c.date.isoformat(),
            "method": c.method,
            "person": c.person,
            "by": c.by,
            "topic": c.topic,
            "outcome": c.outcome,
            "meeting": c.meeting,
        }
        for c in _record(case).contacts
    ]
    _list(
        rows,
        fmt,
        f"No contacts recorded in {case_file}.",
        plural(len(rows), "contact"),
        # The outcome is the record of an attempt to arrange a meeting (300.322(d)): it
        # wraps, and the meeting and who made the contact go first on a narrow screen.
        table=("date", "method", "person", "by", "topic", "outcome", "meeting"),
        drop=("meeting", "by"),
    )
