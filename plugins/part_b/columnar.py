"""Part B clocks over columns (eirules.plugins.columnar): 300.301(c), 300.323(c)(1), 300.324(b)(1).

Covers the initial evaluation clock (from the one consent for evaluation) and the
initial IEP meeting clock (from the one eligibility determination, which found the
child eligible) of a case in Part B only: every event a shared one or Part B's own,
the shared ones dated on or after the third birthday, no referral from Part C, no
documented delay or extension (300.301(d), (e)) unless the clock is not late, no withdrawn consent or move, and
younger than the end of FAPE (300.101(a)). The ruleset's values in force on each
start date count the days (`part_b.initial_evaluation`, `part_b.initial_iep_meeting`);
a state that counts school or business days, or from another event, falls back to the
per-case engine, as does every case of another shape with a consent or a determination.
The annual IEP review of the same cases is covered when every IEP meeting and review on
file is on or before the as-of date (it counts from the latest: plugins/part_b/reviews.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from ..columnar import (
    NAT,
    Columns,
    ProgramRows,
    add_years,
    counted_from,
    latest,
    third_birthdays,
)
from .context import PROGRAM

ALLOWED = (
    "delay",
    "consent_for_evaluation",
    "evaluation_completed",
    "eligibility_determined",
    "evaluation",
    "iep_meeting_held",
    "iep_services_started",
    "iep_review_held",
)
SHARED = ("consent_for_evaluation", "evaluation_completed", "eligibility_determined", "evaluation")
TYPES = frozenset(
    (*ALLOWED, "eligibility_determined:not_eligible", "eligibility_determined:eligible")
)
CLOCKS = ("initial_evaluation", "initial_iep_meeting", "iep_annual_review")
#: 300.324(b)(1): counted from the latest meeting or review held, met by a later review.
REVIEW_STARTS = ("iep_meeting_held", "iep_review_held")


def clocks(cols: Columns, ruleset: Any, as_of: date) -> ProgramRows:
    """The 300.301(c) and 300.323(c)(1) clocks of every covered case."""
    day = np.datetime64(as_of, "D")
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    b3 = third_birthdays(cols, ruleset, as_of)
    # "Through 21" (300.101(a)): FAPE ends the day before the birthday after age_through.
    ends = add_years(cols.birth, ruleset.value("part_b.age_through", as_of) + 1, leap)
    alone = cols.types_only(ALLOWED)
    for name in SHARED:
        alone &= np.isnat(cols.first[name]) | (cols.first[name] >= b3)
    shape = (
        alone
        & (cols.count["consent_for_evaluation"] <= 1)
        & (cols.count["eligibility_determined"] <= 1)
        & (cols.count["eligibility_determined:not_eligible"] == 0)
        & (day < ends)
    )
    consent = cols.first["consent_for_evaluation"]
    eligible = cols.first["eligibility_determined:eligible"]
    common = {"program": PROGRAM, "allowed": ALLOWED, "delays": cols.count["delay"]}
    parts = [
        counted_from(
            cols,
            ruleset,
            as_of,
            name="part_b.initial_evaluation",
            clock="initial_evaluation",
            start=consent,
            candidates=cols.count["consent_for_evaluation"] > 0,
            shape=shape,
            started_by="consent_for_evaluation",
            **common,
        ),
        counted_from(
            cols,
            ruleset,
            as_of,
            name="part_b.initial_iep_meeting",
            clock="initial_iep_meeting",
            start=eligible,
            candidates=cols.count["eligibility_determined"] > 0,
            shape=shape & (cols.count["eligibility_determined:eligible"] == 1),
            stop=("iep_meeting_held",),
            **common,
        ),
    ]
    # With every meeting and review on or before the as-of date, the annual review counts
    # from the latest and no later review can have met it yet (plugins/part_b/reviews.py).
    last, known = latest(cols, REVIEW_STARTS, as_of)
    parts.append(
        counted_from(
            cols,
            ruleset,
            as_of,
            name="part_b.iep_annual_review",
            clock="iep_annual_review",
            start=last,
            candidates=~np.isnat(last),
            shape=shape & known,
            stop=("iep_review_held",),
            met=np.full(len(cols), NAT),
            ends=ends,
            **common,
        )
    )
    return ProgramRows(parts, alone)
