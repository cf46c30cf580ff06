"""Shipped state rulesets: each validates, loads through the engine, and decides worked examples."""

from __future__ import annotations

from datetime import date

import pytest

from eirules.core import ruleset_tools as tools
from eirules.core.ruleset_tests import run_tests
from eirules.core.ruleset_validate import validate_paths
from eirules.core.rulesets import builtin_folder

STATES = ("us-mo", "us-oh", "us-tx", "us-ny", "us-pa", "us-il", "us-fl", "us-in", "us-ca")
ON = date(2026, 2, 1)


@pytest.mark.parametrize("rid", STATES)
def test_state_ruleset_loads_extends_us_and_its_tests_hold(engine, rid):
    rs = engine.rulesets.get(rid)
    assert rs.extends == "us"
    outcomes = run_tests(engine, rs)
    assert outcomes, f"{rid} has no tests"
    assert [o.to_dict() for o in outcomes if not o.passed] == []


def test_all_shipped_rulesets_validate():
    results = validate_paths([builtin_folder()], [builtin_folder()])
    assert {r.id for r in results} >= {"us", *STATES}
    assert [str(p) for r in results for p in r.problems] == []


THRESHOLDS = [
    # (ruleset, criteria as (measure, at_least, domains), source)
    ("us-mo", [("percent_delay", 50, 1)], "Missouri DESE, First Steps Eligibility"),
    ("us-tx", [("percent_delay", 25, 1), ("percent_delay", 33, 1)], "26 TAC 350.809"),
    (
        "us-ny",
        [
            ("months_delay", 12, 1),
            ("percent_delay", 33, 1),
            ("percent_delay", 25, 2),
            ("sd_below_mean", 2.0, 1),
            ("sd_below_mean", 1.5, 2),
        ],
        "10 NYCRR 69-4.1(g)",
    ),
    ("us-pa", [("percent_delay", 25, 1), ("sd_below_mean", 1.5, 1)], "55 Pa. Code 4226.22"),
    ("us-il", [("percent_delay", 30, 1)], "89 Ill. Adm. Code 500.50"),
    (
        "us-fl",
        [("sd_below_mean", 2.0, 1), ("sd_below_mean", 1.5, 2)],
        "Fla. Admin. Code 6A-6.03031",
    ),
    (
        "us-in",
        [
            ("percent_delay", 25, 1),
            ("percent_delay", 20, 2),
            ("sd_below_mean", 2.0, 1),
            ("sd_below_mean", 1.5, 2),
        ],
        "470 IAC 3.1-7-1",
    ),
]


@pytest.mark.parametrize("rid, criteria, source", THRESHOLDS)
def test_state_delay_criteria_and_source(engine, rid, criteria, source):
    param = engine.rulesets.get(rid).param("part_c.eligibility.delay_criteria", ON)
    assert [(c["measure"], c["at_least"], c.get("domains", 1)) for c in param.value] == criteria
    assert param.citation.startswith(source)
    assert param.ruleset == rid


def test_ohio_sets_no_unverified_threshold(engine):
    """OAC 5123-10-02 was not read: Ohio has no criteria rather than a guessed one."""
    rows = {r["name"]: r for r in tools.resolved(engine.rulesets.get("us-oh"), ON)}
    assert rows["part_c.eligibility.delay_criteria"]["value"] is None
    # Its own values are all Part B ones, each read: the age of majority (OAC
    # 3301-51-07(H)(3)), transition at 14 (ORC 3323.011) and the developmental delay
    # category (ORC 3323.01(A)); no Part C value.
    own = set(engine.rulesets.get("us-oh").own_values)
    assert own == {
        "part_b.age_of_majority",
        "part_b.transition_services_age",
        "part_b.developmental_delay.used",
        "part_b.developmental_delay.age_through",
    }
    assert not any(name.startswith("part_c.") for name in own)


def test_texas_prematurity_correction_26_tac_350_819(engine):
    rs = engine.rulesets.get("us-tx")
    values = {
        k: rs.value(f"part_c.prematurity.{k}", ON)
        for k in (
            "correct_age",
            "below_gestational_weeks",
            "term_weeks",
            "until_age_months",
            "max_adjustment_weeks",
        )
    }
    assert values == {
        "correct_age": True,
        "below_gestational_weeks": 37,
        "term_weeks": 40,
        "until_age_months": 18,
        "max_adjustment_weeks": 16,
    }


def _texas_child(make_case, *scores):
    """Born 2024-07-01, evaluated 2026-01-01 at exactly 18 months (term birth, no correction)."""
    return make_case(
        birth_date="2024-07-01",
        ruleset="us-tx",
        events=[("referral_received", "2025-12-01")],
        evaluations=[{"date": "2026-01-01", "scores": list(scores)}],
    )


def _texas(engine, c):
    return engine.evaluate(c, "us-tx", date(2026, 1, 10)).eligibility_for("part_c")


EXPRESSIVE = {"domain": "communication", "subdomain": "expressive"}


def test_texas_expressive_only_28_percent_is_not_eligible(engine, make_case):
    """26 TAC 350.809: 25% in one domain, but 33% if expressive communication is the only delay.

    Age 18 months, expressive age equivalent 13 months: (18 - 13) / 18 = 27.8%,
    at least 25% but the only delay is expressive, which needs 33%: not eligible.
    """
    e = _texas(engine, _texas_child(make_case, {**EXPRESSIVE, "age_equivalent_months": 13}))
    assert e.outcome == "not_eligible", e.reason
    assert "33% if expressive communication is the only delay" in e.reason


