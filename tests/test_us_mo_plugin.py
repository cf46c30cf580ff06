"""Missouri First Steps criteria from the built-in state plugin (plugins/us_mo.py).

Source: Missouri DESE, First Steps Eligibility, State Definition of Diagnosed
Conditions: 1. Newborn Condition (birth weight of 1,500 g or less with one or more of
APGAR 6 or less at 5 minutes, IVH grade II-IV, positive pressure ventilation for more
than 48 hours, or a resuscitation requiring chest compressions, diagnosed at birth or
within 30 days post birth); 2. lead poisoning level > 10 mcg/dL. The criteria are
combined by Part C into its one outcome (34 CFR 303.21(a)(2): a diagnosed condition
with a high probability of resulting in developmental delay).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from eirules.core.errors import InputError

BORN = "2025-06-01"
AS_OF = date(2025, 9, 15)
DESE = "Missouri DESE, First Steps Eligibility, State Definition of Diagnosed Conditions 1"


def _case(engine, ruleset="us-mo", **sections):
    return engine.case_from_dict(
        {
            "id": "MO-NB-1",
            "ruleset": ruleset,
            "child": {"birth_date": BORN},
            "events": [{"type": "referral_received", "date": "2025-09-02"}],
            **sections,
        }
    )


def _part_c(engine, case):
    det = engine.evaluate(case, None, AS_OF)
    [outcome] = [e for e in det.eligibility if e.program == "part_c"]
    return outcome, det


def test_newborn_condition_1240_grams_with_ivh_grade_2_on_day_4_is_eligible(engine):
    """1,240 g <= 1,500 g, IVH grade II diagnosed 2025-06-05 (within 30 days): eligible."""
    newborn = {
        "birth_weight_grams": 1240,
        "apgar_5_minutes": 8,
        "intraventricular_hemorrhage": {"grade": 2, "diagnosed": "2025-06-05"},
    }
    outcome, det = _part_c(engine, _case(engine, newborn=newborn))
    assert outcome.outcome == "eligible"
    assert outcome.basis == ("newborn_condition",)
    assert DESE in outcome.citation
    assert "birth weight 1240 g (at most 1500 g) with intraventricular hemorrhage grade 2" in (
        outcome.reason
    )
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.newborn_condition")
    assert finding.outcome == "eligible"
    assert finding.parameters["us_mo.newborn_condition.birth_weight_at_most"] == 1500


@pytest.mark.parametrize(
    "newborn, outcome",
    [
        ({"birth_weight_grams": 1500, "apgar_5_minutes": 6}, "eligible"),  # both at the limit
        ({"birth_weight_grams": 1501, "apgar_5_minutes": 3}, "needs_information"),  # over 1,500 g
        ({"birth_weight_grams": 1400, "apgar_5_minutes": 7}, "needs_information"),  # APGAR 7
        (
            {
                "birth_weight_grams": 1400,
                "apgar_5_minutes": 9,
                "intraventricular_hemorrhage": {"grade": 1, "diagnosed": "2025-06-02"},
            },
            "needs_information",
        ),  # grade I is not listed
        (
            {
                "birth_weight_grams": 1400,
                "apgar_5_minutes": 9,
                "positive_pressure_ventilation": {"hours": 48, "started": "2025-06-01"},
            },
            "needs_information",
        ),  # 48 hours is not more than 48
        (
            {
                "birth_weight_grams": 1400,
                "apgar_5_minutes": 9,
                "positive_pressure_ventilation": {"hours": 49, "started": "2025-06-01"},
            },
            "eligible",
        ),
        (
            {
                "birth_weight_grams": 1400,
                "apgar_5_minutes": 9,
                "chest_compressions_on": "2025-07-01",
            },
            "eligible",
        ),  # day 30 after birth: within 30 days
        (
            {
                "birth_weight_grams": 1400,
                "apgar_5_minutes": 9,
                "chest_compressions_on": "2025-07-02",
            },
            "needs_information",
        ),  # day 31: too late
    ],
)
def test_newborn_condition_limits(engine, newborn, outcome):
    """Without a criterion met and with no evaluation, Part C still needs information."""
    assert _part_c(engine, _case(engine, newborn=newborn))[0].outcome == outcome


def test_newborn_condition_without_apgar_needs_it(engine):
    det = engine.evaluate(_case(engine, newborn={"birth_weight_grams": 900}), None, AS_OF)
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.newborn_condition")
    assert finding.outcome == "needs_information"
    [part_c] = [e for e in det.eligibility if e.program == "part_c"]
    assert "the APGAR score at 5 minutes (newborn.apgar_5_minutes)" in part_c.missing


def test_newborn_condition_not_met_turns_no_not_eligible_into_eligible(engine):
    """A 60% delay is eligible by MO's 50% criterion; a not-met criterion changes nothing."""
    case = _case(
        engine,
        newborn={"birth_weight_grams": 2900, "apgar_5_minutes": 9},
        evaluations=[
            {"date": "2025-09-10", "scores": [{"domain": "physical", "percent_delay": 60}]}
        ],
    )
    outcome, det = _part_c(engine, case)
    assert outcome.outcome == "eligible" and outcome.basis == ("developmental_delay",)
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.newborn_condition")
    assert finding.outcome == "not_eligible"
    assert "birth weight 2900 g is over 1500 g" in finding.reason


