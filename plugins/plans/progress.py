"""Where a goal stands on a date, judged by the MTSS trend and data-sufficiency rules.

A goal is handed to the MTSS rules as a progress-monitoring series whose aimline
runs from the goal's baseline to its target: the trend rule (R5, with its
minimum number of points and its slope method) decides whether enough data
exist and where the trend leads by the target date. Nothing here fits a line
or counts points a second way; the parameters are the MTSS ruleset's, cited in
every result. This module adds only what a plan needs on top: "met" when the
latest measurement reaches the target, and the observations to quote.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.rulesets import Ruleset
from eirules.plugins.mtss import rules as mtss_rules
from eirules.plugins.mtss.models import Point, Series
from eirules.plugins.mtss.params import params_for

from .models import Goal, ProgressNote, ProgressPoint

STATUSES = ("met", "on_track", "not_on_track", "not_enough_data")


@attrs.frozen(kw_only=True)
class GoalProgress:
    """A goal's status on a date, with the numbers behind it (prose is rendered from these)."""

    goal: Goal
    as_of: date
    status: str
    points: tuple[ProgressPoint, ...]
    notes: tuple[ProgressNote, ...]
    latest: ProgressPoint | None
    #: Trend per week and the value it projects on the target date (None without a trend).
    slope_per_week: float | None = None
    projected: float | None = None
    #: Points the trend rule needs, and how many the current period has.
    points_needed: int | None = None
    points_used: int = 0
    low_confidence: bool = False
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
    latest = points[-1] if points else None
    p = params_for(ruleset, as_of)
    series = as_series(goal, as_of)
    line = mtss_rules.Aimline(goal.baseline_date, goal.baseline, goal.target_date, goal.target)
    r5 = mtss_rules.trend(series, line, p)
    ev = r5.evidence
    common = {
        "goal": goal,
        "as_of": as_of,
        "points": points,
        "notes": notes,
        "latest": latest,
        "rule_reason": r5.reason,
        "parameters": dict(r5.parameters),
        "citation": r5.citation,
        "points_needed": p.v("trend.min_points", None),
        "points_used": int(ev.get("points_in_phase", 0) or 0),
    }
    if latest is not None and latest.date > goal.baseline_date and reached(goal, latest.value):
        return GoalProgress(status="met", **common)
    if not r5.sufficient:
        return GoalProgress(status="not_enough_data", **common)
    return GoalProgress(
        status="on_track" if ev.get("on_track") else "not_on_track",
        slope_per_week=ev.get("trend_slope"),
        projected=ev.get("projected_at_goal_date"),
        low_confidence=ev.get("confidence") == "low",
        **common,
    )


def _n(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}".rstrip("0").rstrip(".")


def staff_reason(gp: GoalProgress) -> str:
    """The status in a case manager's words: the numbers, the rule, the latest observations."""
    g = gp.goal
    unit = g.measure.unit
    head = {
        "met": "Met",
        "on_track": "On track",
        "not_on_track": "Not on track",
        "not_enough_data": "Not enough data",
    }[gp.status]
    parts = [f"{head}: target {_n(g.target)} {unit} by {g.target_date.isoformat()}"]
    if gp.latest is not None:
        parts.append(f"latest {_n(gp.latest.value)} on {gp.latest.date.isoformat()}")
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
    text = "; ".join(parts) + "."
    if gp.low_confidence:
        text += " Few measurements: low confidence."
    for note in gp.notes[-2:]:
        text += f' {note.kind.replace("_", " ").capitalize()} ({note.by}, {note.date.isoformat()}): "{note.text}"'
    return text
