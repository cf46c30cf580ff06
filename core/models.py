"""The case model: children, events, evaluations, conditions and service plans.

Every class is a frozen attrs class; collections are tuples; dates are
`datetime.date`. Files are turned into these classes by `eirules.core.convert`.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter, eq
from typing import Any

import attrs
from attrs.validators import instance_of

from . import fastload, fastload_claims
from .errors import ValueProblem, show_value
from .events import index_of
from .model_fields import (  # noqa: F401 - re-exported: plugins and tests import them from here
    _date,
    _id_text,
    _not_before,
    _note_text,
    _number,
    _one_of,
    _opt_date,
    _opt_note,
    _opt_plain,
    _opt_str,
    _plain,
    _plain_strings,
    _plain_text,
    _string,
    _strings,
    _text,
    as_tuple,
)
from .text import MAX_TEXT

#: `date` spelt so that Event, whose field is named `date`, can still name the type.
Date = date

#: The five developmental areas of IDEA Part C (34 CFR 303.21(a)(1)).
DOMAINS = ("cognitive", "physical", "communication", "social_emotional", "adaptive")
#: Subdomains a ruleset's criteria may name (`in = ["communication.expressive"]`): expressive
#: and receptive communication, and the parts of physical development 34 CFR 303.21(a)(1)(ii)
#: names ("including vision and hearing") or that states score apart (gross and fine motor,
#: e.g. Texas, rulesets/us-tx/part_c.toml). A criterion naming anything else is refused:
#: a misspelt area would silently match no score.
SUBDOMAINS: dict[str, tuple[str, ...]] = {
    "communication": ("expressive", "receptive"),
    "physical": ("gross_motor", "fine_motor", "vision", "hearing"),
}


def _text_key(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


_date_of = attrgetter("date")
#: An event's date and type: the first two parts of its sort key.
_day_and_type = attrgetter("date", "type")


def _canonical_events(events) -> tuple[Event, ...]:
    # Chronological, with a total order for same-day events, so that nothing a
    # rule decides can depend on the order events were written in a file.
    # Sorted by date and type first (one C call a key): when no two events share
    # both, that is the order Event.sort_key gives; otherwise sort by the whole key.
    ordered = sorted(events, key=_day_and_type)
    if len(ordered) > 1:
        keys = list(map(_day_and_type, ordered))
        if any(map(eq, keys, keys[1:])):
            ordered.sort(key=Event.sort_key)
    return tuple(ordered)


@attrs.frozen(kw_only=True)
class Child:
    """The child a case is about: always fictional in this repository."""

    #: Personal fields: a problem with them names the field, never quotes the value.
    birth_date: date = attrs.field(validator=_date, metadata={"personal": True})
    #: Completed weeks of gestation at birth; the 20 to 45 bound only catches typing mistakes.
    gestational_age_weeks: int | None = attrs.field(
        default=None, validator=_number(low=20, high=45, whole=True)
    )
    name: str | None = attrs.field(default=None, validator=_opt_plain, metadata={"personal": True})
    #: At-risk factors recorded for the child (34 CFR 303.5), for states that serve them.
    risk_factors: tuple[str, ...] = attrs.field(default=(), converter=as_tuple, validator=_strings)


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened on a date and may start or stop a clock."""

    type: str = attrs.field(
        validator=_text, metadata={"expected": "an event type such as referral_received"}
    )
    date: date = attrs.field(validator=_date)
    #: Which program the event belongs to when the case is in more than one.
    program: str | None = attrs.field(default=None, validator=_opt_str)
    #: Why it happened: required for `delay`, optional elsewhere.
    reason: str | None = attrs.field(default=None, validator=_opt_str)
    #: Outcome of a decision event, e.g. "eligible" on `eligibility_determined`.
    outcome: str | None = attrs.field(default=None, validator=_opt_plain)
    #: Disability category or eligibility basis a team recorded.
    category: str | None = attrs.field(default=None, validator=_opt_plain)
    #: The service an event is about (per-service clocks).
    service: str | None = attrs.field(default=None, validator=_opt_plain)
    #: Last day of a period the event covers (e.g. the end of a documented delay).
    until: Date | None = attrs.field(default=None, validator=_opt_date)
    note: str | None = attrs.field(default=None, validator=_opt_note)

    def __attrs_post_init__(self):
        if self.until is not None:
            _not_before(self, "until", "date", "event date")

    def sort_key(self) -> tuple:
        # A total order: an absent field (None) sorts before an empty string, so two
        # events differing only in None against "" never tie and the canonical order
        # never depends on the order they were written in.
        return (
            self.date,
            self.type,
            _text_key(self.program),
            _text_key(self.reason),
            _text_key(self.outcome),
            _text_key(self.category),
            _text_key(self.service),
            self.until or date.min,
            _text_key(self.note),
        )


