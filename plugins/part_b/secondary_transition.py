"""Part B secondary transition (34 CFR 300.320(b), (c)): what the IEP must carry by a given age.

The first IEP in effect when the student turns 16 (or younger, where the state
says) includes postsecondary goals and transition services (300.320(b)); at least
one year before the age of majority under state law (300.520(a)) the IEP says the
student was informed of the rights that transfer (300.320(c)).
"""

from __future__ import annotations

from datetime import date

from eirules.core.clocks import not_applicable, param_or_none
from eirules.core.dates import add_months, birthday
from eirules.core.decisions import Clock

from .context import CLOSING, PROGRAM, Context, episode_id, make_clock, of_type, with_note
from .school import entered_grade

CITATION = "34 CFR 300.320(c); 300.520(a)"


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


def _transition_date(ctx: Context) -> tuple[date, str, str, str]:
    """When transition content is first required, in words twice, and the citation.

    Returns (date, "turns 16", "was already 16", citation). The age may carry months
    (14 and a half); a state may also name a grade, whichever comes first (511 IAC
    7-43-4(a)). Without the date the student entered that grade in the case file, the
    age alone is used and the reason says so.
    """
    ruleset, as_of = ctx.ruleset, ctx.as_of
    age = ruleset.param("part_b.transition_services_age", as_of)
    months = param_or_none(ruleset, "part_b.transition_services_age_months", as_of)
    extra = months.value if months is not None else 0
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    turns = birthday(ctx.case.child.birth_date, age.value, leap_day=leap)
    years = f"{age.value}"
    cite = age.citation
    if extra:
        turns = add_months(turns, extra)
        years = f"{age.value} and {extra} months"
        cite = f"{cite}; {months.citation}" if months.citation not in cite else cite
    words, reached = f"turns {years}", f"was already {years}"
    grade = param_or_none(ruleset, "part_b.transition_services_grade", as_of)
    if grade is None:
        return turns, words, reached, cite
    if grade.citation not in cite:
        cite = f"{cite}; {grade.citation}"
    entered = entered_grade(ctx.case, grade.value)
    if entered is None:
        missing = f" (the case file gives no date for entering grade {grade.value}: school.grades)"
        return turns, words + missing, reached + missing, cite
    if entered < turns:
        return (
            entered,
            f"enters grade {grade.value}, before turning {years}",
            f"had already entered grade {grade.value}",
            cite,
        )
    return turns, f"{words}, before entering grade {grade.value}", reached, cite


def transition_services(ctx: Context, last) -> Clock:
    label = "Transition services in the IEP"
    turns, words, reached, citation = _transition_date(ctx)
    if turns >= ctx.ends:
        return not_applicable(
            episode=episode_id(ctx),
            id="transition_services",
            program=PROGRAM,
            citation=citation,
            label=label,
            reason=f"the student {words} on {turns}, after Part B ends ({ctx.ends})",
        )
    stops = of_type(ctx.case, "transition_services_in_iep")
    if last.date > turns:
        # First IEP after that day: it is the first in effect then, so it must include
        # them (300.320(b)); lateness is not counted from the earlier day.
        clock = iep_content(ctx, "transition_services", label, last, last.date, stops)
        return with_note(
            clock,
            f"the student {reached} ({turns}) at the first IEP ({last.date}), "
            f"so that IEP must include postsecondary goals and transition services ({citation})",
        )
    clock = iep_content(ctx, "transition_services", label, last, turns, stops)
    return with_note(
        clock,
        f"the first IEP in effect when the student {words} ({turns}) must include "
        f"postsecondary goals and transition services ({citation})",
    )


def age_of_majority_notice(ctx: Context, last) -> Clock:
    ruleset, label = ctx.ruleset, "Notice of rights transferring at majority"
    majority = param_or_none(ruleset, "part_b.age_of_majority", ctx.as_of)
    if majority is None:
        return _majority_unknown(ctx, last, label)
    years = ruleset.param("part_b.age_of_majority_notice_years", ctx.as_of)
    leap = ruleset.value("dates.leap_day_birthday", ctx.as_of)
    reaches = birthday(ctx.case.child.birth_date, majority.value, leap_day=leap)
    stops = of_type(ctx.case, "age_of_majority_notice_given")
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


def _majority_unknown(ctx: Context, first, label: str) -> Clock:
    """The notice is owed in every state, but without the state's age its date is unknown.

    300.320(c) requires the statement "beginning not later than one year before the child
    reaches the age of majority under State law"; the age is the state's (300.520(a)). A
    ruleset without it cannot compute the date: the clock is `needs_information` (listed
    by `due` as "cannot compute"), never `not_applicable`. Counted from the first IEP; a
    notice given since records `met_on`, whether on time stays unknown; consent withdrawn
    or a move before it closes the clock (nothing owed any more).
    """
    as_of, case = ctx.as_of, ctx.case
    missing = "the state's age of majority (part_b.age_of_majority, 34 CFR 300.520(a))"
    given = closed = None  # the first of each (loops: no generator)
    for e in of_type(case, "age_of_majority_notice_given"):
        if first.date <= e.date:
            given = e.date
            break
    met_on = given if given is not None and given <= as_of else None
    for e in of_type(case, *CLOSING):
        if first.date <= e.date <= as_of:
            closed = e
            break
    if closed is not None and met_on is None:
        return not_applicable(
            episode=episode_id(ctx),
            id="age_of_majority_notice",
            program=PROGRAM,
            citation=CITATION,
            label=label,
            start=first.date,
            reason=f"closed: {closed.type.replace('_', ' ')} on {closed.date}, before it was "
            f"done (its due date could not be computed: {missing} is missing)",
        )
    done = f"done on {met_on}; whether on time is unknown: " if met_on is not None else ""
    return Clock(
        episode=episode_id(ctx),
        id="age_of_majority_notice",
        program=PROGRAM,
        start=first.date,
        due=None,
        met_on=met_on,
        status="needs_information",
        citation=CITATION,
        label=label,
        # The parameter is named in `missing`; the reason stays in short words (it is
        # the What column of `due`).
        reason=f"{done}cannot compute the due date: the ruleset sets no age of majority "
        "(state law, 34 CFR 300.520(a))",
        missing=(missing,),
    )
