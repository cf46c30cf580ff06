"""C1, timely services: infants and toddlers whose new IFSP services all started on time.

Part C measurement table, indicator 1: percent = (# of infants and toddlers
with IFSPs who receive the early intervention services on their IFSPs in a
timely manner) divided by (total # of infants and toddlers with IFSPs) times
100. The state defines "timely" (34 CFR 303.342(e), 303.344(f)(1)), running
either from the parent's consent to the service or from the IFSP initiation
date the team set; new services from initial and subsequent IFSPs count.

Read from the determination's `service_start` clocks (one per service, each
timed as the ruleset says):

- A child is counted in the period when one of the child's service clocks is
  due in it and its outcome is known; the child is timely only when every such
  service started on time. The drill-down names the late services.
- Delays from documented exceptional family circumstances are counted as
  timely (in numerator and denominator) and reported separately, as the
  instructions ask.
- A service clock the ruleset cannot time (no state criterion for
  `part_c.service_start`) makes the child "not measurable"; the report says so
  rather than guess a number of days.
"""

from __future__ import annotations

from collections.abc import Iterator

from .common import EFC, NO_CRITERION, UNMEASURABLE, Facts, Item, Period, decided_in, delay_reason
from .settings import Settings

CODE = "C1"
TITLE = "Timely services"
CITATION = "Part C SPP/APR Measurement Table, Indicator 1; 34 CFR 303.342(e), 303.344(f)(1)"


def items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    clocks = [c for c in facts.clocks_named("service_start") if c.program == "part_c"]
    decided = [c for c in clocks if decided_in(c, period)]
    untimed = [
        c for c in clocks if c.due is None and c.status == "not_applicable"
        and period.holds(c.start) and "sets no value" in (c.reason or "")
    ]  # fmt: skip
    untimed += [c for c in clocks if c.status == "needs_information" and period.holds(c.start)]
    if not decided:
        if untimed:
            first = untimed[0]
            assert first.start is not None
            yield Item(
                indicator=CODE, case_id=facts.case_id, child=facts.child, counted=False,
                timely=False,
                category=UNMEASURABLE if first.status == "needs_information"
                else NO_CRITERION,
                on=first.start, clock=first.id, subject=", ".join(c.subject or "" for c in untimed),
                start=first.start, status=first.status, reason=first.reason,
                citation=first.citation, units=facts.units, missing=tuple(first.missing),
            )  # fmt: skip
        return
    late = [
        c
        for c in decided
        if not (c.status == "met" or (c.status == "late_excused" and c.excused_by == EFC))
    ]
    family = [c for c in decided if c.status == "late_excused" and c.excused_by == EFC]
    on = min(c.due for c in decided if c.due is not None)
    worst = (
        max(late, key=lambda c: c.days_late(facts.as_of) or 0) if late else (family or decided)[0]
    )
    if late:
        category = "late"
        reason = "; ".join(dict.fromkeys(delay_reason(c, facts.as_of) or "late" for c in late))
    elif family:
        category, reason = f"timely: {EFC}", EFC
    else:
        category, reason = "timely", None
    yield Item(
        indicator=CODE, case_id=facts.case_id, child=facts.child, counted=True,
        timely=not late, category=category, on=on, clock=worst.id, label=worst.label,
        subject=", ".join(c.subject or "service" for c in (late or decided)),
        start=worst.start, due=worst.due, done=worst.met_on, status=worst.status,
        days_late=worst.days_late(facts.as_of) if late else None, reason=reason,
        citation=worst.citation, units=facts.units,
    )  # fmt: skip
