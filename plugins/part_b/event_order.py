"""Part B events dated before the event they answer: said, not silently ignored.

Two initial steps have a fixed order, and a clock that counts from the earlier
event does not see a later one typed before it:

* 34 CFR 300.300(a)(1)(i) asks for the parent's consent before the initial
  evaluation is conducted, and 300.301(c)(1) counts the 60 days from that consent.
  An evaluation completed before the consent leaves the 60-day clock open (or
  overdue), while the 300.303 reevaluation clock (once there is an IEP) counts three
  years from it.
* 300.323(c)(1) counts the 30 days to the meeting that develops the IEP from the
  determination that the child is eligible. A meeting dated before that
  determination leaves the 30-day clock open, while the 300.324(b)(1) annual review
  and the 300.320(b) transition clocks count from that meeting.

No date is changed: either one may be the typing error, and a child who moved in with
an IEP may have a meeting before a new determination. Each finding (outcome
`warning`, shown by `check` on the standard error) names both dates to check. Only
the current episode's first events are compared, as the clocks compare them.
"""

from __future__ import annotations

from eirules.core.decisions import Finding

from ..program_events import first_by
from .context import PROGRAM, Context, of_type


def evaluation_before_consent(ctx: Context) -> Finding | None:
    """A warning when the episode's first evaluation precedes its first consent, else None."""
    evaluations = of_type(ctx.case, "evaluation_completed")
    if not evaluations:  # the usual case first: nothing to compare
        return None
    consent = first_by(of_type(ctx.case, "consent_for_evaluation"), ctx.as_of)
    evaluation = evaluations[0]
    if consent is None or evaluation.date >= consent.date:
        return None
    return Finding(
        rule="part_b.evaluation_before_consent",
        outcome="warning",
        reason=(
            f"the evaluation completed on {evaluation.date} is before the consent for "
            f"evaluation received on {consent.date}: consent comes before the initial "
            "evaluation (300.300(a)(1)(i)) and the 60-day clock counts from it "
            "(300.301(c)(1)), so it does not count this evaluation, while the 300.303 "
            "reevaluation clock, once there is an IEP, counts from it; check both dates"
        ),
        citation="34 CFR 300.300(a)(1)(i); 300.301(c)(1); 300.303",
        program=PROGRAM,
        inputs={
            "evaluation_completed": evaluation.date.isoformat(),
            "consent_for_evaluation": consent.date.isoformat(),
        },
    )


def meeting_before_eligibility(ctx: Context) -> Finding | None:
    """A warning when the episode's first IEP meeting precedes the first eligible
    determination, else None."""
    meetings = of_type(ctx.case, "iep_meeting_held")
    if not meetings:
        return None
    meeting, as_of = meetings[0], ctx.as_of
    for eligible in of_type(ctx.case, "eligibility_determined"):  # in date order
        if eligible.date > as_of:
            return None
        if eligible.outcome == "eligible":
            if meeting.date >= eligible.date:
                return None
            break
    else:
        return None
    return Finding(
        rule="part_b.iep_meeting_before_eligibility",
        outcome="warning",
        reason=(
            f"the IEP meeting dated {meeting.date} is before the determination of "
            f"{eligible.date} that the child is eligible: the 30-day clock to the meeting "
            "that develops the IEP counts from that determination (300.323(c)(1)) and "
            "does not count a meeting held before it, while the 300.324(b)(1) annual "
            "review counts from that meeting; check both dates"
        ),
        citation="34 CFR 300.323(c)(1); 300.324(b)(1)",
        program=PROGRAM,
        inputs={
            "iep_meeting_held": meeting.date.isoformat(),
            "eligibility_determined": eligible.date.isoformat(),
        },
    )
