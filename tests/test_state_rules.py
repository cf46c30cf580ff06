"""State rules of the shipped rulesets, worked from each state's own text (regulations.md section 9).

Each test names the state rule's paragraph; the dates are worked by hand from the rule.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import case, det

D = date.fromisoformat

ELIGIBLE = (
    "eligibility_determined",
    "2025-10-24",
    {"category": "specific_learning_disability", "outcome": "eligible"},
)


def pb(engine, *events, birth="2012-03-10", ruleset="us"):
    return case(engine, birth=birth, events=events, ruleset=ruleset)


# Age of majority (34 CFR 300.320(c), 300.520(a)) ------------------------------------------


@pytest.mark.parametrize(
    "rid, cite",
    [
        ("us-tx", "19 TAC 89.1049(a)"),
        ("us-oh", "OAC 3301-51-07(H)(3)"),
        ("us-ca", "Cal. Educ. Code 56041.5"),
        ("us-fl", "s. 1003.5716 F.S."),
    ],
)
def test_age_of_majority_18_notice_due_by_the_17th_birthday(engine, rid, cite):
    """300.320(c) with the state's age of majority, 18: born 2012-03-10, majority on
    2030-03-10, so the IEP must carry the statement by 2029-03-10."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), ruleset=rid)
    k = det(engine, c, "2026-01-01", rid).clock("age_of_majority_notice")
    assert (k.due, k.status) == (D("2029-03-10"), "pending")
    assert cite in k.reason


# Transition services ----------------------------------------------------------------------


def test_tx_29_0111_transition_planning_by_the_14th_birthday(engine):
    """Tex. Educ. Code 29.0111: transition planning not later than age 14. Born 2012-03-10,
    first IEP 2025-11-14 (age 13): the IEP in effect on 2026-03-10 must carry it."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), ruleset="us-tx")
    k = det(engine, c, "2026-01-01", "us-tx").clock("transition_services")
    assert (k.due, k.status) == (D("2026-03-10"), "pending")
    assert "29.0111" in k.citation or "29.0111" in k.reason


def test_tx_transition_age_14_starts_2011_06_17(engine):
    """SB 1788 added 29.0111 effective 2011-06-17: on 2011-06-16 the federal 16 still applies."""
    rs = engine.rulesets.get("us-tx")
    assert rs.value("part_b.transition_services_age", D("2011-06-16")) == 16
    assert rs.value("part_b.transition_services_age", D("2011-06-17")) == 14


# Part B initial evaluation ----------------------------------------------------------------


def test_tx_29_004_45_school_days_from_2013_09_01_60_calendar_days_before(engine):
    """Tex. Educ. Code 29.004(a)(1) (SB 816): 45 school days from consent on and after
    2013-09-01; the federal 60 calendar days before then."""
    rs = engine.rulesets.get("us-tx")
    before = rs.value("part_b.initial_evaluation", D("2013-08-31"))
    after = rs.value("part_b.initial_evaluation", D("2013-09-01"))
    assert (before["length"], before["unit"]) == (60, "calendar_days")
    assert (after["length"], after["unit"]) == (45, "school_days")


# Part C service start ---------------------------------------------------------------------


def test_il_service_start_within_30_days_of_consent(engine):
    """IDHS, EI Timelines and Your Rights: services no more than 30 days after the parent
    agrees to the IFSP. Consent 2026-01-05 + 30 calendar days (89 Ill. Adm. Code 500.20) =
    2026-02-04."""
    c = case(
        engine,
        birth="2025-03-01",
        ruleset="us-il",
        events=[
            ("referral_received", "2025-11-20"),
            ("ifsp_meeting_held", "2026-01-05"),
            ("consent_for_services", "2026-01-05", {"service": "speech_therapy"}),
        ],
    )
    k = det(engine, c, "2026-01-20", "us-il").clock("service_start")
    assert (k.due, k.status) == (D("2026-02-04"), "pending")
    late = case(
        engine,
        birth="2025-03-01",
        ruleset="us-il",
        events=[
            ("referral_received", "2025-11-20"),
            ("ifsp_meeting_held", "2026-01-05"),
            ("consent_for_services", "2026-01-05", {"service": "speech_therapy"}),
            ("service_started", "2026-02-05", {"service": "speech_therapy"}),
        ],
    )
    assert det(engine, late, "2026-03-01", "us-il").clock("service_start").status == "met_late"
