"""What every Part C rule reads: the case seen as Part C's, the day Part C ends, the clock helper.

34 CFR 303.21(a) (under age 3) and 303.211 (the state's option to continue past 3)
set the day Part C ends; every Part C clock is counted with `clock`, from the
ruleset value in force on the day its start event happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from eirules.core.clocks import clock_by_position, param_or_none
from eirules.core.dates import birthday
from eirules.core.decisions import Clock, Eligibility, Episode, Finding
from eirules.core.models import Case, Event
from eirules.core.rulesets import Ruleset

from ..episodes import Span, episode_view, episodes_of
from ..program_events import first_by as _first_by
from ..program_events import program_events
from ..vocabulary import (
    PART_C_CLOSING,
    PART_C_EPISODE_STARTS,
    program_view,
    programs_of,
    third_birthday,
)

PROGRAM = "part_c"
CLOSING = PART_C_CLOSING


#: This program's events of a case, from the case's shared index.
of_type, first_of, last_of = program_events(PROGRAM)


@attrs.define
class Context:
    """Everything the Part C hooks share for one case, ruleset and date."""

    case: Case
    ruleset: Ruleset
    as_of: date
    third_birthday: date
    end: date
    #: Why Part C ends on `end` (`end_reason`): the sentence, or a function giving it,
    #: called the first time it is read (most evaluations never read it).
    end_why: str | Callable[[], str]
    referral: Any = None
    #: The referral, or for a file without one its first IFSP meeting or review:
    #: the transition duties attach to the toddler with an IFSP (303.209).
    entry: Any = None
    eligibility: Eligibility | None = None
    findings: list[Finding] = attrs.field(factory=list)
    clocks: list[Clock] = attrs.field(factory=list)
    #: The episode this context is about, every episode of the program, and the
    #: contexts of the earlier ones (their clocks are history).
    episode: Episode | None = None
    spans: list[Span] = attrs.field(factory=list)
    earlier: list[Context] = attrs.field(factory=list)

    @property
    def end_reason(self) -> str:
        """Why Part C ends on `end`: the 303.21(a) third birthday or a 303.211 extension."""
        why = self.end_why
        if type(why) is not str:
            why = self.end_why = why()
        return why


def build_context(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    """The Part C view of a case's current episode, or None when the case is not in Part C.

    The contexts of earlier episodes are in `earlier`. Eligibility is not yet set.
    """
    b3 = third_birthday(case, ruleset, as_of)
    programs = programs_of(case, b3)
    if not programs.part_c:
        return None
    view = program_view(case, PROGRAM, programs)
    spans = episodes_of(
        view, PROGRAM, as_of, starts=PART_C_EPISODE_STARTS, ends=CLOSING, not_eligible=True
    )
    contexts = []  # a loop: a comprehension is a function made and called per case
    for i in range(len(spans)):
        contexts.append(_episode_context(episode_view(view, spans, i), ruleset, as_of, b3))
    for ctx, span in zip(contexts, spans, strict=True):
        ctx.episode, ctx.spans = span.episode, spans
    current = contexts[-1]
    current.earlier = contexts[:-1]
    return current


def _episode_context(view: Case, ruleset: Ruleset, as_of: date, b3: date) -> Context:
    end, end_why = part_c_end(view, ruleset, b3)
    # By position: case, ruleset, as_of, third_birthday, end, end_why, referral. As of a
    # date, a referral dated later has not been received yet (303.310(a)).
    ctx = Context(
        view, ruleset, as_of, b3, end, end_why, _first_by(of_type(view, "referral_received"), as_of)
    )
    ctx.entry = ctx.referral or _first_by(
        of_type(view, "ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held"),
        as_of,
    )
    return ctx


def part_c_end(case: Case, ruleset: Ruleset, b3: date) -> tuple[date, str | Callable[[], str]]:
    """The day Part C ends: the third birthday, unless the 303.211 option was elected;
    and why (a function giving the sentence for the third birthday: `Context.end_reason`)."""
    elected = first_of(case, "extension_elected")
    offered = (
        param_or_none(ruleset, "part_c.extended_eligibility", elected.date) if elected else None
    )
    if offered is not None and offered.value:
        until = param_or_none(ruleset, "part_c.extended_eligibility_until_age_years", elected.date)
        if until is not None:
            leap = ruleset.value("dates.leap_day_birthday", elected.date)
            return (
                birthday(case.child.birth_date, until.value, leap_day=leap),
                f"the 303.211 extension elected on {elected.date} runs to age {until.value} ({until.citation})",
            )
    return (
        b3,
        lambda: f"Part C serves children under 3 (34 CFR 303.21(a)); the third birthday is {b3}",
    )


def episode_id(ctx: Context) -> str | None:
    """The id of the episode a context is about (every clock of it names it)."""
    return ctx.episode.id if ctx.episode is not None else None


def make_clock(
    ctx: Context,
    name: str,
    *,
    id: str,
    start: date,
    label: str,
    on: date | None = None,
    anchor: date | None = None,
    subject: str | None = None,
    stop_events: tuple[Event, ...] | None = None,
    overrides: dict[str, Any] | None = None,
    citation: str = "",
    started_by: str | None = None,
) -> Clock:
    """The Part C clock `part_c.<name>` of the ruleset, counted from `start`
    (`clock_from_param`'s arguments, given to it by position)."""
    episode = ctx.episode
    return clock_by_position(
        ctx.case,
        ctx.ruleset,
        _PARAM_NAMES.get(name) or _param_name(name),
        id,
        PROGRAM,
        start,
        ctx.as_of,
        on,
        anchor,
        label,
        subject,
        stop_events,
        CLOSING,
        overrides,
        citation,
        started_by,
        episode.id if episode is not None else None,
    )


#: "part_c.<name>" per clock name, made once (one string, its hash kept, per clock).
_PARAM_NAMES: dict[str, str] = {}


def _param_name(name: str) -> str:
    found = _PARAM_NAMES[name] = f"part_c.{name}"
    return found


def after(found, start: date):
    """The events dated after `start`."""
    later = []  # a loop: a comprehension is a function made and called on every call
    for e in found:
        if e.date > start:
            later.append(e)
    return tuple(later)
