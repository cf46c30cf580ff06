"""What the engine decides: eligibility, clocks, referrals and findings, as data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
from attrs.validators import in_, instance_of, optional

from .explain import Prose
from .fastload import settable_twin
from .models import as_tuple

ELIGIBILITY_OUTCOMES = ("eligible", "not_eligible", "needs_information")
#: `not_made`: it was owed and was not made while it could be (the program ended first):
#: late, and nothing is owed any more (the referral's counterpart of a clock closed late).
REFERRAL_STATUSES = ("to_make", "made", "not_required", "not_made")
CRITERION_OUTCOMES = ("met", "not_met", "needs_information")

#: Clock statuses, in the order a case manager should look at them.
CLOCK_STATUSES = (
    "overdue",
    "needs_information",
    "due_soon",
    "pending",
    "met_late",
    "late_excused",
    "met",
    "not_applicable",
)
OPEN_STATUSES = ("overdue", "due_soon", "pending", "needs_information")
#: Clock statuses that owe nothing more. Every other status, including any a plugin or a
#: later release adds, counts as still owed, so no work is ever hidden by a filter.
DONE_STATUSES = ("met", "met_late", "not_applicable")
#: Referral statuses that owe nothing more (`not_made`: late, but no longer owed);
#: every other one is still to be made.
REFERRAL_DONE_STATUSES = ("made", "not_required", "not_made")


def is_open(status: str, met_on: date | None, closed_on: date | None = None) -> bool:
    """True while the thing a clock asks for is still owed.

    A late-excused clock whose stop event has not happened is still owed: the
    excuse (e.g. 34 CFR 303.310(c)(2)) only asks for it as soon as possible.
    A clock closed by an event (the child exited or moved out) after its due
    date keeps its late status for reporting but is no longer owed.
    A `needs_information` clock (its due date cannot be computed: no school
    calendar, or one that ends before the due date) is owed until its stop event
    happens; `not_applicable` means nothing is owed. Any status not in
    DONE_STATUSES (one a plugin adds) is owed: nothing is hidden by a filter.
    """
    if closed_on is not None:
        return False
    if status in ("late_excused", "needs_information"):
        return met_on is None
    return status not in DONE_STATUSES


def days_left(due: date | None, as_of: date, closed_on: date | None = None) -> int | None:
    """Days from as_of to the due date (negative when overdue), or None without a due date:
    the one rule of `check`, `due`, `overdue`, the HTTP API and the indicators.

    A clock that closed (`closed_on`: the child exited, moved, the program ended) stops
    counting the day it closed. A closed clock still listed is one closed unmet after its
    due date (`is_outstanding`): the obligation can no longer be met, so its lateness is
    closed_on - due, not a number growing every day after (as for excused lateness). A
    referral counts the same from its `by` (`Referral.days_left`): one `not_made` stops at
    its `Referral.closed_on` (the program ended, or the toddler left, before it was made). The
    store's listings count the same in SQL (`Listing._days_left_sql`, from the columns of
    the clocks_due_order index) and for re-evaluated cases (`listing_rows._days`).
    """
    if due is None:
        return None
    return (due - (as_of if closed_on is None else closed_on)).days


def is_outstanding(status: str, met_on: date | None, closed_on: date | None = None) -> bool:
    """True while a clock belongs on `due`, `overdue` and a case's status: the one rule.

    A clock still owed (`is_open`) is outstanding. So is one that went past its
    due date unmet and then closed (the program ended, the child exited or
    moved, consent was withdrawn): the lateness happened, and it stays listed,
    with its status, until it is met or excused by a documented reason
    (late_excused). It never drops out because the program ended. A clock
    closed before its due date is not applicable; a met one is done.
    """
    if closed_on is not None:
        return status not in DONE_STATUSES and status != "late_excused"
    return is_open(status, met_on)


def referral_is_outstanding(status: str) -> bool:
    """The same rule for a referral: listed while still to make, and once it is `not_made`
    (owed, never made, and the program ended): late, so never dropped from the lists."""
    return status == "not_made" or status not in REFERRAL_DONE_STATUSES


def _plain(value: Any) -> Any:
    """Freeze dicts handed to findings so a Determination cannot change after the fact."""
    return dict(value)


@attrs.frozen(kw_only=True, slots=False)
class Finding:
    """One rule's decision with the reason, inputs, parameter values and citation.

    `reason` may be given as text or as `Prose` (a template and its values, see
    core/explain.py): the sentence is then rendered the first time it is read
    (printed, serialised, sorted on a tie, compared), and `prose` keeps the data.
    """

    rule: str
    outcome: str
    reason: str
    citation: str
    program: str | None = None
    #: Inputs the rule read from the case (plain JSON values).
    inputs: dict[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)
    #: Parameter values the rule used, keyed by parameter name.
    parameters: dict[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)

    @property
    def prose(self) -> Prose | None:
        """The reason as data (template and values), when the rule gave it so."""
        given = self.__dict__["reason"]
        return given if isinstance(given, Prose) else None


def _finding_reason(self: Finding) -> str:
    text = self.__dict__.get("_text")
    if text is None:
        given = self.__dict__["reason"]
        text = given if type(given) is str else str(given)
        self.__dict__["_text"] = text  # the same sentence, rendered once
    return text


def _set_finding_reason(self: Finding, value: str | Prose) -> None:
    # attrs' __init__ writes the given value into the instance dict; the frozen
    # class's own __setattr__ refuses any later assignment, so this runs only for
    # object.__setattr__ (as copy and pickle helpers may do).
    self.__dict__["reason"] = value
    self.__dict__.pop("_text", None)


#: Set after the class is built, so attrs still sees `reason` as a plain str field
#: (converter, JSON schema, equality and hashing all read the rendered text).
Finding.reason = property(_finding_reason, _set_finding_reason)  # type: ignore[assignment,method-assign]


@attrs.frozen(kw_only=True)
class Eligibility:
    """A program's eligibility outcome with what it rests on."""

    program: str
    outcome: str = attrs.field(validator=in_(ELIGIBILITY_OUTCOMES))
    basis: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    citation: str = ""
    #: What is missing when the outcome is needs_information.
    missing: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    reason: str = ""


