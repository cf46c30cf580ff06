"""State rules of the shipped rulesets, worked from each state's own text (regulations.md section 9).

Each test names the state rule's paragraph; the dates are worked by hand from the rule.
"""

from __future__ import annotations

from datetime import date, timedelta

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


# District calendars and the rules that count them ---------------------------------------

DISTRICT = "Fictional Unified"


def _calendar(tmp_path, periods):
    """A district calendar for DISTRICT written through the import checks."""
    from eirules.core.calendars import DistrictCalendars, Period, check

    data, problems = check(
        [Period(k, D(a), D(b), n, f"row {i}") for i, (k, a, b, n) in enumerate(periods)], "test"
    )
    assert problems == []
    folder = tmp_path / "calendars"
    DistrictCalendars(folder).save(DISTRICT, data, "test.csv")
    return folder


#: Two fictional school years: 2025-26 (last school day Fri 2026-06-05) and 2026-27
#: (first school day Mon 2026-08-24), winter breaks of two weeks, a one-week Thanksgiving.
TWO_YEARS = [
    ("school_year", "2025-07-01", "2026-06-30", "2025-2026"),
    ("term", "2025-08-25", "2025-12-19", "Fall"),
    ("term", "2026-01-05", "2026-06-05", "Spring"),
    ("closure", "2025-11-24", "2025-11-28", "Thanksgiving"),
    ("school_year", "2026-07-01", "2027-06-30", "2026-2027"),
    ("term", "2026-08-24", "2026-12-18", "Fall"),
    ("term", "2027-01-04", "2027-06-04", "Spring"),
]


@pytest.fixture
def district_engine(tmp_path):
    from eirules.core.engine import Engine

    return Engine(entry_points=False, calendars_dir=_calendar(tmp_path, TWO_YEARS))


def full_case(engine, rid, events, birth="2016-04-01", **extra):
    """A case file with top-level extras (district, school) that helpers.case does not take."""
    return engine.case_from_dict(
        {
            "id": "ST-TEST",
            "ruleset": rid,
            "child": {"birth_date": birth},
            "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
            **extra,
        }
    )


def district_case(engine, rid, *events, birth="2016-04-01"):
    return full_case(engine, rid, events, birth=birth, district=DISTRICT)


def test_300_101_b_2_a_winter_break_is_not_the_summer(district_engine):
    """300.101(b)(2), 300.124(b): the district's winter break runs from 2025-12-20 to
    2026-01-04 (16 days between school days, within school year 2025-2026): not a summer.
    Born 2022-12-28, third birthday Sun 2025-12-28; IEP developed 2025-12-10, no services by
    2026-01-10: not implemented by the birthday, overdue (an IEP meeting alone meets only a
    summer birthday)."""
    c = district_case(
        district_engine,
        "us",
        ("referral_from_part_c", "2025-09-01"),
        ("iep_meeting_held", "2025-12-10"),
        birth="2022-12-28",
    )
    d = det(district_engine, c, "2026-01-10", "us")
    k = d.clock("iep_by_third_birthday")
    assert (k.due, k.status, k.met_on) == (D("2025-12-28"), "overdue", None)
    assert not any(f.rule == "part_b.summer_third_birthday" for f in d.findings)


def test_300_101_b_2_summer_from_the_districts_calendar(district_engine):
    """300.101(b)(2): the district's summer 2026 runs from 2026-06-06 (after Fri 2026-06-05)
    to 2026-08-23 (before Mon 2026-08-24). Born 2023-07-15, third birthday 2026-07-15 in it:
    the IEP developed on 2026-06-30 meets the clock (the `us` ruleset has no calendar of its
    own: the case's district gives it)."""
    c = district_case(
        district_engine,
        "us",
        ("referral_from_part_c", "2026-03-01"),
        ("iep_meeting_held", "2026-06-30"),
        birth="2023-07-15",
    )
    d = det(district_engine, c, "2026-08-01", "us")
    k = d.clock("iep_by_third_birthday")
    assert (k.due, k.status, k.met_on) == (D("2026-07-15"), "met", D("2026-06-30"))
    (summer,) = [f for f in d.findings if f.rule == "part_b.summer_third_birthday"]
    assert (summer.inputs["summer_first_day"], summer.inputs["summer_last_day"]) == (
        "2026-06-06",
        "2026-08-23",
    )


