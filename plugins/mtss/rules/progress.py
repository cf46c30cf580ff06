"""R4 four-point rule, R5 trend against the aimline, R6 rate of improvement and gap."""

from __future__ import annotations

from typing import Any

from ..models import Series
from ..params import Params
from .benchmarks import Seasons, benchmark_at, measure_key
from .common import INSUFFICIENT, Recommendation, _fmt, _insufficient, _weeks
from .goals import Aimline, baseline_of, phase_points, typical_roi
from .stats import fit, fit_points, ols, tukey  # noqa: F401  (ols, tukey re-exported)

# --- R4 four-point rule --------------------------------------------------------------


def four_point(series: Series, line: Aimline, p: Params) -> Recommendation:
    """R4: k consecutive points below (or above) the aimline after enough weeks and points."""
    names = (
        "four_point.min_weeks",
        "four_point.min_points",
        "four_point.consecutive",
        "four_point.tolerance",
    )
    start, points = phase_points(series, p, line.start)
    k = p.v("four_point.consecutive")
    min_w, min_n = p.v("four_point.min_weeks"), p.v("four_point.min_points")
    tol = p.v("four_point.tolerance", 0)
    weeks = _weeks(start, points[-1].date) if points else 0.0
    evidence: dict[str, Any] = {
        "phase_start": start.isoformat(),
        "points_in_phase": len(points),
        "weeks_in_phase": round(weeks, 2),
    }
    if weeks < min_w or len(points) < max(min_n, k):
        return _insufficient(
            "R4",
            (
                f"{len(points)} point(s) over {_fmt(round(weeks, 1))} week(s) in this phase; the "
                f"four-point rule needs {max(min_n, k)} points and {min_w} weeks.",
            ),
            p,
            names,
            evidence,
            series.id,
        )
    last = points[-k:]
    rel = [series.direction * (pt.score - line.at(pt.date)) for pt in last]
    evidence["last_points"] = [
        [pt.date.isoformat(), pt.score, round(line.at(pt.date), 2)] for pt in last
    ]
    if all(r < -tol for r in rel):
        decision = "change_instruction"
        why = f"The last {k} points are all below the aimline: change or intensify instruction."
    elif all(r > tol for r in rel):
        decision = "raise_goal"
        why = f"The last {k} points are all above the aimline: raise the goal or consider fading support."
    else:
        decision = "continue"
        why = f"The last {k} points are not all on one side of the aimline: continue and keep monitoring."
    return Recommendation(
        rule="R4",
        decision=decision,
        reasons=(why,),
        evidence=evidence,
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )


# --- R5 trend ----------------------------------------------------------------------


def slope_tolerance(series: Series, p: Params) -> tuple[float, str | None]:
    """The near-target band for this measure (`trend.slope_tolerance.<measure>`), else 0.

    AIMSweb's +/- 0.5 is in words read correct per week, so it applies to oral reading
    only; a maze, math or behaviour trend is judged by its confidence interval alone
    unless the district sets a band for that measure.
    """
    name = f"trend.slope_tolerance.{measure_key(series)}"
    value = p.v(name, None)
    return (float(value), name) if value is not None else (0.0, None)


def trend(series: Series, line: Aimline, p: Params) -> Recommendation:
    """R5: trend slope against the aimline slope, with its uncertainty and a projection.

    The slope's standard error gives a confidence interval (Christ 2006). Below target
    means the trend is below the aimline slope by more than the measure's near-target band
    AND the whole interval is below the aimline slope (the difference is not noise); above
    target the same the other way. A trend whose interval includes the aimline slope is
    "not enough data yet" until the phase has the recommended points and weeks [S59][S65];
    after that, and inside the near-target band, it is near target (continue).
    """
    tol, tol_name = slope_tolerance(series, p)
    names = (
        "trend.method",
        "trend.min_points",
        "trend.recommended_points",
        "trend.confidence",
        "monitoring.low_confidence_weeks",
        *((tol_name,) if tol_name else ()),
    )
    start, points = phase_points(series, p, line.start)
    n_min = p.v("trend.min_points")
    if len(points) < n_min:
        return _insufficient(
            "R5",
            (f"{len(points)} point(s) in this phase; a trend needs {n_min}.",),
            p,
            names,
            {"points_in_phase": len(points)},
            series.id,
        )
    method = p.v("trend.method")
    conf = p.v("trend.confidence")
    f = fit_points(points, start, method)
    b, a = f.slope, f.intercept
    g = line.slope
    d = series.direction * (b - g)
    ci = f.interval(conf) or (b, b)
    lo, hi = sorted(series.direction * (x - g) for x in ci)
    projected = a + b * _weeks(start, line.goal_date)
    on_track = series.direction * (projected - line.goal) >= 0
    recommended = p.v("trend.recommended_points")
    min_weeks = p.v("monitoring.low_confidence_weeks", None)
    weeks = _weeks(start, points[-1].date)
    short = len(points) < recommended or (min_weeks is not None and weeks < min_weeks)
    ci_text = f"{conf:.0%} interval {_fmt(round(ci[0], 2))} to {_fmt(round(ci[1], 2))}"
    band = f" +/- {_fmt(tol)}" if tol else ""
    if d < -tol and hi < 0:
        status, decision = "below_target", "change_instruction"
        verdict = f"below the aimline{band} (the whole {ci_text} is below it)"
    elif d > tol and lo > 0:
        status, decision = "above_target", "raise_goal"
        verdict = f"above the aimline{band} (the whole {ci_text} is above it)"
    elif short or (tol > 0 and abs(d) > tol):  # without a band, the interval decides
        status, decision = "indistinguishable", INSUFFICIENT
        verdict = (
            f"cannot be told apart from the aimline yet ({ci_text}, aimline "
            f"{_fmt(round(g, 2))}{band}): not enough data yet; {len(points)} points over "
            f"{_fmt(round(weeks, 1))} weeks"
            + (
                f", a close call needs {recommended} points"
                + (f" and {min_weeks} weeks" if min_weeks is not None else "")
                if short
                else ""
            )
        )
    else:
        status, decision = "near_target", "continue"
        verdict = f"near the aimline (within{band or ' its interval'}; {ci_text})"
    reasons = [
        f"Trend ({method}) {_fmt(round(b, 2))}/week vs aimline {_fmt(round(g, 2))}/week: "
        f"{verdict}.",
        f"Projected {_fmt(round(projected, 1))} on {line.goal_date} against goal {_fmt(line.goal)}: "
        + ("on track." if on_track else "not on track."),
    ]
    first_x, last_x = points[0].date, points[-1].date
    level_concern = status in ("near_target", "indistinguishable") and all(
        series.direction * ((a + b * _weeks(start, x)) - line.at(x)) < 0 for x in (first_x, last_x)
    )
    if level_concern:
        reasons.append(
            "The trend runs parallel to but below the aimline: growth is on pace, level is not."
        )
    confidence = "low" if short and status in ("near_target", "indistinguishable") else "ok"
    return Recommendation(
        rule="R5",
        decision=decision,
        reasons=reasons,
        evidence={
            "method": method,
            "trend_slope": round(b, 4),
            "trend_intercept": round(a, 4),
            "trend_origin": start.isoformat(),
            "slope_se": None if f.se is None else round(f.se, 4),
            "slope_interval": [round(ci[0], 4), round(ci[1], 4)],
            "confidence_level": conf,
            "tolerance": tol,
            "aimline_slope": round(g, 4),
            "difference": round(d, 4),
            "status": status,
            "projected_at_goal_date": round(projected, 2),
            "on_track": on_track,
            "level_concern": level_concern,
            "confidence": confidence,
            "points_in_phase": len(points),
            "weeks_in_phase": round(weeks, 2),
        },
        parameters=p.used(*names),
        citation=p.cite(*names) + "; standard error of the slope, Christ (2006)",
        sufficient=decision != INSUFFICIENT,
        subject=series.id,
    )


