"""SPP/APR compliance indicators: worked examples from the measurement tables' wording.

Every case here is fictional. Dates sit in the 2025-26 reporting year (July 1, 2025
to June 30, 2026); cases are evaluated as of 2026-07-01, after the year closed.
"""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from eirules import indicators
from eirules.core.engine import Engine

AS_OF = date(2026, 7, 1)

STATE = """
[ruleset]
id = "xi"
title = "Indicator test state (fictional)"
jurisdiction = "US-XI"
extends = "us"
version = "test"

[[parameters.part_c.service_start.values]]
effective = 2011-10-28
value = { start = ["consent_for_services"], length = 30, unit = "calendar_days", stop = ["service_started"], excused_by = ["exceptional_family_circumstances"] }
citation = "Indicator test state rule (fictional)"

[[parameters.part_c.lea_notification_opt_out.values]]
effective = 2011-10-28
value = true
citation = "Indicator test state rule (fictional)"
"""

EXCLUDING = """
[ruleset]
id = "xj"
title = "Indicator test state that leaves family delays out of C7 (fictional)"
jurisdiction = "US-XJ"
extends = "xi"
version = "test"

[[parameters.indicators.c7_family_circumstances.values]]
effective = 2011-10-28
value = "exclude"
citation = "Indicator test state rule (fictional)"

[[parameters.indicators.suppress_below.values]]
effective = 2011-10-28
value = 10
citation = "Indicator test state rule (fictional)"
"""


