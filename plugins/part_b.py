"""IDEA Part B (34 CFR Part 300): eligibility checks and every Part B clock.

The engine checks what rules can check (the age window, a category the state
allows, the team's determination on record) and says plainly what only the
team can decide. Every number comes from the ruleset, in force on the day the
clock's start event happened.
"""

from __future__ import annotations

import threading
from datetime import date

import attrs

from eirules.core.clocks import (
    clock_from_param,
    events_of,
    latest_on_or_before,
    not_applicable,
    param_or_none,
)
from eirules.core.dates import birthday
from eirules.core.decisions import Clock, Eligibility, Finding
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset

from .events import program_view, programs_of, recurring_clock
from .part_c import third_birthday as part_c_third_birthday

PROGRAM = "part_b"
CLOSING = ("consent_withdrawn", "moved_out")

EVENT_TYPES = {
    "referral_from_part_c": "The child was referred from Part C to the LEA (300.124(b)).",
    "consent_for_evaluation": "The agency received parental consent for the initial evaluation (300.301(c)(1)).",
    "evaluation_completed": "The initial evaluation was completed (300.301(c)).",
    "eligibility_determined": "The team determined eligibility; `category` names the 300.8 category and `outcome` is eligible or not_eligible.",
    "iep_meeting_held": "A meeting to develop the IEP was held (300.323(c)(1)).",
    "iep_services_started": "Special education and related services under the IEP began (300.323(c)(2)).",
    "iep_review_held": "The IEP was reviewed (300.324(b)(1)).",
    "reevaluation_completed": "A reevaluation was completed (300.303).",
    "reevaluation_waived": "Parent and agency agreed a reevaluation is unnecessary (300.303(b)(2)).",
    "transition_services_in_iep": "The IEP includes postsecondary goals and transition services (300.320(b)).",
    "age_of_majority_notice_given": "The student was informed of rights that transfer at majority (300.320(c)).",
}

TEAM_ONLY = (
    "Only the team decides whether the child has a disability and, because of it, needs "
    "special education and related services (34 CFR 300.8(a)(1), 300.306); the engine checks "
    "the age window, that the category is one the state allows and that the determination is on record"
)


def _events(case: Case, *types: str) -> tuple:
    """This program's events of the given types, in canonical order (indexed per case)."""
    return events_of(case, types, PROGRAM)


def _first(case: Case, type_: str):
    found = events_of(case, (type_,), PROGRAM)
    return found[0] if found else None


def _last(case: Case, type_: str):
    found = events_of(case, (type_,), PROGRAM)
    return found[-1] if found else None


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]


@attrs.define
class Context:
    """What the Part B hooks share for one case, ruleset and date."""

    case: Case
    ruleset: Ruleset
    as_of: date
    third_birthday: date
    starts: date
    ends: date
    eligibility: Eligibility | None = None
    findings: list = attrs.field(factory=list)


#: The last case analysed, per thread: the four hooks of one evaluation share it.
_cache = threading.local()


