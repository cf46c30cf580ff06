"""Seasonal benchmarks: one table per measure, grade and season, read by every rule.

`mtss.benchmark.<measure>.grade_<g>.<season>` in the ruleset (oral reading fluency ships
with Hasbrouck & Tindal's 2017 50th-percentile norms, the DIBELS 8 measures `dibels8_*`
with the University of Oregon's 2020 benchmark goals for kindergarten to grade 3; a
district adds its own measures and cut scores in a ruleset that extends `mtss`). The season of a date is the window of the
student's latest screening on or before it (the school's own calendar of windows), so a
May point is judged against the spring benchmark once the spring screening is in, and
against winter before it. A series without a table falls back to its own `benchmark`.
"""

from __future__ import annotations

from datetime import date

import attrs

from ..models import Series
from ..params import Params
from .common import ORF_MEASURES

PREFIX = "benchmark."

#: (date, window) of the student's screenings, in date order.
Seasons = tuple[tuple[date, str], ...]


def measure_key(series: Series) -> str:
    """The benchmark table a series reads: every oral-reading measure reads `orf`."""
    m = series.measure.lower()
    return "orf" if m in ORF_MEASURES else m


def season_of(day: date, seasons: Seasons) -> str | None:
    """The window of the latest screening on or before `day` (None before the first)."""
    found = None
    for d, window in seasons:
        if d <= day:
            found = window
    return found


@attrs.frozen
class Benchmark:
    value: float | None
    #: Where it came from, for the reasons: "spring benchmark for grade 2 (...)".
    source: str
    #: The ruleset parameter read (None when the series' own benchmark was used).
    param: str | None = None
    season: str | None = None


def benchmark_for(series: Series, grade: int, season: str | None, p: Params) -> Benchmark:
    """The benchmark for a series in a season: the ruleset's table, else the series' own."""
    if season is not None:
        name = f"{PREFIX}{measure_key(series)}.grade_{grade}.{season}"
        value = p.v(name, None)
        if value is not None:
            cite = p.cite(name)
            return Benchmark(
                float(value), f"{season} benchmark for grade {grade} ({cite})", name, season
            )
    if series.benchmark is not None:
        return Benchmark(float(series.benchmark), "the benchmark recorded on the series")
    return Benchmark(None, "no benchmark for this measure, grade and season")


def benchmark_at(series: Series, grade: int, day: date, seasons: Seasons, p: Params) -> Benchmark:
    return benchmark_for(series, grade, season_of(day, seasons), p)


def has_table(series: Series, grade: int, p: Params) -> bool:
    key = f"{PREFIX}{measure_key(series)}.grade_{grade}."
    return any(k.startswith(key) for k in p.values)
