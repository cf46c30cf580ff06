"""State values added with a source and an effective date read (issue 12, the state values).

Each test names the state's own rule; dates are worked by hand from the rule's words.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import det

from eirules.core.errors import InputError

D = date.fromisoformat


def student(engine, rid, events, birth, **extra):
    """A case file with the top-level extras (school, district) helpers.case does not take."""
    return engine.case_from_dict(
        {
            "id": "SV-TEST",
            "ruleset": rid,
            "child": {"birth_date": birth},
            "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
            **extra,
        }
    )


def dd_found(on):
    return (
        "eligibility_determined",
        on,
        {"category": "developmental_delay", "outcome": "eligible"},
    )


def dd_finding(d):
    return next(f for f in d.findings if f.rule == "part_b.eligibility.developmental_delay_age")


def iep_for_sld(meeting="2025-11-14", found="2025-10-24"):
    """Events of a student found eligible (specific learning disability) with a first IEP."""
    return [
        (
            "eligibility_determined",
            found,
            {"category": "specific_learning_disability", "outcome": "eligible"},
        ),
        ("iep_meeting_held", meeting),
    ]


# Developmental delay: the state's age range (34 CFR 300.8(b), 300.111(b)) -------------------

#: (ruleset, born, found eligible under developmental delay, as of, the day the category ends)
DD_ENDS = [
    # ORC 3323.01(A) as amended by H.B. 554 (from 2023-04-06): "at least three years of age
    # and less than ten years of age". At age 6 still eligible; ends on the 10th birthday.
    pytest.param(
        "us-oh", "2019-05-10", "2024-09-01", "2025-06-01", "2029-05-10", id="oh-3323.01-hb-554"
    ),
    # Fla. Admin. Code 6A-6.03027(1) from 2009-12-15: "three (3) through five (5) years of
    # age": found eligible at 3, the category ends on the 6th birthday.
    pytest.param(
        "us-fl", "2018-03-15", "2021-09-01", "2022-05-01", "2024-03-15", id="fl-6a-6.03027-2009"
    ),
    # 511 IAC 7-41-6(a) (in force by 2024-09-18): "at least three (3) years of age and less
    # than nine (9) years of age"; found eligible 2024-10-01 (age 6, after the 2024-09-18 the
    # text was read in force): still eligible at 6; ends on the 9th birthday.
    pytest.param("us-in", "2018-06-01", "2024-10-01", "2025-01-15", "2027-06-01", id="in-7-41-6"),
]


@pytest.mark.parametrize("rid, born, found, as_of, ends", DD_ENDS)
def test_developmental_delay_eligible_until_the_states_upper_age(
    engine, rid, born, found, as_of, ends
):
    """300.8(b): a state may use developmental delay for ages 3 through 9 or a subset;
    the finding names the day the state's range ends."""
    d = det(engine, student(engine, rid, [dd_found(found)], born), as_of, rid)
    assert d.eligibility_for("part_b").outcome == "eligible"
    assert f"ends on {ends}" in dd_finding(d).reason


def test_in_7_41_6_the_category_lapses_on_the_ninth_birthday(engine):
    """511 IAC 7-41-6(a): "less than nine (9) years of age". Born 2018-06-01, found eligible
    2024-10-01: on 2027-06-10 the category lapsed on the 9th birthday, 2027-06-01, and the
    student needs another category (a reevaluation), not a silent continuation. Found
    eligible on 2024-09-17, before the text was read in force, the category is not one
    Indiana is known to use yet: eligibility cannot be confirmed, and the reason says so."""
    c = student(engine, "us-in", [dd_found("2024-10-01")], "2018-06-01")
    e = det(engine, c, "2027-06-10", "us-in").eligibility_for("part_b")
    assert e.outcome == "needs_information"
    assert "lapsed on 2027-06-01" in e.reason
    early = student(engine, "us-in", [dd_found("2024-09-17")], "2018-06-01")
    e = det(engine, early, "2025-01-15", "us-in").eligibility_for("part_b")
    assert e.outcome == "needs_information"
    assert "developmental_delay" in e.reason


#: (ruleset, the last day before the state's value, the first day of it, ages before, on)
DD_DATED = [
    # Ohio: through 5 from 2016-10-12 (H.B. 158 text); before it the federal default, through
    # 9 and the category not used.
    pytest.param("us-oh", "2016-10-11", "2016-10-12", (False, 9), (True, 5), id="oh-hb-158"),
    # Ohio: through 9 from 2023-04-06 (H.B. 554).
    pytest.param("us-oh", "2023-04-05", "2023-04-06", (True, 5), (True, 9), id="oh-hb-554"),
    # Indiana: through 8 (less than 9) from 2024-09-18, the first day read in force.
    pytest.param("us-in", "2024-09-17", "2024-09-18", (False, 9), (True, 8), id="in-7-41-6"),
]


