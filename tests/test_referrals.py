"""Referrals: who refers the child where, by when and why (303.303, 303.209(b))."""

from __future__ import annotations

from datetime import date

from helpers import case

D = date.fromisoformat


def referrals(engine, c, as_of, ruleset="us"):
    return {r.id: r for r in engine.evaluate(c, ruleset, D(as_of)).referrals}


def test_primary_referral_within_7_days_of_identification(engine):
    """303.303(a)(2)(i): identified 2026-01-05 (day 0), refer no later than 2026-01-12."""
    c = case(
        engine,
        birth="2025-03-01",
        events=[("child_identified", "2026-01-05", {"note": "pediatrician"})],
        ruleset="us",
    )
    r = referrals(engine, c, "2026-01-06")["primary_referral"]
    assert (r.by, r.status, r.citation) == (D("2026-01-12"), "to_make", "34 CFR 303.303(a)(2)(i)")
    assert r.referrer == "the primary referral source (pediatrician)"
    assert r.to == "the Part C lead agency or an EIS provider"


def test_primary_referral_made_late_says_so(engine):
    """303.303(a)(2)(i): received on day 9 (2026-01-14): made, and the reason says it was late."""
    c = case(
        engine,
        birth="2025-03-01",
        events=[("child_identified", "2026-01-05"), ("referral_received", "2026-01-14")],
        ruleset="us",
    )
    r = referrals(engine, c, "2026-01-20")["primary_referral"]
    assert r.status == "made"
    assert "referral received 2026-01-14 (late)" in r.reason


def test_substantiated_abuse_requires_referral(engine):
    """303.303(b)(1): a child under 3 in a substantiated case of abuse or neglect must be referred."""
    c = case(
        engine,
        birth="2025-03-01",
        events=[("abuse_or_neglect_substantiated", "2026-02-02")],
        ruleset="us",
    )
    r = referrals(engine, c, "2026-02-03")["required_referral.abuse_or_neglect_substantiated"]
    assert (r.by, r.status) == (D("2026-02-09"), "to_make")
    assert "303.303(b)" in r.citation


def test_substance_exposure_recorded_as_risk_factor_requires_referral(engine):
    """303.303(b)(2): directly affected by illegal substance abuse, recorded as a child risk factor."""
    c = case(
        engine, birth="2025-11-01", risk=("affected_by_illegal_substance_abuse",), ruleset="us"
    )
    r = referrals(engine, c, "2025-11-05")["required_referral.affected_by_illegal_substance_abuse"]
    assert r.status == "to_make"
    assert r.citation == "34 CFR 303.303(b)"


def test_no_required_referral_at_or_after_age_3(engine):
    """303.303(b) covers children under 3 only."""
    c = case(
        engine,
        birth="2022-01-01",
        events=[("abuse_or_neglect_substantiated", "2025-02-02")],
        ruleset="us",
    )
    assert "required_referral.abuse_or_neglect_substantiated" not in referrals(
        engine, c, "2025-02-03"
    )


def test_part_b_notification_by_90_days_before_third_birthday(engine):
    """303.209(b)(1)(i): third birthday 2027-11-02, notify the SEA and LEA by 2027-08-04."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2026-01-05")], ruleset="us")
    r = referrals(engine, c, "2026-02-01")["part_b_notification"]
    assert (r.by, r.status, r.to) == (
        D("2027-08-04"),
        "to_make",
        "the SEA and the LEA where the toddler resides",
    )
    sent = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2026-01-05"),
            ("transition_notification_sent", "2027-07-01"),
        ],
        ruleset="us",
    )
    assert referrals(engine, sent, "2027-07-02")["part_b_notification"].status == "made"


def test_late_referral_goes_to_the_school_with_consent(engine):
    """303.209(b)(1)(iii): referred 32 days before the third birthday: refer to SEA and LEA with consent."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2027-10-01")], ruleset="us")
    r = referrals(engine, c, "2027-10-02")["part_b_referral_late"]
    assert r.citation == "34 CFR 303.209(b)(1)(iii)"
    assert "with parental consent (303.414)" in r.reason
    assert r.by == D("2027-11-02")


def test_45_to_90_day_referral_notifies_as_soon_as_possible(engine):
    """303.209(b)(1)(ii): no fixed date; as soon as possible after the eligibility determination."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2027-08-20")], ruleset="us")
    r = referrals(engine, c, "2027-08-21")["part_b_notification"]
    assert (r.by, r.citation) == (None, "34 CFR 303.209(b)(1)(ii)")
    assert "as soon as possible" in r.reason


def test_not_potentially_eligible_needs_no_notification(engine):
    """303.209(b)(1): the notification duty is for toddlers potentially eligible for Part B."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2026-01-05"),
            ("part_b_potential_eligibility", "2027-01-05", {"outcome": "not_potentially_eligible"}),
        ],
        ruleset="us",
    )
    assert referrals(engine, c, "2027-02-01")["part_b_notification"].status == "not_required"
