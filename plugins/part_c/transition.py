"""Part C transition to preschool (34 CFR 303.209): the notification, conference and plan clocks.

Every transition clock is counted back from the day Part C ends (the third
birthday, or the end of a 303.211 extension). A toddler referred fewer than 45
days before the third birthday needs no evaluation, assessment or initial IFSP
meeting but is referred on to the SEA and LEA (303.209(b)(1)(iii)); one referred
45 to 90 days before is notified as soon as possible after the eligibility
determination (303.209(b)(1)(ii)). The referral entries to the SEA and LEA are read
from these clocks in `notification`.
"""

from __future__ import annotations

from datetime import date

import attrs

from eirules.core.clocks import not_applicable, param_or_none
from eirules.core.decisions import Clock
from eirules.core.rulesets import Ruleset

from .context import CLOSING, PROGRAM, Context, episode_id, first_of, last_of, make_clock, of_type


def late_referral_days(ctx: Context) -> int | None:
    """part_c.late_referral_days in force on the referral date (None before any value)."""
    param = param_or_none(ctx.ruleset, "part_c.late_referral_days", ctx.referral.date)
    return None if param is None else param.value


def late_referral(ctx: Context) -> str | None:
    """Which 303.209(b)(1) branch a referral falls in: "under_45", "45_to_90" or None."""
    if ctx.referral is None:
        return None
    days_before = (ctx.end - ctx.referral.date).days
    late = late_referral_days(ctx)
    if late is not None and days_before < late:
        return "under_45"
    notification = param_or_none(ctx.ruleset, "part_c.transition_notification", ctx.referral.date)
    if notification is not None and days_before < notification.value["length"]:
        return "45_to_90"
    return None


def transition_clocks(ctx: Context, branch: str | None) -> list[Clock]:
    case, ruleset, as_of, referral = ctx.case, ctx.ruleset, ctx.as_of, ctx.entry
    came = "referred" if referral.type == "referral_received" else referral.type.replace("_", " ")
    clocks = []
    potential = last_of(case, "part_b_potential_eligibility")
    not_potential = (
        potential is not None
        and potential.date <= as_of
        and potential.outcome == "not_potentially_eligible"
    )
    objection = first_of(case, "notification_objection")
    opt_out = (
        objection is not None
        and objection.date <= as_of
        and opt_out_in_force(ruleset, objection.date)
    )
    refused = first_of(case, "transition_conference_not_approved")
    not_approved = (
        refused is not None
        and refused.date <= as_of
        and not any(e.date <= as_of for e in of_type(case, "transition_conference_held"))
    )
    names = (
        ("transition_notification", "Notify SEA and LEA of transition"),
        ("transition_conference", "Transition conference"),
        ("transition_plan", "Transition plan in the IFSP"),
    )
    under_45 = branch == "under_45"
    # Transition clocks that do not run here: the first row whose condition holds makes
    # the clock not applicable. (clock, condition, citation, the regulation's reason)
    not_running: tuple[tuple[str, bool, str, str], ...] = (
        (
            "transition_conference",
            under_45,
            "34 CFR 303.209(b)(1)(iii)",
            "referred fewer than 45 days before the third birthday: no Part C evaluation or IFSP is required",
        ),
        (
            "transition_plan",
            under_45,
            "34 CFR 303.209(b)(1)(iii)",
            "referred fewer than 45 days before the third birthday: no IFSP, so no transition plan in it",
        ),
        (
            "transition_notification",
            not_potential,
            "34 CFR 303.209(b)(1)",
            f"not potentially eligible for Part B (recorded {potential.date}): no notification is due"
            if not_potential
            else "",
        ),
        (
            "transition_notification",
            opt_out,
            "34 CFR 303.209(b)(2); 303.401(e)",
            f"the parent objected on {objection.date} under the state's opt-out policy: the notification may not be made"
            if opt_out
            else "",
        ),
        (
            "transition_conference",
            not_approved,
            "34 CFR 303.209(c)(1)",
            f"the family did not approve a transition conference (recorded {refused.date}): it is held only with the family's approval"
            if not_approved
            else "",
        ),
        (
            "transition_conference",
            not_potential,
            "34 CFR 303.209(c)(2)",
            "not potentially eligible for Part B: with family approval, make reasonable efforts to convene a conference with providers of other services (no federal deadline)",
        ),
    )
    for name, label in names:
        cite = _CITE[name]
        do_it = _DO_IT[name]
        if under_45 and name == "transition_notification":
            continue  # a referral, not a clock: see referrals_for
        why_not = None
        for clock_name, holds, citation, reason in not_running:  # the first that holds
            if holds and clock_name == name:
                why_not = (citation, reason)
                break
        if why_not is not None:
            clocks.append(
                not_applicable(
                    episode=episode_id(ctx),
                    id=name,
                    program=PROGRAM,
                    citation=why_not[0],
                    label=label,
                    start=referral.date,
                    reason=why_not[1],
                )
            )
            continue
        if name == "transition_notification" and branch == "45_to_90":
            clocks.append(asap_notification(ctx, label))
            continue
        clock = make_clock(ctx, name, id=name, start=referral.date, label=label, anchor=ctx.end)
        if (
            name == "transition_notification"
            and clock.due is not None
            and clock.status in ("overdue", "met_late", "late_excused")
        ):
            # 303.209(b)(1)(ii) is keyed to the eligibility determination: a toddler found
            # eligible after the 90-day mark is notified as soon as possible after it.
            eligible_on = first_eligible_on(ctx)
            if eligible_on is None or eligible_on > clock.due:
                why = (
                    f"Part C eligibility not determined by the 90-day mark ({clock.due})"
                    if eligible_on is None
                    else f"found eligible on {eligible_on}, {(ctx.end - eligible_on).days} days "
                    f"before the third birthday, after the 90-day mark ({clock.due})"
                )
                clocks.append(asap_notification(ctx, label, why))
                continue
        if clock.due is not None and referral.date > clock.due and clock.status != "met":
            clock = as_soon_as_possible(
                clock,
                f"{came} on {referral.date}, after this deadline ({clock.due}) had passed: "
                f"{do_it} as soon as possible ({cite}; the regulation makes no exception for late referrals)",
                ctx,
            )
        elif (
            name != "transition_notification"
            and clock.due is not None
            and clock.status in ("overdue", "met_late")
            and (eligible_on := first_eligible_on(ctx)) is not None
            and eligible_on > clock.due
        ):
            # Found eligible only after the 90-day mark: the deadline could not be met for a
            # toddler not yet known to have a disability; do it as soon as possible.
            clock = as_soon_as_possible(
                clock,
                f"found eligible on {eligible_on}, after this deadline ({clock.due}) "
                f"had passed: {do_it} as soon as possible ({cite}; the regulation makes no exception)",
                ctx,
            )
        elif (
            clock.status in ("pending", "due_soon")
            and clock.due is not None
            and ctx.referral is not None
        ):
            initial = param_or_none(ruleset, "part_c.initial_ifsp_meeting", referral.date)
            if initial is not None and initial.value.get("unit") == "calendar_days":
                window = initial.value["length"] + (ctx.end - clock.due).days
                if (ctx.end - referral.date).days < window:
                    note = (
                        f"referred {(ctx.end - referral.date).days} days before the third birthday (within {window}): "
                        "discuss transition at the initial IFSP meeting (Preamble 2011 on 303.209)"
                    )
                    clock = attrs.evolve(
                        clock, reason=f"{clock.reason}; {note}" if clock.reason else note
                    )
        if ctx.end != ctx.third_birthday:
            note = f"counted back from {ctx.end}: {ctx.end_reason}"
            clock = attrs.evolve(clock, reason=f"{clock.reason}; {note}" if clock.reason else note)
        clocks.append(clock)
    return clocks