@pytest.mark.parametrize("rid, before, on, ages_before, ages_on", DD_DATED)
def test_developmental_delay_ages_are_dated(engine, rid, before, on, ages_before, ages_on):
    """Each state's range applies from the date its source was read in force, never earlier."""
    rs = engine.rulesets.get(rid)
    for day, (used, through) in ((before, ages_before), (on, ages_on)):
        assert rs.value("part_b.developmental_delay.used", D(day)) is used, day
        assert rs.value("part_b.developmental_delay.age_through", D(day)) == through, day


# Transition services before 16 (34 CFR 300.320(b); states may start earlier) -------------------

#: (ruleset, born, the day the first IEP must carry transition content, the rule cited,
#:  the last day of the federal 16, the first day of the state's age, the state's age)
TRANSITION_AGES = [
    # ORC 3323.011 as amended by S.B. 316 (effective 2012-09-24): IEPs beginning at age 14.
    # Born 2012-03-10: the IEP in effect on the 14th birthday, 2026-03-10.
    pytest.param(
        "us-oh",
        "2012-03-10",
        "2026-03-10",
        "3323.011",
        "2012-09-23",
        "2012-09-24",
        14,
        id="oh-3323.011-at-14",
    ),
    # 105 ILCS 5/14-8.03(a-5): "the first individualized education plan (IEP) in effect when
    # the student turns age 14 1/2". Born 2012-03-10: 14 1/2 on 2026-09-10. In force by
    # 2013-08-22 (P.A. 98-0517).
    pytest.param(
        "us-il",
        "2012-03-10",
        "2026-09-10",
        "14-8.03(a-5)",
        "2013-08-21",
        "2013-08-22",
        14,
        id="il-14-8.03-a-5-at-14-and-a-half",
    ),
    # NYSED (APR Indicator 13): "NYS law requires transition planning on a student's IEP
    # beginning with the IEP in effect when the student turns age 15". Born 2011-03-10: the
    # 15th birthday, 2026-03-10. In force by 2011-02-28 (NYSED's February 2011 SPP).
    pytest.param(
        "us-ny",
        "2011-03-10",
        "2026-03-10",
        "200.4(d)(2)(ix)",
        "2011-02-27",
        "2011-02-28",
        15,
        id="ny-200.4-d-2-ix-at-15",
    ),
]


@pytest.mark.parametrize("rid, born, due, rule, before, on, age", TRANSITION_AGES)
def test_transition_content_in_the_iep_in_effect_at_the_states_age(
    engine, rid, born, due, rule, before, on, age
):
    """First IEP 2025-11-14: the IEP in effect on the day the student reaches the state's
    age must carry postsecondary goals and transition services; before the state's date the
    federal 16 applies."""
    k = det(engine, student(engine, rid, iep_for_sld(), born), "2026-01-01", rid).clock(
        "transition_services"
    )
    assert (k.due, k.status) == (D(due), "pending")
    assert rule in f"{k.citation} {k.reason}"
    rs = engine.rulesets.get(rid)
    assert rs.value("part_b.transition_services_age", D(before)) == 16
    assert rs.value("part_b.transition_services_age", D(on)) == age


# Age of majority: the one-year notice (34 CFR 300.320(c), 300.520) -----------------------------

#: (ruleset, the rule cited): born 2009-05-01, 18 on 2027-05-01, so the IEP must say the
#: rights will transfer by 2026-05-01.
MAJORITY_AT_18 = [
    pytest.param("us-fl", "1003.5716", id="fl-s.-1003.5716"),
    pytest.param("us-il", "14-6.10(a)", id="il-14-6.10-a"),
    # Article 7 ("when a student attains eighteen (18) years of age, all of the rights ...
    # shall transfer to the student"), read in force by 2025-02-07.
    pytest.param("us-in", "511 IAC 7-43", id="in-article-7"),
]


