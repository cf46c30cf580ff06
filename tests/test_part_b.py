"""Part B eligibility checks and clocks with exact dates, worked from 34 CFR Part 300."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import case, det
from hypothesis import given
from hypothesis import strategies as st

D = date.fromisoformat


def pb(engine, *events, birth="2015-03-10", ruleset="us"):
    return case(engine, birth=birth, events=events, ruleset=ruleset)


ELIGIBLE = (
    "eligibility_determined",
    "2025-10-24",
    {"category": "specific_learning_disability", "outcome": "eligible"},
)


# Eligibility -----------------------------------------------------------------------------


def test_team_determination_under_a_300_8_category(engine):
    """300.8(c)(10), 300.306: the team found a specific learning disability; the engine confirms the category is allowed."""
    e = det(engine, pb(engine, ELIGIBLE), "2025-11-01").eligibility_for("part_b")
    assert (e.outcome, e.basis) == ("eligible", ("specific_learning_disability",))


def test_without_the_team_determination_only_the_team_can_decide(engine):
    """300.306: the engine never decides disability or need; it says what is missing."""
    d = det(engine, pb(engine, ("consent_for_evaluation", "2025-09-02")), "2025-09-10")
    e = d.eligibility_for("part_b")
    assert e.outcome == "needs_information"
    assert "eligibility_determined" in e.missing[0]
    assert "Only the team decides" in e.reason


def test_team_found_not_eligible(engine):
    """300.306(a): the team's determination that the child is not a child with a disability stands."""
    c = pb(engine, ("eligibility_determined", "2025-10-24", {"outcome": "not_eligible"}))
    assert det(engine, c, "2025-11-01").eligibility_for("part_b").outcome == "not_eligible"


def test_unknown_category_needs_information(engine):
    """300.8(c): only the listed categories (and the state's developmental delay) may be used."""
    c = pb(
        engine,
        ("eligibility_determined", "2025-10-24", {"category": "dyslexia", "outcome": "eligible"}),
    )
    e = det(engine, c, "2025-11-01").eligibility_for("part_b")
    assert e.outcome == "needs_information"
    assert "'dyslexia'" in e.missing[0]


def test_developmental_delay_not_adopted_by_the_baseline(engine):
    """300.111(b)(4): if the state has not adopted the category, an LEA may not use it."""
    c = pb(
        engine,
        (
            "eligibility_determined",
            "2025-10-24",
            {"category": "developmental_delay", "outcome": "eligible"},
        ),
        birth="2021-05-01",
    )
    e = det(engine, c, "2025-11-01").eligibility_for("part_b")
    assert e.outcome == "needs_information"
    assert "has not adopted the developmental delay category" in e.reason


def test_developmental_delay_in_the_state_age_range(xs_engine):
    """300.8(b): the state uses DD for ages 3 through 5; born 2021-05-01, it lapses on 2027-05-01."""
    c = pb(
        xs_engine,
        (
            "eligibility_determined",
            "2025-10-24",
            {"category": "developmental_delay", "outcome": "eligible"},
        ),
        birth="2021-05-01",
        ruleset="xs",
    )
    d = det(xs_engine, c, "2025-11-01", "xs")
    assert d.eligibility_for("part_b").outcome == "eligible"
    note = next(f for f in d.findings if f.rule == "part_b.eligibility.developmental_delay_age")
    assert "ends on 2027-05-01" in note.reason
    later = det(xs_engine, c, "2027-05-01", "xs").eligibility_for("part_b")
    assert later.outcome == "needs_information"
    assert "category other than developmental delay" in later.missing[0]


def test_age_window_through_21(engine):
    """300.101(a): FAPE through age 21: born 2003-01-01, available until 2024-12-31, not on 2025-01-01."""
    c = pb(
        engine,
        ("eligibility_determined", "2015-10-24", {"category": "autism", "outcome": "eligible"}),
        birth="2003-01-01",
    )
    assert det(engine, c, "2024-12-31").eligibility_for("part_b").outcome == "eligible"
    assert det(engine, c, "2025-01-01").eligibility_for("part_b").outcome == "not_eligible"


