"""eirules: a rules engine for early intervention and special education case management.

Library use::

    from eirules import load_case, evaluate, get_engine
    case = load_case("examples/part_c_referral.json")
    determination = evaluate(case, as_of=date(2026, 2, 1))

Plugin authors write ``from eirules import hookimpl`` and never import pluggy.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eirules")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0"

from eirules.core.hookspecs import hookimpl  # noqa: E402

__all__ = ["__version__", "hookimpl", "evaluate", "load_case", "get_engine", "Engine"]


def __getattr__(name):
    # Lazy, so `import eirules` for hookimpl stays cheap and cycle-free.
    if name in ("evaluate", "get_engine", "Engine", "load_case"):
        from eirules.core import engine

        return getattr(engine, name)
    raise AttributeError(name)