@attrs.frozen(kw_only=True)
class Score:
    """One domain's result: a standard score, an age equivalent or a percent delay."""

    domain: str = attrs.field(
        validator=_one_of(DOMAINS, "domain"),
        metadata={"expected": f"one of: {', '.join(DOMAINS)}"},
    )
    #: A finer area inside the domain (e.g. "expressive", "gross_motor") for states that use one.
    subdomain: str | None = attrs.field(default=None, validator=_opt_str)
    standard_score: float | None = attrs.field(default=None, validator=_number())
    mean: float | None = attrs.field(default=None, validator=_number())
    sd: float | None = attrs.field(default=None, validator=_number(above=0))
    age_equivalent_months: float | None = attrs.field(default=None, validator=_number(low=0))
    percent_delay: float | None = attrs.field(default=None, validator=_number(low=0, high=100))

    def __attrs_post_init__(self):
        standard = self.standard_score
        if (standard is None) + (self.age_equivalent_months is None) + (
            self.percent_delay is None
        ) == 2 and (self.mean is None) is (self.sd is None) is (standard is None):
            return  # exactly one score, with mean and sd exactly when it is a standard score
        self._refuse_scores()

    def _refuse_scores(self):
        """What is wrong with the scores given (the test above lets only good ones by)."""
        given = [
            name
            for name in ("standard_score", "age_equivalent_months", "percent_delay")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueProblem(
                f"found {' and '.join(given)}" if given else "no score given",
                "expected exactly one of standard_score (with mean and sd), "
                "age_equivalent_months or percent_delay",
            )
        if self.standard_score is not None:
            missing = [name for name in ("mean", "sd") if getattr(self, name) is None]
            if missing:
                raise ValueProblem(
                    f"standard_score without {' and '.join(missing)}",
                    "expected the test's mean and sd with a standard score (e.g. 100 and 15)",
                )
        elif self.mean is not None or self.sd is not None:
            raise ValueProblem(
                "mean or sd without a standard_score",
                "expected them only with a standard_score",
            )

    @property
    def kind(self) -> str:
        if self.standard_score is not None:
            return "standard_score"
        if self.age_equivalent_months is not None:
            return "age_equivalent"
        return "percent_delay"


@attrs.frozen(kw_only=True)
class Evaluation:
    """An evaluation or assessment with its per-domain scores."""

    date: date = attrs.field(validator=_date)
    instrument: str | None = attrs.field(default=None, validator=_opt_str)
    scores: tuple[Score, ...] = attrs.field(default=(), converter=as_tuple)
    #: Informed clinical opinion (34 CFR 303.321(a)(3)(ii)): "eligible" or "not_eligible".
    informed_clinical_opinion: str | None = attrs.field(
        default=None, validator=_one_of(("eligible", "not_eligible"), "opinion")
    )
    program: str | None = attrs.field(default=None, validator=_opt_str)
    note: str | None = attrs.field(default=None, validator=_opt_note)


@attrs.frozen(kw_only=True)
class Condition:
    """A diagnosed physical or mental condition."""

    name: str = attrs.field(validator=_text)
    code: str | None = attrs.field(default=None, validator=_opt_str)
    diagnosed: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Enrolment:
    """A period in which the case is open in one program."""

    program: str = attrs.field(validator=_text)
    start: date | None = attrs.field(default=None, validator=_opt_date)
    end: date | None = attrs.field(default=None, validator=_opt_date)

    def __attrs_post_init__(self):
        _not_before(self, "end", "start")


@attrs.frozen(kw_only=True)
class Service:
    """One service line on an IFSP or IEP."""

    name: str = attrs.field(validator=_text)
    consented: date | None = attrs.field(default=None, validator=_opt_date)
    planned_start: date | None = attrs.field(default=None, validator=_opt_date)
    started: date | None = attrs.field(default=None, validator=_opt_date)
    ended: date | None = attrs.field(default=None, validator=_opt_date)
    #: How many sessions per `per` period.
    sessions: int | None = attrs.field(default=None, validator=_number(low=0, whole=True))
    per: str | None = attrs.field(
        default=None, validator=_one_of(("day", "week", "month"), "period")
    )
    minutes: int | None = attrs.field(default=None, validator=_number(low=0, whole=True))
    #: How the service is delivered (34 CFR 303.344(d)(1)(i): "method").
    method: str | None = attrs.field(default=None, validator=_opt_str)
    #: Where (303.344(d)(1)(ii)-(iii) natural environments; 300.320(a)(7) "location").
    location: str | None = attrs.field(default=None, validator=_opt_str)

    def __attrs_post_init__(self):
        _not_before(self, "ended", "started")


#: How a plan records whether an outside agency was invited to a meeting.
AGENCY_INVITATIONS = ("invited", "not_invited", "not_appropriate")


def _opt_bool(instance, attribute, value):
    if value is not None and not isinstance(value, bool):
        raise ValueProblem(f"{show_value(value)} is not true or false")


@attrs.frozen(kw_only=True)
class TransitionReview:
    """What one plan meeting found about the plan's transition content.

    Each component is true (present), false (missing) or left out (not
    reviewed). Reports that count plans with every component read these; the
    names are generic so a plugin can give them its program's meaning.
    """

    #: The meeting the plan was reviewed at.
    date: Date = attrs.field(validator=_date)
    postsecondary_goals: bool | None = attrs.field(default=None, validator=_opt_bool)
    goals_updated_annually: bool | None = attrs.field(default=None, validator=_opt_bool)
    transition_assessment: bool | None = attrs.field(default=None, validator=_opt_bool)
    transition_services: bool | None = attrs.field(default=None, validator=_opt_bool)
    courses_of_study: bool | None = attrs.field(default=None, validator=_opt_bool)
    annual_goals_related: bool | None = attrs.field(default=None, validator=_opt_bool)
    student_invited: bool | None = attrs.field(default=None, validator=_opt_bool)
    agency_invited: str | None = attrs.field(
        default=None,
        validator=_one_of(AGENCY_INVITATIONS, "invitation"),
        metadata={"expected": ", ".join(AGENCY_INVITATIONS)},
    )
    note: str | None = attrs.field(default=None, validator=_opt_note)


@attrs.frozen(kw_only=True)
class ServicePlan:
    """An IFSP (Part C) or IEP (Part B)."""

    kind: str = attrs.field(
        validator=_one_of(("ifsp", "iep"), "plan kind"), metadata={"expected": "ifsp or iep"}
    )
    meetings: tuple[date, ...] = attrs.field(default=(), converter=as_tuple)
    services: tuple[Service, ...] = attrs.field(default=(), converter=as_tuple)
    #: Reviews of the plan's transition content, one per meeting that reviewed it.
    transition: tuple[TransitionReview, ...] = attrs.field(default=(), converter=as_tuple)


@attrs.frozen(kw_only=True)
class Case:
    """One child's case: who, what happened when, and what was measured."""

    id: str = attrs.field(validator=_id_text)
    child: Child = attrs.field(validator=instance_of(Child))
    ruleset: str | None = attrs.field(default=None, validator=_opt_str)
    events: tuple[Event, ...] = attrs.field(default=(), converter=_canonical_events)
    evaluations: tuple[Evaluation, ...] = attrs.field(
        default=(), converter=lambda e: tuple(sorted(e, key=_date_of))
    )
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=as_tuple)
    enrolments: tuple[Enrolment, ...] = attrs.field(default=(), converter=as_tuple)
    service_plans: tuple[ServicePlan, ...] = attrs.field(default=(), converter=as_tuple)
    #: District or local program, used to pick a school calendar.
    district: str | None = attrs.field(default=None, validator=_opt_str)
    #: County the child lives in, for reports by county.
    county: str | None = attrs.field(default=None, validator=_opt_str)
    #: The provider or program that serves the case, for reports by provider.
    provider: str | None = attrs.field(default=None, validator=_opt_str)
    #: Sections contributed by plugins (see the `register_case_sections` hook),
    #: keyed by section name, each an instance of the class the plugin registered.
    sections: dict[str, Any] = attrs.field(factory=dict, converter=dict, hash=False)

    def __attrs_post_init__(self):
        # Nothing happens to a child before birth: a date before it is a typing mistake
        # that would otherwise show as a clock years overdue. Events are sorted by date.
        born = self.child.birth_date
        if self.events and self.events[0].date < born:
            early = [e for e in self.events if e.date < born]
            listed = ", ".join(f"{e.type} on {e.date.isoformat()}" for e in early[:3])
            raise ValueProblem(
                f"{listed}{' and more' if len(early) > 3 else ''} "
                f"{'is' if len(early) == 1 else 'are'} before the child's birth",
                "check the date; events happen on or after the birth date",
                field="events",
            )
        # Scores come from testing the child: an evaluation dated before the birth is a
        # typing mistake too, which eligibility would otherwise drop without a word.
        # (A condition may be diagnosed before birth, by prenatal testing: not refused.)
        if self.evaluations and self.evaluations[0].date < born:
            early = [e.date.isoformat() for e in self.evaluations if e.date < born]
            raise ValueProblem(
                f"an evaluation dated {', '.join(early[:3])}{' and more' if len(early) > 3 else ''}"
                " is before the child's birth",
                "check the date; a child is evaluated on or after the birth date",
                field="evaluations",
            )

    def events_of(self, *types: str, program: str | None = None) -> tuple[Event, ...]:
        """Events of the given types, in date order, optionally for one program.

        Read from the case's event index (`core/events.py`), built once and shared
        by every rule that asks about this case.
        """
        return index_of(self).of(types, program)

    def first(self, event_type: str, program: str | None = None) -> Event | None:
        """The earliest event of a type, or None."""
        return index_of(self).first(event_type, program)

    def last(self, event_type: str, program: str | None = None) -> Event | None:
        """The latest event of a type, or None."""
        return index_of(self).last(event_type, program)

    @property
    def programs(self) -> tuple[str, ...]:
        """Programs the case is enrolled in, from enrolments and event programs."""
        seen: dict[str, None] = {}
        for enrolment in self.enrolments:
            seen.setdefault(enrolment.program)
        for event in self.events:
            if event.program:
                seen.setdefault(event.program)
        return tuple(seen)


