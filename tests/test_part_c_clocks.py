"""Part C clocks with exact dates, each worked from its paragraph of 34 CFR Part 303."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import case

D = date.fromisoformat


def clock(engine, c, clock_id, as_of, ruleset="us", subject=None):
    det = engine.evaluate(c, ruleset, D(as_of))
    found = [
        k for k in det.clocks if k.id == clock_id and (subject is None or k.subject == subject)
    ]
    assert found, f"no {clock_id} clock in {[k.id for k in det.clocks]}"
    return found[0]


def pc(engine, *events, birth="2024-11-02", ruleset="us", **kw):
    return case(engine, birth=birth, events=events, ruleset=ruleset, **kw)


# 303.310: the 45-day timeline -------------------------------------------------------


@pytest.mark.parametrize(
    "referral, due, why",
    [
        (
            "2026-01-05",
            "2026-02-19",
            "day 0 is the referral day: January has 26 days left, 45 - 26 = 19",
        ),
        (
            "2025-12-20",
            "2026-02-03",
            "crosses the year boundary: 11 days to Dec 31, 31 in January, 3 in February",
        ),
        ("2024-01-31", "2024-03-16", "leap year: February 2024 has 29 days"),
        ("2025-01-31", "2025-03-17", "common year: February 2025 has 28 days"),
    ],
)
def test_initial_ifsp_meeting_due_45_days_after_referral(engine, referral, due, why):
    """303.310(a): evaluation, assessments and the initial IFSP meeting within 45 days of the referral."""
    c = pc(engine, ("referral_received", referral), birth="2023-12-01")
    k = clock(engine, c, "initial_ifsp_meeting", referral)
    assert (k.start, k.due) == (D(referral), D(due)), why


def test_meeting_on_the_due_date_is_met_and_a_day_later_is_met_late(engine):
    """303.310(a): "within 45 days": 2026-02-19 is the last compliant day for a 2026-01-05 referral."""
    on_time = pc(engine, ("referral_received", "2026-01-05"), ("ifsp_meeting_held", "2026-02-19"))
    late = pc(engine, ("referral_received", "2026-01-05"), ("ifsp_meeting_held", "2026-02-20"))
    assert clock(engine, on_time, "initial_ifsp_meeting", "2026-03-01").status == "met"
    k = clock(engine, late, "initial_ifsp_meeting", "2026-03-01")
    assert (k.status, k.met_on) == ("met_late", D("2026-02-20"))


def test_statuses_pending_due_soon_overdue(engine):
    """Status on a date: 14 or fewer days left is due soon (the ruleset's clocks.due_soon_days)."""
    c = pc(engine, ("referral_received", "2026-01-05"))
    assert clock(engine, c, "initial_ifsp_meeting", "2026-02-04").status == "pending"
    assert clock(engine, c, "initial_ifsp_meeting", "2026-02-05").status == "due_soon"
    assert clock(engine, c, "initial_ifsp_meeting", "2026-02-19").status == "due_soon"
    assert clock(engine, c, "initial_ifsp_meeting", "2026-02-20").status == "overdue"


def test_documented_family_circumstances_excuse_a_late_meeting(engine):
    """303.310(b)(1): the timeline does not apply for documented exceptional family circumstances."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        (
            "delay",
            "2026-02-10",
            {"reason": "exceptional_family_circumstances", "until": "2026-02-25"},
        ),
        ("ifsp_meeting_held", "2026-03-02"),
    )
    k = clock(engine, c, "initial_ifsp_meeting", "2026-03-05")
    assert (k.status, k.excused_by) == ("late_excused", "exceptional_family_circumstances")


def test_agency_reasons_never_excuse(engine):
    """303.310(b) names only family circumstances and missing consent; staffing is the agency's delay."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("delay", "2026-02-10", {"reason": "agency_reason"}),
    )
    assert clock(engine, c, "initial_ifsp_meeting", "2026-03-05").status == "overdue"