# Clocks ----------------------------------------------------------------------------------


def test_initial_evaluation_60_days_from_consent(engine):
    """300.301(c)(1)(i): consent 2025-09-02 (day 0): 28 days left in September + 31 in October + 1 = 2025-11-01."""
    c = pb(engine, ("consent_for_evaluation", "2025-09-02"), ("evaluation_completed", "2025-10-20"))
    k = det(engine, c, "2025-11-05").clock("initial_evaluation")
    assert (k.start, k.due, k.status, k.met_on) == (
        D("2025-09-02"),
        D("2025-11-01"),
        "met",
        D("2025-10-20"),
    )


def test_episodes_300_301_c_1_new_consent_after_not_eligible_has_its_own_60_days(engine):
    """300.301(c)(1): 60 days "of receiving parental consent for evaluation". Consent
    2025-01-06, evaluated 2025-02-20, found not eligible 2025-02-25; a new consent
    2025-09-02 is due 2025-11-01 (its own episode). The first evaluation clock (due
    2025-03-07, met) stays in the history with episode part_b.1."""
    c = pb(
        engine,
        ("consent_for_evaluation", "2025-01-06"),
        ("evaluation_completed", "2025-02-20"),
        (
            "eligibility_determined",
            "2025-02-25",
            {"category": "specific_learning_disability", "outcome": "not_eligible"},
        ),
        ("consent_for_evaluation", "2025-09-02"),
    )
    d = det(engine, c, "2025-09-10")
    k = d.clock("initial_evaluation")
    assert (k.start, k.due, k.status, k.episode) == (
        D("2025-09-02"),
        D("2025-11-01"),
        "pending",
        "part_b.2",
    )
    [old] = [h for h in d.history if h.id == "initial_evaluation"]
    assert (old.due, old.status, old.episode) == (D("2025-03-07"), "met", "part_b.1")
    assert [(e.id, e.ended_by) for e in d.episodes] == [
        ("part_b.1", "eligibility_determined"),
        ("part_b.2", None),
    ]
    # The earlier not-eligible finding does not decide the new episode.
    assert d.eligibility_for("part_b").outcome == "needs_information"


def test_episodes_300_301_c_1_moved_out_and_came_back_has_its_own_60_days(engine):
    """300.301(c)(1): consent 2025-01-06 (due 2025-03-07); the family moved out 2025-02-01,
    before the evaluation; back, a new consent 2025-09-02 is due 2025-11-01 in episode
    part_b.2. The first clock closed before its due date (not applicable, in the history)."""
    c = pb(
        engine,
        ("consent_for_evaluation", "2025-01-06"),
        ("moved_out", "2025-02-01"),
        ("consent_for_evaluation", "2025-09-02"),
    )
    d = det(engine, c, "2025-11-05")
    k = d.clock("initial_evaluation")
    assert (k.start, k.due, k.status, k.episode) == (
        D("2025-09-02"),
        D("2025-11-01"),
        "overdue",
        "part_b.2",
    )
    [old] = [h for h in d.history if h.id == "initial_evaluation"]
    assert (old.status, old.episode) == ("not_applicable", "part_b.1")
    assert "moved out on 2025-02-01" in old.reason
    assert [(e.id, e.ended_by) for e in d.episodes] == [
        ("part_b.1", "moved_out"),
        ("part_b.2", None),
    ]


def test_parent_failing_to_produce_the_child_excuses_a_late_evaluation(engine):
    """300.301(d)(1): the timeline does not apply when the parent repeatedly fails to produce the child."""
    c = pb(
        engine,
        ("consent_for_evaluation", "2025-09-02"),
        (
            "delay",
            "2025-10-01",
            {"reason": "parent_failed_to_produce_child", "note": "three missed appointments"},
        ),
        ("evaluation_completed", "2025-11-20"),
    )
    k = det(engine, c, "2025-11-25").clock("initial_evaluation")
    assert (k.status, k.excused_by) == ("late_excused", "parent_failed_to_produce_child")


