"""Defects found in the review of the Part C and Part B rules, each pinned by a worked example.

Every test names the paragraph of 34 CFR Part 303 or Part 300 that decides it.
"""

from __future__ import annotations

from datetime import date

from helpers import case, det

D = date.fromisoformat


def clocks(d, clock_id):
    return [k for k in d.clocks if k.id == clock_id]


def one(d, clock_id):
    found = clocks(d, clock_id)
    assert len(found) == 1, f"{clock_id}: {[k.id for k in d.clocks]}"
    return found[0]


# As of a date, events after it have not happened -----------------------------------------


def test_a_referral_dated_after_the_as_of_date_opens_no_clock(engine):
    """303.310(a): the 45-day timeline starts when the referral is received.

    As of 2026-02-01 a referral dated 2026-07-15 has not been received: no 45-day
    clock, no transition clocks, no late-referral finding and no Part B
    notification yet. As of 2026-07-20 the clock is due 2026-08-29 (day 0 is
    2026-07-15: 16 days left in July, 29 in August).
    """
    c = case(engine, birth="2023-09-20", events=[("referral_received", "2026-07-15")], ruleset="us")
    early = det(engine, c, "2026-02-01")
    assert [k.id for k in early.clocks if k.program == "part_c"] == []
    assert not [f for f in early.findings if f.rule == "part_c.late_referral"]
    assert not [r for r in early.referrals if r.program == "part_c"]
    later = det(engine, c, "2026-07-20")
    assert one(later, "initial_ifsp_meeting").due == D("2026-08-29")
    assert [f.outcome for f in later.findings if f.rule == "part_c.late_referral"] == ["45_to_90"]


# 303.310(b): only a delay that happened within the timeline excuses it ---------------------


def test_family_circumstances_arising_after_the_due_date_do_not_excuse_lateness(engine):
    """303.310(b)(1): the timeline "does not apply for any period" the family is unavailable.

    Referral 2026-01-05, due 2026-02-19. A family circumstance documented from
    2026-02-25 began after the deadline had already been missed by the agency,
    so a meeting on 2026-03-01 is met_late, not late_excused. The same
    circumstance documented from 2026-02-10 to 2026-03-05 (within the 45 days, and
    covering the 10 days of lateness) excuses it (303.310(c)(2)).
    """
    late = case(
        engine,
        events=[
            ("referral_received", "2026-01-05"),
            ("delay", "2026-02-25", {"reason": "exceptional_family_circumstances"}),
            ("ifsp_meeting_held", "2026-03-01"),
        ],
        ruleset="us",
    )
    k = one(det(engine, late, "2026-03-02"), "initial_ifsp_meeting")
    assert (k.due, k.status, k.excused_by) == (D("2026-02-19"), "met_late", None)
    within = case(
        engine,
        events=[
            ("referral_received", "2026-01-05"),
            (
                "delay",
                "2026-02-10",
                {"reason": "exceptional_family_circumstances", "until": "2026-03-05"},
            ),
            ("ifsp_meeting_held", "2026-03-01"),
        ],
        ruleset="us",
    )
    k = one(det(engine, within, "2026-03-02"), "initial_ifsp_meeting")
    assert (k.status, k.excused_by) == ("late_excused", "exceptional_family_circumstances")


def test_an_open_clock_past_due_is_overdue_when_the_delay_began_after_the_due_date(engine):
    """300.301(d)(1): a parent failing to produce the child after day 60 does not excuse day 61."""
    c = case(
        engine,
        birth="2015-03-10",
        events=[
            ("consent_for_evaluation", "2026-01-12"),
            ("delay", "2026-03-20", {"reason": "parent_failed_to_produce_child"}),
        ],
        ruleset="us",
    )
    k = one(det(engine, c, "2026-03-25"), "initial_evaluation")
    assert (k.due, k.status) == (D("2026-03-13"), "overdue")


# Which program a shared event belongs to ---------------------------------------------------