def test_consent_withdrawn_closes_the_clock(engine):
    """303.420: without consent there is no evaluation; the open clock closes as not applicable."""
    c = pc(engine, ("referral_received", "2026-01-05"), ("consent_withdrawn", "2026-01-20"))
    k = clock(engine, c, "initial_ifsp_meeting", "2026-03-01")
    assert k.status == "not_applicable"
    assert "consent withdrawn on 2026-01-20" in k.reason


def test_moved_out_closes_the_clock_but_not_one_already_overdue(engine):
    """A move closes open clocks; a clock already overdue when the child moved stays overdue."""
    early = pc(engine, ("referral_received", "2026-01-05"), ("moved_out", "2026-02-01"))
    assert clock(engine, early, "initial_ifsp_meeting", "2026-03-01").status == "not_applicable"
    late = pc(engine, ("referral_received", "2026-01-05"), ("moved_out", "2026-02-25"))
    k = clock(engine, late, "initial_ifsp_meeting", "2026-03-01")
    assert k.status == "overdue"
    assert "already overdue when moved out on 2026-02-25" in k.reason
    # The lateness stands for reporting (303.310, SPP/APR C7), but nothing is owed now.
    assert (k.closed_on, k.is_open) == (date(2026, 2, 25), False)
    assert clock(engine, early, "initial_ifsp_meeting", "2026-03-01").closed_on is None


def test_not_eligible_finding_stops_the_45_day_clock_on_time(engine):
    """303.310(a), 303.322: referral 2026-01-05, due 2026-02-19; found not eligible 2026-02-01.
    The determination ends the timeline within the 45 days: met, no IFSP meeting owed."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("eligibility_determined", "2026-02-01", {"outcome": "not_eligible"}),
    )
    k = clock(engine, c, "initial_ifsp_meeting", "2026-03-01")
    assert (k.status, k.due, k.met_on) == ("met", D("2026-02-19"), D("2026-02-01"))
    assert "no IFSP meeting is required" in k.reason and not k.is_open


def test_not_eligible_finding_after_45_days_stays_late(engine):
    """303.310(a): a child found not eligible still had 45 days for screening and evaluation.
    Referral 2026-01-05 (due 2026-02-19), determination 2026-03-02: met_late, not
    not_applicable (what SPP/APR C7 counts)."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("eligibility_determined", "2026-03-02", {"outcome": "not_eligible"}),
    )
    k = clock(engine, c, "initial_ifsp_meeting", "2026-04-01")
    assert (k.status, k.met_on) == ("met_late", D("2026-03-02"))


# Episodes: every referral its own 45 days (303.310(a)) ------------------------------


def test_episodes_303_310_a_referral_after_exit_has_its_own_45_days(engine):
    """303.310(a) runs from "the referral": referred 2025-06-02, IFSP 2025-07-01, exited
    2025-09-30, referred again 2026-01-05. The new referral is due 2026-02-19 (pending);
    the first episode's clock (met) stays in the history with its episode."""
    c = pc(
        engine,
        ("referral_received", "2025-06-02"),
        ("ifsp_meeting_held", "2025-07-01"),
        ("exited", "2025-09-30"),
        ("referral_received", "2026-01-05"),
    )
    det = engine.evaluate(c, "us", D("2026-01-20"))
    k = det.clock("initial_ifsp_meeting")
    assert (k.start, k.due, k.status, k.episode) == (
        D("2026-01-05"),
        D("2026-02-19"),
        "pending",
        "part_c.2",
    )
    [old] = [h for h in det.history if h.id == "initial_ifsp_meeting"]
    assert (old.start, old.due, old.status, old.episode) == (
        D("2025-06-02"),
        D("2025-07-17"),
        "met",
        "part_c.1",
    )
    first, second = det.episodes
    assert (first.id, first.start, first.end, first.ended_by, first.current) == (
        "part_c.1",
        D("2025-06-02"),
        D("2025-09-30"),
        "exited",
        False,
    )
    assert (second.id, second.start, second.started_by, second.end, second.current) == (
        "part_c.2",
        D("2026-01-05"),
        "referral_received",
        None,
        True,
    )


