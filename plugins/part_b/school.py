"""The `school` section of a case file: the grades a student entered, and when.

Some states start transition planning at a grade as well as an age ("grade 9 or age
14, whichever occurs first", 511 IAC 7-43-4(a)), or end a category at a grade ("through
the student's completion of grade 2", Fla. Admin. Code 6A-6.03027(1)), so the case file
records the date the student entered each grade and, when known, completed it:

    "school": {"grades": [{"grade": 2, "entered": "2025-08-13", "completed": "2026-06-05"},
                          {"grade": 3, "entered": "2026-08-12"}]}
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
from attrs.validators import instance_of, optional

from eirules.core.models import Case, as_tuple

SECTION = "school"


def _grade(instance, attribute, value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value <= 13:
        raise ValueError(f"found {value!r}; expected a grade from -1 (pre-K) to 13")


@attrs.frozen(kw_only=True)
class GradeEntered:
    """The student entered a grade on a date (0 is kindergarten, -1 pre-kindergarten)."""

    grade: int = attrs.field(validator=_grade, metadata={"expected": "a grade from -1 to 13"})
    entered: date = attrs.field(validator=instance_of(date))
    #: The last day of the grade (the student completed it); None when not recorded.
    completed: date | None = attrs.field(default=None, validator=optional(instance_of(date)))

    def __attrs_post_init__(self) -> None:
        if self.completed is not None and self.completed < self.entered:
            raise ValueError(
                f"completed {self.completed} is before entered {self.entered}; "
                "a grade is completed after it is entered"
            )


@attrs.frozen(kw_only=True)
class SchoolRecord:
    """What the Part B rules read about a student's schooling."""

    grades: tuple[GradeEntered, ...] = attrs.field(
        default=(), converter=lambda g: tuple(sorted(as_tuple(g), key=lambda x: x.entered))
    )


def entered_grade(case: Case, grade: int) -> date | None:
    """When the student entered that grade (the earliest record of it), or None."""
    record = case.sections.get(SECTION)
    if not isinstance(record, SchoolRecord):
        return None
    return next((g.entered for g in record.grades if g.grade == grade), None)


def grade_completed(case: Case, grade: int) -> tuple[date | None, str]:
    """The day the student finished a grade, and how the case file shows it.

    The grade's own `completed` date; else, the student having entered a later grade,
    the day before that (the grade was completed by then); else None: the file does not
    say.
    """
    record = case.sections.get(SECTION)
    if not isinstance(record, SchoolRecord):
        return None, ""
    for g in record.grades:
        if g.grade == grade and g.completed is not None:
            return g.completed, f"completed grade {grade} on {g.completed}"
    later = [g for g in record.grades if g.grade > grade]
    if later:
        first = min(later, key=lambda g: g.entered)
        return (
            first.entered - timedelta(days=1),
            f"entered grade {first.grade} on {first.entered}, so grade {grade} was completed before",
        )
    return None, ""
