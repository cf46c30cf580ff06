"""A ruleset's clock definition compiled once into plain attributes.

A `clock` parameter is a TOML table (docs/rulesets.md, "Value shapes"). Every case
counted with it asks the same questions of it (which unit, which stop events, which
delays excuse, does it need a school calendar); `ClockSpec.of` answers them once per
definition, so a case runs only its own arithmetic.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import school_rules

#: The units `dates.shift` counts with no calendar.
_SIMPLE_UNITS = frozenset(("calendar_days", "weeks", "months", "years"))


class ClockSpec:
    """One clock definition's keys, read once (the table itself stays in `raw`)."""

    __slots__ = (
        "raw",
        "before",
        "length",
        "unit",
        "count_start_day_as",
        "opens_length",
        "opens_unit",
        "counts_school_days",
        "school_rules",
        "needs_school",
        "plain",
        "on_weekend",
        "start",
        "stop",
        "early_action_counts",
        "excused_by",
        "excuse_policy",
        "agreed_date_reasons",
        "absence_event",
        "calendar_days",
        "excusing",
        "simple",
        "counters",
    )

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.before = raw.get("direction", "after") == "before"
        self.length = int(raw["length"])
        self.unit = raw["unit"]
        self.count_start_day_as = int(raw.get("count_start_day_as", 0))
        self.opens_length = int(raw["opens_length"]) if "opens_length" in raw else None
        self.opens_unit = raw.get("opens_unit", self.unit)
        self.counts_school_days = "school_days" in (self.unit, raw.get("opens_unit"))
        self.school_rules = school_rules.applies(raw)
        self.needs_school = self.counts_school_days or self.school_rules
        self.on_weekend = raw.get("on_weekend", "keep")
        #: Neither a business calendar nor a school calendar is needed.
        self.plain = (
            self.unit == "calendar_days" and self.on_weekend == "keep" and not self.school_rules
        )
        #: The events a clock variant counts from (None: the caller's trigger).
        self.start = tuple(raw["start"]) if "start" in raw else None
        self.stop = tuple(raw.get("stop", ()))
        self.early_action_counts = bool(raw.get("early_action_counts", False))
        self.excused_by = tuple(raw.get("excused_by", ()))
        self.excuse_policy = raw.get("excuse_policy")
        self.agreed_date_reasons = frozenset(raw.get("agreed_date_reasons", ()))
        rule = raw.get("extended_by_absences")
        self.absence_event = rule["event"] if rule else None
        #: For calendar days with no school rule, the days `dates.shift` moves (either
        #: way), so the common clock needs no call to compute its due date; else None.
        csd = self.count_start_day_as
        self.calendar_days = (
            timedelta(days=self.length - csd)
            if self.unit == "calendar_days"
            and not self.school_rules
            and self.length >= 0
            and csd in (0, 1)
            else None
        )
        #: The delay reasons that excuse lateness, as a set.
        self.excusing = frozenset(self.excused_by)
        #: Calendar days, weeks, months or years with no weekend rule and no school
        #: rule: its generated function (core/clock_gen.py) or `simple_clock.simple_clock`
        #: counts it (when nothing excuses or closes it).
        self.simple = (
            self.unit in _SIMPLE_UNITS
            and self.opens_unit in _SIMPLE_UNITS
            and self.on_weekend == "keep"
            and not self.needs_school
        )
        #: The generated functions counting it, by (citation, leap-day rule), made on
        #: first use (core/clock_gen.py; None where `simple_clock` counts it).
        self.counters: dict[tuple[str, str], Any] = {}

    @property
    def needs_business_calendar(self) -> bool:
        return self.unit == "business_days" or self.on_weekend != "keep"

    @classmethod
    def of(cls, raw: dict[str, Any]) -> ClockSpec:
        """The compiled form of a definition, built once per definition object."""
        entry = _compiled.get(id(raw))
        if entry is not None and entry[0] is raw:
            return entry[1]
        if len(_compiled) > 10_000:
            _compiled.clear()
        spec = cls(raw)
        _compiled[id(raw)] = (raw, spec)
        return spec


#: Compiled definitions by the identity of their table (a ruleset's resolved values
#: live as long as the ruleset, and the table is kept here so its id is never reused).
_compiled: dict[int, tuple[dict[str, Any], ClockSpec]] = {}
