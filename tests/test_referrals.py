"""Referrals: who refers the child where, by when and why (303.303, 303.209(b))."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from helpers import case
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.errors import EirulesError
from eirules.plugins.part_c.notification import referral_status

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
    """303.209(b)(1)(iii): referred 32 days before the third birthday (2027-11-02): refer to the
    SEA and LEA with consent. The paragraph sets no date; the last day Part C serves the toddler
    is the day before the third birthday (303.21(a): "under three"), so by 2027-11-01."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2027-10-01")], ruleset="us")
    r = referrals(engine, c, "2027-10-02")["part_b_referral_late"]
    assert r.citation == "34 CFR 303.209(b)(1)(iii)"
    assert "with parental consent (303.414)" in r.reason
    assert r.by == D("2027-11-01")


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


# --- One source of truth: the part_b_notification referral follows the clock (303.209(b)) ---

SYN_C_0003 = Path(__file__).resolve().parent.parent / "examples" / "caseload" / "SYN-C-0003.json"


def _syn_c_0003(engine):
    return engine.load_case(SYN_C_0003)


def test_syn_c_0003_notification_before_the_third_birthday_is_owed_as_soon_as_possible(engine):
    """303.209(b)(1)(i)-(ii): SYN-C-0003, born 2023-07-20 (third birthday 2026-07-20), referred
    2026-02-16 (154 days before), never found eligible. The 90-day date 2026-04-21 passed with no
    eligibility determination, so the notice is owed as soon as possible after it: on 2026-05-01
    the clock is pending with no date and the referral is still to make, from the same reading."""
    d = engine.evaluate(_syn_c_0003(engine), "us", D("2026-05-01"))
    k = d.clock("transition_notification")
    assert (k.status, k.due, k.citation) == ("pending", None, "34 CFR 303.209(b)(1)(ii)")
    r = {r.id: r for r in d.referrals}["part_b_notification"]
    assert (r.status, r.by, r.citation) == ("to_make", None, "34 CFR 303.209(b)(1)(ii)")


def test_syn_c_0003_notification_never_made_is_late_after_the_third_birthday(engine):
    """303.209(b)(1): the notice tells the SEA and LEA that the toddler "on his or her third
    birthday will reach the age of eligibility" for Part B, so it can only be made before
    2026-07-20. SYN-C-0003's was never made: as of 2026-12-02 the clock is overdue, closed on the
    birthday (not `not_applicable`), and the referral is `not_made` (no longer "to make"), with
    the same citation and reason."""
    d = engine.evaluate(_syn_c_0003(engine), "us", D("2026-12-02"))
    k = d.clock("transition_notification")
    assert (k.status, k.closed_on, k.is_open) == ("overdue", D("2026-07-20"), False)
    assert (
        "no Part C eligibility determination is on file and the notification was not made"
        in k.reason
    )
    r = {r.id: r for r in d.referrals}["part_b_notification"]
    assert (r.status, r.citation, r.reason) == ("not_made", k.citation, k.reason)


def test_notification_missed_at_90_days_stays_late_after_the_birthday(engine):
    """303.209(b)(1)(i): born 2024-11-02, found eligible 2026-02-01, notice due 2027-08-04 and
    never sent. On 2027-09-01 the referral is still to make (overdue); from the third birthday
    2027-11-02 the clock is overdue and closed that day, and the referral `not_made`, by 2027-08-04."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2026-01-05"),
            ("eligibility_determined", "2026-02-01", {"outcome": "eligible"}),
            ("ifsp_meeting_held", "2026-02-10"),
        ],
        ruleset="us",
    )
    assert referrals(engine, c, "2027-09-01")["part_b_notification"].status == "to_make"
    d = engine.evaluate(c, "us", D("2027-11-20"))
    k = d.clock("transition_notification")
    assert (k.status, k.due, k.closed_on) == ("overdue", D("2027-08-04"), D("2027-11-02"))
    r = {r.id: r for r in d.referrals}["part_b_notification"]
    assert (r.status, r.by) == ("not_made", D("2027-08-04"))


def test_notification_sent_after_the_birthday_is_made_late(engine):
    """303.209(b)(1)(ii): found eligible 2027-09-03, 60 days before the third birthday 2027-11-02;
    the notice sent on 2027-11-05, after Part C ended, is `met_late`; the referral is made."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-07-25"),
            ("eligibility_determined", "2027-09-03", {"outcome": "eligible"}),
            ("transition_notification_sent", "2027-11-05"),
        ],
        ruleset="us",
    )
    d = engine.evaluate(c, "us", D("2027-11-20"))
    k = d.clock("transition_notification")
    assert (k.status, k.met_on) == ("met_late", D("2027-11-05"))
    assert {r.id: r for r in d.referrals}["part_b_notification"].status == "made"