def test_extension_300_301_e_lasts_only_to_the_agreed_date(engine):
    """300.301(d)(2), (e): a transfer extends the 60 days only to the date the parent and
    the new agency agreed. Consent 2025-09-02 (due 2025-11-01), agreed 2025-12-15: an
    evaluation on 2025-12-10 is excused; on 2025-12-20 it is 5 days late after the
    agreed date (met_late)."""

    def evaluated(on):
        c = pb(
            engine,
            ("consent_for_evaluation", "2025-09-02"),
            ("delay", "2025-10-01", {"reason": "transfer_in", "until": "2025-12-15"}),
            ("evaluation_completed", on),
        )
        return det(engine, c, "2026-01-05").clock("initial_evaluation")

    inside, after = evaluated("2025-12-10"), evaluated("2025-12-20")
    assert (inside.status, inside.excused_by) == ("late_excused", "transfer_in")
    assert "extended by agreement (transfer in) to 2025-12-15" in inside.reason
    assert (after.status, after.excused_by) == ("met_late", None)
    assert "5 day(s) late after the agreed date" in after.reason


def test_extension_300_309_c_needs_an_agreed_date(engine):
    """300.309(c): the SLD timeline is extended "by mutual written agreement" to a date;
    a recorded extension with no agreed date (`until`) excuses nothing."""
    c = pb(
        engine,
        ("consent_for_evaluation", "2025-09-02"),
        ("delay", "2025-10-15", {"reason": "sld_extension_agreed"}),
        ("evaluation_completed", "2025-11-20"),
    )
    k = det(engine, c, "2025-12-01").clock("initial_evaluation")
    assert (k.status, k.excused_by) == ("met_late", None)
    assert "gives no agreed date" in k.reason


def test_initial_iep_meeting_30_days_after_eligibility(engine):
    """300.323(c)(1): eligible 2025-10-24, meeting by 2025-11-23."""
    c = pb(engine, ELIGIBLE)
    k = det(engine, c, "2025-11-01").clock("initial_iep_meeting")
    assert (k.due, k.status) == (D("2025-11-23"), "pending")
    assert det(engine, c, "2025-11-24").clock("initial_iep_meeting").status == "overdue"


# 300.124(b), 300.101(b): an IEP developed and implemented by the third birthday. The XS
# calendar's summer 2026 runs from 2026-05-23 (after the last school day, Fri 2026-05-22)
# to 2026-08-16 (before the first school day of 2026-2027, Mon 2026-08-17).

FROM_C = ("referral_from_part_c", "2026-06-01")


def test_300_124_b_clock_stops_when_iep_services_start_not_at_the_meeting(xs_engine):
    """300.124(b): "developed and implemented" by the third birthday. Born 2023-10-15, third
    birthday Thu 2026-10-15, a school day. IEP meeting 2026-09-20; services start 2026-10-14:
    met on 2026-10-14. Services from 2026-10-19: met late. None started by 2026-10-20: the
    IEP was developed, not implemented: overdue (5 days), due 2026-10-15."""

    def clock(*events, as_of="2026-10-20"):
        c = pb(xs_engine, FROM_C, *events, birth="2023-10-15", ruleset="xs")
        return det(xs_engine, c, as_of, "xs").clock("iep_by_third_birthday")

    meeting = ("iep_meeting_held", "2026-09-20")
    on_time = clock(meeting, ("iep_services_started", "2026-10-14"))
    assert (on_time.due, on_time.met_on, on_time.status) == (
        D("2026-10-15"),
        D("2026-10-14"),
        "met",
    )
    late = clock(meeting, ("iep_services_started", "2026-10-19"))
    assert (late.met_on, late.status) == (D("2026-10-19"), "met_late")
    developed_only = clock(meeting)
    assert (developed_only.due, developed_only.status) == (D("2026-10-15"), "overdue")
    assert developed_only.met_on is None
    before = clock(meeting, as_of="2026-10-01")
    assert (before.status, before.due) == ("due_soon", D("2026-10-15"))


