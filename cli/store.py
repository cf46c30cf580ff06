"""`eirules db` and `eirules cases`: create the caseload file, import, list, show, add events, assign."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import click

from eirules.core.errors import InputError, Problem, did_you_mean
from eirules.core.store import CASE_STATUSES, Store, default_db_path
from eirules.core.store.backend import display, is_postgres
from eirules.core.store.determinations import DERIVED_STATUSES

from . import get_engine
from .errors import problem_lines, remember_db
from .options import (
    COUNT,
    DATE,
    as_of_option,
    caseworker_option,
    db_option,
    format_option,
    jobs_option,
)
from .output import (
    LINK_REFUSED,
    STREAM_FORMATS,
    check_writable,
    echo,
    echo_json,
    emit,
    plural,
    print_table,
    progress_reporter,
    write_private,
)
from .table_stream import print_table_rows

new_caseworker_option = click.option(
    "--new-caseworker",
    is_flag=True,
    help="Accept caseworker names the caseload does not know yet (they are added).",
)


def db_path_of(db_path: str | None) -> Path | str:
    """The caseload named by --db: a file path, or a postgresql:// URL kept as text."""
    if not db_path:
        return default_db_path()
    return db_path if is_postgres(db_path) else Path(db_path)


#: Said with every export (the file itself must import back unchanged, so it goes to stderr).
PERSONAL_NOTICE = (
    "Notice: case {case} contains a child's personal information (34 CFR 300.610-300.627, "
    "303.401-303.417); this export is on the case's record of access (eirules audit access)."
)

purpose_option = click.option(
    "--purpose",
    envvar="EIRULES_PURPOSE",
    help="Why you are reading the record, kept in its record of access "
    '(34 CFR 300.614, 303.405). Default: $EIRULES_PURPOSE, else "not stated".',
)


def open_store(ctx: click.Context, db_path: str | None, *, engine: bool = False) -> Store:
    """Open the caseload for a command; closed when the command ends."""
    remember_db(ctx, display(db_path_of(db_path)))
    store = Store.open(db_path_of(db_path), get_engine(ctx) if engine else None)
    ctx.call_on_close(store.close)
    return store


# db ---------------------------------------------------------------------------------


@click.group("db")
def db_group():
    """Create and upgrade the caseload database (an SQLite file or a PostgreSQL database).

    \b
    Example:
        eirules db init caseload.db
    """


@db_group.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
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
    store, applied = Store.init(target)
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


# cases --------------------------------------------------------------------------------


@click.group("cases")
def cases_group():
    """Import, list, show, change and export the cases in the caseload.

    \b
    Example:
        eirules cases import examples/caseload --db caseload.db
        eirules cases list --caseworker "Rhea Tallowby"
    """


@cases_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid records and write the rejected ones, with reasons, to --rejects.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --skip-invalid: file for the rejected records, whole, with reasons (one JSON "
    "object per line, readable by you only). Default: CASELOAD-rejects.jsonl beside the caseload.",
)
@new_caseworker_option
@jobs_option
@db_option
@click.pass_context
def cases_import(ctx, paths, skip_invalid, rejects, new_caseworker, jobs, db_path):
    """Import case files (.json), JSON Lines (.jsonl), folders of them and CSV files in one transaction.

    A .jsonl file holds one case document a line; it and any .json file over
    16 MiB (a JSON array of cases) are read record by record, never whole.

    All or nothing by default: one bad record stops the import, nothing is
    written, and every problem is listed with file, record and field. A case
    already stored unchanged is skipped; a changed case is updated and the
    change recorded in the audit log. Every new or changed case is evaluated as
    of today in the same transaction, so `due`, `overdue` and `cases list` are
    right at once. A caseworker column naming someone the caseload does not
    know is refused (did-you-mean) unless --new-caseworker. Exit status 0 on
    success, 2 when records are not valid (even with --skip-invalid, so scripts
    notice rejects).

    \b
    Example:
        eirules cases import examples/caseload examples/csv/cases.csv --db caseload.db
    """
    rejects = rejects or default_rejects(db_path)
    if skip_invalid:
        check_writable(rejects, "--rejects")
    store = open_store(ctx, db_path, engine=True)
    if jobs:
        store.jobs = jobs
    with progress_reporter("Evaluating imported cases") as advance:
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            advance(done[0], max(done[0], 1))

        result = store.import_paths(
            paths,
            skip_invalid=skip_invalid,
            progress=step,
            new_caseworkers=new_caseworker,
        )
    echo(
        f"Imported: {result.created} new, {result.updated} updated, {result.unchanged} unchanged"
        + (f", {plural(result.assigned, 'assignment')}" if result.assigned else "")
        + (
            f"; evaluated {plural(result.evaluated, 'case')} as of today"
            if result.evaluated
            else ""
        )
    )
    for case_id, message in result.failures:
        if message.startswith("no ruleset"):
            continue  # said once per ruleset below
        echo(
            f"Note: case {case_id} could not be evaluated ({message.splitlines()[0]}); "
            "it is listed as a failed row by eirules due",
            err=True,
        )
    _note_unknown_rulesets(store)
    if result.rejected:
        write_private(rejects, "".join(_reject_line(item) for item in result.rejected))
        echo(f"Rejected {plural(len(result.rejected), 'record')}; reasons in {rejects}:", err=True)
        found = [problem for item in result.rejected for problem in item["problems"]]
        for line in problem_lines(found, rest=f"each reject and its reasons are in {rejects}"):
            echo(line, err=True)
        ctx.exit(2)


