"""Part B transition from Part C (34 CFR 300.124(b), 300.101(b)): an IEP by the third birthday.

A child referred from Part C has an IEP developed and implemented by the third
birthday (300.124(b)); when the birthday falls in the summer the IEP Team sets
the date services begin (300.101(b)(2)).
"""

from __future__ import annotations

from eirules.core.clocks import not_applicable, param_or_none
from eirules.core.decisions import Clock, Finding

from .context import PROGRAM, Context, after, first_of, make_clock, of_type, with_note


def iep_by_third_birthday(ctx: Context, referral, found_not_eligible: bool) -> Clock:
    label = "IEP in effect by the third birthday"
    if referral.date >= ctx.third_birthday:
        return not_applicable(
            id="iep_by_third_birthday",
            program=PROGRAM,
            citation="34 CFR 300.124(b)",
            label=label,
            start=referral.date,
            reason=f"referred on {referral.date}, on or after the third birthday ({ctx.third_birthday})",
        )
    if found_not_eligible:
        return not_applicable(
            id="iep_by_third_birthday",
            program=PROGRAM,
            citation="34 CFR 300.124(b)",
            label=label,
            start=referral.date,
            reason="the team found the child not eligible for Part B",
        )
    meetings = of_type(ctx.case, "iep_meeting_held")
    clock = make_clock(
        ctx,
        "iep_by_third_birthday",
        start=referral.date,
        label=label,
        anchor=ctx.third_birthday,
        stop_events=after(meetings, referral.date, strict=False),
    )
    summer = summer_birthday(ctx)
    if summer is True:
        clock = with_note(
            clock,
            "the third birthday falls in the summer: the IEP must still be developed by then, "
            "and the IEP Team decides when services begin (34 CFR 300.101(b)(2))",
        )
    elif summer is None:
        clock = with_note(
            clock,
            "no school calendar: if the third birthday falls in the summer the IEP Team sets "
            "the service start date (34 CFR 300.101(b)(2))",
        )
    return clock


def summer_birthday(ctx: Context) -> bool | None:
    """Whether the third birthday is in a summer break of the school calendar; None if unknown."""
    school = ctx.ruleset.school_calendar(ctx.case.district)
    if school is None:
        return None
    gap = param_or_none(ctx.ruleset, "part_b.summer_min_break_days", ctx.third_birthday)
    if gap is None:
        return None
    return school.in_break(ctx.third_birthday, min_days=gap.value)


def summer_finding(ctx: Context) -> Finding | None:
    """A finding when a child referred from Part C turns 3 in the summer break (300.101(b)(2))."""
    ruleset = ctx.ruleset
    if first_of(ctx.case, "referral_from_part_c") is None or not summer_birthday(ctx):
        return None
    return Finding(
        rule="part_b.summer_third_birthday",
        outcome="summer",
        reason=f"The third birthday ({ctx.third_birthday}) falls in the school calendar's summer break: "
        "the IEP is still due by the birthday; the IEP Team sets the date services begin.",
        citation="34 CFR 300.101(b)(2); 300.124(b)",
        program=PROGRAM,
        inputs={"third_birthday": ctx.third_birthday.isoformat()},
        parameters={
            "part_b.summer_min_break_days": ruleset.value(
                "part_b.summer_min_break_days", ctx.third_birthday
            )
        },
    )