def test_il_226_110_sixty_school_days_need_the_districts_calendar(engine, district_engine):
    """23 Ill. Adm. Code 226.110: 60 school days from written consent. Consent Mon
    2026-01-12; without a school calendar the evaluation is still owed but its date cannot
    be computed: needs_information, open, on `due` (not not_applicable, issue 12). With the
    district's calendar (spring term from 2026-01-05, no closures before April): school
    days from Tue 2026-01-13, 4 that week, then 5 a week: day 59 is Fri 2026-04-03, day 60
    Mon 2026-04-06."""
    events = [("consent_for_evaluation", "2026-01-12")]
    bare = case(engine, birth="2016-04-01", ruleset="us-il", events=events)
    k = det(engine, bare, "2026-02-01", "us-il").clock("initial_evaluation")
    assert (k.status, k.due, k.is_open) == ("needs_information", None, True)
    assert "school calendar" in k.missing[0]
    c = district_case(district_engine, "us-il", *events)
    k = det(district_engine, c, "2026-02-01", "us-il").clock("initial_evaluation")
    assert (k.status, k.due) == ("pending", D("2026-04-06"))


def test_pa_14_123_b_sixty_calendar_days_not_counting_summer(district_engine):
    """22 Pa. Code 14.123(b): consent 2026-05-20. Counted: 2026-05-21 to the last day of the
    spring term 2026-06-05 (16 days); summer 2026-06-06 to 2026-08-23 not counted; day 17 is
    2026-08-24, so day 60 is 2026-08-24 + 43 = 2026-10-06 (plain 60 days: 2026-07-19)."""
    c = district_case(district_engine, "us-pa", ("consent_for_evaluation", "2026-05-20"))
    k = det(district_engine, c, "2026-06-01", "us-pa").clock("initial_evaluation")
    assert (k.due, k.status) == (D("2026-10-06"), "pending")
    assert "not counting summer days" in k.reason


def test_pa_14_123_b_consent_in_the_school_year_is_plain_60_days(district_engine):
    """22 Pa. Code 14.123(b): consent 2026-01-12, no summer in the window: 2026-03-13."""
    c = district_case(district_engine, "us-pa", ("consent_for_evaluation", "2026-01-12"))
    assert det(district_engine, c, "2026-02-01", "us-pa").clock("initial_evaluation").due == D(
        "2026-03-13"
    )


def test_pa_summer_rule_without_a_calendar_cannot_be_computed(engine):
    """22 Pa. Code 14.123(b) needs the district's terms: without a calendar, no guessed date."""
    c = case(
        engine,
        birth="2016-04-01",
        ruleset="us-pa",
        events=[("consent_for_evaluation", "2026-05-20")],
    )
    k = det(engine, c, "2026-06-01", "us-pa").clock("initial_evaluation")
    assert k.due is None
    assert "school calendar" in k.reason


def test_tx_29_004_45th_school_day(district_engine):
    """TEC 29.004(a)(1): consent Mon 2025-09-08; school days from 2025-09-09, 45th is
    2025-11-10 (weeks of 5 days: 9 weeks = 45 days, the last Friday 2025-11-07 is day 44 with
    Labor Day already past; Mon 2025-11-10 is day 45)."""
    c = district_case(district_engine, "us-tx", ("consent_for_evaluation", "2025-09-08"))
    k = det(district_engine, c, "2025-10-01", "us-tx").clock("initial_evaluation")
    assert k.due == D("2025-11-10")


def test_tx_29_004_a_1_consent_35_to_44_school_days_before_the_end_due_june_30(district_engine):
    """TEC 29.004(a-1): consent Fri 2026-04-10; school days from 2026-04-13 to the last day
    2026-06-05 are 8 weeks = 40 (at least 35, fewer than 45): the report is due 2026-06-30."""
    c = district_case(district_engine, "us-tx", ("consent_for_evaluation", "2026-04-10"))
    k = det(district_engine, c, "2026-05-01", "us-tx").clock("initial_evaluation")
    assert k.due == D("2026-06-30")
    assert "40 school days before the last school day" in k.reason


