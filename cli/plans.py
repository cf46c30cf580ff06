"""`eirules plans`, `eirules meetings`, `eirules contacts`: a child's individual plan in a case file.

Every command reads a case file with the one JSON reader and checks it with the
engine (the read-only ones also take a stored case's id, read from the caseload
and put on its record of access); the ones that record something (a meeting, a participant, a contact,
progress data from CSV) change only the `plans` section of the document, check
the whole case again and replace the file in one step (a temporary file renamed
over it), so a refused change leaves the file exactly as it was.

The plans group is here; meetings.py and contacts.py hold the other two, and
plan_files.py what the three share. `register` adds all three.
"""

from __future__ import annotations

import io
from datetime import date

import click

from eirules.core.errors import InputError, Problem
from eirules.core.input_files import CsvRecords, read_input

from . import plan_files
from .contacts import contacts_add, contacts_group, contacts_list
from .meetings import (
    meetings_check,
    meetings_group,
    meetings_notice,
    meetings_participant,
    meetings_schedule,
)
from .options import as_of_option, format_option
from .output import echo, plural
from .output_options import InputPath, write_pages
from .plan_files import (
    _list,
    _load,
    _record,
    _update,
    case_file_arg,
    lang_option,
    out_option,
    pdf_option,
    read_case_options,
)

__all__ = [
    "case_file_arg",
    "contacts_add",
    "contacts_group",
    "contacts_list",
    "lang_option",
    "meetings_check",
    "meetings_group",
    "meetings_notice",
    "meetings_participant",
    "meetings_schedule",
    "out_option",
    "pdf_option",
    "plans_group",
    "plans_import",
    "plans_report",
    "plans_show",
    "read_case_options",
    "register",
]


# --- plans ---------------------------------------------------------------------------


@click.group("plans")
def plans_group():
    """IFSP outcomes and IEP goals: where each stands, and the progress report for the family.

    Goals live in the case file's `plans` section (docs/plans.md).

    \b
    Example:
        eirules plans show examples/plans/pb-iep-goals.json --as-of 2026-02-20
    """


@plans_group.command("show")
@read_case_options
@as_of_option("Judge progress as of this date (YYYY-MM-DD). Default: today.")
@format_option("json", "csv")
@click.pass_context
def plans_show(ctx, case_file, db_path, purpose, as_of, fmt):
    """List the case's outcomes and goals with where each stands.

    Up to the target date, status is met, on_track, not_on_track,
    not_enough_data (too few points for a trend) or trend_unclear (a trend that
    cannot be told apart from the aimline yet), judged by the MTSS trend rule on
    the measurements dated on or before --as-of. After the target date it is
    met, not_met or data_stopped, from the measurements on or before the target
    date (docs/plans.md). CASE is a case file, or the id of a case in the
    caseload (--db).

    \b
    Example:
        eirules plans show examples/plans/pb-iep-goals.json --as-of 2026-02-20
    """
    from eirules.plugins.plans.progress import goal_progress

    engine, case = _load(ctx, case_file, db_path, purpose, "plans show")
    on = as_of or date.today()
    ruleset = engine.ruleset_for(case)
    rows = []
    for goal in _record(case).goals:
        gp = goal_progress(goal, ruleset, on)
        rows.append(
            {
                "goal": goal.id,
                "plan": goal.plan,
                "status": gp.status,
                "points": len(gp.points),
                "latest": None if gp.latest is None else gp.latest.value,
                "target": goal.target,
                "target_date": goal.target_date.isoformat(),
                "projected": gp.projected,
                "statement": goal.statement,
            }
        )
    _list(
        rows,
        fmt,
        f"No goals in {case_file}.",
        f"{plural(len(rows), 'goal')}, as of {on}",
        table=("goal", "status", "points", "latest", "target", "target_date", "projected"),
    )


@plans_group.command("report")
@read_case_options
@click.option("--period", help="Reporting period id from the case's plans.progress_reports.")
@as_of_option("Report as of this date instead of a period's last day (YYYY-MM-DD).")
@lang_option
@out_option
@pdf_option
@click.pass_context
def plans_report(ctx, case_file, db_path, purpose, period, as_of, lang, out, pdf):
    """Write the progress report for the family: each goal in plain words, a graph, what next.

    With --period, the report covers that reporting period (its last day is the
    as-of date; observations since the previous period are quoted). The page
    is self-contained HTML; --pdf prints it to PDF with headless Chromium. CASE
    is a case file, or the id of a case in the caseload (--db).

    \b
    Examples:
        eirules plans report examples/plans/pb-iep-goals.json --period "2025-26 Q3" --out q3.html
        eirules plans report examples/plans/pc-ifsp-outcomes.json --lang es --as-of 2026-02-01 --out es.html
    """
    from eirules.plugins.plans.progress import goal_progress
    from eirules.plugins.plans.report import render_progress_report

    engine, case = _load(ctx, case_file, db_path, purpose, "plans report")
    rec = _record(case)
    chosen, since = None, None
    if period is not None:
        periods = {r.period: r for r in rec.progress_reports}
        if period not in periods:
            from eirules.core.errors import did_you_mean

            raise InputError(
                f'no reporting period "{period}" in {case_file}',
                [
                    Problem(
                        "--period",
                        did_you_mean(period, periods)
                        or f"expected one of: {', '.join(periods) or '(none recorded)'}",
                    )
                ],
            )
        chosen = periods[period]
        earlier = [r.ends for r in rec.progress_reports if r.ends < chosen.ends]
        since = max(earlier) if earlier else None
    on = as_of or (chosen.ends if chosen else date.today())
    ruleset = engine.ruleset_for(case)
    progress = [goal_progress(g, ruleset, on) for g in rec.goals if g.baseline_date <= on]
    if not progress:
        raise InputError(
            f"{case_file} has no goals to report on {on.isoformat()}",
            [Problem("plans.goals", "add outcomes or goals (docs/plans.md)")],
        )
    html = render_progress_report(case, progress, rec.contacts, chosen, on, lang, since)
    write_pages(html, out, pdf)