def default_rejects(db_path: str | None) -> Path:
    """CASELOAD-rejects.jsonl beside an SQLite caseload; in the default data folder otherwise."""
    target = db_path_of(db_path)
    if isinstance(target, Path):
        return target.with_name(f"{target.stem}-rejects.jsonl")
    from eirules.core.store.base import data_dir

    return data_dir() / "rejects.jsonl"  # a PostgreSQL caseload: the user's data folder


def _reject_line(item: dict) -> str:
    """One rejected record as a JSON line; a record JSON cannot hold is kept without its data."""
    try:
        return json.dumps(item, ensure_ascii=True) + "\n"
    except (ValueError, TypeError, RecursionError):
        return json.dumps({**item, "data": None, "data_dropped": True}, ensure_ascii=True) + "\n"


def _note_unknown_rulesets(store: Store) -> None:
    """Say which stored cases name a ruleset the engine cannot find (they would fail to evaluate)."""
    known = set(store.engine.rulesets.ids())
    for ruleset, count in store.conn.execute(
        "SELECT ruleset, count(*) FROM cases WHERE ruleset IS NOT NULL GROUP BY ruleset"
    ):
        if ruleset in known:
            continue
        hint = did_you_mean(ruleset, known)
        echo(
            f"Note: {plural(count, 'case')} name{'' if count != 1 else 's'} "
            f'ruleset "{ruleset}", which is not installed'
            + (f" ({hint})" if hint else "")
            + "; evaluate fails for it until the ruleset is found (see --rulesets-dir)",
            err=True,
        )


CASE_COLUMNS = (
    "case_id",
    "child",
    "birth_date",
    "programs",
    "ruleset",
    "caseworker",
    "status",
    "updated_at",
    "reason",
    "fix",
    "as_of",
)


def _known_program(ctx: click.Context, program: str) -> None:
    """Refuse a program no installed plugin has (a usage error, exit 2), with a did-you-mean."""
    known = sorted({p for spec in get_engine(ctx).event_types.values() for p in spec.programs})
    if program not in known:
        hint = did_you_mean(program, known)
        raise click.BadParameter(
            f'"{program}" is not a program; '
            + (f"{hint} (programs: {', '.join(known)})" if hint else f"one of: {', '.join(known)}"),
            ctx=ctx,
            param_hint="--program",
        )


