"""R7 dual discrepancy (level and slope)."""

from __future__ import annotations

from ..models import Series
from ..params import Params
from .common import Recommendation, _fmt, _insufficient, _weeks
from .goals import Aimline
from .progress import fit

# --- R7 dual discrepancy -------------------------------------------------------------


def dual_discrepancy(series: Series, line: Aimline, p: Params) -> Recommendation:
    """R7: level below benchmark AND growth below the peer-growth criterion."""
    names = ("dual_discrepancy.min_weeks", "dual_discrepancy.peer_growth_percentile")
    points = series.points
    weeks = _weeks(line.start, points[-1].date) if points else 0.0
    missing = []
    if series.benchmark is None:
        missing.append("benchmark (current grade-level benchmark)")
    if series.peer_roi is None:
        missing.append(
            f"peer_roi (peer growth at the {p.v('dual_discrepancy.peer_growth_percentile')}th percentile)"
        )
    if weeks < p.v("dual_discrepancy.min_weeks") or len(points) < p.v("roi.min_points") or missing:
        why = [
            f"{_fmt(round(weeks, 1))} week(s) of intervention data; needs {p.v('dual_discrepancy.min_weeks')}."
        ]
        if missing:
            why.append("Missing on the series: " + ", ".join(missing) + ".")
        return _insufficient("R7", why, p, names, {"weeks": round(weeks, 2)}, series.id)
    # Neither is missing (the return above)
    assert series.benchmark is not None and series.peer_roi is not None
    current = float(points[-1].score)
    roi, _ = fit(points, points[0].date, "ols")
    level_low = series.direction * (current - series.benchmark) < 0
    slope_low = series.direction * (roi - series.peer_roi) < 0
    decision = "dual_discrepancy" if level_low and slope_low else "no_dual_discrepancy"
    reasons = (
        f"Level: {_fmt(current)} vs benchmark {_fmt(series.benchmark)} ({'below' if level_low else 'not below'}).",
        f"Growth: {_fmt(round(roi, 2))}/week vs peer growth {_fmt(series.peer_roi)} "
        f"({'below' if slope_low else 'not below'}).",
        "Both low: a dual discrepancy; consider intensifying (Tier 3/DBI)."
        if decision == "dual_discrepancy"
        else "Not both low: no dual discrepancy.",
    )
    return Recommendation(
        rule="R7",
        decision=decision,
        reasons=reasons,
        evidence={
            "level": current,
            "benchmark": series.benchmark,
            "roi": round(roi, 4),
            "peer_roi": series.peer_roi,
            "level_low": level_low,
            "slope_low": slope_low,
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )
