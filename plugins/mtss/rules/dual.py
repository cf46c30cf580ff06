"""R7 dual discrepancy (level and slope), judged on the current phase only."""

from __future__ import annotations

import statistics

from ..models import Series
from ..params import Params
from .benchmarks import Seasons, benchmark_at
from .common import INSUFFICIENT, Recommendation, _fmt, _insufficient, _weeks
from .goals import Aimline, phase_points
from .stats import fit_points


def dual_discrepancy(
    series: Series, line: Aimline, p: Params, grade: int | None = None, seasons: Seasons = ()
) -> Recommendation:
    """R7: level below the season's benchmark AND growth below the peer-growth criterion.

    Phase-aware: only the points of the current phase count (an adaptation starts a new
    phase, so a Tier 3 change is judged on its own data once the phase is long enough).
    The level is the median of the last `dual_discrepancy.level_points` points, not one
    noisy probe; growth is low only when the whole confidence interval of the phase's
    trend is below peer growth (the same interval R5 uses), so a borderline student is
    "not enough data yet", not a dual discrepancy.
    """
    names = (
        "dual_discrepancy.min_weeks",
        "dual_discrepancy.peer_growth_percentile",
        "dual_discrepancy.level_points",
        "trend.min_points",
        "trend.confidence",
    )
    start, points = phase_points(series, p, line.start)
    weeks = _weeks(start, points[-1].date) if points else 0.0
    min_weeks, min_points = p.v("dual_discrepancy.min_weeks"), p.v("trend.min_points")
    bench = benchmark_at(series, grade or 0, points[-1].date, seasons, p) if points else None
    if bench is not None and bench.param:
        names = (*names, bench.param)
    missing = []
    if bench is None or bench.value is None:
        missing.append("a benchmark (the ruleset's seasonal table or the series' benchmark)")
    if series.peer_roi is None:
        missing.append(
            f"peer_roi (peer growth at the {p.v('dual_discrepancy.peer_growth_percentile')}th percentile)"
        )
    evidence = {
        "phase_start": start.isoformat(),
        "points_in_phase": len(points),
        "weeks": round(weeks, 2),
    }
    if weeks < min_weeks or len(points) < min_points or missing:
        why = [
            f"{_fmt(round(weeks, 1))} week(s) and {len(points)} point(s) in the current phase "
            f"(since {start}); needs {min_weeks} weeks and {min_points} points."
        ]
        if missing:
            why.append("Missing: " + ", ".join(missing) + ".")
        return _insufficient("R7", why, p, names, evidence, series.id)
    assert bench is not None and bench.value is not None and series.peer_roi is not None
    k = p.v("dual_discrepancy.level_points")
    level = float(statistics.median(pt.score for pt in points[-k:]))
    f = fit_points(points, start, "ols")
    conf = p.v("trend.confidence")
    lo, hi = sorted(
        series.direction * (x - series.peer_roi) for x in (f.interval(conf) or (f.slope,) * 2)
    )
    level_low = series.direction * (level - bench.value) < 0
    slope_low = hi < 0
    slope_unclear = not slope_low and lo < 0
    evidence.update(
        {
            "level": level,
            "level_points": k,
            "benchmark": bench.value,
            "benchmark_source": bench.source,
            "roi": round(f.slope, 4),
            "roi_interval": [round(x, 4) for x in (f.interval(conf) or (f.slope, f.slope))],
            "peer_roi": series.peer_roi,
            "level_low": level_low,
            "slope_low": slope_low,
        }
    )
    reasons = [
        f"Level (median of the last {k} points) {_fmt(level)} vs the {bench.source} "
        f"{_fmt(bench.value)}: {'below' if level_low else 'not below'}.",
        f"Growth in this phase {_fmt(round(f.slope, 2))}/week vs peer growth "
        f"{_fmt(series.peer_roi)}: "
        + (
            f"below (the whole {conf:.0%} interval)."
            if slope_low
            else "cannot be told apart from it yet."
            if slope_unclear
            else "not below."
        ),
    ]
    if level_low and slope_low:
        decision = "dual_discrepancy"
        reasons.append("Both low: a dual discrepancy; consider intensifying (Tier 3/DBI).")
    elif level_low and slope_unclear:
        decision = INSUFFICIENT
        reasons.append("Level low, growth not yet clear: not enough data yet for R7.")
    else:
        decision = "no_dual_discrepancy"
        reasons.append("Not both low: no dual discrepancy.")
    return Recommendation(
        rule="R7",
        decision=decision,
        reasons=tuple(reasons),
        evidence=evidence,
        parameters=p.used(*names),
        citation=p.cite(*names),
        sufficient=decision != INSUFFICIENT,
        subject=series.id,
    )
