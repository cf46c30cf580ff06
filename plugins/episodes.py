"""Episodes: what starts and ends a child's stretch with a program, and the case seen per episode.

A timeline runs from its own start event: 34 CFR 303.310(a) counts 45 days from
"the referral", 300.301(c)(1) 60 days from "receiving parental consent for
evaluation". A child who leaves a program and comes back (an exit, a move,
withdrawn consent or a not-eligible finding, then a new referral or consent) is
owed new timelines. Each program names its starting and ending events
(`plugins/vocabulary.py`); this module cuts the program's events into episodes and
gives each episode's view of the case, so every rule reads only its episode.
Imports from no program.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from eirules.core.clocks import events_of
from eirules.core.decisions import Clock, Episode, Finding
from eirules.core.made import made_episode
from eirules.core.models import Case, Event


@attrs.frozen
class Span:
    """An episode with the events that bound it (for cutting the case)."""

    episode: Episode
    #: The event that began it (None for an episode the file gives no start for).
    first: Event | None
    #: The event that ended it, if any.
    last: Event | None


def _mark_order(mark: tuple) -> tuple:
    """Marks by date, a day's starts before its ends."""
    return (mark[0], mark[1] != "start")


def episodes_of(
    case: Case,
    program: str,
    as_of: date,
    *,
    starts: Iterable[str],
    ends: Iterable[str],
    not_eligible: bool = True,
) -> list[Span]:
    """The program's episodes as of a date, in date order (at least one).

    A start event (or an enrolment's start) begins an episode when none is open;
    one while an episode runs is part of it (a second referral during an open
    episode opens no new timeline). An end event (one not about a single service)
    or, with `not_eligible`, an `eligibility_determined` event with outcome
    `not_eligible` ends the open episode. On one day an end is applied before a
    start when an episode is open (ended, then referred again), else after it.
    """
    starts, ends = tuple(starts), tuple(ends)
    marks: list[tuple[date, str, Event | None, str]] = []
    for event in events_of(case, starts, program):
        if event.date <= as_of:
            marks.append((event.date, "start", event, event.type))
    for enrolment in case.enrolments:
        if enrolment.program == program and enrolment.start and enrolment.start <= as_of:
            marks.append((enrolment.start, "start", None, "enrolment"))
    closing = (*ends, "eligibility_determined") if not_eligible else ends
    for event in events_of(case, closing, program):
        if event.date > as_of or event.service is not None:
            continue
        if event.type == "eligibility_determined" and event.outcome != "not_eligible":
            continue
        marks.append((event.date, "end", event, event.type))
    marks.sort(key=_mark_order)  # starts first; reordered per day below

    spans: list[Span] = []
    current: dict | None = None
    if marks and marks[0][1] == "end" or not marks:
        current = {"start": None, "by": None, "first": None}
    i = 0
    while i < len(marks):
        day = marks[i][0]
        # The day's marks, starts and ends apart (loops: comprehensions are functions
        # made and called on every pass).
        day_starts, day_ends = [], []
        for m in marks[i:]:
            if m[0] == day:
                i += 1
                if m[1] == "start":
                    day_starts.append(m)
                elif m[1] == "end":
                    day_ends.append(m)
        order = (day_ends + day_starts) if current is not None else (day_starts + day_ends)
        for when, kind, event, what in order:
            if kind == "start":
                if current is None:
                    current = {"start": when, "by": what, "first": event}
                elif current["start"] is None:
                    current.update(start=when, by=what, first=event)
            elif current is not None:
                spans.append(_span(program, len(spans) + 1, current, when, what, event))
                current = None
    if current is not None or not spans:
        spans.append(
            _span(program, len(spans) + 1, current or {"start": None}, None, None, None, True)
        )
    else:
        last = spans[-1]
        spans[-1] = Span(
            episode=attrs.evolve(last.episode, current=True), first=last.first, last=last.last
        )
    return spans


