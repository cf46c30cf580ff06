"""The shared vocabulary of the Part C and Part B rules, and which program an event is in.

Every event type either program uses is named here with its meaning, with the
delay reasons and the events that end a program's involvement. This module
imports from no program: both program packages (`part_c`, `part_b`) import
their vocabulary from it, and it decides which program an untagged shared event
belongs to (docs/clocks.md, "Which program a case belongs to").
"""

from __future__ import annotations

import threading
from datetime import date
from functools import cache

import attrs

from eirules.core.dates import years_later
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset
from eirules.core.stability import same_day

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
            takes_until=True,
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


# The programs' own event types --------------------------------------------------------

#: Part C (34 CFR Part 303) event types and what each records.
PART_C_EVENT_TYPES = {
    "child_identified": "A primary referral source identified the child (starts the 7-day referral clock, 303.303(a)(2)(i)).",
    "referral_received": "The lead agency or an EIS provider received the referral (starts the 45-day clock, 303.310(a)).",
    "consent_for_evaluation": "The parent consented to evaluation and assessment (303.420(a)(2)).",
    "evaluation_completed": "The initial or a continuing-eligibility evaluation was completed (303.321).",
    "eligibility_determined": "The team determined eligibility; outcome is eligible or not_eligible (303.322).",
    "ifsp_meeting_held": "The initial IFSP meeting was held (stops the 45-day clock, 303.310(a)).",
    "consent_for_services": "The parent consented to IFSP services; `service` names one (303.342(e)).",
    "service_started": "An IFSP service was first delivered; `service` names it (303.344(f)(1)).",
    "ifsp_review_held": "A periodic IFSP review was held (303.342(b)).",
    "ifsp_annual_meeting_held": "The annual IFSP meeting was held (303.342(c)).",
    "transition_notification_sent": "The SEA and LEA were notified that the toddler will reach age 3, or a late-referred toddler was referred to them (303.209(b)).",
    "transition_conference_held": "The transition conference was held (303.209(c)).",
    "transition_plan_completed": "The transition plan was established in the IFSP (303.209(d)).",
    "exited": "The child left Part C.",
    "abuse_or_neglect_substantiated": "A case of abuse or neglect of the child was substantiated (referral required, 303.303(b)(1)).",
    "substance_exposure_identified": "The child was identified as directly affected by illegal substance abuse or withdrawal symptoms from prenatal drug exposure (referral required, 303.303(b)(2)).",
    "part_b_potential_eligibility": "Whether the toddler is potentially eligible for Part B; outcome potentially_eligible or not_potentially_eligible (303.209(b)(1), (c)(2)).",
    "transition_conference_not_approved": "The family did not approve a transition conference; it is held only with the family's approval (303.209(c)(1)).",
    "notification_objection": "The parent objected to the SEA/LEA transition notification under the state's opt-out policy (303.401(e)).",
    "extension_elected": "The parent chose to continue Part C services past age 3 under the state's 303.211 option.",
}


#: Part C events that end the program's involvement: open Part C clocks close.
PART_C_CLOSING = ("consent_withdrawn", "moved_out", "exited")

#: Events that begin a Part C episode (with an enrolment's start): 303.310(a) counts
#: the 45 days from each referral. Ends: the closing events and a not-eligible finding.
PART_C_EPISODE_STARTS = ("referral_received", "consent_for_evaluation")

