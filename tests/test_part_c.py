"""Part C eligibility, worked from 34 CFR 303.21, 303.111 and 303.321 with exact inputs.

The fictional test ruleset "xs" (Example State, written by tests/helpers.py) extends the
federal baseline with values a state would supply; its numbers are test data, not any
real state's rule.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import ae, case, evaluation, ss


def elig(engine, c, as_of="2025-06-01", ruleset="xs"):
    det = engine.evaluate(c, ruleset, date.fromisoformat(as_of))
    return det.eligibility_for("part_c"), det


REFERRAL = [("referral_received", "2025-04-01")]


def test_percent_delay_is_age_minus_age_equivalent_over_age():
    """(age - AE) / age: an 18-month-old functioning at 12 months is 33.3% delayed (regulations.md 2.5)."""
    from eirules.plugins.part_c import percent_delay

    assert round(percent_delay(18, 12), 1) == 33.3
    assert percent_delay(10, 12) == 0.0
    with pytest.raises(ValueError):
        percent_delay(0, 3)


def test_eli_corrected_for_9_weeks_is_14_months_and_exactly_50_percent_delayed(xs_engine):
    """303.21(a)(1), 303.111: born at 31 weeks, 9 weeks short of the 40-week term; corrected birth
    date 2024-03-04, so on 2025-05-04 the corrected age is exactly 14 months; an age equivalent of
    7 months is (14-7)/14 = 50%, which meets the state's "at least 50% in one area"."""
    c = case(
        xs_engine,
        ga=31,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-04", ae("communication", 7))],
    )
    e, det = elig(xs_engine, c)
    assert (e.outcome, e.basis) == ("eligible", ("developmental_delay",))
    assert (
        "communication is 50% delayed (age 14 months corrected for 9 weeks of prematurity, age equivalent 7 months)"
        in e.reason
    )
    assert "Example State requires 50% delay in 1 area" in e.reason
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.developmental_delay")
    assert finding.inputs["corrected_for_weeks"] == 9
    assert finding.inputs["age_months"] == 14.0
    assert finding.parameters["part_c.prematurity.term_weeks"] == 40


def test_prematurity_correction_can_make_a_child_not_eligible(xs_engine):
    """Same child, age equivalent 8: corrected age 14 gives 42.9% (< 50%): not eligible; the
    chronological age (16.1 months) would have given 50.3%. Correction is the state's rule."""
    c = case(
        xs_engine,
        ga=31,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-04", ae("communication", 8))],
    )
    e, _ = elig(xs_engine, c)
    assert e.outcome == "not_eligible"
    assert e.reason.startswith(
        "Not eligible by developmental delay: communication is 43% delayed (age 14 months "
        "corrected for 9 weeks of prematurity, age equivalent 8 months); communication is 6.0 months delayed"
    )
    assert (
        "Example State requires 50% delay in 1 area; or 2 SD below the mean in 1 area" in e.reason
    )


def test_no_correction_at_or_after_the_until_age(xs_engine):
    """The state corrects only until 24 months chronological age: at 25 months the age used is
    chronological, so AE 12 at 25 months is 52% delayed."""
    c = case(
        xs_engine,
        ga=30,
        events=REFERRAL,
        evaluations=[evaluation("2026-02-01", ae("adaptive", 12))],
    )
    e, det = elig(xs_engine, c, as_of="2026-02-02")
    assert e.outcome == "eligible"
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.developmental_delay")
    assert finding.inputs["corrected_for_weeks"] == 0
    assert "past 24 months" in finding.inputs["note"]


def test_correction_is_capped_at_max_adjustment_weeks(xs_engine):
    """Born at 22 weeks: 18 weeks short of term, capped at the state's 16 weeks (cf. 26 TAC 350.819(3))."""
    from eirules.plugins.part_c import corrected_age

    rs = xs_engine.rulesets.get("xs")
    age, weeks, used, _ = corrected_age(date(2024, 1, 1), 22, date(2025, 1, 1), rs)
    assert weeks == 16
    assert used["part_c.prematurity.max_adjustment_weeks"] == 16


