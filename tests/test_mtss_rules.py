"""MTSS rules R1-R10 and R13: worked examples from the research note's sources, and invariants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import series, weekly
from hypothesis import given
from hypothesis import strategies as st

from eirules.plugins.mtss import rules
from eirules.plugins.mtss.models import (
    Enrolment,
    MtssRecord,
    Phase,
    Point,
    Screening,
    Series,
    Session,
    Student,
)
from eirules.plugins.mtss.params import params_for

D = date
AS_OF = D(2025, 11, 12)


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), AS_OF)


def record(*, grade=2, series_=(), enrolments=(), sessions=(), screenings=(), indicators=()):
    return MtssRecord(
        student=Student(grade=grade, school="Elm"),
        series=series_,
        enrolments=enrolments,
        sessions=sessions,
        screenings=screenings,
        indicators=indicators,
    )


def line_of(s, p, grade=2):
    line, _ = rules.aimline_for(s, grade, p)
    return line


# --- R1 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pr, band, tier",
    [
        (9, "urgent", 3),
        (10, "intervention", 2),  # Star: urgent is below 10, so 10 itself is "intervention"
        (24, "intervention", 2),
        (25, "on_watch", 1),
        (39, "on_watch", 1),
        (40, "at_benchmark", 1),  # Star: at/above benchmark is PR 40 or more
        (99, "at_benchmark", 1),
    ],
)
def test_r1_star_default_bands_and_suggested_tier(p, pr, band, tier):
    """R1 with Star US defaults [S1]: <10 urgent, <25 intervention, <40 on watch, >=40 at benchmark."""
    s = Screening(
        date=D(2025, 9, 8), window="fall", instrument="Star", skill_area="reading", percentile=pr
    )
    r = rules.screening_band(s, p)
    assert (r.decision, r.evidence["suggested_tier"]) == (band, tier)
    assert r.evidence["needs_triangulation"] is True


def test_r1_vendor_category_is_used_directly_and_unknown_category_is_insufficient(p):
    known = Screening(
        date=D(2025, 9, 8), window="fall", instrument="X", skill_area="reading", category="urgent"
    )
    unknown = Screening(
        date=D(2025, 9, 8), window="fall", instrument="X", skill_area="reading", category="red"
    )
    assert rules.screening_band(known, p).decision == "urgent"
    r = rules.screening_band(unknown, p)
    assert r.decision == rules.INSUFFICIENT and not r.sufficient


# --- R2 ---------------------------------------------------------------------------


def _indicators(n_met, n):
    from eirules.plugins.mtss.models import Indicator

    return tuple(
        Indicator(name=f"i{k}", skill_area="reading", met=k < n_met, date=D(2025, 9, 10))
        for k in range(n)
    )


def test_r2_reading_needs_four_of_eight_sources_for_tier2(p):
    """R2 [S8]: nominate for Tier 2 when 4 of 8 reading indicators show need."""
    assert rules.tier_entry(record(indicators=_indicators(4, 8)), "reading", p).decision == (
        "nominate_tier2"
    )
    assert rules.tier_entry(record(indicators=_indicators(3, 8)), "reading", p).decision == (
        "not_nominated"
    )


def test_r2_two_tier2_cycles_without_response_nominate_tier3(p):
    """R2 [S8]: two unsuccessful Tier 2 interventions lead to Tier 3 consideration."""
    failed = tuple(
        Enrolment(
            program=f"P{k}",
            tier=2,
            skill_area="reading",
            start=D(2025, 1, 6 + k),
            outcome="not_responded",
        )
        for k in range(2)
    )
    assert rules.tier_entry(record(enrolments=failed), "reading", p).decision == "nominate_tier3"


def test_r2_skill_served_by_iep_is_excluded(p):
    rec = MtssRecord(student=Student(grade=2, school="Elm", iep_skills=("reading",)))
    assert rules.tier_entry(rec, "reading", p).decision == "excluded_iep"


# --- R3 ---------------------------------------------------------------------------


def test_r3_baseline_is_median_of_first_three_probes_and_norm_goal(p):
    """R3: baseline = median of 3 probes [S44]; grade 2 ambitious growth 2.0 words/week [S49]."""
    s = Series(
        id="x",
        measure="orf",
        skill_area="fluency",
        goal_date=D(2025, 11, 24),
        points=weekly(D(2025, 9, 1), [30, 34, 31]),
    )
    line, r = rules.aimline_for(s, 2, p)
    assert line.baseline == 31 and line.start == D(2025, 9, 15)
    assert line.goal == pytest.approx(31 + 2.0 * 10)
    assert r.decision == "aimline_set"


def test_r3_guard_warns_when_aimline_needs_more_than_twice_typical_growth(p):
    """R3 guard [S50]: aimline slope above 2 x typical peer ROI is flagged as unrealistic."""
    s = series([], typical_roi=0.5)  # aimline 1.5/week > 2 x 0.5
    assert rules.aimline_for(s, 2, p)[1].decision == "goal_unrealistic"
    assert rules.aimline_for(series([], typical_roi=1.0), 2, p)[1].decision == "aimline_set"


def test_r3_zero_start_score_needs_confirmation(p):
    """R3 guard [S51]: zero default start scores corrupt graphs."""
    assert rules.aimline_for(series([], baseline=0.0), 2, p)[1].decision == "check_start_score"
    confirmed = series([], baseline=0.0, goal=30.0, zero_start_confirmed=True)
    assert rules.aimline_for(confirmed, 2, p)[1].decision == "aimline_set"


# --- R4 ---------------------------------------------------------------------------

FLAT = [41, 43, 42, 41, 42, 43]


def test_r4_four_points_below_ascending_aimline_after_six_weeks_change_instruction(p):
    """IRIS four-point method [S54]: 6 weeks, 6 points, last 4 below the goal line -> change."""
    s = series(FLAT)
    r = rules.four_point(s, line_of(s, p), p)
    assert r.decision == "change_instruction"
    assert r.evidence["weeks_in_phase"] == 6.0 and r.evidence["points_in_phase"] == 6


def test_r4_five_weeks_is_insufficient_data(p):
    """[S54][S55]: fewer than 6 weeks or 6 points in the phase: no decision yet."""
    s = series(FLAT[:5])
    r = rules.four_point(s, line_of(s, p), p)
    assert r.decision == rules.INSUFFICIENT and not r.sufficient


def test_r4_four_points_above_raise_goal_and_mixed_continue(p):
    above = series([42, 44, 46, 48, 50, 52])  # aimline 41.5 .. 49 over the same weeks
    mixed = series([41, 43, 45, 47, 50, 48])
    assert rules.four_point(above, line_of(above, p), p).decision == "raise_goal"
    assert rules.four_point(mixed, line_of(mixed, p), p).decision == "continue"


def test_r4_descending_measure_counts_points_above_line_as_worse(p):
    """direction = -1 (lower is better): points above a descending aimline mean change."""
    s = series([78, 77, 79, 78, 77, 78], baseline=80.0, goal=40.0, direction=-1)
    assert rules.four_point(s, line_of(s, p), p).decision == "change_instruction"


@given(
    scores=st.lists(st.integers(min_value=0, max_value=150), min_size=5, max_size=20),
    slope_goal=st.integers(min_value=20, max_value=120),
)
def test_r4_a_point_exactly_on_the_aimline_never_gives_change_instruction(p, scores, slope_goal):
    """Invariant: the newest point lies on the aimline, so 'all last k below' cannot hold."""
    base = series(scores, goal=float(slope_goal))
    line = line_of(base, p)
    nxt = base.points[-1].date + timedelta(weeks=1)
    s = Series(**{**_fields(base), "points": (*base.points, Point(date=nxt, score=line.at(nxt)))})
    assert rules.four_point(s, line, p).decision != "change_instruction"


def _fields(s):
    import attrs

    return {a.name: getattr(s, a.name) for a in attrs.fields(type(s))}


def test_r4_uses_only_the_current_phase(p):
    """A phase change starts a new phase [S19]: earlier points no longer count."""
    s = series(FLAT + [60, 62], phases=(Phase(date=D(2025, 11, 10), label="new program"),))
    r = rules.four_point(s, line_of(s, p), p)
    assert r.decision == rules.INSUFFICIENT and r.evidence["points_in_phase"] == 2


# --- R5 ---------------------------------------------------------------------------


@given(
    slope=st.floats(min_value=-5, max_value=5, allow_nan=False),
    intercept=st.floats(min_value=0, max_value=200, allow_nan=False),
    n=st.integers(min_value=2, max_value=30),
)
def test_ols_and_tukey_slope_of_a_perfect_line_equal_its_slope(slope, intercept, n):
    xs = [float(i) for i in range(n)]
    ys = [intercept + slope * x for x in xs]
    assert rules.ols(xs, ys)[0] == pytest.approx(slope, abs=1e-9)
    if n >= 3:
        assert rules.tukey(xs, ys)[0] == pytest.approx(slope, abs=1e-9)


def test_tukey_three_group_medians_worked_example():
    """Tukey [S62]: 9 points -> groups of 3; medians (1, 12) and (7, 30): slope 3."""
    xs = [0, 1, 2, 3, 4, 5, 6, 7, 8]
    ys = [10, 12, 20, 15, 40, 18, 30, 29, 35]
    assert rules.tukey(xs, ys)[0] == pytest.approx((30 - 12) / (7 - 1))


def test_r5_flat_trend_below_target_change_and_projection(p):
    """R5 [S60][S64]: OLS slope more than 0.5/week under the aimline slope -> change."""
    s = series(FLAT)
    r = rules.trend(s, line_of(s, p), p)
    assert r.decision == "change_instruction" and r.evidence["status"] == "below_target"
    assert r.evidence["on_track"] is False


def test_r5_trend_on_the_aimline_with_six_points_is_not_enough_data_yet(p):
    """R5 [S59][S65]: a trend that cannot be told apart from the aimline after 6 of the 10
    recommended points is "not enough data yet"; with 10 points over 10 weeks, continue."""
    s = series([41.5 + 1.5 * i for i in range(6)])
    r = rules.trend(s, line_of(s, p), p)
    assert r.decision == rules.INSUFFICIENT and r.evidence["trend_slope"] == pytest.approx(1.5)
    assert r.evidence["status"] == "indistinguishable" and r.evidence["confidence"] == "low"
    s = series([41.5 + 1.5 * i for i in range(11)])
    r = rules.trend(s, line_of(s, p), p)
    assert (r.decision, r.evidence["status"]) == ("continue", "near_target")


def test_r5_parallel_but_below_aimline_flags_level_concern(p):
    s = series([31.5 + 1.5 * i for i in range(10)])
    r = rules.trend(s, line_of(s, p), p)
    assert r.evidence["status"] == "near_target" and r.evidence["level_concern"] is True


# --- R6, R7 -----------------------------------------------------------------------


def test_r6_gap_ratio_above_two_is_significant(p):
    """R6 [S50]: benchmark 90 / current 40 = 2.25 > 2.0 -> significant gap."""
    s = series([38, 39, 40], benchmark=90.0)
    r = rules.rate_of_improvement(s, 2, line_of(s, p), p)
    assert r.evidence["gap_ratio"] == 2.25 and r.decision == "significant_gap"
    assert r.evidence["roi_simple"] == pytest.approx(1.0)


def test_r7_level_and_slope_both_low_is_dual_discrepancy(p):
    """R7 [S69]: below benchmark and growing slower than peers at the 25th percentile."""
    pts = [40 + 0.3 * i for i in range(10)]
    low = series(pts, benchmark=70.0, peer_roi=1.0)
    fast = series([40 + 1.2 * i for i in range(10)], benchmark=70.0, peer_roi=1.0)
    assert rules.dual_discrepancy(low, line_of(low, p), p).decision == "dual_discrepancy"
    assert rules.dual_discrepancy(fast, line_of(fast, p), p).decision == "no_dual_discrepancy"
    bare = series(pts)
    r = rules.dual_discrepancy(bare, line_of(bare, p), p)
    assert not r.sufficient and "peer_roi" in r.reason


# --- R8, R10 ----------------------------------------------------------------------


def _sessions(n_weeks, per_week, delivered_every, start=D(2025, 9, 22)):
    out = []
    k = 0
    for w in range(n_weeks):
        for d in range(per_week):
            day = start + timedelta(weeks=w, days=d)
            ok = k % delivered_every != delivered_every - 1
            out.append(
                Session(
                    date=day,
                    status="delivered" if ok else "provider_absent",
                    planned_minutes=30,
                    minutes=30 if ok else 0,
                    group="G1",
                )
            )
            k += 1
    return tuple(out)


def _enrol(tier=2):
    return Enrolment(
        program="PHON",
        tier=tier,
        skill_area="decoding",
        start=D(2025, 9, 22),
        group="G1",
        sessions_per_week=4,
        minutes_per_session=30,
    )


def test_r10_below_80_percent_is_a_fidelity_issue_and_r8_reports_it_not_non_response(p):
    """R10 [S76]: 18 of 28 sessions (64%) delivered -> fidelity issue; R8 says so instead of change."""
    sessions = _sessions(7, 4, delivered_every=3)  # every third session missed
    rec = record(series_=(series(FLAT),), enrolments=(_enrol(),), sessions=sessions)
    r10 = rules.fidelity(rec, _enrol(), D(2025, 11, 9), p)
    assert r10.decision == "fidelity_issue"
    assert (r10.evidence["sessions_planned"], r10.evidence["sessions_delivered"]) == (28, 19)
    rep = rules.evaluate_series(rec, rec.series[0], D(2025, 11, 9), p)
    assert rep.r4.decision == "change_instruction"
    assert rep.decision.decision == "fidelity_issue"


def test_r8_good_fidelity_and_change_signal_gives_change_within_tier(p):
    rec = record(series_=(series(FLAT),), enrolments=(_enrol(),), sessions=_sessions(7, 4, 10**6))
    rep = rules.evaluate_series(rec, rec.series[0], D(2025, 11, 9), p)
    assert rep.decision.decision == "change_within_tier"
    assert "not an action" in rep.decision.reason


def test_r8_six_consecutive_points_at_benchmark_suggest_exit(p):
    """R8 exit [S71]: 6 consecutive points at or above benchmark."""
    s = series([50, 60, 61, 62, 63, 64, 65], benchmark=60.0)
    rep = rules.evaluate_series(record(series_=(s,)), s, AS_OF, p)
    assert rep.decision.decision == "exit"


def test_r8_tier3_dual_discrepancy_after_adaptation_cycle_consider_referral(p):
    """R8 [S34]: in Tier 3, dual discrepancy 6+ weeks after a data-driven adaptation."""
    s = series(
        [40 + 0.2 * i for i in range(14)],
        benchmark=70.0,
        peer_roi=1.0,
        tier=3,
        phases=(Phase(date=D(2025, 10, 27), label="adapted"),),
    )
    rep = rules.evaluate_series(record(series_=(s,)), s, D(2026, 1, 5), p)
    assert rep.decision.decision == "consider_referral"


# --- R9, R13 ----------------------------------------------------------------------


def test_r9_tier2_point_due_fourteen_days_after_the_last_one(p):
    """R9 [S24][S25]: Tier 2 every other week: last point 2025-11-03 -> due 2025-11-17."""
    s = series(FLAT, tier=2)
    rec = record(series_=(s,))
    assert rules.monitoring(rec, s, D(2025, 11, 17), p).decision == "on_schedule"
    late = rules.monitoring(rec, s, D(2025, 11, 18), p)
    assert late.decision == "overdue" and late.evidence["due"] == "2025-11-17"


def test_r13_minutes_missed_by_reason_and_makeup_owed(p):
    """R13 [S83][S86]: provider absence is owed; student absence is not."""
    logs = [
        Session(date=D(2025, 9, 22), status="delivered", planned_minutes=30, minutes=30),
        Session(date=D(2025, 9, 23), status="delivered", planned_minutes=30, minutes=30),
        Session(date=D(2025, 9, 24), status="provider_absent", planned_minutes=30),
        Session(date=D(2025, 9, 25), status="student_absent", planned_minutes=30),
    ]
    r = rules.reconcile("G1", 150, logs, p)
    assert r.evidence["missed_by_reason"] == {"provider_absent": 30, "student_absent": 30}
    assert (r.evidence["unaccounted"], r.evidence["makeup_owed"]) == (30, 30)
    paid = rules.reconcile(
        "G1",
        150,
        [
            *logs,
            Session(
                date=D(2025, 9, 26), status="delivered", planned_minutes=30, minutes=30, makeup=True
            ),
        ],
        p,
    )
    assert paid.evidence["makeup_owed"] == 0 and paid.decision == "documentation_gap"


def test_r8_three_points_without_improvement_before_six_weeks_suggest_change(p):
    """R8 [S71]: >= 3 points with no improvement, all below the aimline (41.5, 43, 44.5)
    -> change within tier, even before R4/R5 can run. Rising points are not enough data."""
    s = series([41, 40, 41])
    rep = rules.evaluate_series(record(series_=(s,)), s, AS_OF, p)
    assert rep.r4.decision == rules.INSUFFICIENT
    assert rep.decision.decision == "change_within_tier"
    rising = series([44, 45, 47])
    assert rules.evaluate_series(record(series_=(rising,)), rising, AS_OF, p).decision.decision == (
        rules.INSUFFICIENT
    )


def test_r2_bottom_fifth_of_grade_is_flagged_for_triangulation(p):
    """R2 [S7]: the lowest 20% of a grade on the screener, then triangulate."""
    recs = {
        f"S{i}": record(
            grade=2,
            screenings=(
                Screening(
                    date=D(2025, 9, 8),
                    window="fall",
                    instrument="Star",
                    skill_area="reading",
                    percentile=float(pr),
                ),
            ),
        )
        for i, pr in enumerate([50, 5, 70, 30, 12, 90, 60, 44, 81, 20])
    }
    assert sorted(rules.bottom_of_grade(recs, "fall", p)) == ["S1", "S4"]


def test_r14_system_flags_core_below_80_percent_and_tier2_share_outside_5_to_15(p):
    """R14: 7 of 10 at benchmark (< 80% [S41]) -> core first; 2 of 10 in Tier 2 (20% > 15% [S38])."""
    from eirules.plugins.mtss.report import system_rows

    prs = [50, 60, 70, 45, 80, 90, 41, 30, 15, 20]
    recs = {
        f"S{i}": record(
            grade=3,
            screenings=(
                Screening(
                    date=D(2025, 9, 8),
                    window="fall",
                    instrument="Star",
                    skill_area="reading",
                    percentile=float(pr),
                ),
            ),
        )
        for i, pr in enumerate(prs)
    }
    (row,) = system_rows(recs, p)
    assert (row.screened, row.at_benchmark, row.tier2, row.tier3) == (10, 0.7, 0.2, 0.0)
    assert row.flags == (
        "70% at benchmark, under 80%: strengthen core instruction (class-wide) before adding Tier 2 slots",
        "Tier 2 share 20% outside 5%-15%",
    )


def test_r3_benchmark_method_takes_the_benchmark_as_goal(p):
    """R3 benchmark method [S47][S48]: goal = the end-of-period benchmark."""
    s = Series(
        id="x",
        measure="orf",
        skill_area="fluency",
        goal_method="benchmark",
        benchmark=87.0,
        goal_date=D(2026, 5, 25),
        points=weekly(D(2025, 9, 1), [40, 42, 41]),
    )
    line, r = rules.aimline_for(s, 2, p)
    assert (line.baseline, line.goal) == (41, 87.0) and "benchmark method" in r.reason