FROM_INITIATION = """
[ruleset]
id = "xk"
title = "Indicator test state counting from the IFSP initiation date (fictional)"
jurisdiction = "US-XK"
extends = "us"
version = "test"

[[parameters.part_c.service_start.values]]
effective = 2011-10-28
value = { start = ["consent_for_services"], length = 0, unit = "calendar_days", stop = ["service_started"] }
citation = "Indicator test state rule (fictional)"

[[parameters.part_c.service_start_from.values]]
effective = 2011-10-28
value = "ifsp_initiation_date"
citation = "Indicator test state rule (fictional)"
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("rulesets")
    for name, text in (("xi", STATE), ("xj", EXCLUDING), ("xk", FROM_INITIATION)):
        (root / name).mkdir()
        (root / name / "ruleset.toml").write_text(textwrap.dedent(text))
    return Engine(entry_points=False, ruleset_dirs=[root])


def case(engine, cid, birth, events=(), ruleset="xi", **extra):
    data = {
        "id": cid,
        "ruleset": ruleset,
        "child": {"birth_date": birth, "name": f"Child {cid}"},
        "events": [{"type": t, "date": d, **(more[0] if more else {})} for t, d, *more in events],
        **extra,
    }
    return engine.case_from_dict(data)


def run(engine, cases, codes=None, **kw):
    return indicators(
        cases, year="2025-26", as_of=AS_OF, engine=engine, codes=codes, children=True, **kw
    )


def late_ids(result):
    return sorted(i.case_id for i in result.late)


# C7 -------------------------------------------------------------------------------------

PC = {"program": "part_c"}


def c7_case(engine, cid, *events, ruleset="xi"):
    return case(
        engine, cid, "2025-01-10", [("referral_received", "2025-09-01", PC), *events], ruleset
    )


def test_c7_a_meeting_on_the_45th_day_is_within_the_timeline(engine):
    """303.310(a): referral 2025-09-01, due 2025-10-16; the due date is the last timely day."""
    r = run(engine, [c7_case(engine, "C7-A", ("ifsp_meeting_held", "2025-10-16", PC))], ["C7"])
    c7 = r.indicator("C7")
    assert (c7.numerator, c7.denominator, c7.percent) == (1, 1, 100.0)


def test_c7_a_meeting_a_day_late_is_in_the_denominator_only_with_its_days_late(engine):
    r = run(engine, [c7_case(engine, "C7-B", ("ifsp_meeting_held", "2025-10-17", PC))], ["C7"])
    c7 = r.indicator("C7")
    assert (c7.numerator, c7.denominator) == (0, 1)
    [late] = c7.late
    assert (late.due, late.done, late.days_late) == (date(2025, 10, 16), date(2025, 10, 17), 1)
    assert late.reason == "done late, no documented reason"


def test_c7_a_meeting_never_held_counts_late_to_the_evaluation_date(engine):
    r = run(engine, [c7_case(engine, "C7-C")], ["C7"])
    [late] = r.indicator("C7").late
    assert late.status == "overdue" and late.days_late == (AS_OF - date(2025, 10, 16)).days


def test_c7_documented_family_circumstances_count_as_timely_when_the_state_includes_them(engine):
    """Measurement table C7: a state that includes them puts them in numerator and denominator."""
    events = (
        ("delay", "2025-09-20", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-10-30"}),
        ("ifsp_meeting_held", "2025-11-05", PC),
    )  # fmt: skip
    c7 = run(engine, [c7_case(engine, "C7-D", *events)], ["C7"]).indicator("C7")
    assert (c7.numerator, c7.denominator) == (1, 1)
    assert c7.timely_by_instruction == {"exceptional_family_circumstances": 1}


def test_c7_documented_family_circumstances_leave_both_counts_when_the_state_excludes_them(engine):
    """Measurement table C7: states are not required to include them (ruleset setting)."""
    events = (
        ("delay", "2025-09-20", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-10-30"}),
        ("ifsp_meeting_held", "2025-11-05", PC),
    )  # fmt: skip
    c7 = run(engine, [c7_case(engine, "C7-E", *events, ruleset="xj")], ["C7"]).indicator("C7")
    assert (c7.numerator, c7.denominator) == (0, 0)
    assert c7.excluded == {"excluded: exceptional_family_circumstances": 1}


def test_c7_counts_only_children_for_whom_an_initial_ifsp_meeting_was_required(engine):
    """A child found not eligible (303.322) needs no IFSP meeting: not in the denominator."""
    not_eligible = c7_case(
        engine, "C7-F", ("eligibility_determined", "2025-09-30", {**PC, "outcome": "not_eligible"})
    )
    c7 = run(engine, [not_eligible], ["C7"]).indicator("C7")
    assert (c7.numerator, c7.denominator) == (0, 0)


def test_c7_a_timeline_due_before_july_belongs_to_the_previous_year(engine):
    early = case(
        engine, "C7-G", "2024-12-01",
        [("referral_received", "2025-05-01", PC), ("ifsp_meeting_held", "2025-07-20", PC)],
    )  # fmt: skip
    assert run(engine, [early], ["C7"]).indicator("C7").denominator == 0


def test_c7_counts_every_episode_in_the_year_not_only_the_current_one(engine):
    """A toddler who left Part C and was referred again has two 45-day timelines that year."""
    twice = c7_case(
        engine, "C7-H",
        ("ifsp_meeting_held", "2025-10-01", PC),
        ("exited", "2025-10-20", {**PC, "reason": "moved_out_of_state"}),
        ("referral_received", "2025-11-01", PC),
        ("ifsp_meeting_held", "2026-01-10", PC),  # due 2025-12-16
    )  # fmt: skip
    c7 = run(engine, [twice], ["C7"]).indicator("C7")
    assert (c7.numerator, c7.denominator) == (1, 2)
    [late] = c7.late
    assert (late.due, late.days_late) == (date(2025, 12, 16), 25)
    assert late.episode is not None and late.episode.endswith(".2")


# C1 -------------------------------------------------------------------------------------


def c1_case(engine, cid, *events, ruleset="xi"):
    base = [
        ("referral_received", "2025-08-01", PC),
        ("ifsp_meeting_held", "2025-09-01", PC),
    ]
    return case(engine, cid, "2024-10-01", [*base, *events], ruleset)


def test_c1_a_child_is_timely_only_when_every_new_service_started_on_time(engine):
    """Measurement table C1 counts infants and toddlers, with new services from every IFSP."""
    on_time = c1_case(
        engine, "C1-A",
        ("consent_for_services", "2025-09-01", {**PC, "service": "speech therapy"}),
        ("service_started", "2025-10-01", {**PC, "service": "speech therapy"}),
    )  # fmt: skip
    one_late = c1_case(
        engine, "C1-B",
        ("consent_for_services", "2025-09-01", {**PC, "service": "speech therapy"}),
        ("service_started", "2025-09-20", {**PC, "service": "speech therapy"}),
        # a service added at a later IFSP review starts its own clock
        ("consent_for_services", "2026-01-10", {**PC, "service": "occupational therapy"}),
        ("service_started", "2026-02-20", {**PC, "service": "occupational therapy"}),
    )  # fmt: skip
    c1 = run(engine, [on_time, one_late], ["C1"]).indicator("C1")
    assert (c1.numerator, c1.denominator) == (1, 2)
    [late] = c1.late
    assert late.case_id == "C1-B" and late.subject == "occupational therapy"
    assert late.due == date(2026, 2, 9) and late.days_late == 11


def test_c1_family_circumstance_delays_are_counted_as_timely(engine):
    """Measurement table C1: documented exceptional family circumstances are in both counts."""
    excused = c1_case(
        engine, "C1-C",
        ("consent_for_services", "2025-09-01", {**PC, "service": "speech therapy"}),
        ("delay", "2025-09-15", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-10-20"}),
        ("service_started", "2025-10-25", {**PC, "service": "speech therapy"}),
    )  # fmt: skip
    c1 = run(engine, [excused], ["C1"]).indicator("C1")
    assert (c1.numerator, c1.denominator) == (1, 1)
    assert c1.timely_by_instruction == {"exceptional_family_circumstances": 1}


def test_c1_without_a_state_criterion_nothing_is_counted_and_the_report_says_why(engine):
    """The federal rule is "as soon as possible": no number of days to count against."""
    federal = c1_case(
        engine, "C1-D",
        ("consent_for_services", "2025-09-01", {**PC, "service": "speech therapy"}),
        ruleset="us",
    )  # fmt: skip
    c1 = run(engine, [federal], ["C1"]).indicator("C1")
    assert c1.denominator == 0
    assert c1.excluded == {"not measurable: no state timeliness criterion": 1}


def test_c1_counts_from_the_ifsp_initiation_date_when_the_state_says_so(engine):
    """Measurement table C1: the measure may run from the IFSP initiation date the team set."""
    ifsp = {
        "kind": "ifsp", "meetings": ["2025-09-01"],
        "services": [
            {"name": "speech therapy", "consented": "2025-09-01", "planned_start": "2025-09-15", "started": "2025-09-15"},
            {"name": "physical therapy", "consented": "2025-09-01", "planned_start": "2025-09-20", "started": "2025-09-23"},
        ],
    }  # fmt: skip
    on_time = case(
        engine, "C1-E", "2024-10-01",
        [("referral_received", "2025-08-01", PC), ("ifsp_meeting_held", "2025-09-01", PC)],
        ruleset="xk", service_plans=[{**ifsp, "services": ifsp["services"][:1]}],
    )  # fmt: skip
    late = case(
        engine, "C1-F", "2024-10-01",
        [("referral_received", "2025-08-01", PC), ("ifsp_meeting_held", "2025-09-01", PC)],
        ruleset="xk", service_plans=[ifsp],
    )  # fmt: skip
    c1 = run(engine, [on_time, late], ["C1"]).indicator("C1")
    assert (c1.numerator, c1.denominator) == (1, 2)
    [row] = c1.late
    assert (row.subject, row.start, row.due, row.days_late) == (
        "physical therapy",
        date(2025, 9, 20),
        date(2025, 9, 20),
        3,
    )


def test_c1_a_service_without_an_initiation_date_needs_information(engine):
    no_date = case(
        engine, "C1-G", "2024-10-01",
        [("referral_received", "2025-08-01", PC), ("ifsp_meeting_held", "2025-09-01", PC),
         ("consent_for_services", "2025-09-01", {**PC, "service": "speech therapy"})],
        ruleset="xk",
    )  # fmt: skip
    [clock] = [c for c in engine.evaluate(no_date, None, AS_OF).clocks if c.id == "service_start"]
    assert clock.status == "needs_information" and clock.is_open
    c1 = run(engine, [no_date], ["C1"]).indicator("C1")
    assert c1.denominator == 0 and sum(c1.excluded.values()) == 1


# C8 -------------------------------------------------------------------------------------

TODDLER = [
    ("referral_received", "2024-06-01", PC),
    ("ifsp_meeting_held", "2024-07-01", PC),
]


def toddler(engine, cid, *events, ruleset="xi"):
    # Third birthday 2026-03-01: 90 days before is 2025-12-01, nine months before 2025-06-01.
    return case(engine, cid, "2023-03-01", [*TODDLER, *events], ruleset)


def test_c8_each_part_reads_its_own_clock_for_a_toddler_exiting_at_three(engine):
    t = toddler(
        engine, "C8-A",
        ("transition_plan_completed", "2025-11-15", PC),
        ("transition_notification_sent", "2025-12-15", PC),
    )  # fmt: skip
    r = run(engine, [t], ["C8A", "C8B", "C8C"])
    assert (r.indicator("C8A").numerator, r.indicator("C8A").denominator) == (1, 1)
    [note] = r.indicator("C8B").late
    assert note.days_late == 14 and note.done == date(2025, 12, 15)
    [conf] = r.indicator("C8C").late
    assert conf.status == "overdue" and conf.done is None


def test_c8b_and_c8c_count_only_toddlers_potentially_eligible_for_part_b(engine):
    """C8B/C8C denominators: exiting toddlers potentially eligible for Part B; C8A all."""
    t = toddler(
        engine, "C8-B",
        ("part_b_potential_eligibility", "2025-10-01", {**PC, "outcome": "not_potentially_eligible"}),
        ("transition_plan_completed", "2025-11-15", PC),
    )  # fmt: skip
    r = run(engine, [t], ["C8A", "C8B", "C8C"])
    assert r.indicator("C8A").denominator == 1
    assert r.indicator("C8B").denominator == 0 and r.indicator("C8C").denominator == 0
    assert r.indicator("C8B").excluded == {"excluded: not potentially eligible for Part B": 1}


def test_c8b_a_parent_who_opted_out_is_not_in_the_notification_count(engine):
    """C8B: notification "consistent with any opt-out policy adopted by the State" (303.401(e))."""
    t = toddler(engine, "C8-C", ("notification_objection", "2025-09-01", PC))
    c8b = run(engine, [t], ["C8B"]).indicator("C8B")
    assert c8b.denominator == 0
    assert c8b.excluded == {"excluded: the parent opted out of the notification (303.401(e))": 1}


def test_c8c_a_family_that_did_not_approve_the_conference_is_not_in_the_count(engine):
    """C8C: the conference is "held with the approval of the family" (303.209(c)(1))."""
    t = toddler(engine, "C8-E", ("transition_conference_not_approved", "2025-10-01", PC))
    clock = engine.evaluate(t, None, AS_OF).clock("transition_conference")
    assert clock.status == "not_applicable" and "did not approve" in clock.reason
    c8c = run(engine, [t], ["C8C"]).indicator("C8C")
    assert c8c.denominator == 0
    assert c8c.excluded == {"excluded: the family did not approve the conference": 1}


def test_c8_a_toddler_is_counted_in_the_year_of_the_exit(engine):
    exited_early = toddler(
        engine, "C8-D", ("exited", "2025-06-20", {**PC, "reason": "moved_out_of_state"})
    )
    assert run(engine, [exited_early], ["C8A"]).indicator("C8A").denominator == 0


def test_c8_a_referred_toddler_never_found_eligible_is_not_in_any_denominator(engine):
    """Part C Measurement Table, Indicator 8A-C; 34 CFR 303.209, 303.21: the denominator is
    toddlers with disabilities exiting Part C. Born 2023-03-01, referred 2025-06-01, consent
    2025-06-05, never found eligible and no IFSP: Part C ends at the third birthday 2026-03-01
    (in FFY 2025-26). The transition clocks (due by 2025-12-01) are overdue, yet the toddler is
    in no part's denominator and in no late list, and each part says why."""
    t = case(
        engine, "C8-F", "2023-03-01",
        [("referral_received", "2025-06-01", PC), ("consent_for_evaluation", "2025-06-05", PC)],
    )  # fmt: skip
    d = engine.evaluate(t, None, AS_OF)
    assert d.clock("transition_plan").status == "overdue"  # the clock alone would say late
    r = run(engine, [t], ["C8A", "C8B", "C8C"])
    why = "excluded: not a toddler with a disability (no Part C eligibility or IFSP on file)"
    for code in ("C8A", "C8B", "C8C"):
        ind = r.indicator(code)
        assert (ind.numerator, ind.denominator, list(ind.late)) == (0, 0, []), code
        assert ind.excluded == {why: 1}, code


