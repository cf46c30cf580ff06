"""One program's events of a case, read from the case's shared event index.

Part C and Part B ask the same three questions of a case (events of some types,
the first of a type, the last of a type), each about its own events and the
untagged ones; `program_events` gives both the same three functions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from eirules.core.events import readers
from eirules.core.models import Case, Event


def program_events(
    program: str,
) -> tuple[
    Callable[..., tuple[Event, ...]],
    Callable[[Case, str], Event | None],
    Callable[[Case, str], Event | None],
]:
    """`of_type(case, *types)`, `first_of(case, type)` and `last_of(case, type)` for a program
    (core/events.py `readers`: they read the case's index without a call of `index_of`)."""
    return readers(program)


def first_by(events: tuple[Event, ...], as_of: date) -> Event | None:
    """The first of the events dated on or before as_of, or None (a loop: no generator,
    no comprehension made and called for each question)."""
    for event in events:
        if event.date <= as_of:
            return event
    return None
