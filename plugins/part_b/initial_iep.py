"""Part B initial IEP meeting (34 CFR 300.323(c)(1)): within 30 days of the eligibility determination."""

from __future__ import annotations

from eirules.core.decisions import Clock

from .context import Context, after, make_clock, of_type


def initial_iep_meeting(ctx: Context) -> Clock | None:
    """The 30-day clock from the first determination that the child is eligible."""
    case, as_of = ctx.case, ctx.as_of
    eligible = None
    for e in of_type(case, "eligibility_determined"):  # the first (a loop: no generator)
        if e.outcome == "eligible" and e.date <= as_of:
            eligible = e
            break
    meetings = of_type(case, "iep_meeting_held")
    if eligible is not None:
        return make_clock(
            ctx,
            "initial_iep_meeting",
            start=eligible.date,
            label="Initial IEP meeting",
            stop_events=after(meetings, eligible.date, strict=False),
        )
    return None