def test_episodes_303_310_a_moved_out_and_came_back(engine):
    """303.310(a): referred 2025-10-01, moved out 2025-10-20 (before the meeting), referred
    again 2026-01-05: a new 45-day clock, due 2026-02-19. The first one closed before its
    due date (not applicable, in the history)."""
    c = pc(
        engine,
        ("referral_received", "2025-10-01"),
        ("moved_out", "2025-10-20"),
        ("referral_received", "2026-01-05"),
    )
    det = engine.evaluate(c, "us", D("2026-03-01"))
    k = det.clock("initial_ifsp_meeting")
    assert (k.due, k.status) == (D("2026-02-19"), "overdue")
    [old] = [h for h in det.history if h.id == "initial_ifsp_meeting"]
    assert (old.status, old.episode) == ("not_applicable", "part_c.1")
    assert "moved out on 2025-10-20" in old.reason


def test_episodes_303_310_a_not_eligible_then_referred_again(engine):
    """303.310(a), 303.322: found not eligible 2025-11-10 (referred 2025-10-01, due
    2025-11-15: met); referred again 2026-01-05. The new referral has its own deadline
    (due 2026-02-19) and the earlier finding does not decide the new episode's
    eligibility (needs information until it is evaluated again)."""
    c = pc(
        engine,
        ("referral_received", "2025-10-01"),
        ("eligibility_determined", "2025-11-10", {"outcome": "not_eligible"}),
        ("referral_received", "2026-01-05"),
    )
    det = engine.evaluate(c, "us", D("2026-01-20"))
    k = det.clock("initial_ifsp_meeting")
    assert (k.due, k.status, k.episode) == (D("2026-02-19"), "pending", "part_c.2")
    [old] = [h for h in det.history if h.id == "initial_ifsp_meeting"]
    assert (old.due, old.status, old.met_on) == (D("2025-11-15"), "met", D("2025-11-10"))
    assert det.episodes[0].ended_by == "eligibility_determined"
    assert det.eligibility_for("part_c").outcome == "needs_information"


def test_episodes_a_second_referral_during_an_open_episode_opens_none(engine):
    """A referral while the first is still being handled is the same episode: one clock."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("referral_received", "2026-01-12"),
    )
    det = engine.evaluate(c, "us", D("2026-01-20"))
    assert [e.id for e in det.episodes] == ["part_c.1"] and det.history == ()
    assert det.clock("initial_ifsp_meeting").due == D("2026-02-19")


# 303.342(e): services, per service --------------------------------------------------


def test_service_start_has_no_federal_number(engine):
    """303.342(e): "as soon as possible"; the baseline sets no number, so the clock is not applicable and says why."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("consent_for_services", "2026-02-10", {"service": "speech therapy"}),
    )
    k = clock(engine, c, "service_start", "2026-03-01")
    assert k.status == "not_applicable"
    assert "sets no value for part_c.service_start" in k.reason
    assert "as soon as possible" in k.reason


def test_service_start_per_service_with_a_state_number(xs_engine):
    """303.342(e) with the state's 30 days: consent 2026-03-02, due 2026-04-01, one clock per service."""
    c = pc(
        xs_engine,
        ("referral_received", "2026-01-05"),
        ("consent_for_services", "2026-03-02", {"service": "speech therapy"}),
        ("consent_for_services", "2026-03-02", {"service": "physical therapy"}),
        ("service_started", "2026-03-20", {"service": "speech therapy"}),
        ruleset="xs",
    )
    speech = clock(xs_engine, c, "service_start", "2026-04-02", "xs", "speech therapy")
    pt = clock(xs_engine, c, "service_start", "2026-04-02", "xs", "physical therapy")
    assert (speech.due, speech.status) == (D("2026-04-01"), "met")
    assert (pt.due, pt.status) == (D("2026-04-01"), "overdue")


