"""Built-in rule plugins: Part C, Part B and MTSS use the same hooks as anyone's."""

from eirules.core.hookspecs import hookimpl

__all__ = ["hookimpl"]