def test_tx_29_004_a_1_three_absences_set_june_30_aside(district_engine):
    """TEC 29.004(a)(1), (a-1): same consent, absent 2026-04-20 to 2026-04-22 (3 school days):
    45 school days + 3. 40 school days reach 2026-06-05; the fall term gives the rest: day 41
    is 2026-08-24, day 48 is Wed 2026-09-02."""
    c = district_case(
        district_engine,
        "us-tx",
        ("consent_for_evaluation", "2026-04-10"),
        ("absent_from_school", "2026-04-20", {"until": "2026-04-22"}),
    )
    k = det(district_engine, c, "2026-05-01", "us-tx").clock("initial_evaluation")
    assert k.due == D("2026-09-02")
    assert "extended by 3 school days of absence" in k.reason


def test_tx_29_004_a_1_two_absences_do_not_extend(district_engine):
    """TEC 29.004(a)(1): fewer than three days absent extend nothing (consent 2025-09-08)."""
    c = district_case(
        district_engine,
        "us-tx",
        ("consent_for_evaluation", "2025-09-08"),
        ("absent_from_school", "2025-09-15", {"until": "2025-09-16"}),
    )
    assert det(district_engine, c, "2025-10-01", "us-tx").clock("initial_evaluation").due == D(
        "2025-11-10"
    )


def test_ca_56344_a_60_days_to_the_iep_not_counting_breaks_over_five_school_days(
    district_engine,
):
    """Ed. Code 56344(a): consent 2025-12-01. Counted 2025-12-02 to 2025-12-19 (18 days);
    winter break 2025-12-20 to 2026-01-04 covers 10 weekdays (over five): not counted; day 19
    is 2026-01-05, day 60 is 2026-01-05 + 41 = 2026-02-15. The stop is the IEP meeting."""
    c = district_case(
        district_engine,
        "us-ca",
        ("consent_for_evaluation", "2025-12-01"),
        ("evaluation_completed", "2026-01-20"),
    )
    k = det(district_engine, c, "2026-02-01", "us-ca").clock("initial_evaluation")
    assert (k.due, k.status, k.met_on) == (D("2026-02-15"), "due_soon", None)
    met = district_case(
        district_engine,
        "us-ca",
        ("consent_for_evaluation", "2025-12-01"),
        ("iep_meeting_held", "2026-02-13"),
    )
    assert (
        det(district_engine, met, "2026-03-01", "us-ca").clock("initial_evaluation").status == "met"
    )


def test_ca_56344_a_a_five_weekday_break_is_counted(district_engine):
    """Ed. Code 56344(a): the Thanksgiving week (2025-11-24 to 2025-11-28, five weekdays, not
    in excess of five) counts. Consent 2025-11-03 + 60 days = 2026-01-02, but the winter break
    (2025-12-20 to 2026-01-04) is left out: day 46 is 2025-12-19, day 47 is 2026-01-05, day 60
    is 2026-01-18."""
    c = district_case(district_engine, "us-ca", ("consent_for_evaluation", "2025-11-03"))
    assert det(district_engine, c, "2025-11-10", "us-ca").clock("initial_evaluation").due == D(
        "2026-01-18"
    )


def test_pa_14_124_c_intellectual_disability_reevaluated_every_two_years(engine):
    """22 Pa. Code 14.124(c): evaluation completed 2024-01-15 for a student with an
    intellectual disability: reevaluation due 2026-01-15, not 2027-01-15."""
    events = (
        ("evaluation_completed", "2024-01-15"),
        (
            "eligibility_determined",
            "2024-01-22",
            {"category": "intellectual_disability", "outcome": "eligible"},
        ),
        ("iep_meeting_held", "2024-02-05"),
    )
    c = pb(engine, *events, ruleset="us-pa")
    k = det(engine, c, "2025-06-01", "us-pa").clock("reevaluation")
    assert k.due == D("2026-01-15")
    assert "14.124(c)" in k.reason
    other = pb(engine, *events, ruleset="us")
    assert det(engine, other, "2025-06-01", "us").clock("reevaluation").due == D("2027-01-15")


def _indiana(engine, grades):
    return full_case(
        engine,
        "us-in",
        [ELIGIBLE, ("iep_meeting_held", "2025-11-14")],
        birth="2012-10-01",
        school={"grades": grades},
    )


