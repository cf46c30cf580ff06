"""`eirules groups suggest`: intervention groups from an MTSS data folder (docs/mtss.md)."""

from __future__ import annotations

from datetime import date

import click

from .mtss_data import AS_OF, _dir_option, _load, _params
from .options import format_option
from .output import echo, echo_json, plural
from .output_rows import write_csv


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
            "dosage_warnings": list(s.dosage_warnings),
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
    if s.dosage_warnings:
        echo(f"\nDosage that does not fit its block ({len(s.dosage_warnings)}):")
        for w in s.dosage_warnings:
            echo(f"  {w}")
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