def test_c8_the_same_toddler_with_an_ifsp_is_counted_late(engine):
    """Indicator 8A, 303.209(d): the same referral, but an IFSP meeting on 2025-07-10 makes the
    toddler one with a disability; no transition plan by 2025-12-01 is late in C8A."""
    t = case(
        engine, "C8-G", "2023-03-01",
        [("referral_received", "2025-06-01", PC), ("consent_for_evaluation", "2025-06-05", PC),
         ("ifsp_meeting_held", "2025-07-10", PC)],
    )  # fmt: skip
    c8a = run(engine, [t], ["C8A"]).indicator("C8A")
    assert (c8a.numerator, c8a.denominator) == (0, 1)
    assert [i.case_id for i in c8a.late] == ["C8-G"]


def test_c8_an_untagged_eligibility_before_the_third_birthday_makes_a_toddler_with_a_disability(
    engine,
):
    """Indicator 8A, 303.209(d), 303.21: the same referral and consent, then a team finding the
    toddler eligible on 2025-07-01 with no program tag. The engine reads an untagged event
    before the third birthday (2026-03-01) as Part C's, so the indicator counts the toddler:
    no transition plan by 2025-12-01 is late in C8A."""
    t = case(
        engine, "C8-H", "2023-03-01",
        [("referral_received", "2025-06-01", PC), ("consent_for_evaluation", "2025-06-05", PC),
         ("eligibility_determined", "2025-07-01", {"outcome": "eligible"})],
    )  # fmt: skip
    c8a = run(engine, [t], ["C8A"]).indicator("C8A")
    assert (c8a.numerator, c8a.denominator) == (0, 1)
    assert [i.case_id for i in c8a.late] == ["C8-H"]


