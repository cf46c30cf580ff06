"""IDEA Part C (34 CFR Part 303): eligibility, referrals and every Part C clock.

Every threshold and day count is read from the ruleset, on the date of the
trigger: the eligibility criteria in force on the evaluation date, a clock in
force on the day its start event happened. The analysis of one case is done
once and shared by the four hooks (see `_context`).

One module per rule family, named as the regulation names it:

* `eligibility` (303.21, 303.321, 303.322) and `developmental_delay` (303.21(a)(1), 303.111)
* `post_referral_timeline` (303.310: the 45-day timeline to the initial IFSP meeting)
* `services` (303.342(e), 303.344(f)(1): each IFSP service started on time)
* `reviews` (303.342(b), (c): periodic reviews and the annual IFSP meeting)
* `transition` (303.209: the notification, conference and plan clocks; late referrals)
* `notification` (303.209(b): the referral entries to the SEA and LEA, read from the clocks)
* `referrals` (303.303: child find referrals)
* `context` (the case seen as Part C's, the day Part C ends, the clock helper)
* `columnar` (303.310(a) and the 303.342(b), (c) reviews over a whole caseload's columns)

The event vocabulary is in `eirules.plugins.vocabulary`.
"""

from __future__ import annotations

import threading
from datetime import date

import attrs

from eirules.core.decisions import Clock, Criterion, Referral
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset
from eirules.core.stability import same_day

from ..episodes import after_the_end_finding, tagged
from ..program_events import first_by
from ..vocabulary import PART_C_EVENT_TYPES as EVENT_TYPES
from ..vocabulary import third_birthday
from .context import PROGRAM, Context, build_context, last_of, of_type
from .developmental_delay import (
    area_delays,
    corrected_age,
    describe_criterion,
    meets,
    percent_delay,
    score_values,
)
from .eligibility import eligibility as _eligibility
from .event_order import meeting_before_referral
from .notification import late_referral_finding, objection_finding, part_b_referrals
from .post_referral_timeline import initial_ifsp_meeting
from .referrals import REQUIRED_REFERRAL_EVENTS, child_find_referrals
from .reviews import review_clocks
from .services import service_start_clocks
from .transition import late_referral, transition_clocks

__all__ = [
    "EVENT_TYPES",
    "PROGRAM",
    "REQUIRED_REFERRAL_EVENTS",
    "area_delays",
    "corrected_age",
    "describe_criterion",
    "meets",
    "percent_delay",
    "score_values",
    "third_birthday",
]


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]


#: The last case analysed, per thread: the four hooks of one evaluation share it.
_cache = threading.local()


def _context(
    case: Case, ruleset: Ruleset, as_of: date, criteria: tuple[Criterion, ...] | None = None
) -> Context | None:
    """The case analysed once; `criteria` (other plugins' criteria) given by eligibility_for."""
    entry = getattr(_cache, "entry", None)
    if (
        entry is not None
        and entry[0] is case
        and entry[1] is ruleset
        # never another evaluation's tracked date (the very same object: one evaluation's)
        and (entry[2] is as_of or same_day(entry[2], as_of))
        and (criteria is None or entry[4] == criteria)
    ):
        return entry[3]
    ctx = build_context(case, ruleset, as_of)
    if ctx is not None:
        ctx.eligibility = _eligibility(ctx, criteria or ())
    _cache.entry = (case, ruleset, as_of, ctx, criteria or ())
    return ctx


@hookimpl
def eligibility_for(case: Case, ruleset: Ruleset, as_of: date, criteria):
    ctx = _context(case, ruleset, as_of, tuple(criteria))
    if ctx is None:
        return None
    return [ctx.eligibility]


def _clocks(ctx: Context) -> list[Clock]:
    case, as_of = ctx.case, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _context determines it first
    clocks: list[Clock] = []
    referral = ctx.referral
    branch = late_referral(ctx)
    # Not eligible on the merits (not merely aged out: past clocks still show how they ended).
    determined = last_of(case, "eligibility_determined")
    team_not_eligible = (
        determined is not None and determined.date <= as_of and determined.outcome == "not_eligible"
    )
    # A toddler the team found eligible, with an IFSP, keeps its clocks even when the
    # scores on file alone miss the state's level: the IFSP's duties stand (303.209(d)).
    has_ifsp = (
        not team_not_eligible and first_by(of_type(case, "ifsp_meeting_held"), as_of) is not None
    )
    not_eligible = eligibility.outcome == "not_eligible" and as_of < ctx.end and not has_ifsp

    # 303.310: the 45-day timeline from the referral.
    if referral is not None:
        clocks.append(initial_ifsp_meeting(ctx, branch, team_not_eligible, determined))

    if not_eligible and referral is None:
        return clocks

    # 303.342(e): each service as soon as possible after consent.
    clocks.extend(service_start_clocks(ctx))
    # 303.342(b), (c): six-monthly reviews and the annual meeting, counted from the last one.
    clocks.extend(review_clocks(ctx))

    # 303.209: transition, counted back from the day Part C ends.
    entry = ctx.entry
    # Not for a toddler the team found not eligible (303.322): 303.209's steps are owed to a
    # toddler with a disability, before and after the third birthday alike.
    if (
        entry is not None
        and entry.date < ctx.third_birthday
        and not not_eligible
        and not team_not_eligible
    ):
        clocks.extend(transition_clocks(ctx, branch))
    return clocks


