"""Build the plugin manager: hook specs, built-in plugins and installed ones."""

from __future__ import annotations

import importlib
import os
import sys

import pluggy

from . import hookspecs

#: The engine's own rules: plugins like any other, using the same hooks.
BUILTINS = (
    "eirules.plugins.events",
    "eirules.plugins.part_c",
    "eirules.plugins.part_b",
    "eirules.plugins.mtss",
)


def get_plugin_manager(*, entry_points: bool = True, builtins: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager; tests pass entry_points=False so installed plugins cannot leak in."""
    pm = pluggy.PluginManager("eirules")
    pm.add_hookspecs(hookspecs)
    if builtins:
        for name in BUILTINS:
            pm.register(importlib.import_module(name), name=name)
    if entry_points:
        pm.load_setuptools_entrypoints("eirules")
    if os.environ.get("EIRULES_TRACE_PLUGINS", "") not in ("", "0"):
        pm.add_hookcall_monitoring(_before, _after)
    return pm


def _before(hook_name, hook_impls, kwargs):
    # pluggy calls the last registered implementation first; list them in call order.
    names = ", ".join(impl.plugin_name for impl in reversed(hook_impls)) or "(none)"
    print(f"[eirules] {hook_name}({', '.join(kwargs)}) -> {names}", file=sys.stderr)


def _after(outcome, hook_name, hook_impls, kwargs):
    exc = outcome.exception
    if exc is not None:
        print(f"[eirules] {hook_name} raised {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return
    results = outcome.get_result()
    count = len(results) if isinstance(results, list) else int(results is not None)
    print(f"[eirules] {hook_name} <- {count} answer(s)", file=sys.stderr)


def plugin_info(pm: pluggy.PluginManager) -> list[dict]:
    """Loaded plugins with their distribution version and the hooks they implement."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    info = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        if dist is not None:
            version = dist.version
            package = dist.project_name
        else:
            from eirules import __version__

            version, package = __version__, "eirules (built-in)"
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or ())
        info.append({"name": name, "package": package, "version": version, "hooks": hooks})
    return info