def test_in_7_43_4_grade_9_before_age_14(engine):
    """511 IAC 7-43-4(a): born 2012-10-01 (14 on 2026-10-01), entered grade 9 on 2026-08-12:
    grade 9 comes first, so the IEP in effect on 2026-08-12 must be a transition IEP."""
    c = _indiana(engine, [{"grade": 9, "entered": "2026-08-12"}])
    k = det(engine, c, "2026-01-01", "us-in").clock("transition_services")
    assert k.due == D("2026-08-12")
    assert "enters grade 9" in k.reason


def test_in_7_43_4_age_14_before_grade_9(engine):
    """511 IAC 7-43-4(a): grade 9 entered 2027-08-11, after the 14th birthday 2026-10-01."""
    c = _indiana(engine, [{"grade": 9, "entered": "2027-08-11"}])
    assert det(engine, c, "2026-01-01", "us-in").clock("transition_services").due == D("2026-10-01")


def test_in_7_43_4_without_the_grade_counts_the_age_and_says_so(engine):
    """511 IAC 7-43-4(a): no grade record: the 14th birthday, with what is missing named."""
    c = _indiana(engine, [])
    k = det(engine, c, "2026-01-01", "us-in").clock("transition_services")
    assert k.due == D("2026-10-01")
    assert "no date for entering grade 9" in k.reason


def test_transition_age_in_years_and_months(tmp_path):
    """An age of 14 and a half (as 105 ILCS 5/14-8.03(a-5) words it): a fictional ruleset
    sets 14 years and 6 months; born 2012-03-10, the IEP in effect on 2026-09-10."""
    from eirules.core.engine import Engine

    folder = tmp_path / "xh"
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "xh"\ntitle = "Fictional half-year state"\njurisdiction = "US-XH"\n'
        'extends = "us"\nversion = "1"\n'
    )
    (folder / "part_b.toml").write_text(
        "[[parameters.part_b.transition_services_age.values]]\n"
        'effective = 2006-10-13\nvalue = 14\ncitation = "Fictional rule (a)"\n'
        "[[parameters.part_b.transition_services_age_months.values]]\n"
        'effective = 2006-10-13\nvalue = 6\ncitation = "Fictional rule (a), and a half"\n'
    )
    eng = Engine(entry_points=False, ruleset_dirs=[tmp_path])
    c = case(
        eng, birth="2012-03-10", events=[ELIGIBLE, ("iep_meeting_held", "2025-11-14")], ruleset="xh"
    )
    k = det(eng, c, "2026-01-01", "xh").clock("transition_services")
    assert k.due == D("2026-09-10")
    assert "turns 14 and 6 months" in k.reason


# Part C criteria by date and by determination ---------------------------------------------


def _tx_child(engine, *, eligible_before: bool, age_equivalent: float):
    """Born 2024-07-01; evaluated at 24 months (2026-07-01), communication at the given age."""
    from helpers import ae, evaluation

    events = [("referral_received", "2025-06-01")]
    evaluations = [evaluation("2026-07-01", ae("communication", age_equivalent))]
    if eligible_before:
        events += [
            ("eligibility_determined", "2025-07-08", {"outcome": "eligible"}),
            ("ifsp_meeting_held", "2025-07-10"),
        ]
        evaluations.insert(0, evaluation("2025-07-01", ae("communication", 9)))
    return case(engine, birth="2024-07-01", ruleset="us-tx", events=events, evaluations=evaluations)


def test_tx_350_823_b_1_c_15_percent_keeps_an_eligible_child_eligible(engine):
    """26 TAC 350.823(b)(1)(C): at the redetermination on 2026-07-01 (24 months),
    communication at 20 months is (24-20)/24 = 16.7%: at least 15%, so still eligible."""
    c = _tx_child(engine, eligible_before=True, age_equivalent=20)
    e = det(engine, c, "2026-07-10", "us-tx").eligibility_for("part_c")
    assert e.outcome == "eligible"
    assert "350.823(b)(1)(C)" in e.reason


def test_tx_350_809_16_percent_is_not_enough_for_a_first_determination(engine):
    """26 TAC 350.809: the same 16.7% at a first evaluation is below the initial 25%."""
    c = _tx_child(engine, eligible_before=False, age_equivalent=20)
    assert det(engine, c, "2026-07-10", "us-tx").eligibility_for("part_c").outcome == "not_eligible"


def test_tx_350_823_b_1_c_below_15_percent_is_not_eligible(engine):
    """26 TAC 350.823(b)(1)(C): communication at 21 months is 12.5%, below 15%."""
    c = _tx_child(engine, eligible_before=True, age_equivalent=21)
    assert det(engine, c, "2026-07-10", "us-tx").eligibility_for("part_c").outcome == "not_eligible"


