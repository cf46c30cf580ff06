"""`eirules db`: create, upgrade and prune the caseload database, and its PostgreSQL grants."""

from __future__ import annotations

import click

from eirules.core.errors import InputError, Problem
from eirules.core.store import Store
from eirules.core.store.base import data_dir
from eirules.core.store.new_file import check_path
from eirules.core.store.targets import display, is_postgres

from .errors import remember_db
from .options import (
    db_option,
)
from .output import (
    echo,
    plural,
)
from .store import db_path_of, open_store, today


@click.group("db")
def db_group():
    """Create and upgrade the caseload database (an SQLite file or a PostgreSQL database).

    \b
    Example:
        eirules db init caseload.db
    """


@db_group.command("init")
@click.argument("path", required=False, type=click.Path())  # checked by new_file.check_path
@db_option
@click.pass_context
def db_init(ctx, path, db_path):
    """Create a caseload database at PATH (or --db, $EIRULES_DB, the default) and build its schema.

    PATH is an SQLite file, or a PostgreSQL URL (postgresql://USER@HOST/DATABASE)
    naming a database that exists. Safe to run on an existing caseload: it only
    applies missing migrations. Exit status 0, or 1 when it cannot be created.

    \b
    Examples:
        eirules db init caseload.db
        eirules db init postgresql://eirules@db.example.org/caseload
    """
    target = db_path_of(path or db_path)
    remember_db(ctx, display(target))
    # As typed: a Path drops a trailing slash, which db init refuses (store/new_file.py).
    given = path or db_path or target
    if not is_postgres(given):  # refused naming the argument that gave it (PATH or --db)
        check_path(given, data_dir(), "PATH" if path else "--db")
    store, applied = Store.init(given)
    store.close()
    if applied:
        echo(f"Created caseload {display(target)} (schema: {', '.join(applied)})")
    else:
        echo(f"Caseload {display(target)} is already initialised and up to date")


@db_group.command("upgrade")
@db_option
def db_upgrade(db_path):
    """Apply schema migrations the caseload database does not have yet.

    \b
    Example:
        eirules db upgrade --db caseload.db
    """
    from eirules.core.store import connect

    target = db_path_of(db_path)
    connect(target).close()  # fails clearly when the file is missing or the server unreachable
    store, applied = Store.init(target)
    store.close()
    if applied:
        echo(f"Applied to {target}: {', '.join(applied)}")
    else:
        echo(f"{target} is up to date")


@db_group.command("grants")
@click.option(
    "--prefix",
    help="Name the group roles PREFIXcoordinator, PREFIXsupervisor, ... Default: the "
    "database's name and _ (and the schema's and _, when not public).",
)
@db_option
@click.pass_context
def db_grants(ctx, prefix, db_path):
    """Print the SQL giving each eirules role's PostgreSQL group role exactly what it needs.

    One group role per eirules role (coordinator, supervisor, data_manager,
    auditor), each with only the privileges that role's commands use on this
    caseload's tables; a database administrator runs the SQL (it may be run
    again after db upgrade: the grants are made exact), then makes each person's
    login a member of their role's group. Connect with --db as the caseload's
    owner, after db init. See docs/agencies.md.

    \b
    Example:
        eirules db grants --db postgresql://eirules_owner@db.example.org/caseload | psql ...
    """
    from eirules.core.store import migrations
    from eirules.core.store.backend import connect_postgres
    from eirules.core.store.grants import statements

    target = db_path_of(db_path)
    remember_db(ctx, display(target))
    if not is_postgres(target):
        raise InputError(
            "grants are for a caseload on PostgreSQL",
            [
                Problem(
                    "--db",
                    f"{display(target)} is an SQLite file: who may use it is the file's "
                    "permissions (and eirules staff)",
                    "give the caseload's postgresql://USER@HOST/DATABASE URL",
                )
            ],
        )
    conn = connect_postgres(target)
    try:
        database, schema = conn.execute("SELECT current_database(), current_schema()").fetchone()
        pending = migrations.pending(conn) if schema is not None else []
    finally:
        conn.close()
    shown = display(target)
    if schema is None:
        problem = (
            "the search path names no schema that exists",
            f"create the schema (CREATE SCHEMA NAME AUTHORIZATION OWNER), then run "
            f"eirules db init {shown} as its owner",
        )
    elif pending == list(migrations.REVISIONS):
        problem = ("no caseload in it yet", f"run eirules db init {shown} as its owner")
    elif pending:
        problem = (
            f"migrations not applied: {', '.join(pending)}",
            f"run eirules db upgrade --db {shown} as its owner",
        )
    if schema is None or pending:
        raise InputError(f"{shown} is not an up-to-date caseload", [Problem("--db", *problem)])
    for line in statements(database, schema, prefix):
        echo(line)


@db_group.command("prune")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@db_option
@click.pass_context
def db_prune(ctx, dry_run, db_path):
    """Remove determinations and case-file versions kept past their ruleset's period.

    A determination a newer one replaced more than
    records.determination_history_days ago (the case's ruleset sets it; IDEA
    sets no period, so the shipped rulesets leave it to a state or agency
    ruleset) is removed, and so is a version of a case file a newer version
    replaced more than that long ago, unless a determination that stays was
    made from it. Each case's latest determination and current file always
    stay, and audit verify still vouches for every one kept. Nothing is
    removed for a ruleset that sets no period. Needs a data manager.

    \b
    Example:
        eirules db prune --dry-run
    """
    store = open_store(ctx, db_path, engine=True)
    plan = store.prune_history(today=today(), dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    for ruleset_id, item in plan.items():
        if item["days"] is None:
            echo(
                f"{ruleset_id}: keeps all history (the ruleset sets no "
                "records.determination_history_days)"
            )
        else:
            echo(
                f"{ruleset_id}: {verb} {plural(item['removed'], 'determination')} and "
                f"{plural(item['case_file_versions'], 'case-file version')} replaced more "
                f"than {plural(item['days'], 'day')} ago"
            )
    if not plan:
        echo("No determinations stored.")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
