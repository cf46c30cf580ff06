"""`eirules indicators`: the federal compliance indicators (SPP/APR) over the caseload."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import write_private

from . import get_engine
from .options import DATE, db_option, format_option
from .output import CsvWriter, plural, safe
from .output import echo as _echo
from .output_options import DASH_IS_STDOUT, LINK_REFUSED, OutputPath
from .output_tables import plain_table, print_table
from .store import open_store, purpose_option

CODES = ("C1", "C7", "C8A", "C8B", "C8C", "B11", "B12", "B13")
DRILL_COLUMNS = (
    "indicator", "case_id", "child", "clock", "label", "episode", "subject", "start", "due", "done", "status",
    "days_late", "reason", "caseworker", "district", "county", "provider", "category",
)  # fmt: skip


@click.command("indicators")
@db_option
@click.option("--year", help="Reporting year, July 1 to June 30, e.g. 2025-26.")
@click.option("--from", "start", type=DATE, help="First day of a custom period (with --to).")
@click.option("--to", "end", type=DATE, help="Last day of a custom period (with --from).")
@click.option(
    "--indicator",
    "codes",
    multiple=True,
    type=click.Choice(CODES, case_sensitive=False),
    help="Only this indicator (repeatable). Default: all of them.",
)
@click.option(
    "--by",
    type=click.Choice(["caseworker", "district", "county", "provider"]),
    help="Also break each figure down by this unit.",
)
@click.option(
    "--children",
    is_flag=True,
    help="List the children behind each figure (every one counted late, and every one left "
    "out for lack of data, with the clock, dates, status and reason). Never suppressed.",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="List data problems that would make an indicator wrong, each with the case and the fix "
    "(the warnings of each case's stored determination, event dates out of order, by rule; "
    "determinations as of a day before the day after the period's end, and the units its "
    "indicators leave out for lack of data, for --year or --from/--to, without them the "
    "latest reporting year ended), "
    "instead of the figures. Exit status 1 when it finds any, 0 when none.",
)
@format_option(
    "json", "csv", "html",
    help="table for people, json or csv for other programs, html for a printable report.",
)  # fmt: skip
@click.option(
    "--out",
    type=OutputPath(stdout=True),
    help="Write to this file instead of stdout (replaced only when the report is complete). "
    + DASH_IS_STDOUT
    + " "
    + LINK_REFUSED,
)
@purpose_option
@click.pass_context
def indicators_command(
    ctx, db_path, year, start, end, codes, by, children, check_only, fmt, out, purpose
):
    """Compute the SPP/APR compliance indicators C1, C7, C8A-C, B11, B12 and B13.

    Counts the clocks of every case's latest stored determination (run
    `eirules evaluate --all` first), so each figure agrees with `check` and
    `due`. Each indicator shows numerator, denominator, percent, the 100%
    target, the late units with days late and the reasons, and what the
    measurement table leaves out. Definitions and sources: docs/indicators.md.

    \b
    Examples:
        eirules indicators --year 2025-26
        eirules indicators --year 2025-26 --indicator C7 --children
        eirules indicators --year 2025-26 --by caseworker --format csv --out c.csv
        eirules indicators --year 2025-26 --format html --out report.html
        eirules indicators --check
    """
    from eirules.plugins.indicators.api import CLI_NAMES, period_of, settings_lookup
    from eirules.plugins.indicators.common import year_of
    from eirules.plugins.indicators.data_quality import check_caseload
    from eirules.plugins.indicators.registry import compute
    from eirules.plugins.indicators.report import stale_note
    from eirules.plugins.indicators.sources import (
        not_evaluated,
        scoped_cases,
        store_scope,
        stored_facts,
    )

    store = open_store(ctx, db_path)
    store.require("report")
    if check_only:
        if fmt == "html":
            raise InputError(
                "--check has no html report",
                [Problem("--format", "html", "use table, json or csv")],
            )
        # Determinations older than the period's end, and units it cannot count: the period
        # asked for, or the latest reporting year that has ended.
        if year is None and start is None and end is None:
            checked = year_of(year_of(date.today()).start - timedelta(days=1))
        else:
            checked = period_of(year, start, end, CLI_NAMES)
        problems = check_caseload(store.conn, get_engine(ctx), scoped_cases(store), period=checked)
        if out or fmt != "table":
            _emit(out, _render_problems(problems, fmt))
        else:  # for people on stdout: at the reader's width, like every command
            _echo(_render_problems(problems, fmt), nl=False)
        if problems:  # data problems are a finding, like `rulesets validate`: exit 1
            ctx.exit(1)
        return
    period = period_of(year, start, end, CLI_NAMES)
    engine = get_engine(ctx)
    scope = store_scope(store)  # a district supervisor counts their district only
    report = compute(
        stored_facts(store.conn, scope=scope),
        period,
        settings_lookup(engine, period.end),
        codes=[c.upper() for c in codes] or None,
        by=by,
        children=children or fmt == "html",
    )
    if children or fmt == "html":  # the list of children is a read of their records
        store.record_reads(report.named_cases(), "indicators drill-down", purpose)
    missing = not_evaluated(store.conn, scope)
    if report.cases == 0:
        raise InputError(
            "no evaluated cases in the caseload",
            [Problem("--db", "nothing to count", "run: eirules evaluate --all")],
        )
    if fmt == "json":
        text = json.dumps(report.as_dict(children=children), indent=2) + "\n"
    elif fmt == "csv":
        text = _csv(report, children)
    elif fmt == "html":
        from .indicators_html import render_html

        text = render_html(report)
    else:
        text = None
    if text is not None:
        _emit(out, text)
    elif out:
        buffer = io.StringIO()
        _table(report, children, missing, echo=lambda s="": buffer.write(s + "\n"))
        _emit(out, buffer.getvalue())
    else:
        _table(report, children, missing, echo=_echo)
    # json has it as a field (evaluated_before_period_end), html and the table in the head.
    if (note := stale_note(report)) and fmt == "csv":
        click.echo(note, err=True)
    if missing and fmt != "table":
        click.echo(
            f"Note: {plural(len(missing), 'case')} not evaluated yet, not counted "
            "(run: eirules evaluate --all)",
            err=True,
        )


def _emit(out: str | None, text: str) -> None:
    """Write the whole text to stdout, or replace the --out file only once it is complete."""
    if not out:
        click.echo(text, nl=False)
        return
    target = Path(out)
    write_private(target, text)  # the drill-down names children: owner only
    click.echo(f"Wrote {target}", err=True)


def _csv(report, children: bool) -> str:
    """One row per late or not measurable unit (--children), or one per indicator and unit.
    `level` tells the total row ("total") from a unit's (the --by name); a unit with no
    name recorded has an empty `unit`, so no real name can pass for either."""
    from eirules.plugins.indicators.report import item_dict, summary

    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    if children:
        writer.writerow(DRILL_COLUMNS)
        for result in report.indicators:
            for item in result.drill_down():
                row = item_dict(item)
                writer.writerow([row[c] for c in DRILL_COLUMNS])
        return buffer.getvalue()
    writer.writerow(
        ["period", "indicator", "unit", "numerator", "denominator", "percent", "target", "late",
         "level"]
    )  # fmt: skip
    for r in summary(report, suppress=True)["indicators"]:
        rows = [("", r, "total")] + [(u["unit"] or "", u, report.by) for u in r["by_unit"]]
        for unit, t, level in rows:
            pct = "no data" if t["percent"] is None else t["percent"]
            pct = f"{pct:.1f}" if isinstance(pct, float) else pct
            writer.writerow(
                [report.period.label, r["indicator"], unit, t["numerator"], t["denominator"],
                 pct, r["target"], t["late"], level]
            )  # fmt: skip
    return buffer.getvalue()


def _table(report, children: bool, missing: list[str], echo) -> None:
    from eirules.plugins.indicators.report import (
        B12_CATEGORY_WORDS,
        days_text,
        percent_text,
        stale_note,
        summary,
    )

    published = summary(report, suppress=not children)
    below = report.suppress_below if published["suppressed"] else None
    span = (
        report.evaluated_from.isoformat()
        if report.evaluated_from == report.evaluated_to
        else f"{report.evaluated_from} to {report.evaluated_to}"
    )
    echo(
        f"SPP/APR indicators, {report.period.label} ({report.period.start} to {report.period.end}); "
        f"{plural(report.cases, 'case')} evaluated as of {span}"
    )
    if missing:
        echo(
            f"{plural(len(missing), 'case')} not evaluated yet, not counted (run: eirules evaluate --all)"
        )
    if note := stale_note(report):
        echo(note)
    if below:
        echo(f'Counts under {below} are shown as "<{below}" (ruleset indicators.suppress_below).')
    echo()
    headers = ["Ind.", "Numer.", "Denom.", "Percent", "Target", "Late", "Days late"]
    rows = [
        [r["indicator"], str(r["numerator"]), str(r["denominator"]), percent_text(r["percent"]),
         f"{r['target']:.0f}%", str(r["late"]), days_text(r["days_late"])]
        for r in published["indicators"]
    ]  # fmt: skip
    if echo is _echo:  # stdout: the one table printer, at the reader's width
        print_table(headers, rows)
    else:  # a --out file: every row whole
        for line in plain_table(headers, rows):
            echo(line)
    for result, r in zip(report.indicators, published["indicators"], strict=True):
        echo()
        echo(f"{result.code} {result.title}  [{result.citation}]")
        if result.denominator == 0 and not result.excluded:
            echo("  no units in this period")
        for reason, n in r["late_reasons"].items():
            echo(f"  late: {n}  {safe(reason)}")
        for reason, n in sorted(r["counted_as_timely"].items()):
            echo(f"  counted as timely: {n}  {safe(reason)}")
        for reason, n in sorted(r["excluded"].items()):
            words = B12_CATEGORY_WORDS.get(reason) if result.code == "B12" else None
            label = f"{reason} ({words})" if words else safe(reason)
            echo(f"  {label}: {n}")
        if result.code == "B12" and result.categories:
            cats = r["categories"]
            echo(
                f"  a={cats['a']} b={cats['b']} c={cats['c']} d={cats['d']} e={cats['e']} "
                f"f={cats['f']}: c / (a-b-d-e-f) = {r['numerator']}/{r['denominator']}"
            )
        if report.by:
            for t in r["by_unit"]:
                name = f"{report.by} {safe(t['unit'])}" if t["unit"] else f"no {report.by} recorded"
                echo(f"  {name}: {t['numerator']}/{t['denominator']} {percent_text(t['percent'])}")
        if children:
            for item in result.late:
                echo(f"  - {safe(item.case_id)} {safe(item.child or '')}: {_late_words(item)}")
            if result.unmeasured:
                echo(f"  not measurable, not counted ({len(result.unmeasured)}):")
            for item in result.unmeasured:
                echo(f"  - {safe(item.case_id)} {safe(item.child or '')}: {_late_words(item)}")


def _late_words(item) -> str:
    """A late unit of --children in words; what a unit does not have is left out (a B13
    IEP missing a transition service has no due date and no days late)."""
    dates = " ".join(
        f"{word} {day}"
        for word, day in (("start", item.start), ("due", item.due), ("done", item.done))
        if day is not None
    )
    late = f", {plural(item.days_late, 'day')} late" if item.days_late is not None else ""
    what = safe(item.subject or item.clock or item.label or item.indicator)
    return (
        f"{what} {dates + ' ' if dates else ''}{safe(item.status or '')}{late}: {safe(item.reason)}"
    )


def _render_problems(problems, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([p.as_dict() for p in problems], indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        writer.writerow(["case_id", "kind", "what", "fix"])
        for p in problems:
            writer.writerow([p.case_id, p.kind, p.what, p.fix])
        return buffer.getvalue()
    if not problems:
        return "No data problems found.\n"
    lines = [f"{plural(len(problems), 'data problem')} that would make an indicator wrong:"]
    for p in problems:
        lines.append(f"  {safe(p.case_id)}  {p.kind}: {safe(p.what)}")
        lines.append(f"      fix: {safe(p.fix)}")
    return "\n".join(lines) + "\n"


def register(cli: click.Group) -> None:
    cli.add_command(indicators_command)
