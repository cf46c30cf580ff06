"""The summary as every format publishes it, with small-number suppression applied here.

`summary` turns a `Report` into the one dict that json and the HTTP API give and
that the table, CSV and HTML report render: nothing prints a count from the
`Report` itself, so no format or figure can show what suppression hides. With
`indicators.suppress_below` N, every count of the summary from 1 to N-1 is the
text "<N" (a number of children, late units, units by month, by unit, by reason,
left out, B12 category), a percent that would let one be worked out is "(<N)",
and so is the days-late range of fewer than N late units (its ends are two
children's own days). The drill-down (`children`, the late and not measurable
units) is never suppressed: it is for the program's own use (docs/indicators.md).
"""

from __future__ import annotations

from typing import Any

from .report import B12_CATEGORIES, IndicatorResult, Report, Tally, _iso, item_dict


def shown(count: int, below: int | None) -> int | str:
    """A count as published: "<N" for 1 to N-1 when suppression is on, else the count."""
    if below is not None and 0 < count < below:
        return f"<{below}"
    return count


def _percent(numerator: int, denominator: int, value: float | None, below: int | None):
    """The percent, or "(<N)" when numerator, denominator or the late count is suppressed."""
    if value is not None and below is not None:
        if any(0 < n < below for n in (numerator, denominator, denominator - numerator)):
            return f"(<{below})"
    return value


def _tally(t: Tally, below: int | None) -> dict[str, Any]:
    return {
        "numerator": shown(t.numerator, below),
        "denominator": shown(t.denominator, below),
        "percent": _percent(t.numerator, t.denominator, t.percent, below),
        "late": shown(t.denominator - t.numerator, below),
    }


def _counts(counts: dict[str, int], below: int | None) -> dict[str, int | str]:
    return {k: shown(n, below) for k, n in counts.items()}


def indicator_summary(
    r: IndicatorResult, below: int | None, *, children: bool = False
) -> dict[str, Any]:
    """One indicator's summary, suppressed below `below` (None: not suppressed)."""
    few_late = below is not None and 0 < r.late_count < below
    data: dict[str, Any] = {
        "indicator": r.code,
        "title": r.title,
        "citation": r.citation,
        "target": r.target,
        "numerator": shown(r.numerator, below),
        "denominator": shown(r.denominator, below),
        "percent": _percent(r.numerator, r.denominator, r.percent, below),
        "late": shown(r.late_count, below),
        "days_late": (
            {"min": f"(<{below})", "max": f"(<{below})"}
            if few_late
            else {"min": r.days_late_min, "max": r.days_late_max}
        ),
        "late_reasons": _counts(dict(r.late_reasons.most_common()), below),
        "counted_as_timely": _counts(dict(r.timely_by_instruction), below),
        "excluded": _counts(dict(r.excluded), below),
        "by_month": {m: _tally(t, below) for m, t in sorted(r.by_month.items())},
        # A list, not a dict by name: the units with no name recorded are `unit: null`,
        # so no real name ("(none)", "all") can merge with them or with the total.
        "by_unit": [{"unit": u, **_tally(t, below)} for u, t in r.unit_tallies()],
    }
    if r.code == "B12":
        cats = {k: r.categories.get(k, 0) for k in B12_CATEGORIES}
        data["categories"] = _counts({"a": sum(r.categories.values()), **cats}, below)
    if children:
        data["children"] = [item_dict(i) for i in r.late]
        data["not_measurable"] = [item_dict(i) for i in r.unmeasured]
    return data


def summary(report: Report, *, suppress: bool, children: bool = False) -> dict[str, Any]:
    """The whole report as published; `suppress`: apply `report.suppress_below`."""
    below = report.suppress_below if suppress else None
    return {
        "period": {
            "label": report.period.label,
            "from": report.period.start.isoformat(),
            "to": report.period.end.isoformat(),
        },
        "cases": report.cases,
        "evaluated_as_of": {"from": _iso(report.evaluated_from), "to": _iso(report.evaluated_to)},
        "evaluated_before_period_end": report.evaluated_before_end,
        "by": report.by,
        "suppress_below": report.suppress_below,
        "suppressed": below is not None,
        "settings": report.settings,
        "indicators": [indicator_summary(r, below, children=children) for r in report.indicators],
    }


def percent_text(value: float | str | None) -> str:
    """A summary's percent as the table and HTML write it."""
    if value is None:
        return "no data"
    return value if isinstance(value, str) else f"{value:.1f}%"


def days_text(days: dict[str, Any]) -> str:
    """A summary's days-late range as the table writes it ("" when nothing is late)."""
    low, high = days["min"], days["max"]
    if low is None:
        return ""
    return f"{low}" if low == high else f"{low}-{high}"
