"""The indicators in report order, and `compute`, which adds them up over a stream of cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import eirules.plugins.indicators.child_find as _b11
import eirules.plugins.indicators.early_childhood_transition as _ECT
import eirules.plugins.indicators.forty_five_day_timeline as _c7
import eirules.plugins.indicators.secondary_transition as _b13
import eirules.plugins.indicators.timely_services as _c1

from .common import Facts, Item, Period, fix_date
from .report import BY_UNITS, IndicatorResult, Report, tally
from .settings import Settings

#: code -> (title, citation); in the order reports show them.
INDICATORS: dict[str, tuple[str, str]] = {
    "C1": (_c1.TITLE, _c1.CITATION),
    "C7": (_c7.TITLE, _c7.CITATION),
    "C8A": (_ECT.TITLES["C8A"], _ECT.CITATIONS["C8A"]),
    "C8B": (_ECT.TITLES["C8B"], _ECT.CITATIONS["C8B"]),
    "C8C": (_ECT.TITLES["C8C"], _ECT.CITATIONS["C8C"]),
    "B11": (_b11.TITLE, _b11.CITATION),
    "B12": (_ECT.TITLES["B12"], _ECT.CITATIONS["B12"]),
    "B13": (_b13.TITLE, _b13.CITATION),
}

_FAMILIES: tuple[Callable[[Facts, Period, Settings], Iterator[Item]], ...] = (
    _c1.items,
    _c7.items,
    _ECT.c8_items,
    _b11.items,
    _ECT.b12_items,
    _b13.items,
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
    early = 0  # determinations as of a day before the day after the period (or today)
    bound = fix_date(period.end)
    first: date | None = None
    last: date | None = None
    seen: dict[str, Settings] = {}
    for case in facts:
        cases += 1
        first = case.as_of if first is None else min(first, case.as_of)
        last = case.as_of if last is None else max(last, case.as_of)
        early += case.as_of < bound
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
        evaluated_before_end=early,
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