def test_consent_withdrawn_for_one_service_closes_only_that_service(xs_engine):
    """303.420(d): a parent may decline one service without affecting the others."""
    c = pc(
        xs_engine,
        ("referral_received", "2026-01-05"),
        ("consent_for_services", "2026-03-02", {"service": "speech therapy"}),
        ("consent_for_services", "2026-03-02", {"service": "physical therapy"}),
        ("consent_withdrawn", "2026-03-10", {"service": "physical therapy"}),
        ruleset="xs",
    )
    assert (
        clock(xs_engine, c, "service_start", "2026-04-02", "xs", "physical therapy").status
        == "not_applicable"
    )
    assert (
        clock(xs_engine, c, "service_start", "2026-04-02", "xs", "speech therapy").status
        == "overdue"
    )
    assert clock(xs_engine, c, "initial_ifsp_meeting", "2026-02-01", "xs").status == "pending"


# 303.342(b), (c): reviews ---------------------------------------------------------------


def test_periodic_review_from_31_august_clamps_to_28_february(engine):
    """303.342(b)(1): six months after 2024-08-31 is 2025-02-28 (end-of-month clamping)."""
    c = pc(
        engine,
        ("referral_received", "2024-07-20"),
        ("ifsp_meeting_held", "2024-08-31"),
        birth="2023-06-01",
    )
    k = clock(engine, c, "ifsp_periodic_review", "2024-12-01")
    assert (k.start, k.due) == (D("2024-08-31"), D("2025-02-28"))
    annual = clock(engine, c, "ifsp_annual_meeting", "2024-12-01")
    assert annual.due == D("2025-08-31")


def test_annual_meeting_resets_both_clocks(engine):
    """303.342(b)-(c): an annual meeting held 2025-02-20 is also the six-month review (Connecticut
    guidance); the next review is due 2025-08-20 and the next annual 2026-02-20."""
    c = pc(
        engine,
        ("referral_received", "2024-01-10"),
        ("ifsp_meeting_held", "2024-02-20"),
        ("ifsp_review_held", "2024-08-15"),
        ("ifsp_annual_meeting_held", "2025-02-20"),
        birth="2023-06-01",
    )
    review = clock(engine, c, "ifsp_periodic_review", "2025-03-01")
    annual = clock(engine, c, "ifsp_annual_meeting", "2025-03-01")
    assert (review.start, review.due, review.status) == (
        D("2025-02-20"),
        D("2025-08-20"),
        "pending",
    )
    assert (annual.start, annual.due) == (D("2025-02-20"), D("2026-02-20"))


def test_late_review_is_met_late(engine):
    """303.342(b): IFSP 2025-01-10, review due 2025-07-10, held 2025-07-15: met late, as of the day before the next."""
    c = pc(
        engine,
        ("referral_received", "2024-12-01"),
        ("ifsp_meeting_held", "2025-01-10"),
        ("ifsp_review_held", "2025-07-15"),
        birth="2024-01-01",
    )
    k = clock(engine, c, "ifsp_periodic_review", "2025-07-14")
    assert k.status == "overdue"
    now = clock(engine, c, "ifsp_periodic_review", "2025-08-01")
    assert (now.start, now.due) == (D("2025-07-15"), D("2026-01-15"))
    assert "held late on 2025-07-15" in now.reason


def test_review_due_after_the_third_birthday_is_not_applicable(engine):
    """303.21(a): Part C ends on the third birthday (2027-11-02); a review due 2028-01-10 never falls due."""
    c = pc(engine, ("referral_received", "2027-05-01"), ("ifsp_meeting_held", "2027-07-10"))
    k = clock(engine, c, "ifsp_periodic_review", "2027-08-01")
    assert k.status == "not_applicable"
    assert "Part C ends" in k.reason


# 303.209: transition -------------------------------------------------------------------


