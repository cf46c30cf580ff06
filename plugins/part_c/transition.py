"""Part C transition to preschool (34 CFR 303.209): notification, conference, plan, late referrals.

Every transition clock is counted back from the day Part C ends (the third
birthday, or the end of a 303.211 extension). A toddler referred fewer than 45
days before the third birthday needs no evaluation, assessment or initial IFSP
meeting but is referred on to the SEA and LEA (303.209(b)(1)(iii)); one referred
45 to 90 days before is notified as soon as possible after the eligibility
determination (303.209(b)(1)(ii)).
"""

from __future__ import annotations

from datetime import date

import attrs

from eirules.core.clocks import not_applicable, param_or_none
from eirules.core.decisions import Clock, Finding, Referral
from eirules.core.explain import prose
from eirules.core.rulesets import Ruleset

from .context import CLOSING, PROGRAM, Context, first_of, last_of, make_clock, of_type


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
        cite = f"34 CFR 303.209({'b' if name.endswith('notification') else 'c' if name.endswith('conference') else 'd'})"
        if under_45 and name == "transition_notification":
            continue  # a referral, not a clock: see referrals_for
        why_not = next(
            (
                (citation, reason)
                for clock_name, holds, citation, reason in not_running
                if holds and clock_name == name
            ),
            None,
        )
        if why_not is not None:
            clocks.append(
                not_applicable(
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
                f"hold it as soon as possible ({cite}; the regulation makes no exception for late referrals)",
            )
        elif (
            name != "transition_notification"
            and clock.due is not None
            and clock.status in ("overdue", "met_late")
            and (eligible_on := first_eligible_on(ctx)) is not None
            and eligible_on > clock.due
        ):
            # Found eligible only after the 90-day mark: the deadline could not be met for a
            # toddler not yet known to have a disability; hold it as soon as possible.
            clock = as_soon_as_possible(
                clock,
                f"found eligible on {eligible_on}, after this deadline ({clock.due}) "
                f"had passed: hold it as soon as possible ({cite}; the regulation makes no exception)",
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


def as_soon_as_possible(clock: Clock, reason: str) -> Clock:
    """A transition step still owed after its date passed through no fault of the agency.

    303.209(c)(1) and (d) make no exception for a toddler referred (or found
    eligible) after the 90-day mark, and the Preamble 2011 on 303.209 only
    acknowledges that the date cannot be met: the step is owed as soon as
    possible. Like the (b)(1)(ii) notification it has no date (so it is never
    late against one it could not meet): `due_soon` until done, then `met`.
    """
    return attrs.evolve(
        clock,
        due=None,
        status="met" if clock.met_on is not None else "due_soon",
        reason=reason,
        excused_by=None,
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
        return notification(
            determined.date if determined else entry.date,
            "met",
            f"{opening}: notification as soon as possible after the eligibility determination",
            met_on=sent.date,
        )
    if determined is None:
        return notification(
            entry.date,
            "pending",
            f"{opening}: notify the SEA and LEA as soon as possible after Part C eligibility is determined",
        )
    return notification(
        determined.date,
        "due_soon",
        f"eligible on {determined.date}, {(ctx.end - determined.date).days} days before the third birthday: notify the SEA and LEA as soon as possible (no fixed number of days)",
    )


def part_b_referrals(ctx: Context) -> list[Referral]:
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _build_context determines it first
    branch = late_referral(ctx)
    sent = next(
        (e for e in of_type(case, "transition_notification_sent") if e.date <= as_of),
        None,
    )
    potential = last_of(case, "part_b_potential_eligibility")
    if (
        potential is not None
        and potential.outcome == "not_potentially_eligible"
        and potential.date <= as_of
    ):
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason="not potentially eligible for Part B: no notification is required",
                citation="34 CFR 303.209(b)(1)",
                status="not_required",
            )
        ]
    left = next(
        (
            e
            for e in of_type(case, *CLOSING)
            if e.service is None and ctx.entry.date <= e.date <= as_of
        ),
        None,
    )
    due = next((c.due for c in ctx.clocks if c.id == "transition_notification"), None)
    if sent is None and left is not None and (due is None or left.date <= due):
        # Consent withdrawn (303.420(d)), moved out or exited: the toddler is no longer
        # in this Part C program, so there is no transition notification to make.
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason=f"{left.type.replace('_', ' ')} on {left.date}: the toddler left Part C, "
                "so no transition notification is due",
                citation="34 CFR 303.209(b)(1)",
                status="not_required",
            )
        ]
    objection = first_of(case, "notification_objection")
    if (
        objection is not None
        and objection.date <= as_of
        and opt_out_in_force(ruleset, objection.date)
    ):
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason=f"the parent objected on {objection.date} under the state's opt-out policy: the notification may not be made",
                citation="34 CFR 303.209(b)(2); 303.401(e)",
                status="not_required",
            )
        ]
    days = (ctx.end - ctx.entry.date).days
    if branch == "under_45":
        return [
            Referral(
                id="part_b_referral_late",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA where the toddler resides",
                reason=f"referred to Part C {days} days before the third birthday ({ctx.third_birthday}), fewer than "
                f"{late_referral_days(ctx)}: with parental consent (303.414) refer the toddler "
                "to the SEA and LEA as soon as possible; no Part C evaluation, assessment or IFSP is required",
                citation="34 CFR 303.209(b)(1)(iii)",
                by=ctx.third_birthday if sent is None else None,
                status="made" if sent else "to_make",
            )
        ]
    if eligibility.outcome == "not_eligible" and not any(
        c.id == "transition_notification" for c in ctx.clocks
    ):
        return []
    clock = next((c for c in ctx.clocks if c.id == "transition_notification"), None)
    if branch == "45_to_90" or (clock is not None and clock.citation.endswith("(b)(1)(ii)")):
        if branch == "45_to_90":
            opening = f"referred {days} days before the third birthday"
        else:
            assert clock is not None  # the test above needs a clock on this branch
            opening = (clock.reason or "").split(":")[0]
        reason = (
            f"{opening}: notify the SEA and LEA as soon as possible after "
            "the Part C eligibility determination that the toddler will reach Part B age"
        )
        by = None
        cite = "34 CFR 303.209(b)(1)(ii)"
    else:
        by = clock.due if clock is not None else None
        reason = (
            f"potentially eligible for Part B: tell the SEA and LEA where the toddler resides, not fewer than 90 days "
            f"before the third birthday ({ctx.end}), that the toddler will reach Part B age"
        )
        cite = "34 CFR 303.209(b)(1)(i)"
    return [
        Referral(
            id="part_b_notification",
            program=PROGRAM,
            referrer="the Part C lead agency",
            to="the SEA and the LEA where the toddler resides",
            reason=reason,
            citation=cite,
            by=by,
            status="made" if sent else "to_make",
        )
    ]


