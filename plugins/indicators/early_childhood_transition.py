"""C8A-C and B12, early childhood transition: the steps before, and the IEP by, the third birthday.

Part C measurement table, indicator 8 (34 CFR 303.209): of toddlers with
disabilities exiting Part C, the percent for whom the lead agency

- A. developed an IFSP with transition steps and services at least 90 days,
  and at the discretion of all parties not more than nine months, before the
  third birthday (denominator: toddlers with disabilities exiting Part C);
- B. notified the SEA and LEA, consistent with any opt-out policy, at least 90
  days before the third birthday (denominator: exiting toddlers potentially
  eligible for Part B);
- C. held the transition conference, with the approval of the family, at least
  90 days, and at the discretion of all parties not more than nine months,
  before the third birthday (denominator: exiting toddlers potentially
  eligible for Part B).

Only toddlers with disabilities are in any part: children found eligible for Part C
(34 CFR 303.21) or with an IFSP by the day they exit. A referred toddler never
found eligible (no eligibility determination, no IFSP) is listed as excluded with
`NOT_A_TODDLER_WITH_A_DISABILITY`, never counted late, whatever the transition
clocks say. A toddler is in the period when the toddler exits Part C in it: the day of an
`exited` event, or else the day Part C ends at the third birthday. Each part
reads the determination's `transition_plan`, `transition_notification` and
`transition_conference` clock. A clock that does not apply leaves the toddler
out of that part, with the clock's reason: not potentially eligible for Part
B, a parent who objected under the state's opt-out policy, referred too late
for the clock to run, or exited before it fell due. Delays the ruleset's clock
excuses as documented exceptional family circumstances count as timely.

Part B measurement table, indicator 12 (34 CFR 300.124(b), 300.101(b)):
percent = c / (a - b - d - e - f) x 100, where a = children served in Part C
and referred for Part B eligibility determination, b = those found not
eligible with eligibility determined before the third birthday, c = those
found eligible with an IEP developed and implemented by the third birthday
(services started; when the birthday falls in the school calendar's summer, the
IEP developed by then, 300.101(b)(2)),
d = those for whom parent refusal to provide consent caused the delay or to
whom a 300.301(d) exception applied, e = those determined eligible for Part C
fewer than 90 days before the third birthday, f = those whose parents chose to
continue Part C past age 3 (303.211 or a similar state option). A child is in
the period when the third birthday falls in it. A child whose IEP was developed
by the birthday but whose services started later (or not yet) is not counted
when no school calendar says whether the birthday fell in the summer: it is
listed as not measurable (the `iep_by_third_birthday` clock needs information).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import attrs

from .common import EFC, Clock, Facts, Item, Period, item_from_clock
from .settings import Settings

TITLES = {
    "C8A": "Transition steps and services in the IFSP",
    "C8B": "Notification to the SEA and LEA",
    "C8C": "Transition conference",
    "B12": "IEP by the third birthday (Part C to B)",
}
CITATIONS = {
    "C8A": "Part C SPP/APR Measurement Table, Indicator 8A; 34 CFR 303.209(d)",
    "C8B": "Part C SPP/APR Measurement Table, Indicator 8B; 34 CFR 303.209(b)",
    "C8C": "Part C SPP/APR Measurement Table, Indicator 8C; 34 CFR 303.209(c)",
    "B12": "Part B SPP/APR Measurement Table, Indicator 12; 34 CFR 300.124(b), 300.101(b)",
}
CLOCKS = {
    "C8A": "transition_plan",
    "C8B": "transition_notification",
    "C8C": "transition_conference",
}
_C8_CLOCKS = frozenset(CLOCKS.values())
#: Why a referred toddler never found eligible is outside C8A-C: the measurement's
#: denominator is "toddlers with disabilities exiting Part C" (303.21, 303.209).
NOT_A_TODDLER_WITH_A_DISABILITY = (
    "excluded: not a toddler with a disability (no Part C eligibility or IFSP on file)"
)
#: Why a B12 child is not counted when only a school calendar could say whether the IEP
#: was on time (a summer third birthday, 300.101(b)(2)).
B12_UNKNOWN = "not measurable: needs a school calendar (summer birthday or not)"
#: B12 (d): parent refusal to consent, or a 300.301(d) exception.
B12_D = ("parent_consent_not_given", "parent_failed_to_produce_child", "transfer_in")


def part_c_exit(facts: Facts, settings: Settings) -> date | None:
    """The day the toddler left Part C, as far as the case file shows (None: not yet, or unknown)."""
    exited = [e for e in facts.events_of("exited") if e.date <= facts.as_of]
    if exited:
        return exited[-1].date  # the latest exit: the current episode's transition clocks
    if facts.events_of("extension_elected"):
        return None  # Part C goes on past age 3 (303.211): the exit must be recorded
    end = facts.birthday(settings.part_c_age)
    return end if end <= facts.as_of else None


def _exclusion(code: str, clock: Clock) -> str:
    cite = clock.citation
    if "303.209(b)(2)" in cite:
        return "excluded: the parent opted out of the notification (303.401(e))"
    if "303.209(c)(2)" in cite or (code == "C8B" and cite.strip().endswith("303.209(b)(1)")):
        return "excluded: not potentially eligible for Part B"
    if code == "C8C" and cite.strip().endswith("303.209(c)(1)"):
        return "excluded: the family did not approve the conference"
    if "303.209(b)(1)(ii)" in cite:
        return "excluded: Part C eligibility not determined by 90 days before the third birthday"
    return "excluded: the clock did not apply"


def c8_items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    if not any(c.id in _C8_CLOCKS for c in facts.clocks):
        return
    exit_on = part_c_exit(facts, settings)
    if exit_on is None or not period.holds(exit_on):
        return
    eligible_on = _part_c_eligible_on(facts, settings)
    with_disability = eligible_on is not None and eligible_on <= exit_on
    for code, clock_id in CLOCKS.items():
        # The current episode's clock (history comes first in `facts.clocks`).
        clock = next(
            (c for c in reversed(facts.clocks) if c.id == clock_id and c.program == "part_c"), None
        )
        if clock is None:
            continue
        if not with_disability:  # the one denominator test of C8A, C8B and C8C
            yield item_from_clock(
                code, facts, clock, counted=False, timely=False,
                category=NOT_A_TODDLER_WITH_A_DISABILITY, on=exit_on, reason=clock.reason,
            )  # fmt: skip
            continue
        if clock.due is None or clock.status == "not_applicable":
            yield item_from_clock(
                code, facts, clock, counted=False, timely=False,
                category=_exclusion(code, clock), on=exit_on, reason=clock.reason,
            )  # fmt: skip
            continue
        if clock.status in ("pending", "due_soon"):
            continue  # not decided as of the evaluation (cannot happen once Part C has ended)
        if clock.status == "late_excused" and clock.excused_by == EFC:
            yield item_from_clock(
                code, facts, clock, counted=True, timely=True, category=f"timely: {EFC}", on=exit_on
            )
            continue
        timely = clock.status == "met"
        yield item_from_clock(
            code, facts, clock, counted=True, timely=timely,
            category="timely" if timely else "late", on=exit_on,
        )  # fmt: skip


def _part_c_eligible_on(facts: Facts, settings: Settings) -> date | None:
    """The first day the case shows Part C eligibility: an `eligible` determination or an
    IFSP meeting (an IFSP is written only for an eligible child, 303.342).

    A determination tagged `part_c` counts, and so does an untagged one made before the
    age Part C ends: the engine reads an untagged event before the third birthday as
    Part C's (plugins/program_events.py), so the indicator does too."""
    part_c_ends = facts.birthday(settings.part_c_age)
    days = [
        e.date
        for e in facts.events
        if (e.type == "ifsp_meeting_held" and e.program in (None, "part_c"))
        or (
            e.type == "eligibility_determined"
            and e.outcome == "eligible"
            and (e.program == "part_c" or (e.program is None and e.date < part_c_ends))
        )
    ]
    return min(days) if days else None


