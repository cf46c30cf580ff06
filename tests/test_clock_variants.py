"""Clock variants: a state ruleset (shipped by a plugin) varies a built-in clock, as docs/plugins.md shows.

The example of "Clock variants" is run as written: its TOML becomes a ruleset
`us-zz` and its Python a plugin registered beside the built-ins. 34 CFR
300.301(c)(1)(ii) lets a state set its own timeframe for the initial evaluation;
the fictional state counts 50 days from the evaluation planning meeting.
"""

from __future__ import annotations

import re
import types
from datetime import date
from pathlib import Path

import pytest

from eirules import Engine
from eirules.core.plugin_manager import get_plugin_manager
from eirules.core.ruleset_validate import validate_paths

DOC = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
SECTION = DOC.split("## Clock variants", 1)[1].split("\n## ", 1)[0]


def _block(lang: str) -> str:
    return next(b for lg, b in re.findall(r"```(\w+)\n(.*?)```", SECTION, flags=re.S) if lg == lang)


@pytest.fixture(scope="module")
def zz(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rulesets") / "us-zz"
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "us-zz"\ntitle = "State ZZ (fictional)"\nextends = "us"\n'
    )
    toml = _block("toml")
    assert toml.startswith("# rulesets/us-zz/part_b.toml\n")
    (folder / "part_b.toml").write_text(toml)
    plugin = types.ModuleType("state_zz")
    exec(compile(_block("python"), "docs/plugins.md", "exec"), plugin.__dict__)
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin)
    return Engine(pm=pm, ruleset_dirs=[folder.parent]), folder


def initial_evaluation(engine, as_of, *events):
    case = engine.case_from_dict(
        {
            "id": "ZZ-1",
            "ruleset": "us-zz",
            "child": {"birth_date": "2017-04-03"},
            "events": [{"type": t, "date": d} for t, d in events],
        }
    )
    det = engine.evaluate(case, None, date.fromisoformat(as_of))
    return next(c for c in det.clocks if c.id == "initial_evaluation")


CONSENT = ("consent_for_evaluation", "2025-09-02")


def test_state_timeframe_counts_50_days_from_the_planning_meeting(zz):
    """300.301(c)(1)(ii): plan agreed 2025-09-10, 50 days later is 2025-10-30."""
    clock = initial_evaluation(
        zz[0], "2025-10-01", CONSENT, ("evaluation_plan_agreed", "2025-09-10")
    )
    assert (clock.start, clock.due, clock.status) == (
        date(2025, 9, 10),
        date(2025, 10, 30),
        "pending",
    )
    assert clock.citation == "Fictional State Rule 12"


def test_until_the_states_start_event_is_recorded_the_clock_needs_it(zz):
    clock = initial_evaluation(zz[0], "2025-09-05", CONSENT)
    assert clock.status == "needs_information" and clock.due is None
    assert "evaluation_plan_agreed" in clock.missing[0]
    assert "on or after the consent_for_evaluation of 2025-09-02" in clock.missing[0]


def test_a_planning_meeting_before_the_consent_does_not_start_it(zz):
    """The variant counts from its event on or after the built-in trigger (the consent)."""
    clock = initial_evaluation(
        zz[0], "2025-10-01", ("evaluation_plan_agreed", "2025-08-28"), CONSENT
    )
    assert clock.status == "needs_information"


def test_the_federal_60_days_from_consent_stay_under_the_baseline(zz):
    """300.301(c)(1)(i): consent 2025-09-02 + 60 days = 2025-11-01 under "us"."""
    engine = zz[0]
    case = engine.case_from_dict(
        {
            "id": "US-1",
            "ruleset": "us",
            "child": {"birth_date": "2017-04-03"},
            "events": [{"type": "consent_for_evaluation", "date": "2025-09-02"}],
        }
    )
    clock = next(
        c
        for c in engine.evaluate(case, None, date(2025, 10, 1)).clocks
        if c.id == "initial_evaluation"
    )
    assert clock.due == date(2025, 11, 1)


def test_validate_accepts_the_variant_with_its_event_registered_and_refuses_it_without(zz):
    engine, folder = zz
    [ok] = validate_paths([folder], engine.rulesets.folders, event_types=engine.event_types)
    assert not ok.problems, ok.problems
    [bad] = validate_paths(
        [folder], engine.rulesets.folders, event_types=Engine(entry_points=False).event_types
    )
    assert any(
        '"evaluation_plan_agreed" is not a registered event type' in str(p) for p in bad.problems
    )
