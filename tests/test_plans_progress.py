"""Where a goal stands (300.320(a)(3)(i), 303.344(c)), judged by the MTSS trend rule."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from eirules.plugins.plans import models
from eirules.plugins.plans.i18n import LANGUAGES, catalogue
from eirules.plugins.plans.progress import STATUSES, goal_progress

START = date(2026, 1, 5)
TARGET_DATE = START + timedelta(weeks=26)


def _goal(values, *, baseline=20.0, target=50.0, better="higher", notes=()):
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
        points=[
            models.ProgressPoint(date=START + timedelta(weeks=i + 1), value=v)
            for i, v in enumerate(values)
        ],
        notes=list(notes),
    )


def _gp(engine, goal, as_of=date(2026, 4, 1)):
    return goal_progress(goal, engine.rulesets.get("us"), as_of)


def test_on_track_series_projects_past_the_target(engine):
    """Points exactly on 20 + 1.5/week: the OLS trend projects 20 + 1.5 x 26 = 59 on the
    target date, above the target of 50."""
    gp = _gp(engine, _goal([20 + 1.5 * (i + 1) for i in range(8)]))
    assert gp.status == "on_track"
    assert gp.slope_per_week == 1.5
    assert gp.projected == 59.0


def test_flat_series_is_not_on_track(engine):
    gp = _gp(engine, _goal([20.0] * 8))
    assert gp.status == "not_on_track"
    assert gp.slope_per_week == 0 and gp.projected == 20.0


NOISE = [3, -4, 2, -3, 4, -2, 3, -3, 2, -2]


def test_noisy_series_growing_well_is_on_track_and_noisy_flat_is_not(engine):
    growing = _gp(engine, _goal([20 + 3 * (i + 1) + n for i, n in enumerate(NOISE)]))
    flat = _gp(engine, _goal([22 + n for n in NOISE]))
    assert growing.status == "on_track"
    assert flat.status == "not_on_track"


def test_sufficiency_is_the_trend_rules_own_judgement(engine):
    """Plans never judge 'enough data' a second way: a noisy trend near the line is
    `not_enough_data` exactly when the MTSS trend rule (R5) says its data are insufficient,
    and otherwise follows R5's projection to the target date."""
    from eirules.plugins.mtss import rules as mtss_rules
    from eirules.plugins.mtss.params import params_for
    from eirules.plugins.plans.progress import as_series

    for slope in (1.2, 1.5, 2, 3):
        goal = _goal([20 + slope * (i + 1) + n for i, n in enumerate(NOISE)])
        gp = _gp(engine, goal)
        line = mtss_rules.Aimline(goal.baseline_date, goal.baseline, goal.target_date, goal.target)
        r5 = mtss_rules.trend(
            as_series(goal, date(2026, 4, 1)),
            line,
            params_for(engine.rulesets.get("us"), date(2026, 4, 1)),
        )
        if not r5.sufficient:
            unclear = r5.evidence.get("status") == "indistinguishable"
            assert gp.status == ("trend_unclear" if unclear else "not_enough_data"), slope
        else:
            assert gp.status == ("on_track" if r5.evidence["on_track"] else "not_on_track"), slope
            assert gp.projected == r5.evidence["projected_at_goal_date"]


def test_too_few_points_is_not_enough_data_with_the_rules_count(engine):
    gp = _gp(engine, _goal([22, 24]))
    assert gp.status == "not_enough_data"
    assert gp.points_used == 2
    assert (
        gp.points_needed == engine.rulesets.get("mtss").param("mtss.trend.min_points", START).value
    )


def test_met_when_the_latest_measurement_reaches_the_target(engine):
    gp = _gp(engine, _goal([30, 45, 51]))
    assert gp.status == "met" and gp.latest.value == 51


def test_lower_is_better_measure(engine):
    """Errors per page going down from 20 toward 5: on track when falling fast enough."""
    falling = [20 - 1.0 * (i + 1) for i in range(8)]
    gp = _gp(engine, _goal(falling, baseline=20, target=5, better="lower"))
    assert gp.status == "on_track" and gp.projected == -6.0
    assert (
        _gp(engine, _goal([20.0] * 8, baseline=20, target=5, better="lower")).status
        == "not_on_track"
    )


def test_later_measurements_do_not_count_before_their_date(engine):
    goal = _goal([20 + 1.5 * (i + 1) for i in range(8)] + [55])
    assert _gp(engine, goal, START + timedelta(weeks=8)).status == "on_track"
    assert _gp(engine, goal, START + timedelta(weeks=9)).status == "met"