# --- R6 rate of improvement and gap --------------------------------------------------


def rate_of_improvement(
    series: Series, grade: int, line: Aimline | None, p: Params, seasons: Seasons = ()
) -> Recommendation:
    """R6: simple and OLS rate of improvement, rate needed, gap ratio, weeks to close.

    The gap is measured against the benchmark of the season of the last point.
    """
    names = ("roi.min_points", "gap.significant_ratio", "goal.max_ratio_to_typical_roi")
    _, _, skip = baseline_of(series, p)
    points = series.points
    if len(points) < p.v("roi.min_points"):
        return _insufficient(
            "R6",
            (f"{len(points)} point(s); a rate of improvement needs {p.v('roi.min_points')}.",),
            p,
            names,
            subject=series.id,
        )
    first, last = points[0], points[-1]
    span = _weeks(first.date, last.date)
    roi_simple = (last.score - first.score) / span if span > 0 else None
    roi_ols, _ = fit(points, first.date, "ols")
    current = float(last.score)
    ev: dict[str, Any] = {
        "roi_simple": None if roi_simple is None else round(roi_simple, 4),
        "roi_ols": round(roi_ols, 4),
        "method": "ols over all points",
        "interval_days": round((last.date - first.date).days / max(len(points) - 1, 1), 1),
        "current": current,
    }
    reasons = [
        f"Rate of improvement {_fmt(round(roi_ols, 2))}/week (OLS over {len(points)} points)."
    ]
    if line is not None:
        weeks_left = _weeks(last.date, line.goal_date)
        if weeks_left > 0:
            needed = (line.goal - current) / weeks_left
            ev["roi_needed"] = round(needed, 4)
            reasons.append(
                f"Needs {_fmt(round(needed, 2))}/week to reach {_fmt(line.goal)} by {line.goal_date}."
            )
            typ, _src = typical_roi(series, grade, p)
            if typ:
                ratio = p.v("goal.max_ratio_to_typical_roi")
                ev["reasonable"] = abs(needed) <= ratio * abs(typ)
        gain = series.direction * roi_ols
        remaining = series.direction * (line.goal - current)
        ev["weeks_to_close"] = (
            round(remaining / gain, 1)
            if gain > 0 and remaining > 0
            else (0 if remaining <= 0 else None)
        )
    decision = "computed"
    bench = benchmark_at(series, grade, last.date, seasons, p)
    if bench.param:
        names = (*names, bench.param)
    ev["benchmark"] = bench.value
    ev["benchmark_source"] = bench.source
    if bench.value is not None and series.direction == 1 and current > 0:
        gap = bench.value / current
        ev["gap_ratio"] = round(gap, 3)
        sig = p.v("gap.significant_ratio")
        ev["gap_significant"] = gap > sig
        reasons.append(
            f"Gap: {bench.source} {_fmt(bench.value)} / current {_fmt(current)} = {_fmt(round(gap, 2))}"
            + (f", above {sig}: significant gap." if gap > sig else ".")
        )
        if gap > sig:
            decision = "significant_gap"
    elif bench.value is not None and series.direction == -1:
        reasons.append(
            "No gap ratio: it is defined for measures where higher is better, and on this "
            "measure lower is better (compare the level with the benchmark in R7)."
        )
    return Recommendation(
        rule="R6",
        decision=decision,
        reasons=reasons,
        evidence=ev,
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )
