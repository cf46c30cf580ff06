"""MTSS data: the `mtss` case-file section (one student) and the school file (programs, groups).

Plain attrs types only (str, int, float, date, tuples, optional) so the core's
one cattrs converter structures and unstructures them without special hooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs
from attrs.validators import and_, ge, instance_of, le, optional

from eirules.core.errors import ValueProblem
from eirules.core.model_fields import _number, text_check
from eirules.core.text import text_problem


def as_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter for collection fields (typed, unlike `tuple`, so mypy checks callers)."""
    return tuple(items)


WINDOWS = ("fall", "winter", "spring")
SESSION_STATUSES = (
    "delivered",
    "student_absent",
    "provider_absent",
    "provider_vacancy",
    "school_closed",
    "school_assessment",
    "school_trip",
    "cancelled",
)


def _text(instance, attribute, value, *, note: bool = False):
    """The one text check of every way into a caseload (`eirules.core.text.text_problem`)."""
    if isinstance(value, str) and (found := text_problem(value, note=note)) is not None:
        raise ValueError(f"{attribute.name} {found[0]}; {found[1]}")


@text_check
def _opt_str(instance, attribute, value):
    optional(instance_of(str))(instance, attribute, value)
    _text(instance, attribute, value)


def in_(choices):
    """Like attrs' in_, with a plain message the case-file error report can show."""

    def check(instance, attribute, value):
        if value not in choices:
            shown = ", ".join(str(c) for c in choices)
            raise ValueError(f"{attribute.name} {value!r} is not one of: {shown}")

    return text_check(check)  # only the given words pass


_opt_date = optional(instance_of(date))
_tier = and_(instance_of(int), in_((1, 2, 3)))


#: The minutes in one day: no session, dated on one day, lasts longer. A physical bound,
#: not an educational threshold (docs/mtss.md).
MINUTES_PER_DAY = 24 * 60
#: The most sessions a week can hold, each lasting at least a minute: the minutes in a week.
SESSIONS_PER_WEEK_MOST = 7 * MINUTES_PER_DAY


def _amount(*, optional: bool = False, **bounds):
    """A number (`_number` of the core: finite, within `bounds`, the same plain words as a
    case file's); None only when `optional`."""
    check = _number(**bounds)

    def validate(instance, attribute, value):
        if value is None and not optional:
            raise ValueProblem("no number given", "expected a number")
        check(instance, attribute, value)

    validate.json_schema = check.json_schema  # type: ignore[attr-defined]  # core/schemas.py
    return validate


#: A score, a level or a growth rate: a finite number (scales differ by measure and vendor,
#: so no bound is set; NaN and infinity are refused).
_num = _amount(optional=True)
_score = _amount()
#: Minutes of one session (planned or delivered).
_minutes = _amount(low=0, high=MINUTES_PER_DAY, whole=True, why="the minutes in one day")
_per_week = _amount(
    low=0,
    high=SESSIONS_PER_WEEK_MOST,
    whole=True,
    why="a session lasts at least a minute, and a week has 10,080",
)


@text_check
def _non_empty(instance, attribute, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string")
    _text(instance, attribute, value)


@text_check
def _note(instance, attribute, value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string")
    _text(instance, attribute, value, note=True)


@text_check
def _strs(instance, attribute, value):
    """A list of names (teachers, blocks, skills, student ids): each a string, plain text."""
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"{attribute.name} must hold strings, not {item!r}")
        _text(instance, attribute, item)


def _sorted_points(points):
    return tuple(sorted(points, key=lambda p: p.date))


# --- One student (the case-file section) ------------------------------------------


@attrs.frozen(kw_only=True)
class Student:
    """Who the student is at school and when they can be pulled for intervention."""

    grade: int = attrs.field(validator=and_(instance_of(int), ge(0), le(12)))
    school: str = attrs.field(validator=_non_empty)
    teachers: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)
    #: Schedule blocks the student can attend outside core instruction (e.g. "mon-wed-fri 09:40").
    availability: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)
    #: Primary skill need from diagnostic data (e.g. "decoding", "fluency", "math_facts").
    skill_need: str | None = attrs.field(default=None, validator=_opt_str)
    #: Skills already served by specially designed instruction in an IEP (R2 exclusion).
    iep_skills: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)


@attrs.frozen(kw_only=True)
class Screening:
    """One universal-screening result in one window."""

    date: date = attrs.field(validator=instance_of(date))
    window: str = attrs.field(validator=in_(WINDOWS))
    instrument: str = attrs.field(validator=_non_empty)
    skill_area: str = attrs.field(validator=_non_empty)
    percentile: float | None = attrs.field(
        default=None,
        validator=_amount(optional=True, low=0, high=100, why="a percentile rank"),
    )
    scaled_score: float | None = attrs.field(default=None, validator=_num)
    #: A vendor risk category given instead of a percentile (used directly by R1).
    category: str | None = attrs.field(default=None, validator=_opt_str)

    def __attrs_post_init__(self):
        if self.percentile is None and self.category is None:
            raise ValueError("a screening needs a percentile or a vendor category")


@attrs.frozen(kw_only=True)
class Indicator:
    """One tier-entry data source (R2): met or not, with where it came from."""

    name: str = attrs.field(validator=_non_empty)
    skill_area: str = attrs.field(validator=_non_empty)
    met: bool = attrs.field(validator=instance_of(bool))
    date: date = attrs.field(validator=instance_of(date))
    source: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Enrolment:
    """A student's place in one intervention: program, group, tier, dosage, reviews."""

    program: str = attrs.field(validator=_non_empty)
    tier: int = attrs.field(validator=_tier)
    skill_area: str = attrs.field(validator=_non_empty)
    start: date = attrs.field(validator=instance_of(date))
    group: str | None = attrs.field(default=None, validator=_opt_str)
    end: date | None = attrs.field(default=None, validator=_opt_date)
    sessions_per_week: int = attrs.field(default=0, validator=_per_week)
    minutes_per_session: int = attrs.field(default=0, validator=_minutes)
    #: Dates the team reviewed this enrolment (group review meetings).
    reviews: tuple[date, ...] = attrs.field(default=(), converter=as_tuple)
    #: How the cycle ended: "responded", "not_responded", or None while open.
    outcome: str | None = attrs.field(
        default=None, validator=optional(in_(("responded", "not_responded")))
    )


@attrs.frozen(kw_only=True)
class Session:
    """One scheduled session: delivered, or missed with a reason."""

    date: date = attrs.field(validator=instance_of(date))
    status: str = attrs.field(validator=in_(SESSION_STATUSES))
    #: Minutes the session was planned for.
    planned_minutes: int = attrs.field(validator=_minutes)
    #: Minutes actually delivered (0 when missed).
    minutes: int = attrs.field(default=0, validator=_minutes)
    group: str | None = attrs.field(default=None, validator=_opt_str)
    program: str | None = attrs.field(default=None, validator=_opt_str)
    #: An IEP service name when the session delivers an IEP service line.
    service: str | None = attrs.field(default=None, validator=_opt_str)
    #: True when the session makes up earlier missed minutes.
    makeup: bool = attrs.field(default=False, validator=instance_of(bool))
    note: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Point:
    """One progress-monitoring score."""

    date: date = attrs.field(validator=instance_of(date))
    score: float = attrs.field(validator=_score)


@attrs.frozen(kw_only=True)
class Phase:
    """A phase change (new or adapted intervention, changed goal): a vertical line on the graph."""

    date: date = attrs.field(validator=instance_of(date))
    label: str = attrs.field(validator=_non_empty)
    #: True when the change was a data-driven adaptation of the intervention (DBI step 4).
    adaptation: bool = attrs.field(default=True, validator=instance_of(bool))


@attrs.frozen(kw_only=True)
class Series:
    """A progress-monitoring series: one measure, its goal and its dated scores."""

    id: str = attrs.field(validator=_non_empty)
    measure: str = attrs.field(validator=_non_empty)
    skill_area: str = attrs.field(validator=_non_empty)
    #: +1 when higher scores are better, -1 when lower is better.
    direction: int = attrs.field(default=1, validator=in_((1, -1)))
    tier: int | None = attrs.field(default=None, validator=optional(_tier))
    program: str | None = attrs.field(default=None, validator=_opt_str)
    #: Baseline score; when absent, the median of the first baseline points (R3).
    baseline: float | None = attrs.field(default=None, validator=_num)
    baseline_date: date | None = attrs.field(default=None, validator=_opt_date)
    goal: float | None = attrs.field(default=None, validator=_num)
    goal_date: date | None = attrs.field(default=None, validator=_opt_date)
    #: How the goal was set: "benchmark", "norm_roi" or "custom" (R3).
    goal_method: str | None = attrs.field(
        default=None, validator=optional(in_(("benchmark", "norm_roi", "custom")))
    )
    #: The screening window the goal date falls in (fall/winter/spring): its benchmark is
    #: the goal of the benchmark method and the cap of a growth-norm goal (R3).
    goal_window: str | None = attrs.field(default=None, validator=optional(in_(WINDOWS)))
    #: Benchmark level for the student's grade when the ruleset has no seasonal table for
    #: the measure (R6 gap, R7 level test, R8 exit).
    benchmark: float | None = attrs.field(default=None, validator=_num)
    #: Growth per week of typical peers on this measure (R3 guard, R6 reasonableness).
    typical_roi: float | None = attrs.field(default=None, validator=_num)
    #: Peer growth per week at the ruleset's slope percentile (R7 slope test).
    peer_roi: float | None = attrs.field(default=None, validator=_num)
    #: True once the team confirmed a zero start score is real (R3 guard).
    zero_start_confirmed: bool = attrs.field(default=False, validator=instance_of(bool))
    points: tuple[Point, ...] = attrs.field(default=(), converter=_sorted_points)
    phases: tuple[Phase, ...] = attrs.field(
        default=(), converter=lambda ps: tuple(sorted(ps, key=lambda p: p.date))
    )
    #: Date monitoring stopped (exit); an ended series is never overdue.
    ended: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Note:
    """A qualitative note from a teacher or parent, on the student or on one series."""

    date: date = attrs.field(validator=instance_of(date))
    author: str = attrs.field(validator=_non_empty)
    text: str = attrs.field(validator=_note)
    role: str | None = attrs.field(default=None, validator=_opt_str)
    series: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class MtssRecord:
    """Everything MTSS keeps about one student: the `mtss` section of a case file."""

    student: Student
    screenings: tuple[Screening, ...] = attrs.field(
        default=(), converter=lambda s: tuple(sorted(s, key=lambda x: (x.date, x.skill_area)))
    )
    indicators: tuple[Indicator, ...] = attrs.field(default=(), converter=as_tuple)
    enrolments: tuple[Enrolment, ...] = attrs.field(
        default=(), converter=lambda e: tuple(sorted(e, key=lambda x: (x.start, x.program)))
    )
    sessions: tuple[Session, ...] = attrs.field(
        default=(), converter=lambda s: tuple(sorted(s, key=lambda x: (x.date, x.group or "")))
    )
    series: tuple[Series, ...] = attrs.field(default=(), converter=as_tuple)
    notes: tuple[Note, ...] = attrs.field(default=(), converter=as_tuple)

    def series_by(self, measure: str | None = None) -> tuple[Series, ...]:
        """Series for a measure (or series id); all series when measure is None."""
        if measure is None:
            return self.series
        return tuple(s for s in self.series if measure in (s.measure, s.id))

    def latest_screening(
        self, skill_area: str | None = None, as_of: date | None = None
    ) -> Screening | None:
        """The latest screening (in a skill area), counting only those dated by `as_of`."""
        found = [
            s
            for s in self.screenings
            if skill_area in (None, s.skill_area) and (as_of is None or s.date <= as_of)
        ]
        return found[-1] if found else None

    def as_of(self, day: date) -> MtssRecord:
        """The record as it stood on a date: later screenings, indicators and enrolments
        did not exist yet, and an enrolment that ended later is still open (its outcome unknown).

        The one as-of view every MTSS command and rule uses (series points and session logs
        are cut by the rules that read them).
        """
        return attrs.evolve(
            self,
            screenings=tuple(s for s in self.screenings if s.date <= day),
            indicators=tuple(i for i in self.indicators if i.date <= day),
            enrolments=tuple(
                e if e.end is None or e.end <= day else attrs.evolve(e, end=None, outcome=None)
                for e in self.enrolments
                if e.start <= day
            ),
            notes=tuple(n for n in self.notes if n.date <= day),
        )


# --- The school file: programs, interventionists, groups --------------------------


@attrs.frozen(kw_only=True)
class Program:
    """An intervention program with its skill area, tier, grades and recommended dosage."""

    id: str = attrs.field(validator=_non_empty)
    name: str = attrs.field(validator=_non_empty)
    skill_area: str = attrs.field(validator=_non_empty)
    tier: int = attrs.field(validator=_tier)
    grade_min: int = attrs.field(default=0, validator=and_(instance_of(int), ge(0), le(12)))
    grade_max: int = attrs.field(default=12, validator=and_(instance_of(int), ge(0), le(12)))
    sessions_per_week: int = attrs.field(default=0, validator=_per_week)
    minutes_per_session: int = attrs.field(default=0, validator=_minutes)


@attrs.frozen(kw_only=True)
class Interventionist:
    """Staff who deliver interventions: programs they are trained in and free blocks."""

    id: str = attrs.field(validator=_non_empty)
    name: str = attrs.field(validator=_non_empty)
    programs: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)
    availability: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)


@attrs.frozen(kw_only=True)
class Group:
    """An intervention group as it runs: program, interventionist, block and students."""

    id: str = attrs.field(validator=_non_empty)
    program: str = attrs.field(validator=_non_empty)
    interventionist: str = attrs.field(validator=_non_empty)
    block: str | None = attrs.field(default=None, validator=_opt_str)
    start: date | None = attrs.field(default=None, validator=_opt_date)
    students: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)


@attrs.frozen(kw_only=True)
class Block:
    """A time slot for intervention; `grades` are the grades whose intervention block it is
    (their students are free then), empty for a block open to every grade."""

    id: str = attrs.field(validator=_non_empty)
    label: str | None = attrs.field(default=None, validator=_opt_str)
    grades: tuple[int, ...] = attrs.field(default=(), converter=as_tuple)
    #: How many days a week the block meets and how long it lasts (optional): with both,
    #: `groups suggest` says when a program's dosage does not fit the block.
    days_per_week: int | None = attrs.field(
        default=None, validator=_amount(optional=True, low=1, high=7, whole=True, why="a week")
    )
    minutes: int | None = attrs.field(
        default=None,
        validator=_amount(
            optional=True, low=1, high=MINUTES_PER_DAY, whole=True, why="the minutes in one day"
        ),
    )


@attrs.frozen(kw_only=True)
class Room:
    """A room for a group; `blocks` are those it is free in (empty: every block)."""

    id: str = attrs.field(validator=_non_empty)
    name: str | None = attrs.field(default=None, validator=_opt_str)
    blocks: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strs)


@attrs.frozen(kw_only=True)
class Window:
    """A named screening window and the dates it covers."""

    name: str = attrs.field(validator=in_(WINDOWS))
    school_year: str = attrs.field(validator=_non_empty)
    start: date = attrs.field(validator=instance_of(date))
    end: date = attrs.field(validator=instance_of(date))


@attrs.frozen(kw_only=True)
class School:
    """One school's MTSS set-up: `school.json` in an MTSS data folder."""

    name: str = attrs.field(validator=_non_empty)
    programs: tuple[Program, ...] = attrs.field(default=(), converter=as_tuple)
    interventionists: tuple[Interventionist, ...] = attrs.field(default=(), converter=as_tuple)
    groups: tuple[Group, ...] = attrs.field(default=(), converter=as_tuple)
    windows: tuple[Window, ...] = attrs.field(default=(), converter=as_tuple)
    ruleset: str = attrs.field(default="mtss", validator=_non_empty)
    #: The intervention blocks and the grades each serves; without them any block named
    #: in the students' and interventionists' availability may be used.
    blocks: tuple[Block, ...] = attrs.field(default=(), converter=as_tuple)
    #: Rooms; without them rooms are not scheduled.
    rooms: tuple[Room, ...] = attrs.field(default=(), converter=as_tuple)

    def block(self, block_id: str) -> Block | None:
        return next((b for b in self.blocks if b.id == block_id), None)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)
