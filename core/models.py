"""The case model: children, events, evaluations, conditions and service plans.

Every class is a frozen attrs class; collections are tuples; dates are
`datetime.date`. Files are turned into these classes by `eirules.core.convert`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
from attrs.validators import and_, ge, in_, instance_of, le, optional

#: The five developmental areas of IDEA Part C (34 CFR 303.21(a)(1)).
DOMAINS = ("cognitive", "physical", "communication", "social_emotional", "adaptive")

_date = instance_of(date)
_opt_date = optional(instance_of(date))
_opt_str = optional(instance_of(str))


def _non_empty(instance, attribute, value):
    if not str(value).strip():
        raise ValueError(f"{attribute.name} must not be empty")


def _number(instance, attribute, value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise TypeError(f"{attribute.name} must be a number, not {value!r}")


def _positive(instance, attribute, value):
    if value is not None and value <= 0:
        raise ValueError(f"{attribute.name} must be greater than 0, not {value!r}")


def _canonical_events(events) -> tuple[Event, ...]:
    # Chronological, with a total order for same-day events, so that nothing a
    # rule decides can depend on the order events were written in a file.
    return tuple(sorted(events, key=Event.sort_key))


@attrs.frozen(kw_only=True)
class Child:
    """The child a case is about: always fictional in this repository."""

    birth_date: date = attrs.field(validator=_date)
    gestational_age_weeks: int | None = attrs.field(
        default=None, validator=optional(and_(instance_of(int), ge(20), le(45)))
    )
    name: str | None = attrs.field(default=None, validator=_opt_str)
    #: At-risk factors recorded for the child (34 CFR 303.5), for states that serve them.
    risk_factors: tuple[str, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened on a date and may start or stop a clock."""

    type: str = attrs.field(validator=and_(instance_of(str), _non_empty))
    date: date = attrs.field(validator=_date)
    #: Which program the event belongs to when the case is in more than one.
    program: str | None = attrs.field(default=None, validator=_opt_str)
    #: Why it happened: required for `delay`, optional elsewhere.
    reason: str | None = attrs.field(default=None, validator=_opt_str)
    #: Outcome of a decision event, e.g. "eligible" on `eligibility_determined`.
    outcome: str | None = attrs.field(default=None, validator=_opt_str)
    #: Disability category or eligibility basis a team recorded.
    category: str | None = attrs.field(default=None, validator=_opt_str)
    #: The service an event is about (per-service clocks).
    service: str | None = attrs.field(default=None, validator=_opt_str)
    #: Last day of a period the event covers (e.g. the end of a documented delay).
    until: date | None = attrs.field(default=None, validator=_opt_date)
    note: str | None = attrs.field(default=None, validator=_opt_str)

    @until.validator
    def _until_not_before_date(self, attribute, value):
        if value is not None and value < self.date:
            raise ValueError(f"until ({value}) is before the event date ({self.date})")

    def sort_key(self) -> tuple:
        return (
            self.date,
            self.type,
            self.program or "",
            self.reason or "",
            self.outcome or "",
            self.category or "",
            self.service or "",
            self.until or date.min,
            self.note or "",
        )


@attrs.frozen(kw_only=True)
class Score:
    """One domain's result: a standard score, an age equivalent or a percent delay."""

    domain: str = attrs.field(validator=in_(DOMAINS))
    #: A finer area inside the domain (e.g. "expressive", "gross_motor") for states that use one.
    subdomain: str | None = attrs.field(default=None, validator=_opt_str)
    standard_score: float | None = attrs.field(default=None, validator=_number)
    mean: float | None = attrs.field(default=None, validator=_number)
    sd: float | None = attrs.field(default=None, validator=[_number, _positive])
    age_equivalent_months: float | None = attrs.field(
        default=None, validator=[_number, optional(ge(0))]
    )
    percent_delay: float | None = attrs.field(
        default=None, validator=[_number, optional(and_(ge(0), le(100)))]
    )

    def __attrs_post_init__(self):
        kinds = [
            self.standard_score is not None,
            self.age_equivalent_months is not None,
            self.percent_delay is not None,
        ]
        if sum(kinds) != 1:
            raise ValueError(
                "give exactly one of standard_score (with mean and sd), "
                "age_equivalent_months or percent_delay"
            )
        if self.standard_score is not None and (self.mean is None or self.sd is None):
            raise ValueError("a standard_score needs its mean and sd")
        if self.standard_score is None and (self.mean is not None or self.sd is not None):
            raise ValueError("mean and sd belong with a standard_score")

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
    scores: tuple[Score, ...] = attrs.field(default=(), converter=tuple)
    #: Informed clinical opinion (34 CFR 303.321(a)(3)(ii)): "eligible" or "not_eligible".
    informed_clinical_opinion: str | None = attrs.field(
        default=None, validator=optional(in_(("eligible", "not_eligible")))
    )
    program: str | None = attrs.field(default=None, validator=_opt_str)
    note: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen(kw_only=True)
