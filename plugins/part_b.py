"""IDEA Part B (34 CFR Part 300): the event vocabulary; rules follow in this module."""

from __future__ import annotations

from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl

PROGRAM = "part_b"

EVENT_TYPES = {
    "referral_from_part_c": "The child was referred from Part C to the LEA (300.124(b)).",
    "consent_for_evaluation": "The agency received parental consent for the initial evaluation (300.301(c)(1)).",
    "evaluation_completed": "The initial evaluation was completed (300.301(c)).",
    "eligibility_determined": "The team determined eligibility; `category` names the 300.8 category.",
    "iep_meeting_held": "A meeting to develop the IEP was held (300.323(c)(1)).",
    "iep_services_started": "Special education and related services under the IEP began (300.323(c)(2)).",
    "iep_review_held": "The IEP was reviewed (300.324(b)(1)).",
    "reevaluation_completed": "A reevaluation was completed (300.303).",
    "reevaluation_waived": "Parent and agency agreed a reevaluation is unnecessary (300.303(b)(2)).",
    "transition_services_in_iep": "The IEP includes postsecondary goals and transition services (300.320(b)).",
    "age_of_majority_notice_given": "The student was informed of rights that transfer at majority (300.320(c)).",
}


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]
