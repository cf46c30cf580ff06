"""Issue 18: groups placed into the school's intervention blocks without conflicts.

The grades' intervention blocks, interventionists' and rooms' free blocks come from
school.json (plugins/mtss/scheduling.py); `groups suggest` fills by need (Tier 3 first,
then the lowest band and percentile), never puts a student, an interventionist or a room
in two groups in one block, and says why a student could not be placed. Group sizes are
the IES practice guide's via the mtss ruleset (Tier 2 at most 5, Tier 3 at most 3).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.plugins.mtss import grouping
from eirules.plugins.mtss.models import (
    Block,
    Interventionist,
    MtssRecord,
    Program,
    Room,
    School,
    Screening,
    Student,
)
from eirules.plugins.mtss.params import params_for
from eirules.plugins.mtss.scheduling import Slots

D = date
AS_OF = D(2025, 9, 15)


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), AS_OF)


def rec(grade, pr, need="decoding", availability=(), area="reading"):
    return MtssRecord(
        student=Student(grade=grade, school="Elm", availability=availability, skill_need=need),
        screenings=(
            Screening(date=D(2025, 9, 8), window="fall", instrument="Star", skill_area=area, percentile=pr),
        ),
    )  # fmt: skip


PHON = Program(id="PHON", name="Phonics Boost", skill_area="decoding", tier=2)
FLU = Program(id="FLU", name="Fluency Lab", skill_area="fluency", tier=2)
INT = Program(id="INT", name="Intensive Reading", skill_area="decoding", tier=3)


def test_students_without_availability_go_to_their_grades_intervention_block(p):
    """Grade 1's intervention block is A (9:00), grade 2's is B: with no availability of
    their own recorded, grade 1 students meet in A and grade 2 students in B, in room 101
    (the only room free in both)."""
    school = School(
        name="Elm",
        programs=(PHON,),
        interventionists=(
            Interventionist(id="rowan", name="Ms. Rowan", programs=("PHON",), availability=("A", "B")),
        ),
        blocks=(Block(id="A", label="9:00-9:30", grades=(1,)), Block(id="B", label="10:00-10:30", grades=(2,))),
        rooms=(Room(id="101", blocks=("A", "B")),),
    )  # fmt: skip
    recs = {"S1": rec(1, 12), "S2": rec(1, 20), "S3": rec(2, 15)}
    s = grouping.suggest(recs, school, p, as_of=AS_OF)
    got = {(g.block, g.block_label, g.room, g.interventionist, g.students) for g in s.groups}
    assert got == {
        ("A", "9:00-9:30", "101", "rowan", ("S1", "S2")),
        ("B", "10:00-10:30", "101", "rowan", ("S3",)),
    }
    assert s.unplaced == ()


def test_a_student_free_outside_the_grades_block_is_not_pulled_from_core(p):
    """A grade 2 student whose recorded free block (A) is not grade 2's intervention
    block (B) is not placed, and the reason says so."""
    school = School(
        name="Elm",
        programs=(PHON,),
        interventionists=(Interventionist(id="r", name="R", programs=("PHON",), availability=("A", "B")),),
        blocks=(Block(id="A", grades=(1,)), Block(id="B", grades=(2,))),
    )  # fmt: skip
    s = grouping.suggest({"S1": rec(2, 10, availability=("A",))}, school, p, as_of=AS_OF)
    assert dict(s.unplaced)["S1"] == (
        "none of grade 2's intervention blocks (B) is in the student's availability (A)"
    )


def test_one_room_is_never_double_booked(p):
    """Two interventionists are free in block A but only one room is: the second group
    cannot open, and the reason names the room that holds the first."""
    school = School(
        name="Elm",
        programs=(PHON, FLU),
        interventionists=(
            Interventionist(id="a", name="A", programs=("PHON",), availability=("A",)),
            Interventionist(id="b", name="B", programs=("FLU",), availability=("A",)),
        ),
        rooms=(Room(id="101"),),
    )
    recs = {"S1": rec(1, 12, "decoding", ("A",)), "S2": rec(1, 14, "fluency", ("A",))}
    s = grouping.suggest(recs, school, p, as_of=AS_OF)
    assert [(g.students, g.room) for g in s.groups] == [(("S1",), "101")]
    assert "block A: no room free (101 holds G01)" in dict(s.unplaced)["S2"]


def test_scarce_slots_go_to_the_neediest_whatever_the_skill_label(p):
    """One interventionist trained in both programs, one block: the fluency student at the
    11th percentile gets it before the decoding student at the 20th (by need, not by
    the alphabetical order of skills; both are in the intervention band, Tier 2)."""
    school = School(
        name="Elm",
        programs=(PHON, FLU),
        interventionists=(
            Interventionist(id="a", name="A", programs=("PHON", "FLU"), availability=("A",)),
        ),
    )
    recs = {"S1": rec(1, 20, "decoding", ("A",)), "S2": rec(1, 11, "fluency", ("A",))}
    s = grouping.suggest(recs, school, p, as_of=AS_OF)
    assert [g.students for g in s.groups] == [("S2",)]
    assert "S1" in dict(s.unplaced)


def test_a_placed_group_moves_to_free_the_only_block_a_later_student_has(p):
    """Greedy placement puts the Tier 3 student (free in A and B) in A; the Tier 2 student
    is free only in A with the same interventionist. Moving the Tier 3 group to B
    places both, and the Tier 3 student's placement says the group moved."""
    school = School(
        name="Elm",
        programs=(PHON, INT),
        interventionists=(
            Interventionist(id="r", name="R", programs=("PHON", "INT"), availability=("A", "B")),
        ),
    )
    recs = {"T3": rec(1, 3, "decoding", ("A", "B")), "T2": rec(1, 15, "decoding", ("A",))}
    s = grouping.suggest(recs, school, p, as_of=AS_OF)
    assert {(g.tier, g.block, g.students) for g in s.groups} == {
        (3, "B", ("T3",)),
        (2, "A", ("T2",)),
    }
    assert "moved to block B to free block A" in s.placements["T3"]
    assert s.unplaced == ()