@pytest.mark.parametrize("rid, rule", MAJORITY_AT_18)
def test_age_of_majority_18_notice_due_a_year_before(engine, rid, rule):
    """300.320(c): "beginning not later than one year before the child reaches the age of
    majority under State law". Born 2009-05-01, IEP 2025-11-14: 18 on 2027-05-01, the IEP in
    effect on 2026-05-01 must carry the statement."""
    c = student(engine, rid, iep_for_sld(), "2009-05-01")
    k = det(engine, c, "2026-01-01", rid).clock("age_of_majority_notice")
    assert (k.due, k.status) == (D("2026-05-01"), "pending")
    assert "age of majority 18 on 2027-05-01" in k.reason
    assert rule in k.reason


@pytest.mark.parametrize("rid", ["us-mo", "us-ny", "us-pa"])
def test_age_of_majority_left_out_says_so_instead_of_guessing(engine, rid):
    """300.520(a): the age is state law. Missouri, New York and Pennsylvania have no value
    read from a source (each ruleset's comment says what was searched; for Pennsylvania a
    law firm reads 21, not 18), so the 300.320(c) notice, still owed, cannot be computed:
    needs_information naming part_b.age_of_majority, never 18 by default."""
    c = student(engine, rid, iep_for_sld(), "2009-05-01")
    k = det(engine, c, "2026-01-01", rid).clock("age_of_majority_notice")
    assert (k.due, k.status) == (None, "needs_information")
    assert k.missing == ("the state's age of majority (part_b.age_of_majority, 34 CFR 300.520(a))",)


def test_in_age_of_majority_applies_from_the_day_it_was_read_in_force(engine):
    """Indiana's 18 applies from 2025-02-07: as of 2025-02-06 the notice still cannot be
    computed (needs_information, 300.320(c)); from 2025-02-07 it is due 2026-05-01."""
    c = student(engine, "us-in", iep_for_sld("2024-11-14", "2024-10-24"), "2009-05-01")
    before = det(engine, c, "2025-02-06", "us-in").clock("age_of_majority_notice")
    assert (before.status, before.missing) == (
        "needs_information",
        ("the state's age of majority (part_b.age_of_majority, 34 CFR 300.520(a))",),
    )
    after = det(engine, c, "2025-02-07", "us-in").clock("age_of_majority_notice")
    assert (after.due, after.status) == (D("2026-05-01"), "pending")


# Ohio -------------------------------------------------------------------------------------


def test_oh_3323_01_before_hb_554_the_category_lapsed_at_six(engine):
    """ORC 3323.01(A) before H.B. 554: "less than six years of age". Born 2016-12-01, found
    eligible 2020-01-15: on 2023-01-15 (age 6) the category lapsed on the 6th birthday,
    2022-12-01; on 2023-04-10, under H.B. 554, the same determination holds again (the
    upper age is the law on the day judged; ODE: preschoolers identified with a
    developmental delay continue without a reevaluation)."""
    c = student(engine, "us-oh", [dd_found("2020-01-15")], "2016-12-01")
    before = det(engine, c, "2023-01-15", "us-oh")
    assert before.eligibility_for("part_b").outcome == "needs_information"
    assert "lapsed on 2022-12-01" in before.eligibility_for("part_b").reason
    after = det(engine, c, "2023-04-10", "us-oh")
    assert after.eligibility_for("part_b").outcome == "eligible"
    assert "ends on 2026-12-01" in dd_finding(after).reason


def test_oh_developmental_delay_ages_are_dated(engine):
    """The ages by date: through 5 from 2016-10-12 (H.B. 158 text), through 9 from
    2023-04-06 (H.B. 554); before 2016-10-12 the federal default (category not used)."""
    rs = engine.rulesets.get("us-oh")
    assert rs.value("part_b.developmental_delay.used", D("2016-10-11")) is False
    assert rs.value("part_b.developmental_delay.age_through", D("2023-04-05")) == 5
    assert rs.value("part_b.developmental_delay.age_through", D("2023-04-06")) == 9


# Florida ----------------------------------------------------------------------------------

FL_BORN = "2018-03-15"


def fl_child(engine, grades=None):
    extra = {"school": {"grades": grades}} if grades is not None else {}
    return student(engine, "us-fl", [dd_found("2021-09-01")], FL_BORN, **extra)


def test_fl_sb_236_completion_of_grade_2_comes_first(engine):
    """s. 1003.01(3)(a) F.S. (S.B. 236, from 2022-07-01), 6A-6.03027(1): "through nine (9)
    years of age, or through the student's completion of grade 2, whichever occurs first".
    Same child, grade 2 completed 2026-06-04: the category lapses on 2026-06-05, before the
    10th birthday (2028-03-15)."""
    grades = [{"grade": 2, "entered": "2025-08-11", "completed": "2026-06-04"}]
    d = det(engine, fl_child(engine, grades), "2024-05-01", "us-fl")
    assert d.eligibility_for("part_b").outcome == "eligible"
    assert "ends on 2026-06-05" in dd_finding(d).reason
    late = det(engine, fl_child(engine, grades), "2026-06-10", "us-fl").eligibility_for("part_b")
    assert late.outcome == "needs_information"
    assert "lapsed on 2026-06-05" in late.reason
    assert "completed grade 2 on 2026-06-04" in late.reason


