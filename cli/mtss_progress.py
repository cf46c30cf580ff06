"""`eirules progress`: a student's progress decisions (R3-R10) and graphs (docs/mtss.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from eirules.core.errors import InputError, Problem

from .mtss_data import AS_OF, FORMAT, _dir_option, _load, _params
from .output import echo, echo_json
from .output_options import check_writable


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
