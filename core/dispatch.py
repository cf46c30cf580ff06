"""Hook calls on the per-case path: each implementation called directly, as pluggy would.

pluggy's own call (`pm.hook.NAME(**kwargs)`) copies the implementation list, checks
the arguments and runs a general loop that also drives wrappers; for one determination
that is six calls through four layers, about a tenth of a case's time (issue 15).
`HookCalls.call` gives exactly what that call gives (the same implementations in the
same order, the last registered first, each answer that is not None) by calling the
implementations itself, and hands the call to pluggy whenever pluggy would do more
than that: a wrapper or an old-style hookwrapper, an implementation taking keyword
arguments, a `firstresult` or historic hook, a hook without a spec, or call monitoring
(`EIRULES_TRACE_PLUGINS`, `pm.add_hookcall_monitoring`).
A plugin registered or unregistered later is seen on the next call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

import pluggy

#: What a plugin manager runs hooks with while nobody monitors its calls.
_PLAIN_EXEC = getattr(pluggy.PluginManager("eirules-probe"), "_inner_hookexec", None)


class HookCalls:
    """A plugin manager's hooks, called directly when that gives what pluggy gives."""

    __slots__ = ("pm", "_plans")

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        #: hook name -> (its caller, the implementations seen, [(function, argument
        #: getter, argument count)] in call order or None when pluggy must make the call,
        #: the implementations now)
        self._plans: dict[str, tuple[Any, list[Any], Any, Any]] = {}

    def call(self, hook_name: str, kwargs: Mapping[str, Any]) -> list[Any]:
        """Every implementation's answer that is not None, in pluggy's order."""
        plan = self._plans.get(hook_name)
        if plan is None or plan[1] != plan[3]:
            caller = getattr(self.pm.hook, hook_name)
            impls = caller.get_hookimpls()
            # The caller's own list, when pluggy keeps one, is compared with the copy
            # (a change to it is a plugin registered or unregistered); else a new copy.
            live = getattr(caller, "_hookimpls", None)
            spec = getattr(caller, "spec", None)
            opts = getattr(spec, "opts", None) or {}
            plain = spec is not None and not opts.get("firstresult") and not opts.get("historic")
            plan = self._plans[hook_name] = (
                caller,
                impls,
                _plan(impls) if plain else None,
                live if type(live) is list else _Fresh(caller),
            )
        direct = plan[2]
        if direct is None or getattr(self.pm, "_inner_hookexec", None) is not _PLAIN_EXEC:
            return plan[0](**kwargs)
        results = []
        for function, arguments, count in direct:
            if count == 1:
                result = function(arguments(kwargs))
            elif count:
                result = function(*arguments(kwargs))
            else:
                result = function()
            if result is not None:
                results.append(result)
        return results


class _Fresh:
    """Compares equal to a caller's implementations as they are at the time of comparing."""

    __slots__ = ("caller",)

    def __init__(self, caller: Any):
        self.caller = caller

    def __eq__(self, other: object) -> bool:
        return self.caller.get_hookimpls() == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _plan(impls: list[Any]) -> list[tuple[Callable, Any, int]] | None:
    """The implementations in call order, or None when only pluggy can call them."""
    if _PLAIN_EXEC is None:
        return None
    plan = []
    for impl in reversed(impls):  # pluggy calls the last registered first
        if impl.wrapper or impl.hookwrapper or impl.kwargnames:
            return None
        names = tuple(impl.argnames)
        # itemgetter of one name gives the value, of several a tuple (hence the count).
        plan.append((impl.function, itemgetter(*names) if names else None, len(names)))
    return plan