@cases_group.command("list")
@caseworker_option
@click.option(
    "--program",
    help="Only cases in this program (e.g. part_c, part_b), from the case file or its rules.",
)
@click.option(
    "--status",
    type=click.Choice(CASE_STATUSES),
    help="Only cases whose most urgent clock has this status (as of --as-of).",
)
@as_of_option("Status as of this date (YYYY-MM-DD). Default: today.")
@format_option(
    "json",
    "jsonl",
    "csv",
    out=True,
    help="table for people; json, jsonl (JSON Lines: one case a line) or csv for other "
    "programs, written case by case as they are read.",
)
@purpose_option
@db_option
@click.pass_context
def cases_list(ctx, caseworker, program, status, as_of, fmt, purpose, db_path):
    """List cases with child, programs, caseworker and status, as of one date.

    A case is in a program when its file says so (enrolments, tagged events) or
    when that program's rules apply to it (untagged events). Cases not current
    for the date are evaluated for the answer. A case that cannot be evaluated
    is always listed, whatever the filters, with the reason and the fix, and
    the exit status is 1.

    \b
    Example:
        eirules cases list --program part_c --status overdue
    """
    if program is not None:
        _known_program(ctx, program)
    store = open_store(ctx, db_path, engine=True)
    as_of = as_of or date.today()
    with progress_reporter("Evaluating cases for this answer") as advance:
        current, failed = store.current_cases(as_of=as_of, caseworker=caseworker, progress=advance)

    def listed():
        for r in store.iter_cases(caseworker=caseworker):
            now = current.get(r["case_id"])
            if now is not None:
                r["status"] = now["status"]
                r["programs"] = now["programs"] if now["programs"] is not None else r["programs"]
            r["reason"] = r["fix"] = None
            r["as_of"] = as_of.isoformat()
            if r["case_id"] in failed:
                r["reason"], r["fix"] = store.failure(
                    r["case_id"], r["ruleset"], failed[r["case_id"]]
                )
            elif (program and program not in (r["programs"] or "").split(",")) or (
                status and r["status"] != status
            ):
                continue
            yield r

    # Every case listed goes on its record of access (34 CFR 300.614, 303.405).
    read = store.recorded(listed(), "cases list", purpose)
    if fmt in STREAM_FORMATS:
        emit(fmt, read, CASE_COLUMNS, lambda: None)
        if failed:
            ctx.exit(1)
        return
    rows = iter(read)
    first = next(rows, None)

    def table() -> None:
        if first is None and not (caseworker or program or status) and not store.case_count():
            echo(
                "No cases in this caseload yet; add some with: eirules cases import FILES_OR_FOLDERS"
            )
            return
        if first is None:
            echo(f"No cases match as of {as_of.isoformat()}.")
            if program and program not in (known := store.programs()):
                echo(
                    f"Note: no case in this caseload is in program {program}; "
                    f"programs here: {', '.join(known) or 'none'}",
                    err=True,
                )
            return
        # A statewide list is printed as it is read (cli/table_stream.py).
        shown = print_table_rows(
            ["Case", "Status", "Child", "Born", "Programs", "Caseworker"],
            (
                (
                    [
                        r["case_id"],
                        f"{r['reason']}. Fix: {r['fix']}" if r["reason"] else r["status"],
                        r["child"] or "",
                        r["birth_date"],
                        (r["programs"] or "").replace(",", ", "),
                        r["caseworker"] or "",
                    ],
                    None,
                )
                for r in itertools.chain([first], rows)
            ),
            keep=(0, 3),
            drop=(5, 2, 4),
        )
        echo(
            f"{plural(shown, 'case')} as of {as_of.isoformat()}"
            + (
                f"; {plural(len(failed), 'case')} could not be evaluated (listed; exit status 1)"
                if failed
                else ""
            )
        )

    emit(fmt, rows, CASE_COLUMNS, table)
    if failed:
        ctx.exit(1)


# caseworkers ---------------------------------------------------------------------------


@click.group("caseworkers")
def caseworkers_group():
    """Name the caseworkers once: list them, add a new one.

    \b
    Example:
        eirules caseworkers add "Inez Marchbank"
    """


@caseworkers_group.command("list")
@format_option("json", "csv")
@db_option
@click.pass_context
def caseworkers_list(ctx, fmt, db_path):
    """List the caseworkers with how many cases each holds now.

    \b
    Example:
        eirules caseworkers list
    """
    store = open_store(ctx, db_path)
    rows = store.caseworkers()

    def table() -> None:
        if not rows:
            echo('No caseworkers yet; add one with: eirules caseworkers add "NAME"')
            return
        print_table(
            ["Caseworker", "Cases", "Added"],
            [[r["name"], str(r["cases"]), r["added_at"]] for r in rows],
            keep=(0, 1),
        )

    emit(fmt, rows, ("name", "cases", "added_at"), table)


@caseworkers_group.command("add")
@click.argument("name")
@db_option
@click.pass_context
def caseworkers_add(ctx, name, db_path):
    """Add a caseworker, so cases can be assigned to them (audited).

    Adding a name the caseload already has (in any upper or lower case) changes
    nothing and says so.

    \b
    Example:
        eirules caseworkers add "Inez Marchbank"
    """
    store = open_store(ctx, db_path)
    stored, new = store.add_caseworker(name)
    if new:
        echo(f"Added caseworker {stored}")
    else:
        echo(f"Caseworker {stored} is already in the caseload")


