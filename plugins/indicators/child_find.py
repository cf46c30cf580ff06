"""B11, child find: initial evaluations within 60 days of consent, or the state's timeframe.

Part B measurement table, indicator 11 (34 CFR 300.301(c)(1)): percent =
(b) / (a) x 100, where a = # of children for whom parental consent to evaluate
was received and b = # of children whose evaluations were completed within 60
days (or the state-established timeline). Account for children in (a) not in
(b) with the days beyond the timeline and the reasons.

Read from the determination's Part B `initial_evaluation` clocks, each due in
the period with a known outcome. Where a 34 CFR 300.301(d) exception applies
(the parent repeatedly failed or refused to produce the child; the child
enrolled in another agency's school) the timeline does not apply, and the unit
is left out of both (a) and (b). An SLD timeline extended by mutual written
agreement (300.309(c)) is the timeline, so an evaluation done within it is
counted in (b).
"""

from __future__ import annotations

from collections.abc import Iterator

from .common import Facts, Item, Period, decided_in, item_from_clock, unmeasurable
from .settings import Settings

CODE = "B11"
TITLE = "Initial evaluation within 60 days of consent (child find)"
CITATION = "Part B SPP/APR Measurement Table, Indicator 11; 34 CFR 300.301(c), (d)"
EXCEPTIONS = ("parent_failed_to_produce_child", "transfer_in")
EXTENDED = ("sld_extension_agreed",)


def items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    for clock in facts.clocks_named("initial_evaluation"):
        if clock.program != "part_b":
            continue
        if (found := unmeasurable(CODE, facts, clock, period)) is not None:
            yield found
            continue
        if not decided_in(clock, period):
            continue
        assert clock.due is not None
        if clock.status == "late_excused" and clock.excused_by in EXCEPTIONS:
            yield item_from_clock(
                CODE, facts, clock, counted=False, timely=False,
                category=f"excluded: 300.301(d) {clock.excused_by}", on=clock.due,
            )  # fmt: skip
        elif clock.status == "late_excused" and clock.excused_by in EXTENDED:
            yield item_from_clock(
                CODE, facts, clock, counted=True, timely=True,
                category="timely: 300.309(c) extension agreed", on=clock.due,
            )  # fmt: skip
        else:
            timely = clock.status == "met"
            yield item_from_clock(
                CODE, facts, clock, counted=True, timely=timely,
                category="timely" if timely else "late", on=clock.due,
            )  # fmt: skip
