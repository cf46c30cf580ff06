"""Direct hook calls on the per-case path give exactly what pluggy's own call gives.

`core/dispatch.py` calls each implementation itself (issue 15: pluggy's call was about
a fifth of a determination); whenever pluggy would do more than call them in order
(wrappers, keyword arguments, call monitoring) it hands the call to pluggy.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from eirules.core.decisions import Clock
from eirules.core.dispatch import HookCalls
from eirules.core.engine import Engine
from eirules.core.hookspecs import hookimpl
from eirules.core.plugin_manager import get_plugin_manager

sys.path.insert(0, str(Path(__file__).parent / "plugins"))
import sample_plugin  # noqa: E402

AS_OF = date(2026, 1, 20)
HOOKS = ("eligibility_criteria", "eligibility_for", "episodes_for", "clocks_for")


def _case(engine: Engine):
    return engine.case_from_dict(
        {
            "id": "DISPATCH-1",
            "child": {"birth_date": "2024-11-02"},
            "events": [
                {"type": "referral_received", "date": "2025-12-01"},
                {"type": "ifsp_meeting_held", "date": "2026-01-10"},
            ],
        }
    )


def _kwargs(engine: Engine, case) -> dict:
    rs = engine.rulesets.get("us")
    return {
        "case": case,
        "ruleset": rs,
        "as_of": AS_OF,
        "criteria": (),
        "eligibility": (),
        "clocks": (),
    }


def _pluggy(pm, hook: str, kwargs: dict) -> list:
    caller = getattr(pm.hook, hook)
    names = caller.spec.argnames
    return caller(**{k: v for k, v in kwargs.items() if k in names})


@pytest.mark.parametrize("hook", HOOKS)
def test_direct_call_equals_pluggys_call_in_order(hook):
    """Same answers, same order (the last registered plugin first), for every decision hook."""
    pm = get_plugin_manager(entry_points=False)
    pm.register(sample_plugin, name="sample")
    engine = Engine(pm=pm)
    kwargs = _kwargs(engine, _case(engine))
    spec_args = getattr(pm.hook, hook).spec.argnames
    given = {k: v for k, v in kwargs.items() if k in spec_args}
    assert HookCalls(pm).call(hook, given) == _pluggy(pm, hook, kwargs)


class _Wrapper:
    """A new-style wrapper that adds one clock to whatever the other plugins answered."""

    @hookimpl(wrapper=True)
    def clocks_for(self, case):
        answers = yield
        return [
            *answers,
            [
                Clock(
                    id="wrapped",
                    program="x",
                    start=None,
                    due=None,
                    status="not_applicable",
                    citation="",
                )
            ],
        ]


def test_a_wrapper_plugin_still_wraps_the_call():
    pm = get_plugin_manager(entry_points=False)
    pm.register(_Wrapper(), name="wrapper")
    engine = Engine(pm=pm)
    determination = engine.evaluate(_case(engine), "us", AS_OF)
    assert determination.clock("wrapped") is not None


class _Late:
    """A plugin registered after the engine has already evaluated a case."""

    @hookimpl
    def clocks_for(self):
        return [
            Clock(
                id="late_plugin",
                program="x",
                start=None,
                due=None,
                status="not_applicable",
                citation="",
            )
        ]


def test_a_plugin_registered_later_is_called_on_the_next_case():
    pm = get_plugin_manager(entry_points=False)
    engine = Engine(pm=pm)
    case = _case(engine)
    assert engine.evaluate(case, "us", AS_OF).clock("late_plugin") is None
    plugin = _Late()
    pm.register(plugin, name="late")
    assert engine.evaluate(case, "us", AS_OF).clock("late_plugin") is not None
    pm.unregister(plugin)
    assert engine.evaluate(case, "us", AS_OF).clock("late_plugin") is None


def test_monitored_calls_go_through_pluggy():
    """With call monitoring on (EIRULES_TRACE_PLUGINS), every hook call is seen by the monitor."""
    pm = get_plugin_manager(entry_points=False)
    seen: list[str] = []
    undo = pm.add_hookcall_monitoring(lambda name, impls, kw: seen.append(name), lambda *a: None)
    engine = Engine(pm=pm)
    engine.evaluate(_case(engine), "us", AS_OF)
    undo()
    assert {"eligibility_for", "clocks_for", "findings_for"} <= set(seen)
    seen.clear()
    engine.evaluate(_case(engine), "us", AS_OF)
    assert seen == []


def test_a_firstresult_hook_goes_through_pluggy():
    """A hook whose spec stops at the first answer is never called directly (all answers)."""
    import pluggy

    spec = pluggy.HookspecMarker("eirules")
    impl = pluggy.HookimplMarker("eirules")

    class Specs:
        @spec(firstresult=True)
        def pick_one(self):
            """The first answer wins."""

    class First:
        @impl
        def pick_one(self):
            return "first"

    class Second:
        @impl
        def pick_one(self):
            return "second"

    pm = pluggy.PluginManager("eirules")
    pm.add_hookspecs(Specs)
    pm.register(First())
    pm.register(Second())
    assert HookCalls(pm).call("pick_one", {}) == pm.hook.pick_one() == "second"