@cases_group.command("show")
@click.argument("case_id", metavar="ID")
@click.option(
    "--determination",
    "number",
    type=COUNT,
    help="Show stored determination N (numbered from 1 per case) instead of the summary.",
)
@click.option(
    "--replay",
    is_flag=True,
    help="With --determination: re-run it from its stored inputs and say if the answer is the same.",
)
@format_option("json")
@purpose_option
@db_option
@click.pass_context
def cases_show(ctx, case_id, number, replay, fmt, purpose, db_path):
    """Show a case: child, caseworker, clocks and its stored determinations.

    With --determination N --replay, re-runs determination N from its stored
    case file, as-of date and ruleset version (rebuilt from the copy of its files
    the caseload keeps). Exit status 0 when it gives the same answer, 1 when it
    differs. Each look at a case is on its record of access (who, when, --purpose).

    \b
    Example:
        eirules cases show SYN-C-0001
        eirules cases show SYN-C-0001 --determination 1 --replay
    """
    if replay and number is None:
        raise InputError(
            "--replay needs --determination N", [Problem("--replay", "no determination given")]
        )
    store = open_store(ctx, db_path, engine=replay)
    store.opened(case_id, "replay" if replay else "show", purpose)
    if replay:
        _replay(ctx, store, case_id, number, fmt)
        return
    if number is not None:
        stored = store.determination(case_id, number)
        if fmt == "json":
            echo_json(json.loads(stored["result"]))
            return
        from eirules.core.convert import determination_from_dict

        from .render import render_determination

        echo(
            f"Determination {number} of case {case_id}, stored {stored['created_at']} "
            f"(inputs {stored['inputs_hash'][:12]})"
        )
        echo(render_determination(determination_from_dict(json.loads(stored["result"]))))
        return
    summary = store.case_summary(case_id)
    if fmt == "json":
        summary["document"] = store.case_document(case_id)
        echo_json(summary)
        return
    basis = evaluation_basis(summary)
    echo(f"Case {summary['id']}  {summary['child'] or ''} (born {summary['birth_date']})")
    echo(
        f"  programs: {summary['programs'] or '-'}   ruleset: {summary['ruleset'] or 'us'}"
        f"   caseworker: {summary['caseworker'] or '-'}   status: {summary['status']}"
        + (
            f" as of {summary['evaluated_as_of']}"
            if basis and summary["status"] in DERIVED_STATUSES
            else ""
        )
    )
    if summary["status"] == "evaluation_failed":
        echo(f"The last evaluation failed; see why with: eirules evaluate --case {case_id}")
    if summary["clocks"]:
        echo(f"Clocks {basis or '(latest determination)'}:")
        if summary["status"] == "changed_since_evaluation":
            echo(
                f"  (the case changed since; evaluate it again: eirules evaluate --case {case_id})"
            )
        for c in summary["clocks"]:
            name = c["label"] or c["clock"]
            if c["subject"]:
                name += f" ({c['subject']})"
            echo(f"  {c['due'] or '-':10}  {c['status']:14}  {name}  [{c['citation']}]")
    contacts = (store.case_document(case_id).get("plans") or {}).get("contacts") or []
    if contacts:
        echo("Parent contacts (latest 5; all with `eirules contacts list`):")
        for c in contacts[-5:]:
            outcome = f": {c['outcome']}" if c.get("outcome") else ""
            echo(f"  {c['date']}  {c['method']:8}  {c['person']}  {c['topic']}{outcome}")
    if summary["determinations"]:
        echo("Determinations:")
        for d in summary["determinations"]:
            echo(
                f"  {d['number']:>3}  as of {d['as_of']}  {d['ruleset']} {d['ruleset_version']}"
                f"  {d['engine']}  stored {d['created_at']}"
            )
    elif summary["status"] != "evaluation_failed":
        echo("Not evaluated yet: run eirules evaluate --all")
    if summary["assignments"]:
        echo("Caseworkers:")
        for a in summary["assignments"]:
            echo(
                f"  {a['caseworker']}  from {a['assigned_at']}"
                + (f" to {a['ended_at']}" if a["ended_at"] else " (current)")
            )


