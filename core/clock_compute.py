"""One clock computed from its compiled definition: due date, stop, excused delays, status.

`compute_clock` is the arithmetic of the generic clock machinery (core/clocks.py
finds the definition in force and the calendars, then calls it). It knows nothing
of Part C or Part B.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from . import school_rules
from .clock_spec import ClockSpec
from .dates import (
    DAYS,
    WEEKDAYS,
    BusinessCalendar,
    SchoolCalendar,
    apply_weekend_rule,
    days,
    shifted,
)
from .decisions import Clock, made_clock
from .events import index_of
from .models import Case, Event

DELAY_EVENT = "delay"
_ONE_DAY = timedelta(days=1)


def status_of(
    *,
    due: date | None,
    met_on: date | None,
    as_of: date,
    due_soon_days: int,
    excused: bool = False,
) -> str:
    """The status of a clock with a due date as of a date.

    A clock is met on time when its stop event falls on or before the due date
    (the due date itself is the last compliant day).
    """
    return _status(due, met_on, as_of, due_soon_days, excused)


def _status(
    due: date | None, met_on: date | None, as_of: date, due_soon_days: int, excused: bool
) -> str:
    if due is None:
        return "not_applicable"
    if met_on is not None and met_on <= as_of:
        if met_on <= due:
            return "met"
        return "late_excused" if excused else "met_late"
    if as_of > due:
        return "late_excused" if excused else "overdue"
    # (due - as_of).days <= due_soon_days, as a comparison: a threshold on the as-of
    # date, so a tracked one (core/stability.py) stays a range instead of one day.
    soon = DAYS.get(due_soon_days)  # timedelta(days=n), made once per window
    if soon is None:
        soon = days(due_soon_days)
    if as_of >= due - soon:
        return "due_soon"
    return "pending"


def _window_note(
    reason: str | None, opens: date, met_on: date | None, too_early: list[Event]
) -> str | None:
    """The clock's reason, with a note when it was done before its window opened."""
    if met_on is not None and met_on < opens:
        early = f"done on {met_on.isoformat()}, before the window opened on {opens.isoformat()}"
    elif too_early:
        early = (
            f"done on {too_early[-1].date.isoformat()}, before the window opened on "
            f"{opens.isoformat()}: that does not meet the clock (an outer limit); "
            "hold it again within the window"
        )
    else:
        return reason
    return f"{reason}; {early}" if reason else early


def _delays(
    case: Case, start: date, end: date, wanted: frozenset[str], program: str | None
) -> list[Event]:
    return [
        e
        for e in index_of(case).of((DELAY_EVENT,), program)
        if e.reason in wanted and e.date <= end and (e.until or e.date) >= start
    ]


def paused_days(delays: Iterable[Event], since: date | None = None) -> int:
    """Days covered by delay periods (date to until, inclusive), overlaps counted once.

    With `since`, days before it (before the clock started) are not counted.
    """
    days: set[date] = set()
    for event in delays:
        last = event.until or event.date
        day = event.date if since is None else max(event.date, since)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return len(days)


