"""MTSS review pass: defects found in the second round, each pinned by a worked example.

Every test failed before its fix. The reasoning is the research note's rule (R..)
or the regulation named in the test's docstring.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from helpers import series, weekly

from eirules.cli import cli
from eirules.plugins.mtss import datadir, evaluation_request, grouping, rules
from eirules.plugins.mtss.graphs import progress_figure
from eirules.plugins.mtss.models import (
    Enrolment,
    Interventionist,
    MtssRecord,
    Point,
    Program,
    School,
    Screening,
    Series,
    Session,
    Student,
)
from eirules.plugins.mtss.params import params_for

D = date
AS_OF = D(2025, 11, 12)
BUNDLED = datadir.bundled_dir()


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), AS_OF)


def record(**kw):
    return MtssRecord(student=kw.pop("student", Student(grade=2, school="Elm")), **kw)


def screening(d, window, pr, skill="reading"):
    return Screening(
        date=d, window=window, instrument="Star", skill_area=skill, percentile=float(pr)
    )


# --- R9: decisions as of a date never read later points ---------------------------


def test_r9_as_of_a_past_date_ignores_points_recorded_after_it(p):
    """R9: as of 2025-10-08 the last point is 2025-10-06 (Tier 2, every 14 days -> due
    2025-10-20); the points of 2025-10-13 onward did not exist yet."""
    s = series([41, 43, 42, 44, 45, 46], tier=2)
    r = rules.monitoring(record(series=(s,)), s, D(2025, 10, 8), p)
    assert (r.evidence["last_point"], r.evidence["due"]) == ("2025-10-06", "2025-10-20")
    assert r.evidence["points"] == 2


def test_monitoring_clock_as_of_a_past_date_uses_the_last_point_before_it(engine):
    """The bundled ELM-005 as of 2026-04-21: last point 2026-04-20, Tier 3 weekly -> due
    2026-04-27 (the clock used to show the June point)."""
    case = engine.load_case(BUNDLED / "students" / "ELM-005.json")
    det = engine.evaluate(case, as_of=D(2026, 4, 21))
    c = det.clock("mtss_progress_monitoring")
    assert (c.start, c.due) == (D(2026, 4, 20), D(2026, 4, 27))


# --- Grouping and R2 as of a date ------------------------------------------------


def _school():
    return School(
        name="Elm",
        programs=(Program(id="P2", name="P2", skill_area="reading", tier=2),),
        interventionists=(
            Interventionist(id="a", name="A", programs=("P2",), availability=("A",)),
        ),
    )


def test_groups_suggest_as_of_fall_ignores_the_spring_screening(p):
    """R1 as of 2025-09-15: only the fall screening (PR 15, intervention band) exists; the
    spring result (PR 60) is in the future and must not take the student out of the group."""
    rec = MtssRecord(
        student=Student(grade=2, school="Elm", availability=("A",)),
        screenings=(screening(D(2025, 9, 8), "fall", 15), screening(D(2026, 5, 4), "spring", 60)),
    )
    s = grouping.suggest({"S1": rec}, _school(), p, as_of=D(2025, 9, 15))
    assert [g.students for g in s.groups] == [("S1",)]
    assert "percentile 15" in s.placements["S1"]


def test_r2_bottom_fifth_ranks_every_skill_and_keeps_ties_at_the_cut(p):
    """R2 [S7]: the lowest 20% of a grade per screener. Ten students screened in reading and
    math: the math ranking must exist too, and two students tied at the cut are both flagged
    (neither can be said to be lower than the other)."""
    reading = [50, 5, 70, 30, 12, 90, 60, 44, 81, 12]
    math = [9, 50, 50, 50, 50, 50, 50, 50, 50, 8]
    recs = {
        f"S{i}": record(
            screenings=(
                screening(D(2025, 9, 8), "fall", reading[i], "reading"),
                screening(D(2025, 9, 8), "fall", math[i], "math"),
            )
        )
        for i in range(10)
    }
    flagged = rules.bottom_of_grade(recs, "fall", p)
    assert sorted(flagged) == ["S0", "S1", "S4", "S9"]
    assert "math" in flagged["S0"] and "reading" in flagged["S1"]
    assert "reading" in flagged["S4"] and "reading" in flagged["S9"]


# --- R8 ALWAYS: a parent's request for evaluation ------------------------------------


def test_r8_parent_request_is_a_referral_now_whatever_the_progress_data(p):
    """34 CFR 300.301(b), OSEP Memo 11-07: a parent's request starts the consent request at
    once; the student is progressing (R4 raise goal) and that changes nothing."""
    s = series([44, 47, 50, 53, 56, 59, 62, 65])
    rec = record(series=(s,))
    plain = rules.evaluate_series(rec, s, AS_OF, p)
    assert plain.decision.decision == "raise_goal"
    req = ("A parent requested an evaluation", D(2025, 11, 3), None)
    rep = rules.evaluate_series(rec, s, AS_OF, p, request=req)
    assert rep.decision.decision == "refer_for_evaluation"
    assert "300.301(b)" in rep.decision.citation
    assert "2025-11-03" in rep.decision.reason and "raise goal" in rep.decision.reason


def test_evaluation_request_reads_parent_request_and_consent(engine):
    case = engine.load_case(BUNDLED / "students" / "ELM-005.json")
    assert evaluation_request(case, D(2026, 4, 19)) is None
    who, when, consent = evaluation_request(case, D(2026, 4, 21))
    assert (when, consent) == (D(2026, 4, 20), None) and "parent" in who.lower()


def test_cli_progress_after_a_parent_request_says_refer_now(tmp_path):
    """The specialist's own command must show the request, not only `eirules check`."""
    res = CliRunner().invoke(cli, ["progress", "ELM-005", "--as-of", "2026-04-21", "--no-graph"])
    assert res.exit_code == 0, res.output
    assert "Recommendation: REFER FOR EVALUATION" in res.output
    assert "300.301(b)" in res.output


