"""core/clocks.py: statuses, excuses, closings and the invariants every clock keeps."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.clocks import compute_clock, paused_days, status_of
from eirules.core.models import Case, Child, Event

D = date.fromisoformat
SPEC = {
    "start": ["referral_received"],
    "stop": ["ifsp_meeting_held"],
    "length": 45,
    "unit": "calendar_days",
    "excused_by": ["exceptional_family_circumstances"],
}


def make(*events):
    def extra(m):
        more = dict(m[0]) if m else {}
        if "until" in more:
            more["until"] = D(more["until"])
        return more

    return Case(
        id="CLK",
        child=Child(birth_date=D("2025-01-01")),
        events=[Event(type=t, date=D(d), **extra(m)) for t, d, *m in events],
    )


def run(case, spec=SPEC, as_of="2026-03-01", start="2026-01-05", **kw):
    return compute_clock(
        case,
        id="c",
        program="part_c",
        spec=spec,
        citation="test",
        start=D(start),
        as_of=D(as_of),
        due_soon_days=14,
        **kw,
    )


@pytest.mark.parametrize(
    "met_on, as_of, excused, status",
    [
        (None, "2026-02-01", False, "pending"),
        (None, "2026-02-05", False, "due_soon"),
        (None, "2026-02-20", False, "overdue"),
        (None, "2026-02-20", True, "late_excused"),
        ("2026-02-19", "2026-03-01", False, "met"),
        ("2026-02-20", "2026-03-01", False, "met_late"),
        ("2026-02-20", "2026-03-01", True, "late_excused"),
        ("2026-02-25", "2026-02-21", False, "overdue"),
    ],
)
def test_status_of(met_on, as_of, excused, status):
    """Due 2026-02-19: the due date itself is the last compliant day; events after as_of are not yet known."""
    got = status_of(
        due=D("2026-02-19"),
        met_on=D(met_on) if met_on else None,
        as_of=D(as_of),
        due_soon_days=14,
        excused=excused,
    )
    assert got == status


def test_pause_and_extend_adds_the_documented_days():
    """A ruleset may read 303.310(b) as a pause (DC 5-A DCMR 3107.2): 10 days paused (2026-02-01
    to 2026-02-10 inclusive) move the due date from 2026-02-19 to 2026-03-01."""
    spec = {**SPEC, "excuse_policy": "pause_and_extend"}
    case = make(
        (
            "delay",
            "2026-02-01",
            {"reason": "exceptional_family_circumstances", "until": "2026-02-10"},
        )
    )
    k = run(case, spec, as_of="2026-02-21")
    assert (k.due, k.status) == (D("2026-03-01"), "due_soon")
    assert "extended by 10 day(s)" in k.reason


def test_overlapping_pauses_count_once():
    """Pause-and-extend: 1-5 and 4-6 February overlap; six distinct days are paused, not eight."""
    events = [
        Event(type="delay", date=D("2026-02-01"), reason="x", until=D("2026-02-05")),
        Event(type="delay", date=D("2026-02-04"), reason="x", until=D("2026-02-06")),
    ]
    assert paused_days(events) == 6


def test_school_day_clock_without_a_calendar_needs_information_and_is_still_owed():
    """300.11(c): school days need the district calendar. Without one the due date cannot be
    computed, but the evaluation is still owed: `needs_information`, open, saying what is missing
    (not `not_applicable`, which means nothing is owed)."""
    spec = {**SPEC, "unit": "school_days"}
    k = run(make(), spec)
    assert (k.status, k.due, k.met_on) == ("needs_information", None, None)
    assert k.is_open
    assert k.missing == ("a school calendar (the clock counts school days, 34 CFR 300.11(c))",)
    assert "cannot compute the due date" in k.reason


def test_school_day_clock_past_the_calendar_end_needs_the_next_school_year():
    """300.11(c): 45 school days from 2026-01-05 in a calendar of January 2026 only fall past its
    end; the clock needs the next school year and stays owed."""
    from eirules.core.dates import SchoolCalendar

    school = SchoolCalendar.from_terms([(D("2026-01-05"), D("2026-01-30"))])
    k = run(make(), {**SPEC, "unit": "school_days"}, school=school)
    assert (k.status, k.due) == ("needs_information", None)
    assert k.is_open
    assert k.missing[0].startswith("the school calendar after 2026-01-30")


def test_school_day_clock_done_without_a_calendar_records_the_day_but_not_timeliness():
    """A stop event on file ends what is owed; whether it was on time stays unknown."""
    k = run(make(("ifsp_meeting_held", "2026-02-10")), {**SPEC, "unit": "school_days"})
    assert (k.status, k.met_on, k.is_open) == ("needs_information", D("2026-02-10"), False)
    assert k.reason.startswith("done on 2026-02-10; whether on time is unknown")


def test_school_day_clock_without_a_calendar_closed_by_a_move_is_not_applicable():
    """A move before the clock was done ends the obligation: now nothing is owed."""
    k = run(
        make(("moved_out", "2026-01-20")), {**SPEC, "unit": "school_days"}, closing=("moved_out",)
    )
    assert (k.status, k.is_open) == ("not_applicable", False)
    assert "moved out on 2026-01-20" in k.reason


def test_window_opens_before_a_backward_due_date():
    """A clock counted back from an anchor: 90 days before 2027-11-02, opening 9 months before."""
    spec = {**SPEC, "direction": "before", "length": 90, "opens_length": 9, "opens_unit": "months"}
    k = run(make(), spec, as_of="2026-01-06", anchor=D("2027-11-02"))
    assert (k.opens, k.due) == (D("2027-02-02"), D("2027-08-04"))


def test_next_business_day_rule_moves_a_saturday_due_date():
    """on_weekend = next_business_day: due Saturday 2026-02-21 becomes Monday 2026-02-23."""
    spec = {**SPEC, "length": 47, "on_weekend": "next_business_day"}
    assert run(make(), spec, as_of="2026-01-06").due == D("2026-02-23")


@given(
    st.integers(0, 80),  # day the stop event happens, counted from the start
    st.integers(0, 80),  # day the documented delay starts
    st.integers(0, 120),  # as-of day
)
def test_documented_excusable_delay_never_turns_met_into_overdue(stop_day, delay_day, as_of_day):
    """Invariant: adding a documented, accepted delay never makes a clock worse than without it."""
    start = D("2026-01-05")
    as_of = (start + timedelta(days=as_of_day)).isoformat()
    base = [("ifsp_meeting_held", (start + timedelta(days=stop_day)).isoformat())]
    delay = (
        "delay",
        (start + timedelta(days=delay_day)).isoformat(),
        {"reason": "exceptional_family_circumstances"},
    )
    rank = ["met", "late_excused", "met_late", "pending", "due_soon", "overdue"]
    for policy in ("fixed_with_reason", "pause_and_extend"):
        spec = {**SPEC, "excuse_policy": policy}
        without = run(make(*base), spec, as_of=as_of)
        with_delay = run(make(*base, delay), spec, as_of=as_of)
        if without.status == "met":
            assert with_delay.status == "met"
        if without.status in ("met", "pending", "due_soon"):
            assert with_delay.status != "overdue"
        assert not (with_delay.status == "overdue" and without.status != "overdue"), (
            without.status,
            with_delay.status,
            rank,
        )


EVENTS = [
    {"type": "referral_received", "date": "2026-01-05"},
    {"type": "consent_for_evaluation", "date": "2026-01-09"},
    {"type": "delay", "date": "2026-02-10", "reason": "exceptional_family_circumstances"},
    {"type": "eligibility_determined", "date": "2026-02-12", "outcome": "eligible"},
    {"type": "ifsp_meeting_held", "date": "2026-02-25"},
    {"type": "consent_for_services", "date": "2026-02-25", "service": "speech therapy"},
    {"type": "consent_for_services", "date": "2026-02-25", "service": "occupational therapy"},
    {"type": "service_started", "date": "2026-03-10", "service": "speech therapy"},
    {"type": "ifsp_review_held", "date": "2026-08-20"},
    {"type": "referral_from_part_c", "date": "2027-06-01"},
    {"type": "consent_for_evaluation", "date": "2027-06-10"},
]


@given(st.randoms(use_true_random=False), st.dates(date(2026, 1, 1), date(2028, 1, 1)))
def test_determination_does_not_depend_on_event_order(engine, rnd: random.Random, as_of):
    """Invariant: shuffling the events of a case file never changes the determination."""
    from eirules.core.convert import determination_to_dict

    def build(events):
        return engine.case_from_dict(
            {
                "id": "ORDER",
                "ruleset": "us",
                "child": {"birth_date": "2024-11-02", "gestational_age_weeks": 33},
                "events": events,
                "evaluations": [
                    {
                        "date": "2026-02-01",
                        "scores": [{"domain": "communication", "age_equivalent_months": 8}],
                    },
                    {
                        "date": "2026-02-01",
                        "scores": [
                            {"domain": "adaptive", "standard_score": 70, "mean": 100, "sd": 15}
                        ],
                    },
                ],
            }
        )

    shuffled = list(EVENTS)
    rnd.shuffle(shuffled)
    first = determination_to_dict(engine.evaluate(build(EVENTS), "us", as_of))
    second = determination_to_dict(engine.evaluate(build(shuffled), "us", as_of))
    assert first == second


EVENT_TYPES = [
    "referral_received",
    "child_identified",
    "consent_for_evaluation",
    "evaluation_completed",
    "eligibility_determined",
    "ifsp_meeting_held",
    "consent_for_services",
    "service_started",
    "ifsp_review_held",
    "ifsp_annual_meeting_held",
    "transition_notification_sent",
    "transition_conference_held",
    "transition_plan_completed",
    "exited",
    "consent_withdrawn",
    "moved_out",
    "referral_from_part_c",
    "iep_meeting_held",
    "iep_review_held",
    "reevaluation_completed",
    "reevaluation_waived",
    "transition_services_in_iep",
    "age_of_majority_notice_given",
    "abuse_or_neglect_substantiated",
    "extension_elected",
    "part_b_potential_eligibility",
    "notification_objection",
]
# From the day the 2011 Part C regulations took effect: the `us` baseline has
# no values before it (see the test below for what happens then).
some_day = st.dates(date(2011, 10, 28), date(2030, 12, 31))


@st.composite
def case_files(draw):
    events = []
    for _ in range(draw(st.integers(0, 12))):
        event = {"type": draw(st.sampled_from(EVENT_TYPES)), "date": draw(some_day).isoformat()}
        if draw(st.booleans()):
            event["program"] = draw(st.sampled_from(["part_c", "part_b"]))
        if draw(st.booleans()):
            event["outcome"] = draw(
                st.sampled_from(["eligible", "not_eligible", "not_potentially_eligible", "x"])
            )
        if draw(st.booleans()):
            event["category"] = draw(st.sampled_from(["autism", "developmental_delay", "nonsense"]))
        if draw(st.booleans()):
            event["service"] = draw(st.sampled_from(["speech therapy", "physical therapy"]))
        events.append(event)
    if draw(st.booleans()):
        events.append(
            {
                "type": "delay",
                "date": draw(some_day).isoformat(),
                "reason": draw(
                    st.sampled_from(
                        [
                            "exceptional_family_circumstances",
                            "parent_failed_to_produce_child",
                            "agency_reason",
                        ]
                    )
                ),
            }
        )
    child = {"birth_date": draw(some_day).isoformat()}
    if draw(st.booleans()):
        child["gestational_age_weeks"] = draw(st.integers(22, 42))
    evaluations = []
    if draw(st.booleans()):
        evaluations.append(
            {
                "date": draw(some_day).isoformat(),
                "scores": [
                    {"domain": "communication", "age_equivalent_months": draw(st.integers(0, 40))},
                    {
                        "domain": "physical",
                        "standard_score": draw(st.integers(40, 130)),
                        "mean": 100,
                        "sd": 15,
                    },
                ],
                **({"informed_clinical_opinion": "eligible"} if draw(st.booleans()) else {}),
            }
        )
    return {
        "id": "FUZZ",
        "ruleset": "us",
        "child": child,
        "events": events,
        "evaluations": evaluations,
    }


@given(case_files(), st.dates(date(2012, 1, 1), date(2030, 12, 31)))
def test_any_valid_case_file_evaluates_without_a_traceback(engine, data, as_of):
    """Whatever a valid case file holds, evaluation returns a determination with cited clocks."""
    from eirules.core.errors import EirulesError

    try:
        case = engine.case_from_dict(data)
    except EirulesError:
        return
    det = engine.evaluate(case, "us", as_of)
    for k in det.clocks:
        assert k.citation is not None and k.status
        if k.status == "not_applicable":
            assert k.reason


def test_referral_before_the_baseline_takes_effect_is_a_clear_error(engine):
    """The `us` values start on 2011-10-28 (76 FR 60140); a 2010 referral has no clock to use.
    As of 2010 the as-of date itself is before what the ruleset covers: bad input that
    names the dates covered (issue 10), still a RulesetError for callers catching that."""
    import pytest

    from eirules.core.errors import RulesetError

    case = engine.case_from_dict(
        {
            "id": "OLD-1",
            "child": {"birth_date": "2009-06-01"},
            "events": [{"type": "referral_received", "date": "2010-03-01"}],
        }
    )
    from eirules.core.errors import InputError

    with pytest.raises(
        RulesetError, match=r'--as-of 2010-04-01 is before the dates ruleset "us"'
    ) as err:
        engine.evaluate(case, "us", date(2010, 4, 1))
    assert isinstance(err.value, InputError)
    assert '"part_c.age_limit_years" has none before 2011-10-28' in str(err.value)


def test_per_case_caches_are_per_thread(engine):
    """The hooks share one analysis per case; two threads evaluating different cases never mix them."""
    from concurrent.futures import ThreadPoolExecutor

    from eirules.core.convert import determination_to_dict

    def build(birth, referral):
        return engine.case_from_dict(
            {
                "id": f"T-{birth}",
                "ruleset": "us",
                "child": {"birth_date": birth},
                "events": [{"type": "referral_received", "date": referral}],
            }
        )

    cases = [build("2024-11-02", "2026-01-05"), build("2023-06-10", "2026-05-15")] * 50
    expected = [determination_to_dict(engine.evaluate(c, "us", D("2026-06-01"))) for c in cases]
    with ThreadPoolExecutor(4) as pool:
        got = list(
            pool.map(
                lambda c: determination_to_dict(engine.evaluate(c, "us", D("2026-06-01"))), cases
            )
        )
    assert got == expected


def test_pause_and_extend_does_not_count_day_0_of_a_delay_already_running():
    """pause_and_extend (e.g. DC 5-A DCMR 3107.2): a child in hospital 2025-12-20 to
    2026-01-10, referral 2026-01-05 (day 0). The delay covers days 1-5 of the timeline
    (2026-01-06 to 2026-01-10), so the 45-day due date 2026-02-19 moves 5 days, to
    2026-02-24 (counting the referral day too gave 6 and 2026-02-25)."""
    spec = {**SPEC, "excuse_policy": "pause_and_extend"}
    case = make(
        (
            "delay",
            "2025-12-20",
            {"reason": "exceptional_family_circumstances", "until": "2026-01-10"},
        )
    )
    assert run(case, spec, as_of="2026-01-20").due == D("2026-02-24")


def test_not_applicable_is_the_clock_the_checked_constructor_makes():
    """`not_applicable` builds its clock without a second check when its start is a date
    or None, and the result equals `Clock(...)`'s; any other start still fails the check."""
    from eirules.core.clocks import not_applicable
    from eirules.core.decisions import Clock

    for start in (None, date(2026, 3, 1)):
        made = not_applicable(
            id="x", program="part_c", citation="c", reason="r", label="l", start=start,
            episode="part_c.1",
        )  # fmt: skip
        checked = Clock(
            id="x", program="part_c", start=start, due=None, status="not_applicable",
            citation="c", reason="r", label="l", episode="part_c.1",
        )  # fmt: skip
        assert made == checked and hash(made) == hash(checked) and repr(made) == repr(checked)
    with pytest.raises(TypeError):
        not_applicable(id="x", program="part_c", citation="c", reason="r", start="2026-03-01")
