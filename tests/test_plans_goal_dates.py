"""A goal's status after its target date, and a trend too unclear to call (300.320(a)(2)-(3)).

34 CFR 300.320(a)(2)(i) asks for measurable annual goals and (a)(3) for a description
of how progress toward them is measured. Once the target date has passed, the question
is what the measurements say happened by that date, not where a trend would lead: the
status is `met`, `not_met` or `data_stopped` (docs/plans.md, "After the target date").
"""

from __future__ import annotations

import json
import shutil
import statistics
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.plugins.plans import models
from eirules.plugins.plans.progress import AFTER_TARGET, STATUSES, goal_progress, staff_reason

EXAMPLES = Path(__file__).parent.parent / "examples" / "plans"
START = date(2026, 1, 5)
TARGET_DATE = START + timedelta(weeks=26)  # 2026-07-06


def _goal(points, *, baseline=20.0, target=50.0, better="higher"):
    """`points` are (date, value) pairs."""
    return models.Goal(
        id="g1",
        plan="iep",
        area="academic",
        statement="Reads more words.",
        measure=models.Measure(what="words read correctly", unit="words", better=better),
        baseline=baseline,
        baseline_date=START,
        target=target,
        target_date=TARGET_DATE,
        points=[models.ProgressPoint(date=d, value=v) for d, v in points],
    )


def _weekly(values, first_week=1):
    return [(START + timedelta(weeks=first_week + i), v) for i, v in enumerate(values)]


def _gp(engine, goal, as_of):
    return goal_progress(goal, engine.rulesets.get("us"), as_of)


def _example_goal(engine, goal_id, extra=()):
    case = engine.load_case(EXAMPLES / "pb-iep-goals.json")
    goal = next(g for g in case.sections["plans"].goals if g.id == goal_id)
    if extra:
        goal = models.Goal(**{**_fields(goal), "points": [*goal.points, *extra]})
    return goal


def _fields(goal):
    import attrs

    return {a.name: getattr(goal, a.name) for a in attrs.fields(type(goal))}


# --- (1) after the target date -----------------------------------------------------


def test_reading_fluency_on_2026_12_04_data_stopped_in_february_not_on_track(engine):
    """Target 90 words by 2026-11-09; the last measurement is 67 on 2026-02-09, 273 days
    (39 weeks) before the target date, more than one MTSS review cycle (6 weeks): the data
    cannot say whether the goal was met. The old code projected the February trend to
    110.36 on 2026-11-09 and called it on_track."""
    gp = _gp(engine, _example_goal(engine, "reading-fluency"), date(2026, 12, 4))
    assert gp.status == "data_stopped"
    assert gp.projected is None and gp.slope_per_week is None
    assert (gp.latest.date, gp.latest.value) == (date(2026, 2, 9), 67)
    assert gp.parameters == {"mtss.review.cycle_weeks": 6}
    reason = staff_reason(gp)
    assert reason.startswith(
        "No recent data at the target date: target 90 words by 2026-11-09; latest 67 on "
        "2026-02-09 (the last on or before the target date); that is 39 weeks before the "
        "target date, more than one review cycle (6 weeks, mtss.review.cycle_weeks)"
    )


def test_check_finding_after_the_target_date_has_no_projection(engine):
    case = engine.load_case(EXAMPLES / "pb-iep-goals.json")
    det = engine.evaluate(case, None, date(2026, 12, 4))
    f = next(f for f in det.findings if f.rule == "plans.goal_progress.reading-fluency")
    assert f.outcome == "data_stopped"
    assert f.inputs["projected"] is None and f.inputs["latest"] == 67


def test_measured_to_the_target_date_and_short_is_not_met(engine):
    """Weekly 21, 22, ... 46 through the target date 2026-07-06 (week 26): 46 < 50, the
    last measurement is on the target date itself: not met. The old code's trend projected
    46 on the target date and said not_on_track."""
    goal = _goal(_weekly([20 + i for i in range(1, 27)]))
    gp = _gp(engine, goal, date(2026, 8, 1))
    assert gp.status == "not_met"
    assert gp.latest.date == TARGET_DATE and gp.latest.value == 46
    assert gp.projected is None
    assert "short of the target, 0 weeks before the target date" in staff_reason(gp)


def test_reached_before_the_target_date_is_met(engine):
    goal = _goal(_weekly([30, 40, 51]))  # 51 on 2026-01-26
    gp = _gp(engine, goal, date(2026, 9, 1))
    assert gp.status == "met" and gp.latest.value == 51


def test_reached_only_after_the_target_date_is_not_met_by_the_target_date(engine):
    """46 on the target date, 55 two weeks later (2026-07-20): the goal was not met by its
    date; the later point is said and not counted. The old code said met."""
    goal = _goal(_weekly([20 + i for i in range(1, 27)]) + [(TARGET_DATE + timedelta(weeks=2), 55)])
    gp = _gp(engine, goal, date(2026, 8, 1))
    assert gp.status == "not_met" and gp.latest.value == 46 and gp.later_points == 1
    assert "1 measurement(s) after the target date not counted" in staff_reason(gp)


