"""`eirules plans`, `eirules meetings`, `eirules contacts`: a child's individual plan in a case file.

Every command reads a case file with the one JSON reader and checks it with the
engine (the read-only ones also take a stored case's id, read from the caseload
and put on its record of access); the ones that record something (a meeting, a participant, a contact,
progress data from CSV) change only the `plans` section of the document, check
the whole case again and replace the file in one step (a temporary file renamed
over it), so a refused change leaves the file exactly as it was.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.input_files import read_input
from eirules.core.jsonio import read_json
from eirules.core.private_files import write_private

from . import get_engine
from .options import DATE, as_of_option, format_option
from .output import (
    LINK_REFUSED,
    check_writable,
    csv_text,
    echo,
    echo_json,
    plural,
    print_table,
    write_pages,
)

#: Commands that record something take a case file (they rewrite it whole or not at all).
case_file_arg = click.argument("case_file", type=click.Path(exists=True, dir_okay=False))


def read_case_options(fn):
    """CASE is a case file or a stored case's id (read from --db, on its record of access)."""
    from .options import db_option
    from .store import purpose_option

    fn = click.argument("case_file", metavar="CASE")(db_option(purpose_option(fn)))
    return fn


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "es"]),
    default="en",
    show_default=True,
    help="Language of the page for the family: en (English) or es (Spanish).",
)
out_option = click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    required=True,
    help="HTML file to write (its folder must exist). " + LINK_REFUSED,
)
pdf_option = click.option(
    "--pdf",
    "pdf",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write a PDF, printed by headless Chromium from the same page.",
)


def _load(
    ctx,
    case_file: str,
    db_path: str | None = None,
    purpose: str | None = None,
    action: str = "plans",
):
    """A case from a file, or from the caseload by id (the read is on its record of access)."""
    engine = get_engine(ctx)
    if Path(case_file).is_file() or not _looks_like_id(case_file):
        return engine, engine.load_case(case_file)
    from .store import open_store

    store = open_store(ctx, db_path)
    store.opened(case_file, action, purpose)
    return engine, engine.case_from_dict(store.case_document(case_file), source=f"case {case_file}")


def _looks_like_id(text: str) -> bool:
    return not text.endswith(".json") and "/" not in text


def _record(case):
    from eirules.plugins.plans import record_of
    from eirules.plugins.plans.models import PlansRecord

    return record_of(case) or PlansRecord()