def test_fl_sb_236_entering_grade_3_shows_grade_2_was_completed(engine):
    """6A-6.03027(1): without a completion date, entering grade 3 on 2026-08-12 shows grade 2
    was completed by 2026-08-11: the category lapses on 2026-08-12."""
    grades = [{"grade": 3, "entered": "2026-08-12"}]
    late = det(engine, fl_child(engine, grades), "2026-09-01", "us-fl").eligibility_for("part_b")
    assert late.outcome == "needs_information"
    assert "lapsed on 2026-08-12" in late.reason
    assert "entered grade 3 on 2026-08-12" in late.reason


def test_fl_sb_236_without_grades_the_age_alone_and_says_so(engine):
    """6A-6.03027(1): no grade record: the 10th birthday (2028-03-15), naming what is missing."""
    d = det(engine, fl_child(engine), "2024-05-01", "us-fl")
    reason = dd_finding(d).reason
    assert "ends on 2028-03-15" in reason
    assert "no date for completing grade 2" in reason


def test_grade_completed_before_it_was_entered_is_refused(engine):
    """school.grades: a grade completed before it was entered is a clear input error."""
    with pytest.raises(InputError) as err:
        fl_child(engine, [{"grade": 2, "entered": "2025-08-11", "completed": "2025-06-01"}])
    assert "completed 2025-06-01 is before entered 2025-08-11" in str(err.value)


# District calendars for the school-day clocks ----------------------------------------------

DISTRICT = "Fictional Unified"

#: Two fictional school years: 2025-26 (last school day Fri 2026-06-05) and 2026-27 (first
#: school day Mon 2026-08-24); a one-week Thanksgiving closure and a two-week winter break.
YEAR_2025 = [
    ("school_year", "2025-07-01", "2026-06-30", "2025-2026"),
    ("term", "2025-08-25", "2025-12-19", "Fall"),
    ("term", "2026-01-05", "2026-06-05", "Spring"),
    ("closure", "2025-11-24", "2025-11-28", "Thanksgiving"),
]
YEAR_2026 = [
    ("school_year", "2026-07-01", "2027-06-30", "2026-2027"),
    ("term", "2026-08-24", "2026-12-18", "Fall"),
    ("term", "2027-01-04", "2027-06-04", "Spring"),
]


def _engine_with(tmp_path, periods):
    from eirules.core.calendars import DistrictCalendars, Period, check
    from eirules.core.engine import Engine

    data, problems = check(
        [Period(k, D(a), D(b), n, f"row {i}") for i, (k, a, b, n) in enumerate(periods)], "test"
    )
    assert problems == []
    folder = tmp_path / "calendars"
    DistrictCalendars(folder).save(DISTRICT, data, "test.csv")
    return Engine(entry_points=False, calendars_dir=folder)


@pytest.fixture
def two_years(tmp_path):
    return _engine_with(tmp_path, YEAR_2025 + YEAR_2026)


def consent(engine, rid, on, *more, birth="2016-04-01"):
    events = [("consent_for_evaluation", on), *more]
    return student(engine, rid, events, birth, district=DISTRICT)


def evaluation_clock(engine, rid, c, as_of):
    return det(engine, c, as_of, rid).clock("initial_evaluation")


#: (ruleset, consent, due): school days of the fictional district calendar above.
SCHOOL_DAY_DUE = [
    # 23 Ill. Adm. Code 226.110: consent Mon 2026-01-12, 104 school days left in the year:
    # Tue 01-13 to Fri 01-16 are days 1-4; eleven full weeks from 01-19 reach day 59 on Fri
    # 04-03; day 60 is Mon 2026-04-06.
    pytest.param("us-il", "2026-01-12", "2026-04-06", id="il-226.110-sixty-school-days"),
    # 226.110 / ISBE Indicator 11: consent Fri 2026-03-13 leaves 60 school days (Mon 03-16 to
    # Fri 06-05, twelve weeks): not fewer than 60, so the 60th, 2026-06-05, is the date.
    pytest.param("us-il", "2026-03-13", "2026-06-05", id="il-226.110-exactly-60-left"),
    # 511 IAC 7-40-5(d): consent Mon 2025-10-20. Days 1-4 Tue 10-21 to Fri 10-24; four weeks
    # to Fri 11-21 make 24; Thanksgiving week is closed; three weeks to Fri 12-19 make 39; the
    # winter break has no school days; Mon 2026-01-05 to Fri 01-16 make 49; day 50 is Mon
    # 2026-01-19 (the federal 60 calendar days would be 2025-12-19).
    pytest.param("us-in", "2025-10-20", "2026-01-19", id="in-7-40-5-skips-breaks"),
]