# The fast loader's leaves take exact JSON types only (a str, a YYYY-MM-DD date), so
# these type checks are already done when it builds a model field by field; every
# other validator (non-empty text, control characters, ranges, choices) still runs.
# (`_opt_str` and `_text` are `_opt_plain` and `_plain_text`: the text check is theirs.)
fastload_claims.type_checks(_date, _opt_date, _string)
# What the fast path need not ask these validators (tests/test_fastload.py checks each
# claim): None passes the optional ones, and plain short text passes the text checks.
fastload_claims.none_passes(_opt_plain, _opt_note, _opt_bool)
fastload_claims.empty_passes(_strings)
fastload_claims.tuple_converters(as_tuple)
fastload_claims.order_converters(_canonical_events, attrs.fields(Case).evaluations.converter)
fastload_claims.text_shortcut(_opt_plain, _opt_note, printable=True, longest=MAX_TEXT)
fastload_claims.text_shortcut(_plain_text, printable=True, longest=MAX_TEXT, nonblank=True)
# An event's words come from the vocabulary and repeat from case to case (a note does not).
fastload_claims.remembered(Event, "type", "program", "reason", "outcome", "category", "service")
# Each of these post-init checks compares two dates and passes when either is None.
fastload_claims.post_init_passes_none(Event, "until")
fastload_claims.post_init_passes_none(Enrolment, "end", "start")
fastload_claims.post_init_passes_none(Service, "ended", "started")
fastload.fieldwise(
    Child,
    Event,
    Score,
    Evaluation,
    Condition,
    Enrolment,
    Service,
    TransitionReview,
    ServicePlan,
    Case,
)