#: Part B (34 CFR Part 300) event types and what each records.
PART_B_EVENT_TYPES = {
    "referral_from_part_c": "The child was referred from Part C to the LEA (300.124(b)).",
    "consent_for_evaluation": "The agency received parental consent for the initial evaluation (300.301(c)(1)).",
    "evaluation_completed": "The initial evaluation was completed (300.301(c)).",
    "eligibility_determined": "The team determined eligibility; `category` names the 300.8 category and `outcome` is eligible or not_eligible.",
    "iep_meeting_held": "A meeting to develop the IEP was held (300.323(c)(1)).",
    "iep_services_started": "Special education and related services under the IEP began (300.323(c)(2)); for a child from Part C, the IEP is then implemented (300.124(b)).",
    "iep_review_held": "The IEP was reviewed (300.324(b)(1)).",
    "reevaluation_completed": "A reevaluation was completed (300.303).",
    "reevaluation_waived": "Parent and agency agreed a reevaluation is unnecessary (300.303(b)(2)).",
    "transition_services_in_iep": "The IEP includes postsecondary goals and transition services (300.320(b)).",
    "age_of_majority_notice_given": "The student was informed of rights that transfer at majority (300.320(c)).",
    "absent_from_school": "The student was absent from school from `date` to `until` (one day without `until`); states that extend an evaluation timeline by school days absent count them (e.g. Tex. Educ. Code 29.004(a)(1)).",
}

#: Part B event types that cover a period ending on `until` (`EventType.takes_until`).
PART_B_PERIOD_TYPES = frozenset({"absent_from_school"})

#: Part B events that end the program's involvement: open Part B clocks close.
PART_B_CLOSING = ("consent_withdrawn", "moved_out")

#: Events that begin a Part B episode (with an enrolment's start): 300.301(c)(1) counts
#: the 60 days from each consent for an initial evaluation. Ends: the closing events
#: and a not-eligible finding.
PART_B_EPISODE_STARTS = ("referral_from_part_c", "consent_for_evaluation")


#: The last third birthday worked out: (birth date, ruleset, date, answer). Part C and
#: Part B both ask for it in every evaluation. One tuple, replaced whole (threads).
_b3_last: tuple = (None, None, None, None)


def third_birthday(case: Case, ruleset: Ruleset, on: date) -> date:
    """The date Part C eligibility ends under 303.21(a)."""
    global _b3_last
    born = case.child.birth_date
    last = _b3_last
    # The same answer for the same birth date, ruleset and day (never across two
    # evaluations' tracked as-of dates: the first asked of the ruleset for this one).
    if last[0] == born and last[1] is ruleset and same_day(last[2], on):
        return last[3]
    found = part_c_ends(born, ruleset, on)
    _b3_last = (born, ruleset, on, found)
    return found


def part_c_ends(born: date, ruleset: Ruleset, on: date) -> date:
    """The day Part C eligibility ends for a child born on `born` (303.21(a)): the
    birthday of the ruleset's age limit, a 29 February one by its leap-day rule."""
    years = ruleset.value("part_c.age_limit_years", on)
    return years_later(born, years, ruleset.value("dates.leap_day_birthday", on))


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
    return (
        frozenset(PART_C_EVENT_TYPES.keys() - SHARED_TYPES),
        frozenset(PART_B_EVENT_TYPES.keys() - SHARED_TYPES),
    )


def part_b_only_types() -> frozenset[str]:
    """Event types only Part B uses: an untagged one is Part B's (`programs_of`)."""
    return _own_types()[1]


def only_in_part_c(case: Case) -> bool:
    """Whether a case shows Part C and nothing of Part B: an enrolment or an event tagged
    part_c, or an untagged event only Part C uses, and no enrolment, tag or untagged
    event of Part B's (an IEP meeting has no place in it: 300.320-300.324 are Part B's).
    A case showing neither is not judged (False)."""
    tagged = set(case.programs)
    if "part_b" in tagged:
        return False
    c_only, b_only = _own_types()
    untagged = {e.type for e in case.events if e.program is None}
    if untagged & b_only:
        return False
    return "part_c" in tagged or bool(untagged & c_only)


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
    b_starts = []  # a loop: a comprehension is a function made and called per case
    for enrolment in case.enrolments:
        if enrolment.program == "part_b" and enrolment.start:
            b_starts.append(enrolment.start)
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
    result = Programs(part_c_, part_b_, split)  # by position: part_c, part_b, part_b_from
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
