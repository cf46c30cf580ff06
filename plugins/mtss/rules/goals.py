"""R3: baseline, goal and aimline, and the points of the current phase."""

from __future__ import annotations

import statistics
from datetime import date

import attrs

from ..models import Series
from ..params import Params
from .benchmarks import Benchmark, Seasons, benchmark_for, season_of
from .common import ORF_MEASURES, Recommendation, _fmt, _insufficient, _weeks

# --- Series geometry (R3) ----------------------------------------------------------


@attrs.frozen
class Aimline:
    """The goal line: from (start, baseline) to (goal_date, goal)."""

    start: date
    baseline: float
    goal_date: date
    goal: float

    @property
    def slope(self) -> float:
        weeks = _weeks(self.start, self.goal_date)
        return (self.goal - self.baseline) / weeks if weeks > 0 else 0.0

    def at(self, d: date) -> float:
        return self.baseline + self.slope * _weeks(self.start, d)


def baseline_of(series: Series, p: Params) -> tuple[float | None, date | None, int]:
    """(baseline, its date, how many leading points are baseline probes)."""
    if series.baseline is not None:
        start = series.baseline_date or (series.points[0].date if series.points else None)
        skip = (
            sum(1 for pt in series.points if start and pt.date <= start)
            if series.baseline_date
            else 0
        )
        return float(series.baseline), start, skip
    k = p.v("goal.baseline_points")
    if len(series.points) < k:
        return None, None, 0
    first = series.points[:k]
    return float(statistics.median(pt.score for pt in first)), first[-1].date, k


def roi_norm(grade: int, level: str, p: Params) -> float | None:
    return p.v(f"goal.roi_norm.grade_{grade}.{level}", None)


def typical_roi(series: Series, grade: int, p: Params) -> tuple[float | None, str]:
    if series.typical_roi is not None:
        return series.typical_roi, "typical_roi recorded on the series"
    if series.measure.lower() in ORF_MEASURES:
        value = roi_norm(grade, "realistic", p)
        if value is not None:
            return value, f"realistic oral-reading growth for grade {grade} (Fuchs et al. 1993)"
    return None, "no typical growth rate for this measure"


def goal_benchmark(series: Series, grade: int, seasons: Seasons, p: Params) -> Benchmark:
    """The benchmark of the goal's season: `goal_window` on the series, else the window of
    the student's latest screening by the goal date; the series' own benchmark otherwise."""
    season = series.goal_window
    if season is None and series.goal_date is not None:
        season = season_of(series.goal_date, seasons)
    return benchmark_for(series, grade, season, p)