#: The finding's sentence per 303.209(b)(1) branch, rendered when it is read.
_LATE_REFERRAL = {
    "under_45": "Referred {days} days before the third birthday ({third_birthday}): fewer than "
    "45 days, so no evaluation, assessment or initial IFSP meeting is required; refer to the "
    "SEA and LEA with consent.",
    "45_to_90": "Referred {days} days before the third birthday ({third_birthday}): 45 to 90 "
    "days, so the 45-day timeline applies and the SEA and LEA are notified as soon as "
    "possible after eligibility is determined.",
}


def late_referral_finding(ctx: Context) -> Finding | None:
    """The 303.209(b)(1)(ii)-(iii) branch a late referral falls in, as a finding."""
    branch = late_referral(ctx)
    if branch is None:
        return None
    ruleset = ctx.ruleset
    days = (ctx.end - ctx.referral.date).days
    return Finding(
        rule="part_c.late_referral",
        outcome=branch,
        reason=prose(_LATE_REFERRAL[branch], days=days, third_birthday=ctx.third_birthday),
        citation="34 CFR 303.209(b)(1)(ii)-(iii)",
        program=PROGRAM,
        inputs={
            "referral_received": ctx.referral.date.isoformat(),
            "third_birthday": ctx.third_birthday.isoformat(),
            "days_before": days,
        },
        parameters={
            "part_c.late_referral_days": ruleset.value(
                "part_c.late_referral_days", ctx.referral.date
            )
        },
    )
