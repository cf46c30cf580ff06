"""The words a ruleset file may use: its keys, parameter types, units and floors."""

from __future__ import annotations

import re

from .. import school_rules
from ..dates import UNITS

TYPES = (
    "integer",
    "number",
    "boolean",
    "string",
    "enum",
    "strings",
    "date",
    "duration",
    "clock",
    "criteria",
)
DECLARATION_KEYS = (
    "label",
    "description",
    "type",
    "unit",
    "choices",
    "floor",
    "floor_citation",
    "state_choice",
    "state_bound",
    "values",
)
#: Units a declaration may name: the clock units plus a few measures.
DECLARATION_UNITS = (
    *UNITS,
    "percent",
    "standard_deviations",
    "grams",
    "micrograms_per_decilitre",
    "grade",
    "hours",
)
VALUE_KEYS = ("effective", "until", "value", "citation", "url", "note", "repealed")
RULESET_KEYS = ("id", "title", "jurisdiction", "extends", "version", "description")
TOP_KEYS = ("ruleset", "parameters", "calendar")
CALENDAR_KEYS = ("holidays_country", "holidays_subdivision", "extra_holidays", "school_calendar")
SCHOOL_CALENDAR_KEYS = ("name", "terms", "closures", "years", "district", "imported_from")
TERM_KEYS = ("first_day", "last_day", "name")
#: A floor's kinds: "none" declares that the federal rule sets no bound (with the rule
#: that leaves the value to the state in floor_citation); the others are checked.
FLOORS = ("at_most", "at_least", "none")
BOUNDED_FLOORS = ("at_most", "at_least")
CLOCK_KEYS = (
    "start",
    "stop",
    "length",
    "unit",
    "direction",
    "opens_length",
    "opens_unit",
    "excused_by",
    "excuse_policy",
    "agreed_date_reasons",
    "early_action_counts",
    "on_weekend",
    "count_start_day_as",
    *school_rules.RULE_KEYS,
)
CLOCK_REQUIRED = ("start", "stop", "length", "unit")
EXCUSE_POLICIES = ("fixed_with_reason", "for_the_period", "pause_and_extend")
CRITERION_KEYS = ("measure", "at_least", "domains", "in", "only", "unless_only", "label")
MEASURES = ("percent_delay", "months_delay", "sd_below_mean")
PARAM_MARKERS = ("values", "type", "label")
#: A ruleset id; always used with fullmatch ("$" alone would let a trailing newline through).
ID_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


_HOLIDAY_CHECK = "_holiday_check"
