"""`eirules.indicators(...)`: the indicators as data, for other systems.

    from eirules import indicators
    report = indicators("caseload.db", year="2025-26")      # a caseload's stored determinations
    report = indicators(["a.json", "b.json"], year="2025-26", as_of=date(2026, 7, 1))
    report.indicator("C7").percent

The same `compute` as `eirules indicators`, over the same determinations.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from eirules.core.errors import InputError, Problem

from .common import Period, parse_year
from .registry import compute
from .report import Report
from .settings import settings_for
from .sources import evaluated_facts, store_scope, stored_facts

#: What each caller calls the three period inputs in its messages.
LIBRARY_NAMES = ("year", "start", "end")
CLI_NAMES = ("--year", "--from", "--to")
HTTP_NAMES = ("year", "from", "to")


def period_of(
    year: str | None,
    start: date | None,
    end: date | None,
    names: tuple[str, str, str] = LIBRARY_NAMES,
) -> Period:
    """The reporting period from a year, or a from/to range (InputError when neither or both).

    `names` are the caller's words for the three inputs (arguments, options, query
    parameters), so each error names what its reader typed.
    """
    y, f, t = names
    if year is not None and (start is not None or end is not None):
        raise InputError(
            "give either a reporting year or a from/to range, not both",
            [Problem(y, f"used with {f}/{t}", "drop one of them")],
        )
    if year is not None:
        try:
            return parse_year(year)
        except ValueError as exc:
            raise InputError(
                f"{exc}", [Problem(y, "not a reporting year", f"e.g. {y} 2025-26")]
            ) from None
    if start is None or end is None:
        raise InputError(
            "no reporting period",
            [Problem(y, "missing", f"give {y} 2025-26 (July 1 to June 30), or {f} and {t}")],
        )
    if end < start:
        raise InputError(
            f"the period ends ({end}) before it starts ({start})",
            [Problem(t, f"before {f}", "swap the dates")],
        )
    return Period(start, end)


def settings_lookup(engine: Any, on: date):
    def lookup(ruleset_id: str):
        return settings_for(engine.rulesets.get(ruleset_id), on)

    return lookup


def indicators(
    source: str | Path | Iterable[Any],
    *,
    year: str | None = None,
    start: date | None = None,
    end: date | None = None,
    codes: Iterable[str] | None = None,
    by: str | None = None,
    children: bool = False,
    as_of: date | None = None,
    ruleset: str | None = None,
    engine: Any = None,
) -> Report:
    """The indicators over a caseload database (its stored determinations) or over cases.

    `source` is a caseload database file, or an iterable of `Case`, case-file
    paths, or (Case, Determination) pairs. Cases are evaluated as of `as_of`
    (default: the end of the period, or today if earlier).
    """
    from eirules.core.engine import get_engine, load_case

    period = period_of(year, start, end)
    engine = engine or get_engine()
    lookup = settings_lookup(engine, period.end)
    if isinstance(source, str | Path):
        from eirules.core.store import Store

        store = Store.open(source)
        try:
            return compute(
                stored_facts(store.conn, scope=store_scope(store)),
                period,
                lookup,
                codes=codes,
                by=by,
                children=children,
            )
        finally:
            store.close()
    when = as_of or min(period.end, date.today())
    cases = (load_case(c) if isinstance(c, str | Path) else c for c in source)
    facts = evaluated_facts(engine, cases, when, ruleset=ruleset)
    return compute(facts, period, lookup, codes=codes, by=by, children=children)
