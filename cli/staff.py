"""`eirules staff`: who may use a caseload, in which role (see eirules.core.store.people and .staff)."""

from __future__ import annotations

import click

from eirules.core.store import ROLES
from eirules.core.store.staff import TOKEN_DAYS, TOKEN_MAX_DAYS

from .due import WithinType
from .options import TEXT, db_option, format_option
from .output import echo, echo_json
from .output_rows import emit
from .output_tables import print_table
from .store import open_store


@click.group("staff")
def staff_group():
    """Who may use the caseload and what each may do (coordinator, supervisor, ...).

    You are your database login on PostgreSQL and your operating-system user on
    an SQLite file; nobody types a name. Roles: coordinator (the cases assigned
    to their caseworker name), supervisor (the cases of their district, or all),
    data_manager (imports, evaluation, reports, destruction, staff), auditor
    (reads everything and the audit log, changes nothing). A caseload with no
    staff belongs to whoever opens it; the first `staff add` makes its author a
    data manager too.

    \b
    Example:
        eirules staff add jdoe --role coordinator --caseworker "Rhea Tallowby"
    """


@staff_group.command("whoami")
@db_option
@click.pass_context
def staff_whoami(ctx, db_path):
    """Say who you are to this caseload and what your role lets you do.

    \b
    Example:
        eirules staff whoami
    """
    from eirules.core.store.people import ACTIONS

    store = open_store(ctx, db_path)
    person = store.person
    echo(f"You are {person.describe()}.")
    # An action on one case ("read case {case}") is said of the cases the person may reach.
    limited = person.role == "coordinator" or (person.role == "supervisor" and person.district)
    cases = "the cases of your caseload" if limited else "any case"
    may = [
        doing.replace("case {case}", cases)
        for action, (doing, _) in ACTIONS.items()
        if store.allowed(action)
    ]
    if person.role is None:
        may = []
    echo("You may: " + ("; ".join(may) if may else "nothing until a data manager adds you"))
    if person.role == "coordinator":
        echo(f"Your caseload: the cases assigned to {person.caseworker}.")
    elif person.role == "supervisor":
        echo(
            f"Your caseload: {'district ' + person.district if person.district else 'every case'}."
        )


@staff_group.command("list")
@format_option("json", "csv")
@db_option
@click.pass_context
def staff_list(ctx, fmt, db_path):
    """List the staff and their roles (data managers and auditors).

    \b
    Example:
        eirules staff list
    """
    rows = open_store(ctx, db_path).staff()
    columns = ["login", "role", "caseworker", "district", "added_at", "added_by"]
    _show_rows(
        fmt,
        rows,
        columns,
        "No staff: whoever opens this caseload may do everything (eirules staff add).",
    )


@staff_group.command("add")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the person may do.")
@click.option(
    "--caseworker",
    type=TEXT,
    help="A coordinator's caseworker name (their cases are assigned to it).",
)
@click.option(
    "--district",
    type=TEXT,
    help="A supervisor's district, as the case files spell it (default: every district).",
)
@click.option(
    "--force",
    is_flag=True,
    help="On an SQLite file: add LOGIN even though it is not an account of this machine.",
)
@db_option
@click.pass_context
def staff_add(ctx, login, role, caseworker, district, force, db_path):
    """Give LOGIN (a database login, or an OS user on an SQLite file) a role; audited.

    Adding someone already on the list replaces their role. The caseworker
    and the district must already be in the caseload (a typo would give an
    empty caseload); on an SQLite file LOGIN must be an account of this
    machine unless --force. Needs a data manager (or, on a caseload with no
    staff yet, whoever opens it).

    \b
    Examples:
        eirules staff add jdoe --role coordinator --caseworker "Rhea Tallowby"
        eirules staff add mkim --role supervisor --district "North Hollow USD"
    """
    store = open_store(ctx, db_path)
    before = store.person
    store.add_staff(login, role, caseworker=caseworker, district=district, force=force)
    if not store.real_login(login):
        echo(
            f"Warning: {login} is not an account of this machine: only eirules serve "
            "(with a token) or that account on another machine can act as them",
            err=True,
        )
    echo(f"{login} is now {role.replace('_', ' ')}")
    if before.role == "owner" and login != before.login:
        echo(f"{before.login} (you) is now data manager: the caseload has a staff list")


