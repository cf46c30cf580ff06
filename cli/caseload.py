"""`eirules evaluate`, `audit` and `demo`: running and checking the caseload."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import attrs
import click

from eirules.core.errors import InputError, Problem
from eirules.core.store import Store

from . import get_engine
from .due import WithinType, past_due, show_due, tally_of
from .errors import remember_db
from .options import (
    COUNT,
    HASH,
    as_of_option,
    db_option,
    format_option,
    jobs_option,
)
from .output import csv_text, echo, echo_json, plural
from .output_options import check_writable
from .output_rows import emit
from .output_tables import is_terminal, print_table
from .store import db_path_of, open_store


@click.command("evaluate")
@click.option("--all", "all_cases", is_flag=True, help="Evaluate every case in the caseload.")
@click.option(
    "--case", "case_ids", multiple=True, metavar="ID", help="Evaluate this case (repeatable)."
)
@as_of_option()
@click.option(
    "--force",
    is_flag=True,
    help="Evaluate every case again, even one whose stored determination is current "
    "(same case file, ruleset version, engine and calendars, and a date it holds for; "
    "e.g. after upgrading a plugin).",
)
@jobs_option
@click.option(
    "--engine",
    "run_on",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where the cases are evaluated: local (this machine, --jobs worker processes) or "
    "dask (a Dask cluster; needs the dask extra). The determinations are the same.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: the Dask scheduler's address (tcp://HOST:8786). "
    "Default: a cluster of --jobs worker processes started on this machine.",
)
@db_option
@click.pass_context
def evaluate_command(ctx, all_cases, case_ids, as_of, force, jobs, run_on, scheduler, db_path):
    """Re-evaluate the caseload, store each determination and print what changed since the last run.

    Each determination is stored with the ruleset id and version, the engine
    version, the as-of date and the hash of the case file it read. They are
    written 250 cases to a transaction, so another person's write waits for one
    such part at most; a run stopped part-way keeps the parts it wrote, each
    case's determination whole. A case whose stored determination was made
    from the same case file, by the same engine and ruleset version (and no
    district calendar changed since), and holds for the date asked (the dates
    over which it cannot change: docs/scale.md), is skipped unless --force; the
    date its stored determination answers for moves to the date asked. Exit
    status 0, or 1 when some cases could not be evaluated (they are listed).

    With --engine dask the cases are read and the determinations stored here,
    as always; only the evaluation runs on the Dask cluster's workers (each
    needs the same eirules, plugins and ruleset folders: docs/scale.md).

    \b
    Examples:
        eirules evaluate --all --as-of 2026-03-02
        eirules evaluate --all --engine dask --scheduler tcp://10.0.0.5:8786
    """
    if not all_cases and not case_ids:
        raise InputError(
            "say which cases to evaluate",
            [Problem("", "no --all or --case given", "use --all for the whole caseload")],
        )
    if scheduler is not None and run_on != "dask":
        raise click.UsageError("--scheduler is for --engine dask; add --engine dask")
    workers = None
    if run_on == "dask":
        from eirules.bulk import DaskWorkers
        from eirules.core.store.workers import default_jobs

        workers = DaskWorkers(scheduler, jobs or default_jobs())
    store = open_store(ctx, db_path, engine=True)
    if jobs:
        store.jobs = jobs
    as_of = as_of or date.today()
    ids = None if all_cases else list(case_ids)
    if ids:
        for case_id in ids:
            store.require_case(case_id, where="--case")
    total = store.case_count() if ids is None else len(ids)
    report = _run_with_progress(
        store, as_of, None, ids, total, skip_current=not force, workers=workers
    )
    _print_report(report)
    if report.failures:
        ctx.exit(1)


def _run_with_progress(
    store: Store,
    as_of: date,
    user: str | None,
    ids,
    total: int,
    *,
    skip_current: bool = False,
    workers=None,
):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("Evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    ) as progress:
        task = progress.add_task("evaluate", total=total)
        return store.evaluate(
            as_of=as_of,
            user=user,
            case_ids=ids,
            progress=lambda n: progress.advance(task, n),
            skip_current=skip_current,
            workers=workers,
        )


def _print_report(report) -> None:
    echo(
        f"Evaluated {plural(report.evaluated, 'case')} as of "
        f"{report.as_of.isoformat()} (run {report.run_id})"
        + (
            f"; {report.first_evaluations} evaluated for the first time"
            if report.first_evaluations
            else ""
        )
        + (
            f"; {plural(report.skipped, 'case')} skipped, current as of "
            f"{report.as_of.isoformat()} (--force evaluates them again)"
            if report.skipped
            else ""
        )
    )
    if report.unchanged:
        echo(
            f"{plural(report.unchanged, 'case')} decided as before: "
            "the latest determination stands (not stored again)."
        )
    overdue = [c for c in report.changes if c.kind == "new_overdue"]
    eligibility = [c for c in report.changes if c.kind == "eligibility_changed"]
    if not report.changes and (report.first_evaluations < report.evaluated or report.skipped):
        # The change list names new lateness and eligibility; a decision that moved
        # otherwise (a clock no longer overdue, as of another date) is still a change.
        moved = report.evaluated - report.unchanged - report.first_evaluations
        if moved > 0:
            echo(
                f"{plural(moved, 'case')} decided differently from the last run "
                "(eirules cases show ID); no clock newly overdue, no eligibility changed."
            )
        else:
            echo("No changes since the last run.")
    if overdue:
        echo(f"Newly overdue clocks ({len(overdue)}):")
        for c in overdue:
            echo(f"  {c.case_id}  {c.what}")
    if eligibility:
        echo(f"Eligibility changes ({len(eligibility)}):")
        for c in eligibility:
            echo(f"  {c.case_id}  {c.what}: {c.before or 'none'} -> {c.after}")
    for case_id, message in report.failures:
        echo(f"Error: case {case_id} not evaluated: {message}", err=True)


# audit --------------------------------------------------------------------------------


@click.group("audit")
def audit_group():
    """Show and verify the hash-chained audit log of every write.

    \b
    Example:
        eirules audit verify --db caseload.db
    """


@audit_group.command("verify")
@click.option(
    "--anchor",
    type=HASH,
    help="A last hash printed by an earlier verify and kept elsewhere: check it is still there.",
)
@db_option
@click.pass_context
def audit_verify(ctx, anchor, db_path):
    """Check the audit log's hash chain, and the caseload's tables against the log.

    The chain: every entry's hash and link, so an edited or deleted entry is
    named. The data: every case, run and assignment has its entry; every
    stored case document matches its hash and the hash of its latest entry;
    each case's rows are the ones its document gives; each evaluation's
    determinations match the digest its entry recorded, and the clock rows
    and statuses `due` and `overdue` read match the latest determination. So
    a deleted or truncated log, a clock row deleted or moved, a document,
    status or assignment changed outside eirules all show.

    Prints the last entry's hash. Whoever can write the file could rewrite
    log and tables consistently; keep the head elsewhere with `eirules audit
    anchor --write` and check it later (docs/threat-model.md). Exit status 0
    when everything agrees, 1 when something does not.

    \b
    Examples:
        eirules audit verify
        eirules audit verify --anchor 3f1c...e9 (the full 64-character hash)
    """
    store = open_store(ctx, db_path, engine=True)
    count, problems = store.verify_audit()
    problems = [*problems, *store.verify_data()]
    anchored = None
    if anchor:
        anchored = store.conn.execute(
            "SELECT id FROM audit_log WHERE hash = ?", (anchor,)
        ).fetchone()
        if anchored is None:
            problems = [
                *problems,
                f"anchor {anchor[:12]}: no entry has this hash; the log was rewritten at or "
                "before the entry it was noted at",
            ]
    if not problems:
        cases = store.case_count()
        echo(
            f"Audit log intact: {count} entr{'ies' if count != 1 else 'y'} verified; "
            f"the caseload's {plural(cases, 'case')} match{'es' if cases == 1 else ''} it."
        )
        head = store.audit_head()
        if head:
            echo(f"Last hash: {head[2]}")
        if anchored:
            echo(
                f"Anchor found at entry {anchored[0]}: entries 1 to {anchored[0]} are unchanged "
                "since it was noted."
            )
        return
    echo(f"Audit log BROKEN: {plural(len(problems), 'problem')} in {count} entries:")
    for problem in problems:
        echo(f"  {problem}")
    ctx.exit(1)


@audit_group.command("anchor")
@click.option(
    "--write",
    "write_to",
    type=click.Path(dir_okay=False),
    help="Also write the head to this file (JSON). Keep it where the caseload's users cannot "
    "write: another machine, a ticket, a signed e-mail.",
)
@click.option(
    "--check",
    "check_against",
    metavar="FILE|HASH",
    help="Check the log against an anchor kept earlier: a file written by --write, or its hash.",
)
@db_option
@click.pass_context
def audit_anchor(ctx, write_to, check_against, db_path):
    """Print the head of the audit chain, write it to a file, or check the log against one.

    The audit log is a hash chain: each entry's hash covers the one before, so
    the newest hash vouches for every entry up to it. Someone who can write the
    caseload file can rewrite the whole log and recompute the chain, and
    `audit verify` alone cannot tell. A head kept outside the caseload can:
    --check later says whether the entry it names still has that hash, so no
    entry up to it was changed or removed since. Exit status 0 when the anchor
    holds (or was printed or written), 1 when it does not.

    \b
    Examples:
        eirules audit anchor
        eirules audit anchor --write /mnt/audit/caseload-2026-03-02.anchor
        eirules audit anchor --check /mnt/audit/caseload-2026-03-02.anchor
    """
    store = open_store(ctx, db_path)
    if check_against:
        _check_anchor(ctx, store, check_against)
        return
    head = store.audit_head()
    if head is None:
        raise InputError(
            "the audit log is empty: nothing to anchor",
            [Problem("", "no write has been recorded yet", "anchor after the first import")],
        )
    entries, last_id, last_hash = head
    anchor = {
        "schema": "eirules/audit-anchor@1",
        "caseload": str(db_path_of(db_path)),
        "entry": last_id,
        "entries": entries,
        "hash": last_hash,
        "written_at": _now(),
    }
    if write_to:
        check_writable(write_to, "--write")
        Path(write_to).write_text(json.dumps(anchor, indent=2) + "\n", encoding="utf-8")
    echo(f"Audit head: entry {last_id} of {entries}, hash {last_hash}")
    if write_to:
        echo(f"Wrote {write_to}; check it later with: eirules audit anchor --check {write_to}")


def _check_anchor(ctx, store, given: str) -> None:
    """Exit 1 unless the entry the anchor names still has its hash and the chain is intact."""
    from eirules.core.jsonio import read_json

    text = given.strip().lower()
    entry = None
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        digest = text
    else:
        data = read_json(given)
        if not isinstance(data, dict) or not isinstance(data.get("hash"), str):
            raise InputError(
                f"{given} is not an audit anchor",
                [Problem("hash", "missing", "write one with: eirules audit anchor --write FILE")],
            )
        digest, entry = data["hash"].lower(), data.get("entry")
    row = store.conn.execute("SELECT id FROM audit_log WHERE hash = ?", (digest,)).fetchone()
    _, chain = store.verify_audit()
    if row is None or (isinstance(entry, int) and row[0] != entry):
        echo(
            f"Anchor does NOT hold: no entry {entry if entry else ''} has hash {digest[:12]}; "
            "the log was rewritten or cut at or before the anchored entry."
        )
        ctx.exit(1)
    if chain:
        echo(f"Anchor found at entry {row[0]}, but the chain is broken:")
        for problem in chain:
            echo(f"  {problem}")
        ctx.exit(1)
    echo(f"Anchor holds: entries 1 to {row[0]} are unchanged since the anchor was taken.")


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0).isoformat()


@audit_group.command("log")
@click.option("--case", "case_id", metavar="ID", help="Only entries about this case.")
@click.option("--last", type=COUNT, help="Only the newest N entries.")
@format_option("json", "csv", out=True)
@db_option
@click.pass_context
def audit_log(ctx, case_id, last, fmt, db_path):
    """Show the history of writes: when, who, what, before and after.

    The table shows each write's summary; --format json or csv adds what the
    entry held before and after the write (JSON in CSV cells), and its hash.

    \b
    Example:
        eirules audit log --case SYN-C-0001
        eirules audit log --last 20 --format csv --out audit.csv
    """
    store = open_store(ctx, db_path)
    if case_id:
        store.require_case(case_id, where="--case")
    rows = store.audit_log(case_id, limit=last)
    if fmt == "json":
        for r in rows:
            r["before"] = json.loads(r["before"]) if r["before"] else None
            r["after"] = json.loads(r["after"]) if r["after"] else None
    if not rows and fmt == "table":
        echo("No audit entries.")
        return

    def table():
        print_table(
            ["#", "at", "user", "action", "summary"],
            [[str(r["id"]), r["at"], r["user"], r["action"], r["summary"]] for r in rows],
            keep=(0, 1, 3),
        )
        echo("Before and after of each write: --format json or --format csv.")

    emit(fmt, rows, AUDIT_COLUMNS, table)


#: The audit log's columns in JSON and CSV (every field of an entry).
AUDIT_COLUMNS = ("id", "at", "user", "action", "case_id", "summary", "before", "after", "hash")


@audit_group.command("access")
@click.option(
    "--case", "case_id", metavar="ID", required=True, help="The case whose record to print."
)
@format_option("json", "csv", out=True)
@db_option
@click.pass_context
def audit_access(ctx, case_id, fmt, db_path):
    """Print a case's record of access: who read or exported it, when, and why.

    Every show, export and replay of a case is recorded with the reader's
    login and role, the time (UTC) and the purpose they stated (--purpose); this
    is the record a parent may ask to see (34 CFR 300.614, 303.405). Needs an
    auditor's or a data manager's role. A destroyed case's record stays.

    \b
    Example:
        eirules audit access --case SYN-C-0001
    """
    store = open_store(ctx, db_path)
    rows = store.access_record(case_id)
    if fmt == "json":
        echo_json(rows)
        return
    columns = ["at", "login", "role", "action", "purpose"]
    if fmt == "csv":
        click.echo(csv_text(rows, columns), nl=False)
        return
    if not rows:
        echo(f"No recorded access to case {case_id}.")
        return
    print_table(
        columns,
        [[str(r[c] or "") for c in columns] for r in rows],
        title=f"Record of access to case {case_id}",
    )


# demo ---------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Keep the demo caseload in this file (created or updated). Default: a temporary file, removed afterwards.",
)
@as_of_option("Date the synthetic caseload is built around and evaluated on. Default: 2026-03-02.")
@click.option(
    "--within",
    type=WithinType(),
    default="14d",
    show_default=True,
    help="How far ahead the due view looks.",
)
@click.pass_context
def demo_command(ctx, db_path, as_of, within):
    """Build the bundled synthetic caseload (240 fictional children), evaluate it and show what is due.

    Creates the database, imports the seeded caseload (Part C and Part B,
    five caseworkers), evaluates every case and prints the overdue clocks and
    those due within --within. All children are fictional.

    \b
    Example:
        eirules demo
        eirules demo --db demo.db && eirules due --db demo.db --as-of 2026-03-02
    """
    from .synthetic import DEMO_AS_OF, generate, records

    as_of = as_of or DEMO_AS_OF
    user = None
    workdir = None
    if db_path is None:
        workdir = tempfile.mkdtemp(prefix="eirules-demo-")
        target = Path(workdir) / "demo.db"
    else:
        target = Path(db_path)
        _refuse_a_real_caseload(target)
    remember_db(ctx, target)
    try:
        store, _ = Store.init(target, get_engine(ctx))
        try:
            pairs = generate(as_of=as_of)
            # The fictional caseload lives on its own timeline: its events run up to --as-of.
            result = store.import_records(
                records(pairs),
                user=user,
                today=max(as_of, date.today()),
                evaluate_as_of=as_of,
                new_caseworkers=True,
            )
            echo(
                f"Demo caseload: {len(pairs)} fictional children "
                f"({result.created} new, {result.updated} updated, {result.unchanged} unchanged), "
                f"evaluated as of {as_of.isoformat()}"
                + (f"; {len(result.failures)} could not be evaluated" if result.failures else "")
            )
            overdue = store.due(as_of=as_of, overdue_only=True)
            ahead = store.due(as_of=as_of, within_days=within)
            upcoming = attrs.evolve(
                ahead,
                rows=tuple(r for r in ahead.rows if r["days_left"] is None or r["days_left"] >= 0),
            )
            echo("")
            late = "; ".join(past_due(tally_of(overdue.rows)))  # as `eirules overdue` counts
            show_due(overdue, "table", title=f"Past due as of {as_of.isoformat()} ({late})")
            echo("")
            what = "everything open" if within is None else f"due within {within} days"
            show_due(upcoming, "table", title=f"{what[0].upper()}{what[1:]} ({len(upcoming.rows)})")
            echo("")
            from .mtss import demo_view  # the MTSS view of the bundled school (issue 7)

            demo_view(ctx, as_of)
            echo("")
            if workdir:
                echo("The demo database was temporary; keep one with: eirules demo --db demo.db")
            else:
                echo(
                    f"Caseload kept in {target}. Next: eirules due --db {target} "
                    f"--as-of {as_of.isoformat()}"
                )
        finally:
            store.close()
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if not is_terminal():
        sys.stdout.flush()


def _refuse_a_real_caseload(target: Path) -> None:
    """The demo may rebuild its own file, never mix fictional children into real cases."""
    if not target.exists():
        return
    existing = Store.open(target)
    try:
        others = existing.conn.execute(
            "SELECT count(*) FROM cases WHERE substr(id, 1, 4) <> 'SYN-'"
        ).fetchone()[0]
    finally:
        existing.close()
    if others:
        raise InputError(
            f"refusing to add the fictional demo caseload to {target}",
            [
                Problem(
                    "--db",
                    f"it holds {plural(others, 'case')} that "
                    f"{'are' if others != 1 else 'is'} not from the demo",
                    "give a new file, e.g. --db demo.db",
                )
            ],
        )


def register(cli: click.Group) -> None:
    for command in (evaluate_command, audit_group, demo_command):
        cli.add_command(command)
