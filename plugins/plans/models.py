"""The `plans` case-file section: outcomes and goals, meetings and the parent contact log.

An IFSP's outcomes (34 CFR 303.344(c)) and an IEP's measurable annual goals
(300.320(a)(2)-(3)) share one shape here, a `Goal`: what is measured, from where
to where by when, and the progress data of both kinds (numbers and dated,
attributed observations). Meetings record who was invited, who came, who was
excused and how the family was told. Plain attrs types only, so the core's one
converter reads and writes them with its usual path-by-path error report.
"""

from __future__ import annotations

from datetime import date

import attrs

from eirules.core.errors import ValueProblem, did_you_mean
from eirules.core.model_fields import text_check
from eirules.core.models import (
    _date,
    _id_text,
    _not_before,
    _note_text,
    _number,
    _one_of,
    _opt_date,
    _opt_note,
    _opt_plain,
    _plain_strings,
    _plain_text,
    _strings,
    as_tuple,
)

PLAN_KINDS = ("ifsp", "iep")
GOAL_AREAS = ("child", "family", "academic", "functional")
DIRECTIONS = ("higher", "lower")
NOTE_KINDS = (
    "observation",
    "work_sample",
    "parent_report",
    "teacher_report",
    "provider_report",
)
MEETING_KINDS = (
    "ifsp_initial",
    "ifsp_review",
    "ifsp_annual",
    "iep_initial",
    "iep_review",
    "iep_annual",
)
#: Roles of the people at a meeting, in the regulations' words (303.343(a), 300.321(a)).
ROLES = (
    "parent",
    "family_member",
    "advocate",
    "service_coordinator",
    "evaluator",
    "service_provider",
    "regular_education_teacher",
    "special_education_teacher",
    "agency_representative",
    "evaluation_interpreter",
    "child",
    "part_c_service_coordinator",
    "other",
)
NOTICE_ITEMS = ("purpose", "time", "location", "participants")
CONTACT_METHODS = ("call", "visit", "letter", "message", "email", "meeting")


@text_check  # only the meeting roles pass
def _roles(instance, attribute, value):
    for role in value:
        _one_of(ROLES, "meeting role")(instance, attribute, role)


def _sorted_by_date(items):
    return tuple(sorted(items, key=lambda x: x.date))


@attrs.frozen(kw_only=True)
class Wording:
    """The team's own words in another language, for the family's pages (`--lang`)."""

    lang: str = attrs.field(validator=_one_of(("en", "es"), "language"))
    statement: str | None = attrs.field(default=None, validator=_opt_note)
    what: str | None = attrs.field(default=None, validator=_opt_plain)
    unit: str | None = attrs.field(default=None, validator=_opt_plain)
    location: str | None = attrs.field(default=None, validator=_opt_plain)
    purpose: str | None = attrs.field(default=None, validator=_opt_note)


def worded(obj, field: str, lang: str, default: str | None) -> str | None:
    """`field` in `lang` from obj.wordings, else `default` (the words as the team wrote them)."""
    for w in getattr(obj, "wordings", ()):
        if w.lang == lang and getattr(w, field):
            return getattr(w, field)
    return default


@attrs.frozen(kw_only=True)
class Measure:
    """What a goal counts: the thing, its unit, and which way is better."""

    what: str = attrs.field(validator=_plain_text)
    unit: str = attrs.field(validator=_plain_text)
    better: str = attrs.field(
        default="higher",
        validator=_one_of(DIRECTIONS, "direction"),
        metadata={"expected": "higher or lower"},
    )


@attrs.frozen(kw_only=True)
class ProgressPoint:
    """One quantitative measurement of a goal."""

    date: date = attrs.field(validator=_date)
    value: float = attrs.field(validator=_number())
    #: Who measured it (a role or a fictional name).
    by: str | None = attrs.field(default=None, validator=_opt_plain)
    #: Where (home, classroom, clinic, ...).
    setting: str | None = attrs.field(default=None, validator=_opt_plain)


@attrs.frozen(kw_only=True)
class ProgressNote:
    """One qualitative entry: an observation, a work sample, a parent or teacher report."""

    date: date = attrs.field(validator=_date)
    kind: str = attrs.field(validator=_one_of(NOTE_KINDS, "kind of note"))
    by: str = attrs.field(validator=_plain_text)
    text: str = attrs.field(validator=_note_text)


