"""An IFSP meeting dated before the referral it answers: said, not silently ignored.

34 CFR 303.310(a) counts the 45 days to the initial IFSP meeting from the receipt of
the referral, so a meeting dated before it cannot be that meeting: the clock does not
see it (and stays open, or overdue), while the review and annual clocks of 303.342
count from it. Neither date is changed here; both may be the typing error. The
finding (outcome `warning`, shown by `check` on the standard error) names both
dates so the case manager can check them.
"""

from __future__ import annotations

from eirules.core.decisions import Finding

from .context import PROGRAM, Context, of_type


def meeting_before_referral(ctx: Context) -> Finding | None:
    """A warning when this episode's first IFSP meeting precedes its referral, else None."""
    referral = ctx.referral
    if referral is None:
        return None
    for meeting in of_type(ctx.case, "ifsp_meeting_held"):
        if meeting.date > ctx.as_of or meeting.date >= referral.date:
            return None
        return Finding(
            rule="part_c.ifsp_meeting_before_referral",
            outcome="warning",
            reason=(
                f"the IFSP meeting dated {meeting.date} is before the referral received on "
                f"{referral.date}: the 45-day clock to the initial IFSP meeting counts from "
                "the referral (303.310(a)) and does not count a meeting held before it, while "
                "the 303.342 review and annual clocks count from that meeting; check both dates"
            ),
            citation="34 CFR 303.310(a); 303.342",
            program=PROGRAM,
            inputs={
                "ifsp_meeting_held": meeting.date.isoformat(),
                "referral_received": referral.date.isoformat(),
            },
        )
    return None