def as_soon_as_possible(clock: Clock, reason: str, ctx: Context) -> Clock:
    """A transition step still owed after its date passed through no fault of the agency.

    303.209(c)(1) and (d) make no exception for a toddler referred (or found
    eligible) after the 90-day mark, and the Preamble 2011 on 303.209 only
    acknowledges that the date cannot be met: the step is owed as soon as
    possible. Like the (b)(1)(ii) notification it has no date (so it is never
    late against one it could not meet): `due_soon` until done, then `met`;
    late if Part C ends first (`before_part_c_ends`).
    """
    asap = clock.replace(
        due=None,
        status="met" if clock.met_on is not None else "due_soon",
        reason=reason,
        excused_by=None,
        closed_on=None,
    )
    return before_part_c_ends(ctx, asap)


#: The paragraph of 303.209 each transition step is in.
_CITE = {
    "transition_notification": "34 CFR 303.209(b)",
    "transition_conference": "34 CFR 303.209(c)",
    "transition_plan": "34 CFR 303.209(d)",
}
#: What each transition step asks for, in the regulation's verbs: the notification is
#: made, the conference held (303.209(c)), the transition plan established (303.209(d)).
_DO_IT = {
    "transition_notification": "make it",
    "transition_conference": "hold it",
    "transition_plan": "establish it",
}
#: Why a step owed "as soon as possible" is late when Part C ends before it is done.
_BEFORE_THE_BIRTHDAY = {
    "transition_notification": (
        "the notification",
        "made",
        "the notice tells the SEA and LEA that the toddler will reach Part B age on the "
        "third birthday, so it can only be made before then (34 CFR 303.209(b)(1)(i)-(ii))",
    ),
    "transition_conference": (
        "the conference",
        "held",
        "the conference is held before the toddler's third birthday (34 CFR 303.209(c)(1))",
    ),
    "transition_plan": (
        "the plan",
        "established",
        "the plan is established before the toddler's third birthday (34 CFR 303.209(d)(2))",
    ),
}