def _context(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    entry = getattr(_cache, "entry", None)
    if entry is not None and entry[0] is case and entry[1] is ruleset and entry[2] == as_of:
        return entry[3]
    ctx = _build(case, ruleset, as_of)
    _cache.entry = (case, ruleset, as_of, ctx)
    return ctx


def _build(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    b3 = part_c_third_birthday(case, ruleset, as_of)
    programs = programs_of(case, b3)
    if not programs.part_b:
        return None
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    birth = case.child.birth_date
    ctx = Context(
        case=program_view(case, PROGRAM, programs),
        ruleset=ruleset,
        as_of=as_of,
        third_birthday=birthday(birth, ruleset.value("part_b.age_from", as_of), leap_day=leap),
        starts=birthday(birth, ruleset.value("part_b.age_from", as_of), leap_day=leap),
        # "Through 21": FAPE is available until the day before the 22nd birthday.
        ends=birthday(birth, ruleset.value("part_b.age_through", as_of) + 1, leap_day=leap),
    )
    ctx.eligibility = _eligibility(ctx)
    return ctx


# Eligibility ------------------------------------------------------------------------


def _eligibility(ctx: Context) -> Eligibility:
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    through = ruleset.param("part_b.age_through", as_of)
    if as_of >= ctx.ends:
        reason = (
            f"Not eligible for Part B on {as_of}: FAPE is available through age {through.value} "
            f"({through.citation}), which ended on {ctx.ends}."
        )
        ctx.findings.append(
            Finding(
                rule="part_b.eligibility.age",
                outcome="not_eligible",
                reason=reason,
                citation="34 CFR 300.101(a); 300.102(a)(1)",
                program=PROGRAM,
                inputs={"birth_date": case.child.birth_date.isoformat()},
                parameters={"part_b.age_through": through.value},
            )
        )
        return Eligibility(
            program=PROGRAM, outcome="not_eligible", citation="34 CFR 300.101(a)", reason=reason
        )
    determined = None
    for event in _events(case, "eligibility_determined"):
        if event.date <= as_of:
            determined = event
    if determined is None or determined.outcome not in ("eligible", "not_eligible"):
        what = (
            "the team's eligibility determination (an eligibility_determined event with category and outcome)"
            if determined is None
            else f"the outcome of the determination recorded on {determined.date} (eligible or not_eligible)"
        )
        return Eligibility(
            program=PROGRAM,
            outcome="needs_information",
            missing=(what,),
            citation="34 CFR 300.306",
            reason=f"{TEAM_ONLY}. Missing: {what}.",
        )
    on = determined.date
    if param_or_none(ruleset, "part_b.disability_categories", on) is None:
        on = as_of  # a determination from before the ruleset's first value: use today's rules
    categories = ruleset.param("part_b.disability_categories", on)
    allowed = list(categories.value)
    dd_used = ruleset.param("part_b.developmental_delay.used", on)
    dd_from = ruleset.value("part_b.developmental_delay.age_from", on)
    dd_through = ruleset.value("part_b.developmental_delay.age_through", on)
    if dd_used.value:
        allowed.append("developmental_delay")
    parameters = {
        "part_b.disability_categories": list(categories.value),
        "part_b.developmental_delay.used": dd_used.value,
    }
    if determined.outcome == "not_eligible":
        reason = f"Not eligible for Part B: the team determined on {on} that the child is not a child with a disability. {TEAM_ONLY}."
        ctx.findings.append(
            Finding(
                rule="part_b.eligibility.team",
                outcome="not_eligible",
                reason=reason,
                citation="34 CFR 300.306(a)",
                program=PROGRAM,
                inputs={"determined": on.isoformat(), "category": determined.category},
            )
        )
        return Eligibility(
            program=PROGRAM, outcome="not_eligible", citation="34 CFR 300.306(a)", reason=reason
        )
    category = determined.category
    if category is None or category not in allowed:
        what = (
            "the disability category the team found"
            if category is None
            else f"a category the ruleset allows (the team recorded {category!r}; allowed: {', '.join(allowed)})"
        )
        extra = ""
        if category == "developmental_delay" and not dd_used.value:
            extra = f" The state has not adopted the developmental delay category, so an LEA may not use it ({dd_used.citation})."
        reason = f"Part B eligibility cannot be confirmed: {what}.{extra}"
        ctx.findings.append(
            Finding(
                rule="part_b.eligibility.category",
                outcome="needs_information",
                reason=reason,
                citation="34 CFR 300.8; 300.111(b)",
                program=PROGRAM,
                inputs={"determined": on.isoformat(), "category": category},
                parameters=parameters,
            )
        )
        return Eligibility(
            program=PROGRAM,
            outcome="needs_information",
            missing=(what,),
            citation="34 CFR 300.8",
            reason=reason,
        )
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    words = category.replace("_", " ")
    if category == "developmental_delay":
        dd_ends = birthday(case.child.birth_date, dd_through + 1, leap_day=leap)
        dd_starts = birthday(case.child.birth_date, dd_from, leap_day=leap)
        parameters.update(
            {
                "part_b.developmental_delay.age_from": dd_from,
                "part_b.developmental_delay.age_through": dd_through,
            }
        )
        if as_of >= dd_ends or on < dd_starts:
            reason = (
                f"The developmental delay category covers ages {dd_from} through {dd_through} in this state "
                f"(34 CFR 300.8(b)); it {'lapsed on ' + str(dd_ends) if as_of >= dd_ends else 'did not apply on ' + str(on)}. "
                "The team must determine eligibility under another category."
            )
            ctx.findings.append(
                Finding(
                    rule="part_b.eligibility.developmental_delay_age",
                    outcome="needs_information",
                    reason=reason,
                    citation="34 CFR 300.8(b); 300.111(b)",
                    program=PROGRAM,
                    inputs={"determined": on.isoformat()},
                    parameters=parameters,
                )
            )
            return Eligibility(
                program=PROGRAM,
                outcome="needs_information",
                missing=("a determination under a category other than developmental delay",),
                citation="34 CFR 300.8(b)",
                reason=reason,
            )
        ctx.findings.append(
            Finding(
                rule="part_b.eligibility.developmental_delay_age",
                outcome="eligible",
                reason=f"The developmental delay category ends on {dd_ends} (ages {dd_from} through {dd_through}); "
                "plan a reevaluation under another category before then.",
                citation="34 CFR 300.8(b); 300.111(b)",
                program=PROGRAM,
                inputs={"determined": on.isoformat()},
                parameters=parameters,
            )
        )
    cite = "34 CFR 300.8(b)" if category == "developmental_delay" else categories.citation
    reason = f"Eligible for Part B under {words}: the team determined it on {on}, and {words} is a category the state allows ({cite})."
    if as_of < ctx.starts:
        reason += f" FAPE begins at age 3 ({ctx.starts}; 34 CFR 300.101(b))."
    ctx.findings.append(
        Finding(
            rule="part_b.eligibility.team",
            outcome="eligible",
            reason=f"{reason} {TEAM_ONLY}.",
            citation=f"{cite}; 34 CFR 300.306",
            program=PROGRAM,
            inputs={"determined": on.isoformat(), "category": category},
            parameters=parameters,
        )
    )
    return Eligibility(
        program=PROGRAM, outcome="eligible", basis=(category,), citation=cite, reason=reason
    )


@hookimpl
def eligibility_for(case: Case, ruleset: Ruleset, as_of: date):
    ctx = _context(case, ruleset, as_of)
    return None if ctx is None else [ctx.eligibility]


# Clocks -----------------------------------------------------------------------------


def _clock(
    ctx: Context, name: str, *, start: date, label: str, id: str | None = None, **kw
) -> Clock:
    return clock_from_param(
        ctx.case,
        ctx.ruleset,
        f"part_b.{name}",
        id=id or name,
        program=PROGRAM,
        start=start,
        as_of=ctx.as_of,
        label=label,
        closing=CLOSING,
        **kw,
    )


def _after(events, start: date, strict: bool = True):
    return tuple(e for e in events if (e.date > start if strict else e.date >= start))


def _note(clock: Clock, note: str) -> Clock:
    return attrs.evolve(clock, reason=f"{clock.reason}; {note}" if clock.reason else note)


def _clocks(ctx: Context) -> list[Clock]:
    case, as_of = ctx.case, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _build_context determines it first
    clocks: list[Clock] = []
    # The team's finding, not aging out: past clocks still show how they ended.
    found_not_eligible = eligibility.outcome == "not_eligible" and as_of < ctx.ends

    # 300.301(c): initial evaluation within 60 days of consent (or the state's timeframe).
    consent = next(
        (e for e in _events(case, "consent_for_evaluation") if e.date <= as_of),
        None,
    )
    if consent is not None:
        clocks.append(
            _clock(ctx, "initial_evaluation", start=consent.date, label="Initial evaluation")
        )

    # 300.323(c)(1): IEP meeting within 30 days of the eligibility determination.
    eligible = next(
        (
            e
            for e in _events(case, "eligibility_determined")
            if e.outcome == "eligible" and e.date <= as_of
        ),
        None,
    )
    meetings = _events(case, "iep_meeting_held")
    if eligible is not None:
        clocks.append(
            _clock(
                ctx,
                "initial_iep_meeting",
                start=eligible.date,
                label="Initial IEP meeting",
                stop_events=_after(meetings, eligible.date, strict=False),
            )
        )

    # 300.124(b), 300.101(b): IEP developed and implemented by the third birthday.
    referral = next(
        (e for e in _events(case, "referral_from_part_c") if e.date <= as_of),
        None,
    )
    if referral is not None:
        clocks.append(_iep_by_third_birthday(ctx, referral, found_not_eligible))

    if found_not_eligible:
        return clocks

    # 300.324(b)(1): IEP reviewed at least once a year.
    reviews = _events(case, "iep_meeting_held", "iep_review_held")
    last, previous = latest_on_or_before(reviews, as_of)
    if last is not None:
        clocks.append(
            _recurring(
                ctx, "iep_annual_review", last, previous, ("iep_review_held",), "Annual IEP review"
            )
        )

    # 300.303(b)(2): reevaluation at least every 3 years unless waived by agreement.
    evaluations = _events(
        case, "evaluation_completed", "reevaluation_completed", "reevaluation_waived"
    )
    last_eval, previous_eval = latest_on_or_before(evaluations, as_of)
    if last_eval is not None and (last is not None or eligibility.outcome == "eligible"):
        clock = _recurring(
            ctx,
            "reevaluation",
            last_eval,
            previous_eval,
            ("reevaluation_completed", "reevaluation_waived"),
            "Reevaluation",
        )
        if last_eval.type == "reevaluation_waived":
            clock = _note(
                clock,
                f"counted from the agreement of {last_eval.date} that a reevaluation was unnecessary (300.303(b)(2))",
            )
        clocks.append(clock)

    if last is not None:
        first = reviews[0]  # the first IEP: transition content in any IEP since counts
        clocks.append(_transition_services(ctx, first))
        clocks.append(_age_of_majority(ctx, first))
    return clocks


def _iep_by_third_birthday(ctx: Context, referral, found_not_eligible: bool) -> Clock:
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
    meetings = _events(ctx.case, "iep_meeting_held")
    clock = _clock(
        ctx,
        "iep_by_third_birthday",
        start=referral.date,
        label=label,
        anchor=ctx.third_birthday,
        stop_events=_after(meetings, referral.date, strict=False),
    )
    summer = _summer(ctx)
    if summer is True:
        clock = _note(
            clock,
            "the third birthday falls in the summer: the IEP must still be developed by then, "
            "and the IEP Team decides when services begin (34 CFR 300.101(b)(2))",
        )
    elif summer is None:
        clock = _note(
            clock,
            "no school calendar: if the third birthday falls in the summer the IEP Team sets "
            "the service start date (34 CFR 300.101(b)(2))",
        )
    return clock


def _summer(ctx: Context) -> bool | None:
    """Whether the third birthday is in a summer break of the school calendar; None if unknown."""
    school = ctx.ruleset.school_calendar()
    if school is None:
        return None
    gap = param_or_none(ctx.ruleset, "part_b.summer_min_break_days", ctx.third_birthday)
    if gap is None:
        return None
    return school.in_break(ctx.third_birthday, min_days=gap.value)


def _recurring(
    ctx: Context, name: str, last, previous, stops: tuple[str, ...], label: str
) -> Clock:
    events = _events(ctx.case, *stops)
    return recurring_clock(
        lambda day: _clock(ctx, name, start=day, label=label, stop_events=_after(events, day)),
        last,
        previous,
        ctx.ends,
        f"after Part B ends ({ctx.ends})",
        "done",
    )


def _iep_content(
    ctx: Context, name: str, label: str, first, anchor: date, stops, overrides=None
) -> Clock:
    """Something an IEP must include (300.320(b), (c)), counted to `anchor`.

    The callers pass the first IEP's own date as `anchor` when that IEP came after the
    day the content was first required: that IEP is then the one that must carry it.
    """
    return _clock(
        ctx,
        name,
        start=min(first.date, anchor),
        label=label,
        anchor=anchor,
        on=ctx.as_of,
        stop_events=stops,
        overrides=overrides,
    )


def _transition_services(ctx: Context, last) -> Clock:
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
    stops = _events(ctx.case, "transition_services_in_iep")
    if last.date > turns:
        # First IEP after the birthday: it is the first in effect at that age, so it
        # must include them (300.320(b)); lateness is not counted from the birthday.
        clock = _iep_content(ctx, "transition_services", label, last, last.date, stops)
        return _note(
            clock,
            f"the student was already {age.value} ({turns}) at the first IEP ({last.date}), "
            f"so that IEP must include postsecondary goals and transition services ({age.citation})",
        )
    clock = _iep_content(ctx, "transition_services", label, last, turns, stops)
    return _note(
        clock,
        f"the first IEP in effect when the student turns {age.value} ({turns}) must include "
        f"postsecondary goals and transition services ({age.citation})",
    )


def _age_of_majority(ctx: Context, last) -> Clock:
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
    stops = _events(ctx.case, "age_of_majority_notice_given")
    leap = ruleset.value("dates.leap_day_birthday", ctx.as_of)
    notice_by = birthday(ctx.case.child.birth_date, majority.value - years.value, leap_day=leap)
    note = (
        f"age of majority {majority.value} on {reaches} ({majority.citation}); "
        f"inform the student at least {years.value} year(s) before ({years.citation})"
    )
    if last.date > notice_by:
        # First IEP after the notice date: that IEP must carry the statement (300.320(c)).
        clock = _iep_content(
            ctx,
            "age_of_majority_notice",
            label,
            last,
            last.date,
            stops,
            overrides={"length": 0, "unit": "calendar_days"},
        )
        return _note(clock, f"{note}; the first IEP ({last.date}) came after {notice_by}")
    clock = _iep_content(
        ctx,
        "age_of_majority_notice",
        label,
        last,
        reaches,
        stops,
        overrides={"length": years.value, "unit": "years"},
    )
    return _note(clock, note)


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    ctx = _context(case, ruleset, as_of)
    return None if ctx is None else _clocks(ctx)


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    findings = list(ctx.findings)
    if _first(ctx.case, "referral_from_part_c") is not None and _summer(ctx):
        findings.append(
            Finding(
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
        )
    return findings