@pytest.mark.parametrize(
    "evaluated, born, age_equivalent, outcome, why",
    [
        ("2016-03-01", "2015-03-01", 8.4, "not_eligible", "12 months, 30% < 33% (2015-2022 rule)"),
        ("2016-03-01", "2015-03-01", 7.9, "eligible", "12 months, 34.2% >= 33%"),
        ("2023-03-01", "2022-03-01", 8.4, "eligible", "12 months, 30% >= 25% (from 2022-07-01)"),
    ],
)
def test_ca_33_percent_from_2015_then_25_percent(
    engine, evaluated, born, age_equivalent, outcome, why
):
    """Gov. Code 95014(a) (DRC, Early Start Eligibility): 33% in one or more areas from
    2015-01-01; 25% from 2022-07-01."""
    from helpers import ae, evaluation

    c = case(
        engine,
        birth=born,
        ruleset="us-ca",
        events=[("referral_received", evaluated)],
        evaluations=[evaluation(evaluated, ae("cognitive", age_equivalent))],
    )
    assert det(engine, c, evaluated, "us-ca").eligibility_for("part_c").outcome == outcome, why


# Invariants of the calendar rules ---------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eirules.core.calendars import Period, calendar_from_data, check  # noqa: E402
from eirules.core.school_rules import due_date  # noqa: E402

_CAL = calendar_from_data(
    check([Period(k, D(a), D(b), n, f"row {i}") for i, (k, a, b, n) in enumerate(TWO_YEARS)], "t")[
        0
    ],
    "t",
)
_DAYS = st.dates(min_value=D("2025-08-25"), max_value=D("2026-12-01"))


@given(_DAYS)
def test_not_counting_days_never_gives_an_earlier_date_than_plain_days(start):
    """22 Pa. Code 14.123(b), Ed. Code 56344(a): leaving days out can only move a date later."""
    plain = date.fromordinal(start.toordinal() + 60)
    for spec in (
        {"length": 60, "unit": "calendar_days", "not_counting": "summer"},
        {
            "length": 60,
            "unit": "calendar_days",
            "not_counting": "breaks",
            "break_over_school_days": 5,
        },
    ):
        due, _ = due_date(spec, start, None, _CAL)
        assert due is None or due >= plain


@given(_DAYS, st.integers(min_value=0, max_value=10))
def test_absences_never_shorten_a_school_day_clock(start, absent_days):
    """TEC 29.004(a)(1): absences only extend the 45 school days."""
    from eirules.core.models import Event

    spec = {
        "length": 45,
        "unit": "school_days",
        "extended_by_absences": {"event": "absent_from_school", "at_least": 3},
    }
    base = _CAL.add_school_days(start, 45)
    absences = (
        (
            Event(
                type="absent_from_school",
                date=start + timedelta(days=1),
                until=start + timedelta(days=absent_days),
            ),
        )
        if absent_days
        else ()
    )
    due, _ = due_date(spec, start, base, _CAL, absences)
    assert base is None or due is None or due >= base


@pytest.mark.parametrize(
    "ruleset,citation",
    [("us-ca", "Cal. Educ. Code 56344(a)"), ("us-pa", "22 Pa. Code 14.123(b)")],
)
def test_calendar_day_clock_that_skips_breaks_needs_a_calendar_not_not_applicable(
    engine, ruleset, citation
):
    """Cal. Educ. Code 56344(a) (breaks over 5 school days left out) and 22 Pa. Code 14.123(b)
    (summer left out) count calendar days, but only a school calendar says which days are
    left out: without one the evaluation is still owed ("cannot compute", needs_information),
    never "does not apply"."""
    from datetime import date

    case = engine.case_from_dict(
        {
            "id": "NOCAL-1",
            "ruleset": ruleset,
            "child": {"birth_date": "2016-01-01"},
            "events": [
                {"type": "consent_for_evaluation", "date": "2026-01-12", "program": "part_b"}
            ],
        }
    )
    k = engine.evaluate(case, None, date(2026, 2, 1)).clock("initial_evaluation")
    assert k.status == "needs_information"
    assert k.citation.startswith(citation)
    assert "school calendar" in k.missing[0] and k.is_open
