"""One program's events of a case, read from the case's shared event index.

Part C and Part B ask the same three questions of a case (events of some types,
the first of a type, the last of a type), each about its own events and the
untagged ones; `program_events` gives both the same three functions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from eirules.core.events import index_of
from eirules.core.models import Case, Event


def program_events(
    program: str,
) -> tuple[
    Callable[..., tuple[Event, ...]],
    Callable[[Case, str], Event | None],
    Callable[[Case, str], Event | None],
]:
    """`of_type(case, *types)`, `first_of(case, type)` and `last_of(case, type)` for a program."""

    def of_type(case: Case, *types: str) -> tuple[Event, ...]:
        """This program's events of the given types, in canonical order."""
        return index_of(case).of(types, program)

    def first_of(case: Case, type_: str) -> Event | None:
        """This program's earliest event of a type, or None."""
        return index_of(case).first(type_, program)

    def last_of(case: Case, type_: str) -> Event | None:
        """This program's latest event of a type, or None."""
        return index_of(case).last(type_, program)

    return of_type, first_of, last_of


def first_by(events: tuple[Event, ...], as_of: date) -> Event | None:
    """The first of the events dated on or before as_of, or None (a loop: no generator,
    no comprehension made and called for each question)."""
    for event in events:
        if event.date <= as_of:
            return event
    return None