def test_300_101_b_2_summer_third_birthday_iep_developed_by_then_is_on_time(xs_engine):
    """300.101(b)(2), 300.124(b): born 2023-07-15, third birthday Wed 2026-07-15 falls in the
    summer between school years 2025-2026 and 2026-2027 (2026-05-23 to 2026-08-16): the IEP
    Team sets the date services begin, so the IEP meeting of 2026-06-30 meets the clock, with
    no services yet on 2026-08-01. An IEP first developed on 2026-07-20 is late (5 days)."""
    c = pb(xs_engine, FROM_C, ("iep_meeting_held", "2026-06-30"), birth="2023-07-15", ruleset="xs")
    d = det(xs_engine, c, "2026-08-01", "xs")
    k = d.clock("iep_by_third_birthday")
    assert (k.due, k.met_on, k.status) == (D("2026-07-15"), D("2026-06-30"), "met")
    assert "IEP Team decides when services begin" in k.reason
    (summer,) = [f for f in d.findings if f.rule == "part_b.summer_third_birthday"]
    assert summer.inputs["summer_first_day"] == "2026-05-23"
    assert summer.inputs["summer_last_day"] == "2026-08-16"
    pending = det(
        xs_engine, pb(xs_engine, FROM_C, birth="2023-07-15", ruleset="xs"), "2026-06-10", "xs"
    )
    assert pending.clock("iep_by_third_birthday").status == "pending"
    late = pb(
        xs_engine, FROM_C, ("iep_meeting_held", "2026-07-20"), birth="2023-07-15", ruleset="xs"
    )
    k = det(xs_engine, late, "2026-08-01", "xs").clock("iep_by_third_birthday")
    assert (k.met_on, k.status) == (D("2026-07-20"), "met_late")


def test_300_124_b_school_day_birthday_has_no_summer_finding(xs_engine):
    """300.124(b): born 2023-10-15, third birthday 2026-10-15 is a school day of 2026-2027:
    not the summer, so no 300.101(b)(2) finding and the IEP meeting alone does not meet it."""
    c = pb(xs_engine, FROM_C, birth="2023-10-15", ruleset="xs")
    d = det(xs_engine, c, "2026-07-01", "xs")
    assert d.clock("iep_by_third_birthday").due == D("2026-10-15")
    assert not any(f.rule == "part_b.summer_third_birthday" for f in d.findings)


def test_300_101_b_2_without_a_school_calendar_cannot_compute_when_it_matters(engine):
    """300.101(b)(2), 300.124(b): the `us` ruleset has no school calendar. Born 2023-07-15,
    third birthday 2026-07-15; IEP developed 2026-06-30, no services by 2026-08-01: met if
    the birthday is in the summer, overdue if not: needs_information, never silently met
    (due date 2026-07-15 kept, the calendar named as missing). Services started 2026-07-10
    or nothing done at all: both readings agree (met; overdue)."""

    def clock(*events):
        c = pb(engine, FROM_C, *events, birth="2023-07-15")
        return det(engine, c, "2026-08-01").clock("iep_by_third_birthday")

    unknown = clock(("iep_meeting_held", "2026-06-30"))
    assert (unknown.status, unknown.due, unknown.met_on) == (
        "needs_information",
        D("2026-07-15"),
        None,
    )
    assert unknown.is_open
    assert "school calendar" in unknown.missing[0] and "2026-07-15" in unknown.missing[0]
    assert "IEP developed on 2026-06-30, services not started: on time if" in unknown.reason
    started_late = clock(("iep_meeting_held", "2026-06-30"), ("iep_services_started", "2026-08-20"))
    assert started_late.status == "needs_information"  # met_late, or met in a summer
    both = clock(("iep_meeting_held", "2026-06-30"), ("iep_services_started", "2026-07-10"))
    assert (both.status, both.met_on) == ("met", D("2026-07-10"))
    assert "the outcome is the same either way" in both.reason
    assert clock().status == "overdue"


