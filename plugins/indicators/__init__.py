"""Federal compliance indicators (SPP/APR) counted from the determinations' clocks.

One module per indicator family, named with the measurement tables' words:
`timely_services` (C1), `forty_five_day_timeline` (C7),
`early_childhood_transition` (C8A-C, B12), `child_find` (B11),
`secondary_transition` (B13); `data_quality` lists what would make a figure
wrong. `compute` adds them up over any stream of `Facts` (from a caseload, see
`sources`, or from case files evaluated on the spot), so the CLI and the
library give the same numbers from the same code.
"""

from .common import Facts, Item, Period, parse_year, year_of
from .registry import INDICATORS, compute, items_for
from .report import BY_UNITS, Report

__all__ = [
    "BY_UNITS",
    "INDICATORS",
    "Facts",
    "Item",
    "Period",
    "Report",
    "compute",
    "items_for",
    "parse_year",
    "year_of",
]