def aimline_for(
    series: Series, grade: int, p: Params, seasons: Seasons = ()
) -> tuple[Aimline | None, Recommendation]:
    """R3: baseline, goal and aimline, with the unrealistic-goal, benchmark and zero-start guards.

    A goal set by a method (benchmark or growth norm) uses the goal season's benchmark, and
    a growth-norm goal is never set above it: at-risk students' goals are set to the
    benchmark rather than to a default weekly gain [S51].
    """
    names: tuple[str, ...] = ("goal.baseline_points", "goal.max_ratio_to_typical_roi")
    baseline, start, _ = baseline_of(series, p)
    if baseline is None or start is None:
        return None, _insufficient(
            "R3",
            (
                f"Fewer than {p.v('goal.baseline_points')} probes and no recorded baseline: no aimline yet.",
            ),
            p,
            names,
            subject=series.id,
        )
    goal, goal_date, method = series.goal, series.goal_date, series.goal_method
    reasons: list[str] = []
    if goal_date is None:
        return None, _insufficient(
            "R3", ("No goal date on the series: no aimline.",), p, names, subject=series.id
        )
    if goal_date <= start:
        return None, _insufficient(
            "R3",
            (
                f"The goal date {goal_date} is not after the baseline date {start}: no aimline "
                "(its slope is the gap divided by the weeks between them). Set a later goal date.",
            ),
            p,
            names,
            subject=series.id,
        )
    bench = goal_benchmark(series, grade, seasons, p)
    if bench.param:
        names = (*names, bench.param)
    if goal is None and method == "benchmark" and bench.value is not None:
        goal = bench.value
        reasons.append(
            f"Goal {_fmt(goal)} = the {bench.source} (benchmark method, easyCBM/FastBridge "
            "[S47][S48])."
        )
    if goal is None:
        # Ambitious growth: matching typical growth only keeps a low student at the same
        # percentile; closing the gap needs more [S52][S53].
        norm = roi_norm(grade, "ambitious", p) if series.measure.lower() in ORF_MEASURES else None
        if norm is None:
            return None, _insufficient(
                "R3",
                ("No goal on the series and no growth norm for this measure and grade.",),
                p,
                (*names, f"goal.roi_norm.grade_{grade}.ambitious"),
                subject=series.id,
            )
        goal = baseline + series.direction * norm * _weeks(start, goal_date)
        method = "norm_roi"
        names = (*names, f"goal.roi_norm.grade_{grade}.ambitious")
        reasons.append(
            f"Goal {_fmt(goal)} = baseline {_fmt(baseline)} + ambitious growth {norm}/week "
            f"x {_fmt(_weeks(start, goal_date))} weeks."
        )
        if bench.value is not None and series.direction * (goal - bench.value) > 0:
            if series.direction * (baseline - bench.value) < 0:
                reasons.append(
                    f"Capped at the {bench.source}, {_fmt(bench.value)}: ambitious growth "
                    f"would set the goal above it ({_fmt(goal)}); an at-risk student's goal "
                    "is the benchmark [S51]."
                )
                goal = bench.value
                method = "norm_roi capped at benchmark"
    elif bench.value is not None and series.direction * (goal - bench.value) > 0:
        reasons.append(
            f"The goal {_fmt(goal)} is above the {bench.source}, {_fmt(bench.value)}: check "
            "that it is the goal the team meant."
        )
    line = Aimline(start, baseline, goal_date, float(goal))
    decision = "aimline_set"
    reasons.insert(
        0,
        f"Aimline from {_fmt(baseline)} on {start} to goal {_fmt(goal)} on {goal_date} "
        f"({_fmt(line.slope)} per week; method {method or 'custom'}).",
    )
    typ, typ_source = typical_roi(series, grade, p)
    ratio = p.v("goal.max_ratio_to_typical_roi")
    # Compare sizes: on a lower-is-better measure typical growth is negative.
    if typ and abs(line.slope) > ratio * abs(typ):
        decision = "goal_unrealistic"
        reasons.append(
            f"The aimline needs {_fmt(abs(line.slope))}/week, more than {ratio} x typical "
            f"growth {_fmt(abs(typ))} ({typ_source}): review whether the goal is attainable."
        )
    if baseline == 0 and not series.zero_start_confirmed:
        decision = "check_start_score"
        reasons.append(
            "The start score is 0; zero default start scores distort graphs. Confirm it "
            "(zero_start_confirmed) or record the real start score [S51]."
        )
    return line, Recommendation(
        rule="R3",
        decision=decision,
        reasons=reasons,
        evidence={
            "baseline": baseline,
            "baseline_date": start.isoformat(),
            "goal": goal,
            "goal_date": goal_date.isoformat(),
            "aimline_slope": round(line.slope, 4),
            "typical_roi": typ,
            "goal_benchmark": bench.value,
            "goal_benchmark_source": bench.source,
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )


def phase_points(series: Series, p: Params, start: date) -> tuple[date, tuple]:
    """(phase start, monitoring points in the current phase after the baseline)."""
    _, _, skip = baseline_of(series, p)
    points = series.points[skip:]
    phase_start = start
    if series.phases and series.phases[-1].date > start:
        phase_start = series.phases[-1].date
        points = tuple(pt for pt in points if pt.date >= phase_start)
    else:
        points = tuple(pt for pt in points if pt.date > start)
    return phase_start, points
