"""Generic clock machinery: due dates, stops, excused delays and statuses.

Plugins decide which clocks a case has and when each starts; this module
turns a clock definition from a ruleset (a ``clock`` parameter) into a
`Clock` with its status as of a date: it finds the definition in force and the
calendars it needs, and core/clock_compute.py does the arithmetic. It knows
nothing of Part C or Part B.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from typing import Any

from .clock_compute import (
    DELAY_EVENT,
    _delays,
    _needs_information,
    compute_clock,
    not_applicable,
    paused_days,
    status_of,
)
from .clock_gen import counter
from .clock_spec import ClockSpec
from .dates import WEEKDAYS
from .decisions import Clock
from .errors import RulesetError
from .events import index_of
from .models import Case, Event
from .simple_clock import simple_clock
from .stability import TrackedDate, plain

__all__ = [
    "DELAY_EVENT",
    "calendars_for",
    "clock_by_position",
    "clock_from_param",
    "compute_clock",
    "delays_between",
    "events_by_type",
    "events_of",
    "latest_on_or_before",
    "not_applicable",
    "param_or_none",
    "paused_days",
    "status_of",
    "variant_start",
]


def events_by_type(case: Case) -> dict[str, tuple[Event, ...]]:
    """The case's events grouped by type, in date order (the case's shared index)."""
    return index_of(case).by_type


def events_of(case: Case, types: Iterable[str], program: str | None = None) -> tuple[Event, ...]:
    """Like `Case.events_of`, from the case's shared index: events of these types in canonical order."""
    return index_of(case).of(types if type(types) is tuple else tuple(types), program)


def delays_between(
    case: Case, start: date, end: date, reasons: Iterable[str], program: str | None = None
) -> list[Event]:
    """Documented `delay` events with an excusing reason in force from start to end.

    A delay dated before the start still counts when its `until` reaches the start
    (a child in hospital since before the referral).
    """
    return _delays(case, start, end, frozenset(reasons), program)


def latest_on_or_before(events: Iterable[Event], as_of: date) -> tuple[Event | None, Event | None]:
    """The latest event dated on or before as_of, and the one before it (recurring clocks)."""
    last = previous = None
    for event in events:
        if event.date > as_of:
            break
        previous, last = last, event
    return last, previous


def variant_start(
    case: Case, spec: dict[str, Any] | ClockSpec, program: str, trigger: date, as_of: date
) -> date | None:
    """The date a clock counts from when its ruleset value names its own `start` events.

    The first of those events (this program's) on or after the built-in trigger and on
    or before as_of; None while none is recorded.
    """
    starts = spec.start if isinstance(spec, ClockSpec) else spec["start"]
    found = events_of(case, starts or (), program)
    return next((e.date for e in found if trigger <= e.date <= as_of), None)


def param_or_none(ruleset: Any, name: str, on: date) -> Any:
    """The parameter in force on a date, or None when the ruleset gives it no value then."""
    find = getattr(ruleset, "find", None)
    if find is not None:  # a Ruleset holds a tracked date to its period itself
        try:
            return find(name, on)
        except RulesetError:  # not declared at all
            return None
    if type(on) is TrackedDate:
        on = _pinned(ruleset, name, on)
    try:
        return ruleset.param(name, on)
    except RulesetError:
        return None


def calendars_for(
    ruleset: Any, spec: dict[str, Any] | ClockSpec, around: date, district: str | None = None
):
    """The business and school calendars a clock definition needs (built only when needed).

    The school calendar is the case's district's, when one was imported, else the ruleset's.
    """
    cs = spec if isinstance(spec, ClockSpec) else ClockSpec(spec)
    business = WEEKDAYS
    if cs.needs_business_calendar:
        business = ruleset.business_calendar(range(around.year - 1, around.year + 4))
    school = None
    if cs.needs_school:
        school = ruleset.school_calendar(district)
    return business, school


_LEAP = "dates.leap_day_birthday"
#: Per ruleset, per clock parameter: the dates on which the definition in force or the
#: leap-day rule may change, and for each period between them (the dates from change
#: date i-1 to the day before change date i) the parameter, its compiled definition and
#: the leap-day rule and the generated function counting it (core/clock_gen.py; None
#: where `simple_clock` counts it), `_UNASKED` until a date of the period is asked about. Per
#: (ruleset, as-of date): the due-soon window. Rulesets never change once loaded.
_clock_defs: dict = {}
_UNASKED = object()
_SOON = "clocks.due_soon_days"
_due_soon_cache: dict = {}
#: Compiled definitions with a plugin's overrides, by (definition, overrides).
_override_cache: dict = {}


