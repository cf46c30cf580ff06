"""The `school` section of a case file: the grades a student entered, and when.

Some states start transition planning at a grade as well as an age ("grade 9 or age
14, whichever occurs first", 511 IAC 7-43-4(a)), so the case file records the date the
student entered each grade:

    "school": {"grades": [{"grade": 8, "entered": "2025-08-13"}, {"grade": 9, "entered": "2026-08-12"}]}
"""

from __future__ import annotations

from datetime import date

import attrs
from attrs.validators import instance_of

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
