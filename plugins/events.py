"""The shared event vocabulary: delays with their reasons, withdrawn consent, moves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from functools import cache

import attrs

from eirules.core.decisions import Clock
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case, Event

#: Reasons a `delay` event may give. Which ones excuse a late clock is set per
#: clock in the ruleset (`excused_by`), never here.
DELAY_REASONS = (
    # 34 CFR 303.310(b)(1): child or parent unavailable, documented in the record.
    "exceptional_family_circumstances",
    # 34 CFR 303.310(b)(2): consent not given despite documented, repeated attempts.
    "parent_consent_not_given",
    # 34 CFR 300.301(d)(1): parent repeatedly fails or refuses to produce the child.
    "parent_failed_to_produce_child",
    # 34 CFR 300.301(d)(2), (e): child enrolled in another agency's school mid-evaluation.
    "transfer_in",
    # 34 CFR 300.309(c): SLD timeline extended by mutual written agreement.
    "sld_extension_agreed",
    # Referral arrived too late for the timeline to be met (303.209(b)(1)(ii)-(iii)).
    "late_referral",
    # The agency's own reason (staffing, scheduling): never excuses a late clock.
    "agency_reason",
)


@hookimpl
def register_event_types():
    return [
        EventType(
            "delay",
            ("part_c", "part_b"),
            "A documented delay and its reason; `until` may give the last day of the delay.",
            reasons=DELAY_REASONS,
            needs_reason=True,
        ),
        EventType(
            "consent_withdrawn",
            ("part_c", "part_b"),
            "The parent withdrew or revoked consent (303.420(d), 300.300(b)(4)); open clocks close.",
        ),
        EventType(
            "moved_out",
            ("part_c", "part_b"),
            "The child moved out of the agency's area; open clocks close.",
        ),
    ]


# Which program a case and its events belong to ----------------------------------------
#
# The Part C and Part B vocabularies share some names. `Event.program` settles it;
# when a file does not say, these rules do (docs/clocks.md, "Which program"):
#
# * a case is in a program named by an enrolment or by an event's `program`;
# * it is in Part C when it has an event only Part C uses (referral_received,
#   ifsp_meeting_held, ...) or (nothing tagged) a shared event or evaluation
#   dated before the day Part B began (below; else the third birthday);
# * it is in Part B when it has an event only Part B uses (referral_from_part_c,
#   iep_meeting_held, ...) or (nothing tagged) a shared event or evaluation
#   dated on or after that day;
# * a case with no other signal whose child has recorded risk factors (303.5) is Part C;
# * in a case in both programs, an untagged shared event or evaluation belongs to
#   Part C when dated before the day Part B began (the earliest Part B enrolment,
#   Part B-tagged event or Part B-only event, else the third birthday) and to
#   Part B from that day on.

SHARED_TYPES = frozenset(
    (
        "consent_for_evaluation",
        "evaluation_completed",
        "eligibility_determined",
        "delay",
        "consent_withdrawn",
        "moved_out",
    )
)


@attrs.frozen
class Programs:
    """The programs a case is in and the day untagged shared events switch to Part B."""

    part_c: bool
    part_b: bool
    part_b_from: date


_last = threading.local()


@cache
def _own_types() -> tuple[frozenset[str], frozenset[str]]:
    """Event types only Part C uses, and only Part B (the vocabularies are constants)."""
    from . import part_b, part_c

    return (
        frozenset(part_c.EVENT_TYPES.keys() - SHARED_TYPES),
        frozenset(part_b.EVENT_TYPES.keys() - SHARED_TYPES),
    )


def programs_of(case: Case, third_birthday: date) -> Programs:
    """Recognise the programs of a case (cached for the case last asked about)."""
    entry = getattr(_last, "entry", None)
    if entry is not None and entry[0] is case and entry[1] == third_birthday:
        return entry[2]
    # Only Part C and Part B tags decide the split: an MTSS-tagged event says
    # nothing about which of the two an untagged consent belongs to.
    explicit = set(case.programs) & {"part_c", "part_b"}
    c_only, b_only = _own_types()
    part_c_ = "part_c" in explicit
    part_b_ = "part_b" in explicit
    b_starts = [e.start for e in case.enrolments if e.program == "part_b" and e.start]
    for event in case.events:
        if event.program is None:
            if event.type in c_only:
                part_c_ = True
            elif event.type in b_only:
                part_b_ = True
                b_starts.append(event.date)
        elif event.program == "part_b":
            b_starts.append(event.date)
    # An untagged shared event or evaluation belongs to Part C when dated before
    # the day Part B began (rule 4), so a consent to a Part B evaluation given
    # after a referral from Part C but before the third birthday is Part B's.
    split = min((*b_starts, third_birthday))
    if not explicit:
        for event in case.events:
            if (
                event.program is None
                and event.type in SHARED_TYPES
                and event.type not in ("delay", "moved_out")
            ):
                if event.date < split:
                    part_c_ = True
                else:
                    part_b_ = True
        for evaluation in case.evaluations:
            if evaluation.program is None:
                if evaluation.date < split:
                    part_c_ = True
                else:
                    part_b_ = True
    if not (part_c_ or part_b_ or explicit) and case.child.risk_factors:
        part_c_ = True  # risk factors (303.5) are recorded for Part C referral and eligibility
    result = Programs(
        part_c=part_c_,
        part_b=part_b_,
        part_b_from=split,
    )
    _last.entry = (case, third_birthday, result)
    return result


def program_view(case: Case, program: str, programs: Programs) -> Case:
    """The case with untagged shared events and evaluations given to one program or the other.

    A case in one program only is returned unchanged (its untagged events are its own).
    """
    if not (programs.part_c and programs.part_b):
        return case
    split = programs.part_b_from

    def owner(day: date) -> str:
        return "part_c" if day < split else "part_b"

    events = [
        attrs.evolve(e, program=owner(e.date))
        if e.program is None and e.type in SHARED_TYPES
        else e
        for e in case.events
    ]
    evaluations = [
        attrs.evolve(v, program=owner(v.date)) if v.program is None else v for v in case.evaluations
    ]
    return attrs.evolve(case, events=events, evaluations=evaluations)


# Recurring reviews and meetings ----------------------------------------------------------


def recurring_clock(
    count_from: Callable[[date], Clock],
    last: Event,
    previous: Event | None,
    ends: date,
    ended: str,
    done: str,
) -> Clock:
    """A review or meeting that recurs (303.342(b), (c); 300.324(b)(1); 300.303(b)).

    `count_from(day)` is the program's clock counted from the one held on `day`. The
    clock counted from `last` is not applicable when it falls due on or after `ends`,
    the day the program ends (`ended` says so in the reason). When the one before,
    counted from `previous`, was met late, the reason says so (`done` is the verb).
    """
    clock = count_from(last.date)
    if clock.due is not None and clock.status != "met" and clock.due >= ends:
        return attrs.evolve(
            clock,
            status="not_applicable",
            reason=f"falls due on {clock.due}, {ended}",
        )
    if (
        previous is not None
        and clock.status != "not_applicable"
        and clock.due is not None
        and clock.start is not None
        # Cheap filter: a cycle shorter than this one by more than a few calendar days
        # (months differ in length) was certainly on time; only check the others.
        and (last.date - previous.date).days > (clock.due - clock.start).days - 4
    ):
        before = count_from(previous.date)
        if before.status == "met_late":
            note = f"the previous one was due {before.due} and {done} late on {before.met_on}"
            clock = attrs.evolve(clock, reason=f"{clock.reason}; {note}" if clock.reason else note)
    return clock