def _pinned(ruleset: Any, name: str, on: date) -> date:
    """A tracked date as the plain date a parameter is read on (`Ruleset.pinned`); a
    ruleset-like object without `pinned` holds it to its one day."""
    pinned = getattr(ruleset, "pinned", None)
    return pinned(name, on) if pinned is not None else plain(on)


def _compiled(ruleset: Any, name: str, on: date) -> tuple[Any, ClockSpec | None, str, Any]:
    if type(on) is TrackedDate:
        _pinned(ruleset, _LEAP, on)
        on = _pinned(ruleset, name, on)
    defs = _clock_defs.get(ruleset)
    if defs is None:
        if len(_clock_defs) > 256:
            _clock_defs.clear()
        defs = _clock_defs[ruleset] = {}
    table = defs.get(name)
    if table is None:
        table = defs[name] = _periods(ruleset, name)
    starts, entries = table
    period = bisect_right(starts, on) if starts is not None else 0
    found = entries[period]
    if found is _UNASKED:
        # Resolved on the first date asked about; an error (no leap-day rule in force on
        # that date) is raised again for every date, as the ruleset raises it.
        param = param_or_none(ruleset, name, on)
        spec = ClockSpec.of(param.value) if param is not None else None
        leap_day = ruleset.value(_LEAP, on)
        count = counter(spec, param.citation, leap_day) if spec is not None else None
        found = (param, spec, leap_day, count)
        if starts is not None:
            entries[period] = found
    return found


def _periods(ruleset: Any, name: str) -> tuple[list[date] | None, list[Any]]:
    """The change dates of a clock parameter and of the leap-day rule together, and one
    unresolved entry per period between them. A ruleset-like object without change dates
    gets one that is never kept (its answers are looked up on every date)."""
    change_dates = getattr(ruleset, "change_dates", None)
    if change_dates is None:
        return None, [_UNASKED]
    starts = sorted({*change_dates(name), *change_dates(_LEAP)})
    return starts, [_UNASKED] * (len(starts) + 1)


#: (ruleset, as-of date, its due-soon window) last asked by `clock_by_position`: every
#: clock of an evaluation asks with the same two objects (one tuple, replaced whole).
_last_soon: tuple[Any, Any, Any] = (None, None, None)


def _due_soon(ruleset: Any, as_of: date) -> int:
    """`clocks.due_soon_days` in force on the as-of date (kept per ruleset and date)."""
    global _last_soon
    soon_on = as_of if type(as_of) is not TrackedDate else _pinned(ruleset, _SOON, as_of)
    soon_key = (ruleset, soon_on)
    due_soon = _due_soon_cache.get(soon_key)
    if due_soon is None:
        if len(_due_soon_cache) > 10_000:
            _due_soon_cache.clear()
        due_soon = _due_soon_cache[soon_key] = ruleset.value(_SOON, soon_on)
    _last_soon = (ruleset, as_of, due_soon)
    return due_soon


def _with_overrides(param: Any, overrides: dict[str, Any]) -> ClockSpec:
    key = (id(param.value), tuple(sorted(overrides.items())))
    entry = _override_cache.get(key)
    if entry is not None and entry[0] is param.value:
        return entry[1]
    if len(_override_cache) > 10_000:
        _override_cache.clear()
    spec = ClockSpec({**param.value, **overrides})
    _override_cache[key] = (param.value, spec)
    return spec


def clock_from_param(
    case: Case,
    ruleset: Any,
    name: str,
    *,
    id: str,
    program: str,
    start: date,
    as_of: date,
    on: date | None = None,
    anchor: date | None = None,
    label: str = "",
    subject: str | None = None,
    stop_events: tuple[Event, ...] | None = None,
    closing: Iterable[str] = (),
    overrides: dict[str, Any] | None = None,
    citation: str = "",
    started_by: str | None = None,
    episode: str | None = None,
) -> Clock:
    """A clock defined by a ruleset parameter in force on `on` (default: the start date).

    When the ruleset declares the parameter but gives it no value on that date,
    the clock is not applicable and says so. `started_by` names the event type the
    caller's `start` is the date of: when the value in force names other `start`
    events (a state's own start, a clock variant), the clock counts from the first
    of those on or after `start` instead (see `variant_start`).
    """
    return clock_by_position(
        case,
        ruleset,
        name,
        id,
        program,
        start,
        as_of,
        on,
        anchor,
        label,
        subject,
        stop_events,
        closing,
        overrides,
        citation,
        started_by,
        episode,
    )


