"""eirules: a rules engine for early intervention and special education case management.

Library use::

    from datetime import date
    from eirules import evaluate, load_case

    case = load_case("examples/mo-0001.json")
    determination = evaluate(case, "us-mo", date(2026, 2, 1))
    determination.clock("initial_ifsp_meeting").due   # date(2026, 2, 19)

Plugin authors write ``from eirules import hookimpl`` and never import pluggy
(docs/plugins.md).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eirules")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"

from eirules.core.hookspecs import hookimpl  # noqa: E402

_LAZY = ("evaluate", "load_case", "get_engine", "Engine")

__all__ = ["__version__", "hookimpl", "indicators", *_LAZY]


def __getattr__(name):
    # Lazy, so `import eirules` for hookimpl stays cheap and cycle-free.
    if name == "indicators":  # the SPP/APR indicators (docs/indicators.md)
        from eirules.plugins.indicators.api import indicators

        return indicators
    if name in _LAZY:
        from eirules.core import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'eirules' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