def test_texas_expressive_only_34_percent_is_eligible(engine, make_case):
    """26 TAC 350.809: expressive age equivalent 11.9 months at 18 months: 6.1 / 18 = 33.9% >= 33%."""
    e = _texas(engine, _texas_child(make_case, {**EXPRESSIVE, "age_equivalent_months": 11.9}))
    assert e.outcome == "eligible", e.reason
    assert "communication (expressive) is 34% delayed" in e.reason
    assert "33% delay in expressive communication" in e.reason


def test_texas_gross_motor_28_percent_is_eligible(engine, make_case):
    """26 TAC 350.809: gross motor at 13 months for 18 months is 27.8% >= 25%: eligible."""
    score = {"domain": "physical", "subdomain": "gross_motor", "age_equivalent_months": 13}
    e = _texas(engine, _texas_child(make_case, score))
    assert e.outcome == "eligible", e.reason
    assert "physical (gross motor) is 28% delayed" in e.reason


def test_texas_expressive_28_with_another_25_percent_delay_is_eligible(engine, make_case):
    """26 TAC 350.809: expressive is not the only delay when fine motor is 27.8% too: 25% applies."""
    e = _texas(
        engine,
        _texas_child(
            make_case,
            {**EXPRESSIVE, "age_equivalent_months": 13},
            {"domain": "physical", "subdomain": "fine_motor", "age_equivalent_months": 13},
        ),
    )
    assert e.outcome == "eligible", e.reason


def test_texas_small_other_delay_does_not_lift_the_33_percent_rule(engine, make_case):
    """'Only delay' read as the only area at the 25% level: receptive 11% (16 of 18) is no such delay."""
    e = _texas(
        engine,
        _texas_child(
            make_case,
            {**EXPRESSIVE, "age_equivalent_months": 13},
            {"domain": "communication", "subdomain": "receptive", "age_equivalent_months": 16},
        ),
    )
    assert e.outcome == "not_eligible", e.reason


def test_texas_whole_communication_score_is_not_expressive_only(engine, make_case):
    """A communication score without a subdomain is not an expressive-only delay: 27.8% is eligible."""
    score = {"domain": "communication", "age_equivalent_months": 13}
    assert _texas(engine, _texas_child(make_case, score)).outcome == "eligible"


def test_illinois_serves_at_risk_with_three_factors_and_60_school_day_evaluation(engine):
    rs = engine.rulesets.get("us-il")
    assert rs.value("part_c.eligibility.at_risk_served", ON) is True
    assert rs.value("part_c.eligibility.at_risk_factors_required", ON) == 3
    clock = rs.param("part_b.initial_evaluation", ON)
    assert (clock.value["length"], clock.value["unit"]) == (60, "school_days")
    assert clock.value["start"] == ("consent_for_evaluation",)  # inherited from 300.301(c)(1)
    assert clock.citation.startswith("23 Ill. Adm. Code 226.110")
    assert clock.value["year_end"] == {
        "at_least": 0,
        "fewer_than": 60,
        "due": "before_next_school_year",
    }  # fewer than 60 attendance days left: before the next school year (ISBE Indicator 11)


def test_missouri_developmental_delay_category_ages_3_through_5(engine):
    rs = engine.rulesets.get("us-mo")
    assert rs.value("part_b.developmental_delay.used", ON) is True
    assert rs.value("part_b.developmental_delay.age_through", ON) == 5
    assert rs.value("part_b.developmental_delay.age_from", ON) == 3  # inherited, 300.8(b)


def test_same_child_differs_by_state_rule(engine, make_case):
    """Edge case 18: a child eligible at 25% may be ineligible in a 50% state (303.111)."""
    case = make_case(
        birth_date="2024-07-01",
        events=[("referral_received", "2025-12-01")],
        evaluations=[
            {
                "date": "2026-01-01",
                "scores": [{"domain": "communication", "age_equivalent_months": 13.5}],
            }
        ],
    )
    outcome = {
        rid: engine.evaluate(case, rid, date(2026, 1, 10)).eligibility[0].outcome
        for rid in ("us-tx", "us-mo", "us-pa", "us-il", "us-oh")
    }
    assert outcome == {
        "us-tx": "eligible",  # 25% meets 26 TAC 350.809
        "us-mo": "not_eligible",  # needs 50%
        "us-pa": "eligible",  # 25% meets 55 Pa. Code 4226.22(a)(1)
        "us-il": "not_eligible",  # needs 30%
        "us-oh": "needs_information",  # no verified criteria
    }


def test_check_command_runs_with_a_state_ruleset():
    from click.testing import CliRunner

    from eirules.cli import cli

    result = CliRunner().invoke(
        cli, ["check", "examples/mo-0001.json", "--ruleset", "us-mo", "--as-of", "2026-02-01"]
    )
    assert result.exit_code == 0, result.output
    assert "ruleset us-mo" in result.output


def test_california_changed_on_2022_07_01_and_the_evaluation_date_decides(engine):
    """California Early Start: 33% from 2015-01-01, 25% from 2022-07-01; the 2009-2014 rule
    (an age split) is not expressed."""
    rs = engine.rulesets.get("us-ca")
    assert (
        rs.param("part_c.eligibility.delay_criteria", date(2022, 7, 1)).value[0]["at_least"] == 25
    )
    assert (
        rs.param("part_c.eligibility.delay_criteria", date(2022, 6, 30)).value[0]["at_least"] == 33
    )
    with pytest.raises(
        Exception, match='has no value of "part_c.eligibility.delay_criteria" before 2015-01-01'
    ):
        rs.param("part_c.eligibility.delay_criteria", date(2014, 12, 31))