@staff_group.command("remove")
@click.argument("login")
@db_option
@click.pass_context
def staff_remove(ctx, login, db_path):
    """Take LOGIN off the staff list (their past entries in the logs stay); audited.

    \b
    Example:
        eirules staff remove jdoe
    """
    open_store(ctx, db_path).remove_staff(login)
    echo(f"{login} removed from the staff")


@staff_group.command("token")
@click.argument("login")
@click.option(
    "--label", type=TEXT, help="What the token is for (e.g. the laptop or service using it)."
)
@click.option(
    "--expires-in",
    "days",
    type=WithinType(1, TOKEN_MAX_DAYS, allow_all=False),
    default=TOKEN_DAYS,
    show_default=True,
    metavar="DAYS",
    help=f"How long the token works: 30d, 12w or 90 (days), 1 to {TOKEN_MAX_DAYS} days; "
    "make a new one before it ends.",
)
@click.option("--revoke", is_flag=True, help="Revoke every token of LOGIN instead of making one.")
@db_option
@click.pass_context
def staff_token(ctx, login, label, days, revoke, db_path):
    """Make a token for eirules serve that stands for LOGIN (on the staff list); audited.

    The server treats a request with `Authorization: Bearer TOKEN` as LOGIN,
    with LOGIN's role and caseload, exactly as the CLI would. The token is
    printed once and only its SHA-256 is kept: store it like a password. It
    stops working when it expires (--expires-in, 90 days unless you say; at
    most a year), with --revoke, or when LOGIN leaves the staff list. The
    expiry is a security setting of this caseload, not a legal period. Needs a
    data manager.

    \b
    Examples:
        eirules staff token jdoe --label "front-desk laptop"
        eirules staff token svc-sis --label "SIS nightly sync" --expires-in 365
        eirules staff token jdoe --revoke
    """
    store = open_store(ctx, db_path)
    if revoke:
        count = store.revoke_tokens(login)
        echo(f"Revoked {count} token{'' if count == 1 else 's'} of {login}")
        return
    token = store.issue_token(login, label, days=days)
    expires = store.tokens(login)[0]["expires_at"]
    echo(token)
    echo(
        f"A token for {login}, valid until {expires} (UTC): shown only now, keep it secret "
        f"(revoke it with: eirules staff token {login} --revoke)",
        err=True,
    )


@staff_group.command("tokens")
@click.argument("login", required=False)
@format_option("json", "csv")
@db_option
@click.pass_context
def staff_tokens(ctx, login, fmt, db_path):
    """List the tokens made for eirules serve (of LOGIN, or everyone's), newest first.

    Each with its label, who made it and when, its expiry and whether it still
    works (valid, expired, revoked, or its login left the staff). Never the
    token itself: only its SHA-256 is kept. For data managers and auditors.

    \b
    Example:
        eirules staff tokens jdoe
    """
    rows = open_store(ctx, db_path).tokens(login)
    columns = ["login", "label", "status", "created_at", "created_by", "expires_at", "revoked_at"]
    _show_rows(
        fmt,
        rows,
        columns,
        f"No tokens{' of ' + login if login else ''} (eirules staff token LOGIN makes one).",
    )


def register(cli: click.Group) -> None:
    cli.add_command(staff_group)


def _show_rows(fmt: str, rows: list[dict], columns: list[str], empty: str) -> None:
    """A staff listing: `empty` as a table when there are no rows; JSON gives every field
    of each row; csv, jsonl and the table give `columns`."""
    if not rows and fmt == "table":
        echo(empty)
        return
    if fmt == "json":
        echo_json(rows)
        return
    emit(
        fmt,
        rows,
        columns,
        lambda: print_table(columns, [[str(r[c] or "") for c in columns] for r in rows]),
    )