def _update(ctx, case_file: str, change) -> Any:
    """Apply `change(plans_dict)` to the file's `plans` section, check, then replace the file."""
    engine = get_engine(ctx)
    data = read_json(case_file)
    if not isinstance(data, dict):
        raise InputError(f"{case_file} is not a case file", [Problem("", "expected a JSON object")])
    plans = data.setdefault("plans", {})
    if not isinstance(plans, dict):
        raise InputError(
            f"{case_file} is not valid",
            [Problem("plans", "expected an object (docs/case-file.md)")],
        )
    result = change(plans)
    case = engine.case_from_dict(data, source=case_file)  # refuses a bad change: file untouched
    write_private(case_file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return result, case


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

    Status is met, on_track, not_on_track or not_enough_data, judged by the
    MTSS trend rule on the measurements dated on or before --as-of. CASE is a
    case file, or the id of a case in the caseload (--db).

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


def _list(
    rows: list[dict], fmt: str, empty: str, title: str, table: tuple[str, ...] | None = None
) -> None:
    """json and csv carry every column; the table only the short ones (`table`), so it fits
    an 80-column terminal (the long text is in `plans report`, json and csv)."""
    if fmt == "json":
        echo_json(rows)
        return
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        click.echo(csv_text(rows, columns), nl=False)
        return
    if not rows:
        echo(empty)
        return
    shown = [c for c in columns if table is None or c in table]
    print_table(
        [c.replace("_", " ") for c in shown],
        [["" if r[c] is None else str(r[c]) for c in shown] for r in rows],
        title=title,
    )


def _blocks(rows: list[dict]) -> None:
    """Meeting checks for people: one block per meeting, each rule's reason wrapped to the terminal."""
    from .output import safe
    from .render import _wrap

    meeting = None
    for r in rows:
        if r["meeting"] != meeting:
            meeting = r["meeting"]
            echo(f"{meeting}")
        outcome = r["outcome"].replace("_", " ")
        for line in _wrap(f"{outcome}: {r['rule']}  [{r['citation']}]", 2, 6):
            echo(line)
        for line in _wrap(safe(r["reason"]), 6):
            echo(line)


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

    check_writable(out, "--out")
    if pdf:
        check_writable(pdf, "--pdf")
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
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
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
    written: an unknown goal, a bad date or number refuses the whole file (exit
    2) and the case file is left as it was. Rows already in the file are skipped.

    \b
    Example:
        eirules plans import examples/plans/pb-iep-goals.json points.csv --kind points
    """
    rows = _read_csv(csv_file, kind)

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

    (added, skipped), _ = _update(ctx, case_file, change)
    echo(f"{plural(added, 'row')} added, {skipped} already there, in {case_file}")


_CSV_COLUMNS = {
    "points": (("goal", "date", "value"), ("by", "setting")),
    "notes": (("goal", "date", "kind", "by", "text"), ()),
}


def _read_csv(csv_file: str, kind: str) -> list[tuple[int, dict]]:
    required, optional = _CSV_COLUMNS[kind]
    try:
        text = read_input(csv_file, expected="a CSV file").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{csv_file} is not UTF-8 text", [Problem("", "save it as UTF-8 CSV")]
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
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
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            problems.append(Problem(f"line {line}", "more cells than columns"))
            continue
        try:
            date.fromisoformat(row["date"])
            if len(row["date"]) != 10:
                raise ValueError
        except ValueError:
            problems.append(Problem(f"line {line}: date", "expected YYYY-MM-DD"))
            continue
        if kind == "points":
            value = row["value"]
            if not value.isascii() or not _is_number(value):
                problems.append(Problem(f"line {line}: value", "expected a number (ASCII digits)"))
                continue
            row["value"] = float(value) if "." in value else int(value)
        rows.append((line, row))
    if problems:
        raise InputError(f"{csv_file} has rows that cannot be read", problems)
    return rows


def _is_number(text: str) -> bool:
    body = text[1:] if text[:1] in "+-" else text
    whole, _, frac = body.partition(".")
    return (whole.isdigit() or (whole == "" and frac != "")) and (frac == "" or frac.isdigit())


# --- meetings ------------------------------------------------------------------------


@click.group("meetings")
def meetings_group():
    """IFSP and IEP meetings: schedule, record who came, check the rules, write the notice.

    \b
    Example:
        eirules meetings check examples/plans/pb-iep-goals.json --as-of 2026-02-20
    """


@meetings_group.command("schedule")
@case_file_arg
@click.option(
    "--kind",
    required=True,
    type=click.Choice(
        ["ifsp_initial", "ifsp_review", "ifsp_annual", "iep_initial", "iep_review", "iep_annual"]
    ),
    help="What the meeting is.",
)
@click.option("--date", "on", required=True, type=DATE, help="Meeting date (YYYY-MM-DD).")
@click.option("--time", "at", help="Time, as the family will read it (e.g. 15:30).")
@click.option("--location", help="Where the meeting is held.")
@click.option("--language", help="Language the meeting is held in.")
@click.option("--family-language", help="The family's native language or mode of communication.")
@click.option("--interpreter", is_flag=True, help="An interpreter is arranged.")
@click.option("--purpose", help="Purpose, in the words the notice should use.")
@click.option("--id", "meeting_id", help="Meeting id; default: KIND-DATE.")
@click.pass_context
def meetings_schedule(
    ctx,
    case_file,
    kind,
    on,
    at,
    location,
    language,
    family_language,
    interpreter,
    purpose,
    meeting_id,
):
    """Add a meeting to the case file's plans.

    \b
    Example:
        eirules meetings schedule case.json --kind iep_annual --date 2026-11-05 --time 15:30
    """
    meeting_id = meeting_id or f"{kind.replace('_', '-')}-{on.isoformat()}"

    def change(plans: dict) -> None:
        meetings = plans.setdefault("meetings", [])
        if any(isinstance(m, dict) and m.get("id") == meeting_id for m in meetings):
            raise InputError(
                f'{case_file} already has a meeting "{meeting_id}"',
                [Problem("--id", "give another id")],
            )
        entry = {
            "id": meeting_id,
            "kind": kind,
            "date": on.isoformat(),
            "time": at,
            "location": location,
            "language": language,
            "family_language": family_language,
            "interpreter": interpreter or None,
            "purpose": purpose,
        }
        meetings.append({k: v for k, v in entry.items() if v is not None})

    _update(ctx, case_file, change)
    echo(f"Scheduled {meeting_id} on {on.isoformat()} in {case_file}")


def _meeting_dict(plans: dict, meeting_id: str, case_file: str) -> dict:
    for m in plans.get("meetings", []):
        if isinstance(m, dict) and m.get("id") == meeting_id:
            return m
    from eirules.core.errors import did_you_mean

    ids = [m.get("id") for m in plans.get("meetings", []) if isinstance(m, dict)]
    raise InputError(
        f'no meeting "{meeting_id}" in {case_file}',
        [
            Problem(
                "MEETING",
                did_you_mean(meeting_id, [i for i in ids if isinstance(i, str)])
                or f"expected one of: {', '.join(map(str, ids)) or '(none scheduled)'}",
            )
        ],
    )


@meetings_group.command("participant")
@case_file_arg
@click.argument("meeting_id", metavar="MEETING")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True, help="Role (docs/plans.md), e.g. regular_education_teacher.")
@click.option("--attended/--absent", default=None, help="Whether the person took part.")
@click.option("--other-means", help="How an absent evaluator took part (303.343(a)(2)).")
@click.option("--excused-discussed", is_flag=True, help="Excused; the member's area is discussed.")
@click.option("--excused", is_flag=True, help="Excused; the member's area is not discussed.")
@click.option(
    "--parent-agreed", type=DATE, help="Date of the parent's written agreement to the excusal."
)
@click.option("--agency-agreed", type=DATE, help="Date the agency agreed to the excusal.")
@click.option("--written-input", type=DATE, help="Date the member's written input was given.")
@click.pass_context
def meetings_participant(
    ctx,
    case_file,
    meeting_id,
    name,
    role,
    attended,
    other_means,
    excused_discussed,
    excused,
    parent_agreed,
    agency_agreed,
    written_input,
):
    """Add or update one person invited to a meeting: role, attendance, excusal.

    \b
    Example:
        eirules meetings participant case.json iep-annual-2026-11-05 --name "Ms. Example" \\
            --role regular_education_teacher --absent --excused-discussed \\
            --parent-agreed 2026-11-01 --agency-agreed 2026-11-01 --written-input 2026-11-03
    """

    def change(plans: dict) -> None:
        m = _meeting_dict(plans, meeting_id, case_file)
        people = m.setdefault("participants", [])
        person = next(
            (
                p
                for p in people
                if isinstance(p, dict) and p.get("name") == name and p.get("role") == role
            ),
            None,
        )
        if person is None:
            person = {"name": name, "role": role}
            people.append(person)
        if attended is not None:
            person["attended"] = attended
        if other_means:
            person["other_means"] = other_means
        if excused or excused_discussed:
            ex = {
                "area_discussed": excused_discussed,
                "parent_agreed_in_writing": parent_agreed,
                "agency_agreed": agency_agreed,
                "written_input": written_input,
            }
            person["excusal"] = {
                k: (v.isoformat() if isinstance(v, date) else v)
                for k, v in ex.items()
                if v is not None
            }

    _update(ctx, case_file, change)
    echo(f"Recorded {name} ({role}) for {meeting_id} in {case_file}")


@meetings_group.command("check")
@read_case_options
@as_of_option("Check the meetings held on or before this date (YYYY-MM-DD). Default: today.")
@format_option("json", "csv")
@click.pass_context
def meetings_check(ctx, case_file, db_path, purpose, as_of, fmt):
    """Check each meeting against the participation, excusal, notice, time and language rules.

    Outcomes: met, not_met, review (the regulation leaves a judgement the data
    cannot settle) and needs_information. Exit status 1 when any rule is not met.

    \b
    Example:
        eirules meetings check examples/plans/pb-iep-goals.json --as-of 2026-02-20
    """
    from eirules.plugins.plans.meetings import check_meeting

    engine, case = _load(ctx, case_file, db_path, purpose, "meetings check")
    on = as_of or date.today()
    ruleset = engine.ruleset_for(case)
    rec = _record(case)
    rows = [
        {
            "meeting": c.meeting,
            "rule": c.rule,
            "outcome": c.outcome,
            "citation": c.citation,
            "reason": c.reason,
        }
        for m in rec.meetings
        if m.date <= on
        for c in check_meeting(case, m, rec.contacts, ruleset)
    ]
    if fmt == "table" and rows:
        echo(f"{plural(len(rows), 'check')}, meetings on or before {on}")
        _blocks(rows)
    else:
        _list(rows, fmt, f"No meetings on or before {on} in {case_file}.", "")
    if any(r["outcome"] == "not_met" for r in rows):
        ctx.exit(1)


@meetings_group.command("notice")
@case_file_arg
@click.argument("meeting_id", metavar="MEETING")
@click.option("--sent", type=DATE, help="Record the notice as sent on this date.")
@click.option("--method", help="How it is sent (letter, email, hand-delivered ...).")
@lang_option
@out_option
@pdf_option
@click.pass_context
def meetings_notice(ctx, case_file, meeting_id, sent, method, lang, out, pdf):
    """Write the meeting notice for the family (purpose, date, place, who is coming, rights).

    With --sent, the notice is also recorded on the meeting, so `eirules check`
    can judge whether it went out early enough (34 CFR 300.322, 303.342(d)).

    \b
    Example:
        eirules meetings notice examples/plans/pc-ifsp-outcomes.json ifsp-review-2026-04 --lang es --out aviso.html
    """
    from eirules.plugins.plans.report import render_notice

    check_writable(out, "--out")
    if pdf:
        check_writable(pdf, "--pdf")
    if sent is not None:

        def change(plans: dict) -> None:
            m = _meeting_dict(plans, meeting_id, case_file)
            notice = {"sent": sent.isoformat()}
            if method:
                notice["method"] = method
            m["notice"] = {**m.get("notice", {}), **notice}

        _, case = _update(ctx, case_file, change)
    else:
        _, case = _load(ctx, case_file)
    rec = _record(case)
    meeting = rec.meeting(meeting_id)
    if meeting is None:
        _meeting_dict({"meetings": [{"id": m.id} for m in rec.meetings]}, meeting_id, case_file)
    write_pages(render_notice(case, meeting, lang), out, pdf)


# --- contacts ------------------------------------------------------------------------


@click.group("contacts")
def contacts_group():
    """The parent contact log: dated calls, visits, letters and messages.

    \b
    Example:
        eirules contacts list examples/plans/pb-iep-goals.json
    """


@contacts_group.command("add")
@case_file_arg
@click.option("--date", "on", required=True, type=DATE, help="Date of the contact (YYYY-MM-DD).")
@click.option(
    "--method",
    required=True,
    type=click.Choice(["call", "visit", "letter", "message", "email", "meeting"]),
)
@click.option("--person", required=True, help="Who was contacted (e.g. mother).")
@click.option("--topic", required=True, help="What it was about.")
@click.option("--outcome", help="What came of it.")
@click.option("--by", help="Who made the contact.")
@click.option(
    "--meeting", "meeting_id", help="Meeting id this contact tried to arrange (300.322(d))."
)
@click.pass_context
def contacts_add(ctx, case_file, on, method, person, topic, outcome, by, meeting_id):
    """Record one contact with the family.

    \b
    Example:
        eirules contacts add case.json --date 2026-02-10 --method call --person mother \\
            --topic "annual review" --outcome "agreed 12 Feb 15:30" --meeting iep-annual-2026-02-12
    """

    def change(plans: dict) -> None:
        entry = {
            "date": on.isoformat(),
            "method": method,
            "person": person,
            "by": by,
            "topic": topic,
            "outcome": outcome,
            "meeting": meeting_id,
        }
        plans.setdefault("contacts", []).append({k: v for k, v in entry.items() if v is not None})

    _update(ctx, case_file, change)
    echo(f"Recorded a {method} with {person} on {on.isoformat()} in {case_file}")


@contacts_group.command("list")
@read_case_options
@format_option("json", "csv")
@click.pass_context
def contacts_list(ctx, case_file, db_path, purpose, fmt):
    """List the parent contact log, oldest first.

    \b
    Example:
        eirules contacts list examples/plans/pb-iep-goals.json --format csv
        eirules contacts list PB-PLAN-01 --purpose "annual review"
    """
    _, case = _load(ctx, case_file, db_path, purpose, "contacts list")
    rows = [
        {
            "date": c.date.isoformat(),
            "method": c.method,
            "person": c.person,
            "by": c.by,
            "topic": c.topic,
            "outcome": c.outcome,
            "meeting": c.meeting,
        }
        for c in _record(case).contacts
    ]
    _list(
        rows,
        fmt,
        f"No contacts recorded in {case_file}.",
        plural(len(rows), "contact"),
        table=("date", "method", "person", "topic"),
    )


def register(cli: click.Group) -> None:
    cli.add_command(plans_group)
    cli.add_command(meetings_group)
    cli.add_command(contacts_group)