def left_part_c(ctx: Context):
    """The closing event (exited, moved out, consent withdrawn) that took the toddler out of Part C."""
    entered, as_of, end = ctx.entry.date, ctx.as_of, ctx.end
    for e in of_type(ctx.case, *CLOSING):  # the first (a loop: no generator)
        if e.service is None and entered <= e.date <= as_of and e.date < end:
            return e
    return None


def before_part_c_ends(ctx: Context, clock: Clock) -> Clock:
    """A transition step owed as soon as possible (no date): late if Part C ends before it is done.

    Every 303.209 step is a step before the third birthday (or before a 303.211
    extension ends, 303.211(b)(6)). One owed with no fixed date that was not done
    by the day Part C ends can no longer be done in time: it is late (`overdue`,
    `closed_on` that day, kept for reporting), never `not_applicable`; one done
    after that day is `met_late`. A toddler who left Part C first (exited, moved
    out, consent withdrawn) is owed nothing: `not_applicable`.
    """
    step, done, why = _BEFORE_THE_BIRTHDAY[clock.id]
    if clock.met_on is not None:
        if clock.met_on < ctx.end:
            return clock
        return clock.replace(
            status="met_late",
            reason=f"{clock.reason}; {done} on {clock.met_on}, after Part C ended on {ctx.end}: late ({why})",
        )
    left = left_part_c(ctx)
    if left is not None:
        return clock.replace(
            status="not_applicable",
            reason=f"{clock.reason}; closed: {left.type.replace('_', ' ')} on {left.date}, "
            f"before it was {done}: the toddler left Part C, so nothing is owed",
        )
    if ctx.as_of < ctx.end:
        return clock
    never = (
        "no Part C eligibility determination is on file and " if clock.status == "pending" else ""
    )
    return clock.replace(
        status="overdue",
        closed_on=ctx.end,
        reason=f"{clock.reason}; {never}{step} was not {done} before Part C ended on {ctx.end} "
        f"({ctx.end_reason}): late, because {why}",
    )


def first_eligible_on(ctx: Context) -> date | None:
    """The first day the toddler was known eligible: an eligible determination or an IFSP meeting."""
    days = [
        e.date
        for e in of_type(ctx.case, "eligibility_determined", "ifsp_meeting_held")
        if e.date <= ctx.as_of and (e.type == "ifsp_meeting_held" or e.outcome == "eligible")
    ]
    return min(days) if days else None


def opt_out_in_force(ruleset: Ruleset, on: date) -> bool:
    """Whether the state's opt-out policy (303.401(e)) was in force on a date."""
    param = param_or_none(ruleset, "part_c.lea_notification_opt_out", on)
    return bool(param is not None and param.value)


def asap_notification(ctx: Context, label: str, why: str | None = None) -> Clock:
    """303.209(b)(1)(ii): eligible 45-90 days before the birthday, notify as soon as possible.

    `why` replaces the "referred N days before" opening when the branch comes
    from a late eligibility determination rather than a late referral.
    """
    case = ctx.case
    determined = next(
        (
            e
            for e in of_type(case, "eligibility_determined")
            if e.outcome == "eligible" and e.date <= ctx.as_of
        ),
        None,
    )
    sent = next(
        (e for e in of_type(case, "transition_notification_sent") if e.date <= ctx.as_of),
        None,
    )
    cite = "34 CFR 303.209(b)(1)(ii)"
    entry = ctx.referral or ctx.entry
    days = (ctx.end - entry.date).days
    opening = why or f"referred {days} days before the third birthday"

    def notification(start: date, status: str, reason: str, met_on: date | None = None) -> Clock:
        # "As soon as possible": no due date (303.209(b)(1)(ii)).
        return Clock(
            id="transition_notification",
            program=PROGRAM,
            start=start,
            due=None,
            status=status,
            met_on=met_on,
            citation=cite,
            label=label,
            reason=reason,
        )

    if sent is not None:
        clock = notification(
            determined.date if determined else entry.date,
            "met",
            f"{opening}: notification as soon as possible after the eligibility determination",
            met_on=sent.date,
        )
    elif determined is None:
        clock = notification(
            entry.date,
            "pending",
            f"{opening}: notify the SEA and LEA as soon as possible after Part C eligibility is determined",
        )
    else:
        clock = notification(
            determined.date,
            "due_soon",
            f"eligible on {determined.date}, {(ctx.end - determined.date).days} days before the third birthday: notify the SEA and LEA as soon as possible (no fixed number of days)",
        )
    return before_part_c_ends(ctx, clock)
