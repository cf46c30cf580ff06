"""MTSS decision rules R1-R10 and R13 as pure functions.

Each rule returns a `Recommendation`: a decision for the team (never an automatic
action), plain-language reasons, the evidence it read, the parameter values it
used and their citations, and whether the data were sufficient. Rule numbers
follow the project's MTSS research note (docs/mtss.md lists each with sources).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from .models import Enrolment, MtssRecord, Screening, Series, Session, as_tuple
from .params import Params

INSUFFICIENT = "insufficient_data"
READING_SKILLS = (
    "reading",
    "phonemic_awareness",
    "phonics",
    "decoding",
    "fluency",
    "vocabulary",
    "comprehension",
    "early_literacy",
)
MATH_SKILLS = ("math", "math_facts", "computation", "number_sense", "problem_solving")
#: Oral-reading measures the Fuchs et al. growth norms apply to.
ORF_MEASURES = ("orf", "wcpm", "wrc", "cbm_reading", "oral_reading_fluency")


@attrs.frozen(kw_only=True)
class Recommendation:
    """One rule's recommendation for the team."""

    rule: str
    decision: str
    reasons: tuple[str, ...] = attrs.field(converter=as_tuple)
    evidence: dict[str, Any] = attrs.field(factory=dict, hash=False)
    parameters: dict[str, Any] = attrs.field(factory=dict, hash=False)
    citation: str = ""
    sufficient: bool = True
    subject: str | None = None

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _insufficient(rule, reasons, p: Params, names, evidence=None, subject=None, citation=None):
    return Recommendation(
        rule=rule,
        decision=INSUFFICIENT,
        reasons=reasons,
        evidence=evidence or {},
        parameters=p.used(*names),
        citation=citation or p.cite(*names),
        sufficient=False,
        subject=subject,
    )


def _weeks(a: date, b: date) -> float:
    return (b - a).days / 7.0


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


# --- R1 screening band ---------------------------------------------------------------

BANDS = ("urgent", "intervention", "on_watch", "at_benchmark")


def screening_band(s: Screening, p: Params) -> Recommendation:
    """R1: map a screening result to a risk band and a suggested starting tier."""
    names = (
        "screening.urgent_below_pr",
        "screening.intervention_below_pr",
        "screening.on_watch_below_pr",
        *(f"screening.tier.{b}" for b in BANDS),
    )
    evidence = {
        "date": s.date.isoformat(),
        "window": s.window,
        "instrument": s.instrument,
        "skill_area": s.skill_area,
        "percentile": s.percentile,
        "category": s.category,
    }
    if s.category is not None and s.percentile is None:
        if s.category not in BANDS:
            return _insufficient(
                "R1",
                (
                    f'The vendor category "{s.category}" is not one of {", ".join(BANDS)}; '
                    "record the percentile rank or map the category.",
                ),
                p,
                names,
                evidence,
                s.skill_area,
            )
        band, how = s.category, f'vendor category "{s.category}" used as given'
    else:
        pr = s.percentile
        cuts = [
            ("urgent", p.v("screening.urgent_below_pr")),
            ("intervention", p.v("screening.intervention_below_pr")),
            ("on_watch", p.v("screening.on_watch_below_pr")),
        ]
        band = next((b for b, cut in cuts if pr < cut), "at_benchmark")
        cut_text = {b: c for b, c in cuts}
        if band == "at_benchmark":
            how = f"percentile {_fmt(pr)} is at or above {_fmt(cut_text['on_watch'])}"
        else:
            how = f"percentile {_fmt(pr)} is below {_fmt(cut_text[band])}"
    tier = p.v(f"screening.tier.{band}")
    reasons = (
        f"{s.window.title()} {s.instrument} ({s.skill_area}): {how}, band {band}.",
        f"Suggested starting tier {tier}; confirm with other data before placing (one "
        "screening score should not be the only entry criterion).",
    )
    return Recommendation(
        rule="R1",
        decision=band,
        reasons=reasons,
        evidence={**evidence, "suggested_tier": tier, "needs_triangulation": True},
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=s.skill_area,
    )


