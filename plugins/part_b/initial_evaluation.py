"""Part B initial evaluation (34 CFR 300.301(c)): within 60 days of consent, or the state's timeframe.

300.301(c)(1) counts from the agency's receipt of parental consent for the
initial evaluation; 300.301(d) and (e) and 300.309(c) say when the timeline does
not apply or may be extended (the ruleset's `excused_by`).
"""

from __future__ import annotations

from eirules.core.decisions import Clock

from ..program_events import first_by
from .context import Context, make_clock, of_type


def initial_evaluation(ctx: Context) -> Clock | None:
    """The 60-day clock from the first consent for evaluation, if one is on file."""
    case, as_of = ctx.case, ctx.as_of
    consent = first_by(of_type(case, "consent_for_evaluation"), as_of)
    if consent is not None:
        return make_clock(
            ctx,
            "initial_evaluation",
            start=consent.date,
            label="Initial evaluation",
            # 300.301(c)(1)(ii): the state's timeframe may count from its own event.
            started_by="consent_for_evaluation",
        )
    return None
