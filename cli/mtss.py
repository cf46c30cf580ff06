"""MTSS commands: `groups suggest`, `progress`, `programs report`, `mtss import`, `mtss screening`.

The `mtss` group is here; `groups` is cli/mtss_groups.py, `progress` cli/mtss_progress.py,
`programs` and the printed pages cli/mtss_pages.py.

Each command reads an MTSS data folder (school.json + students/*.json, see
docs/mtss.md): --dir, else $EIRULES_MTSS_DIR, else the bundled fictional school.
"""

from __future__ import annotations

from datetime import date

import click

from eirules.core.errors import InputError, Problem

from . import get_engine
from .mtss_data import AS_OF, _dir_option, _load, _params
from .mtss_groups import groups
from .mtss_pages import mtss_meeting, mtss_packet, programs
from .mtss_progress import _rec_dict, progress
from .options import format_option
from .output import echo, echo_json, plural
from .output_options import InputPath
from .output_rows import emit
from .output_tables import print_table

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
@click.argument("csv_file", type=InputPath(dir_okay=False))
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
    Two rows of one file with one key and different values are refused, naming
    both lines; a screening's window must hold its date (school.json windows); a
    session's group and program must be the school's, and a delivered session has
    minutes, at most the planned ones.
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
    engine, data = _load(ctx, data_dir)
    if data_dir is None and data.path == datadir.bundled_dir():
        raise InputError(
            "refusing to write into the bundled example school",
            [Problem("--dir", "no data folder given", "pass --dir FOLDER or set EIRULES_MTSS_DIR")],
        )
    from eirules.plugins.mtss.rules.screening import vendor_categories

    categories = set(vendor_categories(_params(engine, data, date.today())))
    result = datadir.import_csv(data, csv_file, kind, chosen, categories)
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
        screened = {sid for sid, *_ in out}
        missing = sorted(set(data.records()) - screened)
        echo(
            f"{plural(len(out), 'student-skill row')} ({plural(len(screened), 'student')})"
            + (
                f"; not screened{' in ' + window if window else ''} by {as_of.isoformat()}: "
                + (", ".join(missing) if screened else f"all {len(missing)}")
                if missing
                else ""
            )
            + f". Bands: {p.cite('screening.urgent_below_pr')}. "
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


def register(cli: click.Group) -> None:
    cli.add_command(groups)
    cli.add_command(progress)
    cli.add_command(programs)
    cli.add_command(mtss)
