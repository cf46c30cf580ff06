"""Meeting rules, worked from the regulation text (34 CFR 300.321-300.322, 303.342-303.343)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from eirules.plugins.plans import record_of
from eirules.plugins.plans.meetings import check_meeting
from eirules.plugins.plans.models import NOTICE_ITEMS

CHILD = {"birth_date": "2016-03-01", "name": "Test Fictional"}
PRESENT = [
    {"name": "P. Parent", "role": "parent", "attended": True},
    {"name": "R. Teacher", "role": "regular_education_teacher", "attended": True},
    {
        "name": "S. Teacher",
        "role": "special_education_teacher",
        "attended": True,
        "also": ["evaluation_interpreter"],
    },
    {"name": "A. Rep", "role": "agency_representative", "attended": True},
]


def _case(engine, meeting, *, ruleset="us", contacts=(), birth_date=None):
    child = dict(CHILD, birth_date=birth_date or CHILD["birth_date"])
    data = {
        "id": "MEET-1",
        "ruleset": ruleset,
        "child": child,
        "plans": {"meetings": [meeting], "contacts": list(contacts)},
    }
    return engine.case_from_dict(data)


def _iep(**over):
    m = {
        "id": "m1",
        "kind": "iep_annual",
        "date": "2026-03-10",
        "family_agreed_time_place": True,
        "participants": copy.deepcopy(PRESENT),
        "notice": {"sent": "2026-02-20", "includes": list(NOTICE_ITEMS)},
    }
    m.update(over)
    return m


def _checks(engine, meeting, **kw):
    case = _case(engine, meeting, **kw)
    rec = record_of(case)
    ruleset = engine.ruleset_for(case)
    return {c.rule: c for c in check_meeting(case, rec.meetings[0], rec.contacts, ruleset)}


def test_a_full_iep_team_with_timely_notice_meets_every_rule(engine):
    checks = _checks(engine, _iep())
    assert {r: c.outcome for r, c in checks.items()} == {
        "plans.meeting.parent_participation": "met",
        "plans.meeting.iep_team.regular_education_teacher": "met",
        "plans.meeting.iep_team.special_education_teacher": "met",
        "plans.meeting.iep_team.agency_representative": "met",
        "plans.meeting.iep_team.evaluation_interpreter": "met",
        "plans.meeting.notice": "met",
        "plans.meeting.notice_content": "met",
        "plans.meeting.time_and_place": "met",
    }


def test_300_321_a_2_meeting_missing_the_regular_education_teacher(engine):
    """34 CFR 300.321(a)(2): not less than one regular education teacher of the child
    (if the child is, or may be, participating in the regular education environment)."""
    people = [p for p in PRESENT if p["role"] != "regular_education_teacher"]
    c = _checks(engine, _iep(participants=people))[
        "plans.meeting.iep_team.regular_education_teacher"
    ]
    assert c.outcome == "not_met"
    assert c.citation == "34 CFR 300.321(a)(2)"
    assert "No regular education teacher" in c.reason


def test_300_321_a_2_no_regular_teacher_needed_outside_regular_education(engine):
    people = [p for p in PRESENT if p["role"] != "regular_education_teacher"]
    checks = _checks(engine, _iep(participants=people, in_regular_education=False))
    assert "plans.meeting.iep_team.regular_education_teacher" not in checks


def _excused(**excusal):
    people = copy.deepcopy(PRESENT)
    people[1] = {
        "name": "R. Teacher",
        "role": "regular_education_teacher",
        "attended": False,
        "excusal": excusal,
    }
    return people


def test_300_321_e_1_excusal_without_written_agreement_is_not_met(engine):
    """300.321(e)(1): a member whose area is not discussed may be excused only if the
    parent and the agency agree, in writing, that attendance is not necessary."""
    c = _checks(engine, _iep(participants=_excused(agency_agreed="2026-03-01")))[
        "plans.meeting.iep_team.regular_education_teacher"
    ]
    assert c.outcome == "not_met"
    assert "34 CFR 300.321(e)(1)" in c.citation
    assert "the parent's written agreement before the meeting" in c.reason


def test_300_321_e_1_excusal_with_both_agreements_is_met(engine):
    people = _excused(parent_agreed_in_writing="2026-03-02", agency_agreed="2026-03-01")
    c = _checks(engine, _iep(participants=people))[
        "plans.meeting.iep_team.regular_education_teacher"
    ]
    assert c.outcome == "met"


def test_300_321_e_2_area_discussed_needs_written_input_before_the_meeting(engine):
    """300.321(e)(2)(ii): the member submits, in writing to the parent and the IEP Team,
    input into the development of the IEP prior to the meeting."""
    base = {
        "area_discussed": True,
        "parent_agreed_in_writing": "2026-03-02",
        "agency_agreed": "2026-03-02",
    }
    missing = _checks(engine, _iep(participants=_excused(**base)))
    late = _checks(engine, _iep(participants=_excused(**base, written_input="2026-03-11")))
    given = _checks(engine, _iep(participants=_excused(**base, written_input="2026-03-09")))
    rule = "plans.meeting.iep_team.regular_education_teacher"
    assert missing[rule].outcome == "not_met" and "written input" in missing[rule].reason
    assert late[rule].outcome == "not_met"
    assert given[rule].outcome == "met"
    assert "34 CFR 300.321(e)(2)" in given[rule].citation


def test_absent_member_without_excusal_is_not_met(engine):
    people = copy.deepcopy(PRESENT)
    people[3]["attended"] = False
    c = _checks(engine, _iep(participants=people))["plans.meeting.iep_team.agency_representative"]
    assert c.outcome == "not_met" and "not excused" in c.reason


def test_notice_sent_the_day_before_is_not_met_under_new_york_five_days(engine):
    """8 NYCRR 200.5(c)(1): the parents receive the meeting notice at least five days before."""
    c = _checks(engine, _iep(notice={"sent": "2026-03-09"}), ruleset="us-ny")[
        "plans.meeting.notice"
    ]
    assert c.outcome == "not_met"
    assert "8 NYCRR 200.5(c)(1)" in c.citation
    assert "1 day before" in c.reason and "at least 5" in c.reason
    assert c.parameters == {"plans.meeting_notice.iep_minimum_days": 5}


def test_new_york_shorter_notice_agreed_by_the_parent_is_met(engine):
    m = _iep(notice={"sent": "2026-03-09", "parent_waived_minimum": True})
    assert _checks(engine, m, ruleset="us-ny")["plans.meeting.notice"].outcome == "met"


def test_300_322_a_1_day_before_notice_no_parent_federal_is_review_not_a_number(engine):
    """300.322(a)(1) asks for notice 'early enough' and sets no number of days: a short
    notice to parents who did not come is flagged for review, never judged by an invented count."""
    people = copy.deepcopy(PRESENT)
    people[0]["attended"] = False
    contacts = [
        {
            "date": "2026-03-01",
            "method": "call",
            "person": "parent",
            "topic": "meeting",
            "meeting": "m1",
        }
    ]
    c = _checks(
        engine, _iep(participants=people, notice={"sent": "2026-03-09"}), contacts=contacts
    )["plans.meeting.notice"]
    assert c.outcome == "review"
    assert c.citation == "34 CFR 300.322(a)(1), (b)(1)"
    assert c.parameters == {"plans.meeting_notice.iep_minimum_days": None}


def test_300_322_a_1_notice_on_the_meeting_day_is_not_met(engine):
    c = _checks(engine, _iep(notice={"sent": "2026-03-10"}))["plans.meeting.notice"]
    assert c.outcome == "not_met" and "the day of the meeting" in c.reason


def test_no_notice_recorded_needs_information(engine):
    m = _iep()
    del m["notice"]
    assert _checks(engine, m)["plans.meeting.notice"].outcome == "needs_information"


def test_300_322_b_1_notice_must_say_the_location(engine):
    """300.322(b)(1)(i): the notice must indicate the purpose, time, and location of the
    meeting and who will be in attendance."""
    m = _iep(notice={"sent": "2026-02-20", "includes": ["purpose", "time", "participants"]})
    c = _checks(engine, m)["plans.meeting.notice_content"]
    assert c.outcome == "not_met" and c.reason == "The notice did not say: location."


def test_300_322_d_parent_absent_without_recorded_attempts_is_not_met(engine):
    people = copy.deepcopy(PRESENT)
    people[0]["attended"] = False
    c = _checks(engine, _iep(participants=people))["plans.meeting.parent_participation"]
    assert c.outcome == "not_met" and "300.322(d)" in c.reason


def test_300_322_d_parent_absent_with_recorded_attempts_is_met(engine):
    """300.322(d): a meeting may be held without a parent when the agency keeps a record
    of its attempts to arrange a mutually agreed time and place."""
    people = copy.deepcopy(PRESENT)
    people[0]["attended"] = False
    contacts = [
        {
            "date": "2026-02-25",
            "method": "call",
            "person": "father",
            "topic": "meeting",
            "meeting": "m1",
        },
        {
            "date": "2026-03-12",
            "method": "call",
            "person": "father",
            "topic": "meeting",
            "meeting": "m1",
        },
    ]
    c = _checks(engine, _iep(participants=people), contacts=contacts)[
        "plans.meeting.parent_participation"
    ]
    assert c.outcome == "met"
    assert "call on 2026-02-25" in c.reason and "2026-03-12" not in c.reason


def test_300_321_b_1_student_of_transition_age_must_be_invited(engine):
    """300.321(b)(1): the agency invites the child when postsecondary goals are considered
    (from the transition age, 16 in the federal baseline, 300.320(b))."""
    older = _checks(engine, _iep(), birth_date="2009-01-15")[
        "plans.meeting.iep_team.student_invited"
    ]
    assert older.outcome == "not_met" and "300.321(b)(1)" in older.citation
    people = [*copy.deepcopy(PRESENT), {"name": "T. Student", "role": "child"}]
    invited = _checks(engine, _iep(participants=people), birth_date="2009-01-15")
    assert invited["plans.meeting.iep_team.student_invited"].outcome == "met"
    assert "plans.meeting.iep_team.student_invited" not in _checks(engine, _iep())


def _ifsp(**over):
    m = {
        "id": "m1",
        "kind": "ifsp_annual",
        "date": "2026-03-10",
        "family_agreed_time_place": True,
        "notice": {"sent": "2026-02-27"},
        "participants": [
            {"name": "P. Parent", "role": "parent", "attended": True},
            {"name": "C. Coordinator", "role": "service_coordinator", "attended": True},
            {"name": "E. Evaluator", "role": "evaluator", "attended": True},
        ],
    }
    m.update(over)
    return m


def test_303_343_a_2_evaluator_by_other_means_is_met(engine):
    """303.343(a)(2): an evaluator who cannot attend takes part by other means, such as a
    telephone conference call."""
    m = _ifsp()
    m["participants"][2] = {
        "name": "E. Evaluator",
        "role": "evaluator",
        "other_means": "telephone conference call",
    }
    c = _checks(engine, m)["plans.meeting.ifsp_participants.evaluator"]
    assert c.outcome == "met" and "303.343(a)(2)" in c.citation


def test_303_343_a_1_v_annual_meeting_without_evaluator_is_not_met(engine):
    m = _ifsp()
    m["participants"] = m["participants"][:2]
    c = _checks(engine, m)["plans.meeting.ifsp_participants.evaluator"]
    assert c.outcome == "not_met" and c.citation == "34 CFR 303.343(a)(1)(v)"


def test_303_343_b_periodic_review_needs_no_evaluator(engine):
    m = _ifsp(kind="ifsp_review")
    m["participants"] = m["participants"][:2]
    checks = _checks(engine, m)
    assert "plans.meeting.ifsp_participants.evaluator" not in checks
    assert checks["plans.meeting.ifsp_participants.service_coordinator"].outcome == "met"


def test_303_342_d_1_ii_meeting_not_in_the_familys_language(engine):
    """303.342(d)(1)(ii): IFSP meetings are conducted in the native language of the family
    unless it is clearly not feasible to do so."""
    c = _checks(engine, _ifsp(language="English", family_language="Spanish"))[
        "plans.meeting.language"
    ]
    assert c.outcome == "not_met" and c.citation == "34 CFR 303.342(d)(1)(ii)"
    ok = _checks(engine, _ifsp(language="English", family_language="Spanish", interpreter=True))
    assert ok["plans.meeting.language"].outcome == "met"


def test_time_and_place_not_recorded_needs_information(engine):
    m = _ifsp()
    del m["family_agreed_time_place"]
    c = _checks(engine, m)["plans.meeting.time_and_place"]
    assert c.outcome == "needs_information" and c.citation == "34 CFR 303.342(d)(1)(i)"


def test_check_flags_the_meeting_rules_with_citations(engine):
    """`eirules check` shows the meeting rules as findings with their paragraphs."""
    people = [p for p in PRESENT if p["role"] != "regular_education_teacher"]
    case = _case(engine, _iep(participants=people), ruleset="us-ny")
    det = engine.evaluate(case, None, date(2026, 3, 20))
    found = {f.rule: f for f in det.findings if f.rule.startswith("plans.meeting")}
    f = found["plans.meeting.iep_team.regular_education_teacher.m1"]
    assert (f.outcome, f.citation, f.program) == ("not_met", "34 CFR 300.321(a)(2)", "part_b")
    # a meeting after the as-of date is not judged yet
    later = engine.evaluate(case, None, date(2026, 3, 1))
    assert not [f for f in later.findings if f.rule.startswith("plans.meeting")]


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "teacher"},
        {"also": ["nobody"]},
    ],
)
def test_unknown_role_is_refused_with_its_path(engine, bad):
    from eirules.core.errors import InputError

    m = _iep()
    m["participants"][0].update(bad)
    with pytest.raises(InputError) as err:
        _case(engine, m)
    assert any(p.where.startswith("plans.meetings[0].participants[0]") for p in err.value.problems)