# --- R2 tier entry -----------------------------------------------------------------


def skill_family(skill: str) -> str | None:
    if skill in READING_SKILLS:
        return "reading"
    if skill in MATH_SKILLS:
        return "math"
    return None


def tier_entry(
    rec: MtssRecord, skill_area: str, p: Params, screening: Screening | None = None
) -> Recommendation:
    """R2: nominate for Tier 2 (k of n data sources) or Tier 3 (prior cycles / urgent gap)."""
    family = skill_family(skill_area)
    names = (f"tier_entry.min_met.{family}", "tier_entry.tier3_after_tier2_cycles")
    if skill_area in rec.student.iep_skills:
        return Recommendation(
            rule="R2",
            decision="excluded_iep",
            reasons=(
                f"{skill_area} is already served by specially designed instruction in the "
                "IEP; avoid serving the same skill twice.",
            ),
            evidence={"iep_skills": list(rec.student.iep_skills)},
            parameters=p.used(),
            citation="Tier 2/3 entrance criteria quick reference [S7]",
            subject=skill_area,
        )
    if family is None:
        return _insufficient(
            "R2",
            (f'No tier-entry rule for skill area "{skill_area}" (reading or math families).',),
            p,
            (),
            subject=skill_area,
        )
    failed_t2 = [
        e
        for e in rec.enrolments
        if e.tier == 2 and e.skill_area == skill_area and e.outcome == "not_responded"
    ]
    needed_cycles = p.v("tier_entry.tier3_after_tier2_cycles")
    if len(failed_t2) >= needed_cycles:
        return Recommendation(
            rule="R2",
            decision="nominate_tier3",
            reasons=(
                f"{len(failed_t2)} Tier 2 cycle(s) in {skill_area} ended without response "
                f"(threshold {needed_cycles}): consider Tier 3.",
            ),
            evidence={"tier2_cycles_without_response": [e.program for e in failed_t2]},
            parameters=p.used(*names),
            citation=p.cite(*names),
            subject=skill_area,
        )
    indicators = [i for i in rec.indicators if i.skill_area == skill_area]
    latest = screening or rec.latest_screening(skill_area)
    if not indicators:
        return _insufficient(
            "R2",
            (
                f"No tier-entry data sources recorded for {skill_area}; add indicators "
                "(screening, report card, teacher observation...) to triangulate.",
            ),
            p,
            names,
            subject=skill_area,
        )
    met = [i.name for i in indicators if i.met]
    k = p.v(f"tier_entry.min_met.{family}")
    band = screening_band(latest, p).decision if latest else None
    evidence = {
        "met": met,
        "not_met": [i.name for i in indicators if not i.met],
        "of": len(indicators),
        "screening_band": band,
    }
    if band == "urgent" and len(met) >= k:
        decision = "nominate_tier3"
        why = "urgent screening band with corroborating data: the exception for students far below grade level allows Tier 3 without two Tier 2 cycles."
    elif len(met) >= k:
        decision, why = (
            "nominate_tier2",
            f"{len(met)} of {len(indicators)} data sources show need (needs {k}).",
        )
    else:
        decision, why = (
            "not_nominated",
            f"only {len(met)} of {len(indicators)} data sources show need (needs {k}).",
        )
    return Recommendation(
        rule="R2",
        decision=decision,
        reasons=(f"{skill_area}: {why}", f"Met: {', '.join(met) or 'none'}."),
        evidence=evidence,
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=skill_area,
    )