@plans_group.command("import")
@case_file_arg
@click.argument("csv_file", type=InputPath(exists=True, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["points", "notes"]),
    required=True,
    help="points: goal,date,value[,by,setting]; notes: goal,date,kind,by,text.",
)
@click.pass_context
def plans_import(ctx, case_file, csv_file, kind):
    """Add progress measurements or observations from a CSV file to the case's goals.

    The first row names the columns. Every row is checked before anything is
    written: an unknown goal, a bad date or number, a date after today, a value
    below zero or a cell the case file would refuse refuses the whole file (exit
    2, each problem named by its CSV line) and the case file is left as it was.
    Rows already in the file are skipped.

    \b
    Example:
        eirules plans import examples/plans/pb-iep-goals.json points.csv --kind points
    """
    on = plan_files.today()  # once: the CSV's rows and the case file checked against one day
    rows = _read_csv(csv_file, kind, on)

    def change(plans: dict) -> tuple[int, int]:
        goals = {g.get("id"): g for g in plans.get("goals", []) if isinstance(g, dict)}
        problems = [
            Problem(f"{csv_file}:{line}: goal", f'no goal "{row["goal"]}" in the case file')
            for line, row in rows
            if row["goal"] not in goals
        ]
        if problems:
            raise InputError(f"{csv_file} names goals the case does not have", problems)
        added = skipped = 0
        field = "points" if kind == "points" else "notes"
        for _, row in rows:
            entry = {k: v for k, v in row.items() if k != "goal" and v not in (None, "")}
            target = goals[row["goal"]].setdefault(field, [])
            if entry in target:
                skipped += 1
            else:
                target.append(entry)
                added += 1
        return added, skipped

    (added, skipped), _ = _update(ctx, case_file, change, on)
    echo(f"{plural(added, 'row')} added, {skipped} already there, in {case_file}")


_CSV_COLUMNS = {
    "points": (("goal", "date", "value"), ("by", "setting")),
    "notes": (("goal", "date", "kind", "by", "text"), ()),
}


def _read_csv(csv_file: str, kind: str, today: date) -> list[tuple[int, dict]]:
    required, optional = _CSV_COLUMNS[kind]
    try:
        text = read_input(csv_file, expected="a CSV file").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{csv_file} is not UTF-8 text", [Problem("", "save it as UTF-8 CSV")]
        ) from exc
    reader = CsvRecords(csv_file, io.StringIO(text))  # each record bounded
    header = next(reader, None) or []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    if missing or unknown:
        raise InputError(
            f"{csv_file} does not have the {kind} columns",
            [Problem("header", f"missing column {c}") for c in missing]
            + [
                Problem("header", f"unknown column {c}; expected {', '.join(required + optional)}")
                for c in unknown
            ],
        )
    rows, problems = [], []
    for line, raw in enumerate(reader.dicts(header), start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            problems.append(Problem(f"line {line}", "more cells than columns"))
            continue
        try:
            day = date.fromisoformat(row["date"])
            if len(row["date"]) != 10:
                raise ValueError
        except ValueError:
            problems.append(Problem(f"line {line}: date", "expected YYYY-MM-DD"))
            continue
        if day > today:  # as the case file's events: nothing recorded has happened yet
            problems.append(
                Problem(
                    f"line {line}: date",
                    f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                    f"record {'a measurement' if kind == 'points' else 'a note'} on or after "
                    "the day it is made",
                )
            )
            continue
        if kind == "points":
            value = row["value"]
            if not value.isascii() or not _is_number(value):
                problems.append(Problem(f"line {line}: value", "expected a number (ASCII digits)"))
                continue
            row["value"] = float(value) if "." in value else int(value)
            if row["value"] < 0:
                problems.append(
                    Problem(
                        f"line {line}: value",
                        f"{value} is below zero",
                        "expected 0 or more: a measurement is a count, a rate, a share or a "
                        "duration (docs/plans.md); a measure that can go below zero is written "
                        "into the case file itself",
                    )
                )
                continue
        bad = _field_problems(kind, row)
        if bad:
            problems.extend(Problem(f"line {line}: {f}", what, fix) for f, what, fix in bad)
            continue
        rows.append((line, row))
    if problems:
        raise InputError(f"{csv_file} has rows that cannot be read", problems)
    return rows


def _field_problems(kind: str, row: dict) -> list[tuple[str, str, str | None]]:
    """Each cell checked by its field's own check in the case-file model, so a control
    character or an unknown kind of note is reported against its CSV line (the whole
    case is checked again before it is written)."""
    import attrs

    from eirules.core.errors import ValueProblem
    from eirules.plugins.plans.models import ProgressNote, ProgressPoint

    model = ProgressPoint if kind == "points" else ProgressNote
    out = []
    for a in attrs.fields(model):
        value = row.get(a.name)
        if a.name in ("date", "value"):  # read above
            continue
        if value in (None, ""):
            if a.default is attrs.NOTHING:
                out.append((a.name, "is empty", "expected some text"))
            continue
        try:
            a.validator(None, a, value)
        except ValueProblem as exc:
            out.append((a.name, exc.what, exc.fix))
    return out


def _is_number(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    whole, _, frac = body.partition(".")
    return (whole.isdigit() or (whole == "" and frac != "")) and (frac == "" or frac.isdigit())


def register(cli: click.Group) -> None:
    cli.add_command(plans_group)
    cli.add_command(meetings_group)
    cli.add_command(contacts_group)
