"""`eirules evaluate` and `demo`: running the caseload (`eirules audit`: cli/audit.py)."""

from __future__ import annotations

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
    as_of_option,
    db_option,
    jobs_option,
)
from .output import echo, echo_warnings, plural
from .output_tables import is_terminal
from .store import open_store


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
    date its stored determination answers for moves to the date asked. Each
    warning of a stored determination that the case's previous one did not have
    is printed on stderr as "Warning: ID: reason" (the first 10, then how many
    more). Exit status 0 (warnings too), or 1 when some cases could not be
    evaluated (they are listed).

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
    if all_cases and case_ids:  # one of them would be ignored: which did they mean?
        raise click.UsageError("--all and --case exclude each other; give one of them")
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
    echo_warnings(report.warnings)
    for case_id, message in report.failures:
        echo(f"Error: case {case_id} not evaluated: {message}", err=True)


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
            echo_warnings(result.warnings)
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
    for command in (evaluate_command, demo_command):
        cli.add_command(command)
