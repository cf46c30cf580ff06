"""eirules: a rules engine for early intervention and special education case management.

Library use::

    from datetime import date
    from eirules import evaluate, load_case

    case = load_case("examples/mo-0001.json")
    determination = evaluate(case, "us-mo", date(2026, 2, 1))
    determination.clock("initial_ifsp_meeting").due   # date(2026, 2, 19)

Everything a library user or a plugin author needs is importable from here; the
names in ``__all__`` are the public API, kept stable as docs/plugins.md
("Stability") says. Modules under ``eirules.core``, ``eirules.plugins`` and
``eirules.cli`` are internal and may change in any release. Plugin authors write
``from eirules import hookimpl`` and never import pluggy.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eirules")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"

from typing import TYPE_CHECKING  # noqa: E402

from eirules.core.hookspecs import hookimpl  # noqa: E402

if TYPE_CHECKING:  # what type checkers see; at run time each name is imported on first use
    from eirules.core.clocks import clock_from_param
    from eirules.core.convert import (
        case_to_dict,
        determination_from_dict,
        determination_to_dict,
    )
    from eirules.core.decisions import (
        CLOCK_STATUSES,
        CRITERION_OUTCOMES,
        ELIGIBILITY_OUTCOMES,
        REFERRAL_STATUSES,
        Clock,
        Criterion,
        Determination,
        Eligibility,
        Episode,
        Finding,
        Referral,
    )
    from eirules.core.engine import Engine, EventType, evaluate, get_engine, load_case
    from eirules.core.errors import (
        EirulesError,
        InputError,
        PluginError,
        Problem,
        RulesetError,
        StorageError,
        error_to_dict,
    )
    from eirules.core.explain import Prose
    from eirules.core.models import Case, Child, Condition, Evaluation, Event, Score
    from eirules.core.rulesets import Param, Ruleset
    from eirules.core.schemas import json_schema
    from eirules.plugins.indicators.api import indicators

#: Public name -> the internal module that defines it. Imported on first use, so
#: `import eirules` for hookimpl stays cheap (lean start-up) and cycle-free.
_PUBLIC = {
    # The engine
    "Engine": "eirules.core.engine",
    "evaluate": "eirules.core.engine",
    "get_engine": "eirules.core.engine",
    "load_case": "eirules.core.engine",
    "EventType": "eirules.core.engine",
    "Eligibility": "eirules.core.decisions",
    "Criterion": "eirules.core.decisions",
    # What hooks return and what a determination holds
    "Clock": "eirules.core.decisions",
    "Episode": "eirules.core.decisions",
    "Referral": "eirules.core.decisions",
    "Finding": "eirules.core.decisions",
    "Prose": "eirules.core.explain",
    "Determination": "eirules.core.decisions",
    "ELIGIBILITY_OUTCOMES": "eirules.core.decisions",
    "CRITERION_OUTCOMES": "eirules.core.decisions",
    "CLOCK_STATUSES": "eirules.core.decisions",
    "REFERRAL_STATUSES": "eirules.core.decisions",
    # Clocks from ruleset parameters
    "clock_from_param": "eirules.core.clocks",
    # The case model hooks read
    "Case": "eirules.core.models",
    "Child": "eirules.core.models",
    "Event": "eirules.core.models",
    "Evaluation": "eirules.core.models",
    "Score": "eirules.core.models",
    "Condition": "eirules.core.models",
    # Rulesets
    "Ruleset": "eirules.core.rulesets",
    "Param": "eirules.core.rulesets",
    # Errors a plugin raises on purpose, and the problems they list
    "EirulesError": "eirules.core.errors",
    "InputError": "eirules.core.errors",
    "RulesetError": "eirules.core.errors",
    "PluginError": "eirules.core.errors",
    "StorageError": "eirules.core.errors",
    "Problem": "eirules.core.errors",
    # JSON in and out (the documented shapes, docs/case-file.md, docs/determination.md)
    "case_to_dict": "eirules.core.convert",
    "determination_to_dict": "eirules.core.convert",
    "determination_from_dict": "eirules.core.convert",
    "error_to_dict": "eirules.core.errors",
    # The SPP/APR indicators (docs/indicators.md)
    "indicators": "eirules.plugins.indicators.api",
    "json_schema": "eirules.core.schemas",
}

#: The public names (a literal list, so linters and type checkers can read it).
__all__ = [
    "__version__",
    "hookimpl",
    "Engine",
    "evaluate",
    "get_engine",
    "load_case",
    "EventType",
    "Eligibility",
    "Criterion",
    "Clock",
    "Episode",
    "Referral",
    "Finding",
    "Prose",
    "Determination",
    "ELIGIBILITY_OUTCOMES",
    "CRITERION_OUTCOMES",
    "CLOCK_STATUSES",
    "REFERRAL_STATUSES",
    "clock_from_param",
    "Case",
    "Child",
    "Event",
    "Evaluation",
    "Score",
    "Condition",
    "Ruleset",
    "Param",
    "EirulesError",
    "InputError",
    "RulesetError",
    "PluginError",
    "StorageError",
    "Problem",
    "case_to_dict",
    "determination_to_dict",
    "determination_from_dict",
    "error_to_dict",
    "indicators",
    "json_schema",
]


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'eirules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found once; later lookups are plain attribute reads
    return value


def __dir__():
    return sorted(__all__)