def test_transition_dates_count_back_from_the_third_birthday(engine):
    """303.209(b)-(d): born 2024-11-02, third birthday 2027-11-02; notification, conference and plan
    not fewer than 90 days before (2027-08-04), conference and plan not more than 9 months before (2027-02-02)."""
    c = pc(engine, ("referral_received", "2026-01-05"))
    det = engine.evaluate(c, "us", D("2026-02-01"))
    n, conf, plan = (
        det.clock(i)
        for i in ("transition_notification", "transition_conference", "transition_plan")
    )
    assert n.due == conf.due == plan.due == D("2027-08-04")
    assert conf.opens == plan.opens == D("2027-02-02")
    assert n.opens is None


def test_leap_day_third_birthday(engine):
    """No IDEA rule for 29 February: the baseline's dates.leap_day_birthday = feb28 makes the third
    birthday of a child born 2024-02-29 fall on 2027-02-28; 90 days before is 2026-11-30 and nine
    months before is 2026-05-28."""
    c = pc(engine, ("referral_received", "2025-01-10"), birth="2024-02-29")
    det = engine.evaluate(c, "us", D("2025-02-01"))
    conf = det.clock("transition_conference")
    assert (conf.opens, conf.due) == (D("2026-05-28"), D("2026-11-30"))


def test_conference_held_in_the_window_is_met(engine):
    """303.209(c)(1): a conference on 2027-05-01 is inside 2027-02-02..2027-08-04."""
    c = pc(
        engine, ("referral_received", "2026-01-05"), ("transition_conference_held", "2027-05-01")
    )
    assert clock(engine, c, "transition_conference", "2027-06-01").status == "met"


def test_referral_fewer_than_45_days_before_third_birthday(engine):
    """303.209(b)(1)(iii): referred 2027-10-01, 32 days before 2027-11-02: no evaluation, assessment
    or initial IFSP meeting is required; the 45-day clock does not open."""
    c = pc(engine, ("referral_received", "2027-10-01"))
    det = engine.evaluate(c, "us", D("2027-10-05"))
    k = det.clock("initial_ifsp_meeting")
    assert k.status == "not_applicable"
    assert "32 days before the third birthday" in k.reason
    assert det.clock("transition_notification") is None
    assert det.clock("transition_conference").status == "not_applicable"


def test_referral_45_to_90_days_before_third_birthday(engine):
    """303.209(b)(1)(ii): referred 2027-08-20 (74 days before 2027-11-02): the 45-day clock runs
    (due 2027-10-04) and the notification is due as soon as possible after eligibility, not by a date."""
    c = pc(
        engine,
        ("referral_received", "2027-08-20"),
        ("eligibility_determined", "2027-09-15", {"outcome": "eligible"}),
    )
    assert clock(engine, c, "initial_ifsp_meeting", "2027-08-21").due == D("2027-10-04")
    before = clock(engine, c, "transition_notification", "2027-09-01")
    assert (before.status, before.due) == ("pending", None)
    after = clock(engine, c, "transition_notification", "2027-09-16")
    assert (after.status, after.start, after.citation) == (
        "due_soon",
        D("2027-09-15"),
        "34 CFR 303.209(b)(1)(ii)",
    )
    conf = clock(engine, c, "transition_conference", "2027-09-16")
    assert (conf.status, conf.due) == ("due_soon", None)
    assert "after this deadline (2027-08-04) had passed" in conf.reason


