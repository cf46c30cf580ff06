"""Part C post-referral timeline (34 CFR 303.310): the 45-day clock to the initial IFSP meeting.

303.310(a) runs 45 days from the lead agency's or EIS provider's receipt of the
referral to the screening (if any), initial evaluation, initial assessments and
the initial IFSP meeting. It is not owed for a child referred on or after the
third birthday (303.21(a)) or one referred fewer than 45 days before it
(303.209(b)(1)(iii)). For a child found not eligible without an IFSP (303.322) the
determination stops it: its lateness, if any, stays visible. Each referral in a
new episode (after an exit, a move or a not-eligible finding) has its own 45 days.
"""

from __future__ import annotations

from eirules.core.clocks import not_applicable
from eirules.core.decisions import Clock

from .context import PROGRAM, Context, episode_id, make_clock, of_type
from .transition import late_referral_days


def initial_ifsp_meeting(
    ctx: Context, branch: str | None, team_not_eligible: bool, determined
) -> Clock:
    """The 45-day clock from the referral (ctx.referral, which must be set)."""
    case, referral = ctx.case, ctx.referral

    def no_initial_meeting(citation: str, reason: str) -> Clock:
        return not_applicable(
            episode=episode_id(ctx),
            id="initial_ifsp_meeting",
            program=PROGRAM,
            citation=citation,
            label="Initial IFSP meeting",
            start=referral.date,
            reason=reason,
        )

    if referral.date >= ctx.third_birthday:
        return no_initial_meeting(
            "34 CFR 303.21(a)",
            f"referred on {referral.date}, on or after the third birthday ({ctx.third_birthday}): not a Part C child",
        )
    elif branch == "under_45":
        return no_initial_meeting(
            "34 CFR 303.209(b)(1)(iii)",
            f"referred {(ctx.end - referral.date).days} days before the third birthday "
            f"(fewer than {late_referral_days(ctx)}): no evaluation, "
            "assessment or initial IFSP meeting is required; refer to the SEA and LEA with parental consent",
        )
    elif team_not_eligible and not of_type(case, "ifsp_meeting_held"):
        # The 45 days cover the screening and initial evaluation too (303.310(a)): the
        # determination that the child is not eligible stops the clock, and whether it
        # came within the 45 days stays visible.
        clock = make_clock(
            ctx,
            "initial_ifsp_meeting",
            id="initial_ifsp_meeting",
            start=referral.date,
            label="Initial IFSP meeting",
            stop_events=(determined,),
        )
        note = (
            f"found not eligible on {determined.date}: the timeline for screening and initial "
            "evaluation ends with the determination (303.310(a), 303.322); no IFSP meeting is "
            "required; give prior written notice (303.421)"
        )
        return clock.replace(reason=f"{clock.reason}; {note}" if clock.reason else note)
    else:
        return make_clock(
            ctx,
            "initial_ifsp_meeting",
            id="initial_ifsp_meeting",
            start=referral.date,
            label="Initial IFSP meeting",
        )