def test_finding_quotes_the_latest_observations(engine):
    note = models.ProgressNote(
        date=date(2026, 2, 20),
        kind="parent_report",
        by="mother",
        text="Reads the bus signs out loud.",
    )
    case = engine.case_from_dict(
        {
            "id": "PG-1",
            "ruleset": "us",
            "child": {"birth_date": "2017-01-01"},
            "plans": {"goals": [_goal_dict([20 + 1.5 * (i + 1) for i in range(8)], notes=[note])]},
        }
    )
    det = engine.evaluate(case, None, date(2026, 4, 1))
    f = next(f for f in det.findings if f.rule == "plans.goal_progress.g1")
    assert f.outcome == "on_track"
    assert 'Parent report (mother, 2026-02-20): "Reads the bus signs out loud."' in f.reason
    assert f.inputs["projected"] == 59.0
    assert f.citation.startswith("34 CFR 300.320(a)(3)(i)")


def _goal_dict(values, notes=()):
    return {
        "id": "g1",
        "plan": "iep",
        "area": "academic",
        "statement": "Reads more words.",
        "measure": {"what": "words read correctly", "unit": "words"},
        "baseline": 20,
        "baseline_date": START.isoformat(),
        "target": 50,
        "target_date": TARGET_DATE.isoformat(),
        "points": [
            {"date": (START + timedelta(weeks=i + 1)).isoformat(), "value": v}
            for i, v in enumerate(values)
        ],
        "notes": [
            {"date": n.date.isoformat(), "kind": n.kind, "by": n.by, "text": n.text} for n in notes
        ],
    }


@given(
    values=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), max_size=30),
    weeks=st.integers(min_value=0, max_value=60),
)
def test_status_is_always_a_known_one_and_met_means_reached(engine, values, weeks):
    """Met when the latest measurement counted reaches the target: those on or before the
    as-of date, and after the target date (week 26) only those on or before it."""
    goal = _goal(values)
    gp = _gp(engine, goal, START + timedelta(weeks=weeks))
    assert gp.status in STATUSES
    counted = [v for i, v in enumerate(values) if i + 1 <= min(weeks, 26)]
    assert (gp.status == "met") == bool(counted and counted[-1] >= 50)


# --- Progress report clocks (300.320(a)(3)(ii)) ---------------------------------------


def test_progress_report_clocks_met_and_overdue(engine):
    """300.320(a)(3)(ii): periodic reports to the parents; each period is a clock."""
    case = engine.load_case("examples/plans/pb-iep-goals.json")
    det = engine.evaluate(case, None, date(2026, 4, 10))
    clocks = {c.subject: c for c in det.clocks if c.id == "plans_progress_report"}
    assert clocks["2025-26 Q2"].status == "met" and clocks["2025-26 Q2"].met_on == date(2026, 1, 29)
    assert clocks["2025-26 Q3"].status == "overdue" and clocks["2025-26 Q3"].due == date(2026, 4, 3)
    assert clocks["2025-26 Q3"].citation == "34 CFR 300.320(a)(3)(ii)"
    assert clocks["2025-26 Q3"].program == "part_b"


# --- Every family-facing string exists in English and Spanish ----------------------

ROOT = Path(__file__).resolve().parent.parent / "plugins" / "plans"
DYNAMIC = {
    "status.": [
        *STATUSES,
        *(f"{s}.sentence" for s in STATUSES),
        "data_stopped.none.sentence",
    ],
    "next.": STATUSES,
    "note.": models.NOTE_KINDS,
    "area.": models.GOAL_AREAS,
    "plan.": models.PLAN_KINDS,
    "contact.": models.CONTACT_METHODS,
    "role.": models.ROLES,
    "meeting.": models.MEETING_KINDS,
    "purpose.": models.MEETING_KINDS,
    "notice.right_others.": models.PLAN_KINDS,
    "notice.right_copy.": models.PLAN_KINDS,
    "notice.citation.": models.PLAN_KINDS,
}


def _keys_used() -> set[str]:
    keys: set[str] = set()
    for path in [*ROOT.glob("*.py"), *ROOT.glob("templates/*.html")]:
        text = path.read_text()
        keys |= set(re.findall(r"""\bt\((?:lang, )?f?["']([a-z_]+\.[a-z_.]+)["']""", text))
    prefixes = {k for k in keys if k.endswith(".")}  # built from a name: listed in DYNAMIC
    assert prefixes <= set(DYNAMIC), f"add {prefixes - set(DYNAMIC)} to DYNAMIC"
    keys -= prefixes
    for prefix, names in DYNAMIC.items():
        keys |= {prefix + n for n in names}
    return keys


def test_every_message_has_english_and_spanish():
    used = _keys_used()
    assert len(used) > 80
    for lang in LANGUAGES:
        cat = catalogue(lang)
        missing = sorted(k for k in used if not cat.get(k))
        assert not missing, f"{lang} catalogue lacks {missing}"
    assert set(catalogue("en")) == set(catalogue("es"))


def test_placeholders_agree_between_languages():
    en, es = catalogue("en"), catalogue("es")
    for key, text in en.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", es[key])), key