def evaluation_basis(summary: dict) -> str | None:
    """ "as of D (determination N ...), ruleset R (VERSION), ENGINE": the evaluation a case's
    status and clock rows are, from the case row (`evaluated_as_of`, `evaluated_with`,
    `clocks_from`); None before any."""
    as_of, made_by = summary.get("evaluated_as_of"), summary.get("evaluated_with")
    if not as_of or not made_by:
        return None
    engine, _, rest = made_by.partition("|")
    ruleset, _, rest = rest.partition("|")
    version = rest.partition("|")[0]  # then, with imported calendars, when they last changed
    which = _which(summary.get("clocks_from"))
    return f"as of {as_of}{which}, ruleset {ruleset} ({version}), {engine}"


def _which(source: dict | None) -> str:
    """ " (determination N ...)": the stored determination the clocks are, and, when it was
    made as of another date, the dates it holds for (`evaluate` moved it without storing)."""
    if not source:
        return ""
    number, made = source["determination"], source["made_as_of"]
    if made == source["as_of"]:
        return f" (determination {number})"
    start, through = source["holds_from"], source["holds_through"]
    if not start:
        return f" (determination {number}, made as of {made}, the same when evaluated again)"
    held = f"from {start} through {through}" if through else f"from {start} on, no end known"
    return f" (determination {number}, made as of {made}, which holds {held})"


def _replay(ctx, store: Store, case_id: str, number: int, fmt: str) -> None:
    result = store.replay(case_id, number)
    if fmt == "json":
        import attrs

        echo_json(attrs.asdict(result))
    else:
        verdict = "the same answer" if result.same else "a DIFFERENT answer"
        echo(f"Replayed determination {number} of case {case_id}: {verdict}.")
        if result.ruleset_source == "stored":
            echo(
                f"  Ruleset {result.ruleset} {result.stored_ruleset_version} rebuilt from the "
                "copy stored in the caseload."
            )
        elif result.stored_ruleset_version != result.current_ruleset_version:
            echo(
                f"  Note: ruleset version {result.stored_ruleset_version} "
                f"{result.ruleset_note}; replayed with the installed version "
                f"{result.current_ruleset_version}."
            )
        if result.stored_engine != result.current_engine:
            echo(
                f"  Note: stored by {result.stored_engine}; replayed with {result.current_engine}."
            )
        for line in result.differences:
            echo(f"  {line}")
    if not result.same:
        ctx.exit(1)


@cases_group.command("add-event")
@click.argument("case_id", metavar="ID")
@click.argument("event_type", metavar="TYPE")
@click.argument("on", metavar="DATE", type=DATE)
@click.option("--reason", help="Why it happened; required for `delay` (see the event vocabulary).")
@click.option("--note", help="A free-text note kept with the event.")
@click.option("--program", help="Program the event belongs to when the case is in more than one.")
@db_option
@click.pass_context
def cases_add_event(ctx, case_id, event_type, on, reason, note, program, db_path):
    """Record an event on a case (checked against the event vocabulary), audited.

    Refuses an unknown type, a date in the future or before the child's birth,
    a missing or unknown reason, a --program the type does not belong to, and an
    exact copy of an event the case already has, with exit status 2. The case is
    evaluated again as of today in the same transaction, so `due` is right at once.

    \b
    Example:
        eirules cases add-event SYN-C-0001 ifsp_meeting_held 2026-02-20
        eirules cases add-event SYN-C-0002 delay 2026-02-10 --reason exceptional_family_circumstances
    """
    store = open_store(ctx, db_path, engine=True)
    store.add_event(
        case_id,
        event_type,
        on,
        reason=reason,
        note=note,
        program=program,
    )
    echo(f"Added {event_type} on {on.isoformat()} to case {case_id}; its clocks are updated")


@cases_group.command("export")
@click.argument("case_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file instead of standard output. " + LINK_REFUSED,
)
@purpose_option
@db_option
@click.pass_context
def cases_export(ctx, case_id, output, purpose, db_path):
    """Print a case as a case file (schema eirules/case@1) that imports back unchanged.

    The file holds the child's personal information (34 CFR 300.610-300.627,
    303.401-303.417): the export is on the case's record of access, with who,
    when and --purpose, and a notice saying so goes to standard error.

    \b
    Example:
        eirules cases export SYN-C-0001 -o SYN-C-0001.json
    """
    if output:
        check_writable(output, "--output")
    document = open_store(ctx, db_path).export_case(case_id, purpose)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    echo(PERSONAL_NOTICE.format(case=case_id), err=True)
    if output:
        write_private(output, text)  # a child's record: owner only, like the rejects file
        echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)  # a case file (JSON escapes controls)


