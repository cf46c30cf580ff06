"""Notification to the SEA and LEA (34 CFR 303.209(b)) as referral entries, and the late-referral finding.

The (b)(1)(i)-(ii) notification referral is read from the `transition_notification`
clock of `transition` (status, date, citation), so the two always agree; the
(b)(1)(iii) referral of a toddler referred fewer than 45 days before the third
birthday has no clock. The 303.209(b)(1)(ii)-(iii) branch a late referral falls in
is reported as a finding.
"""

from __future__ import annotations

from datetime import date, timedelta

from eirules.core.clocks import param_or_none
from eirules.core.decisions import Clock, Finding, Referral
from eirules.core.explain import prose
from eirules.core.made import made_finding, made_referral

from ..program_events import first_by
from .context import PROGRAM, Context, first_of, last_of, of_type
from .transition import late_referral, late_referral_days, left_part_c, opt_out_in_force


def referral_status(clock: Clock) -> str:
    """The referral status a transition_notification clock stands for: the clock is the one source."""
    if clock.status == "not_applicable":
        return "not_required"
    if clock.met_on is not None:
        return "made"
    if clock.closed_on is not None:
        return "not_made"  # owed, never made, and no longer owed: late
    return "to_make"


def _notification(
    reason: str,
    citation: str,
    status: str,
    by: date | None = None,
    closed_on: date | None = None,
) -> Referral:
    return made_referral(
        id="part_b_notification",
        program=PROGRAM,
        referrer="the Part C lead agency",
        to="the SEA and the LEA"
        if status == "not_required"
        else "the SEA and the LEA where the toddler resides",
        reason=reason,
        citation=citation,
        by=by,
        status=status,
        closed_on=closed_on,
    )


