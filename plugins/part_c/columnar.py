"""Part C clocks over columns (eirules.plugins.columnar): 303.310(a) and 303.342(b), (c).

Covers the initial IFSP meeting clock of a case with one referral, in Part C only,
with no documented delay (303.310(b)) unless the clock is not late, no exit, move or withdrawn consent, no
not-eligible finding and no 303.211 extension, referred at least
`part_c.late_referral_days` before the third birthday (303.209(b)(1)(iii)) and
evaluated before it (303.21(a)), whose ruleset counts the clock in calendar days
from the referral (`part_c.initial_ifsp_meeting`, read for each referral date).
The periodic review and the annual IFSP meeting of the same cases are covered when
every meeting and review on file is on or before the as-of date (each counts from the
latest, as plugins/part_c/reviews.py does, in the ruleset's months or years). Every
other case with a referral or a meeting falls back to the per-case engine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from ..columnar import (
    NAT,
    Columns,
    ProgramRows,
    counted_from,
    latest,
    param_periods,
    third_birthdays,
    value_on,
)
from .context import PROGRAM

#: The event types a covered case may have (evaluations are `evaluation`); the
#: shared ones (eligibility, evaluations) must be dated before the third birthday,
#: so the case is in Part C alone (plugins/vocabulary.py, "Which program").
ALLOWED = (
    "delay",
    "referral_received",
    "eligibility_determined",
    "evaluation",
    "ifsp_meeting_held",
    "consent_for_services",
    "service_started",
    "ifsp_review_held",
    "ifsp_annual_meeting_held",
)
SHARED = ("eligibility_determined", "evaluation")
TYPES = frozenset((*ALLOWED, "eligibility_determined:not_eligible"))
CLOCKS = ("initial_ifsp_meeting", "ifsp_periodic_review", "ifsp_annual_meeting")
#: The reviews of 303.342(b), (c): counted from the latest of `start` held, met by a later
#: one of `stop` (plugins/part_c/reviews.py).
REVIEWS = (
    (
        "ifsp_periodic_review",
        ("ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held"),
        ("ifsp_review_held", "ifsp_annual_meeting_held"),
    ),
    (
        "ifsp_annual_meeting",
        ("ifsp_meeting_held", "ifsp_annual_meeting_held"),
        ("ifsp_annual_meeting_held",),
    ),
)


def clocks(cols: Columns, ruleset: Any, as_of: date) -> ProgramRows:
    """The 303.310(a) clock of every covered case; the other referred cases as fallback."""
    day = np.datetime64(as_of, "D")
    b3 = third_birthdays(cols, ruleset, as_of)
    referral = cols.first["referral_received"]
    alone = cols.types_only(ALLOWED)
    for name in SHARED:
        alone &= np.isnat(cols.last[name]) | (cols.last[name] < b3)
    shape = (
        alone
        & (cols.count["referral_received"] == 1)
        & (cols.count["eligibility_determined:not_eligible"] == 0)
        & (day < b3)  # Part C has not ended (close_at_end_of_part_c changes nothing)
        & (referral < b3)
    )
    # 303.209(b)(1)(iii): referred fewer than late_referral_days before the third birthday.
    late = param_periods(ruleset, "part_c.late_referral_days")
    late_days = np.array([-1 if p.value is None else int(p.value.value) for p in late])
    owed = late_days[value_on(late, referral)]
    shape &= (owed < 0) | ((b3 - referral).astype(np.int64) >= owed)
    parts = [
        counted_from(
            cols,
            ruleset,
            as_of,
            name="part_c.initial_ifsp_meeting",
            clock="initial_ifsp_meeting",
            program=PROGRAM,
            start=referral,
            candidates=cols.count["referral_received"] > 0,
            shape=shape,
            allowed=ALLOWED,
            delays=cols.count["delay"],
        )
    ]
    # 303.342(b), (c): with every meeting and review on or before the as-of date, the clock
    # counts from the latest and no later one can have met it yet.
    received = shape & (referral <= day)
    for clock, starts, stops in REVIEWS:
        last, known = latest(cols, starts, as_of)
        parts.append(
            counted_from(
                cols,
                ruleset,
                as_of,
                name=f"part_c.{clock}",
                clock=clock,
                program=PROGRAM,
                start=last,
                candidates=~np.isnat(last),
                shape=received & known,
                allowed=starts,
                stop=stops,
                delays=cols.count["delay"],
                met=np.full(len(cols), NAT),
                ends=b3,
            )
        )
    return ProgramRows(parts, alone)