@attrs.frozen(kw_only=True)
class Criterion:
    """One eligibility criterion a plugin decided for a program another plugin decides.

    The program combines every criterion into its one decision, by its own rule
    (docs/plugins.md, `eligibility_criteria`), typically a `met` criterion as a basis
    of eligibility and `needs_information` keeping a not-eligible outcome open; every
    criterion is also reported as a finding.
    """

    program: str
    #: The basis this criterion establishes, named as the rule names it (e.g. newborn_condition).
    basis: str
    outcome: str = attrs.field(validator=in_(CRITERION_OUTCOMES))
    reason: str
    citation: str
    #: What is missing when the outcome is needs_information.
    missing: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    #: Inputs the criterion read from the case (plain JSON values).
    inputs: dict[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)
    #: Parameter values it used, keyed by parameter name.
    parameters: dict[str, Any] = attrs.field(factory=dict, converter=_plain, hash=False)
    #: What in the program it is about, for a program that decides per subject (a skill area).
    subject: str | None = None


#: Clock's field checks. The engine builds more clocks than any other object, and five
#: attrs validators cost more than the rest of a clock's construction, so `Clock`
#: checks every field in one pass and runs these only to raise their usual error.
_CLOCK_VALIDATORS: dict[str, Callable[[Any, attrs.Attribute, Any], Any]] = {
    "start": optional(instance_of(date)),
    "due": optional(instance_of(date)),
    "status": in_(CLOCK_STATUSES),
    "opens": optional(instance_of(date)),
    "met_on": optional(instance_of(date)),
    "closed_on": optional(instance_of(date)),
}