def test_part_b_evaluation_before_the_third_birthday_does_not_make_a_part_c_case(engine):
    """300.124(b), 303.209: a child referred from Part C is evaluated by the LEA before age 3.

    Referral from Part C 2026-05-01, consent 2026-06-01, third birthday 2026-09-20.
    The untagged consent and evaluation come after Part B began (the referral), so
    they are Part B's (docs/clocks.md section 3, rule 4): the case is not a Part C
    case and has no Part C eligibility.
    """
    c = case(
        engine,
        birth="2023-09-20",
        events=[
            ("referral_from_part_c", "2026-05-01"),
            ("consent_for_evaluation", "2026-06-01"),
            ("evaluation_completed", "2026-07-01"),
            ("eligibility_determined", "2026-07-10", {"category": "autism", "outcome": "eligible"}),
        ],
        ruleset="us",
    )
    d = det(engine, c, "2026-08-01")
    assert [e.program for e in d.eligibility] == ["part_b"]
    assert one(d, "initial_evaluation").due == D("2026-07-31")


# 300.320(b), (c): a student whose first IEP comes after the age ------------------------------


def test_first_iep_after_sixteen_must_include_transition_services_and_does(engine):
    """300.320(b): "beginning not later than the first IEP to be in effect when the child turns 16".

    A student born 2008-03-01 (16 on 2024-03-01) is first found eligible at 17; the
    first IEP, 2025-06-01, is the first in effect after 16 and includes transition
    services: met on 2025-06-01, due that day, not met late against a birthday
    when the student had no IEP.
    """
    c = case(
        engine,
        birth="2008-03-01",
        events=[
            ("consent_for_evaluation", "2025-04-01"),
            ("evaluation_completed", "2025-05-01"),
            ("eligibility_determined", "2025-05-10", {"category": "autism", "outcome": "eligible"}),
            ("iep_meeting_held", "2025-06-01"),
            ("transition_services_in_iep", "2025-06-01"),
        ],
        ruleset="us",
    )
    k = one(det(engine, c, "2025-07-01"), "transition_services")
    assert (k.due, k.status, k.met_on) == (D("2025-06-01"), "met", D("2025-06-01"))
    without = case(
        engine,
        birth="2008-03-01",
        events=[
            ("eligibility_determined", "2025-05-10", {"category": "autism", "outcome": "eligible"}),
            ("iep_meeting_held", "2025-06-01"),
        ],
        ruleset="us",
    )
    k = one(det(engine, without, "2025-07-01"), "transition_services")
    assert (k.due, k.status) == (D("2025-06-01"), "overdue")


def test_first_iep_after_the_notice_date_is_when_the_majority_notice_is_due(xs_engine):
    """300.320(c): notice "beginning not later than one year before" majority, in the IEP.

    Test ruleset xs: majority at 18. A student born 2008-03-01 reaches 18 on
    2026-03-01, so the notice is due 2025-03-01 for a student with an IEP then. A
    student whose first IEP is 2025-06-01 (after that date) must get it in that
    first IEP: due 2025-06-01 and met when given that day.
    """
    c = case(
        xs_engine,
        birth="2008-03-01",
        events=[
            ("eligibility_determined", "2025-05-10", {"category": "autism", "outcome": "eligible"}),
            ("iep_meeting_held", "2025-06-01"),
            ("age_of_majority_notice_given", "2025-06-01"),
        ],
    )
    k = one(det(xs_engine, c, "2025-07-01", "xs"), "age_of_majority_notice")
    assert (k.due, k.status, k.met_on) == (D("2025-06-01"), "met", D("2025-06-01"))
    early = case(
        xs_engine,
        birth="2008-03-01",
        events=[
            ("eligibility_determined", "2023-05-10", {"category": "autism", "outcome": "eligible"}),
            ("iep_meeting_held", "2023-06-01"),
        ],
    )
    k = one(det(xs_engine, early, "2025-03-02", "xs"), "age_of_majority_notice")
    assert (k.due, k.status) == (D("2025-03-01"), "overdue")


# Consent withdrawn: nothing left to notify ----------------------------------------------------