@hookimpl
def episodes_for(case: Case, ruleset: Ruleset, as_of: date):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    episodes = []  # a loop: a comprehension is a function made and called per case
    for span in ctx.spans:
        episodes.append(span.episode)
    return episodes


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    ctx.clocks = close_at_end_of_part_c(ctx, _clocks(ctx))
    # Earlier episodes: their own timelines, closed by what ended them (history).
    history = []
    for past in ctx.earlier:
        past.eligibility = _eligibility(past)
        past.clocks = close_at_end_of_part_c(past, _clocks(past))
        assert past.episode is not None
        history.extend(tagged(past.clocks, past.episode))
    assert ctx.episode is not None
    return [*tagged(ctx.clocks, ctx.episode), *history]


def close_at_end_of_part_c(ctx: Context, clocks: list[Clock]) -> list[Clock]:
    """Once Part C has ended (303.21(a); 303.211), nothing under it is owed any more.

    A clock already late on that day keeps its late status for reporting and
    records the day it closed; one not yet due becomes not applicable.
    """
    if ctx.as_of < ctx.end:
        return clocks
    ended = f"Part C ended on {ctx.end} ({ctx.end_reason})"
    closed = []
    for clock in clocks:
        if not clock.is_open:
            closed.append(clock)
        elif clock.due is not None and clock.due < ctx.end:
            reason = f"{clock.reason}; {ended}" if clock.reason else ended
            closed.append(clock.replace(closed_on=ctx.end, reason=reason))
        else:
            when = "was done" if clock.due is None else "fell due"
            closed.append(
                clock.replace(status="not_applicable", reason=f"{ended} before this {when}")
            )
    return closed


@hookimpl
def referrals_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    referrals: list[Referral] = child_find_referrals(ctx)
    # 303.209(b): Part C to Part B.
    if ctx.entry is not None and ctx.entry.date < ctx.third_birthday:
        referrals.extend(part_b_referrals(ctx))
    return close_referrals_at_end_of_part_c(ctx, referrals)


def close_referrals_at_end_of_part_c(ctx: Context, referrals: list[Referral]) -> list[Referral]:
    """Once Part C has ended, a Part C referral still to make is no longer owed.

    The same rule as `close_at_end_of_part_c` for clocks: one whose last day
    (`by`) passed while Part C lasted was not made in time (`not_made`, late);
    one with no date or a later one is `not_required`. Either closes the day Part C
    ended (`closed_on`), so a `not_made` one is `by` - end days late on every day after
    (34 CFR 303.209(b): the notification can only be made while Part C lasts). One
    closed unmade before (a notification whose clock closed, the toddler left, the
    parent objected) keeps its own day; one with none closed when Part C ended.
    """
    if ctx.as_of < ctx.end:
        return referrals
    ended = f"Part C ended on {ctx.end} ({ctx.end_reason})"
    closed = []
    for r in referrals:
        if r.status == "made":
            closed.append(r)
        elif r.status != "to_make":
            closed.append(r if r.closed_on is not None else attrs.evolve(r, closed_on=ctx.end))
        elif r.by is not None and r.by < ctx.end:
            closed.append(
                attrs.evolve(
                    r,
                    status="not_made",
                    reason=f"{r.reason}; {ended} before it was made: late",
                    closed_on=ctx.end,
                )
            )
        else:
            closed.append(
                attrs.evolve(
                    r,
                    status="not_required",
                    reason=f"{r.reason}; {ended} before it fell due",
                    closed_on=ctx.end,
                )
            )
    return closed


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    findings = list(ctx.findings)
    for finding in (
        late_referral_finding(ctx),
        objection_finding(ctx),
        meeting_before_referral(ctx),
    ):
        if finding is not None:
            findings.append(finding)
    # 303.310(a) counts each episode's 45 days from its own referral.
    for i, past in enumerate(ctx.earlier):
        finding = after_the_end_finding(PROGRAM, "34 CFR 303.310(a)", past.case, ctx.spans, i)
        if finding is not None:
            findings.append(finding)
    return findings