@pytest.mark.parametrize(
    "level, outcome", [(10, "needs_information"), (10.5, "eligible"), (23, "eligible")]
)
def test_blood_lead_above_10_is_a_diagnosed_condition(engine, level, outcome):
    """'Lead Poisoning Level >10mcg/dL': 10 is not above 10."""
    lead = {"tests": [{"date": "2025-09-01", "micrograms_per_decilitre": level}]}
    part_c, _ = _part_c(engine, _case(engine, blood_lead=lead))
    assert part_c.outcome == outcome
    if outcome == "eligible":
        assert part_c.basis == ("lead_poisoning",)
        assert f"blood lead {level:g} mcg/dL on 2025-09-01, above 10 mcg/dL" in part_c.reason


def test_blood_lead_test_after_the_as_of_date_is_not_used(engine):
    lead = {"tests": [{"date": "2025-10-01", "micrograms_per_decilitre": 30}]}
    det = engine.evaluate(_case(engine, blood_lead=lead), None, AS_OF)
    assert not any(f.rule == "part_c.eligibility.lead_poisoning" for f in det.findings)


def test_both_criteria_are_listed_in_the_one_outcome(engine):
    case = _case(
        engine,
        newborn={"birth_weight_grams": 1100, "apgar_5_minutes": 4},
        blood_lead={"tests": [{"date": "2025-09-01", "micrograms_per_decilitre": 12}]},
    )
    outcome, _ = _part_c(engine, case)
    assert outcome.basis == ("lead_poisoning", "newborn_condition")


def test_criteria_apply_only_under_a_missouri_ruleset(engine):
    case = _case(engine, "us", newborn={"birth_weight_grams": 1100, "apgar_5_minutes": 4})
    det = engine.evaluate(case, None, AS_OF)
    assert not any("newborn_condition" in f.rule for f in det.findings)


def test_bad_newborn_and_lead_fields_are_refused_with_paths(engine):
    with pytest.raises(InputError) as info:
        _case(
            engine,
            newborn={"birth_weight_grams": "1240", "apgar_5_minute": 3},
            blood_lead={"tests": [{"date": "2025-01-01", "micrograms_per_decilitre": -1}]},
        )
    assert [str(p) for p in info.value.problems] == [
        'newborn.apgar_5_minute: unknown key "apgar_5_minute"; did you mean "apgar_5_minutes"?',
        'newborn.birth_weight_grams: "1240" is not a whole number',
        "blood_lead.tests[0]: 'micrograms_per_decilitre' must be >= 0: -1",
    ]


def test_the_plugin_imports_only_the_public_api():
    source = (Path(__file__).parent.parent / "plugins" / "us_mo.py").read_text()
    modules = re.findall(r"^from (eirules[\w.]*) import", source, flags=re.M)
    assert modules == ["eirules"]