def test_300_101_b_2_birthday_past_the_calendars_last_school_year_cannot_compute(xs_engine):
    """300.101(b)(2): the XS calendar ends with school year 2027-2028 (last school day
    2028-05-19). Born 2025-07-15, third birthday 2028-07-15: whether that is a summer
    depends on the 2028-2029 year the calendar lacks; IEP developed 2028-06-20, no services:
    needs_information."""
    c = pb(
        xs_engine,
        ("referral_from_part_c", "2028-03-01"),
        ("iep_meeting_held", "2028-06-20"),
        birth="2025-07-15",
        ruleset="xs",
    )
    k = det(xs_engine, c, "2028-08-01", "xs").clock("iep_by_third_birthday")
    assert (k.status, k.due) == ("needs_information", D("2028-07-15"))


# A third birthday is never February 29: no child born on 2025-02-29 exists (a child born on a
# February 29 turns 3 in a common year).
_B3 = st.dates(min_value=date(2025, 10, 1), max_value=date(2028, 4, 30)).filter(
    lambda d: (d.month, d.day) != (2, 29)
)
_LATER = st.one_of(st.none(), st.integers(min_value=0, max_value=240))


@given(b3=_B3, meeting=_LATER, services=_LATER, as_of=st.integers(min_value=0, max_value=300))
def test_300_124_b_met_only_when_implemented_or_developed_by_a_summer_birthday(
    xs_engine, b3, meeting, services, as_of
):
    """300.124(b), 300.101(b)(2), for any dates: the clock is met only when services started
    by the third birthday, or the IEP was developed by a birthday the school calendar puts in
    a summer; without a calendar, an IEP developed by the birthday alone is never met; the
    due date is always the birthday; needs_information only when the summer decides it."""
    referral = b3 - timedelta(days=150)
    events = [("referral_from_part_c", referral.isoformat())]
    met_day = referral + timedelta(days=meeting) if meeting is not None else None
    start_day = met_day + timedelta(days=services) if met_day and services is not None else None
    if met_day:
        events.append(("iep_meeting_held", met_day.isoformat()))
    if start_day:
        events.append(("iep_services_started", start_day.isoformat()))
    on = (referral + timedelta(days=as_of)).isoformat()
    birth = b3.replace(year=b3.year - 3).isoformat()
    summer = xs_engine.rulesets.get("xs").school_calendar().in_summer(b3)
    seen = lambda day: day is not None and day <= D(on)  # noqa: E731
    for rid in ("xs", "us"):
        k = det(xs_engine, pb(xs_engine, *events, birth=birth, ruleset=rid), on, rid).clock(
            "iep_by_third_birthday"
        )
        assert k.due == b3
        implemented = seen(start_day) and start_day <= b3
        developed = seen(met_day) and met_day <= b3
        in_summer = summer if rid == "xs" else None
        if k.status == "met":
            assert implemented or (in_summer is True and developed)
        if implemented:
            assert k.status == "met"
        if k.status == "needs_information":
            assert in_summer is None and developed and not implemented


def test_annual_review_one_year_after_the_last_meeting(engine):
    """300.324(b)(1)(i): IEP 2024-02-29, review due 2025-02-28 (no 29 February in 2025)."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2024-02-29"))
    assert det(engine, c, "2024-06-01").clock("iep_annual_review").due == D("2025-02-28")


def test_annual_review_cycle_restarts_at_each_review(engine):
    """300.324(b)(1)(i): IEP 2025-11-14, reviewed 2026-11-10: next review due 2027-11-10."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), ("iep_review_held", "2026-11-10"))
    k = det(engine, c, "2026-12-01").clock("iep_annual_review")
    assert (k.start, k.due, k.status) == (D("2026-11-10"), D("2027-11-10"), "pending")


