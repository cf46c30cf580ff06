"""`eirules meetings`: schedule IFSP and IEP meetings, record who came, check them, write notices."""

from __future__ import annotations

from datetime import date

import click

from eirules.core.errors import InputError, Problem

from .options import DATE, NOTE, TEXT, as_of_option, format_option
from .output import echo, plural
from .output_options import write_pages
from .plan_files import (
    _changed,
    _list,
    _load,
    _record,
    _update,
    case_file_arg,
    lang_option,
    out_option,
    pdf_option,
    read_case_options,
    write_case_file,
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
@click.option("--time", "at", type=TEXT, help="Time, as the family will read it (e.g. 15:30).")
@click.option("--location", type=TEXT, help="Where the meeting is held.")
@click.option("--language", type=TEXT, help="Language the meeting is held in.")
@click.option(
    "--family-language", type=TEXT, help="The family's native language or mode of communication."
)
@click.option("--interpreter", is_flag=True, help="An interpreter is arranged.")
@click.option("--purpose", type=NOTE, help="Purpose, in the words the notice should use.")
@click.option("--id", "meeting_id", type=TEXT, help="Meeting id; default: KIND-DATE.")
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

    Refuses a date before the child's birth, and an IEP meeting (iep_*) on a case
    that is in Part C only (the IEP is Part B's, 34 CFR 300.320-300.324; an IFSP
    may serve a Part B child, 300.323(b), so ifsp_* is taken on any case). A
    meeting may be scheduled ahead; who attended it is recorded once it is held.

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

    def check(case) -> None:
        from eirules.plugins.vocabulary import only_in_part_c

        if kind.startswith("iep_") and only_in_part_c(case):
            raise InputError(
                f"{meeting_id} not scheduled: {case_file} is a Part C case, and an IEP "
                "meeting is Part B's (34 CFR 300.320-300.324)",
                [
                    Problem(
                        "--kind",
                        f"{kind} is an IEP meeting; for this case use an IFSP kind "
                        f"({kind.replace('iep_', 'ifsp_')}), or record the child's Part B "
                        "enrolment or referral first",
                    )
                ],
            )

    _update(ctx, case_file, change, check=check)
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
@click.option("--name", required=True, type=TEXT, help="The person's name.")
@click.option("--role", required=True, help="Role (docs/plans.md), e.g. regular_education_teacher.")
@click.option("--attended/--absent", default=None, help="Whether the person took part.")
@click.option("--other-means", type=NOTE, help="How an absent evaluator took part (303.343(a)(2)).")
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

    --attended is refused for a meeting dated after today: no one has attended
    it yet (record it on or after the meeting day).

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
@click.option("--method", type=TEXT, help="How it is sent (letter, email, hand-delivered ...).")
@lang_option
@out_option
@pdf_option
@click.pass_context
def meetings_notice(ctx, case_file, meeting_id, sent, method, lang, out, pdf):
    """Write the meeting notice for the family (purpose, date, place, who is coming, rights).

    With --sent, the notice is also recorded on the meeting, with what it says
    (a time or place not yet on the meeting is "to be agreed", not given), so
    `eirules meetings check` can judge whether it went out early enough and
    said what it must (34 CFR 300.322(b), 303.342(d)). A sending is a record of
    what happened: --sent after today is refused. A meeting holds one notice:
    a new sending replaces the one recorded (nothing of it is kept: give --method
    again), and the check judges the latest. The page (and --pdf) is made first
    and the case file written last: when the PDF cannot be printed, nothing is
    written.

    \b
    Example:
        eirules meetings notice examples/plans/pc-ifsp-outcomes.json ifsp-review-2026-04 --lang es --out aviso.html
    """
    from eirules.plugins.plans.meetings import notice_items
    from eirules.plugins.plans.report import render_notice

    _, case = _load(ctx, case_file)
    rec = _record(case)
    meeting = rec.meeting(meeting_id)
    if meeting is None:
        _meeting_dict({"meetings": [{"id": m.id} for m in rec.meetings]}, meeting_id, case_file)
    if sent is None:
        write_pages(render_notice(case, meeting, lang), out, pdf)
        return
    # What this notice, in its language, says, recorded with it (300.322(b)(1)(i)):
    # a time or place "to be agreed" is not a time or place given.
    notice = {"sent": sent.isoformat(), "includes": list(notice_items(meeting, lang))}
    if method:
        notice["method"] = method
    replaced = []

    def change(plans: dict) -> None:
        m = _meeting_dict(plans, meeting_id, case_file)
        if isinstance(m.get("notice"), dict):
            replaced.append(m["notice"].get("sent"))
        m["notice"] = notice  # a new sending, whole: none of the old one's fields

    _, data, case = _changed(ctx, case_file, change)
    page = render_notice(case, _record(case).meeting(meeting_id), lang)
    write_pages(page, out, pdf, then=lambda: write_case_file(case_file, data))
    earlier = f" (replacing the notice sent {replaced[0]})" if replaced else ""
    echo(f"Recorded the notice of {meeting_id} as sent {sent.isoformat()}{earlier} in {case_file}")
