"""Build the plugin manager: hook specs, built-in plugins and installed ones."""

from __future__ import annotations

import importlib
import os
import sys

import pluggy

from . import hookspecs
from .errors import PluginError, Problem, did_you_mean

#: The engine's own rules: plugins like any other, using the same hooks.
BUILTINS = (
    "eirules.plugins.vocabulary",
    "eirules.plugins.part_c",
    "eirules.plugins.part_b",
    "eirules.plugins.mtss",
    "eirules.plugins.plans",
    # A state plugin written only against the public API (Missouri First Steps criteria).
    "eirules.plugins.us_mo",
)


#: Set to 1 to load no installed plugins (as pytest's PYTEST_DISABLE_PLUGIN_AUTOLOAD);
#: the project's own test suite sets it so a plugin installed beside it cannot change results.
NO_AUTOLOAD = "EIRULES_DISABLE_PLUGIN_AUTOLOAD"


def get_plugin_manager(*, entry_points: bool = True, builtins: bool = True) -> pluggy.PluginManager:
    """A fresh plugin manager; tests pass entry_points=False so installed plugins cannot leak in."""
    pm = pluggy.PluginManager("eirules")
    pm.add_hookspecs(hookspecs)
    if builtins:
        for name in BUILTINS:
            pm.register(importlib.import_module(name), name=name)
    if entry_points and os.environ.get(NO_AUTOLOAD, "") in ("", "0"):
        _load_entry_points(pm)
    _check_hook_names(pm)
    if os.environ.get("EIRULES_TRACE_PLUGINS", "") not in ("", "0"):
        pm.add_hookcall_monitoring(_before, _after)
    return pm


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    """Load installed plugins one by one, so a broken one is named, not a traceback."""
    import importlib.metadata

    names = sorted(
        {
            ep.name
            for dist in importlib.metadata.distributions()
            for ep in dist.entry_points
            if ep.group == "eirules"
        }
    )
    for name in names:
        try:
            pm.load_setuptools_entrypoints("eirules", name=name)
        except Exception as exc:  # noqa: BLE001 - any failure to import or register
            raise PluginError(
                f'plugin "{name}" (entry point group "eirules") cannot be loaded: '
                f"{exc.__class__.__name__}: {exc}",
                [Problem("", "fix or uninstall the plugin's package")],
            ) from exc


def _check_hook_names(pm: pluggy.PluginManager) -> None:
    """A misspelt hook would never be called: refuse it with the closest real name."""
    hooks = [
        name
        for name, caller in vars(pm.hook).items()
        if not name.startswith("_") and getattr(caller, "spec", None) is not None
    ]
    for name, plugin in pm.list_name_plugin():
        for attr in dir(plugin):
            impl = getattr(getattr(plugin, attr, None), "eirules_impl", None)
            hook = (impl or {}).get("specname") or attr
            if impl is not None and hook not in hooks:
                hint = did_you_mean(hook, hooks)
                raise PluginError(
                    f'plugin "{name}" implements "{hook}", which is not an eirules hook',
                    [Problem("", hint or f"expected one of: {', '.join(sorted(hooks))}")],
                )


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
