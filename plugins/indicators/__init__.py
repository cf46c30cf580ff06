"""Federal compliance indicators (SPP/APR) counted from the determinations' clocks.

One module per indicator family, named with the measurement tables' words:
`timely_services` (C1), `forty_five_day_timeline` (C7),
`early_childhood_transition` (C8A-C, B12), `child_find` (B11),
`secondary_transition` (B13); `data_quality` lists what would make a figure
wrong. `compute` adds them up over any stream of `Facts` (from a caseload, see
`sources`, or from case files evaluated on the spot), so the CLI and the
library give the same numbers from the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from . import (
    child_find,
    early_childhood_transition,
    forty_five_day_timeline,
    secondary_transition,
    timely_services,
)
from .common import Facts, Item, Period, parse_year, year_of
from .report import BY_UNITS, IndicatorResult, Report, tally
from .settings import Settings

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

_ECT = early_childhood_transition
#: code -> (title, citation); in the order reports show them.
INDICATORS: dict[str, tuple[str, str]] = {
    "C1": (timely_services.TITLE, timely_services.CITATION),
    "C7": (forty_five_day_timeline.TITLE, forty_five_day_timeline.CITATION),
    "C8A": (_ECT.TITLES["C8A"], _ECT.CITATIONS["C8A"]),
    "C8B": (_ECT.TITLES["C8B"], _ECT.CITATIONS["C8B"]),
    "C8C": (_ECT.TITLES["C8C"], _ECT.CITATIONS["C8C"]),
    "B11": (child_find.TITLE, child_find.CITATION),
    "B12": (_ECT.TITLES["B12"], _ECT.CITATIONS["B12"]),
    "B13": (secondary_transition.TITLE, secondary_transition.CITATION),
}

_FAMILIES: tuple[Callable[[Facts, Period, Settings], Iterator[Item]], ...] = (
    timely_services.items,
    forty_five_day_timeline.items,
    _ECT.c8_items,
    child_find.items,
    _ECT.b12_items,
    secondary_transition.items,
)


def items_for(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    """Every counted unit one case contributes to any indicator in the period."""
    for family in _FAMILIES:
        yield from family(facts, period, settings)


def compute(
    facts: Iterable[Facts],
    period: Period,
    settings_of: Callable[[str], Settings],
    *,
    codes: Iterable[str] | None = None,
    by: str | None = None,
    children: bool = False,
) -> Report:
    """The report over a stream of cases' facts. `settings_of(ruleset_id)` gives a ruleset's settings."""
    wanted = list(codes) if codes else list(INDICATORS)
    unknown = [c for c in wanted if c not in INDICATORS]
    if unknown:
        raise ValueError(
            f"unknown indicator {unknown[0]!r}; expected one of {', '.join(INDICATORS)}"
        )
    if by is not None and by not in BY_UNITS:
        raise ValueError(f"unknown unit {by!r}; expected one of {', '.join(BY_UNITS)}")
    results = {
        code: IndicatorResult(code, *INDICATORS[code]) for code in INDICATORS if code in wanted
    }
    cases = 0
    first: date | None = None
    last: date | None = None
    seen: dict[str, Settings] = {}
    for case in facts:
        cases += 1
        first = case.as_of if first is None else min(first, case.as_of)
        last = case.as_of if last is None else max(last, case.as_of)
        settings = seen.get(case.ruleset)
        if settings is None:
            settings = seen[case.ruleset] = settings_of(case.ruleset)
        case.leap_day = settings.leap_day
        tally(results, items_for(case, period, settings), by, children)
    below = [s.suppress_below for s in seen.values() if s.suppress_below]
    return Report(
        period=period,
        indicators=[results[c] for c in INDICATORS if c in results],
        by=by,
        cases=cases,
        evaluated_from=first,
        evaluated_to=last,
        suppress_below=max(below) if below else None,
        settings={rid: _settings_dict(s) for rid, s in sorted(seen.items())},
    )


def _settings_dict(s: Settings) -> dict[str, Any]:
    return {
        "c7_family_circumstances": s.c7_family_circumstances,
        "c7_citation": s.c7_citation,
        "suppress_below": s.suppress_below,
        "suppress_citation": s.suppress_citation,
        "transition_age": s.transition_age,
    }
