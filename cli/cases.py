"""`eirules cases` (import, list, add-event, assign) and `eirules caseworkers`."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import click

from eirules.core.errors import did_you_mean
from eirules.core.importing import JSON_LINES
from eirules.core.private_files import write_private
from eirules.core.store import CASE_STATUSES, Store
from eirules.core.store.reimport import CASELOAD_CHANGES

from . import case_records, get_engine
from .errors import problem_lines
from .options import (
    DATE,
    NOTE,
    TEXT,
    as_of_option,
    caseworker_option,
    db_option,
    format_option,
    jobs_option,
)
from .output import echo, echo_warnings, plural, progress_reporter
from .output_options import InputPath, OutputPath, check_writable
from .output_rows import STREAM_FORMATS, emit
from .output_tables import print_table
from .store import db_path_of, new_caseworker_option, open_store, purpose_option
from .table_stream import print_table_rows


@click.group("cases")
def cases_group():
    """Import, list, show, change and export the cases in the caseload.

    \b
    Example:
        eirules cases import examples/caseload --db caseload.db
        eirules cases list --caseworker "Rhea Tallowby"
    """


#: The files `cases import` reads in a folder it is given (core/importing.files_in).
IMPORTED_SUFFIXES = (".json", ".csv", *JSON_LINES)


@cases_group.command("import")
@click.argument("paths", nargs=-1, required=True, type=InputPath(folder=IMPORTED_SUFFIXES))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid records and write the rejected ones, with reasons, to --rejects.",
)
@click.option(
    "--rejects",
    type=OutputPath(),
    default=None,
    help="With --skip-invalid: file for the rejected records, whole, with reasons (one JSON "
    "object per line, readable by you only). Default: CASELOAD-rejects.jsonl beside the caseload.",
)
@click.option(
    "--caseload-changes",
    type=click.Choice(CASELOAD_CHANGES),
    default="refuse",
    show_default=True,
    help="A record that would undo a change made in the caseload since (an event recorded "
    "with `cases add-event` that the record lacks, a caseworker set with `cases assign` "
    "that the file names otherwise): refuse the record (listed as a problem), keep the "
    "caseload's change, or drop it for the file's (each kept or dropped change is listed).",
)
@new_caseworker_option
@jobs_option
@db_option
@click.pass_context
def cases_import(
    ctx, paths, skip_invalid, rejects, caseload_changes, new_caseworker, jobs, db_path
):
    """Import case files (.json), JSON Lines (.jsonl), folders of them and CSV files in one transaction.

    A .jsonl file holds one case document a line; it and any .json file over
    16 MiB (a JSON array of cases) are read record by record, never whole.

    All or nothing by default: one bad record stops the import, nothing is
    written, and every problem is listed with file, record and field. A case
    already stored unchanged is skipped; a changed case is updated and the
    change recorded in the audit log. Every new or changed case is evaluated as
    of today in the same transaction, so `due`, `overdue` and `cases list` are
    right at once; so is an unchanged case whose last evaluation failed or is
    stale. A record never undoes unawares a change made in the caseload since
    (see --caseload-changes), and a CSV row, which cannot hold plans,
    evaluations or conditions, keeps the stored case's. An import into a caseload with no caseworker yet names its
    caseworkers; after that, a caseworker column naming someone the caseload
    does not know is refused (did-you-mean) unless --new-caseworker. Each
    warning those
    evaluations find that the case's previous determination did not have (an
    event dated before the one it answers) is printed on stderr as "Warning: ID:
    reason", the first 10 and then how many more. Exit status 0 on success (a
    warning too), 2 when records are not valid (even with --skip-invalid, so
    scripts notice rejects).

    \b
    Example:
        eirules cases import examples/caseload examples/csv/cases.csv --db caseload.db
    """
    rejects = rejects or default_rejects(db_path)
    if skip_invalid:
        check_writable(rejects, "--rejects")  # the default one too: it may be an input
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
            caseload_changes=caseload_changes,
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
    echo_warnings(result.warnings)
    for case_id, what in result.caseload_changes:
        echo(f"Note: case {case_id}: {what}", err=True)
    if result.unassigned:
        n = result.unassigned
        echo(
            f"Note: {plural(n, 'case')} imported {'has' if n == 1 else 'have'} no caseworker, "
            "so no caseworker's list shows "
            f"{'it' if n == 1 else 'them'}: see eirules due --unassigned; assign with "
            "eirules cases assign ID NAME",
            err=True,
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


@cases_group.command("add-event")
@click.argument("case_id", metavar="ID")
@click.argument("event_type", metavar="TYPE")
@click.argument("on", metavar="DATE", type=DATE)
@click.option(
    "--reason", type=TEXT, help="Why it happened; required for `delay` (see the event vocabulary)."
)
@click.option("--note", type=NOTE, help="A free-text note kept with the event.")
@click.option(
    "--program", type=TEXT, help="Program the event belongs to when the case is in more than one."
)
@click.option(
    "--until",
    type=DATE,
    help="Last day of the period the event covers (YYYY-MM-DD, not before DATE): a delay's "
    "end or agreed date (transfer_in, sld_extension_agreed), the last day absent_from_school. "
    "Only for types that cover a period; without it the event counts as its own day only.",
)
@db_option
@click.pass_context
def cases_add_event(ctx, case_id, event_type, on, reason, note, program, until, db_path):
    """Record an event on a case (checked against the event vocabulary), audited.

    Refuses an unknown type, a date in the future or before the child's birth,
    a missing or unknown reason, a --program the type does not belong to, an
    --until before DATE or on a type that covers no period (only `delay` and
    `absent_from_school` do), and an exact copy of an event the case already
    has, with exit status 2. The case is
    evaluated again as of today in the same transaction, so `due` is right at once;
    a warning the event brings (an IFSP meeting before the referral, an evaluation
    before the consent) is printed on stderr as "Warning: ID: reason", and the
    event is kept (exit status 0).

    \b
    Example:
        eirules cases add-event SYN-C-0001 ifsp_meeting_held 2026-02-20
        eirules cases add-event SYN-C-0002 delay 2026-02-10 --reason exceptional_family_circumstances
        eirules cases add-event SYN-B-0003 delay 2026-02-10 --reason transfer_in --until 2026-03-20
    """
    store = open_store(ctx, db_path, engine=True)
    report = store.add_event(
        case_id,
        event_type,
        on,
        reason=reason,
        note=note,
        program=program,
        until=until,
    )
    if not report.failures:
        echo(f"Added {event_type} on {on.isoformat()} to case {case_id}; its clocks are updated")
    else:  # the event is kept; the evaluation's failure is listed by `due`, as on import
        echo(f"Added {event_type} on {on.isoformat()} to case {case_id}")
        for _, message in report.failures:
            echo(
                f"Note: case {case_id} could not be evaluated ({message.splitlines()[0]}); "
                "it is listed as a failed row by eirules due",
                err=True,
            )
    echo_warnings(report.warnings)


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


def register(cli: click.Group) -> None:
    for command in case_records.COMMANDS:
        cases_group.add_command(command)
    cli.add_command(cases_group)
    cli.add_command(caseworkers_group)