def b12_items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    clock = next(
        (
            c
            for c in reversed(facts.clocks)
            if c.id == "iep_by_third_birthday" and c.program == "part_b"
        ),
        None,
    )
    if clock is None:
        return
    b3 = clock.due or facts.birthday(3)
    if not period.holds(b3) or (clock.start is not None and clock.start >= b3):
        return  # not in this period, or not referred before age 3 (not in "a")
    if clock.status in ("pending", "due_soon") or (
        clock.status == "needs_information" and b3 > facts.as_of
    ):
        return  # the third birthday has not come yet

    def item(counted: bool, timely: bool, category: str, reason: str | None = None) -> Item:
        found = item_from_clock(
            "B12", facts, clock, counted=counted, timely=timely, category=category, on=b3,
            reason=reason,
        )  # fmt: skip
        if found.due is None:  # the not-eligible clock has no due date: show the birthday
            found = attrs.evolve(found, due=b3)
        return found

    if clock.status == "met":
        yield item(True, True, "c")
        return
    if clock.status == "needs_information":
        # IEP developed by the birthday, services not started by then: timely only if the
        # birthday falls in the summer (300.101(b)(2)), which no school calendar says.
        yield item(False, False, B12_UNKNOWN, clock.reason)
        return
    not_eligible = [
        e for e in facts.events_of("eligibility_determined", program="part_b")
        if e.outcome == "not_eligible" and e.program == "part_b"
    ]  # fmt: skip
    if not_eligible and not_eligible[0].date < b3:
        yield item(False, False, "b", f"found not eligible on {not_eligible[0].date.isoformat()}")
        return
    elected = facts.events_of("extension_elected")
    if elected and elected[0].date <= b3:
        yield item(False, False, "f", "parent chose to continue Part C past age 3 (303.211)")
        return
    eligible_c = _part_c_eligible_on(facts, settings)
    if eligible_c is not None and (b3 - eligible_c).days < 90:
        yield item(
            False, False, "e",
            f"eligible for Part C on {eligible_c.isoformat()}, {(b3 - eligible_c).days} days before the third birthday",
        )  # fmt: skip
        return
    if clock.status == "late_excused" and clock.excused_by in B12_D:
        yield item(False, False, "d", clock.excused_by)
        return
    if not_eligible:
        late = (not_eligible[0].date - b3).days
        found = item(
            True, False, "late",
            f"eligibility determined after the third birthday ({not_eligible[0].date.isoformat()})",
        )  # fmt: skip
        yield attrs.evolve(found, days_late=late, done=not_eligible[0].date)
        return
    yield item(True, False, "late")