def test_last_point_six_weeks_before_is_not_met_one_day_more_is_data_stopped(engine):
    """One review cycle is 6 weeks = 42 days: a last point on 2026-05-25 (42 days before
    2026-07-06) still says where the child stood; one on 2026-05-24 (43 days) does not."""
    on_edge = _gp(engine, _goal([(date(2026, 5, 25), 30)]), date(2026, 7, 7))
    past_edge = _gp(engine, _goal([(date(2026, 5, 24), 30)]), date(2026, 7, 7))
    assert on_edge.status == "not_met"
    assert past_edge.status == "data_stopped"


def test_no_measurement_at_all_after_the_target_date_is_data_stopped(engine):
    gp = _gp(engine, _goal([]), date(2026, 7, 7))
    assert gp.status == "data_stopped" and gp.latest is None
    assert "no measurement after the baseline on or before the target date" in staff_reason(gp)


def test_on_the_target_date_itself_the_trend_still_judges(engine):
    """As of the target date (not after it) the trend rule answers as before: points on
    20 + 1.5/week project 59 on 2026-07-06."""
    goal = _goal(_weekly([20 + 1.5 * (i + 1) for i in range(8)]))
    gp = _gp(engine, goal, TARGET_DATE)
    assert gp.status == "on_track" and gp.projected == 59.0


@given(
    values=st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), max_size=32),
    days_after=st.integers(min_value=1, max_value=400),
)
def test_after_the_target_date_never_a_projection(engine, values, days_after):
    """Invariant: after the target date the status is met, not_met or data_stopped (never
    on_track or any trend status), with no projection, and met exactly when the latest
    measurement on or before the target date reaches the target."""
    goal = _goal(_weekly(values))
    gp = _gp(engine, goal, TARGET_DATE + timedelta(days=days_after))
    assert gp.status in AFTER_TARGET and gp.status != "on_track"
    assert gp.projected is None
    by_target = [v for d, v in _weekly(values) if d <= TARGET_DATE]
    assert (gp.status == "met") == bool(by_target and by_target[-1] >= 50)


# --- (2) enough points, a trend too unclear to call ---------------------------------


def test_math_facts_with_a_zero_on_2026_02_17_is_trend_unclear_not_too_few_points(engine):
    """Seven points since the 2025-11-17 baseline (12, 13, 12, 13, 12, 13, 0), more than
    the 6 a trend needs. OLS slope by hand: -0.553 facts/week; the aimline rises
    (40 - 12) / 51 weeks = 0.549/week; the 95% interval reaches above the aimline, and
    fewer than the recommended 10 points: the trend rule cannot tell them apart yet.
    The old reason said "7 measurement(s) since the baseline; the trend rule needs 6"."""
    zero = models.ProgressPoint(date=date(2026, 2, 17), value=0)
    gp = _gp(engine, _example_goal(engine, "math-facts", [zero]), date(2026, 2, 20))
    assert gp.status == "trend_unclear"
    assert gp.points_used == 7 and gp.points_needed == 6 and gp.points_recommended == 10
    days = [(p.date - date(2025, 12, 1)).days / 7 for p in gp.points]
    slope = statistics.linear_regression(days, [p.value for p in gp.points]).slope
    assert gp.slope_per_week == round(slope, 4) == -0.5531
    assert gp.aimline_slope == round(28 / 51, 4)
    lo, hi = gp.slope_interval
    assert lo < gp.slope_per_week < hi and hi > gp.aimline_slope
    reason = staff_reason(gp)
    assert "the trend rule needs 6." not in reason
    assert (
        "Trend unclear: target 40 facts by 2026-11-09; latest 0 on 2026-02-17; 7 measurement(s) "
        "since the baseline, enough for a trend (the rule needs 6), but the trend of -0.55 "
        "facts/week cannot be told apart from the aimline's 0.55 facts/week yet (95% interval "
    ) in reason
    assert "the trend rule makes a close call from 10 measurements." in reason


def test_plans_import_then_show_says_trend_unclear(tmp_path):
    case = Path(shutil.copy(EXAMPLES / "pb-iep-goals.json", tmp_path / "p.json"))
    csv = tmp_path / "pts.csv"
    csv.write_text("goal,date,value\nmath-facts,2026-02-17,0\n")
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["plans", "import", str(case), str(csv), "--kind", "points"]).exit_code
        == 0
    )
    out = runner.invoke(
        cli, ["plans", "show", str(case), "--as-of", "2026-02-20", "--format", "json"]
    ).output
    rows = {r["goal"]: r for r in json.loads(out)}
    assert rows["math-facts"]["status"] == "trend_unclear"
    assert rows["reading-fluency"]["status"] == "on_track"


def test_too_few_points_stays_not_enough_data(engine):
    gp = _gp(engine, _goal(_weekly([22, 24])), date(2026, 2, 1))
    assert gp.status == "not_enough_data" and gp.points_used == 2


def test_statuses_are_the_documented_seven():
    doc = (Path(__file__).parent.parent / "docs" / "plans.md").read_text()
    for s in STATUSES:
        assert f"| `{s}` |" in doc, s