def bottom_of_grade(
    records: dict[str, MtssRecord],
    window: str | None,
    p: Params,
    as_of: date | None = None,
) -> dict[str, str]:
    """R2: students in the lowest share of their grade on each screener (then triangulate) [S7].

    Each skill area is ranked on its own (a student low in math and fine in reading is
    flagged for math). Students tied with the last one inside the share are flagged too: a
    tie cannot put one of them below the other.
    """
    share = p.v("tier_entry.bottom_fraction")
    by_grade: dict[tuple[int, str], list[tuple[float, str]]] = {}
    for sid, rec in records.items():
        latest: dict[str, Screening] = {}
        for s in rec.screenings:
            if window in (None, s.window) and s.percentile is not None:
                if as_of is None or s.date <= as_of:
                    latest[s.skill_area] = s  # screenings are kept in date order
        for skill, s in latest.items():
            assert s.percentile is not None  # only screenings with a percentile were kept
            by_grade.setdefault((rec.student.grade, skill), []).append((s.percentile, sid))
    out: dict[str, str] = {}
    for (grade, skill), items in sorted(by_grade.items()):
        items.sort()
        k = int(len(items) * share)
        if k == 0:
            continue
        cut = items[k - 1][0]
        chosen = [(pr, sid) for pr, sid in items if pr <= cut]
        for pr, sid in chosen:
            tie = f", tied at the cut ({len(chosen)} flagged)" if len(chosen) > k else ""
            text = (
                f"lowest {share:.0%} of grade {grade} in {skill} ({k} of {len(items)}{tie}, "
                f"PR {pr:g}): triangulate before placing"
            )
            out[sid] = f"{out[sid]}; {text}" if sid in out else text
    return out


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


