"""C7, the 45-day timeline: evaluation, assessment and initial IFSP meeting within 45 days.

Part C measurement table, indicator 7: percent = (# of eligible infants and
toddlers with IFSPs for whom an initial evaluation and initial assessment and
an initial IFSP meeting were conducted within Part C's 45-day timeline) divided
by (# of eligible infants and toddlers evaluated and assessed for whom an
initial IFSP meeting was required to be conducted) times 100 (34 CFR 303.310).

Read from the determination's `initial_ifsp_meeting` clocks:

- Denominator: every such clock due in the period whose outcome is known (met,
  met late, late for a documented reason, or overdue). A clock that does not
  apply (referred fewer than 45 days before the third birthday, closed before
  its due date) or that a not-eligible determination stopped (303.322) is not
  in the count: no initial IFSP meeting was required.
- Numerator: met on or before the due date.
- Documented exceptional family circumstances (303.310(b)(1)): the state
  chooses (ruleset `indicators.c7_family_circumstances`): "include" counts
  them in numerator and denominator, "exclude" leaves them out of both. A
  delay while the parent's consent was sought with documented repeated
  attempts (303.310(b)(2)) is treated the same way (the timeline "does not
  apply" for either).
"""

from __future__ import annotations

from collections.abc import Iterator

from .common import EFC, Facts, Item, Period, decided_in, item_from_clock, unmeasurable
from .settings import Settings

CODE = "C7"
TITLE = "45-day timeline"
CITATION = "Part C SPP/APR Measurement Table, Indicator 7; 34 CFR 303.310"
EXCUSES = (EFC, "parent_consent_not_given")


def items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    for clock in facts.clocks_named("initial_ifsp_meeting"):
        if clock.program != "part_c":
            continue
        if (found := unmeasurable(CODE, facts, clock, period)) is not None:
            yield found
            continue
        if not decided_in(clock, period):
            continue
        if _found_not_eligible(facts, clock):
            continue  # no initial IFSP meeting was required (303.322): not in C7
        assert clock.due is not None  # decided_in needs one
        if clock.status == "late_excused" and clock.excused_by in EXCUSES:
            if settings.c7_family_circumstances == "exclude":
                yield item_from_clock(
                    CODE, facts, clock, counted=False, timely=False,
                    category=f"excluded: {clock.excused_by}", on=clock.due,
                )  # fmt: skip
            else:
                yield item_from_clock(
                    CODE, facts, clock, counted=True, timely=True,
                    category=f"timely: {clock.excused_by}", on=clock.due,
                )  # fmt: skip
            continue
        timely = clock.status == "met"
        yield item_from_clock(
            CODE, facts, clock, counted=True, timely=timely,
            category="timely" if timely else "late", on=clock.due,
        )  # fmt: skip


def _found_not_eligible(facts: Facts, clock) -> bool:
    """Whether the clock was stopped by a not-eligible determination (303.310(a), 303.322).

    The 45-day clock of a child found not eligible ends on the determination (its
    lateness stays visible in the determination), but no IFSP meeting was required,
    so C7's denominator leaves it out.
    """
    if clock.met_on is None:
        return False
    return any(
        e.date == clock.met_on and e.outcome == "not_eligible"
        for e in facts.events_of("eligibility_determined", program="part_c")
    ) and not any(
        e.date == clock.met_on for e in facts.events_of("ifsp_meeting_held", program="part_c")
    )