def test_two_standard_deviations_below_the_mean_in_one_area(xs_engine):
    """Standard score 70 on a mean of 100, SD 15, is (100-70)/15 = 2.0 SD below: meets 2.0 SD in one area."""
    c = case(
        xs_engine, events=REFERRAL, evaluations=[evaluation("2025-05-01", ss("cognitive", 70))]
    )
    e, _ = elig(xs_engine, c)
    assert e.outcome == "eligible"
    assert "cognitive is 2.00 SD below the mean (standard score 70, mean 100, SD 15)" in e.reason


def test_one_and_a_half_sd_needs_two_areas(xs_engine):
    """77.5 is 1.5 SD below: one area is not enough, two areas meet "1.5 SD in each of 2 areas"."""
    one = case(
        xs_engine, events=REFERRAL, evaluations=[evaluation("2025-05-01", ss("cognitive", 77.5))]
    )
    two = case(
        xs_engine,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-01", ss("cognitive", 77.5), ss("physical", 77))],
    )
    assert elig(xs_engine, one)[0].outcome == "not_eligible"
    e, _ = elig(xs_engine, two)
    assert e.outcome == "eligible"
    assert "in each of 2 areas" in e.reason


def test_twelve_months_of_delay(xs_engine):
    """A 30-month-old at an 18-month level is 12 months (40%) delayed: the months criterion applies."""
    c = case(
        xs_engine,
        birth="2023-01-01",
        events=[("referral_received", "2025-06-15")],
        evaluations=[evaluation("2025-07-01", ae("social_emotional", 18))],
    )
    e, _ = elig(xs_engine, c, as_of="2025-07-02")
    assert e.outcome == "eligible"
    assert "12.0 months delayed" in e.reason


def test_only_criterion_applies_when_expressive_is_the_only_delay(xs_engine):
    """A criterion with `only` (like Texas's expressive-only 33%) applies only when no other area is delayed."""
    alone = case(
        xs_engine,
        birth="2023-07-01",
        events=REFERRAL,
        evaluations=[
            evaluation(
                "2025-07-01",
                ae("communication", 15, "expressive"),
                ae("communication", 24, "receptive"),
            )
        ],
    )
    e, _ = elig(xs_engine, alone, as_of="2025-07-02")
    assert e.outcome == "eligible", e.reason
    assert "33% delay when expressive communication is the only delay" in e.reason
    with_other = case(
        xs_engine,
        birth="2023-07-01",
        events=REFERRAL,
        evaluations=[
            evaluation("2025-07-01", ae("communication", 15, "expressive"), ae("cognitive", 22))
        ],
    )
    assert elig(xs_engine, with_other, as_of="2025-07-02")[0].outcome == "not_eligible"


def test_diagnosed_condition_makes_eligible_without_an_evaluation(xs_engine):
    """303.21(a)(2), 303.321(a)(3)(i): Down syndrome (ICD-10 Q90) is eligible on records alone."""
    c = case(xs_engine, events=REFERRAL, conditions=[{"name": "Trisomy 21", "code": "Q90.9"}])
    e, _ = elig(xs_engine, c)
    assert (e.outcome, e.basis) == ("eligible", ("diagnosed_condition",))
    by_name = case(xs_engine, events=REFERRAL, conditions=[{"name": "fetal alcohol syndrome"}])
    assert elig(xs_engine, by_name)[0].basis == ("diagnosed_condition",)


def test_informed_clinical_opinion_can_only_turn_not_eligible_into_eligible(xs_engine):
    """303.321(a)(3)(ii): ICO is an independent basis, and may never negate scores that establish eligibility."""
    low = case(
        xs_engine,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-01", ss("cognitive", 90), ico="eligible")],
    )
    e, _ = elig(xs_engine, low)
    assert (e.outcome, e.basis) == ("eligible", ("informed_clinical_opinion",))
    high = case(
        xs_engine,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-01", ss("cognitive", 60), ico="not_eligible")],
    )
    e, det = elig(xs_engine, high)
    assert (e.outcome, e.basis) == ("eligible", ("developmental_delay",))
    assert any(f.rule == "part_c.eligibility.informed_clinical_opinion" for f in det.findings)


