"""Adding counted items up: numerator, denominator, exclusions, reasons, units and months;
and `summary`, the report as every format publishes it (small-number suppression applied).

Memory stays flat in the number of cases: only counts are kept, plus the
late units themselves when a drill-down (`children=True`) is asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from .common import Item, Period

TARGET = 100.0
BY_UNITS = ("caseworker", "district", "county", "provider")
#: B12's categories of the measurement table other than a (a is their sum and the late).
B12_CATEGORIES = ("b", "c", "d", "e", "f")
#: What each B12 category counts, in the measurement table's words.
B12_CATEGORY_WORDS = {
    "b": "referred, found not eligible, eligibility determined before the third birthday",
    "c": "found eligible, IEP developed and implemented by the third birthday",
    "d": "parent refusal to provide consent caused the delay, or a 300.301(d) exception applied",
    "e": "determined eligible for Part C fewer than 90 days before the third birthday",
    "f": "parents chose to continue Part C past the third birthday (303.211 or a similar state option)",
}


def percent(numerator: int, denominator: int) -> float | None:
    """Percent rounded to one decimal, None when there is no denominator."""
    return None if denominator == 0 else round(100.0 * numerator / denominator, 1)


@attrs.define
class Tally:
    numerator: int = 0
    denominator: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)

    def add(self, item: Item) -> None:
        if item.counted:
            self.denominator += 1
            self.numerator += int(item.timely)


@attrs.define
class IndicatorResult:
    """One indicator's figure and the accounting the measurement table asks for."""

    code: str
    title: str
    citation: str
    target: float = TARGET
    total: Tally = attrs.field(factory=Tally)
    #: Units left out of the count, by the measurement's category.
    excluded: Counter = attrs.field(factory=Counter)
    #: Units counted as timely by the instructions (documented family circumstances, ...).
    timely_by_instruction: Counter = attrs.field(factory=Counter)
    #: Late units by reason for the delay.
    late_reasons: Counter = attrs.field(factory=Counter)
    #: B12's categories a-f.
    categories: Counter = attrs.field(factory=Counter)
    days_late_min: int | None = None
    days_late_max: int | None = None
    #: Tallies by unit name; None is the units with no name recorded (never a real name).
    by_unit: dict[str | None, Tally] = attrs.field(factory=dict)
    by_month: dict[str, Tally] = attrs.field(factory=dict)
    #: The late units (only when a drill-down was asked for).
    late: list[Item] = attrs.field(factory=list)
    #: The units left out of the denominator for lack of data (`Item.unmeasured`; only when
    #: a drill-down was asked for).
    unmeasured: list[Item] = attrs.field(factory=list)
    #: Every unit, counted or not (only when a drill-down was asked for).
    units: list[Item] = attrs.field(factory=list)

    @property
    def numerator(self) -> int:
        return self.total.numerator

    @property
    def denominator(self) -> int:
        return self.total.denominator

    @property
    def percent(self) -> float | None:
        return self.total.percent

    @property
    def late_count(self) -> int:
        return self.denominator - self.numerator

    def add(self, item: Item, by: str | None, keep: bool) -> None:
        self.total.add(item)
        if self.code == "B12" and (item.counted or item.category in B12_CATEGORIES):
            # Not measurable (no category of the measurement table): only in `excluded`.
            self.categories[item.category if item.category in B12_CATEGORIES else "late"] += 1
        if not item.counted:
            self.excluded[item.category] += 1
        elif item.timely and item.category != "timely" and item.category != "c":
            self.timely_by_instruction[item.category.removeprefix("timely: ")] += 1
        if item.counted:
            month = item.on.strftime("%Y-%m")
            self.by_month.setdefault(month, Tally()).add(item)
            if by is not None:
                unit = item.units.get(by) or None
                self.by_unit.setdefault(unit, Tally()).add(item)
        if item.late:
            self.late_reasons[item.group] += 1
            if item.days_late is not None:
                low, high = self.days_late_min, self.days_late_max
                self.days_late_min = item.days_late if low is None else min(low, item.days_late)
                self.days_late_max = item.days_late if high is None else max(high, item.days_late)
            if keep:
                self.late.append(item)
        if keep:
            self.units.append(item)
            if item.unmeasured:
                self.unmeasured.append(item)

    def unit_tallies(self) -> list[tuple[str | None, Tally]]:
        """The by-unit tallies in report order: by name, the units with no name last."""
        return sorted(self.by_unit.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))

    def drill_down(self) -> list[Item]:
        """The units the drill-down names: every late one, then every one left out for
        lack of data."""
        return [*self.late, *self.unmeasured]

    def as_dict(self, *, children: bool = False) -> dict[str, Any]:
        """This indicator's summary, unsuppressed (`indicator_summary`)."""
        return indicator_summary(self, None, children=children)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def item_dict(item: Item) -> dict[str, Any]:
    return {
        "indicator": item.indicator,
        "case_id": item.case_id,
        "child": item.child,
        "clock": item.clock,
        "subject": item.subject,
        "label": item.label,
        "episode": item.episode,
        "start": _iso(item.start),
        "due": _iso(item.due),
        "done": _iso(item.done),
        "status": item.status,
        "days_late": item.days_late,
        "reason": item.reason,
        "category": item.category,
        "citation": item.citation,
        **{unit: item.units.get(unit) for unit in BY_UNITS},
    }