# --- R10 gates every non-response signal ----------------------------------------------


def test_r8_three_flat_points_with_poor_delivery_is_a_fidelity_issue(p):
    """R10 [S76][S58]: 'check implementation before changing the plan' also for R8's
    three-points-without-improvement signal: 3 of 8 sessions delivered (38%). The three
    points (41, 40, 41) are all below the aimline (41.5, 43, 44.5)."""
    s = series([41, 40, 41], tier=2)
    enrol = Enrolment(
        program="PHON", tier=2, skill_area="decoding", start=D(2025, 9, 22), group="G1"
    )
    logs = tuple(
        Session(
            date=D(2025, 9, 22) + timedelta(days=i),
            status="delivered" if i % 3 == 0 else "provider_absent",
            planned_minutes=30,
            minutes=30 if i % 3 == 0 else 0,
            group="G1",
        )
        for i in range(8)
    )
    rec = record(series=(s,), enrolments=(enrol,), sessions=logs)
    rep = rules.evaluate_series(rec, s, AS_OF, p)
    assert rep.r10[0].decision == "fidelity_issue"
    assert rep.decision.decision == "fidelity_issue"


# --- R3: a goal date on or before the baseline -------------------------------------


def test_r3_goal_date_not_after_the_baseline_gives_no_aimline(p):
    """R3: aimline slope = (goal - baseline) / weeks; with zero or negative weeks there is no
    aimline (it used to be drawn flat, and R4 then compared points with the baseline)."""
    s = series([41, 42, 43, 44, 45, 46], goal_date=D(2025, 9, 22))
    line, r3 = rules.aimline_for(s, 2, p)
    assert line is None and not r3.sufficient
    assert "goal date" in r3.reason


# --- R6: gap ratio on a descending measure ---------------------------------------


def test_r6_descending_measure_says_the_gap_ratio_is_not_computed(p):
    """R6 [S50]: the gap ratio is defined for higher-is-better measures; for errors it must
    say so rather than stay silent."""
    s = series([20, 19, 18, 18, 17, 16], direction=-1, baseline=22.0, goal=5.0, benchmark=6.0)
    r6 = rules.rate_of_improvement(s, 2, rules.aimline_for(s, 2, p)[0], p)
    assert "gap_ratio" not in r6.evidence
    assert "lower is better" in r6.reason


