"""Part B secondary transition (34 CFR 300.320(b), (c)): what the IEP must carry by a given age.

The first IEP in effect when the student turns 16 (or younger, where the state
says) includes postsecondary goals and transition services (300.320(b)); at least
one year before the age of majority under state law (300.520(a)) the IEP says the
student was informed of the rights that transfer (300.320(c)).
"""

from __future__ import annotations

from datetime import date

from eirules.core.clocks import not_applicable, param_or_none
from eirules.core.dates import birthday
from eirules.core.decisions import Clock

from .context import PROGRAM, Context, make_clock, of_type, with_note


def iep_content(
    ctx: Context, name: str, label: str, first, anchor: date, stops, overrides=None
) -> Clock:
    """Something an IEP must include (300.320(b), (c)), counted to `anchor`.

    The callers pass the first IEP's own date as `anchor` when that IEP came after the
    day the content was first required: that IEP is then the one that must carry it.
    """
    return make_clock(
        ctx,
        name,
        start=min(first.date, anchor),
        label=label,
        anchor=anchor,
        on=ctx.as_of,
        stop_events=stops,
        overrides=overrides,
    )


def transition_services(ctx: Context, last) -> Clock:
    ruleset, label = ctx.ruleset, "Transition services in the IEP"
    age = ruleset.param("part_b.transition_services_age", ctx.as_of)
    leap = ruleset.value("dates.leap_day_birthday", ctx.as_of)
    turns = birthday(ctx.case.child.birth_date, age.value, leap_day=leap)
    if turns >= ctx.ends:
        return not_applicable(
            id="transition_services",
            program=PROGRAM,
            citation=age.citation,
            label=label,
            reason=f"the student turns {age.value} on {turns}, after Part B ends ({ctx.ends})",
        )
    stops = of_type(ctx.case, "transition_services_in_iep")
    if last.date > turns:
        # First IEP after the birthday: it is the first in effect at that age, so it
        # must include them (300.320(b)); lateness is not counted from the birthday.
        clock = iep_content(ctx, "transition_services", label, last, last.date, stops)
        return with_note(
            clock,
            f"the student was already {age.value} ({turns}) at the first IEP ({last.date}), "
            f"so that IEP must include postsecondary goals and transition services ({age.citation})",
        )
    clock = iep_content(ctx, "transition_services", label, last, turns, stops)
    return with_note(
        clock,
        f"the first IEP in effect when the student turns {age.value} ({turns}) must include "
        f"postsecondary goals and transition services ({age.citation})",
    )


def age_of_majority_notice(ctx: Context, last) -> Clock:
    ruleset, label = ctx.ruleset, "Notice of rights transferring at majority"
    majority = param_or_none(ruleset, "part_b.age_of_majority", ctx.as_of)
    if majority is None:
        return not_applicable(
            id="age_of_majority_notice",
            program=PROGRAM,
            citation="34 CFR 300.320(c); 300.520(a)",
            label=label,
            reason=f'ruleset "{ruleset.id}" sets no age of majority: it is state law '
            "(34 CFR 300.520(a)), so the one-year notice date cannot be computed",
        )
    years = ruleset.param("part_b.age_of_majority_notice_years", ctx.as_of)
    leap = ruleset.value("dates.leap_day_birthday", ctx.as_of)
    reaches = birthday(ctx.case.child.birth_date, majority.value, leap_day=leap)
    stops = of_type(ctx.case, "age_of_majority_notice_given")
    leap = ruleset.value("dates.leap_day_birthday", ctx.as_of)
    notice_by = birthday(ctx.case.child.birth_date, majority.value - years.value, leap_day=leap)
    note = (
        f"age of majority {majority.value} on {reaches} ({majority.citation}); "
        f"inform the student at least {years.value} year(s) before ({years.citation})"
    )
    if last.date > notice_by:
        # First IEP after the notice date: that IEP must carry the statement (300.320(c)).
        clock = iep_content(
            ctx,
            "age_of_majority_notice",
            label,
            last,
            last.date,
            stops,
            overrides={"length": 0, "unit": "calendar_days"},
        )
        return with_note(clock, f"{note}; the first IEP ({last.date}) came after {notice_by}")
    clock = iep_content(
        ctx,
        "age_of_majority_notice",
        label,
        last,
        reaches,
        stops,
        overrides={"length": years.value, "unit": "years"},
    )
    return with_note(clock, note)