def test_consent_withdrawn_before_transition_needs_no_part_b_notification(engine):
    """303.420(d), 303.209(b): the parent withdrew consent and the child left Part C on 2026-01-20.

    The toddler is no longer in Part C, so the lead agency has no transition
    notification to make: the referral is not_required, like the clocks it closed.
    """
    c = case(
        engine,
        birth="2025-01-01",
        events=[("referral_received", "2026-01-05"), ("consent_withdrawn", "2026-01-20")],
        ruleset="us",
    )
    d = det(engine, c, "2026-03-01")
    [r] = [r for r in d.referrals if r.id == "part_b_notification"]
    assert r.status == "not_required"
    assert "consent withdrawn" in r.reason


# A Part C child whose file starts at the IFSP still has transition duties -------------------


def test_transition_clocks_without_a_recorded_referral(engine):
    """303.209(b)-(d): the transition duties attach to the toddler with an IFSP, not to the referral record.

    A file imported without its referral date, with an initial IFSP meeting on
    2025-01-10, for a child born 2024-06-01 (third birthday 2027-06-01): notify
    by 2027-03-03 (90 days before: 31 in May, 30 in April, 29 more in March);
    the conference and plan open 2026-09-01 (9 months before).
    """
    c = case(engine, birth="2024-06-01", events=[("ifsp_meeting_held", "2025-01-10")], ruleset="us")
    d = det(engine, c, "2026-12-01")
    assert one(d, "transition_notification").due == D("2027-03-03")
    conference = one(d, "transition_conference")
    assert (conference.opens, conference.due) == (D("2026-09-01"), D("2027-03-03"))
    assert one(d, "transition_plan").status == "pending"
    [r] = [r for r in d.referrals if r.id == "part_b_notification"]
    assert (r.status, r.by) == ("to_make", D("2027-03-03"))


def test_transition_window_303_209_c_1_a_conference_before_it_opens_does_not_meet_the_clock(engine):
    """303.209(c)(1): the conference is held not fewer than 90 days "and, at the discretion
    of all parties, not more than nine months" before the third birthday: 9 months is an
    outer limit (C8C counts only conferences inside the window).

    Third birthday 2027-11-02; the window opens 2027-02-02 and the conference is due by
    2027-08-04. A conference on 2027-01-15 came before the window: the clock is not met
    (pending as of 2027-02-01, overdue after 2027-08-04 without another conference) and
    says why. One held on 2027-03-01, inside the window, meets it.
    """
    early = case(
        engine,
        birth="2024-11-02",
        events=[("referral_received", "2026-01-05"), ("transition_conference_held", "2027-01-15")],
        ruleset="us",
    )
    k = one(det(engine, early, "2027-02-01"), "transition_conference")
    assert (k.opens, k.due, k.status, k.met_on) == (
        D("2027-02-02"),
        D("2027-08-04"),
        "pending",
        None,
    )
    assert "done on 2027-01-15, before the window opened on 2027-02-02" in k.reason
    assert one(det(engine, early, "2027-08-05"), "transition_conference").status == "overdue"
    inside = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2026-01-05"),
            ("transition_conference_held", "2027-01-15"),
            ("transition_conference_held", "2027-03-01"),
        ],
        ruleset="us",
    )
    k = one(det(engine, inside, "2027-03-02"), "transition_conference")
    assert (k.status, k.met_on) == ("met", D("2027-03-01"))


def test_transition_window_a_ruleset_may_let_early_actions_count():
    """A ruleset value with early_action_counts = true (and its own citation) keeps the old
    reading: the 2027-01-15 conference meets the clock, with a note."""
    from eirules.core.clocks import compute_clock
    from eirules.core.models import Case, Child, Event

    c = Case(
        id="W",
        child=Child(birth_date=D("2024-11-02")),
        events=[Event(type="transition_conference_held", date=D("2027-01-15"))],
    )
    spec = {
        "start": ["referral_received"],
        "stop": ["transition_conference_held"],
        "length": 90,
        "unit": "calendar_days",
        "direction": "before",
        "opens_length": 9,
        "opens_unit": "months",
        "early_action_counts": True,
    }
    k = compute_clock(
        c,
        id="transition_conference",
        program="part_c",
        spec=spec,
        citation="a state rule",
        start=D("2026-01-05"),
        as_of=D("2027-02-01"),
        due_soon_days=14,
        anchor=D("2027-11-02"),
    )
    assert (k.status, k.met_on) == ("met", D("2027-01-15"))
    assert "before the window opened on 2027-02-02" in k.reason