@attrs.frozen(kw_only=True)
class Objective:
    """A short-term objective or benchmark (300.320(a)(2)(ii))."""

    text: str = attrs.field(validator=_note_text)
    target: float | None = attrs.field(default=None, validator=_number())
    by: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Goal:
    """An IFSP outcome or an IEP annual goal, with its measure and its progress data."""

    id: str = attrs.field(validator=_id_text)
    plan: str = attrs.field(validator=_one_of(PLAN_KINDS, "plan kind"))
    #: child or family (IFSP outcomes, 303.344(c)); academic or functional (IEP goals).
    area: str = attrs.field(validator=_one_of(GOAL_AREAS, "goal area"))
    #: The outcome or goal in the team's words (shown to the family).
    statement: str = attrs.field(validator=_note_text)
    measure: Measure = attrs.field(validator=attrs.validators.instance_of(Measure))
    baseline: float = attrs.field(validator=_number())
    baseline_date: date = attrs.field(validator=_date)
    target: float = attrs.field(validator=_number())
    target_date: date = attrs.field(validator=_date)
    #: The criteria, procedures and timelines used to measure progress (303.344(c)).
    criteria: str | None = attrs.field(default=None, validator=_opt_note)
    procedures: str | None = attrs.field(default=None, validator=_opt_note)
    #: How progress is measured and when reports are given (300.320(a)(3)).
    progress_measured_by: str | None = attrs.field(default=None, validator=_opt_note)
    #: Short-term objectives, for a child who takes alternate assessments (300.320(a)(2)(ii)).
    objectives: tuple[Objective, ...] = attrs.field(default=(), converter=as_tuple)
    #: Names of the service lines (service_plans[].services[].name) that serve this goal.
    services: tuple[str, ...] = attrs.field(
        default=(), converter=as_tuple, validator=_plain_strings
    )
    points: tuple[ProgressPoint, ...] = attrs.field(default=(), converter=_sorted_by_date)
    notes: tuple[ProgressNote, ...] = attrs.field(default=(), converter=_sorted_by_date)
    #: The team's last word on whether the outcome or services need revising (303.344(c)).
    revision_needed: bool | None = attrs.field(default=None)
    #: The statement, measure and unit in the family's language (see `Wording`).
    wordings: tuple[Wording, ...] = attrs.field(default=(), converter=as_tuple)

    def __attrs_post_init__(self):
        _not_before(self, "target_date", "baseline_date", "baseline date")


@attrs.frozen(kw_only=True)
class ProgressReport:
    """One reporting period: when the report to the parents is due and when it went out."""

    period: str = attrs.field(validator=_plain_text)
    plan: str = attrs.field(validator=_one_of(PLAN_KINDS, "plan kind"))
    #: Last day the period covers.
    ends: date = attrs.field(validator=_date)
    #: When the report is due (e.g. with the report cards, 300.320(a)(3)(ii)).
    due: date = attrs.field(validator=_date)
    sent: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Excusal:
    """A required member's excusal from an IEP meeting (300.321(e))."""

    #: The member's area of the curriculum or service is modified or discussed at the meeting.
    area_discussed: bool = attrs.field(default=False)
    #: Date the parent agreed in writing; date the agency agreed.
    parent_agreed_in_writing: date | None = attrs.field(default=None, validator=_opt_date)
    agency_agreed: date | None = attrs.field(default=None, validator=_opt_date)
    #: Date the member's written input reached the parent and the team.
    written_input: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Participant:
    """Someone invited to a meeting, in one role."""

    name: str = attrs.field(validator=_plain_text)
    role: str = attrs.field(validator=_one_of(ROLES, "meeting role"))
    #: Other roles the same person fills (e.g. a teacher who can interpret evaluation results).
    also: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_roles)
    attended: bool = attrs.field(default=False)
    #: How someone who could not come took part (303.343(a)(2)): phone, records, representative.
    other_means: str | None = attrs.field(default=None, validator=_opt_note)
    excusal: Excusal | None = attrs.field(default=None)