def test_late_referral_to_the_school_not_made_by_the_birthday_is_not_made(engine):
    """303.209(b)(1)(iii): referred 2027-10-01, 32 days before the third birthday 2027-11-02, and
    never referred on: as of 2027-11-10 the referral is `not_made` (late), not still "to make"."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2027-10-01")], ruleset="us")
    r = referrals(engine, c, "2027-11-10")["part_b_referral_late"]
    assert (r.status, r.by) == ("not_made", D("2027-11-01"))
    assert "Part C ended on 2027-11-02" in r.reason


def test_primary_referral_due_after_the_birthday_is_not_required_once_part_c_ends(engine):
    """303.303(a)(2)(i), 303.21(a): identified 2027-10-30, referral due 2027-11-06, after the third
    birthday 2027-11-02: from the birthday there is no Part C to refer to (`not_required`); one
    identified 2027-10-01 (due 2027-10-08) and never referred is `not_made`."""
    late = case(
        engine, birth="2024-11-02", events=[("child_identified", "2027-10-30")], ruleset="us"
    )
    assert referrals(engine, late, "2027-11-10")["primary_referral"].status == "not_required"
    missed = case(
        engine, birth="2024-11-02", events=[("child_identified", "2027-10-01")], ruleset="us"
    )
    r = referrals(engine, missed, "2027-11-10")["primary_referral"]
    assert (r.status, r.by) == ("not_made", D("2027-10-08"))


BIRTH = D("2024-11-02")  # third birthday 2027-11-02
THIRD = D("2027-11-02")
_before = st.integers(0, 400).map(lambda n: THIRD - timedelta(days=n))


@st.composite
def transition_cases(draw):
    """A toddler referred 0-400 days before the third birthday, with or without the later steps."""
    events = [("referral_received", draw(_before).isoformat())]
    for type_, extra in (
        (
            "eligibility_determined",
            {"outcome": draw(st.sampled_from(["eligible", "not_eligible"]))},
        ),
        ("ifsp_meeting_held", {}),
        ("transition_notification_sent", {}),
        ("exited", {}),
        ("part_b_potential_eligibility", {"outcome": "not_potentially_eligible"}),
    ):
        if draw(st.booleans()):
            day = draw(st.integers(-400, 30).map(lambda n: THIRD + timedelta(days=n)))
            events.append((type_, day.isoformat(), extra))
    return events, draw(st.integers(-300, 120).map(lambda n: THIRD + timedelta(days=n)))


@given(transition_cases())
def test_part_b_notification_referral_always_agrees_with_its_clock(engine, drawn):
    """303.209(b)(1)(i)-(ii): the referral entry and the clock are one reading, as of any date;
    once Part C has ended (303.21(a)) no Part C referral is still "to make" and no clock is open."""
    events, as_of = drawn
    try:
        c = case(engine, birth=BIRTH.isoformat(), events=events, ruleset="us")
    except EirulesError:
        return  # e.g. an event before the referral the case file refuses
    d = engine.evaluate(c, "us", as_of)
    k = d.clock("transition_notification")
    r = {r.id: r for r in d.referrals}.get("part_b_notification")
    if k is not None and r is not None:
        assert r.status == referral_status(k), (k, r)
        assert r.by == k.due or r.status == "not_required"
    if as_of >= THIRD:
        assert not [x for x in d.referrals if x.program == "part_c" and x.status == "to_make"]
        assert not [x for x in d.clocks if x.program == "part_c" and x.is_open]


def test_found_not_eligible_owes_no_transition_steps_after_the_birthday_either(engine):
    """303.322, 303.209(b)-(d): born 2024-11-02, referred 2027-05-01, found not eligible by the
    team on 2027-06-01. Before the third birthday (2027-11-02) no transition clock runs; after
    it neither: the notification, conference and plan are owed to a toddler with a disability,
    so none appears late and there is no referral to the SEA and LEA."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-05-01"),
            ("eligibility_determined", "2027-06-01", {"outcome": "not_eligible"}),
        ],
        ruleset="us",
    )
    for as_of in ("2027-10-01", "2027-12-01"):
        d = engine.evaluate(c, "us", D(as_of))
        assert not [k for k in d.clocks if k.id.startswith("transition_")], as_of
        assert "part_b_notification" not in {r.id for r in d.referrals}, as_of
