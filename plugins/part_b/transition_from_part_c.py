"""Part B transition from Part C (34 CFR 300.124(b), 300.101(b)): an IEP by the third birthday.

A child referred from Part C has an IEP "developed and implemented" by the third
birthday (300.124(b)): the clock stops when the IEP's services start
(`iep_services_started`), not at the meeting that writes the IEP. When the
birthday falls in the summer the IEP Team sets the date services begin
(300.101(b)(2)), so an IEP developed (`iep_meeting_held`) by the birthday is on
time. The summer is the school calendar's: the days between the last school day
of one school year and the first of the next (`SchoolCalendar.in_summer`).
Without a calendar that can say, the clock is `needs_information` whenever the
answer depends on it (an IEP developed by the birthday, its services not started
by then); otherwise both readings agree and the clock says so.
"""

from __future__ import annotations

import attrs

from eirules.core.clocks import not_applicable
from eirules.core.decisions import Clock, Finding

from .context import PROGRAM, Context, after, episode_id, first_of, make_clock, of_type, with_note

ID = "iep_by_third_birthday"
LABEL = "IEP in effect by the third birthday"
SUMMER_NOTE = (
    "the third birthday falls in the summer: an IEP developed by then is on time, "
    "and the IEP Team decides when services begin (34 CFR 300.101(b)(2))"
)


def iep_by_third_birthday(ctx: Context, referral, found_not_eligible: bool) -> Clock:
    if referral.date >= ctx.third_birthday:
        return not_applicable(
            episode=episode_id(ctx),
            id=ID,
            program=PROGRAM,
            citation="34 CFR 300.124(b)",
            label=LABEL,
            start=referral.date,
            reason=f"referred on {referral.date}, on or after the third birthday ({ctx.third_birthday})",
        )
    if found_not_eligible:
        return not_applicable(
            episode=episode_id(ctx),
            id=ID,
            program=PROGRAM,
            citation="34 CFR 300.124(b)",
            label=LABEL,
            start=referral.date,
            reason="the team found the child not eligible for Part B",
        )
    # Services started implies an IEP developed: either event meets the summer reading.
    services = after(of_type(ctx.case, "iep_services_started"), referral.date, strict=False)
    developed = after(
        of_type(ctx.case, "iep_meeting_held", "iep_services_started"), referral.date, strict=False
    )

    def clock(stop_events) -> Clock:
        return make_clock(
            ctx, ID, start=referral.date, label=LABEL, anchor=ctx.third_birthday,
            stop_events=stop_events,
        )  # fmt: skip

    summer = summer_birthday(ctx)
    if summer is True:
        return with_note(clock(developed), SUMMER_NOTE)
    implemented = clock(services)
    if summer is False:
        return implemented
    return _summer_unknown(ctx, implemented, clock(developed))


def _summer_unknown(ctx: Context, implemented: Clock, developed: Clock) -> Clock:
    """No calendar says whether the birthday is in the summer: needs_information when it matters.

    The two readings differ only when the IEP was developed by the birthday and its
    services had not started by then (one says met, the other pending or late).
    """
    b3 = ctx.third_birthday.isoformat()
    missing = f"a school calendar whose school years say whether {b3} falls in the summer"
    if developed.status != "met" or implemented.status in ("met", "not_applicable"):
        # Both readings agree (or the case closed before anything was owed).
        if implemented.status in ("pending", "due_soon"):
            note = (
                f"services must start by {b3}; if that falls in the summer (no school calendar "
                "says), an IEP developed by then is enough (34 CFR 300.101(b)(2))"
            )
        else:
            note = (
                f"no school calendar says whether {b3} falls in the summer; "
                "the outcome is the same either way"
            )
        return with_note(implemented, note)
    assert developed.met_on is not None
    started = (
        f"services started on {implemented.met_on.isoformat()}"
        if implemented.met_on is not None
        else "services not started"
    )
    return attrs.evolve(
        implemented,
        status="needs_information",
        excused_by=None,
        reason=f"IEP developed on {developed.met_on.isoformat()}, {started}: on time if the "
        "third birthday falls in the summer (the IEP Team sets the start, 34 CFR "
        f"300.101(b)(2)), otherwise services were due by {b3}; {missing} is missing",
        missing=(missing,),
    )


def summer_birthday(ctx: Context) -> bool | None:
    """Whether the third birthday is in a summer of the school calendar; None when unknown.

    Unknown: no calendar for the case's district or ruleset, a calendar without school
    years, or one whose school years do not reach the birthday.
    """
    school = ctx.ruleset.school_calendar(ctx.case.district)
    if school is None:
        return None
    return school.in_summer(ctx.third_birthday)


def summer_finding(ctx: Context) -> Finding | None:
    """A finding when a child referred from Part C turns 3 in the summer (300.101(b)(2))."""
    if first_of(ctx.case, "referral_from_part_c") is None or not summer_birthday(ctx):
        return None
    school = ctx.ruleset.school_calendar(ctx.case.district)
    assert school is not None  # summer_birthday found one
    summer = next(s for s in school.summers() if s[0] <= ctx.third_birthday <= s[1])
    return Finding(
        rule="part_b.summer_third_birthday",
        outcome="summer",
        reason=f"The third birthday ({ctx.third_birthday}) falls in the summer of the school "
        f"calendar ({summer[0]} to {summer[1]}): an IEP developed by the birthday is on time; "
        "the IEP Team sets the date services begin.",
        citation="34 CFR 300.101(b)(2); 300.124(b)",
        program=PROGRAM,
        inputs={
            "third_birthday": ctx.third_birthday.isoformat(),
            "summer_first_day": summer[0].isoformat(),
            "summer_last_day": summer[1].isoformat(),
            "school_calendar": school.name,
        },
    )