@pytest.mark.parametrize("rid, on, due", SCHOOL_DAY_DUE)
def test_school_day_initial_evaluation_due_date(two_years, rid, on, due):
    """300.301(c)(1)(ii): a state's own timeframe, counted in its district's school days."""
    c = consent(two_years, rid, on)
    assert evaluation_clock(two_years, rid, c, on).due == D(due)


# Illinois ---------------------------------------------------------------------------------


def test_il_226_110_fewer_than_60_days_left_due_before_the_next_school_year(two_years):
    """ISBE Indicator 11: "If parental consent is obtained with fewer than 60 pupil
    attendance days left in the school year, the eligibility determination shall be made
    and the IEP meeting shall be completed prior to the first day of the following school
    year". Consent Mon 2026-03-16 leaves 59; consent Fri 2026-04-10 leaves 40 (Mon 04-13 to
    Fri 06-05): both due 2026-08-23, the day before the first school day 2026-08-24 (plain
    counting would give the 19th and 20th school days of the fall: 2026-09-18, 2026-09-21)."""
    for on, left in (("2026-03-16", 59), ("2026-04-10", 40)):
        k = evaluation_clock(two_years, "us-il", consent(two_years, "us-il", on), "2026-05-01")
        assert k.due == D("2026-08-23"), on
        assert f"started {left} school days before the last school day" in k.reason


def test_il_226_110_year_end_rule_needs_the_next_years_calendar(tmp_path):
    """226.110: with only the 2025-26 calendar, the first day of the following school year
    is not known: the clock says what is missing (needs_information), never a guess."""
    engine = _engine_with(tmp_path, YEAR_2025)
    k = evaluation_clock(engine, "us-il", consent(engine, "us-il", "2026-04-10"), "2026-05-01")
    assert (k.due, k.status) == (None, "needs_information")
    assert "next school year" in k.reason


# Indiana ----------------------------------------------------------------------------------


def test_in_7_40_5_fifty_instructional_days_to_the_ccc(two_years):
    """511 IAC 7-40-5(d) (IDOE: "Indiana's established timeline is 50 days"): consent Mon
    2025-09-08; Tue 09-09 to Fri 09-12 are days 1-4, eight weeks reach day 44 on Fri 11-07;
    days 45-49 are Mon 11-10 to Fri 11-14, day 50 is Mon 2025-11-17. The evaluation alone
    does not meet it: the CCC's determination does."""
    c = consent(two_years, "us-in", "2025-09-08", ("evaluation_completed", "2025-11-10"))
    k = evaluation_clock(two_years, "us-in", c, "2025-11-12")
    assert (k.due, k.met_on) == (D("2025-11-17"), None)
    met = consent(
        two_years,
        "us-in",
        "2025-09-08",
        ("evaluation_completed", "2025-11-10"),
        ("eligibility_determined", "2025-11-14", {"category": "autism", "outcome": "eligible"}),
    )
    k = evaluation_clock(two_years, "us-in", met, "2025-12-01")
    assert (k.status, k.met_on) == ("met", D("2025-11-14"))


def test_in_50_days_from_2019_05_15_federal_60_before(engine):
    """The 50 days are applied from 2019-05-15 (the IDOE page that states them); a consent
    before that day keeps the federal 60 calendar days (34 CFR 300.301(c)(1)(i))."""
    rs = engine.rulesets.get("us-in")
    before = rs.value("part_b.initial_evaluation", D("2019-05-14"))
    after = rs.value("part_b.initial_evaluation", D("2019-05-15"))
    assert (before["length"], before["unit"]) == (60, "calendar_days")
    assert (after["length"], after["unit"]) == (50, "school_days")
    assert list(after["stop"]) == ["eligibility_determined", "iep_meeting_held"]