def part_b_referrals(ctx: Context) -> list[Referral]:
    """The 303.209(b) referral to the SEA and LEA.

    The (b)(1)(i)-(ii) notification is read from the `transition_notification`
    clock (status, date, citation), so the two always agree; the (b)(1)(iii)
    referral of a toddler referred fewer than 45 days before the third birthday
    has no clock.
    """
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _build_context determines it first
    branch = late_referral(ctx)
    sent = first_by(of_type(case, "transition_notification_sent"), as_of)
    potential = last_of(case, "part_b_potential_eligibility")
    if (
        potential is not None
        and potential.outcome == "not_potentially_eligible"
        and potential.date <= as_of
    ):
        return [
            _notification(
                "not potentially eligible for Part B: no notification is required",
                "34 CFR 303.209(b)(1)",
                "not_required",
                closed_on=potential.date,
            )
        ]
    clock = None  # the first transition notification clock (a loop: no generator)
    for found in ctx.clocks:
        if found.id == "transition_notification":
            clock = found
            break
    left = left_part_c(ctx)
    due = clock.due if clock is not None else None
    if sent is None and left is not None and (due is None or left.date <= due):
        # Consent withdrawn (303.420(d)), moved out or exited: the toddler is no longer
        # in this Part C program, so there is no transition notification to make.
        return [
            _notification(
                f"{left.type.replace('_', ' ')} on {left.date}: the toddler left Part C, "
                "so no transition notification is due",
                "34 CFR 303.209(b)(1)",
                "not_required",
                closed_on=left.date,
            )
        ]
    objection = first_of(case, "notification_objection")
    if (
        objection is not None
        and objection.date <= as_of
        and opt_out_in_force(ruleset, objection.date)
    ):
        return [
            _notification(
                f"the parent objected on {objection.date} under the state's opt-out policy: the notification may not be made",
                "34 CFR 303.209(b)(2); 303.401(e)",
                "not_required",
                closed_on=objection.date,
            )
        ]
    days = (ctx.end - ctx.entry.date).days
    if branch == "under_45":
        # No date in (b)(1)(iii): the last day Part C serves the toddler (303.21(a)).
        return [
            made_referral(
                id="part_b_referral_late",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA where the toddler resides",
                reason=f"referred to Part C {days} days before the third birthday ({ctx.third_birthday}), fewer than "
                f"{late_referral_days(ctx)}: with parental consent (303.414) refer the toddler "
                "to the SEA and LEA as soon as possible, before the third birthday; no Part C evaluation, "
                "assessment or IFSP is required",
                citation="34 CFR 303.209(b)(1)(iii)",
                by=ctx.third_birthday - timedelta(days=1) if sent is None else None,
                status="made" if sent else "to_make",
            )
        ]
    if clock is None:
        # No transition clocks: not eligible on the merits (303.322), nothing to notify.
        return []
    status = referral_status(clock)
    if clock.citation.endswith("(b)(1)(ii)"):
        opening = (
            f"referred {days} days before the third birthday"
            if branch == "45_to_90"
            else (clock.reason or "").split(":")[0]
        )
        reason = (
            f"{opening}: notify the SEA and LEA as soon as possible after "
            "the Part C eligibility determination that the toddler will reach Part B age"
        )
        cite = "34 CFR 303.209(b)(1)(ii)"
    else:
        reason = (
            f"potentially eligible for Part B: tell the SEA and LEA where the toddler resides, not fewer than 90 days "
            f"before the third birthday ({ctx.end}), that the toddler will reach Part B age"
        )
        cite = "34 CFR 303.209(b)(1)(i)"
    if status == "not_made" and clock.due is not None:
        reason = f"{reason}; not made by {clock.due}: late; {clock.reason}"
    elif status in ("not_made", "not_required") and clock.reason:
        # Why the clock closed, in the clock's own words (an as-soon-as-possible
        # clock's reason already says what was owed).
        reason = clock.reason if cite.endswith("(b)(1)(ii)") else f"{reason}; {clock.reason}"
    # Closed when its clock closed: a `not_made` notification is late by clock.due - that
    # day, on every day after (the clock's own days, `decisions.days_left`).
    closed_on = clock.closed_on if status in ("not_made", "not_required") else None
    ignored = objection_not_applied(ctx)
    if ignored is not None:
        reason = f"{reason}; {ignored}"
    return [_notification(reason, cite, status, by=clock.due, closed_on=closed_on)]


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
    return made_finding(
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


def _objection_without_policy(ctx: Context):
    """The parent's recorded objection when the state has no opt-out policy then, else None."""
    objection = first_of(ctx.case, "notification_objection")
    if objection is None or objection.date > ctx.as_of:
        return None
    if opt_out_in_force(ctx.ruleset, objection.date):
        return None
    return objection


def objection_not_applied(ctx: Context) -> str | None:
    """Why a recorded objection does not stop the notification, or None (the referral's clause)."""
    objection = _objection_without_policy(ctx)
    if objection is None:
        return None
    return (
        f"the parent's objection of {objection.date} is recorded, but the ruleset has no "
        "opt-out policy (303.401(e)), so it does not stop the notification"
    )


def objection_finding(ctx: Context) -> Finding | None:
    """A `notification_objection` under a ruleset with no opt-out policy, said rather than ignored.

    303.401(e) lets a state adopt a policy under which a parent may object to the
    303.209(b) notification; only then may it not be made (303.209(b)(2)). Without one
    the notice (name, date of birth, parent contact information) is disclosed without
    consent (303.401(d)(1)), so the objection is recorded and the notification stays due.
    """
    objection = _objection_without_policy(ctx)
    if objection is None:
        return None
    ruleset = ctx.ruleset
    param = param_or_none(ruleset, "part_c.lea_notification_opt_out", objection.date)
    said = "is false" if param is not None else "is not set"
    reason = (
        f"The parent objected on {objection.date} to the notification of the SEA and LEA; "
        f'ruleset "{ruleset.id}" has no opt-out policy in force then '
        f"(part_c.lea_notification_opt_out {said}; a state may adopt one, 34 CFR "
        "303.401(e)), so the objection does not stop the notification: without a policy it "
        "is made without parental consent (303.401(d)(1)) and its clock runs as before."
    )
    if late_referral(ctx) == "under_45":
        reason += (
            " Referred fewer than 45 days before the third birthday, the toddler is referred "
            "to the SEA and LEA with parental consent (303.209(b)(1)(iii), 303.414)."
        )
    return made_finding(
        rule="part_c.notification_objection",
        outcome="no_opt_out_policy",
        reason=reason,
        citation="34 CFR 303.401(e); 303.209(b)(2); 303.401(d)(1)",
        program=PROGRAM,
        inputs={"notification_objection": objection.date.isoformat()},
        parameters={"part_c.lea_notification_opt_out": param.value if param is not None else None},
    )