# --- R13: nothing planned and nothing logged ---------------------------------------


def test_r13_enrolment_without_schedule_or_logs_is_insufficient_not_reconciled(p):
    """R13: planned = frequency x duration x periods; with no schedule and no logs there is
    nothing to reconcile, so the rule says the data are insufficient."""
    enrol = Enrolment(
        program="PHON", tier=2, skill_area="decoding", start=D(2025, 1, 13), end=D(2025, 3, 21)
    )
    r = rules.reconcile_enrolment(record(enrolments=(enrol,)), enrol, AS_OF, p)
    assert r.decision == rules.INSUFFICIENT and not r.sufficient


# --- CLI: notes as of a date, session import consistency ---------------------------


def test_cli_progress_hides_notes_written_after_as_of():
    res = CliRunner().invoke(cli, ["progress", "ELM-005", "--as-of", "2026-03-15", "--no-graph"])
    assert "Working hard" in res.output
    assert "we want an evaluation" not in res.output


@pytest.fixture
def school_dir(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(BUNDLED, target)
    return target


def test_import_missed_session_with_delivered_minutes_is_refused(school_dir, tmp_path):
    """R13 counts a missed session's planned minutes as missed; minutes on a missed session
    contradict that, so the row is refused with its line."""
    f = tmp_path / "s.csv"
    f.write_text(
        "student_id,date,status,planned_minutes,minutes\nELM-001,2026-01-06,student_absent,30,10\n"
    )
    res = CliRunner().invoke(cli, ["mtss", "import", "sessions", str(f), "--dir", str(school_dir)])
    assert res.exit_code == 2
    assert "s.csv:2" in res.output and "student_absent" in res.output
    assert "Traceback" not in res.output


# --- Graph -------------------------------------------------------------------------


def test_progress_graph_has_axis_labels_and_a_phase_change_legend_entry(p):
    from eirules.plugins.mtss.models import Phase

    s = series(
        [41, 42, 43, 44, 45, 46, 47, 48],
        phases=(Phase(date=D(2025, 10, 27), label="adapted"),),
    )
    rep = rules.evaluate_series(record(series=(s,)), s, AS_OF, p)
    ax = progress_figure(rep, "t").axes[0]
    assert ax.get_xlabel() == "Date"
    assert ax.get_ylabel() == "words correct per minute (higher is better)"  # the unit, in words
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "phase change" in labels


# --- R10/R13: a week that has not ended yet -------------------------------------------


def _partial_week_record():
    """4 sessions a week from Mon 2025-09-22. Week 1: 2 delivered, 2 student absences.
    Week 2 (Mon-Thu 2025-09-29..10-02): 4 delivered; as of Thu 2025-10-02 it has not ended."""
    enrol = Enrolment(
        program="PHON",
        tier=2,
        skill_area="decoding",
        start=D(2025, 9, 22),
        group="G1",
        sessions_per_week=4,
        minutes_per_session=30,
    )
    logs = []
    for i in range(4):
        ok = i < 2
        logs.append(
            Session(
                date=D(2025, 9, 22) + timedelta(days=i),
                status="delivered" if ok else "student_absent",
                planned_minutes=30,
                minutes=30 if ok else 0,
                group="G1",
            )
        )
    for i in range(4):
        logs.append(
            Session(
                date=D(2025, 9, 29) + timedelta(days=i),
                status="delivered",
                planned_minutes=30,
                minutes=30,
                group="G1",
            )
        )
    return record(enrolments=(enrol,), sessions=tuple(logs)), enrol


def test_r10_counts_delivered_sessions_only_in_the_full_weeks_it_plans(p):
    """R10 [S76]: planned = 4/week x 1 full week = 4 (the unfinished second week's 4
    sessions wait; counting them gave 150%). Four planned sessions are fewer than the 5 at
    which one missed session alone keeps 80%, so the 80% line is not applied yet; as of the
    end of week 2: 8 planned, all held, the student attended 6 of 8 (75%): an attendance
    issue, not a delivery one."""
    rec, enrol = _partial_week_record()
    r = rules.fidelity(rec, enrol, D(2025, 10, 2), p)
    assert r.evidence["sessions_planned"] == 4 and r.decision == rules.INSUFFICIENT
    r = rules.fidelity(rec, enrol, D(2025, 10, 5), p)
    ev = r.evidence
    assert (ev["sessions_planned"], ev["sessions_held"], ev["sessions_delivered"]) == (8, 8, 6)
    assert r.decision == "attendance_issue"


def test_r13_reconciles_the_same_full_weeks_it_plans(p):
    """R13: planned 120 min (one full week), delivered 60, missed 60 (student absent)."""
    rec, enrol = _partial_week_record()
    r = rules.reconcile_enrolment(rec, enrol, D(2025, 10, 2), p)
    ev = r.evidence
    assert (ev["planned"], ev["delivered"], ev["missed_by_reason"], ev["unaccounted"]) == (
        120,
        60,
        {"student_absent": 60},
        0,
    )


# --- R7 -> R8: dual discrepancy outside Tier 2/3 ---------------------------------------


def test_r8_dual_discrepancy_without_a_tier_recommends_intensifying_not_maintain(p):
    """R7 output [S68][S69]: a dual discrepancy recommends intensification; with no tier on
    the series and no enrolment R8 used to fall through to 'maintain'."""
    s = series([41 + 0.2 * i for i in range(12)], benchmark=70.0, peer_roi=1.0, goal=45.0)
    rep = rules.evaluate_series(record(series=(s,)), s, D(2025, 12, 22), p)
    assert rep.r7.decision == "dual_discrepancy"
    assert rep.decision.decision == "escalate_tier3"


# --- R3/R6 guards on a lower-is-better measure ------------------------------------------


def test_r3_guard_on_a_descending_measure_uses_the_size_of_typical_growth(p):
    """R3 [S50]: errors per minute falling 3/week against typical -0.5/week is more than
    2 x typical growth; a negative typical_roi used to switch the guard off."""
    s = series(
        [20, 19, 18],
        direction=-1,
        baseline=45.0,
        goal=3.0,
        typical_roi=-0.5,
        goal_date=D(2025, 11, 3),
    )
    _, r3 = rules.aimline_for(s, 2, p)
    assert r3.decision == "goal_unrealistic"


# --- SLD evidence packet -----------------------------------------------------------------


def test_sld_packet_asks_for_regular_education_instruction_and_carries_rate_and_level(engine):
    """300.309(b)(1): data that the child had appropriate regular-education instruction by
    qualified personnel is one of the parts; 300.309(a)(2)(i) needs the progress made, so the
    packet carries each series' rate of improvement and level against the benchmark."""
    case = engine.load_case(BUNDLED / "students" / "ELM-005.json")
    det = engine.evaluate(case, as_of=D(2026, 4, 21))
    packet = next(f for f in det.findings if f.rule == "mtss.sld_evidence_packet")
    assert any("300.309(b)(1)" in m for m in packet.inputs["missing"])
    (s,) = packet.inputs["series"]
    assert s["dual_discrepancy"] == "dual_discrepancy"
    assert s["roi_ols"] is not None and s["benchmark"] == 47
    assert "basic_reading_skill" in packet.inputs["sld_areas"]


# --- R13 for IEP service lines: full periods only ------------------------------------


def _iep_case(per, logs):
    from test_mtss_integration import mtss_case

    data = mtss_case()
    data["service_plans"] = [
        {
            "kind": "iep",
            "services": [
                {"name": "SDI", "started": "2025-09-22", "sessions": 2, "per": per, "minutes": 30}
            ],
        }
    ]
    data["mtss"]["sessions"] = [
        {"date": d, "status": "delivered", "planned_minutes": 30, "minutes": 30, "service": "SDI"}
        for d in logs
    ]
    return data


@pytest.mark.parametrize(
    "as_of, planned, delivered",
    [
        (D(2025, 10, 20), 0, 0),  # the month 2025-09-22..10-21 has not ended yet
        (D(2025, 10, 21), 60, 60),  # it has: 2 x 30 planned, both sessions delivered in it
    ],
)
def test_r13_iep_monthly_line_plans_full_months_only(engine, as_of, planned, delivered):
    """R13 [S83]: planned = frequency x duration x scheduled periods. A month starting
    2025-09-22 is complete on 2025-10-21; counting a calendar-month boundary (October 1)
    as a whole month planned 60 minutes after nine days."""
    data = _iep_case("month", ["2025-09-23", "2025-10-14"])
    det = engine.evaluate(engine.case_from_dict(data), as_of=as_of)
    f = next((f for f in det.findings if f.rule == "mtss.R13.IEP: SDI"), None)
    if planned == 0:
        assert f is None or f.inputs.get("planned", 0) == 0
    else:
        assert (f.inputs["planned"], f.inputs["delivered"]) == (planned, delivered)


def test_r13_iep_weekly_line_leaves_the_unfinished_week_out(engine):
    """R13: 2 x 30 min per week from Mon 2025-09-22; as of Wed 2025-10-01 one full week is
    planned (60 min); the sessions of 09-29 and 10-01 belong to the unfinished week."""
    data = _iep_case("week", ["2025-09-22", "2025-09-24", "2025-09-29", "2025-10-01"])
    det = engine.evaluate(engine.case_from_dict(data), as_of=D(2025, 10, 1))
    f = next(f for f in det.findings if f.rule == "mtss.R13.IEP: SDI")
    assert (f.inputs["planned"], f.inputs["delivered"]) == (60, 60)


# --- R4 with a district's consecutive count above its minimum points -----------------


def test_r4_needs_at_least_k_points_even_when_a_district_sets_k_above_min_points(p):
    """R4: 'the last k points' needs k points; with k = 8 and 6 points the rule cannot say
    'change instruction' from six points."""
    import attrs

    p8 = attrs.evolve(p, values={**p.values, "four_point.consecutive": 8})
    s = series([40, 40, 40, 40, 40, 40], start=D(2025, 9, 29) + timedelta(weeks=1))
    line, _ = rules.aimline_for(s, 2, p8)
    r4 = rules.four_point(s, line, p8)
    assert r4.decision == rules.INSUFFICIENT


# --- Program effectiveness (R14) ------------------------------------------------------


def _err_student(scores, baseline, end=None, program="ERR"):
    enrol = Enrolment(
        program=program,
        tier=2,
        skill_area="behavior",
        start=D(2025, 9, 22),
        end=end,
        group="G1",
        sessions_per_week=2,
        minutes_per_session=30,
    )
    logs = tuple(
        Session(
            date=D(2025, 9, 22) + timedelta(weeks=w, days=d),
            status="delivered",
            planned_minutes=30,
            minutes=30,
            group="G1",
        )
        for w in range(12)
        for d in (0, 2)
    )
    s = Series(
        id="err",
        measure="errors",
        skill_area="behavior",
        direction=-1,
        tier=2,
        baseline=baseline,
        baseline_date=D(2025, 9, 22),
        goal=2.0,
        goal_date=D(2026, 1, 26),
        points=weekly(D(2025, 9, 29), scores),
    )
    return record(enrolments=(enrol,), sessions=logs, series=(s,))


def test_effect_size_on_a_lower_is_better_measure_is_positive_when_errors_fall(p):
    """R14 [S96]: pre/post effect size = (mean post - mean pre) / pooled SD, signed so that
    improvement is positive. Errors falling from 20 and 22 to 9 and 10 is a large gain; it
    was reported as a large negative effect (below the 0.25 'substantive' mark)."""
    from eirules.plugins.mtss.report import effectiveness

    recs = {
        "S1": _err_student([19, 18, 16, 15, 13, 12, 11, 9], 20.0),
        "S2": _err_student([21, 20, 18, 17, 15, 13, 12, 10], 22.0),
    }
    school = School(name="Elm")
    row = effectiveness(recs, school, p, as_of=D(2025, 11, 24))[0]
    # pre 20, 22 (sd 1.414); post 9, 10 (sd 0.707); pooled sd = sqrt((2 + 0.5) / 2) = 1.118
    assert row.effect_size == pytest.approx((20 + 22 - 9 - 10) / 2 / 1.118034, rel=1e-4)
    assert row.substantive is True


def test_a_closed_enrolment_is_judged_at_its_end_not_on_later_data(p):
    """R14 [S43]: the response criterion belongs to the cycle. A cycle that ended on
    2025-11-03 is judged on the points up to then (flat: no response), not on the
    progress made later in another intervention."""
    from eirules.plugins.mtss.report import effectiveness

    flat_then_rising = [20, 20, 20, 20, 20, 20, 13, 11, 9, 7, 5, 3]
    rec = _err_student(flat_then_rising, 20.0, end=D(2025, 11, 3))
    rows = effectiveness({"S1": rec}, School(name="Elm"), p, as_of=D(2025, 12, 22))
    assert rows[0].responders == 0


# --- R9 across a school break -----------------------------------------------------


def test_r9_with_a_school_calendar_pauses_the_interval_over_winter_break(p):
    """R9 [S24][S25] with the research note's option to exclude school breaks: Tier 3,
    last point Mon 2025-12-15, terms end Fri 12-19 and restart Mon 2026-01-05. Counting
    Tue-Fri (4 days), then skipping the break and the weekends next to it, then Mon-Wed
    (3 days) gives 7 counted days: due Wed 2026-01-07, so not overdue on 2025-12-30."""
    from eirules.core.dates import SchoolCalendar

    cal = SchoolCalendar.from_terms(
        [(D(2025, 9, 2), D(2025, 12, 19)), (D(2026, 1, 5), D(2026, 6, 5))]
    )
    s = Series(
        id="x",
        measure="orf",
        skill_area="decoding",
        tier=3,
        points=(Point(date=D(2025, 12, 15), score=30),),
    )
    rec = record(series=(s,))
    plain = rules.monitoring(rec, s, D(2025, 12, 30), p)
    assert (plain.decision, plain.evidence["due"]) == ("overdue", "2025-12-22")
    r = rules.monitoring(rec, s, D(2025, 12, 30), p, calendar=cal)
    assert (r.decision, r.evidence["due"]) == ("on_schedule", "2026-01-07")
    assert "school breaks" in r.reason.lower()
    # An ordinary week: Mon 2025-10-06 -> due the next Monday.
    s2 = attrs_evolve(s, points=(Point(date=D(2025, 10, 6), score=30),))
    assert rules.monitoring(rec, s2, D(2025, 10, 8), p, calendar=cal).evidence["due"] == (
        "2025-10-13"
    )


def test_r9_an_ended_series_past_the_end_of_the_school_calendar_reports_ended(p):
    """R9: a series that ended on 2026-06-01 with its last point on 2026-06-01, where
    the school calendar ends on 2026-06-05 (fewer school days left than one Tier 3
    interval), is simply 'ended'; the next-point date is unknown (null), not a crash."""
    from eirules.core.dates import SchoolCalendar

    cal = SchoolCalendar.from_terms([(D(2025, 9, 2), D(2026, 6, 5))])
    s = Series(
        id="x",
        measure="orf",
        skill_area="decoding",
        tier=3,
        points=(Point(date=D(2026, 6, 1), score=30),),
        ended=D(2026, 6, 1),
    )
    r = rules.monitoring(record(series=(s,)), s, D(2026, 6, 20), p, calendar=cal)
    assert (r.decision, r.evidence["due"]) == ("ended", None)


def attrs_evolve(obj, **kw):
    import attrs

    return attrs.evolve(obj, **kw)


def test_cli_progress_uses_the_district_school_calendar(tmp_path, school_dir):
    """A district ruleset naming a school calendar: ELM-005 (Tier 3, weekly) has its last
    point before winter break on 2025-12-15; on 2025-12-30 it is not overdue."""
    import json

    folder = tmp_path / "rs" / "springfield"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "springfield-mtss"\ntitle = "Springfield"\nextends = "mtss"\n'
        'version = "2026.1"\n\n[calendar]\nschool_calendar = "school.toml"\n'
    )
    (folder / "school.toml").write_text(
        'name = "Springfield 2025-26"\n'
        "[[terms]]\nfirst_day = 2025-08-25\nlast_day = 2025-12-19\n"
        "[[terms]]\nfirst_day = 2026-01-05\nlast_day = 2026-06-05\n"
    )
    school = json.loads((school_dir / "school.json").read_text())
    school["ruleset"] = "springfield-mtss"
    (school_dir / "school.json").write_text(json.dumps(school))
    args = ["progress", "ELM-005", "--dir", str(school_dir), "--as-of", "2025-12-30"]
    res = CliRunner().invoke(
        cli, ["--rulesets-dir", str(tmp_path / "rs"), *args, "--no-graph", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    r9 = next(r for r in json.loads(res.output)[0]["rules"] if r["rule"] == "R9")
    assert (r9["decision"], r9["evidence"]["due"]) == ("on_schedule", "2026-01-07")


def test_groups_do_not_place_on_one_screening_score_that_other_data_contradict(p):
    """R1/R2 [S7][S8][S43]: one screening score is never the only entry criterion. PR 20
    suggests Tier 2, but only 1 of 8 recorded reading data sources shows need (needs 4):
    the student is listed for the team with that reason, not placed."""
    from eirules.plugins.mtss.models import Indicator

    inds = tuple(
        Indicator(name=f"i{k}", skill_area="reading", met=k < 1, date=D(2025, 9, 10))
        for k in range(8)
    )
    rec = MtssRecord(
        student=Student(grade=2, school="Elm", availability=("A",)),
        screenings=(screening(D(2025, 9, 8), "fall", 20),),
        indicators=inds,
    )
    s = grouping.suggest({"S1": rec}, _school(), p, as_of=D(2025, 9, 15))
    assert s.groups == ()
    (why,) = [w for sid, w in s.not_candidates if sid == "S1"]
    assert "only 1 of 8" in why


def test_cli_groups_suggest_lists_students_whose_data_disagree(tmp_path, school_dir):
    import json

    f = school_dir / "students" / "ELM-001.json"
    case = json.loads(f.read_text())
    case["mtss"]["indicators"] = [
        {"name": f"i{k}", "skill_area": "reading", "met": k == 0, "date": "2025-09-10"}
        for k in range(8)
    ]
    case["mtss"]["screenings"] = [
        s for s in case["mtss"]["screenings"] if s["skill_area"] != "reading"
    ] + [
        {
            "date": "2025-09-08",
            "window": "fall",
            "instrument": "Star Reading",
            "skill_area": "reading",
            "percentile": 20,
        }
    ]
    f.write_text(json.dumps(case))
    args = ["groups", "suggest", "--dir", str(school_dir), "--window", "fall"]
    res = CliRunner().invoke(cli, [*args, "--as-of", "2025-09-15"])
    assert res.exit_code == 0, res.output
    assert "For the team to review (1)" in res.output
    assert "ELM-001: screening suggests Tier 2 (intervention) but R2" in res.output


def test_import_lists_unknown_students_together_with_bad_rows(school_dir, tmp_path):
    """Every problem at once: a bad date on line 2 and an unknown student on line 3 (the
    unknown student used to be reported only after the date was fixed)."""
    f = tmp_path / "s.csv"
    f.write_text(
        "student_id,date,window,instrument,skill_area,percentile\n"
        "ELM-001,2026-13-01,fall,Star,reading,21\n"
        "ELM-999,2026-01-12,winter,Star,reading,30\n"
    )
    args = ["mtss", "import", "screening", str(f), "--dir", str(school_dir)]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert "s.csv:2" in res.output and 's.csv:3: no student "ELM-999"' in res.output