def test_a_new_iep_meeting_after_the_review_was_due_says_the_review_was_done_late(engine):
    """300.324(b)(1)(i): IEP 2025-11-10, annual review due 2026-11-10; the team met on
    2026-11-20 and wrote a new IEP (recorded as iep_meeting_held, not iep_review_held). The
    new IEP reviews the old one: the next review is due 2027-11-20 and the reason keeps
    the lateness (QA, session 16: the overdue period vanished without a trace)."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-10"), ("iep_meeting_held", "2026-11-20"))
    k = det(engine, c, "2026-12-01").clock("iep_annual_review")
    assert (k.start, k.due, k.status) == (D("2026-11-20"), D("2027-11-20"), "pending")
    assert k.reason == "the previous one was due 2026-11-10 and done late on 2026-11-20"
    on_time = pb(
        engine, ELIGIBLE, ("iep_meeting_held", "2025-11-10"), ("iep_meeting_held", "2026-11-02")
    )
    assert det(engine, on_time, "2026-12-01").clock("iep_annual_review").reason is None


def test_revoked_consent_closes_the_annual_review(engine):
    """300.300(b)(4): after written revocation of consent, the agency stops services; clocks close."""
    c = pb(
        engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), ("consent_withdrawn", "2026-03-01")
    )
    k = det(engine, c, "2026-04-01").clock("iep_annual_review")
    assert k.status == "not_applicable"


def test_reevaluation_every_three_years(engine):
    """300.303(b)(2): evaluation completed 2025-10-20, reevaluation due 2028-10-20."""
    c = pb(
        engine, ("evaluation_completed", "2025-10-20"), ELIGIBLE, ("iep_meeting_held", "2025-11-14")
    )
    assert det(engine, c, "2026-01-01").clock("reevaluation").due == D("2028-10-20")


def test_reevaluation_waived_by_agreement(engine):
    """300.303(b)(2): parent and agency agree on 2028-09-01 it is unnecessary: that meets the clock,
    and the next one is counted from the agreement (the ruleset lists reevaluation_waived as a start)."""
    c = pb(
        engine,
        ("evaluation_completed", "2025-10-20"),
        ELIGIBLE,
        ("iep_meeting_held", "2025-11-14"),
        ("reevaluation_waived", "2028-09-01"),
    )
    before = det(engine, c, "2028-08-31").clock("reevaluation")
    assert before.status == "pending"
    k = det(engine, c, "2028-09-02").clock("reevaluation")
    assert (k.start, k.due, k.status) == (D("2028-09-01"), D("2031-09-01"), "pending")
    assert "unnecessary" in k.reason


def test_transition_services_by_the_16th_birthday(engine):
    """300.320(b): born 2012-03-10; the IEP in effect on 2028-03-10 must include transition services."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), birth="2012-03-10")
    k = det(engine, c, "2026-01-01").clock("transition_services")
    assert (k.due, k.status) == (D("2028-03-10"), "pending")
    done = pb(
        engine,
        ELIGIBLE,
        ("iep_meeting_held", "2025-11-14"),
        ("transition_services_in_iep", "2027-11-10"),
        birth="2012-03-10",
    )
    assert det(engine, done, "2028-01-01").clock("transition_services").status == "met"


def test_age_of_majority_without_a_state_age_cannot_be_computed(engine):
    """34 CFR 300.320(c), 300.520(a): the notice is owed in every state that transfers
    rights; the age is state law and the baseline has none, so the clock is
    needs_information naming part_b.age_of_majority, never not applicable."""
    c = pb(engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), birth="2012-03-10")
    k = det(engine, c, "2026-01-01").clock("age_of_majority_notice")
    assert (k.status, k.due, k.start) == ("needs_information", None, D("2025-11-14"))
    assert k.missing == ("the state's age of majority (part_b.age_of_majority, 34 CFR 300.520(a))",)
    assert k.reason == (
        "cannot compute the due date: the ruleset sets no age of majority "
        "(state law, 34 CFR 300.520(a))"
    )
    assert k.is_outstanding