# --- the invariant, on random schools ------------------------------------------------

BLOCKS = ("A", "B", "C")
PROGRAMS = (PHON, FLU, INT, Program(id="MATH", name="Math", skill_area="math_facts", tier=2))
blocks_st = st.lists(st.sampled_from(BLOCKS), unique=True, max_size=3).map(tuple)


@st.composite
def school_st(draw):
    """A school whose rooms and interventionists name only its own blocks (when listed)."""
    grade_blocks = draw(
        st.dictionaries(
            st.sampled_from(BLOCKS),
            st.lists(st.integers(1, 3), unique=True, max_size=2).map(tuple),
            max_size=3,
        )
    )
    known = tuple(grade_blocks) or BLOCKS

    def within(blocks):
        return tuple(b for b in blocks if b in known)

    staff = {}
    for i in range(draw(st.integers(1, 4))):
        progs = draw(st.lists(st.sampled_from([x.id for x in PROGRAMS]), unique=True, max_size=4))
        staff[i] = Interventionist(
            id=f"s{i}", name=f"S{i}", programs=tuple(progs), availability=within(draw(blocks_st))
        )
    rooms = [within(draw(blocks_st)) for _ in range(draw(st.integers(0, 2)))]
    return School(
        name="Elm",
        programs=PROGRAMS,
        interventionists=tuple(staff.values()),
        blocks=tuple(Block(id=b, grades=g) for b, g in grade_blocks.items()),
        rooms=tuple(Room(id=f"R{i}", blocks=r) for i, r in enumerate(rooms)),
    )


student_st = st.tuples(
    st.integers(1, 3),
    st.integers(1, 45),
    st.sampled_from(["decoding", "fluency", "math_facts"]),
    blocks_st,
)


@given(school=school_st(), students=st.lists(student_st, max_size=30))
def test_no_student_interventionist_or_room_is_ever_double_booked(engine, school, students):
    p = params_for(engine.rulesets.get("mtss"), AS_OF)
    recs = {
        f"S{i:02d}": rec(g, pr, need, avail, "math" if need == "math_facts" else "reading")
        for i, (g, pr, need, avail) in enumerate(students)
    }
    s = grouping.suggest(recs, school, p, as_of=AS_OF)
    slots = Slots(school)
    seen_staff, seen_room, seen_student = set(), set(), set()
    for g in s.groups:
        assert (g.interventionist, g.block) not in seen_staff
        seen_staff.add((g.interventionist, g.block))
        person = next(x for x in school.interventionists if x.id == g.interventionist)
        assert g.block in person.availability and g.program in person.programs
        if school.rooms:
            assert g.room is not None and (g.room, g.block) not in seen_room
            seen_room.add((g.room, g.block))
            room = next(r for r in school.rooms if r.id == g.room)
            assert not room.blocks or g.block in room.blocks
        assert len(g.students) <= {2: 5, 3: 3}[g.tier]
        for sid in g.students:
            assert (sid, g.block) not in seen_student  # one group per block per student
            seen_student.add((sid, g.block))
            r = recs[sid].student
            assert g.block in slots.blocks_for(r.grade, r.availability)  # the grade's block
    placed = {sid for g in s.groups for sid in g.students}
    for _sid, why in s.unplaced:
        assert why  # every student not placed has a reason
    assert placed <= set(recs) and set(s.placements) == placed
    assert grouping.suggest(dict(reversed(list(recs.items()))), school, p, as_of=AS_OF) == s