def test_late_referral_74_days_before_conference_and_plan_still_owed_as_soon_as_possible(engine):
    """303.209(c)(1), (d)(2): referred 2027-08-20, 74 days before the third birthday 2027-11-02,
    after the 90-day date 2027-08-04. The regulation makes no exception for late referrals
    (Preamble 2011 on 303.209 only says the dates may be impossible to meet), so the conference
    and the plan are still owed: no date, `due_soon` from the referral (listed by `due`), not
    `not_applicable`; held on 2027-09-30 they are `met`, not late against 2027-08-04. A plan
    never established by the third birthday is late (overdue, closed on the birthday): the plan
    is established "before the toddler's third birthday" (303.209(d)(2))."""
    c = pc(
        engine,
        ("referral_received", "2027-08-20"),
        ("eligibility_determined", "2027-09-15", {"outcome": "eligible"}),
    )
    for name in ("transition_conference", "transition_plan"):
        owed = clock(engine, c, name, "2027-08-21")
        assert (owed.status, owed.start, owed.due) == ("due_soon", D("2027-08-20"), None), name
        assert owed.is_open, name
    held = pc(
        engine,
        ("referral_received", "2027-08-20"),
        ("eligibility_determined", "2027-09-15", {"outcome": "eligible"}),
        ("transition_conference_held", "2027-09-30"),
    )
    done = clock(engine, held, "transition_conference", "2027-10-01")
    assert (done.status, done.met_on, done.due) == ("met", D("2027-09-30"), None)
    # Part C ends on the third birthday with the plan never established: late, and no longer owed.
    ended = clock(engine, c, "transition_plan", "2027-11-02")
    assert (ended.status, ended.due, ended.closed_on) == ("overdue", None, D("2027-11-02"))
    assert not ended.is_open
    assert "the plan was not established before Part C ended on 2027-11-02" in ended.reason


def test_referral_exactly_45_days_before_is_not_under_45(engine):
    """303.209(b)(1)(iii) says "fewer than 45 days": 45 days before (2027-09-18) is not a late referral."""
    c = pc(engine, ("referral_received", "2027-09-18"))
    k = clock(engine, c, "initial_ifsp_meeting", "2027-09-19")
    assert (k.status, k.due) == ("pending", D("2027-11-02"))


def test_referral_within_135_days_flags_transition_at_the_initial_ifsp(engine):
    """Preamble 2011 on 303.209: referred 2027-07-01 (124 days before), the conference deadline
    (2027-08-04) comes before the 45-day deadline (2027-08-15): discuss transition at the initial IFSP."""
    c = pc(engine, ("referral_received", "2027-07-01"))
    k = clock(engine, c, "transition_conference", "2027-07-02")
    assert "discuss transition at the initial IFSP meeting" in k.reason


def test_not_potentially_eligible_for_part_b(engine):
    """303.209(b)(1), (c)(2): no SEA/LEA notification; a reasonable-efforts conference with other
    providers instead; the transition plan is still required (303.209(d))."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        ("part_b_potential_eligibility", "2026-06-01", {"outcome": "not_potentially_eligible"}),
    )
    det = engine.evaluate(c, "us", D("2026-07-01"))
    assert det.clock("transition_notification").status == "not_applicable"
    assert det.clock("transition_conference").status == "not_applicable"
    assert det.clock("transition_plan").status == "pending"


def test_extension_moves_transition_clocks_to_the_end_of_part_c(xs_engine):
    """303.211(b)(6) (Preamble 2011): with the extension, transition is counted back from the day
    Part C ends, here the fifth birthday 2029-11-02: 90 days before is 2029-08-04."""
    c = pc(
        xs_engine,
        ("referral_received", "2026-01-05"),
        ("extension_elected", "2027-06-01"),
        ruleset="xt",
        conditions=[{"name": "Down syndrome"}],
    )
    k = clock(xs_engine, c, "transition_plan", "2027-07-01", "xt")
    assert k.due == D("2029-08-04")


def test_after_the_third_birthday_transition_clocks_still_show_how_they_ended(engine):
    """Aged out is not "not eligible on the merits": a conference held 2027-05-01 stays met after 2027-11-02."""
    c = pc(
        engine, ("referral_received", "2026-01-05"), ("transition_conference_held", "2027-05-01")
    )
    det = engine.evaluate(c, "us", D("2027-12-01"))
    assert det.eligibility_for("part_c").outcome == "not_eligible"
    assert det.clock("transition_conference").status == "met"
    assert det.clock("transition_plan").status == "overdue"


def test_referral_exactly_90_days_before_is_the_normal_rule(engine):
    """303.209(b)(1)(ii) says "less than 90": referred 2027-08-04, exactly 90 days before 2027-11-02,
    falls under (b)(1)(i): the notification is due that same day."""
    c = pc(engine, ("referral_received", "2027-08-04"))
    k = clock(engine, c, "transition_notification", "2027-08-04")
    assert (k.due, k.status, k.citation) == (D("2027-08-04"), "due_soon", "34 CFR 303.209(b)(1)(i)")


# 303.310(b), (c)(2): excuses cover their period ----------------------------------------


def test_excuse_303_310_b_a_two_day_emergency_does_not_excuse_months(engine):
    """303.310(b) excludes "any period when" exceptional family circumstances exist, and
    (c)(2) asks for the meeting "as soon as possible after". Referral 2026-01-05, due
    2026-02-19; the family was unavailable 2026-02-10 to 2026-02-11 (2 days); the meeting
    on 2026-05-05 is 75 days late: 2 excused, 73 the agency's, so met_late."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        (
            "delay",
            "2026-02-10",
            {"reason": "exceptional_family_circumstances", "until": "2026-02-11"},
        ),
        ("ifsp_meeting_held", "2026-05-05"),
    )
    k = clock(engine, c, "initial_ifsp_meeting", "2026-06-01")
    assert (k.status, k.excused_by, k.due) == ("met_late", None, D("2026-02-19"))
    assert "75 day(s) late: 2 excused by the documented delay, 73 the agency's" in k.reason
    assert k.reason.endswith(
        "covers 2 day(s), so lateness is excused only through 2026-02-21; the due date stays "
        "2026-02-19"
    )