def test_at_risk_where_the_state_serves_at_risk_children(xs_engine):
    """303.21(b), 303.5: three listed risk factors meet the state's "three or more"; two do not."""
    three = case(
        xs_engine, events=REFERRAL, risk=("low_birth_weight", "homelessness", "parent_under_15")
    )
    e, _ = elig(xs_engine, three)
    assert (e.outcome, e.basis) == ("eligible", ("at_risk",))
    two = case(xs_engine, events=REFERRAL, risk=("low_birth_weight", "homelessness"))
    e, _ = elig(xs_engine, two)
    assert e.outcome == "needs_information"


def test_federal_baseline_serves_no_at_risk_children(engine):
    """303.21(b) is a state option; the baseline does not take it."""
    c = case(
        engine,
        events=REFERRAL,
        risk=("low_birth_weight", "homelessness", "parent_under_15"),
        ruleset="us",
    )
    assert elig(engine, c, ruleset="us")[0].outcome == "needs_information"


def test_no_evaluation_needs_information_with_what_is_missing(xs_engine):
    """303.321: with no evaluation and no listed condition the engine does not guess."""
    e, _ = elig(xs_engine, case(xs_engine, events=REFERRAL))
    assert e.outcome == "needs_information"
    assert e.missing == ("an evaluation with domain scores dated on or before the as-of date",)


def test_baseline_without_state_criteria_needs_information(engine):
    """303.111: the level of delay is the state's; the federal baseline has no criteria."""
    c = case(
        engine,
        events=REFERRAL,
        evaluations=[evaluation("2025-05-01", ss("cognitive", 50))],
        ruleset="us",
    )
    e, _ = elig(engine, c, ruleset="us")
    assert e.outcome == "needs_information"
    assert "part_c.eligibility.delay_criteria" in e.missing[0]


def test_corrected_age_of_zero_or_less_never_divides_by_zero(xs_engine):
    """Born 2025-01-01 at 28 weeks (12 weeks early): corrected birth date 2025-03-26, after the
    2025-03-01 evaluation, so the corrected age is 0 and percent delay is undefined (cf. 26 TAC 350.821(2))."""
    c = case(
        xs_engine,
        birth="2025-01-01",
        ga=28,
        events=[("referral_received", "2025-02-01")],
        evaluations=[evaluation("2025-03-01", ae("physical", 0))],
    )
    e, det = elig(xs_engine, c, as_of="2025-03-02")
    assert e.outcome == "needs_information"
    assert any(f.rule == "part_c.eligibility.qualitative" for f in det.findings)


def test_eligibility_ends_at_the_third_birthday(xs_engine):
    """303.21(a): under three; born 2022-05-10, on 2025-05-10 the child is 3 and no longer eligible."""
    c = case(xs_engine, birth="2022-05-10", events=REFERRAL, conditions=[{"name": "Down syndrome"}])
    assert elig(xs_engine, c, as_of="2025-05-09")[0].outcome == "eligible"
    e, _ = elig(xs_engine, c, as_of="2025-05-10")
    assert e.outcome == "not_eligible"
    assert "303.211" in e.reason


def test_303_211_extension_keeps_eligibility_past_three(xs_engine):
    """303.211: where the state offers it and the parent elects it, Part C continues (here to age 5)."""
    c = case(
        xs_engine,
        birth="2022-05-10",
        events=[*REFERRAL, ("extension_elected", "2025-03-01")],
        conditions=[{"name": "Down syndrome"}],
        ruleset="xt",
    )
    assert elig(xs_engine, c, as_of="2025-06-01", ruleset="xt")[0].outcome == "eligible"
    assert elig(xs_engine, c, as_of="2027-05-10", ruleset="xt")[0].outcome == "not_eligible"


def test_team_determination_on_record_when_nothing_is_on_file_to_check(xs_engine):
    """303.322: with no scores or listed condition on file, the team's recorded decision is reported as such."""
    c = case(
        xs_engine,
        events=[*REFERRAL, ("eligibility_determined", "2025-05-01", {"outcome": "eligible"})],
    )
    e, _ = elig(xs_engine, c)
    assert (e.outcome, e.basis, e.citation) == (
        "eligible",
        ("team_determination",),
        "34 CFR 303.322",
    )
    assert "no evaluation scores or listed condition are on file" in e.reason
