"""The commonest clocks counted the short way: `compute_clock`'s arithmetic without its branches.

`clock_from_param` (core/clocks.py) tries the definition's generated function first
(core/clock_gen.py: this function with the definition's answers written in as
constants), else `simple_clock` for a clock whose definition `ClockSpec.simple` says it
can count, and calls `compute_clock` (core/clock_compute.py) whenever it answers None.
The generated functions follow this one step for step: a change here is a change there.
"""

from __future__ import annotations

from datetime import date

from .clock_compute import DELAY_EVENT, _delays, _status, _window_note
from .clock_spec import ClockSpec
from .dates import WEEKDAYS, shifted
from .decisions import Clock, made_clock
from .events import index_of
from .models import Case, Event


def simple_clock(
    case: Case,
    cs: ClockSpec,
    id: str,
    program: str,
    citation: str,
    start: date,
    as_of: date,
    due_soon_days: int,
    anchor: date | None,
    label: str,
    subject: str | None,
    stop_events: tuple[Event, ...] | None,
    closing: tuple[str, ...],
    leap_day: str,
    episode: str | None,
) -> Clock | None:
    """`compute_clock` for the commonest clocks, or None when it is not one of them.

    The commonest clock counts calendar days, weeks, months or years (`cs.simple`:
    no business or school days, no weekend or school rule), and nothing excuses or
    closes it: no delay with a reason it names from its start to the day it was met
    (or the as-of date), and no closing event that would end it. For such a clock
    this is `compute_clock`'s own arithmetic, step for step, without what it skips
    (tests/test_simple_clock.py compares the two on generated clocks); for any other
    (or a date the arithmetic cannot reach), None, and the caller calls
    `compute_clock`. Only for a plain as-of date: a tracked one (core/stability.py)
    records every comparison `compute_clock` makes, so it always takes that path.
    """
    index = index_of(case)
    base = anchor if (cs.before and anchor is not None) else start
    days = cs.calendar_days
    window = cs.opens_length is not None and anchor is not None
    opens = None
    if days is not None and not window:
        due = base - days if cs.before else base + days
    else:
        try:
            # `shift` by position: direction, count_start_day_as, business, school, leap_day
            due = shifted(
                base,
                cs.length,
                cs.unit,
                -1 if cs.before else 1,
                cs.count_start_day_as,
                WEEKDAYS,
                None,
                leap_day,
            )
            if window:
                opens = shifted(
                    anchor,  # type: ignore[arg-type]
                    cs.opens_length,  # type: ignore[arg-type]
                    cs.opens_unit,
                    -1,
                    0,
                    WEEKDAYS,
                    None,
                    leap_day,
                )
        except ValueError:
            return None
        assert due is not None  # None only for school days
    if stop_events is None:
        stop_events = index.of(cs.stop, program)
    early_counts = cs.early_action_counts
    earliest = start
    too_early: list[Event] = []
    if opens is not None:
        earliest = min(opens, start) if early_counts else opens
        if not early_counts:
            too_early = _too_early(stop_events, start, earliest, as_of)
    met_on = None
    for event in stop_events:  # the first on or after the window (a loop: no generator)
        if event.date >= earliest:
            if event.date <= as_of:
                met_on = event.date
            break
    # Only a case with a delay or a closing event at all is asked which are this
    # program's (most have neither: two look-ups in the index's own dict).
    by_type = index.by_type
    if cs.excused_by and DELAY_EVENT in by_type and index.of((DELAY_EVENT,), program):
        end = met_on or as_of
        if _delays(case, start, max(end, start), cs.excusing, program):
            return None
    if closing and not by_type.keys().isdisjoint(closing):
        for event in index.of(closing, program):
            if event.service is not None and event.service != subject:
                continue
            if met_on is None and start <= event.date <= as_of:
                return None
    return made_clock(  # every field by position, in Clock's order
        id,
        program,
        start,
        due,
        _status(due, met_on, as_of, due_soon_days, False),
        citation,
        opens,
        met_on,
        _window_note(None, opens, met_on, too_early) if opens is not None else None,
        None,  # excused_by
        label,
        subject,
        None,  # closed_on
        (),  # missing
        episode,
    )


def _too_early(
    stop_events: tuple[Event, ...], start: date, earliest: date, as_of: date
) -> list[Event]:
    """Stop events before the window opened (on or after the start, by the as-of date).
    A loop: a comprehension is a function made and called on every call."""
    found = []
    for e in stop_events:
        if start <= e.date < earliest and e.date <= as_of:
            found.append(e)
    return found