def test_excuse_303_310_c_2_lateness_within_the_delay_is_excused(engine):
    """303.310(c)(2): family unavailable 2026-02-10 to 2026-03-10 (29 days); the meeting on
    2026-03-12 is 21 days after the 2026-02-19 due date, all within the delay: late_excused."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        (
            "delay",
            "2026-02-10",
            {"reason": "exceptional_family_circumstances", "until": "2026-03-10"},
        ),
        ("ifsp_meeting_held", "2026-03-12"),
    )
    k = clock(engine, c, "initial_ifsp_meeting", "2026-04-01")
    assert (k.status, k.excused_by) == ("late_excused", "exceptional_family_circumstances")
    assert "21 day(s) late: 21 excused by the documented delay, 0 the agency's" in k.reason


def test_excuse_303_310_c_2_an_open_clock_says_the_same_on_every_day(engine):
    """303.310(b), (c)(2) for a meeting not yet held: referral 2026-01-05, due 2026-02-19;
    the family was unavailable 2026-02-10 to 2026-02-11 (2 days), so lateness is excused
    through 2026-02-21 and the agency's from 2026-02-22. The reason names that date, not a
    count of days that grows every night, so a stored determination stays true on every
    day of its interval (the listing counts the days late)."""
    c = pc(
        engine,
        ("referral_received", "2026-01-05"),
        (
            "delay",
            "2026-02-10",
            {"reason": "exceptional_family_circumstances", "until": "2026-02-11"},
        ),
    )
    excused = (
        "late for a documented reason: exceptional family circumstances (from 2026-02-10 to "
        "2026-02-11); not done, excused through 2026-02-21"
    )
    for day in ("2026-02-20", "2026-02-21"):
        k = clock(engine, c, "initial_ifsp_meeting", day)
        assert (k.status, k.excused_by, k.reason) == (
            "late_excused",
            "exceptional_family_circumstances",
            excused,
        ), day
    late = (
        "not done: the documented exceptional family circumstances (from 2026-02-10 to "
        "2026-02-11) covers 2 day(s), so lateness is excused only through 2026-02-21; the "
        "due date stays 2026-02-19"
    )
    for day in ("2026-02-22", "2026-06-01"):
        k = clock(engine, c, "initial_ifsp_meeting", day)
        assert (k.status, k.excused_by, k.reason) == ("overdue", None, late), day
    _, (start, until) = engine.evaluate_stable(c, "us", D("2026-03-01"))
    assert start <= D("2026-02-22") and (until is None or until > D("2026-06-01"))