def aimline_for(series: Series, grade: int, p: Params) -> tuple[Aimline | None, Recommendation]:
    """R3: baseline, goal and aimline, with the unrealistic-goal and zero-start guards."""
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
    if goal is None and method == "benchmark" and series.benchmark is not None:
        goal = series.benchmark
        reasons.append(
            f"Goal {_fmt(goal)} = the grade-level benchmark recorded on the series "
            "(benchmark method, easyCBM/FastBridge [S47][S48])."
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


def ols(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) by ordinary least squares."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def tukey(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) by Tukey's three-group method: medians of the outer thirds."""
    n = len(xs)
    third, extra = divmod(n, 3)
    # One extra point goes to the middle group; two extras go to the outer groups.
    outer = third + (1 if extra == 2 else 0)
    first = list(zip(xs[:outer], ys[:outer], strict=True))
    last = list(zip(xs[n - outer :], ys[n - outer :], strict=True))
    x1, y1 = statistics.median(x for x, _ in first), statistics.median(y for _, y in first)
    x3, y3 = statistics.median(x for x, _ in last), statistics.median(y for _, y in last)
    if x3 == x1:
        return 0.0, y1
    slope = (y3 - y1) / (x3 - x1)
    # Drawn through the first group's median point, as the training materials join the
    # two outer median points.
    return slope, y1 - slope * x1


def fit(points, origin: date, method: str) -> tuple[float, float]:
    xs = [_weeks(origin, pt.date) for pt in points]
    ys = [float(pt.score) for pt in points]
    return (tukey if method == "tukey" else ols)(xs, ys)


def trend(series: Series, line: Aimline, p: Params) -> Recommendation:
    """R5: trend slope against the aimline slope, with a projection to the goal date."""
    names = (
        "trend.method",
        "trend.min_points",
        "trend.recommended_points",
        "trend.slope_tolerance",
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
    b, a = fit(points, start, method)
    g = line.slope
    d = series.direction * (b - g)
    tol = p.v("trend.slope_tolerance")
    projected = a + b * _weeks(start, line.goal_date)
    on_track = series.direction * (projected - line.goal) >= 0
    if d < -tol:
        status, decision = "below_target", "change_instruction"
    elif d > tol:
        status, decision = "above_target", "raise_goal"
    else:
        status, decision = "near_target", "continue"
    reasons = [
        f"Trend ({method}) {_fmt(round(b, 2))}/week vs aimline {_fmt(round(g, 2))}/week: "
        f"{status.replace('_', ' ')} (tolerance {tol}).",
        f"Projected {_fmt(round(projected, 1))} on {line.goal_date} against goal {_fmt(line.goal)}: "
        + ("on track." if on_track else "not on track."),
    ]
    first_x, last_x = points[0].date, points[-1].date
    level_concern = status == "near_target" and all(
        series.direction * ((a + b * _weeks(start, x)) - line.at(x)) < 0 for x in (first_x, last_x)
    )
    if level_concern:
        reasons.append(
            "The trend runs parallel to but below the aimline: growth is on pace, level is not."
        )
    recommended = p.v("trend.recommended_points")
    min_weeks = p.v("monitoring.low_confidence_weeks", None)
    weeks = _weeks(start, points[-1].date)
    short = len(points) < recommended or (min_weeks is not None and weeks < min_weeks)
    confidence = "low" if short and status == "near_target" else "ok"
    if confidence == "low":
        reasons.append(
            f"Low confidence: {len(points)} points over {_fmt(round(weeks, 1))} weeks; a close "
            f"call needs {recommended} points and {min_weeks} weeks."
        )
    return Recommendation(
        rule="R5",
        decision=decision,
        reasons=reasons,
        evidence={
            "method": method,
            "trend_slope": round(b, 4),
            "trend_intercept": round(a, 4),
            "trend_origin": start.isoformat(),
            "aimline_slope": round(g, 4),
            "status": status,
            "projected_at_goal_date": round(projected, 2),
            "on_track": on_track,
            "level_concern": level_concern,
            "confidence": confidence,
            "points_in_phase": len(points),
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=series.id,
    )


# --- R6 rate of improvement and gap --------------------------------------------------


def rate_of_improvement(
    series: Series, grade: int, line: Aimline | None, p: Params
) -> Recommendation:
    """R6: simple and OLS rate of improvement, rate needed, gap ratio, weeks to close."""
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
    if series.benchmark is not None and series.direction == 1 and current > 0:
        gap = series.benchmark / current
        ev["gap_ratio"] = round(gap, 3)
        sig = p.v("gap.significant_ratio")
        ev["gap_significant"] = gap > sig
        reasons.append(
            f"Gap: benchmark {_fmt(series.benchmark)} / current {_fmt(current)} = {_fmt(round(gap, 2))}"
            + (f", above {sig}: significant gap." if gap > sig else ".")
        )
        if gap > sig:
            decision = "significant_gap"
    elif series.benchmark is not None and series.direction == -1:
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


# --- R10 fidelity and R13 minutes ----------------------------------------------------


def _sessions_for(rec: MtssRecord, enrolment: Enrolment) -> list[Session]:
    out = []
    for s in rec.sessions:
        if s.date < enrolment.start or (enrolment.end and s.date > enrolment.end):
            continue
        if enrolment.group and s.group not in (None, enrolment.group):
            continue
        if not enrolment.group and s.program not in (None, enrolment.program):
            continue
        if s.service is not None:
            continue
        out.append(s)
    return out


def _logged(rec: MtssRecord, enrolment: Enrolment, as_of: date) -> list[Session]:
    """The enrolment's session logs that count against its plan as of a date.

    With a weekly schedule the plan covers full weeks only, so logs from a week that has
    not ended yet wait until it has (otherwise they inflate the delivered share).
    """
    logs = [s for s in _sessions_for(rec, enrolment) if s.date <= as_of]
    if enrolment.sessions_per_week and enrolment.minutes_per_session:
        end = min(as_of, enrolment.end) if enrolment.end else as_of
        weeks = max(0, (end - enrolment.start).days + 1) // 7
        cutoff = date.fromordinal(enrolment.start.toordinal() + 7 * weeks)
        logs = [s for s in logs if s.date < cutoff]
    return logs


def _planned(enrolment: Enrolment, logged: list[Session], as_of: date) -> tuple[int, int, str]:
    end = min(as_of, enrolment.end) if enrolment.end else as_of
    if enrolment.sessions_per_week and enrolment.minutes_per_session:
        weeks = max(0, (end - enrolment.start).days + 1) // 7
        # Days the school was closed (breaks, snow days) were never deliverable.
        closed = [x for x in logged if x.status == "school_closed" and not x.makeup]
        n = max(0, enrolment.sessions_per_week * weeks - len(closed))
        minutes = max(0, n * enrolment.minutes_per_session)
        return (
            n,
            minutes,
            f"{enrolment.sessions_per_week}/week x {weeks} full weeks"
            + (f" less {len(closed)} school-closed" if closed else ""),
        )

    regular = [s for s in logged if not s.makeup and s.status != "school_closed"]
    return len(regular), sum(s.planned_minutes for s in regular), "sessions logged"


def fidelity(rec: MtssRecord, enrolment: Enrolment, as_of: date, p: Params) -> Recommendation:
    """R10: sessions and minutes delivered against planned; below the threshold is a fidelity issue."""
    names = ("fidelity.min_share",)
    logged = _logged(rec, enrolment, as_of)
    n_planned, m_planned, basis = _planned(enrolment, logged, as_of)
    subject = enrolment.group or enrolment.program
    if n_planned == 0 or m_planned == 0:
        return _insufficient(
            "R10",
            (f"No planned sessions for {subject} yet (no schedule and no session logs).",),
            p,
            names,
            subject=subject,
        )
    delivered = [s for s in logged if s.status == "delivered"]
    share_s = len(delivered) / n_planned
    share_m = sum(s.minutes for s in delivered) / m_planned
    low = min(share_s, share_m)
    threshold = p.v("fidelity.min_share")
    ok = low >= threshold
    return Recommendation(
        rule="R10",
        decision="fidelity_ok" if ok else "fidelity_issue",
        reasons=(
            f"{subject}: {len(delivered)} of {n_planned} planned sessions ({share_s:.0%}) and "
            f"{sum(s.minutes for s in delivered)} of {m_planned} planned minutes ({share_m:.0%}) delivered ({basis}).",
            "At or above the fidelity threshold."
            if ok
            else f"Below {threshold:.0%}: check delivery before calling this non-response.",
        ),
        evidence={
            "program": enrolment.program,
            "group": enrolment.group,
            "sessions_planned": n_planned,
            "sessions_delivered": len(delivered),
            "minutes_planned": m_planned,
            "minutes_delivered": sum(s.minutes for s in delivered),
            "session_share": round(share_s, 4),
            "minute_share": round(share_m, 4),
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=subject,
    )


def reconcile(
    subject: str,
    planned: int,
    logs: Iterable[Session],
    p: Params,
    basis: str = "",
) -> Recommendation:
    """R13: planned, delivered, missed by reason, unaccounted and make-up minutes owed."""
    names = ("minutes.makeup_reasons", "minutes.alert_share")
    logs = list(logs)
    if planned == 0 and not logs:
        return _insufficient(
            "R13",
            (
                f"{subject}: no schedule (sessions and minutes per week) and no session logs: "
                "nothing to reconcile. Record the dosage or import the session logs.",
            ),
            p,
            names,
            subject=subject,
        )
    delivered = sum(s.minutes for s in logs if s.status == "delivered" and not s.makeup)
    makeup = sum(s.minutes for s in logs if s.status == "delivered" and s.makeup)
    missed: dict[str, int] = {}
    for s in logs:
        if s.status != "delivered":
            missed[s.status] = missed.get(s.status, 0) + s.planned_minutes
        elif s.minutes < s.planned_minutes and not s.makeup:
            missed["short_session"] = missed.get("short_session", 0) + s.planned_minutes - s.minutes
    accounted = delivered + sum(missed.values())
    unaccounted = max(0, planned - accounted)
    owed_reasons = set(p.v("minutes.makeup_reasons"))
    owed = max(0, sum(m for r, m in missed.items() if r in owed_reasons) - makeup)
    remaining = max(0, planned - delivered - makeup)
    alert = p.v("minutes.alert_share", None)
    reasons = [
        f"{subject}: planned {planned} min ({basis}), delivered {delivered} min"
        + (f" plus {makeup} make-up" if makeup else "")
        + f", missed {sum(missed.values())} min, unaccounted {unaccounted} min.",
    ]
    if missed:
        reasons.append(
            "Missed by reason: " + ", ".join(f"{r} {m}" for r, m in sorted(missed.items())) + "."
        )
    if owed:
        reasons.append(f"Make-up owed: {owed} min lost to school- or provider-caused reasons.")
    if unaccounted:
        reasons.append("Some scheduled minutes have no log: a documentation gap.")
    if alert is None:
        reasons.append("No delivered-share alert threshold configured (minutes.alert_share).")
    decision = "makeup_owed" if owed else "documentation_gap" if unaccounted else "reconciled"
    if alert is not None and planned and (delivered + makeup) / planned < alert:
        decision = "below_alert_share"
    return Recommendation(
        rule="R13",
        decision=decision,
        reasons=reasons,
        evidence={
            "planned": planned,
            "delivered": delivered,
            "makeup_delivered": makeup,
            "missed_by_reason": missed,
            "unaccounted": unaccounted,
            "remaining": remaining,
            "makeup_owed": owed,
        },
        parameters=p.used(*names),
        citation=p.cite("minutes.makeup_reasons")
        + "; SameGoal IEP Service Fidelity report fields [S83]",
        subject=subject,
    )


def reconcile_enrolment(rec: MtssRecord, e: Enrolment, as_of: date, p: Params) -> Recommendation:
    logs = _logged(rec, e, as_of)
    _, minutes, basis = _planned(e, logs, as_of)
    if e.sessions_per_week and e.minutes_per_session:
        # Reconcile against the full schedule: closed days show as missed (never owed).
        minutes += sum(x.planned_minutes for x in logs if x.status == "school_closed")
    return reconcile(e.group or e.program, minutes, logs, p, basis)


# --- R9 data sufficiency and monitoring interval -------------------------------------


def series_tier(rec: MtssRecord, series: Series, as_of: date) -> int | None:
    if series.tier is not None:
        return series.tier
    open_ = [
        e
        for e in rec.enrolments
        if (series.program in (None, e.program))
        and e.skill_area == series.skill_area
        and e.start <= as_of
        and (e.end is None or e.end >= as_of)
    ]
    return max((e.tier for e in open_), default=None)


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


# --- R8 movement -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SeriesReport:
    """Every rule's recommendation for one series, and R8's combined recommendation."""

    series: Series
    aimline: Aimline | None
    r3: Recommendation
    r4: Recommendation | None
    r5: Recommendation | None
    r6: Recommendation
    r7: Recommendation | None
    r9: Recommendation
    r10: tuple[Recommendation, ...]
    decision: Recommendation

    @property
    def all(self) -> tuple[Recommendation, ...]:
        return tuple(
            r
            for r in (
                self.r3,
                self.r4,
                self.r5,
                self.r6,
                self.r7,
                self.r9,
                *self.r10,
                self.decision,
            )
            if r is not None
        )


def _consecutive_at_benchmark(series: Series) -> int:
    if series.benchmark is None:
        return 0
    n = 0
    for pt in reversed(series.points):
        if series.direction * (pt.score - series.benchmark) >= 0:
            n += 1
        else:
            break
    return n


def movement(
    rec: MtssRecord,
    series: Series,
    as_of: date,
    p: Params,
    *,
    r4: Recommendation | None,
    r5: Recommendation | None,
    r7: Recommendation | None,
    r10: tuple[Recommendation, ...],
    line: Aimline | None,
) -> Recommendation:
    """R8: exit, maintain, change within tier, escalate to Tier 3, or consider referral."""
    names = (
        "movement.exit_consecutive_at_benchmark",
        "movement.no_improvement_points",
        "movement.tier3_cycle_weeks",
        "tier_entry.tier3_after_tier2_cycles",
        "fidelity.min_share",
    )
    tier = series_tier(rec, series, as_of)
    at_bench = _consecutive_at_benchmark(series)
    exit_n = p.v("movement.exit_consecutive_at_benchmark")
    ev: dict[str, Any] = {
        "tier": tier,
        "r4": r4.decision if r4 else None,
        "r5": r5.decision if r5 else None,
        "r7": r7.decision if r7 else None,
        "fidelity": [r.decision for r in r10],
        "consecutive_at_benchmark": at_bench,
    }

    def out(decision, *reasons):
        return Recommendation(
            rule="R8",
            decision=decision,
            reasons=(*reasons, "A recommendation for the team to decide, not an action."),
            evidence=ev,
            parameters=p.used(*names),
            citation=p.cite(*names),
            sufficient=decision != INSUFFICIENT,
            subject=series.id,
        )

    if at_bench >= exit_n:
        return out(
            "exit",
            f"{at_bench} consecutive points at or above benchmark {_fmt(series.benchmark)} (needs {exit_n}): consider stepping down.",
        )
    signals = [r for r in (r4, r5) if r is not None and r.sufficient]
    change = any(r.decision == "change_instruction" for r in signals)
    raise_ = any(r.decision == "raise_goal" for r in signals)
    dual = r7 is not None and r7.decision == "dual_discrepancy"
    fidelity_bad = [r for r in r10 if r.decision == "fidelity_issue"]
    if (change or dual) and fidelity_bad:
        return out(
            "fidelity_issue",
            "The data point to non-response, but the intervention was not delivered as planned: "
            + " ".join(r.reasons[0] for r in fidelity_bad),
            "Fix delivery (attendance, minutes) and keep monitoring before changing the plan.",
        )
    if not signals and not dual:
        n_flat = p.v("movement.no_improvement_points")
        _, phase = phase_points(series, p, line.start) if line else (None, series.points)
        last = phase[-n_flat:]
        if len(last) == n_flat and all(
            series.direction * (pt.score - last[0].score) <= 0 for pt in last[1:]
        ):
            if fidelity_bad:
                return out(
                    "fidelity_issue",
                    f"The last {n_flat} points show no improvement, but the intervention was not "
                    "delivered as planned: " + " ".join(r.reasons[0] for r in fidelity_bad),
                    "Fix delivery (attendance, minutes) and keep monitoring before changing the plan.",
                )
            return out(
                "change_within_tier",
                f"The last {n_flat} points show no improvement over {last[0].score:g} "
                f"(too early for the four-point and trend rules): consider changing the "
                "intervention within the tier, then re-evaluate after 3-4 more points.",
            )
        return out(
            INSUFFICIENT, "Not enough data in this phase for a decision; keep monitoring weekly."
        )
    failed_t2 = sum(
        1
        for e in rec.enrolments
        if e.tier == 2
        and e.skill_area == series.skill_area
        and e.outcome == "not_responded"
        and (e.end is None or e.end <= as_of)  # a cycle's outcome is known when it ends
    )
    ev["tier2_cycles_without_response"] = failed_t2
    if tier == 3 and dual:
        adaptations = [ph for ph in series.phases if ph.adaptation]
        cycle = p.v("movement.tier3_cycle_weeks")
        since = (
            _weeks(adaptations[-1].date, series.points[-1].date)
            if adaptations and series.points
            else 0
        )
        ev["adaptations"] = len(adaptations)
        if adaptations and since >= cycle:
            return out(
                "consider_referral",
                f"Dual discrepancy persists {_fmt(round(since, 1))} weeks after a data-driven adaptation in Tier 3 "
                f"(cycle {cycle} weeks): consider a referral for a special-education evaluation.",
                "Share the progress data with the family; a parent may request an evaluation at any time.",
            )
        return out(
            "adapt_tier3",
            "Dual discrepancy in Tier 3"
            + (
                f", {_fmt(round(since, 1))} weeks since the last adaptation (cycle {cycle})"
                if adaptations
                else " with no data-driven adaptation yet"
            )
            + ": adapt the intervention using diagnostic data and keep monitoring.",
        )
    if tier == 2 and (dual or failed_t2 >= p.v("tier_entry.tier3_after_tier2_cycles")):
        why = (
            "dual discrepancy (level and growth both low)"
            if dual
            else f"{failed_t2} Tier 2 cycles without response"
        )
        return out(
            "escalate_tier3", f"Tier 2 with {why}: consider Tier 3 (intensified, individualized)."
        )
    if dual:
        return out(
            "escalate_tier3",
            "Dual discrepancy (level and growth both low) "
            + (f"in Tier {tier}" if tier else "with no tier recorded for this series")
            + ": intensify (Tier 3 / data-based individualization).",
        )
    if change:
        return out(
            "change_within_tier",
            "Decision rules signal change: "
            + " ".join(r.reasons[0] for r in signals if r.decision == "change_instruction"),
            "Re-evaluate after 3-4 more points.",
        )
    if raise_:
        return out(
            "raise_goal",
            "Decision rules signal growth above the aimline: "
            + " ".join(r.reasons[0] for r in signals if r.decision == "raise_goal"),
        )
    return out(
        "maintain", "Progress near the aimline: continue the intervention and keep monitoring."
    )


def _as_of(series: Series, as_of: date) -> Series:
    """The series as it stood on a date: later points and phase changes did not exist yet."""
    if (series.points and series.points[-1].date > as_of) or (
        series.phases and series.phases[-1].date > as_of
    ):
        series = attrs.evolve(
            series,
            points=tuple(pt for pt in series.points if pt.date <= as_of),
            phases=tuple(ph for ph in series.phases if ph.date <= as_of),
        )
    return series


REFERRAL_CITATION = (
    "34 CFR 300.301(b); 300.111; OSEP Memo 11-07 (RTI cannot delay or deny an evaluation)"
)


def refer_now(decision: Recommendation, request: tuple[str, date, date | None]) -> Recommendation:
    """R8 ALWAYS: a parent's request or a suspected disability starts the consent request now.

    The progress-data recommendation stays in the reasons (the intervention goes on alongside
    the evaluation), but it never delays or replaces the referral.
    """
    who, when, consent = request
    state = (
        f"Consent for the initial evaluation was given on {consent}: the Part B evaluation "
        "is running; keep intervening and monitoring alongside it."
        if consent
        else "Request parental consent for a Part B initial evaluation now; the intervention "
        "status never delays or denies it. Send the RTI evidence packet."
    )
    return attrs.evolve(
        decision,
        decision="refer_for_evaluation",
        reasons=(
            f"{who} on {when}. {state}",
            f"The progress data alone suggest: {decision.decision.replace('_', ' ')} - "
            + decision.reasons[0],
            "A recommendation for the team to decide, not an action.",
        ),
        evidence={
            **decision.evidence,
            "evaluation_requested": when.isoformat(),
            "consent": consent.isoformat() if consent else None,
            "data_decision": decision.decision,
        },
        citation=f"{REFERRAL_CITATION}; {decision.citation}",
        sufficient=True,
    )


def evaluate_series(
    rec: MtssRecord,
    series: Series,
    as_of: date,
    p: Params,
    *,
    request: tuple[str, date, date | None] | None = None,
    calendar=None,
) -> SeriesReport:
    """Run R3-R10 for one series as of a date (points after as_of are ignored).

    `request` is (who, date, consent date or None) when a parent requested an evaluation or
    staff suspect a disability: R8 then recommends the referral at once (34 CFR 300.301(b)).
    """
    series = _as_of(series, as_of)
    grade = rec.student.grade
    line, r3 = aimline_for(series, grade, p)
    r4 = four_point(series, line, p) if line else None
    r5 = trend(series, line, p) if line else None
    r6 = rate_of_improvement(series, grade, line, p)
    r7 = dual_discrepancy(series, line, p) if line else None
    r9 = monitoring(rec, series, as_of, p, calendar)
    related = [
        e
        for e in rec.enrolments
        if e.skill_area == series.skill_area
        and series.program in (None, e.program)
        and e.start <= as_of
    ]
    r10 = tuple(fidelity(rec, e, as_of, p) for e in related)
    decision = movement(rec, series, as_of, p, r4=r4, r5=r5, r7=r7, r10=r10, line=line)
    if request is not None:
        decision = refer_now(decision, request)
    return SeriesReport(
        series=series,
        aimline=line,
        r3=r3,
        r4=r4,
        r5=r5,
        r6=r6,
        r7=r7,
        r9=r9,
        r10=r10,
        decision=decision,
    )