# 303.209(b)(1)(ii) is keyed to the eligibility determination, not the referral ---------------


def test_eligible_fewer_than_90_days_before_the_birthday_is_notified_as_soon_as_possible(engine):
    """303.209(b)(1)(ii): determined eligible "more than 45 but less than 90 days" before age 3.

    Born 2024-11-02 (third birthday 2027-11-02). Referred 2027-07-25, 100 days
    before: the normal rule would have the notice due 2027-08-04. But the team
    found the toddler eligible only on 2027-09-03, 60 days before the birthday,
    so the notice is due as soon as possible after that determination: not
    overdue on 2027-09-10, and met (not met late) when sent on 2027-09-12.
    """
    events = [
        ("referral_received", "2027-07-25"),
        ("eligibility_determined", "2027-09-03", {"outcome": "eligible"}),
    ]
    c = case(engine, birth="2024-11-02", events=events, ruleset="us")
    k = one(det(engine, c, "2027-09-10"), "transition_notification")
    assert (k.status, k.due, k.start) == ("due_soon", None, D("2027-09-03"))
    assert k.citation == "34 CFR 303.209(b)(1)(ii)"
    sent = case(
        engine,
        birth="2024-11-02",
        events=[*events, ("transition_notification_sent", "2027-09-12")],
        ruleset="us",
    )
    k = one(det(engine, sent, "2027-09-20"), "transition_notification")
    assert (k.status, k.met_on) == ("met", D("2027-09-12"))