def compute_clock(
    case: Case,
    *,
    id: str,
    program: str,
    spec: dict[str, Any] | ClockSpec,
    citation: str,
    start: date,
    as_of: date,
    due_soon_days: int,
    anchor: date | None = None,
    label: str = "",
    subject: str | None = None,
    stop_events: tuple[Event, ...] | None = None,
    closing: Iterable[str] = (),
    business: BusinessCalendar = WEEKDAYS,
    school: SchoolCalendar | None = None,
    leap_day: str = "feb28",
    episode: str | None = None,
) -> Clock:
    """Build one clock from a ruleset clock definition.

    `start` is the trigger date. For a clock counted back from a date (direction
    "before", e.g. 90 days before the third birthday) `anchor` is that date and
    the window opens `opens_length` `opens_unit` before it. `spec` is the ruleset's
    table or its compiled form (`ClockSpec.of(table)`, what `clock_from_param` passes).
    """
    cs = spec if isinstance(spec, ClockSpec) else ClockSpec(spec)
    base = anchor if (cs.before and anchor is not None) else start
    # What is missing when something is owed but its date cannot be computed (not
    # "does not apply"): every such case ends in the one _needs_information below.
    missing = rule_note = opens = due = None
    days = cs.calendar_days
    if school is None and cs.needs_school:
        missing = (
            "a school calendar (the clock counts school days, 34 CFR 300.11(c))"
            if cs.counts_school_days
            else "a school calendar (the clock leaves out summers or breaks, or ends with "
            "the school year, which only the district's calendar says)"
        )
    elif days is not None and (cs.opens_length is None or anchor is None):
        # Calendar days with no school rule and no window: `shift`'s arithmetic, inline.
        due = base - days if cs.before else base + days
    else:
        try:
            due = shifted(  # `shift` by position
                base,
                cs.length,
                cs.unit,
                -1 if cs.before else 1,
                cs.count_start_day_as,
                business,
                school,
                leap_day,
            )
            if cs.school_rules:
                due, rule_note = school_rules.due_date(
                    cs.raw,
                    base,
                    due,
                    school,
                    _absences(case, cs, program),
                    cs.count_start_day_as,
                )
            if cs.opens_length is not None and anchor is not None:
                opens = shifted(
                    anchor, cs.opens_length, cs.opens_unit, -1, 0, business, school, leap_day
                )
        except ValueError as exc:  # e.g. the calendar does not cover the days the rule needs
            missing = f"a school calendar covering the days the rule needs ({exc})"
        else:
            if due is None:  # beyond the end of the school calendar
                last_day = school.days[-1] if school is not None else None
                missing = (
                    f"the school calendar after {last_day.isoformat() if last_day else 'its end'} "
                    "(the due date falls past its end; add the next school year)"
                )
    if missing is not None:
        return _needs_information(
            case,
            episode=episode,
            id=id,
            program=program,
            spec=cs,
            citation=citation,
            start=start,
            as_of=as_of,
            label=label,
            subject=subject,
            stop_events=stop_events,
            closing=closing,
            missing=missing,
        )
    assert due is not None
    if cs.on_weekend != "keep":
        due = apply_weekend_rule(due, cs.on_weekend, business)
    if stop_events is None:
        stop_events = index_of(case).of(cs.stop, program)
    window_start = opens if opens is not None else start
    # A window is an outer limit (e.g. 303.209(c)(1), (d)(2): "not more than nine
    # months before"): an action before it opens does not meet the clock, unless the
    # ruleset says early actions count (`early_action_counts`, with its citation).
    early_counts = cs.early_action_counts
    earliest = min(window_start, start) if early_counts else window_start
    too_early = (
        [e for e in stop_events if start <= e.date < earliest and e.date <= as_of]
        if opens is not None and not early_counts
        else []
    )
    met_on = None
    for event in stop_events:  # the first on or after the window (a loop: no generator)
        if event.date >= earliest:
            if event.date <= as_of:
                met_on = event.date
            break
    reasons = cs.excused_by
    excused_by = None
    reason = rule_note
    end = met_on or as_of
    delays = _delays(case, start, max(end, start), cs.excusing, program) if reasons else []
    # Only a delay that began while the clock was still running (on or before its
    # due date) excuses it: a circumstance arising after the deadline was missed
    # does not make the earlier lateness excusable (e.g. 303.310(b), 300.301(d)).
    # The start day is day 0, not a day of the timeline: a delay already running at
    # the start covers the days from day 1 (unless the ruleset counts the start day).
    first_day = (start if cs.count_start_day_as == 1 else start + _ONE_DAY) if delays else start
    if delays and cs.excuse_policy == "pause_and_extend":
        base_due, counted = due, []
        while True:
            counted = [e for e in delays if e.date <= due]
            extended = base_due + timedelta(days=paused_days(counted, since=first_day))
            if extended == due:
                break
            due = extended
        if counted:
            extra = (due - base_due).days
            # delays_between keeps only delays whose reason the clock names
            assert counted[0].reason is not None
            reason = (
                f"extended by {extra} day(s) of documented {counted[0].reason.replace('_', ' ')}"
            )
        delays = []
    elif delays:
        delays = [e for e in delays if e.date <= due]
    late = (met_on or as_of) > due
    agreed = cs.agreed_date_reasons
    if late and delays and delays[0].reason in agreed:
        excused_by, reason = _extended_to_agreed_date(delays[0], due, met_on, as_of)
    elif late and delays and cs.excuse_policy == "for_the_period":
        excused_by, reason = _excused_lateness(delays, due, met_on, as_of, first_day)
    elif late and delays:
        excused_by = delays[0].reason
        assert excused_by is not None  # delays_between keeps only named reasons
        reason = f"late for a documented reason: {excused_by.replace('_', ' ')} (from {delays[0].date.isoformat()})"
    if closing and type(closing) is not tuple:
        closing = tuple(closing)
    for event in index_of(case).of(closing, program) if closing else ():  # type: ignore[arg-type]
        # An event about one service (e.g. consent withdrawn for speech therapy)
        # closes only the clock about that service.
        if event.service is not None and event.service != subject:
            continue
        if met_on is None and start <= event.date <= as_of:
            closed = f"{event.type.replace('_', ' ')} on {event.date.isoformat()}"
            if event.date <= due:
                return made_clock(
                    episode=episode,
                    id=id,
                    program=program,
                    start=start,
                    due=due,
                    opens=opens,
                    status="not_applicable",
                    citation=citation,
                    label=label,
                    subject=subject,
                    reason=f"closed: {closed}, before the due date",
                )
            # Closed after the due date had passed: the lateness stands.
            return made_clock(
                episode=episode,
                id=id,
                program=program,
                start=start,
                due=due,
                opens=opens,
                status="late_excused" if excused_by else "overdue",
                citation=citation,
                label=label,
                subject=subject,
                excused_by=excused_by,
                reason=f"{reason + '; ' if reason else ''}already overdue when {closed}",
                closed_on=event.date,
            )
    status = _status(due, met_on, as_of, due_soon_days, bool(excused_by))
    if opens is not None:
        reason = _window_note(reason, opens, met_on, too_early)
    return made_clock(
        episode=episode,
        id=id,
        program=program,
        start=start,
        due=due,
        opens=opens,
        met_on=met_on,
        status=status,
        citation=citation,
        label=label,
        subject=subject,
        excused_by=excused_by if status == "late_excused" else None,
        reason=reason,
    )