# The year-end rule as a ruleset key -------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eirules.core.calendars import Period, calendar_from_data, check  # noqa: E402
from eirules.core.school_rules import check as check_rule  # noqa: E402
from eirules.core.school_rules import due_date  # noqa: E402

_CAL = calendar_from_data(
    check(
        [
            Period(k, D(a), D(b), n, f"row {i}")
            for i, (k, a, b, n) in enumerate(YEAR_2025 + YEAR_2026)
        ],
        "t",
    )[0],
    "t",
)
_IL = {
    "length": 60,
    "unit": "school_days",
    "year_end": {"at_least": 0, "fewer_than": 60, "due": "before_next_school_year"},
}


@given(st.dates(min_value=D("2025-08-25"), max_value=D("2026-06-05")))
def test_before_next_school_year_never_later_than_counting_on(start):
    """226.110: with fewer than 60 days left the year-end date comes before the first day of
    the next year, so it is never later than the 60th school day counted on; with 60 or more
    left the date is the 60th school day itself."""
    plain = _CAL.add_school_days(start, 60)
    due, _ = due_date(_IL, start, plain, _CAL)
    assert plain is None or due <= plain
    if _CAL.school_days_between(start, D("2026-06-05")) >= 60:
        assert due == plain


@pytest.mark.parametrize("due", ["06/30", "next_year", 630])
def test_year_end_due_must_be_a_month_day_or_before_next_school_year(due):
    """A mistyped year_end.due is refused with what to write instead."""
    what, fix = check_rule({"unit": "school_days", "year_end": {**_IL["year_end"], "due": due}})
    assert "expected a month and day or before_next_school_year" in what
    assert "before_next_school_year" in fix


def test_calendar_not_covering_the_start_is_needs_information_not_not_applicable(tmp_path):
    """22 Pa. Code 14.123(b) with only the 2026-27 calendar and a consent on 2026-01-12: the
    calendar does not cover the days the rule needs. The evaluation is still owed:
    needs_information naming what is missing, never not_applicable (nothing owed)."""
    engine = _engine_with(tmp_path, YEAR_2026)
    k = evaluation_clock(engine, "us-pa", consent(engine, "us-pa", "2026-01-12"), "2026-02-01")
    assert (k.due, k.status) == (None, "needs_information")
    assert k.is_open
    assert "does not cover" in k.missing[0]


# California -------------------------------------------------------------------------------


def ca_child(engine, risk, born="2024-03-01", evaluated="2025-07-01", months=15):
    from helpers import ae, case, evaluation

    return case(
        engine,
        birth=born,
        ruleset="us-ca",
        risk=risk,
        events=[("referral_received", evaluated)],
        evaluations=[evaluation(evaluated, ae("cognitive", months))],
    )


def test_ca_95014_a_3_two_biomedical_factors_make_a_high_risk_infant_eligible(engine):
    """Gov. Code 95014(a)(3): "a combination of biomedical risk factors" (San Diego Regional
    Center: two or more). Born 2024-03-01, evaluated 2025-07-01 at 16 months, cognitive at
    15 months (6.25%, below the 25% level): small for gestational age and asphyxia
    neonatorum make the child eligible as at risk."""
    c = ca_child(engine, ["small_for_gestational_age", "asphyxia_neonatorum"])
    e = det(engine, c, "2025-07-10", "us-ca").eligibility_for("part_c")
    assert (e.outcome, e.basis) == ("eligible", ("at_risk",))
    assert "2 required" in e.reason


def test_ca_95014_a_3_one_factor_is_not_a_combination(engine):
    """Gov. Code 95014(a)(3): one factor alone is not a combination: not eligible."""
    c = ca_child(engine, ["small_for_gestational_age"])
    assert det(engine, c, "2025-07-10", "us-ca").eligibility_for("part_c").outcome == (
        "not_eligible"
    )


def test_ca_high_risk_not_served_before_2015(engine):
    """DRC: high-risk infants were outside Early Start from the 2009 trailer bill until
    eligibility was restored on 2015-01-01: in 2014 the same two factors are no basis."""
    rs = engine.rulesets.get("us-ca")
    assert rs.value("part_c.eligibility.at_risk_served", D("2014-12-31")) is False
    assert rs.value("part_c.eligibility.at_risk_served", D("2015-01-01")) is True
    c = ca_child(
        engine,
        ["small_for_gestational_age", "asphyxia_neonatorum"],
        born="2013-03-01",
        evaluated="2014-07-01",
    )
    e = det(engine, c, "2014-07-10", "us-ca").eligibility_for("part_c")
    assert "at_risk" not in e.basis