@attrs.frozen(kw_only=True)
class Notice:
    """The written notice of a meeting to the family (300.322(b), 303.342(d)(2))."""

    sent: date = attrs.field(validator=_date)
    method: str | None = attrs.field(default=None, validator=_opt_plain)
    #: What the notice said, of purpose, time, location, participants; None when the
    #: file does not say (300.322(b)(1)(i) is then not judged: nothing is assumed).
    includes: tuple[str, ...] | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(as_tuple),
        validator=attrs.validators.optional(_strings),
    )
    #: The parent agreed to a shorter notice than the state's minimum (where a state allows it).
    parent_waived_minimum: bool = attrs.field(default=False)


@attrs.frozen(kw_only=True)
class Meeting:
    """An IFSP or IEP meeting: when, where, in what language, who was invited and came."""

    id: str = attrs.field(validator=_id_text)
    kind: str = attrs.field(validator=_one_of(MEETING_KINDS, "meeting kind"))
    date: date = attrs.field(validator=_date)
    time: str | None = attrs.field(default=None, validator=_opt_plain)
    location: str | None = attrs.field(default=None, validator=_opt_plain)
    #: Language the meeting is held in, and the family's native language or mode of communication.
    language: str | None = attrs.field(default=None, validator=_opt_plain)
    family_language: str | None = attrs.field(default=None, validator=_opt_plain)
    interpreter: bool = attrs.field(default=False)
    #: The family agreed the time and place are convenient (300.322(a)(2), 303.342(d)(1)(i)).
    family_agreed_time_place: bool | None = attrs.field(default=None)
    #: The child is, or may be, in the regular education environment (300.321(a)(2)).
    in_regular_education: bool = attrs.field(default=True)
    participants: tuple[Participant, ...] = attrs.field(default=(), converter=as_tuple)
    notice: Notice | None = attrs.field(default=None)
    purpose: str | None = attrs.field(default=None, validator=_opt_note)
    #: The location and purpose in the family's language (see `Wording`).
    wordings: tuple[Wording, ...] = attrs.field(default=(), converter=as_tuple)

    @property
    def plan(self) -> str:
        return self.kind.split("_", 1)[0]


@attrs.frozen(kw_only=True)
class Contact:
    """One entry of the parent contact log."""

    date: date = attrs.field(validator=_date)
    method: str = attrs.field(validator=_one_of(CONTACT_METHODS, "contact method"))
    #: Who was contacted (e.g. "parent", "grandmother"); who made the contact.
    person: str = attrs.field(validator=_plain_text)
    by: str | None = attrs.field(default=None, validator=_opt_plain)
    topic: str = attrs.field(validator=_plain_text)
    outcome: str | None = attrs.field(default=None, validator=_opt_note)
    #: The meeting this contact tried to arrange (300.322(d) records of attempts).
    meeting: str | None = attrs.field(default=None, validator=_opt_plain)


def _meeting_hint(meeting: str, ids: list[str]) -> str:
    if not ids:
        return "the file has no meetings; schedule it first with eirules meetings schedule"
    hint = did_you_mean(meeting, ids)
    listed = f"the file's meetings: {', '.join(ids)}"
    return f"{hint} ({listed})" if hint else f"expected one of {listed}"


@attrs.frozen(kw_only=True)
class PlansRecord:
    """The `plans` section of a case file."""

    goals: tuple[Goal, ...] = attrs.field(default=(), converter=as_tuple)
    progress_reports: tuple[ProgressReport, ...] = attrs.field(default=(), converter=as_tuple)
    meetings: tuple[Meeting, ...] = attrs.field(default=(), converter=_sorted_by_date)
    contacts: tuple[Contact, ...] = attrs.field(default=(), converter=_sorted_by_date)

    def __attrs_post_init__(self):
        # A contact names the meeting it tried to arrange: an id the file does not have
        # (a typo) would count as no attempt at all, and `meetings check` would report
        # none made (300.322(d)). `contacts add --meeting` and a hand-edited file alike.
        ids = [m.id for m in self.meetings]
        for contact in self.contacts:
            if contact.meeting is not None and contact.meeting not in ids:
                raise ValueProblem(
                    f'the contact on {contact.date.isoformat()} names meeting "{contact.meeting}",'
                    " which is not a meeting of this file",
                    _meeting_hint(contact.meeting, ids),
                    field="contacts",
                )

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)

    def meeting(self, meeting_id: str) -> Meeting | None:
        return next((m for m in self.meetings if m.id == meeting_id), None)
