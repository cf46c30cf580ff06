"""Where a goal stands on a date, judged by the MTSS trend and data-sufficiency rules.

A goal is handed to the MTSS rules as a progress-monitoring series whose aimline
runs from the goal's baseline to its target: the trend rule (R5, with its
minimum number of points and its slope method) decides whether enough data
exist and where the trend leads by the target date. Nothing here fits a line
or counts points a second way; the parameters are the MTSS ruleset's, cited in
every result. This module adds only what a plan needs on top: "met" when the
latest measurement reaches the target, the observations to quote, and, once the
target date has passed, what the measurements say happened by that date (no
projection: the date is behind us).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.rulesets import Ruleset
from eirules.plugins.mtss import rules as mtss_rules
from eirules.plugins.mtss.models import Point, Series
from eirules.plugins.mtss.params import PREFIX, params_for

from .models import Goal, ProgressNote, ProgressPoint

#: Before and on the target date: met, on_track, not_on_track, not_enough_data (fewer
#: points than the trend needs), trend_unclear (enough points, but the trend cannot be
#: told apart from the aimline yet). After it: met, not_met, data_stopped.
STATUSES = (
    "met",
    "on_track",
    "not_on_track",
    "not_enough_data",
    "trend_unclear",
    "not_met",
    "data_stopped",
)
#: The statuses a goal can have once its target date has passed.
AFTER_TARGET = ("met", "not_met", "data_stopped")
#: How recent, before the target date, the last measurement must be to say "not met"
#: (a design choice, docs/plans.md "After the target date"): one MTSS review cycle.
RECENT_ENOUGH = "review.cycle_weeks"


@attrs.frozen(kw_only=True)
class GoalProgress:
    """A goal's status on a date, with the numbers behind it (prose is rendered from these)."""

    goal: Goal
    as_of: date
    status: str
    points: tuple[ProgressPoint, ...]
    notes: tuple[ProgressNote, ...]
    #: The latest measurement that counts (after the target date: the latest on or before it).
    latest: ProgressPoint | None
    #: Trend per week and the value it projects on the target date (None without a trend).
    slope_per_week: float | None = None
    projected: float | None = None
    #: Points the trend rule needs, and how many the current period has.
    points_needed: int | None = None
    points_used: int = 0
    low_confidence: bool = False
    #: trend_unclear: the trend slope's interval, the aimline's slope, and what the trend
    #: rule waits for before a close call (recommended points and weeks; weeks so far).
    slope_interval: tuple[float, float] | None = None
    aimline_slope: float | None = None
    points_recommended: int | None = None
    weeks_recommended: int | None = None
    weeks_used: float | None = None
    #: After the target date: measurements dated after it (not counted), and the weeks
    #: within which the last measurement must fall to say "not met" (None: not set).
    after_target: bool = False
    later_points: int = 0
    recent_weeks: int | None = None
    #: The MTSS rule's own reason (English), its parameters and citation.
    rule_reason: str = ""
    parameters: dict[str, Any] = attrs.field(factory=dict, hash=False)
    citation: str = ""


def as_series(goal: Goal, as_of: date) -> Series:
    """The goal as an MTSS series: its aimline from the baseline to the target."""
    return Series(
        id=goal.id,
        measure=goal.measure.what,
        skill_area=goal.area,
        direction=1 if goal.measure.better == "higher" else -1,
        baseline=goal.baseline,
        baseline_date=goal.baseline_date,
        goal=goal.target,
        goal_date=goal.target_date,
        goal_method="custom",
        points=tuple(Point(date=p.date, score=p.value) for p in goal.points if p.date <= as_of),
    )


def reached(goal: Goal, value: float) -> bool:
    """The value is at or beyond the target, in the measure's better direction."""
    return value >= goal.target if goal.measure.better == "higher" else value <= goal.target


def goal_progress(goal: Goal, ruleset: Ruleset, as_of: date) -> GoalProgress:
    """The goal's status as of a date (only data dated on or before it count)."""
    points = tuple(p for p in goal.points if p.date <= as_of)
    notes = tuple(n for n in goal.notes if n.date <= as_of)
    p = params_for(ruleset, as_of)
    if as_of > goal.target_date:
        return _after_target(goal, p, as_of, points, notes)
    latest = points[-1] if points else None
    series = as_series(goal, as_of)
    line = mtss_rules.Aimline(goal.baseline_date, goal.baseline, goal.target_date, goal.target)
    r5 = mtss_rules.trend(series, line, p)
    ev = r5.evidence
    used = r5.parameters  # the parameters R5 decided with, as it cites them: not read again
    common = {
        "goal": goal,
        "as_of": as_of,
        "points": points,
        "notes": notes,
        "latest": latest,
        "rule_reason": r5.reason,
        "parameters": dict(r5.parameters),
        "citation": r5.citation,
        "points_needed": used.get(PREFIX + "trend.min_points"),
        "points_used": int(ev.get("points_in_phase", 0) or 0),
    }
    if latest is not None and latest.date > goal.baseline_date and reached(goal, latest.value):
        return GoalProgress(status="met", **common)
    if not r5.sufficient and ev.get("status") == "indistinguishable":
        lo, hi = ev["slope_interval"]
        return GoalProgress(
            status="trend_unclear",
            slope_per_week=ev.get("trend_slope"),
            slope_interval=(lo, hi),
            aimline_slope=ev.get("aimline_slope"),
            points_recommended=used.get(PREFIX + "trend.recommended_points"),
            weeks_recommended=used.get(PREFIX + "monitoring.low_confidence_weeks"),
            weeks_used=ev.get("weeks_in_phase"),
            **common,
        )
    if not r5.sufficient:
        return GoalProgress(status="not_enough_data", **common)
    return GoalProgress(
        status="on_track" if ev.get("on_track") else "not_on_track",
        slope_per_week=ev.get("trend_slope"),
        projected=ev.get("projected_at_goal_date"),
        low_confidence=ev.get("confidence") == "low",
        **common,
    )


