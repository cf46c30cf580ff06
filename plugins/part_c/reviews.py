"""Part C IFSP reviews (34 CFR 303.342(b), (c)): the six-monthly review and the annual meeting.

Each is counted from the latest IFSP meeting or review on or before the as-of
date, and is not owed when it would fall due on or after the day Part C ends.
"""

from __future__ import annotations

from eirules.core.clocks import latest_on_or_before
from eirules.core.decisions import Clock

from ..recurring import and_next, recurring_clock
from .context import Context, after, make_clock, of_type


def review_clocks(ctx: Context) -> list[Clock]:
    """The periodic review and the annual IFSP meeting, counted from the last one held."""
    case, as_of = ctx.case, ctx.as_of
    clocks: list[Clock] = []
    periodic = of_type(case, "ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held")
    last, previous = latest_on_or_before(periodic, as_of)
    if last is not None:
        clocks.append(
            recurring(
                ctx,
                "ifsp_periodic_review",
                last,
                previous,
                ("ifsp_review_held", "ifsp_annual_meeting_held"),
                "IFSP periodic review",
            )
        )
    annual = of_type(case, "ifsp_meeting_held", "ifsp_annual_meeting_held")
    last, previous = latest_on_or_before(annual, as_of)
    if last is not None:
        clocks.append(
            recurring(
                ctx,
                "ifsp_annual_meeting",
                last,
                previous,
                ("ifsp_annual_meeting_held",),
                "Annual IFSP meeting",
            )
        )
    return clocks


def recurring(ctx: Context, name: str, last, previous, stops: tuple[str, ...], label: str) -> Clock:
    events = of_type(ctx.case, *stops)
    return recurring_clock(
        lambda day, then: make_clock(
            ctx,
            name,
            id=name,
            start=day,
            label=label,
            stop_events=and_next(after(events, day), then),
        ),
        last,
        previous,
        ctx.end,
        lambda: f"on or after the day Part C ends ({ctx.end}: {ctx.end_reason})",
        "held",
    )
