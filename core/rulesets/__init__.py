"""Rulesets: declarative, inherited, effective-dated parameters with citations.

A ruleset is a folder of TOML files. ``ruleset.toml`` names it::

    [ruleset]
    id = "us-mo"
    title = "Missouri"
    jurisdiction = "US-MO"
    extends = "us"
    version = "2026.1"

Any TOML file in the folder may hold ``[parameters...]`` tables. The baseline
declares each parameter (label, type, federal floor) and gives dated values; a
ruleset that extends it only adds dated values, each with its citation. A
value is looked up by nearest ancestor: the ruleset's own value in force on the
date asked, else its parent's, and so on. See docs/rulesets.md.

Validation never lets a wrong file through quietly: every problem names the
file, the line, the key path, what was found and what was expected.

The package: ``keys`` (the words a file may use), ``params`` (declarations and
values), ``files`` (one file read, with lines), ``values`` (type checks),
``school_calendar_file``, ``ruleset`` (the loaded ruleset and lookups),
``calendar_table`` (the [calendar] table), ``floors`` (checks across dated
values), ``loading`` (one folder) and ``registry`` (finding and loading by id). Import from here; the
private helpers that core/ruleset_*.py share are re-exported too.
"""

from .files import RulesetProblem, find_line, line_index
from .files import _check_keys as _check_keys
from .files import _FileReader as _FileReader
from .files import _is_date as _is_date
from .files import _kind as _kind
from .floors import what_is_checked
from .keys import (
    CALENDAR_KEYS,
    CLOCK_KEYS,
    CLOCK_REQUIRED,
    CRITERION_KEYS,
    DECLARATION_KEYS,
    DECLARATION_UNITS,
    EXCUSE_POLICIES,
    FLOORS,
    ID_PATTERN,
    MEASURES,
    PARAM_MARKERS,
    RULESET_KEYS,
    SCHOOL_CALENDAR_KEYS,
    TERM_KEYS,
    TOP_KEYS,
    TYPES,
    VALUE_KEYS,
)
from .loading import load_folder, read_header
from .params import Declaration, Param, ValueEntry
from .registry import (
    DEFAULT_RULESET,
    RulesetRegistry,
    builtin_folder,
    declared_header,
    discover,
    ruleset_folders,
)
from .registry import _declared_id as _declared_id
from .registry import _ruleset_dirs as _ruleset_dirs
from .ruleset import DateNotCovered, Ruleset, iter_resolved
from .school_calendar_file import load_school_calendar
from .values import check_value, value_problems

__all__ = [
    "CALENDAR_KEYS",
    "CLOCK_KEYS",
    "CLOCK_REQUIRED",
    "CRITERION_KEYS",
    "DEFAULT_RULESET",
    "DECLARATION_KEYS",
    "DECLARATION_UNITS",
    "EXCUSE_POLICIES",
    "FLOORS",
    "ID_PATTERN",
    "MEASURES",
    "PARAM_MARKERS",
    "RULESET_KEYS",
    "SCHOOL_CALENDAR_KEYS",
    "TERM_KEYS",
    "TOP_KEYS",
    "TYPES",
    "VALUE_KEYS",
    "DateNotCovered",
    "Declaration",
    "Param",
    "Ruleset",
    "RulesetProblem",
    "RulesetRegistry",
    "ValueEntry",
    "builtin_folder",
    "check_value",
    "declared_header",
    "discover",
    "find_line",
    "iter_resolved",
    "line_index",
    "load_folder",
    "load_school_calendar",
    "read_header",
    "ruleset_folders",
    "value_problems",
    "what_is_checked",
]
