"""MTSS commands: `groups suggest`, `progress`, `programs report`, `mtss import`, `mtss screening`.

Each command reads an MTSS data folder (school.json + students/*.json, see
docs/mtss.md): --dir, else $EIRULES_MTSS_DIR, else the bundled fictional school.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from eirules.core.errors import InputError, Problem

from . import get_engine
from .options import as_of_option, format_option
from .output import check_writable, echo, echo_json, plural

FORMAT = format_option("text", "json")
AS_OF = as_of_option("Decide as of this date (YYYY-MM-DD). Default: today.")


def _dir_option(f):
    return click.option(
        "--dir",
        "data_dir",
        type=click.Path(file_okay=False),
        default=None,
        help="MTSS data folder (school.json + students/). Default: $EIRULES_MTSS_DIR, else the bundled fictional school.",
    )(f)


def _load(ctx, data_dir):
    from eirules.plugins.mtss import datadir

    engine = get_engine(ctx)
    data = datadir.load(Path(data_dir) if data_dir else datadir.default_dir(), engine)
    return engine, data


def _params(engine, data, as_of):
    from eirules.plugins.mtss.params import params_for

    return params_for(engine.rulesets.get(data.school.ruleset), as_of)


# --- groups ----------------------------------------------------------------------


@click.group("groups")
def groups():
    """Intervention groups (MTSS).

    \b
    Example:
        eirules groups suggest --window fall --as-of 2025-09-15
    """


@groups.command("suggest")
@_dir_option
@click.option(
    "--window",
    type=click.Choice(["fall", "winter", "spring"]),
    default=None,
    help="Screening window to group from. Default: each student's latest screening.",
)
@AS_OF
@FORMAT
@click.pass_context
def groups_suggest(ctx, data_dir, window, as_of, fmt):
    """Suggest Tier 2/3 groups by skill need and tier, within size caps, grade span and schedules.

    Explains every placement and every student it could not place. The same
    input always gives the same groups. A suggestion for the team, not a placement.

    \b
    Example:
        eirules groups suggest --window fall --as-of 2025-09-15
        eirules groups suggest --dir examples/mtss/elm-street --format json
    """
    from eirules.plugins.mtss import grouping

    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    p = _params(engine, data, as_of)
    s = grouping.suggest(data.records(), data.school, p, as_of=as_of, window=window)
    if fmt == "json":
        out = {
            "groups": [
                {
                    "id": g.id,
                    "program": g.program,
                    "tier": g.tier,
                    "skill": g.skill,
                    "interventionist": g.interventionist,
                    "block": g.block,
                    "students": list(g.students),
                    "grades": list(g.grades),
                    "cap": g.cap,
                    "review_date": g.review_date.isoformat() if g.review_date else None,
                }
                for g in s.groups
            ],
            "placements": s.placements,
            "unplaced": [{"student": sid, "reason": why} for sid, why in s.unplaced],
            "not_candidates": [{"student": sid, "reason": why} for sid, why in s.not_candidates],
            "parameters": s.parameters,
        }
        echo_json(out)
        return
    echo(f"Suggested groups for {data.school.name} (as of {as_of}; a suggestion for the team)")
    for g in s.groups:
        review = f", review by {g.review_date}" if g.review_date else ""
        echo(
            f"\n{g.id}  {g.program_name} (Tier {g.tier}, {g.skill}), {g.interventionist}, block {g.block}, "
            f"grade {', '.join(map(str, g.grades))}, {len(g.students)}/{g.cap}{review}"
        )
        for sid in g.students:
            echo(f"  {sid}: {s.placements[sid]}")
    echo(f"\nNot placed ({len(s.unplaced)}):")
    for sid, why in s.unplaced:
        echo(f"  {sid}: {why}")
    if not s.unplaced:
        echo("  (none)")
    to_review = [
        (sid, why) for sid, why in s.not_candidates if why.startswith("screening suggests")
    ]
    if to_review:
        echo(f"\nFor the team to review ({len(to_review)}): screening and other data disagree")
        for sid, why in to_review:
            echo(f"  {sid}: {why}")
    echo(
        f"\nNot candidates: {len(s.not_candidates) - len(to_review)} students (Tier 1 or no screening)."
    )
    span = s.parameters.get("mtss.groups.max_grade_span")
    if span is None:
        echo("No grade span configured (mtss.groups.max_grade_span): each group holds one grade.")


# --- progress --------------------------------------------------------------------


@click.command("progress")
@click.argument("student")
@click.option("--measure", default=None, help="Measure or series id (default: every series).")
@_dir_option
@AS_OF
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="mtss-graphs",
    show_default=True,
    help="Folder for the graphs (<student>-<series>.svg and .png).",
)
@click.option("--no-graph", is_flag=True, help="Print the decision only; draw no graph.")
@click.option(
    "--parent",
    is_flag=True,
    help="Also draw the family version (scores, the path to the goal, the goal, plain words): <student>-<series>-parent.",
)
@FORMAT
@click.pass_context
def progress(ctx, student, measure, data_dir, as_of, out_dir, no_graph, parent, fmt):
    """Decide on a student's progress (R3-R10) and draw the progress graph.

    Prints the recommendation with its reasons, the rules' evidence and
    citations, and writes an SVG and a PNG with scores, baseline, aimline, goal,
    trend line and phase changes.

    \b
    Example:
        eirules progress ELM-005 --as-of 2026-06-05 --out graphs
        eirules progress ELM-018 --measure orf --as-of 2026-03-06 --format json
    """
    from eirules.plugins.mtss import rules

    if not no_graph:  # first, so a missing graphs extra is reported before any work
        from eirules.plugins.mtss.graphs import write_progress_graph

        check_writable(out_dir, "--out", folder=True)
    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    case = data.cases.get(student)
    if case is None or "mtss" not in case.sections:
        from eirules.core.errors import did_you_mean

        hint = did_you_mean(student, data.cases)
        raise InputError(
            f'no student "{student}" with MTSS data in {data.path}',
            [
                Problem(
                    "STUDENT", "unknown student", hint or "list the folder's students/ to see ids"
                )
            ],
        )
    rec = case.sections["mtss"]
    series = rec.series_by(measure)
    if not series:
        known = ", ".join(f"{s.measure} ({s.id})" for s in rec.series) or "none"
        what = f'no series for "{measure}"' if measure else "no progress-monitoring series"
        raise InputError(f"{student} has {what}", [Problem("--measure", f"known: {known}")])
    from eirules.plugins.mtss import evaluation_request

    p = _params(engine, data, as_of)
    request = evaluation_request(case, as_of)
    calendar = engine.rulesets.get(data.school.ruleset).school_calendar()
    results = []
    for s in series:
        rep = rules.evaluate_series(rec, s, as_of, p, request=request, calendar=calendar)
        paths = []
        if not no_graph:
            from eirules.plugins.mtss.graphs import benchmark_steps, measure_name

            who = case.child.name if case.child and case.child.name else student
            title = f"{who} ({student}) - {measure_name(s.measure)}, as of {as_of}"
            steps = benchmark_steps(rep, rec, p)
            paths = write_progress_graph(
                rep, _graph_base(out_dir, f"{student}-{s.id}"), title, benchmarks=steps
            )
            if parent:
                first = who.split(" ")[0]
                paths += write_progress_graph(
                    rep,
                    _graph_base(out_dir, f"{student}-{s.id}-parent"),
                    f"How {first} is doing: {measure_name(s.measure)}",
                    parent=True,
                )
        results.append((rep, paths))
    if fmt == "json":
        echo_json(
            [
                {
                    "student": student,
                    "series": rep.series.id,
                    "decision": rep.decision.decision,
                    "graphs": [str(x) for x in paths],
                    "rules": [_rec_dict(r) for r in rep.all],
                }
                for rep, paths in results
            ]
        )
        return
    for rep, paths in results:
        s = rep.series
        echo(
            f"{student}  grade {rec.student.grade}, {rec.student.school}  series {s.id} ({s.measure}, {s.skill_area})"
        )
        echo(f"Recommendation: {rep.decision.decision.replace('_', ' ').upper()}")
        if parent and not no_graph:
            from eirules.plugins.mtss.graphs import parent_summary

            echo(f"For the family: {parent_summary(rep)}")
        for line in rep.decision.reasons:
            echo(f"  {line}")
        echo(f"  [{rep.decision.citation}]")
        echo("Rules:")
        for r in rep.all[:-1]:
            flag = "" if r.sufficient else " (data insufficient)"
            echo(f"  {r.rule} {r.decision}{flag}: {r.reason}")
            echo(f"      [{r.citation}]")
        notes = [n for n in rec.notes if n.series in (None, s.id) and n.date <= as_of]
        if notes:
            echo("Notes:")
            for n in notes:
                echo(f"  {n.date} {n.author}{f' ({n.role})' if n.role else ''}: {n.text}")
        for x in paths:
            echo(f"Graph: {x}")
        echo("")


def _rec_dict(r):
    return {
        "rule": r.rule,
        "decision": r.decision,
        "sufficient": r.sufficient,
        "reasons": list(r.reasons),
        "evidence": r.evidence,
        "parameters": r.parameters,
        "citation": r.citation,
    }


# --- programs --------------------------------------------------------------------


@click.group("programs")
def programs():
    """Intervention programs and their effectiveness (MTSS).

    \b
    Example:
        eirules programs report --as-of 2026-06-05 --html report.html
    """


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
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write an HTML page with charts here.",
)
@FORMAT
@click.pass_context
def programs_report(ctx, data_dir, school_name, window, as_of, html_file, fmt):
    """Per program and group: responders, growth vs aimline, effect size, fidelity, minutes per responder.

    \b
    Example:
        eirules programs report --as-of 2026-06-05 --html elm-programs.html
        eirules programs report --window winter --school "Elm Street Elementary" --format json
    """
    from eirules.plugins.mtss import report

    if html_file:
        check_writable(html_file, "--html")
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
    if html_file:
        title = f"Intervention programs - {school_name or data.school.name}"
        page = report.html_page(
            rows, title=title, as_of=as_of, p=p, notes=notes, system=report.system_html(system)
        )
        Path(html_file).write_text(page, encoding="utf-8")
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
    echo(report.table_text(rows))
    for r in rows:
        for f in r.flags:
            echo(f"  {r.program_name or r.program} / {r.group or 'all'}: {f}")
    echo("")
    echo("Tiers and screening bands by grade (R14):")
    echo(report.system_table_text(system))
    for sr in system:
        for f in sr.flags:
            echo(f"  {sr.window} {report.grade_label(sr.grade)} {sr.skill_area}: {f}")
    for n in notes:
        echo(f"- {n}")
    if html_file:
        echo(f"HTML: {html_file}")


# --- mtss ------------------------------------------------------------------------


@click.group("mtss")
def mtss():
    """MTSS data: CSV import and screening bands.

    \b
    Example:
        eirules mtss import screening winter.csv --dir my-school
        eirules mtss screening --window fall
    """


@mtss.command("import")
@click.argument(
    "kind", type=click.Choice(["screening", "sessions", "points", "enrolments", "phases"])
)
@click.argument("csv_file", type=click.Path(dir_okay=False))
@_dir_option
@click.pass_context
def mtss_import(ctx, kind, csv_file, data_dir):
    """Import screening results, session logs, progress points, enrolments or phase
    changes from a CSV into the students' case files.

    Every row is checked first: if any row is bad, nothing is written and every
    problem is listed with its line. A row with the same key as an existing one
    (screening: date, instrument, skill area; session: date, group, program,
    service, make-up; point and phase: series, date; enrolment: program, start)
    replaces it, so importing a file twice changes nothing and writes no file.
    Layouts and required columns: docs/mtss.md.

    \b
    Example:
        eirules mtss import screening examples/mtss/elm-street/screening.csv --dir examples/mtss/elm-street
        eirules mtss import points weekly-probes.csv --dir my-school
    """
    from eirules.plugins.mtss import datadir

    _, data = _load(ctx, data_dir)
    if data_dir is None and data.path == datadir.bundled_dir():
        raise InputError(
            "refusing to write into the bundled example school",
            [Problem("--dir", "no data folder given", "pass --dir FOLDER or set EIRULES_MTSS_DIR")],
        )
    result = datadir.import_csv(data, csv_file, kind)
    added = sum(a for a, _ in result.values())
    replaced = sum(r for _, r in result.values())
    echo(
        f"Imported {kind} for {plural(len(result), 'student')}: {added} added, {replaced} replaced."
    )


@mtss.command("meeting")
@_dir_option
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Meeting date (YYYY-MM-DD): decisions as of that day.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the agenda with a page per student (graph, decision, reasons, dosage, fidelity, notes).",
)
@click.option(
    "--pdf",
    "pdf_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also print it to PDF (needs headless Chromium on PATH).",
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

    for f, name in ((html_file, "--html"), (pdf_file, "--pdf")):
        if f:
            check_writable(f, name)
    if pdf_file and meeting.chromium() is None:
        meeting.to_pdf("", Path(pdf_file))  # raises the clear "install chromium" error
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
    if html_file or pdf_file:
        page = meeting.html_page(data.school.name, day, items)
        if html_file:
            Path(html_file).write_text(page, encoding="utf-8")
            echo(f"HTML: {html_file}")
        if pdf_file:
            meeting.to_pdf(page, Path(pdf_file))
            echo(f"PDF: {pdf_file}")


@mtss.command("packet")
@click.argument("student")
@_dir_option
@AS_OF
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False),
    required=True,
    help="Write the page here.",
)
@click.option(
    "--pdf",
    "pdf_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also print it to PDF (needs headless Chromium on PATH).",
)
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
    from eirules.plugins.mtss import meeting, packet

    check_writable(html_file, "--html")
    if pdf_file:
        check_writable(pdf_file, "--pdf")
        if meeting.chromium() is None:
            meeting.to_pdf("", Path(pdf_file))  # raises the clear "install chromium" error
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
    page = packet.html_page(case, case.sections["mtss"], p, as_of, calendar)
    Path(html_file).write_text(page, encoding="utf-8")
    echo(f"HTML: {html_file}")
    if pdf_file:
        meeting.to_pdf(page, Path(pdf_file))
        echo(f"PDF: {pdf_file}")


@mtss.command("screening")
@_dir_option
@click.option(
    "--window",
    type=click.Choice(["fall", "winter", "spring"]),
    default=None,
    help="Screening window (default: latest per student).",
)
@AS_OF
@FORMAT
@click.pass_context
def mtss_screening(ctx, data_dir, window, as_of, fmt):
    """List each student's screening band and suggested tier (R1), with tier entry (R2).

    \b
    Example:
        eirules mtss screening --window fall --as-of 2025-09-15
    """
    from eirules.plugins.mtss import rules

    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    p = _params(engine, data, as_of)
    out = []
    bottom = rules.bottom_of_grade(data.records(), window, p, as_of)
    for sid, rec in sorted(data.records().items()):
        latest = {}  # one row per skill area: the latest screening in it
        for s in rec.screenings:
            if window in (None, s.window) and s.date <= as_of:
                latest[s.skill_area] = s
        for skill in sorted(latest):
            r1 = rules.screening_band(latest[skill], p)
            r2 = rules.tier_entry(rec, skill, p, latest[skill])
            out.append((sid, rec, r1, r2))
    if fmt == "json":
        echo_json(
            [
                {
                    "student": sid,
                    "R1": _rec_dict(r1),
                    "R2": _rec_dict(r2),
                    "bottom_of_grade": bottom.get(sid),
                }
                for sid, _, r1, r2 in out
            ]
        )
        return
    for sid, rec, r1, r2 in out:
        ev = r1.evidence
        score = (
            f"PR {ev['percentile']:g}" if ev["percentile"] is not None else f'"{ev["category"]}"'
        )
        tier = ev.get("suggested_tier")
        echo(
            f"{sid}  grade {rec.student.grade}  {ev['skill_area']}  {score}  "
            f"{r1.decision}  tier {tier if tier is not None else '?'}  R2 {r2.decision}"
            + "".join(
                f"  [{part}]"
                for part in bottom.get(sid, "").split("; ")
                if f" in {r1.evidence['skill_area']} (" in part
            )
        )
    echo(
        f"{len(out)} students. Bands: {p.cite('screening.urgent_below_pr')}. One score alone never places a student."
    )


def demo_view(ctx, as_of: date) -> None:
    """Print the MTSS view of the bundled fictional school (used by `eirules demo`)."""
    from eirules.plugins.mtss import datadir, rules

    engine = get_engine(ctx)
    data = datadir.load(datadir.bundled_dir(), engine)
    p = _params(engine, data, as_of)
    counts: dict[str, int] = {}
    attention = []
    from eirules.plugins.mtss import evaluation_request

    calendar = engine.rulesets.get(data.school.ruleset).school_calendar()
    for sid, rec in sorted(data.records().items()):
        request = evaluation_request(data.cases[sid], as_of)
        for s in rec.series:
            rep = rules.evaluate_series(rec, s, as_of, p, request=request, calendar=calendar)
            d = rep.decision.decision
            counts[d] = counts.get(d, 0) + 1
            if d not in ("maintain", "raise_goal", "exit", rules.INSUFFICIENT):
                attention.append((sid, rec, s, rep))
    echo(
        f"MTSS: {data.school.name} (fictional), {len(data.cases)} students, "
        f"progress recommendations as of {as_of.isoformat()}: "
        + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(counts.items()))
    )
    for sid, rec, s, rep in attention:
        echo(
            f"  {sid} grade {rec.student.grade} {s.measure}: "
            f"{rep.decision.decision.replace('_', ' ')} - {rep.decision.reasons[0]}"
        )
    echo(
        f"More: eirules progress {attention[0][0] if attention else 'ELM-005'} --as-of {as_of.isoformat()}; "
        f"eirules groups suggest --window fall --as-of 2025-09-15; "
        f"eirules programs report --as-of {as_of.isoformat()} (docs/mtss.md)"
    )


def _graph_base(out_dir: str, name: str) -> Path:
    """The graph file (without suffix) for `name` inside --out; a name from data never leaves it."""
    from eirules.core.paths import file_name_problem, inside

    problem = file_name_problem(name)
    path = None if problem else inside(out_dir, name)
    if path is None:
        raise InputError(
            "cannot name the graph file",
            [
                Problem(
                    "--out",
                    problem or f"{name!r} would be outside the folder",
                    "rename the student or series id in the MTSS data (ids name files)",
                )
            ],
        )
    return path


def register(cli: click.Group) -> None:
    cli.add_command(groups)
    cli.add_command(progress)
    cli.add_command(programs)
    cli.add_command(mtss)