@attrs.define
class Report:
    """Every indicator asked for over one period, with what it was computed from."""

    period: Period
    indicators: list[IndicatorResult]
    by: str | None = None
    cases: int = 0
    evaluated_from: date | None = None
    evaluated_to: date | None = None
    #: Cases counted from a determination as of a day before the period's end (or today
    #: while the period lasts): the report misstates the period until they are evaluated
    #: again (`evaluate --all --as-of` that day; `indicators --check` lists them).
    evaluated_before_end: int = 0
    #: Published tables show "<N" below this count (None: no suppression).
    suppress_below: int | None = None
    settings: dict[str, Any] = attrs.field(factory=dict)

    def indicator(self, code: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.code == code)

    def named_cases(self) -> list[str]:
        """The case ids the drill-down names (a read of their records)."""
        return [item.case_id for result in self.indicators for item in result.drill_down()]

    def as_dict(self, *, children: bool = False) -> dict[str, Any]:
        """The report as json and the HTTP API give it: the summary suppressed unless it
        comes with the drill-down (`summary`)."""
        return summary(self, suppress=not children, children=children)


def stale_note(report: Report) -> str | None:
    """What the report says when some determinations predate the period's end, or None."""
    if not report.evaluated_before_end:
        return None
    from .common import fix_date

    n = report.evaluated_before_end
    day = fix_date(report.period.end).isoformat()
    return (
        f"Warning: {n} case{'' if n == 1 else 's'} of {report.cases} counted from determinations "
        f"evaluated before {day}, so what happened after is missing "
        f"(run: eirules evaluate --all --as-of {day}; eirules indicators --check lists them)"
    )


def tally(
    results: dict[str, IndicatorResult], items: Iterable[Item], by: str | None, keep: bool
) -> None:
    for item in items:
        result = results.get(item.indicator)
        if result is not None:
            result.add(item, by, keep)


# The summary as every format publishes it ----------------------------------------
# The summary as every format publishes it, with small-number suppression applied here.
#
# `summary` turns a `Report` into the one dict that json and the HTTP API give and
# that the table, CSV and HTML report render: nothing prints a count from the
# `Report` itself, so no format or figure can show what suppression hides. With
# `indicators.suppress_below` N, every count of the summary from 1 to N-1 is the
# text "<N" (a number of children, late units, units by month, by unit, by reason,
# left out, B12 category), a percent that would let one be worked out is "(<N)",
# and so is the days-late range of fewer than N late units (its ends are two
# children's own days). The drill-down (`children`, the late and not measurable
# units) is never suppressed: it is for the program's own use (docs/indicators.md).


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
