"""The shared event vocabulary: delays with their reasons, withdrawn consent, moves."""

from __future__ import annotations

from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl

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
