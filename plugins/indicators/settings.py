"""The ruleset settings the indicators read, in force on the last day of the period."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.clocks import param_or_none


@attrs.frozen
class Settings:
    #: C7: "include" documented exceptional-family-circumstance delays in the numerator and
    #: denominator, or "exclude" them from both (the state's choice, Part C measurement table).
    c7_family_circumstances: str = "include"
    c7_citation: str = ""
    #: Published tables show "<N" for a count of fewer than N children; None: no suppression.
    suppress_below: int | None = None
    suppress_citation: str = ""
    #: B13 counts youth from this age (34 CFR 300.320(b); a state may start younger).
    transition_age: int = 16
    part_c_age: int = 3
    leap_day: str = "feb28"


def _value(ruleset: Any, name: str, on: date, default: Any) -> tuple[Any, str]:
    param = param_or_none(ruleset, name, on)
    if param is None:
        return default, ""
    return param.value, param.citation or ""


def settings_for(ruleset: Any, on: date) -> Settings:
    """The indicator settings of a ruleset (a `Ruleset`), in force on a date."""
    c7, c7_cite = _value(ruleset, "indicators.c7_family_circumstances", on, "include")
    below, below_cite = _value(ruleset, "indicators.suppress_below", on, None)
    age, _ = _value(ruleset, "part_b.transition_services_age", on, 16)
    limit, _ = _value(ruleset, "part_c.age_limit_years", on, 3)
    leap, _ = _value(ruleset, "dates.leap_day_birthday", on, "feb28")
    return Settings(
        c7_family_circumstances=c7,
        c7_citation=c7_cite,
        suppress_below=below,
        suppress_citation=below_cite,
        transition_age=age,
        part_c_age=limit,
        leap_day=leap,
    )