class Condition:
    """A diagnosed physical or mental condition."""

    name: str = attrs.field(validator=and_(instance_of(str), _non_empty))
    code: str | None = attrs.field(default=None, validator=_opt_str)
    diagnosed: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Enrolment:
    """A period in which the case is open in one program."""

    program: str = attrs.field(validator=and_(instance_of(str), _non_empty))
    start: date | None = attrs.field(default=None, validator=_opt_date)
    end: date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen(kw_only=True)
class Service:
    """One service line on an IFSP or IEP."""

    name: str = attrs.field(validator=and_(instance_of(str), _non_empty))
    consented: date | None = attrs.field(default=None, validator=_opt_date)
    planned_start: date | None = attrs.field(default=None, validator=_opt_date)
    started: date | None = attrs.field(default=None, validator=_opt_date)
    ended: date | None = attrs.field(default=None, validator=_opt_date)
    #: How many sessions per `per` period.
    sessions: int | None = attrs.field(
        default=None, validator=optional(and_(instance_of(int), ge(0)))
    )
    per: str | None = attrs.field(default=None, validator=optional(in_(("day", "week", "month"))))
    minutes: int | None = attrs.field(
        default=None, validator=optional(and_(instance_of(int), ge(0)))
    )


@attrs.frozen(kw_only=True)
class ServicePlan:
    """An IFSP (Part C) or IEP (Part B)."""

    kind: str = attrs.field(validator=in_(("ifsp", "iep")))
    meetings: tuple[date, ...] = attrs.field(default=(), converter=tuple)
    services: tuple[Service, ...] = attrs.field(default=(), converter=tuple)


@attrs.frozen(kw_only=True)
class Case:
    """One child's case: who, what happened when, and what was measured."""

    id: str = attrs.field(validator=and_(instance_of(str), _non_empty))
    child: Child
    ruleset: str | None = attrs.field(default=None, validator=_opt_str)
    events: tuple[Event, ...] = attrs.field(default=(), converter=_canonical_events)
    evaluations: tuple[Evaluation, ...] = attrs.field(
        default=(), converter=lambda e: tuple(sorted(e, key=lambda x: x.date))
    )
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=tuple)
    enrolments: tuple[Enrolment, ...] = attrs.field(default=(), converter=tuple)
    service_plans: tuple[ServicePlan, ...] = attrs.field(default=(), converter=tuple)
    #: District or local program, used to pick a school calendar.
    district: str | None = attrs.field(default=None, validator=_opt_str)
    #: Sections contributed by plugins (see the `register_case_sections` hook),
    #: keyed by section name, each an instance of the class the plugin registered.
    sections: dict[str, Any] = attrs.field(factory=dict, converter=dict, hash=False)

    def events_of(self, *types: str, program: str | None = None) -> tuple[Event, ...]:
        """Events of the given types, in date order, optionally for one program."""
        wanted = set(types)
        return tuple(
            e
            for e in self.events
            if e.type in wanted and (program is None or e.program in (None, program))
        )

    def first(self, event_type: str, program: str | None = None) -> Event | None:
        """The earliest event of a type, or None."""
        found = self.events_of(event_type, program=program)
        return found[0] if found else None

    def last(self, event_type: str, program: str | None = None) -> Event | None:
        """The latest event of a type, or None."""
        found = self.events_of(event_type, program=program)
        return found[-1] if found else None

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