def _after_target(goal: Goal, p, as_of: date, points, notes) -> GoalProgress:
    """What the measurements on or before the target date say (docs/plans.md)."""
    counted = tuple(pt for pt in points if goal.baseline_date < pt.date <= goal.target_date)
    last = counted[-1] if counted else None
    weeks = p.v(RECENT_ENOUGH, None)
    if last is not None and reached(goal, last.value):
        status = "met"
    elif last is not None and (weeks is None or (goal.target_date - last.date).days <= 7 * weeks):
        status = "not_met"
    else:
        status = "data_stopped"
    return GoalProgress(
        goal=goal,
        as_of=as_of,
        status=status,
        points=points,
        notes=notes,
        latest=last,
        points_used=len(counted),
        after_target=True,
        later_points=sum(1 for pt in points if pt.date > goal.target_date),
        recent_weeks=weeks,
        parameters={f"{PREFIX}{RECENT_ENOUGH}": weeks},
        citation=p.cite(RECENT_ENOUGH),
    )


def _n(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


HEADS = {
    "met": "Met",
    "on_track": "On track",
    "not_on_track": "Not on track",
    "not_enough_data": "Not enough data",
    "trend_unclear": "Trend unclear",
    "not_met": "Not met by the target date",
    "data_stopped": "No recent data at the target date",
}


def staff_reason(gp: GoalProgress) -> str:
    """The status in a case manager's words: the numbers, the rule, the latest observations."""
    g = gp.goal
    unit = g.measure.unit
    parts = [f"{HEADS[gp.status]}: target {_n(g.target)} {unit} by {g.target_date.isoformat()}"]
    if gp.latest is not None:
        parts.append(
            f"latest {_n(gp.latest.value)} on {gp.latest.date.isoformat()}"
            + (" (the last on or before the target date)" if gp.after_target else "")
        )
    if gp.status in ("on_track", "not_on_track"):
        parts.append(
            f"trend {_n(gp.slope_per_week)} {unit}/week projects {_n(gp.projected)} "
            f"on the target date"
        )
    elif gp.status == "not_enough_data":
        parts.append(
            f"{gp.points_used} measurement(s) since the baseline; the trend rule needs "
            f"{gp.points_needed}"
        )
    elif gp.status == "trend_unclear":
        parts.append(_unclear_reason(gp, unit))
    elif gp.after_target:
        parts.extend(_after_target_reason(gp))
    text = "; ".join(parts) + "."
    if gp.low_confidence:
        text += " Few measurements: low confidence."
    for note in gp.notes[-2:]:
        text += f' {note.kind.replace("_", " ").capitalize()} ({note.by}, {note.date.isoformat()}): "{note.text}"'
    return text


def _unclear_reason(gp: GoalProgress, unit: str) -> str:
    lo, hi = gp.slope_interval or (None, None)
    wait = []
    if gp.points_recommended is not None and gp.points_used < gp.points_recommended:
        wait.append(f"{gp.points_recommended} measurements")
    if gp.weeks_recommended is not None and (gp.weeks_used or 0) < gp.weeks_recommended:
        wait.append(f"{gp.weeks_recommended} weeks")
    return (
        f"{gp.points_used} measurement(s) since the baseline, enough for a trend (the rule "
        f"needs {gp.points_needed}), but the trend of {_n(gp.slope_per_week)} {unit}/week "
        f"cannot be told apart from the aimline's {_n(gp.aimline_slope)} {unit}/week yet "
        f"({_pct(gp.parameters.get(PREFIX + 'trend.confidence'))}interval {_n(lo)} to {_n(hi)})"
        + (f"; the trend rule makes a close call from {' and '.join(wait)}" if wait else "")
    )


def _pct(level: float | None) -> str:
    return "" if level is None else f"{level:.0%} "


def _after_target_reason(gp: GoalProgress) -> list[str]:
    g = gp.goal
    out = []
    if gp.latest is None:
        out.append("no measurement after the baseline on or before the target date")
    else:
        gap = (g.target_date - gp.latest.date).days
        if gp.status == "data_stopped":
            out.append(
                f"that is {_n(gap / 7)} weeks before the target date, more than one review "
                f"cycle ({gp.recent_weeks} weeks, {PREFIX}{RECENT_ENOUGH}): the data stop too "
                f"early to say whether the goal was met by then"
            )
        elif gp.status == "not_met":
            out.append(f"short of the target, {_n(gap / 7)} weeks before the target date")
    if gp.later_points:
        out.append(f"{gp.later_points} measurement(s) after the target date not counted")
    return out
