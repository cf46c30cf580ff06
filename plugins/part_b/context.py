"""What every Part B rule reads: the case seen as Part B's, its age window, the clock helper.

FAPE is available from the third birthday (34 CFR 300.101(b)) through age 21
(300.101(a), 300.102(a)(1)); every Part B clock is counted with `make_clock`, from
the ruleset value in force on the day its start event happened.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.clocks import clock_by_position
from eirules.core.dates import years_later
from eirules.core.decisions import Clock, Eligibility, Episode
from eirules.core.models import Case, Event
from eirules.core.rulesets import Ruleset

from ..episodes import Span, episode_view, episodes_of
from ..program_events import program_events
from ..vocabulary import (
    PART_B_CLOSING,
    PART_B_EPISODE_STARTS,
    program_view,
    programs_of,
    third_birthday,
)

PROGRAM = "part_b"
CLOSING = PART_B_CLOSING


#: This program's events of a case, from the case's shared index.
of_type, first_of, last_of = program_events(PROGRAM)


@attrs.define
class Context:
    """What the Part B hooks share for one case, ruleset and date."""

    case: Case
    ruleset: Ruleset
    as_of: date
    third_birthday: date
    starts: date
    ends: date
    eligibility: Eligibility | None = None
    findings: list = attrs.field(factory=list)
    #: The episode this context is about, every episode of the program, and the
    #: contexts of the earlier ones (their clocks are history).
    episode: Episode | None = None
    spans: list[Span] = attrs.field(factory=list)
    earlier: list[Context] = attrs.field(factory=list)


def build_context(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    """The Part B view of a case's current episode, or None when the case is not in Part B.

    The contexts of earlier episodes are in `earlier`. Eligibility is not yet set.
    """
    b3 = third_birthday(case, ruleset, as_of)
    programs = programs_of(case, b3)
    if not programs.part_b:
        return None
    view = program_view(case, PROGRAM, programs)
    spans = episodes_of(
        view, PROGRAM, as_of, starts=PART_B_EPISODE_STARTS, ends=CLOSING, not_eligible=True
    )
    contexts = []  # a loop: a comprehension is a function made and called per case
    for i in range(len(spans)):
        contexts.append(_episode_context(episode_view(view, spans, i), ruleset, as_of))
    for ctx, span in zip(contexts, spans, strict=True):
        ctx.episode, ctx.spans = span.episode, spans
    current = contexts[-1]
    current.earlier = contexts[:-1]
    return current


def _episode_context(view: Case, ruleset: Ruleset, as_of: date) -> Context:
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    birth = view.child.birth_date
    # FAPE starts on the birthday Part C's third birthday names (both part_b.age_from).
    starts = years_later(birth, ruleset.value("part_b.age_from", as_of), leap)  # birthday
    # "Through 21": FAPE is available until the day before the 22nd birthday.
    ends = years_later(birth, ruleset.value("part_b.age_through", as_of) + 1, leap)
    # By position: case, ruleset, as_of, third_birthday, starts, ends.
    return Context(view, ruleset, as_of, starts, starts, ends)


def episode_id(ctx: Context) -> str | None:
    """The id of the episode a context is about (every clock of it names it)."""
    return ctx.episode.id if ctx.episode is not None else None


def make_clock(
    ctx: Context,
    name: str,
    *,
    start: date,
    label: str,
    id: str | None = None,
    on: date | None = None,
    anchor: date | None = None,
    subject: str | None = None,
    stop_events: tuple[Event, ...] | None = None,
    overrides: dict[str, Any] | None = None,
    citation: str = "",
    started_by: str | None = None,
) -> Clock:
    """The Part B clock `part_b.<name>` of the ruleset, counted from `start`
    (`clock_from_param`'s arguments, given to it by position)."""
    episode = ctx.episode
    return clock_by_position(
        ctx.case,
        ctx.ruleset,
        _PARAM_NAMES.get(name) or _param_name(name),
        id or name,
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


#: "part_b.<name>" per clock name, made once (one string, its hash kept, per clock).
_PARAM_NAMES: dict[str, str] = {}


def _param_name(name: str) -> str:
    found = _PARAM_NAMES[name] = f"part_b.{name}"
    return found


def after(events, start: date, strict: bool = True):
    # A loop: a comprehension is a function made and called on every call.
    later = []
    for e in events:
        if e.date > start or (not strict and e.date == start):
            later.append(e)
    return tuple(later)


def with_note(clock: Clock, note: str) -> Clock:
    return clock.replace(reason=f"{clock.reason}; {note}" if clock.reason else note)