def clock_by_position(
    case: Case,
    ruleset: Any,
    name: str,
    id: str,
    program: str,
    start: date,
    as_of: date,
    on: date | None,
    anchor: date | None,
    label: str,
    subject: str | None,
    stop_events: tuple[Event, ...] | None,
    closing: Iterable[str],
    overrides: dict[str, Any] | None,
    citation: str,
    started_by: str | None,
    episode: str | None,
) -> Clock:
    """`clock_from_param` with every argument by position, in its order (no defaults).

    The programs' clock helpers call this: a call with a dozen keywords matches each
    one against the parameter names, which costs more than the clock's own arithmetic
    on the commonest path (issue 15)."""
    on = on or start
    # `_compiled`'s answer straight from the table for a plain date in a period already
    # asked about (nearly every clock: one dict look-up, one bisect, no call).
    defs = _clock_defs.get(ruleset)
    table = defs.get(name) if defs is not None and type(on) is date else None
    found = _UNASKED
    if table is not None:
        starts = table[0]
        found = table[1][bisect_right(starts, on) if starts is not None else 0]
    if found is _UNASKED:
        found = _compiled(ruleset, name, on)
    param, spec, leap_day, count = found
    if param is None:
        decl = ruleset.declarations.get(name)
        cite = citation or ((decl.floor_citation or "") if decl else "")
        return not_applicable(
            episode=episode,
            id=id,
            program=program,
            citation=cite,
            label=label,
            start=start,
            subject=subject,
            reason=f'ruleset "{ruleset.id}" sets no value for {name} in force on {on.isoformat()}'
            + (f" ({decl.description})" if decl is not None and decl.description else ""),
        )
    if overrides:
        spec = _with_overrides(param, overrides)
        count = counter(spec, param.citation, leap_day)
    assert spec is not None
    if started_by is not None and spec.start is not None and started_by not in spec.start:
        moved = variant_start(case, spec, program, start, as_of)
        if moved is None:
            return _needs_information(
                case,
                episode=episode,
                id=id,
                program=program,
                spec=spec,
                citation=param.citation,
                start=start,
                as_of=as_of,
                label=label,
                subject=subject,
                stop_events=stop_events,
                closing=closing,
                missing=f"the {' or '.join(spec.start)} event the ruleset's {name} "
                f"counts from (on or after the {started_by} of {start.isoformat()})",
            )
        start = moved
    last = _last_soon  # the due-soon window of the last (ruleset, as-of date) asked
    if last[0] is ruleset and last[1] is as_of:
        due_soon = last[2]
    else:
        due_soon = _due_soon(ruleset, as_of)
    if count is not None and type(as_of) is date:
        # The definition's own generated function (core/clock_gen.py): simple_clock with
        # the definition's answers written in as constants.
        if closing and type(closing) is not tuple:
            closing = tuple(closing)
        clock = count(
            case,
            id,
            program,
            start,
            as_of,
            due_soon,
            anchor,
            label,
            subject,
            stop_events,
            closing,
            episode,
        )
        if clock is not None:
            return clock
    elif spec.simple and type(as_of) is date:
        if closing and type(closing) is not tuple:
            closing = tuple(closing)
        clock = simple_clock(
            case,
            spec,
            id,
            program,
            param.citation,
            start,
            as_of,
            due_soon,
            anchor,
            label,
            subject,
            stop_events,
            closing,  # type: ignore[arg-type]
            leap_day,
            episode,
        )
        if clock is not None:
            return clock
    if spec.plain:
        business, school = WEEKDAYS, None  # the common case needs no calendar
    else:
        business, school = calendars_for(ruleset, spec, anchor or start, case.district)
    return compute_clock(
        case,
        id=id,
        program=program,
        spec=spec,
        citation=param.citation,
        start=start,
        as_of=as_of,
        due_soon_days=due_soon,
        anchor=anchor,
        label=label,
        subject=subject,
        stop_events=stop_events,
        closing=closing,
        business=business,
        school=school,
        leap_day=leap_day,
        episode=episode,
    )
