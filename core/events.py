"""A case's events indexed once, by type and program in canonical order, shared by every rule.

The rules of one evaluation ask the same questions many times (each clock reads
its stop, delay and closing events; each program its first referral and last
meeting). `index_of(case)` groups the events once and remembers every answer;
every rule of every plugin reads the same index for the same case object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # models imports this module
    from .models import Case, Event

#: The first two parts of `Event.sort_key`, made in C. Each type's events are already in
#: canonical order (the case's), so a stable sort of several types' events by date and
#: type alone gives the canonical order: events equal in both are of one type, and keep
#: the order they had in it.
_DAY_AND_TYPE = attrgetter("date", "type")

#: Indexes per thread: the case objects of the evaluations running now (a program's
#: view of a case and each episode's view are cases of their own, read in turn).
_local = threading.local()
_KEEP = 64


class EventIndex:
    """The events of one case by type, and the answers already given about them."""

    __slots__ = ("by_type", "_answers", "tagged")

    def __init__(self, events: Iterable[Event]):
        grouped: dict[str, list[Event]] = {}
        tagged = set()
        for event in events:
            grouped.setdefault(event.type, []).append(event)
            if event.program is not None:
                tagged.add(event.type)
        #: Each type's events in canonical order (the case's own order); each list made a
        #: tuple in place (a loop: a comprehension is a function made and called).
        by_type: dict[str, Any] = grouped
        for type_, found in grouped.items():
            by_type[type_] = tuple(found)
        self.by_type: dict[str, tuple[Event, ...]] = by_type
        self._answers: dict[tuple, tuple[Event, ...]] = {}
        #: The types with an event tagged with a program (the others need no filtering).
        self.tagged = frozenset(tagged)

    def of(self, types: tuple[str, ...], program: str | None = None) -> tuple[Event, ...]:
        """Events of these types, in canonical order; with `program`, its own and untagged ones."""
        if len(types) == 1:
            # One type: its events as they are (nothing to remember), filtered only when
            # some are tagged with a program.
            type_ = types[0]
            found = self.by_type.get(type_, ())
            if found and program is not None and type_ in self.tagged:
                return self._filtered(types, program)
            return found
        key = (types, program)
        found = self._answers.get(key)
        if found is not None:
            return found
        by_type = self.by_type
        # The types with events, each once, in the order asked (usually none or one);
        # filtered in C (a list comprehension is a function call of its own).
        present = [*filter(by_type.__contains__, types)]
        if len(present) > 1:
            present = list(dict.fromkeys(present))
        if not present:
            found = ()
        elif len(present) == 1:  # already in canonical order, as a case keeps its events
            type_ = present[0]
            found = by_type[type_]
            if program is not None and type_ in self.tagged:
                found = self._filtered((type_,), program)
        else:
            found = _merged(by_type, present, program)
        self._answers[key] = found
        return found

    def _filtered(self, types: tuple[str, ...], program: str) -> tuple[Event, ...]:
        """One type's events that are the program's own or untagged (remembered)."""
        key = (types, program)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = tuple(
                [e for e in self.by_type[types[0]] if e.program is None or e.program == program]
            )
        return found

    def first(self, type_: str, program: str | None = None) -> Event | None:
        """The earliest event of a type, or None."""
        found = self.by_type.get(type_)
        if found and program is not None and type_ in self.tagged:
            found = self._filtered((type_,), program)
        return found[0] if found else None

    def last(self, type_: str, program: str | None = None) -> Event | None:
        """The latest event of a type, or None."""
        found = self.by_type.get(type_)
        if found and program is not None and type_ in self.tagged:
            found = self._filtered((type_,), program)
        return found[-1] if found else None


def _merged(
    by_type: dict[str, tuple[Event, ...]], present: list[str], program: str | None
) -> tuple[Event, ...]:
    """The events of several types present, the program's own and untagged ones, in
    canonical order. (A function of its own: a comprehension inside `EventIndex.of`
    would make every call of it allocate cells for the names the comprehension reads.)"""
    matching = []  # a loop: a comprehension is a function made and called each time
    for t in present:
        for e in by_type[t]:
            if program is None or e.program is None or e.program == program:
                matching.append(e)
    if len(matching) > 1:
        matching.sort(key=_DAY_AND_TYPE)
    return tuple(matching)


#: The case asked about last and its index (any thread): rules ask about one case many
#: times in a row, so most look-ups end here. One tuple, replaced whole, so a reader in
#: another thread sees either the old pair or the new one, never half of each.
_last: tuple[Any, EventIndex | None] = (None, None)


def index_of(case: Case) -> EventIndex:
    """The case's event index, built on first use and shared while the case is evaluated."""
    global _last
    last = _last
    if last[0] is case:
        return last[1]  # type: ignore[return-value]
    index = _index_of(case)
    _last = (case, index)
    return index


def _index_of(case: Case) -> EventIndex:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    entry = cache.get(id(case))
    if entry is not None and entry[0] is case:
        return entry[1]
    if len(cache) >= _KEEP:
        cache.clear()
    index = EventIndex(case.events)
    cache[id(case)] = (case, index)
    return index


def readers(program: str) -> tuple[Any, Any, Any]:
    """`of_type(case, *types)`, `first_of(case, type)` and `last_of(case, type)` for one
    program's events (plugins/program_events.py gives them to Part C and Part B). Each
    reads the index of the case asked about last itself (no call of `index_of`: these
    are the rules' commonest questions, about 25 a case)."""

    def of_type(case: Case, *types: str) -> tuple[Event, ...]:
        """This program's events of the given types, in canonical order."""
        last = _last
        return (last[1] if last[0] is case else index_of(case)).of(types, program)  # type: ignore[union-attr]

    def first_of(case: Case, type_: str) -> Event | None:
        """This program's earliest event of a type, or None."""
        last = _last
        return (last[1] if last[0] is case else index_of(case)).first(type_, program)  # type: ignore[union-attr]

    def last_of(case: Case, type_: str) -> Event | None:
        """This program's latest event of a type, or None."""
        last = _last
        return (last[1] if last[0] is case else index_of(case)).last(type_, program)  # type: ignore[union-attr]

    return of_type, first_of, last_of