def test_age_of_majority_unknown_notice_given_is_done_whether_on_time_unknown(engine):
    """34 CFR 300.320(c): a notice recorded without a known age meets the clock (met_on);
    whether it came a year before majority stays unknown."""
    c = pb(
        engine,
        ELIGIBLE,
        ("iep_meeting_held", "2025-11-14"),
        ("age_of_majority_notice_given", "2025-12-01"),
        birth="2008-03-10",
    )
    k = det(engine, c, "2026-01-01").clock("age_of_majority_notice")
    assert (k.status, k.met_on) == ("needs_information", D("2025-12-01"))
    assert k.reason.startswith("done on 2025-12-01; whether on time is unknown")
    assert not k.is_outstanding


def test_age_of_majority_unknown_closed_by_consent_withdrawn(engine):
    """34 CFR 300.300(b)(4): consent withdrawn before the notice ends what is owed."""
    c = pb(
        engine,
        ELIGIBLE,
        ("iep_meeting_held", "2025-11-14"),
        ("consent_withdrawn", "2025-12-01"),
        birth="2012-03-10",
    )
    k = det(engine, c, "2026-01-01").clock("age_of_majority_notice")
    assert k.status == "not_applicable"
    assert k.reason.startswith("closed: consent withdrawn on 2025-12-01, before it was done")


def test_age_of_majority_notice_one_year_before(xs_engine):
    """300.320(c): majority at 18 on 2030-03-10, so the notice is due by 2029-03-10."""
    c = pb(
        xs_engine, ELIGIBLE, ("iep_meeting_held", "2025-11-14"), birth="2012-03-10", ruleset="xs"
    )
    k = det(xs_engine, c, "2026-01-01", "xs").clock("age_of_majority_notice")
    assert (k.due, k.status) == (D("2029-03-10"), "pending")


# Which program ----------------------------------------------------------------------------


def test_shared_events_split_by_the_day_part_b_began(engine):
    """Untagged shared events before the Part C to B referral are Part C's; after it, Part B's."""
    c = case(
        engine,
        birth="2023-07-15",
        events=[
            ("referral_received", "2024-01-10"),
            ("eligibility_determined", "2024-02-01", {"outcome": "eligible"}),
            ("referral_from_part_c", "2026-03-01"),
            ("consent_for_evaluation", "2026-03-05"),
        ],
        ruleset="us",
    )
    d = engine.evaluate(c, "us", D("2026-03-10"))
    assert {e.program for e in d.eligibility} == {"part_b", "part_c"}
    k = d.clock("initial_evaluation")
    assert (k.program, k.start, k.due) == ("part_b", D("2026-03-05"), D("2026-05-04"))
    assert d.eligibility_for("part_b").outcome == "needs_information"


def test_extension_300_301_e_an_open_evaluation_past_the_agreed_date_says_so(engine):
    """300.301(d)(2), (e) for an evaluation not yet done: consent 2025-09-02 (due
    2025-11-01), agreed 2025-12-15. Excused up to that date; from 2025-12-16 late for the
    agency's own reasons, and the reason reads the same on every later day."""
    c = pb(
        engine,
        ("consent_for_evaluation", "2025-09-02"),
        ("delay", "2025-10-01", {"reason": "transfer_in", "until": "2025-12-15"}),
    )
    inside = det(engine, c, "2025-12-15").clock("initial_evaluation")
    assert (inside.status, inside.excused_by, inside.reason) == (
        "late_excused",
        "transfer_in",
        "extended by agreement (transfer in) to 2025-12-15",
    )
    for day in ("2025-12-16", "2026-03-01"):
        after = det(engine, c, day).clock("initial_evaluation")
        assert (after.status, after.excused_by) == ("overdue", None), day
        assert after.reason.endswith(
            "extended by agreement (transfer in) to 2025-12-15; not done by the agreed date"
        ), after.reason
