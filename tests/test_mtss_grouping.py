"""Regrouping (issue 18): from the latest screening and the progress decisions, one group
per subject, Tier 3 seats for urgent students whatever their skill label."""

from __future__ import annotations

from datetime import date

from helpers import weekly

from eirules.plugins.mtss import grouping
from eirules.plugins.mtss.models import (
    Enrolment,
    Interventionist,
    MtssRecord,
    Program,
    School,
    Screening,
    Series,
    Student,
)
from eirules.plugins.mtss.params import params_for

D = date
AS_OF = D(2026, 1, 20)


def school():
    return School(
        name="Elm",
        programs=(
            Program(id="R2", name="Reading Boost", skill_area="decoding", tier=2),
            Program(id="R3", name="Intensive Reading", skill_area="decoding", tier=3),
            Program(id="M2", name="Math Boost", skill_area="math", tier=2),
        ),
        interventionists=(
            Interventionist(
                id="a", name="A", programs=("R2", "R3", "M2"), availability=("A", "B", "C")
            ),
        ),
    )


def screen(d, window, pr, skill="reading"):
    return Screening(date=d, window=window, instrument="Star", skill_area=skill, percentile=pr)


def flat_series():
    """Tier 2, 14 flat weeks far below the aimline and below benchmark: R8 escalates."""
    return Series(
        id="orf",
        measure="orf",
        skill_area="decoding",
        tier=2,
        baseline=40.0,
        baseline_date=D(2025, 9, 22),
        goal=80.0,
        goal_date=D(2026, 3, 2),
        peer_roi=1.0,
        points=weekly(D(2025, 9, 29), [40, 41, 40, 41, 40, 41, 40, 41, 40, 41, 40, 41]),
    )


def rec(screens, series=(), need="decoding", enrol=()):
    return MtssRecord(
        student=Student(grade=2, school="Elm", availability=("A", "B", "C"), skill_need=need),
        screenings=screens,
        series=series,
        enrolments=enrol,
    )


def test_progress_decisions_give_a_tier3_seat_and_an_exit_goes_back_to_tier1(engine):
    """Issue 18: none of the students the progress rules flagged for Tier 3 got a Tier 3
    seat; a student at benchmark went back to Tier 2 on fall data."""
    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    enrol = (Enrolment(program="R2", tier=2, skill_area="decoding", start=D(2025, 9, 22)),)
    flagged = rec((screen(D(2025, 9, 8), "fall", 20),), (flat_series(),), enrol=enrol)
    recovered = rec((screen(D(2025, 9, 8), "fall", 20), screen(D(2026, 1, 12), "winter", 55)))
    s = grouping.suggest({"F": flagged, "R": recovered}, school(), p, as_of=AS_OF)
    tiers = {sid: g.tier for g in s.groups for sid in g.students}
    assert tiers == {"F": 3}
    assert "R8 escalate tier3 -> Tier 3" in s.placements["F"]
    assert any(sid == "R" and "Tier 1" in why for sid, why in s.not_candidates)


def test_a_student_low_in_reading_and_math_gets_one_group_in_each(engine):
    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    both = rec((screen(D(2026, 1, 12), "winter", 15), screen(D(2026, 1, 12), "winter", 12, "math")))
    s = grouping.suggest({"B": both}, school(), p, as_of=AS_OF)
    mine = [g for g in s.groups if "B" in g.students]
    assert sorted(g.program for g in mine) == ["M2", "R2"]
    assert len({g.block for g in mine}) == 2  # never two groups in one block


def test_an_urgent_student_gets_the_subjects_tier3_program_whatever_the_skill_label(engine):
    """Issue 18: no Tier 3 program carried "fluency", so an urgent fluency student got
    nothing although Intensive Reading (Tier 3, decoding) had seats."""
    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    urgent = rec((screen(D(2026, 1, 12), "winter", 4),), need="fluency")
    s = grouping.suggest({"U": urgent}, school(), p, as_of=AS_OF)
    assert [(g.program, g.tier) for g in s.groups] == [("R3", 3)]