def test_eligible_before_the_90_day_mark_keeps_the_90_day_deadline(engine):
    """303.209(b)(1)(i): eligible on 2027-07-30, before 2027-08-04: a notice on 2027-08-10 is late."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-07-25"),
            ("eligibility_determined", "2027-07-30", {"outcome": "eligible"}),
            ("transition_notification_sent", "2027-08-10"),
        ],
        ruleset="us",
    )
    k = one(det(engine, c, "2027-09-01"), "transition_notification")
    assert (k.status, k.due) == ("met_late", D("2027-08-04"))
    referral = [r for r in det(engine, c, "2027-08-01").referrals if r.id == "part_b_notification"]
    assert referral[0].by == D("2027-08-04")


def test_late_eligibility_referral_says_as_soon_as_possible(engine):
    """303.209(b)(1)(ii): the Part B notification referral follows the clock: no date, as soon as possible."""
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-07-25"),
            ("eligibility_determined", "2027-09-03", {"outcome": "eligible"}),
        ],
        ruleset="us",
    )
    [r] = [r for r in det(engine, c, "2027-09-10").referrals if r.id == "part_b_notification"]
    assert (r.by, r.citation, r.status) == (None, "34 CFR 303.209(b)(1)(ii)", "to_make")
    assert r.reason.startswith("eligible on 2027-09-03, 60 days before the third birthday")


def test_a_balanced_translocation_is_not_a_listed_condition(engine):
    """303.21(a)(2)(i): a condition with a "high probability" of delay. ICD-10 Q95.0 is a balanced
    translocation in a normal individual: not eligible on records alone; Q90.9 (Down syndrome) is."""
    balanced = case(
        engine,
        events=[("referral_received", "2025-04-01")],
        conditions=[{"name": "Balanced translocation", "code": "Q95.0"}],
        ruleset="us",
    )
    assert det(engine, balanced, "2025-05-01").eligibility_for("part_c").outcome != "eligible"
    down = case(
        engine,
        events=[("referral_received", "2025-04-01")],
        conditions=[{"name": "Trisomy 21", "code": "Q90.9"}],
        ruleset="us",
    )
    assert det(engine, down, "2025-05-01").eligibility_for("part_c").outcome == "eligible"


def test_a_toddler_with_an_ifsp_keeps_transition_clocks_when_scores_alone_miss_the_threshold(
    xs_engine,
):
    """303.209(d): the transition plan is owed to every toddler with an IFSP.

    Test ruleset xs needs 50% delay. The scores on file show 25% (age 24 months,
    age equivalent 18), but the team found the child eligible (e.g. on informed
    clinical opinion not written on the evaluation) and held the IFSP meeting. The
    engine's own reading of the scores must not hide the toddler's transition
    deadlines: born 2024-01-01, third birthday 2027-01-01, plan due 2026-10-03.
    """
    c = case(
        xs_engine,
        birth="2024-01-01",
        events=[
            ("referral_received", "2025-12-01"),
            ("eligibility_determined", "2026-01-05", {"outcome": "eligible"}),
            ("ifsp_meeting_held", "2026-01-10"),
        ],
        evaluations=[
            {"date": "2026-01-01", "scores": [{"domain": "adaptive", "age_equivalent_months": 18}]}
        ],
    )
    d = det(xs_engine, c, "2026-02-01", "xs")
    e = d.eligibility_for("part_c")
    assert e.outcome == "not_eligible"
    assert "The team determined the child eligible on 2026-01-05" in e.reason
    assert "Prior written notice" not in e.reason
    assert one(d, "transition_plan").due == D("2026-10-03")
    [r] = [r for r in d.referrals if r.id == "part_b_notification"]
    assert (r.status, r.by) == ("to_make", D("2026-10-03"))


def test_a_delay_just_under_the_level_is_never_shown_rounded_up_to_it(xs_engine):
    """Explanations: test ruleset xs needs 50% delay. Age 24 months (born 2024-01-01, evaluated
    2026-01-01), age equivalent 12.01 months: 49.96% delayed, not eligible. Rounded to whole
    percent it would read "50% delayed" beside "requires 50%"; it is shown as 49.96%."""
    c = case(
        xs_engine,
        birth="2024-01-01",
        events=[("referral_received", "2025-12-01")],
        evaluations=[
            {
                "date": "2026-01-01",
                "scores": [{"domain": "adaptive", "age_equivalent_months": 12.01}],
            }
        ],
    )
    e = det(xs_engine, c, "2026-01-02", "xs").eligibility_for("part_c")
    assert e.outcome == "not_eligible"
    assert "adaptive is 49.96% delayed" in e.reason


def test_a_delay_that_began_before_the_referral_and_runs_into_the_timeline_excuses(engine):
    """303.310(b)(1): the child was in hospital from 2025-12-20 to 2026-02-28 (documented).

    Referral 2026-01-05, due 2026-02-19: the family circumstance covered the
    timeline although it began before the referral; a meeting on 2026-03-05 is
    late_excused. A delay that ended before the referral excuses nothing.
    """
    during = case(
        engine,
        events=[
            (
                "delay",
                "2025-12-20",
                {"reason": "exceptional_family_circumstances", "until": "2026-02-28"},
            ),
            ("referral_received", "2026-01-05"),
            ("ifsp_meeting_held", "2026-03-05"),
        ],
        ruleset="us",
    )
    k = one(det(engine, during, "2026-03-06"), "initial_ifsp_meeting")
    assert (k.status, k.excused_by) == ("late_excused", "exceptional_family_circumstances")
    before = case(
        engine,
        events=[
            (
                "delay",
                "2025-12-01",
                {"reason": "exceptional_family_circumstances", "until": "2025-12-20"},
            ),
            ("referral_received", "2026-01-05"),
            ("ifsp_meeting_held", "2026-03-05"),
        ],
        ruleset="us",
    )
    assert one(det(engine, before, "2026-03-06"), "initial_ifsp_meeting").status == "met_late"


def test_pause_counts_only_the_days_after_the_clock_started():
    """Pause-and-extend: a delay from 2025-12-20 to 2026-01-09 pauses a clock started 2026-01-05
    for the 5 days 2026-01-05..09 only, not the 21 days of the whole delay."""
    from eirules.core.clocks import paused_days
    from eirules.core.models import Event

    delay = Event(type="delay", date=D("2025-12-20"), reason="x", until=D("2026-01-09"))
    assert paused_days([delay]) == 21
    assert paused_days([delay], since=D("2026-01-05")) == 5


def test_conference_and_plan_deadlines_passed_before_eligibility_are_held_as_soon_as_possible(
    engine,
):
    """303.209(c)-(d): conference and plan by 90 days before age 3 (2027-08-04 for 2027-11-02).

    Referred 2027-07-25 but found eligible only on 2027-09-03: both deadlines had
    passed before the toddler was known to have a disability. As with a late
    referral (docs/clocks.md), they are held as soon as possible, not counted
    overdue against a date the agency could not meet.
    """
    c = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-07-25"),
            ("eligibility_determined", "2027-09-03", {"outcome": "eligible"}),
        ],
        ruleset="us",
    )
    d = det(engine, c, "2027-09-10")
    for clock_id in ("transition_conference", "transition_plan"):
        k = one(d, clock_id)
        assert (k.status, k.due) == ("due_soon", None), clock_id
        assert "found eligible on 2027-09-03, after this deadline" in k.reason
    held = case(
        engine,
        birth="2024-11-02",
        events=[
            ("referral_received", "2027-07-25"),
            ("eligibility_determined", "2027-09-03", {"outcome": "eligible"}),
            ("transition_conference_held", "2027-09-08"),
        ],
        ruleset="us",
    )
    k = one(det(engine, held, "2027-09-10"), "transition_conference")
    assert (k.status, k.met_on) == ("met", D("2027-09-08"))


def test_an_mtss_tagged_event_does_not_stop_an_untagged_consent_starting_the_part_b_clock(
    engine,
):
    """300.301(b), (c)(1)(i): a school-age student whose file holds an MTSS-tagged parent
    request (2026-03-02) and an untagged consent for evaluation (2026-03-09) has the 60-day
    initial-evaluation clock from the consent: due 2026-05-08 (day 0 is 2026-03-09: 22 days
    left in March, 30 in April, 8 in May). The MTSS tag says nothing about Part C or B."""
    c = case(
        engine,
        birth="2018-05-04",
        events=[
            ("parent_requested_evaluation", "2026-03-02", {"program": "mtss"}),
            ("consent_for_evaluation", "2026-03-09"),
        ],
        ruleset="us",
    )
    clock = one(det(engine, c, "2026-03-20"), "initial_evaluation")
    assert (clock.program, clock.start, clock.due, clock.status) == (
        "part_b",
        D("2026-03-09"),
        D("2026-05-08"),
        "pending",
    )


def test_clocks_close_when_part_c_ends_at_the_third_birthday(engine):
    """303.21(a): Part C serves children under 3. Born 2023-09-20, referred 2026-07-15: the
    45-day meeting was due 2026-08-29 and never held. As of 2026-11-26 the toddler is past
    the third birthday (2026-09-20), so nothing under Part C is owed: the meeting stays
    overdue for reporting (303.310) but closed on the birthday. The notification owed as soon
    as possible after the eligibility determination of 2026-08-05, 46 days before the birthday
    (303.209(b)(1)(ii)), was never made: it tells the SEA and LEA that the toddler will reach
    Part B age on the third birthday, so it is late (overdue, closed on the birthday), not
    `not_applicable`, and the referral entry says `not_made`."""
    c = case(
        engine,
        birth="2023-09-20",
        events=[
            ("referral_received", "2026-07-15"),
            ("eligibility_determined", "2026-08-05", {"outcome": "eligible"}),
        ],
        ruleset="us",
    )
    before = det(engine, c, "2026-09-10")
    assert one(before, "initial_ifsp_meeting").is_open
    after = det(engine, c, "2026-11-26")
    meeting = one(after, "initial_ifsp_meeting")
    assert (meeting.status, meeting.due, meeting.closed_on, meeting.is_open) == (
        "overdue",
        D("2026-08-29"),
        D("2026-09-20"),
        False,
    )
    notify = one(after, "transition_notification")
    assert (notify.status, notify.due, notify.closed_on) == ("overdue", None, D("2026-09-20"))
    assert "the notification was not made before Part C ended on 2026-09-20" in notify.reason
    [r] = [r for r in after.referrals if r.id == "part_b_notification"]
    assert (r.status, r.citation, r.reason) == ("not_made", notify.citation, notify.reason)
    assert not [k for k in after.clocks if k.program == "part_c" and k.is_open]
