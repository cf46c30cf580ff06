"""Recurring reviews and meetings, counted the same way in Part C and Part B."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from eirules.core.decisions import Clock
from eirules.core.models import Event


def recurring_clock(
    count_from: Callable[[date, Event | None], Clock],
    last: Event,
    previous: Event | None,
    ends: date,
    ended: str | Callable[[], str],
    done: str,
) -> Clock:
    """A review or meeting that recurs (303.342(b), (c); 300.324(b)(1); 300.303(b)).

    `count_from(day, then)` is the program's clock counted from the one held on `day`,
    met also by `then` (an event, or None). The clock counted from `last` is not
    applicable when it falls due on or after `ends`, the day the program ends (`ended`
    says so in the reason: the words, or a function giving them, called only then).
    When the one before, counted from `previous`, was met late, the reason says so
    (`done` is the verb). `last` itself meets the one before: a new IEP or IFSP
    developed at a meeting reviews the old one, so a meeting held after the review
    was due leaves "done late" in the reason, not a silently restarted clock.
    """
    clock = count_from(last.date, None)
    if clock.due is not None and clock.status != "met" and clock.due >= ends:
        return clock.replace(
            status="not_applicable",
            reason=f"falls due on {clock.due}, {ended if type(ended) is str else ended()}",
        )
    if (
        previous is not None
        and clock.status != "not_applicable"
        and clock.due is not None
        and clock.start is not None
        # Cheap filter: a cycle shorter than this one by more than a few calendar days
        # (months differ in length) was certainly on time; only check the others.
        and (last.date - previous.date).days > (clock.due - clock.start).days - 4
    ):
        before = count_from(previous.date, last)
        if before.status == "met_late":
            note = f"the previous one was due {before.due} and {done} late on {before.met_on}"
            clock = clock.replace(reason=f"{clock.reason}; {note}" if clock.reason else note)
    return clock


def and_next(later: tuple[Event, ...], then: Event | None) -> tuple[Event, ...]:
    """A period's stop events (`later`, in date order) and `then`, the next meeting or
    review, in date order: what meets the period before `last` (`recurring_clock`)."""
    return later if then is None else tuple(sorted((*later, then), key=lambda e: e.date))
