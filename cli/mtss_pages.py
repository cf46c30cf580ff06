"""The pages a data team prints: `programs report`, `mtss meeting` and `mtss packet`.

Each takes `page_options` (--html, --pdf) and writes through `write_pages`, the
one owner-only (0600) page writer in cli/output_options.py; `meeting` and `packet` join the
`mtss` group in cli/mtss.py.
"""

from __future__ import annotations

from datetime import date

import click

from eirules.core.errors import InputError, Problem

from .mtss_data import AS_OF, FORMAT, _dir_option, _load, _params
from .output import echo, echo_json
from .output_options import page_options, write_pages
from .output_tables import print_table


@click.command("meeting")
@_dir_option
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Meeting date (YYYY-MM-DD): decisions as of that day.",
)
@page_options(
    html_help="Write the agenda with a page per student (graph, decision, reasons, dosage, "
    "fidelity, notes); readable by you only."
)
@click.pass_context
def mtss_meeting(ctx, data_dir, day, html_file, pdf_file):
    """The data-meeting agenda: students grouped by decision (refer, escalate, change,
    continue, exit), each with a one-page summary.

    Prints the agenda; with --html and --pdf also writes the pages (graphs need the
    graphs extra). Recommendations for the team to decide, not actions.

    \b
    Example:
        eirules mtss meeting --date 2026-03-06
        eirules mtss meeting --date 2026-03-06 --html meeting.html --pdf meeting.pdf
    """
    from eirules.plugins.mtss import meeting

    day = day.date()
    engine, data = _load(ctx, data_dir)
    p = _params(engine, data, day)
    items = meeting.agenda(data, engine, p, day)
    echo(f"MTSS data meeting, {data.school.name}, {day} (recommendations, not actions)")
    for key, title, _ in meeting.SECTIONS:
        rows = items[key]
        echo(f"\n{title} ({len(rows)})")
        for it in rows:
            rep = it.report
            echo(
                f"  {it.student}  {it.name}  {rep.series.measure}: "
                f"{rep.decision.decision.replace('_', ' ')} - {rep.decision.reasons[0]}"
            )
            for caution in rep.cautions:
                echo(f"      ! {caution}")
    if html_file or pdf_file:
        write_pages(meeting.html_page(data.school.name, day, items), html_file, pdf_file)


@click.command("packet")
@click.argument("student")
@_dir_option
@AS_OF
@page_options(html_required=True)
@click.pass_context
def mtss_packet(ctx, student, data_dir, as_of, html_file, pdf_file):
    """The SLD evidence packet (34 CFR 300.309-300.311) as a printable page with the graphs.

    Dated progress data, level and rate, interventions with dosage and fidelity, the
    eight SLD areas for the team to mark, what is still missing, and the team's
    certification lines. It supports the evaluation; it never delays the consent request.

    \b
    Example:
        eirules mtss packet ELM-005 --as-of 2026-04-21 --html elm-005-packet.html
    """
    from eirules.plugins.mtss import packet

    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    case = data.cases.get(student)
    if case is None or "mtss" not in case.sections:
        from eirules.core.errors import did_you_mean

        raise InputError(
            f'no student "{student}" with MTSS data in {data.path}',
            [Problem("STUDENT", "unknown student", did_you_mean(student, data.cases) or "")],
        )
    p = _params(engine, data, as_of)
    calendar = engine.rulesets.get(data.school.ruleset).school_calendar()
    page = packet.html_page(
        case,
        case.sections["mtss"],
        p,
        as_of,
        calendar,
        programs={pr.id: pr.name for pr in data.school.programs},
    )
    write_pages(page, html_file, pdf_file)


@click.group("programs")
def programs():
    """Intervention programs and their effectiveness (MTSS).

    \b
    Example:
        eirules programs report --as-of 2026-06-05 --html report.html
    """


def _table(columns, rows, keep) -> None:
    """A report table (report.COLUMNS: header and how to show each row) in the one table printer."""
    print_table([c[0] for c in columns], [[f(r) for _, f in columns] for r in rows], keep=keep)


def _window_dates(data, window):
    if window is None:
        return None, None
    if ".." in window:
        a, _, b = window.partition("..")
        try:
            return date.fromisoformat(a), date.fromisoformat(b)
        except ValueError:
            raise InputError(
                f'--window "{window}" is not FROM..TO',
                [Problem("--window", "use YYYY-MM-DD..YYYY-MM-DD or fall/winter/spring")],
            ) from None
    found = [w for w in data.school.windows if w.name == window]
    if not found:
        known = ", ".join(w.name for w in data.school.windows) or "none"
        raise InputError(
            f'--window "{window}" is not a window of {data.school.name}',
            [Problem("--window", f"windows in school.json: {known}", "or give FROM..TO dates")],
        )
    return found[-1].start, found[-1].end


@programs.command("report")
@_dir_option
@click.option(
    "--school",
    "school_name",
    default=None,
    help="Only students of this school (the student's `school`).",
)
@click.option(
    "--window",
    default=None,
    help="fall, winter, spring (dates from school.json) or FROM..TO dates.",
)
@AS_OF
@page_options(html_help="Also write an HTML page with charts here (readable by you only).")
@FORMAT
@click.pass_context
def programs_report(ctx, data_dir, school_name, window, as_of, html_file, pdf_file, fmt):
    """Per program and group: responders, growth vs aimline, effect size, fidelity, minutes per responder.

    \b
    Example:
        eirules programs report --as-of 2026-06-05 --html elm-programs.html
        eirules programs report --as-of 2026-06-05 --pdf elm-programs.pdf
        eirules programs report --window winter --school "Elm Street Elementary" --format json
    """
    from eirules.plugins.mtss import report

    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    p = _params(engine, data, as_of)
    start, end = _window_dates(data, window)
    rows = report.effectiveness(
        data.records(), data.school, p, as_of=as_of, start=start, end=end, school_name=school_name
    )
    notes = report.report_notes(p)
    season = window if window in ("fall", "winter", "spring") else None
    system = report.system_rows(
        data.records(), p, window=season, school_name=school_name, as_of=as_of
    )
    if html_file or pdf_file:
        title = f"Intervention programs - {school_name or data.school.name}"
        page = report.html_page(
            rows, title=title, as_of=as_of, p=p, notes=notes, system=report.system_html(system)
        )
        write_pages(page, html_file, pdf_file)  # "Wrote FILE" on stderr: JSON stays clean
    if fmt == "json":
        import attrs

        echo_json(
            {
                "programs": [attrs.asdict(r) for r in rows],
                "system": [attrs.asdict(r) for r in system],
            }
        )
        return
    echo(
        f"Program effectiveness, {school_name or data.school.name}, as of {as_of}"
        + (f", window {window}" if window else "")
    )
    _table(report.COLUMNS, rows, keep=(2, 3, 4, 5))
    for r in rows:
        for f in r.flags:
            echo(f"  {r.program_name or r.program} / {r.group or 'all'}: {f}")
    echo("")
    echo("Tiers and screening bands by grade (R14):")
    _table(report.SYSTEM_COLUMNS, system, keep=(0, 3))
    for sr in system:
        for f in sr.flags:
            echo(f"  {sr.window} {report.grade_label(sr.grade)} {sr.skill_area}: {f}")
    for n in notes:
        echo(f"- {n}")