def _extended_to_agreed_date(
    delay: Event, due: date, done: date | None, as_of: date
) -> tuple[str | None, str]:
    """An extension to an agreed date (300.301(d)(2), (e); 300.309(c)): the delay's `until`.

    Done (or still open) on or before the agreed date: excused. After it, or with no
    agreed date recorded, late for the agency's own reasons. A clock done late says by
    how many days; an open one says only that the agreed date has passed, so its
    reason reads the same on every later day (the listing counts the days).
    """
    assert delay.reason is not None
    words = delay.reason.replace("_", " ")
    if delay.until is None:
        return None, (
            f"{words} on {delay.date.isoformat()} gives no agreed date (`until`): the timeline "
            "is extended only to a date the parent and the agency agreed"
        )
    if (done or as_of) <= delay.until:
        return delay.reason, f"extended by agreement ({words}) to {delay.until.isoformat()}"
    late = (
        f"{(done - delay.until).days} day(s) late after the agreed date"
        if done is not None
        else "not done by the agreed date"
    )
    return None, f"extended by agreement ({words}) to {delay.until.isoformat()}; {late}"


def _excused_lateness(
    delays: list[Event], due: date, done: date | None, as_of: date, first_day: date
) -> tuple[str | None, str]:
    """Judge lateness against the days documented delays cover (303.310(b), (c)(2)).

    The timeline does not count "any period when" the delay exists, and the rest
    is due "as soon as possible after": lateness is excused only up to the due date
    moved by the days the delays cover (date to `until`, inclusive, overlaps once,
    from day 1 of the timeline to the day it was done or the as-of date). Returns the
    excusing reason (None when lateness goes beyond those days) and the clock's reason.
    A clock done late says how many of its days late were excused and how many were
    the agency's; an open one (`done` None) gives the date lateness is excused through
    instead, so its reason reads the same on every day until its status changes (the
    listing counts the days; core/stability.py).
    """
    first = delays[0]
    assert first.reason is not None  # delays_between keeps only named reasons
    words = first.reason.replace("_", " ")
    last = max(e.until or e.date for e in delays)
    period = f"from {first.date.isoformat()}" + (
        f" to {last.isoformat()}" if last != first.date else ""
    )
    end = done or as_of
    covered = paused_days([e for e in delays if e.date <= end], since=first_day)
    if done is None:
        # Still open: excused while the as-of date is within the covered days. The
        # days since day 1 always outnumber the days late, so no cap is needed.
        moved = due + timedelta(days=covered)
        if as_of <= moved:
            return first.reason, (
                f"late for a documented reason: {words} ({period}); not done, "
                f"excused through {moved.isoformat()}"
            )
        said = "not done"
    else:
        covered = max(0, min(covered, (done - first_day).days + 1))
        days_late = (done - due).days
        excused = min(covered, days_late)
        agency = days_late - excused
        said = (
            f"{days_late} day(s) late: {excused} excused by the documented delay, "
            f"{agency} the agency's"
        )
        if agency == 0:
            return first.reason, f"late for a documented reason: {words} ({period}); {said}"
        moved = due + timedelta(days=covered)
    open_ended = any(e.until is None for e in delays)
    return None, (
        f"{said}: the documented {words} ({period}) covers {covered} day(s), "
        f"so lateness is excused only through {moved.isoformat()}; the due date stays "
        f"{due.isoformat()}"
        + ("; a delay with no `until` counts as its own day only" if open_ended else "")
    )