@attrs.frozen(kw_only=True)
class Clock:
    """A legal timeline: when it started, when it is due, whether it was met."""

    id: str
    program: str
    start: date | None
    due: date | None
    status: str
    citation: str
    #: First day of a window (e.g. 9 months before the third birthday), if the clock has one.
    opens: date | None = None
    met_on: date | None = None
    #: Why the clock is not applicable, late-excused or otherwise notable.
    reason: str | None = None
    #: The documented delay reason that excuses lateness, when status is late_excused.
    excused_by: str | None = None
    label: str = ""
    #: The service, meeting or other thing a per-item clock is about.
    subject: str | None = None
    #: The day a closing event (exited, moved out, consent withdrawn) ended a clock
    #: that was already late: the late status stands, but nothing is owed any more.
    closed_on: date | None = None
    #: What the engine needs to compute the due date, when status is needs_information
    #: (e.g. "a school calendar covering 2026-06-12").
    missing: tuple[str, ...] = attrs.field(default=(), converter=as_tuple)
    #: The `Episode.id` the clock belongs to (e.g. "part_c.2"), for a program that has episodes.
    episode: str | None = None

    def __attrs_post_init__(self) -> None:
        if (
            self.status in CLOCK_STATUSES
            and (self.start is None or isinstance(self.start, date))
            and (self.due is None or isinstance(self.due, date))
            and (self.opens is None or isinstance(self.opens, date))
            and (self.met_on is None or isinstance(self.met_on, date))
            and (self.closed_on is None or isinstance(self.closed_on, date))
        ) or attrs.validators.get_disabled():
            return
        for field in attrs.fields(Clock):  # in field order, as attrs would
            check = _CLOCK_VALIDATORS.get(field.name)
            if check is not None:
                check(self, field, getattr(self, field.name))

    @property
    def is_open(self) -> bool:
        """True while the thing the clock asks for is still owed."""
        return is_open(self.status, self.met_on, self.closed_on)

    @property
    def is_outstanding(self) -> bool:
        """True while the clock is listed: owed, or late and closed unmet (`is_outstanding`)."""
        return is_outstanding(self.status, self.met_on, self.closed_on)

    def replace(self, **changes: Any) -> Clock:
        """A copy with some fields changed, checked as a new clock is (`attrs.evolve`, faster).

        The copy is made field by field and then checked in the one pass `Clock`'s own
        constructor ends with (every field, not only the changed ones).
        """
        if not _CLOCK_NAMES.issuperset(changes):
            unknown = sorted(set(changes) - _CLOCK_NAMES)
            raise TypeError(f"Clock has no field {unknown[0]!r}")
        get = changes.get
        clock = made_clock(
            id=get("id", self.id),
            program=get("program", self.program),
            start=get("start", self.start),
            due=get("due", self.due),
            status=get("status", self.status),
            citation=get("citation", self.citation),
            opens=get("opens", self.opens),
            met_on=get("met_on", self.met_on),
            reason=get("reason", self.reason),
            excused_by=get("excused_by", self.excused_by),
            label=get("label", self.label),
            subject=get("subject", self.subject),
            closed_on=get("closed_on", self.closed_on),
            missing=as_tuple(changes["missing"]) if "missing" in changes else self.missing,
            episode=get("episode", self.episode),
        )
        clock.__attrs_post_init__()
        return clock

    def days_left(self, as_of: date) -> int | None:
        """Days from as_of to the due date (negative when overdue), counted as `days_left`
        counts them (`days_left`): a closed clock stops at the day it closed."""
        return days_left(self.due, as_of, self.closed_on)


_CLOCK_FIELDS = tuple(field.name for field in attrs.fields(Clock))
_CLOCK_NAMES = frozenset(_CLOCK_FIELDS)
_new = object.__new__
#: Clock's settable twin (core/fastload.py `settable_twin`): `made_clock` sets each field
#: by a plain slot store, then makes the object a Clock (no method-wrapper call a field).
_ClockBuilding = settable_twin(Clock)
if _ClockBuilding is None:
    raise TypeError("Clock can no longer be built field by field (see made_clock)")


