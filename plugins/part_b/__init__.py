"""IDEA Part B (34 CFR Part 300): eligibility checks and every Part B clock.

The engine checks what rules can check (the age window, a category the state
allows, the team's determination on record) and says plainly what only the
team can decide. Every number comes from the ruleset, in force on the day the
clock's start event happened.

One module per rule family, named as the regulation names it:

* `eligibility` (300.8, 300.101, 300.111(b), 300.306)
* `initial_evaluation` (300.301(c): 60 days from consent, or the state's timeframe)
* `initial_iep` (300.323(c)(1): the IEP meeting within 30 days of eligibility)
* `transition_from_part_c` (300.124(b), 300.101(b): an IEP by the third birthday)
* `reviews` (300.324(b)(1) annual review, 300.303 reevaluation)
* `secondary_transition` (300.320(b), (c): transition services, age-of-majority notice)
* `event_order` (300.300(a), 300.323(c)(1): initial steps dated out of order, said)
* `school` (the case file's `school` section: grades entered, for state transition rules)
* `context` (the case seen as Part B's, its age window, the clock helper)
* `columnar` (300.301(c), 300.323(c)(1), 300.324(b)(1) over a whole caseload's columns)

The event vocabulary is in `eirules.plugins.vocabulary`.
"""

from __future__ import annotations

import threading
from datetime import date

from eirules.core.clocks import latest_on_or_before
from eirules.core.decisions import Clock, Criterion
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset
from eirules.core.stability import same_day

from ..episodes import after_the_end_finding, tagged
from ..program_events import first_by
from ..vocabulary import PART_B_EVENT_TYPES as EVENT_TYPES
from ..vocabulary import PART_B_PERIOD_TYPES as PERIOD_TYPES
from .context import PROGRAM, Context, build_context, of_type
from .eligibility import TEAM_ONLY, with_criteria
from .eligibility import eligibility as _eligibility
from .event_order import evaluation_before_consent, meeting_before_eligibility
from .initial_evaluation import initial_evaluation
from .initial_iep import initial_iep_meeting
from .reviews import annual_review, reevaluation
from .school import SECTION as SCHOOL_SECTION
from .school import SchoolRecord
from .secondary_transition import age_of_majority_notice, transition_services
from .transition_from_part_c import iep_by_third_birthday, summer_finding

__all__ = ["EVENT_TYPES", "PROGRAM", "TEAM_ONLY"]


@hookimpl
def register_case_sections():
    return {SCHOOL_SECTION: SchoolRecord}


@hookimpl
def register_event_types():
    return [
        EventType(name, (PROGRAM,), text, takes_until=name in PERIOD_TYPES)
        for name, text in EVENT_TYPES.items()
    ]


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
        ctx.eligibility = with_criteria(ctx, _eligibility(ctx), criteria or ())
    _cache.entry = (case, ruleset, as_of, ctx, criteria or ())
    return ctx


@hookimpl
def eligibility_for(case: Case, ruleset: Ruleset, as_of: date, criteria):
    ctx = _context(case, ruleset, as_of, tuple(criteria))
    return None if ctx is None else [ctx.eligibility]


def _clocks(ctx: Context) -> list[Clock]:
    case, as_of = ctx.case, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _context determines it first
    clocks: list[Clock] = []
    # The team's finding, not aging out: past clocks still show how they ended.
    found_not_eligible = eligibility.outcome == "not_eligible" and as_of < ctx.ends

    # 300.301(c): initial evaluation within 60 days of consent (or the state's timeframe).
    # 300.323(c)(1): IEP meeting within 30 days of the eligibility determination.
    for clock in (initial_evaluation(ctx), initial_iep_meeting(ctx)):
        if clock is not None:
            clocks.append(clock)

    # 300.124(b), 300.101(b): IEP developed and implemented by the third birthday.
    referral = first_by(of_type(case, "referral_from_part_c"), as_of)
    if referral is not None:
        clocks.append(iep_by_third_birthday(ctx, referral, found_not_eligible))

    if found_not_eligible:
        return clocks

    # 300.324(b)(1): IEP reviewed at least once a year.
    reviews = of_type(case, "iep_meeting_held", "iep_review_held")
    last, previous = latest_on_or_before(reviews, as_of)
    if last is not None:
        clocks.append(annual_review(ctx, last, previous))

    # 300.303(b)(2): reevaluation at least every 3 years unless waived by agreement.
    clock = reevaluation(ctx, has_iep=last is not None)
    if clock is not None:
        clocks.append(clock)

    if last is not None:
        first = reviews[0]  # the first IEP: transition content in any IEP since counts
        clocks.append(transition_services(ctx, first))
        clocks.append(age_of_majority_notice(ctx, first))
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
    # Earlier episodes: their own timelines, closed by what ended them (history).
    history = []
    for past in ctx.earlier:
        past.eligibility = _eligibility(past)
        assert past.episode is not None
        history.extend(tagged(_clocks(past), past.episode))
    assert ctx.episode is not None
    return [*tagged(_clocks(ctx), ctx.episode), *history]


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    findings = list(ctx.findings)
    for finding in (
        summer_finding(ctx),
        evaluation_before_consent(ctx),
        meeting_before_eligibility(ctx),
    ):
        if finding is not None:
            findings.append(finding)
    # 300.301(c)(1) counts each episode's 60 days from its own consent.
    for i, past in enumerate(ctx.earlier):
        finding = after_the_end_finding(PROGRAM, "34 CFR 300.301(c)(1)", past.case, ctx.spans, i)
        if finding is not None:
            findings.append(finding)
    return findings
