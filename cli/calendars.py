"""`eirules calendars`: import, list and show district school calendars.

A district's calendar (school years, terms, closures) comes from the district's own
iCalendar (.ics) file or a CSV; it is checked whole and stored in the calendars
folder (one file a district). Every case with that `district` then counts its school
days (docs/clocks.md, "State Part B timelines and the school calendar").
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from eirules.core.calendars import (
    DistrictCalendars,
    Period,
    calendar_from_data,
    check,
    default_calendars_dir,
    read_csv,
    read_ics,
    summary,
)
from eirules.core.errors import InputError, Problem, did_you_mean

from .options import TEXT, format_option
from .output import csv_text, echo, echo_json, plural
from .output_options import InputPath
from .output_tables import print_table

LIST_COLUMNS = (
    "district",
    "name",
    "school_years",
    "first_school_day",
    "last_school_day",
    "school_days",
    "terms",
    "closures",
)
SHOW_COLUMNS = ("kind", "first_day", "last_day", "name", "school_days")


def _folder(ctx: click.Context) -> Path:
    root = ctx.find_root()
    chosen = (root.obj or {}).get("calendars_dir")
    return Path(chosen) if chosen else default_calendars_dir()


def _school_year(text: str | None) -> Period | None:
    if text is None:
        return None
    first, _, last = text.partition(":")
    try:
        a, b = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError:
        raise InputError(
            "--school-year is not two dates",
            [Problem("--school-year", f"found {text!r}", "write it as 2025-07-01:2026-06-30")],
        ) from None
    return Period("school_year", a, b, f"{a.year}-{b.year}", "--school-year")


def _school_years(names: list[str]) -> str:
    """ "school year(s) NAME, ...": a name that already begins with the words "school year"
    (an .ics SUMMARY "School year 2026-2027") is shown without them, not said twice."""
    shown = [_SAID.sub("", name) or name for name in names]
    return f"school year{'s' if len(names) > 1 else ''} {', '.join(shown)}"


#: The words "school year" (any case, any spacing) at the start of a year's name.
_SAID = re.compile(r"^\s*school\s+year\b[\s:,-]*", re.I)


@click.group()
def calendars():
    """District school calendars that school-day clocks count.

    \b
    Examples:
        eirules calendars import riverbend-2025-26.ics --district riverbend
        eirules calendars list
        eirules calendars show riverbend --format csv
    """


@calendars.command("import")
@click.argument("file", type=InputPath(dir_okay=False, exists=True))
@click.option(
    "--district",
    required=True,
    type=TEXT,
    help="The district the calendar is for: the `district` its case files name.",
)
@click.option(
    "--school-year",
    metavar="FIRST:LAST",
    help="The school year's bounds when the file has none (2025-07-01:2026-06-30).",
)
@click.option("--name", type=TEXT, help="A name for the calendar (default: the district).")
@click.option(
    "--dry-run", is_flag=True, help="Check the file and say what would change; write nothing."
)
@click.pass_context
def import_calendar(ctx, file, district, school_year, name, dry_run):
    """Check a district's .ics or .csv calendar and store it for that district's cases.

    A CSV has the columns kind,first_day,last_day,name with kind school_year, term or
    closure (last_day may be empty for a one-day closure). An .ics file's all-day
    events are read by their CATEGORIES (SCHOOL-YEAR, TERM, CLOSURE) or, failing that,
    by words in their SUMMARY ("Fall Semester", "Winter Break", "No School"); other
    events are skipped and listed. Every problem is listed at once (file, line or
    event, field, what was expected, how to fix it); with any problem nothing is
    written (exit 2). A school year already stored for the district is replaced.

    \b
    Examples:
        eirules calendars import examples/calendars/fictional-unified-2025-26.csv --district "Fictional Unified"
        eirules calendars import district.ics --district riverbend --school-year 2025-07-01:2026-06-30
    """
    path = Path(file)
    if not district.strip():
        raise InputError(
            "--district is empty", [Problem("--district", "found an empty name", None)]
        )
    suffix = path.suffix.lower()
    skipped: list[str] = []
    if suffix in (".ics", ".ical", ".ifb", ".icalendar"):
        periods, problems, skipped = read_ics(path)
    elif suffix in (".csv", ".txt"):
        periods, problems = read_csv(path)
    else:
        raise InputError(
            f"cannot tell the format of {path}",
            [
                Problem(
                    str(path),
                    f"found the extension {suffix or '(none)'!r}",
                    "name the file .ics or .csv",
                )
            ],
        )
    extra = _school_year(school_year)
    if extra is not None:
        periods = [p for p in periods if p.kind != "school_year"] + [extra]
    data, found = check(periods, str(path))
    problems = problems + found
    for line in skipped:
        echo(f"Note: {line}", err=True)
    if problems or data is None:
        raise InputError(
            f"the calendar in {path} was not imported ({plural(len(problems), 'problem')}); nothing was written",
            problems,
        )
    if name:
        data["name"] = name
    store = DistrictCalendars(_folder(ctx))
    calendar = calendar_from_data(data, district)
    years = _school_years(
        [y["name"] or f"{y['first_day']} to {y['last_day']}" for y in data["years"]]
    )
    what = (
        f"{years}: "
        f"{plural(len(calendar.days), 'school day')} from {calendar.first_day} to {calendar.last_day}, "
        f"{plural(len(data['terms']), 'term')}, {plural(len(data['closures']), 'closure day')}"
    )
    if dry_run:
        echo(f"Checked {path} for district {district}: {what}. Nothing written (--dry-run).")
        return
    _, replaced = store.save(district, data, path.name)
    echo(f"Imported {path} for district {district}: {what}.")
    if replaced:
        echo(f"Replaced the stored {_school_years(replaced)}.")
    echo(f"Stored in {store.path_for(district)}.")


def _unknown(store: DistrictCalendars, district: str) -> InputError:
    known = store.districts()
    hint = did_you_mean(district, known)
    return InputError(
        f'no calendar for district "{district}"',
        [
            Problem(
                "DISTRICT",
                hint
                or (
                    f"known districts: {', '.join(known)}"
                    if known
                    else "no calendars are stored yet"
                ),
                "import one: eirules calendars import FILE --district ID",
            )
        ],
    )


@calendars.command("list")
@format_option("json", "csv")
@click.pass_context
def list_calendars(ctx, fmt):
    """The districts with a stored calendar: school years, first and last school day, counts.

    \b
    Example:
        eirules calendars list --format csv
    """
    store = DistrictCalendars(_folder(ctx))
    rows = [summary(d, store.data(d) or {}) for d in store.districts()]
    if fmt == "json":
        echo_json({"folder": str(store.folder), "calendars": rows})
        return
    if fmt == "csv":
        flat = [{**r, "school_years": "; ".join(r["school_years"])} for r in rows]
        click.echo(csv_text(flat, LIST_COLUMNS), nl=False)
        return
    if not rows:
        echo(f"No district calendars in {store.folder}.")
        echo("Import one: eirules calendars import FILE --district ID")
        return
    print_table(
        ["District", "Years", "School days", "First day", "Last day"],
        [
            [
                r["district"],
                str(len(r["school_years"])),
                str(r["school_days"]),
                r["first_school_day"],
                r["last_school_day"],
            ]
            for r in rows
        ],
        title=f"{plural(len(rows), 'district calendar')} in {store.folder}",
    )


def _periods(data: dict[str, Any], district: str) -> list[dict[str, Any]]:
    calendar = calendar_from_data(data, district)
    closed = sorted(data.get("closures", []))
    rows = []
    for y in data.get("years", []):
        rows.append(
            {
                "kind": "school_year",
                "first_day": y["first_day"].isoformat(),
                "last_day": y["last_day"].isoformat(),
                "name": y.get("name", ""),
                "school_days": calendar.school_days_between(
                    date.fromordinal(y["first_day"].toordinal() - 1), y["last_day"]
                ),
            }
        )
        for t in data.get("terms", []):
            if y["first_day"] <= t["first_day"] <= y["last_day"]:
                rows.append(
                    {
                        "kind": "term",
                        "first_day": t["first_day"].isoformat(),
                        "last_day": t["last_day"].isoformat(),
                        "name": t.get("name", ""),
                        "school_days": calendar.school_days_between(
                            date.fromordinal(t["first_day"].toordinal() - 1), t["last_day"]
                        ),
                    }
                )
        in_year = [d for d in closed if y["first_day"] <= d <= y["last_day"]]
        named = [
            c
            for c in data.get("named_closures", [])
            if y["first_day"] <= c["first_day"] <= y["last_day"]
        ]
        covered = {d for c in named for d in in_year if c["first_day"] <= d <= c["last_day"]}
        spans = [(c["first_day"], c["last_day"], c["name"]) for c in named]
        # Closure days without a name (a calendar stored before names were kept, or a
        # closure the file did not name) as runs of days, as before.
        spans += [(a, b, "") for a, b in _runs([d for d in in_year if d not in covered])]
        for first, last, name in sorted(spans):
            rows.append(
                {
                    "kind": "closure",
                    "first_day": first.isoformat(),
                    "last_day": last.isoformat(),
                    "name": name,
                    "school_days": 0,
                }
            )
    return rows


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges; a weekend between closures joins them."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if (
            runs
            and (day - runs[-1][1]).days <= 3
            and all(
                date.fromordinal(o).weekday() >= 5
                for o in range(runs[-1][1].toordinal() + 1, day.toordinal())
            )
        ):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@calendars.command("show")
@click.argument("district")
@format_option("json", "csv")
@click.pass_context
def show_calendar(ctx, district, fmt):
    """One district's calendar: each school year with its terms and closure days.

    \b
    Example:
        eirules calendars show "Fictional Unified"
    """
    store = DistrictCalendars(_folder(ctx))
    data = store.data(district)
    if data is None:
        raise _unknown(store, district)
    rows = _periods(data, district)
    if fmt == "json":
        echo_json(
            {
                **summary(district, data),
                "file": str(store.path_for(district)),
                "imported_from": list(data.get("imported_from", [])),
                "periods": rows,
            }
        )
        return
    if fmt == "csv":
        click.echo(csv_text(rows, SHOW_COLUMNS), nl=False)
        return
    info = summary(district, data)
    print_table(
        ["Kind", "First", "Last", "Name", "School days"],
        [
            [
                r["kind"].replace("_", " "),
                r["first_day"],
                r["last_day"],
                r["name"],
                str(r["school_days"]),
            ]
            for r in rows
        ],
        title=f"{district}: {plural(info['school_days'], 'school day')} from "
        f"{info['first_school_day']} to {info['last_school_day']}",
    )


def register(cli: click.Group) -> None:
    cli.add_command(calendars)
