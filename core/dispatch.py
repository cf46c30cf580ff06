"""Hook calls on the per-case path: each implementation called directly, as pluggy would.

pluggy's own call (`pm.hook.NAME(**kwargs)`) copies the implementation list, checks
the arguments and runs a general loop that also drives wrappers; for one determination
that is six calls through four layers, about a tenth of a case's time (issue 15).
`HookCalls.call` gives exactly what that call gives (the same implementations in the
same order, the last registered first, each answer that is not None) by calling the
implementations itself, and hands the call to pluggy whenever pluggy would do more
than that: a wrapper or an old-style hookwrapper, an implementation taking keyword
arguments, or call monitoring (`EIRULES_TRACE_PLUGINS`, `pm.add_hookcall_monitoring`).
A plugin registered or unregistered later is seen on the next call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy

#: What a plugin manager runs hooks with while nobody monitors its calls.
_PLAIN_EXEC = getattr(pluggy.PluginManager("eirules-probe"), "_inner_hookexec", None)


class HookCalls:
    """A plugin manager's hooks, called directly when that gives what pluggy gives."""

    __slots__ = ("pm", "_plans")

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        #: hook name -> (the implementations seen, [(function, argnames)] in call order,
        #: or None when pluggy must make the call)
        self._plans: dict[str, tuple[list[Any], list[tuple[Callable, tuple[str, ...]]] | None]] = {}

    def caller(self, hook_name: str) -> Any:
        return getattr(self.pm.hook, hook_name)

    def call(self, hook_name: str, kwargs: Mapping[str, Any]) -> list[Any]:
        """Every implementation's answer that is not None, in pluggy's order."""
        caller = getattr(self.pm.hook, hook_name)
        impls = caller.get_hookimpls()
        plan = self._plans.get(hook_name)
        if plan is None or plan[0] != impls:
            plan = self._plans[hook_name] = (impls, _plan(impls))
        direct = plan[1]
        if direct is None or getattr(self.pm, "_inner_hookexec", None) is not _PLAIN_EXEC:
            return caller(**kwargs)
        results = []
        for function, argnames in direct:
            result = function(*[kwargs[name] for name in argnames])
            if result is not None:
                results.append(result)
        return results


def _plan(impls: list[Any]) -> list[tuple[Callable, tuple[str, ...]]] | None:
    """The implementations in call order, or None when only pluggy can call them."""
    if _PLAIN_EXEC is None:
        return None
    plan = []
    for impl in reversed(impls):  # pluggy calls the last registered first
        if impl.wrapper or impl.hookwrapper or impl.kwargnames:
            return None
        plan.append((impl.function, tuple(impl.argnames)))
    return plan