def test_each_interventionists_load_is_reported(engine):
    """Issue 18: report each interventionist's load (groups, students, minutes a week)."""
    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    both = rec((screen(D(2026, 1, 12), "winter", 15), screen(D(2026, 1, 12), "winter", 12, "math")))
    sch = school()
    sch = School(
        name=sch.name,
        programs=tuple(
            Program(
                id=pr.id,
                name=pr.name,
                skill_area=pr.skill_area,
                tier=pr.tier,
                sessions_per_week=3,
                minutes_per_session=30,
            )
            for pr in sch.programs
        ),
        interventionists=sch.interventionists,
    )
    s = grouping.suggest({"B": both}, sch, p, as_of=AS_OF)
    assert s.load["a"] == {
        "name": "A",
        "groups": 2,
        "students": 2,
        "minutes_per_week": 180,
        "blocks": ["A", "B"],
    }


def test_data_after_as_of_and_an_undated_series_label_never_hold_an_urgent_student_in_tier2(
    engine,
):
    """qa18 #2: an urgent student (R1 Tier 3) with two baseline points by --as-of, a
    series labelled Tier 2 and an enrolment that starts after --as-of went to a Tier 2
    group "R8 insufficient data, stays in Tier 2"."""
    day = D(2025, 9, 15)
    p = params_for(engine.rulesets.get("mtss"), day)
    series = Series(
        id="orf",
        measure="orf",
        skill_area="decoding",
        tier=2,
        goal=80.0,
        goal_date=D(2026, 3, 2),
        points=weekly(D(2025, 9, 8), [13, 12, 11, 12, 13]),
    )
    later = (Enrolment(program="R2", tier=2, skill_area="decoding", start=D(2025, 9, 22)),)
    for enrol in (later, ()):
        urgent = rec((screen(D(2025, 9, 8), "fall", 9),), (series,), enrol=enrol)
        s = grouping.suggest({"U": urgent}, school(), p, as_of=day)
        assert [(g.program, g.tier, g.students) for g in s.groups] == [("R3", 3, ("U",))]
        assert "stays in Tier" not in s.placements["U"]
    # The same student served in Tier 2 on --as-of, still with insufficient data: the
    # stay is named but does not lower the Tier 3 the screening suggests.
    now = (Enrolment(program="R2", tier=2, skill_area="decoding", start=D(2025, 9, 1)),)
    s = grouping.suggest(
        {"U": rec((screen(D(2025, 9, 8), "fall", 9),), (series,), enrol=now)},
        school(),
        p,
        as_of=day,
    )
    assert [(g.program, g.tier) for g in s.groups] == [("R3", 3)]
    assert (
        "R8 insufficient data, stays in Tier 2; with insufficient data that does not lower "
        "the Tier 3 suggested." in s.placements["U"]
    )


def test_a_program_whose_dosage_does_not_fit_its_block_is_reported(engine):
    """qa18 #7: 5 x 45 min of Tier 3 on a Mon-Thu 30-minute block, with no warning."""
    from eirules.plugins.mtss.models import Block

    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    sch = school()
    sch = School(
        name=sch.name,
        programs=(
            Program(
                id="R3",
                name="Intensive Reading",
                skill_area="decoding",
                tier=3,
                sessions_per_week=5,
                minutes_per_session=45,
            ),
            Program(
                id="R2",
                name="Reading Boost",
                skill_area="decoding",
                tier=2,
                sessions_per_week=4,
                minutes_per_session=30,
            ),
        ),
        interventionists=(
            Interventionist(id="a", name="A", programs=("R2", "R3"), availability=("A", "B")),
        ),
        blocks=(
            Block(id="A", label="Mon-Thu 9:10-9:40", days_per_week=4, minutes=30),
            Block(id="B", label="Mon-Thu 10:15-10:45", days_per_week=4, minutes=30),
        ),
    )
    kids = {
        "U": rec((screen(D(2026, 1, 12), "winter", 4),)),
        "T": rec((screen(D(2026, 1, 12), "winter", 15),)),
    }
    s = grouping.suggest(kids, sch, p, as_of=AS_OF)
    assert [(g.id, g.program, g.block) for g in s.groups] == [
        ("G01", "R3", "A"),
        ("G02", "R2", "B"),
    ]
    assert s.dosage_warnings == (
        "G01 (Intensive Reading): the program's dosage is 5 x 45 min a week (225 min), but "
        "block A (Mon-Thu 9:10-9:40) meets 4 x 30 min: at most 120 min of it fit. Find a "
        "longer block or more days, or plan a smaller dose with the team.",
    )