def made_clock(
    id: str,
    program: str,
    start: date | None,
    due: date | None,
    status: str,
    citation: str,
    opens: date | None = None,
    met_on: date | None = None,
    reason: str | None = None,
    excused_by: str | None = None,
    label: str = "",
    subject: str | None = None,
    closed_on: date | None = None,
    missing: tuple[str, ...] = (),
    episode: str | None = None,
) -> Clock:
    """A `Clock` the engine's own clock machinery computed, built without checking it again.

    core/clocks.py makes every status with `status_of` and every date by date
    arithmetic, so `Clock`'s field checks could only pass; this is the same object
    (equal, hashed and serialised alike) for about half the cost. Anything else,
    plugins included, builds clocks with `Clock(...)`, which checks every field.
    `missing` must already be a tuple. The fields may be given by position, in
    `Clock`'s field order (the engine's commonest clocks are, by `simple_clock`).
    """
    clock = _new(_ClockBuilding)
    clock.id = id
    clock.program = program
    clock.start = start
    clock.due = due
    clock.status = status
    clock.citation = citation
    clock.opens = opens
    clock.met_on = met_on
    clock.reason = reason
    clock.excused_by = excused_by
    clock.label = label
    clock.subject = subject
    clock.closed_on = closed_on
    clock.missing = missing
    clock.episode = episode
    clock.__class__ = Clock
    return clock


@attrs.frozen(kw_only=True)
class Episode:
    """One stretch of a child's involvement with a program, from what began it to what ended it.

    A program's plugin says what starts and ends one (e.g. a referral starts one and
    an exit ends it); every timeline belongs to the episode its start event is in. The
    latest episode of a program is `current`; the clocks of earlier ones are history.
    """

    #: "<program>.<number>", e.g. "part_c.2": unique within a determination.
    id: str
    program: str
    #: 1 for the program's first episode, counting up in date order.
    number: int
    #: The day the episode began, and the event type (or "enrolment") that began it;
    #: None when the file has no such event (the program's events alone make the episode).
    start: date | None = attrs.field(default=None, validator=optional(instance_of(date)))
    started_by: str | None = None
    #: The day it ended and what ended it (an event type), or None while it runs.
    end: date | None = attrs.field(default=None, validator=optional(instance_of(date)))
    ended_by: str | None = None
    current: bool = True


@attrs.frozen(kw_only=True)
class Referral:
    """A referral someone must make: who refers whom where, by when, and why."""

    id: str
    program: str
    referrer: str
    to: str
    reason: str
    citation: str
    by: date | None = attrs.field(default=None, validator=optional(instance_of(date)))
    status: str = attrs.field(default="to_make", validator=in_(REFERRAL_STATUSES))
    #: The day a referral that was not made stopped being owed (`not_made`, `not_required`):
    #: the day the program ended, or the event that ended it (the toddler left, the parent
    #: objected). A `not_made` referral's lateness stops that day (`days_left`), as a
    #: clock's does at its `Clock.closed_on`. None while to make, once made, or undated.
    closed_on: date | None = attrs.field(default=None, validator=optional(instance_of(date)))

    @property
    def is_outstanding(self) -> bool:
        """True while the referral is listed: still to make, or `not_made` (late)."""
        return referral_is_outstanding(self.status)

    def days_left(self, as_of: date) -> int | None:
        """Days from as_of to `by` (negative when overdue), counted as `days_left` counts
        them: a referral closed unmade stops at the day it closed (closed_on - by)."""
        return days_left(self.by, as_of, self.closed_on)


@attrs.frozen(kw_only=True)
class Determination:
    """Everything the engine decided for one case as of one date."""

    case: str
    ruleset: str
    ruleset_version: str
    as_of: date
    engine: str
    eligibility: tuple[Eligibility, ...] = attrs.field(default=(), converter=as_tuple)
    clocks: tuple[Clock, ...] = attrs.field(default=(), converter=as_tuple)
    referrals: tuple[Referral, ...] = attrs.field(default=(), converter=as_tuple)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=as_tuple)
    #: Every program episode, by program and number (`Episode.current` marks the latest).
    episodes: tuple[Episode, ...] = attrs.field(default=(), converter=as_tuple)
    #: The clocks of earlier episodes, each with its `episode`: what compliance
    #: indicators count. `clocks` holds the current episodes' clocks only.
    history: tuple[Clock, ...] = attrs.field(default=(), converter=as_tuple)

    def clock(self, clock_id: str) -> Clock | None:
        """The first clock with this id, or None."""
        return next((c for c in self.clocks if c.id == clock_id), None)

    def eligibility_for(self, program: str) -> Eligibility | None:
        """The eligibility outcome for a program, or None."""
        return next((e for e in self.eligibility if e.program == program), None)
