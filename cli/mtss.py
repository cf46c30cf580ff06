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
from .mtss_data import AS_OF, FORMAT, _dir_option, _load, _params
from .mtss_pages import mtss_meeting, mtss_packet, programs
from .options import format_option
from .output import echo, echo_json, plural
from .output_options import check_writable
from .output_rows import emit, write_csv
from .output_tables import print_table

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
@click.option(
    "--solver",
    type=click.Choice(["auto", "cp-sat", "greedy"]),
    default="auto",
    show_default=True,
    help="greedy: need-ordered fill with one-move repair. cp-sat: then OR-Tools CP-SAT "
    "wherever greedy left out a student a solver could seat (the solver extra). "
    "auto: cp-sat when OR-Tools is installed.",
)
@format_option("json", "csv", help="table for people, json or csv (one row per student).")
@click.pass_context
def groups_suggest(ctx, data_dir, window, as_of, solver, fmt):
    """Suggest Tier 2/3 groups by skill need and tier, within size caps, grade span and schedules.

    Students are placed by need (Tier 3 first, then the lowest band and percentile)
    into their grade's intervention blocks (school.json "blocks"), with a trained
    interventionist and, when the school lists rooms, a room; no student,
    interventionist or room is ever in two groups in one block. Explains every
    placement and every student it could not place, and ends with each
    interventionist's load. Where the greedy fill leaves out a student that a
    different layout could seat, OR-Tools CP-SAT lays the groups out again (most
    students seated, neediest first, fewest changes); the output says which placed
    them. The same input always gives the same groups. A suggestion for the team,
    not a placement.

    \b
    Example:
        eirules groups suggest --window fall --as-of 2025-09-15
        eirules groups suggest --dir examples/mtss/elm-street --format json
    """
    from eirules.plugins.mtss import grouping, slot_solver

    if solver == "cp-sat":
        slot_solver.require()  # before any work: the clear "install OR-Tools" error
    as_of = as_of or date.today()
    engine, data = _load(ctx, data_dir)
    p = _params(engine, data, as_of)
    s = grouping.suggest(data.records(), data.school, p, as_of=as_of, window=window, solver=solver)
    if fmt == "json":
        out = {
            "groups": [
                {
                    "id": g.id,
                    **_group_fields(g),
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
            "interventionist_load": s.load,
            "placed_by": s.placed_by,
            "parameters": s.parameters,
        }
        echo_json(out)
        return
    if fmt == "csv":
        rows = [
            {
                "student": sid,
                "group": g.id,
                **_group_fields(g),
                "grades": " ".join(map(str, g.grades)),
                "size": len(g.students),
                "cap": g.cap,
                "review_date": g.review_date.isoformat() if g.review_date else None,
                "reason": s.placements[sid],
            }
            for g in s.groups
            for sid in g.students
        ]
        rows += [{"student": sid, "group": None, "reason": why} for sid, why in s.unplaced]
        write_csv(rows, GROUP_COLUMNS)
        return
    echo(f"Suggested groups for {data.school.name} (as of {as_of}; a suggestion for the team)")
    echo(f"Placed by: {s.placed_by}")
    for g in s.groups:
        review = f", review by {g.review_date}" if g.review_date else ""
        when = f"block {g.block}" + (f" ({g.block_label})" if g.block_label else "")
        where = f", room {g.room}" if g.room else ""
        echo(
            f"\n{g.id}  {g.program_name} (Tier {g.tier}, {g.skill}), {g.interventionist}, "
            f"{when}{where}, grade {', '.join(map(str, g.grades))}, "
            f"{len(g.students)}/{g.cap}{review}"
        )
        for sid in g.students:
            echo(f"  {sid}: {s.placements[sid]}")
    echo("\nInterventionist load (suggested groups; minutes a week from each program's dosage):")
    for _staff, row in sorted(s.load.items()):
        echo(
            f"  {row['name']}: {row['groups']} group(s), {row['students']} student(s), "
            f"{row['minutes_per_week']} min a week, blocks {', '.join(row['blocks']) or 'none'}"
        )
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
    # One line per student and subject: a student at Tier 1 in reading and math is two.
    out = [sid for sid, why in s.not_candidates if not why.startswith("screening suggests")]
    echo(
        f"\nNot candidates (Tier 1 or no screening): {plural(len(out), 'student-subject pair')} "
        f"({plural(len(set(out)), 'student')})."
    )
    span = s.parameters.get("mtss.groups.max_grade_span")
    if span is None:
        echo("No grade span configured (mtss.groups.max_grade_span): each group holds one grade.")


#: `groups suggest --format csv`: each placed student with the group, then those not placed.
GROUP_COLUMNS = (
    "student", "group", "program", "tier", "skill", "interventionist", "block",
    "block_label", "room", "grades", "size", "cap", "review_date", "reason",
)  # fmt: skip


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


# --- mtss ------------------------------------------------------------------------


@click.group("mtss")
def mtss():
    """MTSS data: CSV import and screening bands.

    \b
    Example:
        eirules mtss import screening winter.csv --dir my-school
        eirules mtss screening --window fall
    """


# The printed pages (cli/mtss_pages.py) join the group beside its own commands.
mtss.add_command(mtss_meeting)
mtss.add_command(mtss_packet)


@mtss.command("import")
@click.argument(
    "kind", type=click.Choice(["screening", "sessions", "points", "enrolments", "phases"])
)
@click.argument("csv_file", type=click.Path(dir_okay=False))
@_dir_option
@click.option(
    "--layout",
    metavar="NAME|FILE.toml",
    help="Read a vendor's screening export through a layout: a preset "
    "(eirules mtss layouts) or your own layout TOML (docs/mtss.md, 'Vendor exports').",
)
@click.pass_context
def mtss_import(ctx, kind, csv_file, data_dir, layout):
    """Import screening results, session logs, progress points, enrolments or phase
    changes from a CSV into the students' case files.

    Every row is checked first: if any row is bad, nothing is written and every
    problem is listed with its line. A row with the same key as an existing one
    (screening: date, instrument, skill area; session: date, group, program,
    service, make-up; point and phase: series, date; enrolment: program, start)
    replaces it, so importing a file twice changes nothing and writes no file.
    Layouts and required columns: docs/mtss.md. A vendor's export (FastBridge,
    mCLASS with DIBELS 8, or your own layout for any other) is read with --layout:
    every column of the export is read or ignored by the layout, never guessed.

    \b
    Example:
        eirules mtss import screening examples/mtss/elm-street/screening.csv --dir examples/mtss/elm-street
        eirules mtss import points weekly-probes.csv --dir my-school
        eirules mtss import screening export.csv --layout fastbridge-cbmreading --dir my-school
    """
    from eirules.plugins.mtss import datadir
    from eirules.plugins.mtss.layouts import load_layout

    if layout is not None and kind != "screening":
        raise click.UsageError("--layout reads screening exports only")
    chosen = load_layout(layout) if layout is not None else None
    _, data = _load(ctx, data_dir)
    if data_dir is None and data.path == datadir.bundled_dir():
        raise InputError(
            "refusing to write into the bundled example school",
            [Problem("--dir", "no data folder given", "pass --dir FOLDER or set EIRULES_MTSS_DIR")],
        )
    result = datadir.import_csv(data, csv_file, kind, chosen)
    added = sum(a for a, _ in result.values())
    replaced = sum(r for _, r in result.values())
    echo(
        f"Imported {kind} for {plural(len(result), 'student')}: {added} added, {replaced} replaced."
    )


@mtss.command("layouts")
def mtss_layouts():
    """List the vendor export layouts that ship with eirules and where each was read.

    A preset is used with `eirules mtss import screening FILE --layout NAME`; for any
    other export, write a layout TOML (docs/mtss.md, "Vendor exports") and pass its path.

    \b
    Example:
        eirules mtss layouts
    """
    from eirules.plugins.mtss.layouts import load_layout, presets

    for name in presets():
        lay = load_layout(name)
        status = "vendor documentation" if lay.documented else "not the vendor's documentation"
        echo(f"{name}: {lay.name}")
        echo(f"  source ({status}): {' '.join(lay.source.split())}")


@mtss.command("screening")
@_dir_option
@click.option(
    "--window",
    type=click.Choice(["fall", "winter", "spring"]),
    default=None,
    help="Screening window (default: latest per student).",
)
@AS_OF
@format_option("json", "csv")
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
    rows = []
    for sid, rec, r1, r2 in out:
        ev = r1.evidence
        tier = ev.get("suggested_tier")
        rows.append(
            {
                "student": sid,
                "grade": rec.student.grade,
                "skill_area": ev["skill_area"],
                "percentile": ev["percentile"],
                "category": ev["category"],
                "band": r1.decision,
                "suggested_tier": tier,
                "tier_entry": r2.decision,
                "note": "; ".join(
                    part
                    for part in bottom.get(sid, "").split("; ")
                    if f" in {ev['skill_area']} (" in part
                ),
            }
        )

    def table():
        print_table(
            ["student", "grade", "skill", "score", "band", "tier", "R2", "note"],
            [
                [
                    r["student"],
                    str(r["grade"]),
                    r["skill_area"],
                    f"PR {r['percentile']:g}"
                    if r["percentile"] is not None
                    else f'"{r["category"]}"',
                    r["band"].replace("_", " "),
                    "?" if r["suggested_tier"] is None else str(r["suggested_tier"]),
                    r["tier_entry"].replace("_", " "),
                    r["note"],
                ]
                for r in rows
            ],
            keep=(0, 1, 3),
        )
        echo(
            f"{plural(len(out), 'student')}. Bands: {p.cite('screening.urgent_below_pr')}. "
            "One score alone never places a student."
        )

    emit(fmt, rows, tuple(rows[0]) if rows else ("student",), table)


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


def _group_fields(g) -> dict:
    """A suggested group's program, tier, skill and where it meets, as JSON and CSV give them."""
    return {
        "program": g.program,
        "tier": g.tier,
        "skill": g.skill,
        "interventionist": g.interventionist,
        "block": g.block,
        "block_label": g.block_label,
        "room": g.room,
    }
