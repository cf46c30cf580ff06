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
from typing import Any

import pluggy

#: What a plugin manager runs hooks with while nobody monitors its calls.
_PLAIN_EXEC = getattr(pluggy.PluginManager("eirules-probe"), "_inner_hookexec", None)


class HookCalls:
    """A plugin manager's hooks, called directly when that gives what pluggy gives."""

    __slots__ = ("pm", "_plans")

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        #: hook name -> (its caller, the implementations seen, a function calling them
        #: in order or None when pluggy must make the call, the implementations now)
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
        return direct(kwargs)


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


def _plan(impls: list[Any]) -> Callable[[Mapping[str, Any]], list[Any]] | None:
    """A function calling the implementations in call order, or None when only pluggy
    can call them.

    The function is generated: one plain call per implementation with its arguments
    by position, each argument taken from the call's keywords just before the first
    implementation that reads it (so a missing one fails where pluggy's loop fails,
    after the implementations before it ran), and every answer that is not None kept.
    """
    if _PLAIN_EXEC is None:
        return None
    lines = ["def direct(kwargs):", "    results = []", "    keep = results.append"]
    scope: dict[str, Any] = {}
    names: dict[str, str] = {}  # argument name -> its local variable
    for i, impl in enumerate(reversed(impls)):  # pluggy calls the last registered first
        if impl.wrapper or impl.hookwrapper or impl.kwargnames:
            return None
        scope[f"f{i}"] = impl.function
        for name in impl.argnames:
            if name not in names:
                names[name] = f"a{len(names)}"
                lines.append(f"    {names[name]} = kwargs[{name!r}]")
        args = ", ".join(names[name] for name in impl.argnames)
        lines += [f"    r = f{i}({args})", "    if r is not None:", "        keep(r)"]
    lines.append("    return results")
    exec(compile("\n".join(lines), "<eirules hook call>", "exec"), scope)  # noqa: S102
    return scope["direct"]