def _span(program, number, current, end, ended_by, last, is_current=False) -> Span:
    episode = made_episode(
        f"{program}.{number}",
        program,
        number,
        current.get("start"),
        current.get("by"),
        end,
        ended_by,
        is_current,
    )
    # Span(episode=..., first=..., last=...) field by field (it checks nothing): one per
    # episode of every case.
    span = _new(Span)
    _set_episode(span, episode)
    _set_first(span, current.get("first"))
    _set_last(span, last)
    return span


_new = object.__new__
_set_episode, _set_first, _set_last = (
    vars(Span)[field.name].__set__ for field in attrs.fields(Span)
)


def episode_view(case: Case, spans: list[Span], index: int) -> Case:
    """The case as one episode sees it: its own events and evaluations.

    The first episode also sees what came before it (a child identified before the
    referral, an evaluation from before); the last sees everything after its start.
    An episode's ending event is its own, even on the day the next one starts.
    With one episode the case is returned unchanged.
    """
    if len(spans) == 1:
        return case
    span = spans[index]
    lo = span.episode.start if index > 0 else None
    nxt = spans[index + 1] if index + 1 < len(spans) else None
    hi = nxt.episode.start if nxt is not None else None
    before = spans[index - 1].last if index > 0 else None

    def inside(day: date) -> bool:
        return (lo is None or day >= lo) and (hi is None or day < hi)

    events = [
        e
        for e in case.events
        if e is span.last or (e is not before and (inside(e.date) or e is span.first))
    ]
    evaluations = [v for v in case.evaluations if inside(v.date)]
    plans = [
        attrs.evolve(
            plan,
            services=tuple(s for s in plan.services if s.consented is None or inside(s.consented)),
        )
        for plan in case.service_plans
    ]
    return attrs.evolve(case, events=events, evaluations=evaluations, service_plans=plans)


def after_the_end(view: Case, spans: list[Span], index: int) -> list[Event]:
    """The events of episode `index`'s view dated after the episode ended (its ending
    event aside) and before the next episode starts. Empty for the current episode,
    or one that has not ended."""
    span = spans[index]
    end = span.episode.end
    if end is None or index + 1 >= len(spans):
        return []
    start = spans[index + 1].episode.start
    return [e for e in view.events if end < e.date < start and e is not span.last]


def after_the_end_finding(
    program: str, citation: str, view: Case, spans: list[Span], index: int
) -> Finding | None:
    """A warning naming the events of an ended episode dated between its end and the
    next episode's start (`after_the_end`), or None when there are none.

    Such an event is in neither episode as the record likely means it: the ended
    episode's clocks count it (history, never listed as due), and the next episode's
    clocks, which run from their own start event, do not. It is usually a typing error
    in one of the dates; nothing is moved, the dates are named for the case manager.
    """
    strays = after_the_end(view, spans, index)
    if not strays:
        return None
    ended, following = spans[index].episode, spans[index + 1].episode
    said = ", ".join(f"{e.type} on {e.date}" for e in strays)
    one = len(strays) == 1
    them = "it" if one else "them"
    return Finding(
        rule=f"{program}.event_after_episode_ended",
        outcome="warning",
        reason=(
            f"{said} {'is' if one else 'are'} dated after episode {ended.number} ended on {ended.end} "
            f"({ended.ended_by}) and before episode {following.number} began on "
            f"{following.start}: the ended episode's clocks count {them} (as history, "
            f"never listed as due) and the new episode's do not; check the dates"
        ),
        citation=citation,
        program=program,
        inputs={
            "events": [{"type": e.type, "date": e.date.isoformat()} for e in strays],
            "episode_ended": ended.end.isoformat() if ended.end else None,
            "next_episode_started": following.start.isoformat() if following.start else None,
        },
    )


def tagged(clocks: Iterable[Clock], episode: Episode) -> list[Clock]:
    """The clocks, each naming the episode it belongs to."""
    name = episode.id
    out = []  # a loop: a comprehension is a function made and called on every call
    for c in clocks:
        out.append(c if c.episode == name else c.replace(episode=name))
    return out
