"""Date arithmetic and clock definitions over numpy arrays, for the columnar clocks.

`plugins.columnar` reads a caseload into columns; this module holds what it and the
programs' `columnar` modules count with: ISO dates as datetime64[D] (`_dates`), the
civil calendar in integer arithmetic (`_civil`, `_days`), `core.dates.add_months` and
`add_years` over arrays, a ruleset parameter's values between its change dates
(`param_periods`, `value_on`), its clock definitions read once (`plain_definitions`)
and the due dates they give (`due_dates`). Every name here is also importable from
`plugins.columnar`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import numpy as np

from eirules.core.clock_spec import ClockSpec

DAY = "datetime64[D]"
NAT = np.datetime64("NaT", "D")


def _dates(texts: list[str], broken: np.ndarray) -> np.ndarray:
    """ISO dates as datetime64[D] ("" is NaT); a text that is not a date marks its case broken."""
    try:
        return np.array([t or "NaT" for t in texts], dtype=DAY)
    except ValueError:
        out = np.full(len(texts), NAT)
        for i, text in enumerate(texts):
            try:
                out[i] = np.datetime64(text or "NaT", "D")
                if text:
                    date.fromisoformat(text)
            except ValueError:
                broken[i] = True
        return out


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of days since 1970-01-01 (integer arithmetic throughout:
    numpy's conversion to months is many times slower than these few operations)."""
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a year, month and day (the inverse of `_civil`)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    yoe = year - era * 400
    mp = np.where(month > 2, month - 3, month + 9)
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def add_months(day: np.ndarray, months: Any, *, clamp: bool = True) -> np.ndarray:
    """`core.dates.add_months` over arrays: the same day n months on, clamped to the month's
    end (with `clamp=False`, the day the month would have: the 29th of a 28-day February
    is then 1 March, which tells a clamped date)."""
    nat = np.isnat(day)
    year, month, dom = _civil(day.astype(np.int64))
    total = year * 12 + (month - 1) + np.asarray(months, dtype=np.int64)
    year, month = np.floor_divide(total, 12), total % 12 + 1
    if clamp:
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        dom = np.minimum(dom, _MONTH_DAYS[month - 1] + (leap & (month == 2)))
    out = _days(year, month, dom).astype(DAY)
    return np.where(nat, NAT, out) if nat.any() else out


def add_years(day: np.ndarray, years: int, leap_day: str) -> np.ndarray:
    """`core.dates.add_years` over an array: 29 February lands on 28 February or 1 March."""
    out = add_months(day, 12 * years)
    if leap_day == "mar1":
        out = np.where(
            out < add_months(day, 12 * years, clamp=False), out + np.timedelta64(1, "D"), out
        )
    return out


@attrs.frozen
class Period:
    """One span of a parameter's values: from `start` (inclusive) to the next period."""

    start: np.datetime64
    value: Any


def param_periods(ruleset: Any, name: str) -> list[Period]:
    """The parameter's value in force in each period between its change dates (None: none)."""
    starts = [date.min, *ruleset.change_dates(name)]
    periods = []
    for day in starts:
        found = ruleset.find(name, day)
        periods.append(Period(np.datetime64(max(day, date(1, 1, 2)), "D"), found))
    return periods


def value_on(periods: list[Period], days: np.ndarray) -> np.ndarray:
    """The index of the period in force on each day (for NaT: 0)."""
    if len(periods) == 1:
        return np.zeros(len(days), dtype=np.int64)
    starts = np.array([p.start for p in periods], dtype=DAY)
    # NaT sorts after every date: its index is the last period, which no caller uses.
    return np.searchsorted(starts, days, side="right") - 1


#: The units the columns count (the others need a business or school calendar).
UNITS = ("calendar_days", "weeks", "months", "years")


@attrs.frozen
class Definitions:
    """A clock parameter's definitions, one entry per period (`param_periods`).

    `length` is -1 where the columns cannot count the definition (no value, a business or
    school calendar, a window, a variant start); `unit` indexes UNITS; `pauses` says a
    documented delay extends the due date (`pause_and_extend`); `stop` is the stop
    events, None when the periods differ.
    """

    length: np.ndarray
    unit: np.ndarray
    pauses: np.ndarray
    stop: tuple[str, ...] | None


def plain_definitions(periods: list[Period], started_by: str | None = None) -> Definitions:
    """Read each period's clock definition once.

    `started_by`: the event the rule counts from, as it tells `clock_from_param`; a
    definition naming other `start` events counts from those (a variant): not plain.
    """
    lengths, units, pauses, stops = [], [], [], set()
    for period in periods:
        param = period.value
        if param is None:
            lengths.append(-1)
            units.append(0)
            pauses.append(False)
            continue
        spec = ClockSpec.of(param.value)
        stops.add(spec.stop)
        simple = (
            spec.unit in UNITS
            and spec.on_weekend == "keep"
            and not spec.before
            and (started_by is None or spec.start is None or started_by in spec.start)
            and spec.opens_length is None
            and not spec.needs_school
            and (spec.count_start_day_as == 0 or spec.unit == "calendar_days")
        )
        lengths.append(spec.length - spec.count_start_day_as if simple else -1)
        units.append(UNITS.index(spec.unit) if simple else 0)
        # A delay that extends the due date itself needs the per-case engine.
        pauses.append(spec.excuse_policy == "pause_and_extend")
    return Definitions(
        np.array(lengths, dtype=np.int64),
        np.array(units, dtype=np.int64),
        np.array(pauses, dtype=bool),
        stops.pop() if len(stops) == 1 else None,
    )


def due_dates(
    start: np.ndarray, defs: Definitions, period: np.ndarray, leap_day: Callable[[], np.ndarray]
) -> np.ndarray:
    """`core.dates.shift` forward over arrays, each case by its period's definition.

    `leap_day()` gives each case's leap-day rule (asked only when years are counted).
    """
    n = np.maximum(defs.length[period], 0)
    unit = defs.unit[period]
    safe = np.where(np.isnat(start), np.datetime64("2000-01-01"), start)
    # Month arithmetic is the dear part: only for the units some definition uses.
    used = set(defs.unit[defs.length >= 0].tolist())
    out = safe + n.astype("timedelta64[D]")
    if 1 in used:
        out = np.where(unit == 1, safe + (7 * n).astype("timedelta64[D]"), out)
    if 2 in used:
        out = np.where(unit == 2, add_months(safe, n), out)
    if 3 in used:
        years = add_months(safe, 12 * n)
        mar1 = leap_day() == "mar1"
        if mar1.any():
            clamped = years < add_months(safe, 12 * n, clamp=False)
            years = np.where(clamped & mar1, years + np.timedelta64(1, "D"), years)
        out = np.where(unit == 3, years, out)
    return np.where(np.isnat(start), NAT, out)