@cases_group.command("destroy")
@click.argument("case_id", metavar="ID")
@click.option("--reason", required=True, help="Why (no names: the reason stays in the audit log).")
@click.option(
    "--permanent-record",
    "record_path",
    type=click.Path(dir_okay=False),
    help="First write the permanent record IDEA lets the agency keep (34 CFR 300.624(b), "
    "303.416(b)) to this JSON file (readable by you only); nothing is destroyed if it "
    "cannot be written.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
@click.pass_context
def cases_destroy(ctx, case_id, reason, record_path, yes, db_path):
    """Destroy a child's records: remove their personal information everywhere, for good.

    For when the parents ask and the information is no longer needed to provide
    services (34 CFR 300.624, 303.416; keep what your state requires first).
    Removes the case, every version of its file, its determinations and clock
    rows, assignments and the content of its audit entries; the audit chain
    stays verifiable (digests and a case.destroyed entry with the reason) and
    the record of access stays. On SQLite the file is vacuumed so the bytes are
    gone. Needs a data manager. Asks for confirmation unless --yes.

    With --permanent-record FILE, the items a permanent record may keep without
    time limit are written to FILE first (Part C: name, date of birth, service
    coordinators, exit data; Part B: name; the items the caseload does not hold
    are listed as such). The read is on the case's record of access.

    \b
    Example:
        eirules cases destroy SYN-C-0001 --reason "parents' request; services ended 2026-01-31"
        eirules cases destroy SYN-C-0001 --reason "..." --permanent-record SYN-C-0001.keep.json
    """
    store = open_store(ctx, db_path)
    store.require_case(case_id)
    store.require("destroy", case_id)
    if record_path:
        check_writable(record_path, "--permanent-record")
    if not yes and not click.confirm(
        f"Destroy every record of case {case_id}? This cannot be undone", default=False
    ):
        echo("Nothing destroyed.")
        ctx.exit(1)
    if record_path:
        from eirules.core.store.audit import now
        from eirules.plugins.permanent_record import permanent_record

        document = store.export_case(case_id, "permanent record before destruction")
        summary = store.case_summary(case_id)
        coordinators = list(dict.fromkeys(a["caseworker"] for a in summary["assignments"]))
        record = permanent_record(
            document,
            (summary["programs"] or "").split(","),
            coordinators,
            made_at=now(),
            made_by=store.person.login,
        )
        write_private(record_path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        echo(f"Wrote the permanent record of case {case_id} to {record_path}")
    removed = store.destroy_case(case_id, reason)
    echo(
        f"Destroyed case {case_id}: {plural(removed['case_file_versions'], 'case file version')}, "
        f"{plural(removed['determinations'], 'determination')}, "
        f"content of {plural(removed['audit_entries_erased'], 'audit entry')} erased"
    )
    if removed["audit_entries_inline"]:
        echo(
            f"Warning: {plural(removed['audit_entries_inline'], 'audit entry')} written before "
            "eirules kept audit content apart still hold this case's data inside the hash "
            "chain; they cannot be erased without breaking it",
            err=True,
        )


@cases_group.command("assign")
@click.argument("case_id", metavar="ID")
@click.argument("caseworker")
@new_caseworker_option
@db_option
@click.pass_context
def cases_assign(ctx, case_id, caseworker, new_caseworker, db_path):
    """Make CASEWORKER the case's caseworker (the previous assignment is kept as history).

    CASEWORKER must be someone the caseload knows (see `eirules caseworkers
    list`): a misspelt name would move the case off its caseworker's list. Add
    a new one with `eirules caseworkers add NAME`, or pass --new-caseworker.
    Exit status 2 for an unknown name.

    \b
    Example:
        eirules cases assign SYN-C-0001 "Inez Marchbank"
    """
    store = open_store(ctx, db_path)
    changed = store.assign(case_id, caseworker, new_caseworker=new_caseworker)
    caseworker = store.caseworker_name(caseworker)
    if changed:
        echo(f"Assigned case {case_id} to {caseworker}")
    else:
        echo(f"Case {case_id} is already assigned to {caseworker}")


def today() -> date:
    return date.today()


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
    cli.add_command(cases_group)
    cli.add_command(caseworkers_group)