def _needs_information(
    case: Case,
    *,
    id: str,
    program: str,
    spec: ClockSpec,
    citation: str,
    start: date,
    as_of: date,
    label: str,
    subject: str | None,
    stop_events: tuple[Event, ...] | None,
    closing: Iterable[str],
    missing: str,
    episode: str | None = None,
) -> Clock:
    """A clock that is owed but whose due date cannot be computed without `missing`.

    The obligation stands (it is open until its stop event); a closing event
    before the stop event ends it (`not_applicable`, nothing owed any more). With
    the stop event on file the clock records `met_on`, but whether it was on time
    stays unknown until the missing information is added.
    """
    if stop_events is None:
        stop_events = index_of(case).of(spec.stop, program)
    met = next((e for e in stop_events if e.date >= start), None)
    met_on = met.date if met is not None and met.date <= as_of else None
    if closing and type(closing) is not tuple:
        closing = tuple(closing)
    for event in index_of(case).of(closing, program) if closing else ():  # type: ignore[arg-type]
        if event.service is not None and event.service != subject:
            continue
        if met_on is None and start <= event.date <= as_of:
            return not_applicable(
                episode=episode,
                id=id,
                program=program,
                citation=citation,
                label=label,
                start=start,
                subject=subject,
                reason=f"closed: {event.type.replace('_', ' ')} on {event.date.isoformat()}, "
                f"before it was done (its due date could not be computed: {missing} is missing)",
            )
    done = f"done on {met_on.isoformat()}; whether on time is unknown: " if met_on else ""
    return made_clock(
        episode=episode,
        id=id,
        program=program,
        start=start,
        due=None,
        met_on=met_on,
        status="needs_information",
        citation=citation,
        label=label,
        subject=subject,
        reason=f"{done}cannot compute the due date: {missing} is missing",
        missing=(missing,),
    )


def not_applicable(
    *,
    id: str,
    program: str,
    citation: str,
    reason: str,
    label: str = "",
    start: date | None = None,
    subject: str | None = None,
    episode: str | None = None,
) -> Clock:
    """A clock that does not apply to this case, with why."""
    # Its status and due date are this function's own, so only the start can fail
    # Clock's checks: a date (or None) needs no second look; anything else gets them.
    make = made_clock if start is None or isinstance(start, date) else Clock
    return make(
        episode=episode,
        id=id,
        program=program,
        start=start,
        due=None,
        status="not_applicable",
        citation=citation,
        reason=reason,
        label=label,
        subject=subject,
    )


def _absences(case: Case, spec: ClockSpec, program: str) -> tuple[Event, ...]:
    event = spec.absence_event
    return index_of(case).of((event,), program) if event else ()
