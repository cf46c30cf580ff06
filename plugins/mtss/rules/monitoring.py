"""R9 data sufficiency and the monitoring interval."""

from __future__ import annotations

from datetime import date

from ..models import MtssRecord, Series
from ..params import Params
from .common import Recommendation, _as_of, _insufficient

# --- R9 data sufficiency and monitoring interval -------------------------------------


def series_tier(rec: MtssRecord, series: Series, as_of: date) -> int | None:
    """The tier the series monitors: its own `tier` label, else the highest tier of the
    enrolments open on `as_of` in its skill (and program). Sets R9's interval."""
    if series.tier is not None:
        return series.tier
    return max((e.tier for e in open_enrolments(rec, series, as_of)), default=None)


def open_enrolments(rec: MtssRecord, series: Series, as_of: date) -> list:
    """The enrolments in the series' skill (and program) open on `as_of`."""
    return [
        e
        for e in rec.enrolments
        if (series.program in (None, e.program))
        and e.skill_area == series.skill_area
        and e.start <= as_of
        and (e.end is None or e.end >= as_of)
    ]


def served_tier(rec: MtssRecord, series: Series, as_of: date) -> int | None:
    """The tier the student is served in on `as_of` in the series' skill, or None.

    The series' `tier` label is undated: it says which tier the series monitors, not
    since when. So it counts as the student's tier only while an enrolment in the
    series' skill (and program) is open on `as_of`; with none open, the student is not
    served in any tier there on that date, whatever the label says.
    """
    if not open_enrolments(rec, series, as_of):
        return None
    return series_tier(rec, series, as_of)


def counts_for_monitoring(calendar, day: date) -> bool:
    """A day that counts toward the monitoring interval when school breaks are excluded.

    School days count, and so does a weekend between two school weeks (Friday and Monday
    both school days); closures, breaks and the weekends next to them do not.
    """
    if calendar.is_school_day(day):
        return True
    if day.weekday() < 5:
        return False
    friday = date.fromordinal(day.toordinal() - (day.weekday() - 4))
    monday = date.fromordinal(friday.toordinal() + 3)
    return calendar.is_school_day(friday) and calendar.is_school_day(monday)


def due_after(last: date, days: int, calendar=None) -> date | None:
    """`days` days after `last`; with a school calendar only counted days count (None when
    the calendar ends first)."""
    if calendar is None:
        return date.fromordinal(last.toordinal() + days)
    end = calendar.days[-1]
    day, counted = last, 0
    while counted < days:
        day = date.fromordinal(day.toordinal() + 1)
        if day > end:
            return None
        counted += counts_for_monitoring(calendar, day)
    return day


def counted_days_between(a: date, b: date, calendar=None) -> int:
    """Days from a to b (b counted, a not); with a calendar only the days that count."""
    if calendar is None:
        return (b - a).days
    return sum(
        counts_for_monitoring(calendar, date.fromordinal(o))
        for o in range(a.toordinal() + 1, b.toordinal() + 1)
    )


def monitoring(
    rec: MtssRecord, series: Series, as_of: date, p: Params, calendar=None
) -> Recommendation:
    """R9: when the next point is due, whether it is overdue, and whether data are enough.

    With a school calendar (the ruleset's `school_calendar`), closures and breaks do not
    count toward the interval (the research note's option to exclude school breaks).
    """
    series = _as_of(series, as_of)
    tier = series_tier(rec, series, as_of)
    names = (f"monitoring.interval_days.tier{tier}", "monitoring.overdue_multiplier")
    if tier is None:
        return _insufficient(
            "R9",
            (
                "No tier on the series and no open enrolment in this skill: monitoring interval unknown.",
            ),
            p,
            (),
            subject=series.id,
        )
    interval = p.v(f"monitoring.interval_days.tier{tier}")
    mult = p.v("monitoring.overdue_multiplier", None)
    days = round(interval * mult) if mult else interval
    last = (
        series.points[-1].date
        if series.points
        else (series.baseline_date or _enrolment_start(rec, series))
    )
    if last is None:
        return _insufficient(
            "R9", ("No points and no start date on the series.",), p, names, subject=series.id
        )
    due = due_after(last, days, calendar)
    plain_due = due_after(last, days)
    if series.ended and series.ended <= as_of:
        decision, why = "ended", f"Monitoring ended on {series.ended}."
    elif due is None:
        return _insufficient(
            "R9",
            (
                f"Last point {last}; the school calendar ends before {days} more school days: "
                "no point is due until the calendar is extended.",
            ),
            p,
            names,
            {"tier": tier, "last_point": last.isoformat(), "points": len(series.points)},
            series.id,
        )
    elif as_of > due:
        decision = "overdue"
        why = f"Last point {last}; Tier {tier} expects a point every {interval} days, so one was due by {due}: overdue."
    else:
        decision = "on_schedule"
        why = f"Last point {last}; next due by {due} (Tier {tier}, every {interval} days)."
    reasons = [why]
    if calendar is not None and due != plain_due:
        reasons.append(
            f"School breaks and closures on the school calendar do not count (due {plain_due} "
            "without them)."
        )
    if mult is None:
        reasons.append("No grace multiplier configured: due one interval after the last point.")
    return Recommendation(
        rule="R9",
        decision=decision,
        reasons=reasons,
        evidence={
            "tier": tier,
            "last_point": last.isoformat(),
            # None when monitoring ended and the school calendar ends before the next point
            "due": due.isoformat() if due is not None else None,
            "points": len(series.points),
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )


def _enrolment_start(rec: MtssRecord, series: Series) -> date | None:
    starts = [e.start for e in rec.enrolments if e.skill_area == series.skill_area]
    return min(starts) if starts else None