def test_c8_an_untagged_eligibility_after_the_third_birthday_is_not_part_c(engine):
    """Indicator 8A-C, 303.21: an untagged `eligible` determination dated after the third
    birthday (2026-03-01) is not Part C's, so the toddler referred and never found eligible
    before it stays out of every denominator."""
    t = case(
        engine, "C8-I", "2023-03-01",
        [("referral_received", "2025-06-01", PC), ("consent_for_evaluation", "2025-06-05", PC),
         ("eligibility_determined", "2026-03-10", {"outcome": "eligible"})],
    )  # fmt: skip
    r = run(engine, [t], ["C8A", "C8B", "C8C"])
    for code in ("C8A", "C8B", "C8C"):
        assert r.indicator(code).denominator == 0, code


def test_c8_example_syn_c_0003_is_excluded_not_late(engine):
    """Indicator 8A-C, 303.209: examples/caseload/SYN-C-0003.json (born 2023-07-20, referred
    2026-02-16, never found eligible) exits Part C at the third birthday 2026-07-20, in
    FFY 2026-27; as of 2026-12-02 it is excluded from C8A, C8B and C8C, late in none."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "examples" / "caseload" / "SYN-C-0003.json"
    t = engine.load_case(path)
    r = indicators(
        [t], year="2026-27", as_of=date(2026, 12, 2), engine=engine,
        codes=["C8A", "C8B", "C8C"], children=True,
    )  # fmt: skip
    for code in ("C8A", "C8B", "C8C"):
        ind = r.indicator(code)
        assert (ind.denominator, list(ind.late)) == (0, []), code
        assert list(ind.excluded) == [
            "excluded: not a toddler with a disability (no Part C eligibility or IFSP on file)"
        ], code


# B11 ------------------------------------------------------------------------------------

PB = {"program": "part_b"}


def pupil(engine, cid, *events):
    return case(engine, cid, "2018-04-01", [("consent_for_evaluation", "2025-09-01", PB), *events])


def test_b11_evaluation_on_the_60th_day_after_consent_is_in_b(engine):
    """300.301(c)(1): consent 2025-09-01, due 2025-10-31."""
    r = run(engine, [pupil(engine, "B11-A", ("evaluation_completed", "2025-10-31", PB))], ["B11"])
    assert (r.indicator("B11").numerator, r.indicator("B11").denominator) == (1, 1)


def test_b11_a_late_evaluation_is_in_a_not_b_with_its_days_beyond_the_timeline(engine):
    r = run(engine, [pupil(engine, "B11-B", ("evaluation_completed", "2025-11-10", PB))], ["B11"])
    b11 = r.indicator("B11")
    assert (b11.numerator, b11.denominator) == (0, 1)
    assert (b11.days_late_min, b11.days_late_max) == (10, 10)


def test_b11_a_300_301_d_exception_is_in_neither_a_nor_b(engine):
    """300.301(d)(1): the timeframe does not apply when the parent repeatedly fails to produce the child."""
    p = pupil(
        engine, "B11-C",
        ("delay", "2025-10-01", {**PB, "reason": "parent_failed_to_produce_child"}),
        ("evaluation_completed", "2025-11-20", PB),
    )  # fmt: skip
    b11 = run(engine, [p], ["B11"]).indicator("B11")
    assert (b11.numerator, b11.denominator) == (0, 0)
    assert sum(b11.excluded.values()) == 1


# B12 ------------------------------------------------------------------------------------


def from_part_c(engine, cid, *events):
    # Third birthday 2026-03-01.
    return case(engine, cid, "2023-03-01", [("referral_from_part_c", "2025-11-01", PB), *events])


def test_b12_categories_a_to_f_from_the_measurement(engine):
    """Part B measurement table B12: percent = c / (a - b - d - e - f)."""
    cases = [
        from_part_c(
            engine,
            "B12-C",
            ("iep_meeting_held", "2026-02-20", PB),
            ("iep_services_started", "2026-02-27", PB),
        ),  # c: developed and implemented by the birthday
        from_part_c(
            engine,
            "B12-B",
            ("eligibility_determined", "2026-01-15", {**PB, "outcome": "not_eligible"}),
        ),  # b
        from_part_c(
            engine, "B12-D", ("delay", "2026-01-05", {**PB, "reason": "parent_consent_not_given"})
        ),  # d
        from_part_c(engine, "B12-E", ("ifsp_meeting_held", "2026-01-10", PC)),  # e: 50 days before
        from_part_c(engine, "B12-F", ("extension_elected", "2026-01-20", PC)),  # f
        from_part_c(
            engine,
            "B12-L",
            ("iep_meeting_held", "2026-03-10", PB),
            ("iep_services_started", "2026-03-10", PB),
        ),  # late by 9 days
    ]
    b12 = run(engine, cases, ["B12"]).indicator("B12")
    assert {k: b12.categories[k] for k in "bcdef"} == {"b": 1, "c": 1, "d": 1, "e": 1, "f": 1}
    assert sum(b12.categories.values()) == 6  # a
    assert (b12.numerator, b12.denominator) == (1, 2)  # c / (6 - 1 - 1 - 1 - 1)
    [late] = b12.late
    assert late.case_id == "B12-L" and late.days_late == 9


def test_b12_c_needs_the_services_started_by_the_third_birthday(engine):
    """B12 (c), 300.124(b): an IEP "developed and implemented" by the third birthday
    (2026-03-01). IEP developed 2026-02-20, services started 2026-02-27: c. Without a school
    calendar (300.101(b)(2): a summer birthday lets the IEP Team set the start), an IEP
    developed 2026-02-20 with services from 2026-03-05, or none by 2026-07-01, cannot be
    judged: not measurable, in neither a nor the denominator. An IEP developed on
    2026-03-04 is late either way (3 days)."""
    cases = [
        from_part_c(
            engine,
            "B12-C",
            ("iep_meeting_held", "2026-02-20", PB),
            ("iep_services_started", "2026-02-27", PB),
        ),
        from_part_c(
            engine,
            "B12-S",
            ("iep_meeting_held", "2026-02-20", PB),
            ("iep_services_started", "2026-03-05", PB),
        ),
        from_part_c(engine, "B12-N", ("iep_meeting_held", "2026-02-20", PB)),
        from_part_c(
            engine,
            "B12-L",
            ("iep_meeting_held", "2026-03-04", PB),
            ("iep_services_started", "2026-03-04", PB),
        ),
    ]
    b12 = run(engine, cases, ["B12"]).indicator("B12")
    assert (b12.numerator, b12.denominator) == (1, 2)
    assert b12.as_dict()["categories"] == {"a": 2, "b": 0, "c": 1, "d": 0, "e": 0, "f": 0}
    assert b12.excluded == {"not measurable: needs a school calendar (summer birthday or not)": 2}
    unknown = sorted(i.case_id for i in b12.units if not i.counted)
    assert unknown == ["B12-N", "B12-S"]
    [late] = b12.late
    assert (late.case_id, late.days_late) == ("B12-L", 3)


def test_b12_not_eligible_after_the_third_birthday_is_a_delay(engine):
    """(b) counts only children whose eligibility was determined before the third birthday."""
    late_decision = from_part_c(
        engine, "B12-G", ("eligibility_determined", "2026-03-20", {**PB, "outcome": "not_eligible"})
    )
    b12 = run(engine, [late_decision], ["B12"]).indicator("B12")
    assert (b12.numerator, b12.denominator) == (0, 1)
    assert b12.late[0].days_late == 19


# B13 ------------------------------------------------------------------------------------

ALL_COMPONENTS = {
    "postsecondary_goals": True,
    "goals_updated_annually": True,
    "transition_assessment": True,
    "transition_services": True,
    "courses_of_study": True,
    "annual_goals_related": True,
    "student_invited": True,
    "agency_invited": "not_appropriate",
}


def youth(engine, cid, birth, review):
    plan = {"kind": "iep", "meetings": ["2025-10-10"]}
    if review is not None:
        plan["transition"] = [{"date": "2025-10-10", **review}]
    return case(
        engine, cid, birth,
        [("iep_meeting_held", "2024-10-12", PB), ("iep_review_held", "2025-10-10", PB)],
        service_plans=[plan],
    )  # fmt: skip


def test_b13_youth_16_and_over_whose_iep_has_every_component(engine):
    ok = youth(engine, "B13-A", "2009-09-01", ALL_COMPONENTS)
    missing = youth(engine, "B13-B", "2009-05-01", {**ALL_COMPONENTS, "courses_of_study": False})
    unrecorded = youth(engine, "B13-C", "2009-01-01", None)
    young = youth(engine, "B13-D", "2010-12-01", ALL_COMPONENTS)  # 14 at the meeting
    b13 = run(engine, [ok, missing, unrecorded, young], ["B13"]).indicator("B13")
    assert (b13.numerator, b13.denominator) == (1, 3)
    reasons = {i.case_id: i.reason for i in b13.late}
    assert reasons["B13-B"] == "courses of study"
    assert reasons["B13-C"] == "no transition review recorded for this IEP meeting"


def test_b13_an_agency_invitation_must_be_recorded_or_marked_not_appropriate(engine):
    no_agency = youth(engine, "B13-E", "2009-09-01", {**ALL_COMPONENTS, "agency_invited": None})
    b13 = run(engine, [no_agency], ["B13"]).indicator("B13")
    assert b13.numerator == 0 and "participating agency" in b13.late[0].reason


def test_b11_a_clock_that_needs_information_is_not_counted_but_said(engine):
    """Texas counts school days (19 TAC 89.1011): without the district calendar the due date
    cannot be computed, so no figure may count the consent; the report says why."""
    texas = engine.case_from_dict(
        {"id": "B11-TX", "ruleset": "us-tx", "child": {"birth_date": "2018-04-01"},
         "events": [{"type": "consent_for_evaluation", "date": "2025-09-01", "program": "part_b"}]}
    )  # fmt: skip
    b11 = run(engine, [texas], ["B11"]).indicator("B11")
    assert b11.denominator == 0
    assert b11.excluded == {
        "not measurable: the due date cannot be computed (needs information)": 1
    }


def test_c7_a_delay_only_partly_excused_is_late_and_says_how_many_days_were_the_agencys(engine):
    """303.310(b): the timeline does not apply "for any period when" documented exceptional
    family circumstances exist, and (c)(2) asks for the rest "as soon as possible after".
    Referral 2025-09-01, due 2025-10-16; the family unavailable 2025-09-20 to 2025-09-29
    (10 days); meeting 2025-11-05: 20 days late, 10 excused, 10 the agency's. Late for C7
    under either state choice (the measurement's "delay due to" the family covers only
    delays the circumstances explain), labelled as `check` says it, not "no documented
    reason"."""
    events = (
        ("delay", "2025-09-20", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-09-29"}),
        ("ifsp_meeting_held", "2025-11-05", PC),
    )  # fmt: skip
    for ruleset in ("xi", "xj"):  # include / exclude family circumstances
        c7 = run(engine, [c7_case(engine, "C7-P", *events, ruleset=ruleset)], ["C7"])
        c7 = c7.indicator("C7")
        assert (c7.numerator, c7.denominator) == (0, 1)
        assert not c7.timely_by_instruction and not c7.excluded
        [late] = c7.late
        assert (late.due, late.done, late.days_late) == (date(2025, 10, 16), date(2025, 11, 5), 20)
        assert late.reason == (
            "done late; 10 of the 20 days excused by the documented exceptional family"
            " circumstances (from 2025-09-20 to 2025-09-29), 10 the agency's"
        )
        assert late.group == (
            "done late; partly excused by the documented exceptional family circumstances,"
            " the rest the agency's"
        )


def test_c7_a_meeting_not_held_after_a_partly_excusing_delay_says_so_too(engine):
    """The same delay and no meeting by 2026-07-01: 258 days late, 10 excused."""
    events = (
        ("delay", "2025-09-20", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-09-29"}),
    )  # fmt: skip
    [late] = run(engine, [c7_case(engine, "C7-Q", *events)], ["C7"]).indicator("C7").late
    assert (late.status, late.days_late) == ("overdue", 258)
    assert late.reason == (
        "not done as of 2026-07-01; 10 of the 258 days excused by the documented exceptional"
        " family circumstances (from 2025-09-20 to 2025-09-29), 248 the agency's"
    )
    assert late.group == (
        "not done; partly excused by the documented exceptional family circumstances,"
        " the rest the agency's"
    )
