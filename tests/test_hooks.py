"""The plugin contract: every hook through a third-party plugin, entry points, tracing, errors.

The sample plugin (tests/plugins/sample_plugin.py) implements every hook the way an
agency would; it is registered directly with `pm.register` and also found through a
real `eirules` entry point in a dist-info folder on a temporary sys.path.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from eirules.core.engine import Engine
from eirules.core.errors import InputError, PluginError
from eirules.core.plugin_manager import BUILTINS, get_plugin_manager, plugin_info

PLUGINS = Path(__file__).parent / "plugins"
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))

import broken_plugin  # noqa: E402
import sample_plugin  # noqa: E402

HOOKS = (
    "clocks_for",
    "eligibility_criteria",
    "eligibility_for",
    "episodes_for",
    "findings_for",
    "referrals_for",
    "register_case_sections",
    "register_commands",
    "register_event_types",
    "register_rulesets",
)


def engine_with(*plugins) -> Engine:
    pm = get_plugin_manager(entry_points=False)
    for plugin in plugins:
        pm.register(plugin)
    return Engine(pm=pm)


@pytest.fixture(scope="module")
def sample_engine():
    return engine_with(sample_plugin)


def sample_case(engine, **extra):
    return engine.case_from_dict(
        {
            "id": "HV-1",
            "ruleset": "sample-agency",
            "child": {"birth_date": "2025-03-14"},
            "events": [{"type": "home_visit_requested", "date": "2026-01-05"}],
            "home_visits": {"visitor": "Pat Example", "visits": ["2026-01-12"]},
            **extra,
        }
    )


def test_the_sample_plugin_implements_every_hook():
    pm = get_plugin_manager(entry_points=False, builtins=False)
    pm.register(sample_plugin, name="sample")
    assert sorted(h.name for h in pm.get_hookcallers(sample_plugin)) == sorted(HOOKS)
    assert sorted(name for name in vars(pm.hook) if not name.startswith("_")) == sorted(HOOKS)


def test_hook_register_event_types_adds_to_the_vocabulary(sample_engine):
    spec = sample_engine.event_types["home_visit_requested"]
    assert spec.programs == ("home_visit",)
    # The built-in vocabulary is still there beside it.
    assert "referral_received" in sample_engine.event_types


def test_hook_register_event_types_unknown_without_the_plugin(engine):
    with pytest.raises(InputError, match='"home_visit_requested" is not a known event type'):
        engine.case_from_dict(
            {
                "id": "HV-1",
                "child": {"birth_date": "2025-03-14"},
                "events": [{"type": "home_visit_requested", "date": "2026-01-05"}],
            }
        )


def test_hook_register_rulesets_adds_a_ruleset_folder(sample_engine):
    assert "sample-agency" in sample_engine.rulesets.ids()
    assert sample_engine.rulesets.get("sample-agency").id == "sample-agency"


def test_hook_register_case_sections_reads_and_writes_the_section(sample_engine):
    from eirules.core.convert import case_to_dict

    case = sample_case(sample_engine)
    assert case.sections["home_visits"] == sample_plugin.HomeVisits(
        visitor="Pat Example", visits=("2026-01-12",)
    )
    assert case_to_dict(case)["home_visits"] == {
        "visitor": "Pat Example",
        "visits": ["2026-01-12"],
    }


def test_hook_register_case_sections_bad_section_is_reported_with_its_path(sample_engine):
    with pytest.raises(InputError) as info:
        sample_case(sample_engine, home_visits={"visiter": "Pat"})
    assert [str(p) for p in info.value.problems] == [
        'home_visits.visiter: unknown key "visiter"; did you mean "visitor"?',
        "home_visits.visitor: required but missing; expected a string",
    ]


def test_hook_register_commands_adds_a_command():
    @click.group()
    def group():
        """A bare group."""

    pm = get_plugin_manager(entry_points=False, builtins=False)
    pm.register(sample_plugin)
    pm.hook.register_commands(cli=group)
    result = CliRunner().invoke(group, ["sample-hello"])
    assert result.exit_code == 0 and result.output == "hello from the sample plugin\n"


def test_hook_eligibility_for_clocks_for_referrals_for_findings_for(sample_engine):
    """Request 2026-01-05 + the plugin's fictional 10 days = due 2026-01-15, overdue on the 20th."""
    det = sample_engine.evaluate(sample_case(sample_engine), None, date(2026, 1, 20))
    assert det.ruleset == "sample-agency"
    home = det.eligibility_for("home_visit")
    assert (home.outcome, home.basis) == ("eligible", ("family_request",))
    clock = det.clock("home_visit_follow_up")
    assert (clock.start, clock.due, clock.status) == (
        date(2026, 1, 5),
        date(2026, 1, 15),
        "overdue",
    )
    assert [r.id for r in det.referrals] == ["home_visit_to_nurse"]
    (finding,) = [f for f in det.findings if f.rule == "home_visit.follow_up_counted"]
    assert finding.inputs == {"home_visit_requested": "2026-01-05"}
    assert finding.parameters == {"home_visits.follow_up_days": 10}
    assert finding.citation == clock.citation == "Sample agency policy 2"
    assert finding.reason == "Counted 10 days from the request under ruleset sample-agency."


def test_hook_clocks_for_reads_the_plugins_own_ruleset_parameter(sample_engine):
    """home_visits.follow_up_days (10, sample-agency ruleset): due 2026-01-15, met on the 12th."""
    case = sample_case(
        sample_engine,
        events=[
            {"type": "home_visit_requested", "date": "2026-01-05"},
            {"type": "home_visit_made", "date": "2026-01-12"},
        ],
    )
    clock = sample_engine.evaluate(case, None, date(2026, 1, 20)).clock("home_visit_follow_up")
    assert (clock.due, clock.met_on, clock.status) == (date(2026, 1, 15), date(2026, 1, 12), "met")
    soon = sample_engine.evaluate(sample_case(sample_engine), None, date(2026, 1, 10))
    assert soon.clock("home_visit_follow_up").status == "due_soon"


def test_hook_clocks_for_without_the_plugins_ruleset_gives_no_clock(sample_engine):
    det = sample_engine.evaluate(sample_case(sample_engine), "us", date(2026, 1, 20))
    assert det.clock("home_visit_follow_up") is None


def test_a_clock_parameter_declared_in_a_plugin_ruleset_can_be_read(tmp_path):
    folder = tmp_path / "clock-agency"
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "clock-agency"\ntitle = "Clock agency (fictional)"\n'
        'jurisdiction = "US"\nextends = "us"\nversion = "0.1"\n'
    )
    (folder / "visits.toml").write_text(
        "[parameters.visits.follow_up]\n"
        'label = "Follow-up visit (fictional)"\ntype = "clock"\n\n'
        "[[parameters.visits.follow_up.values]]\neffective = 2020-01-01\n"
        'value = { start = ["home_visit_requested"], stop = ["home_visit_made"], length = 10, unit = "calendar_days" }\n'
        'citation = "Fictional policy"\n'
    )
    engine = Engine(pm=get_plugin_manager(entry_points=False), ruleset_dirs=[tmp_path])
    ruleset = engine.rulesets.get("clock-agency")
    assert ruleset.value("visits.follow_up", date(2026, 1, 5))["length"] == 10


def test_hook_returning_none_means_no_opinion(sample_engine):
    """No section, no request: the plugin returns None from every decision hook."""
    case = sample_engine.case_from_dict({"id": "X", "child": {"birth_date": "2025-03-14"}})
    det = sample_engine.evaluate(case, "us", date(2026, 1, 20))
    assert det.eligibility_for("home_visit") is None
    assert det.clock("home_visit_follow_up") is None


# Misbehaving plugins are named -----------------------------------------------------------


@pytest.mark.parametrize(
    "plugin, message",
    [
        (
            broken_plugin.RaisesInClocks(),
            'plugin "broken" failed in clocks_for: ZeroDivisionError: division by zero',
        ),
        (
            broken_plugin.ReturnsAString(),
            'plugin "broken" returned "eligible" from eligibility_for; '
            "expected a list of Eligibility or None",
        ),
        (
            broken_plugin.ReturnsOneFindingNotAList(),
            'plugin "broken" returned "Finding(rule=',
        ),
    ],
)
def test_a_misbehaving_plugin_is_a_plugin_error_that_names_it(plugin, message):
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="broken")
    engine = Engine(pm=pm)
    case = engine.case_from_dict({"id": "X", "child": {"birth_date": "2025-03-14"}})
    with pytest.raises(PluginError) as info:
        engine.evaluate(case, "us", date(2026, 1, 20))
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    "plugin, message",
    [
        (
            broken_plugin.ReturnsBadEventType(),
            'plugin "broken" returned ["not_an_event_type"] from register_event_types; '
            "expected a list of EventType or None",
        ),
        (
            broken_plugin.ReturnsBadSections(),
            'plugin "broken" returned ["home_visits"] from register_case_sections; '
            "expected {section name: attrs class}",
        ),
    ],
)
def test_a_plugin_with_a_bad_registration_is_named(plugin, message):
    pm = get_plugin_manager(entry_points=False)
    pm.register(plugin, name="broken")
    with pytest.raises(PluginError, match="^" + __import__("re").escape(message)):
        Engine(pm=pm).case_from_dict({"id": "X", "child": {"birth_date": "2025-03-14"}})


def test_a_broken_plugin_gives_an_error_line_not_a_traceback(monkeypatch):
    from eirules import cli as cli_module

    pm = get_plugin_manager(entry_points=False)
    pm.register(broken_plugin.RaisesInClocks(), name="broken")
    monkeypatch.setattr("eirules.core.engine.get_plugin_manager", lambda **kw: pm)
    example = Path(__file__).parent.parent / "examples" / "mo-0001.json"
    result = CliRunner().invoke(cli_module.cli, ["check", str(example), "--as-of", "2026-02-01"])
    assert result.exit_code == 1
    assert result.output.startswith(
        'Error: plugin "broken" failed in clocks_for: ZeroDivisionError: division by zero\n'
    )
    assert "Traceback" not in result.output


# Entry points, `eirules plugins`, tracing ------------------------------------------------


@pytest.fixture
def installed_sample(tmp_path, monkeypatch, installed_plugins):
    """A real distribution `eirules-sample 1.2.3` with an `eirules` entry point."""
    dist = tmp_path / "eirules_sample-1.2.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: eirules-sample\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text("[eirules]\nsample = sample_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGINS))
    importlib.invalidate_caches()
    return dist


def test_entry_point_group_eirules_loads_an_installed_plugin(installed_sample):
    pm = get_plugin_manager(entry_points=True)
    assert pm.get_plugin("sample") is sample_plugin
    info = {item["name"]: item for item in plugin_info(pm)}
    assert info["sample"] == {
        "name": "sample",
        "package": "eirules-sample",
        "version": "1.2.3",
        "hooks": sorted(HOOKS),
    }


def test_eirules_plugins_lists_installed_and_built_in_plugins(installed_sample):
    from eirules import __version__
    from eirules.cli import cli

    result = CliRunner().invoke(cli, ["plugins", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = {item["name"]: item for item in json.loads(result.output)}
    assert data["sample"]["version"] == "1.2.3"
    assert data["sample"]["hooks"] == sorted(HOOKS)
    for name in BUILTINS:
        assert data[name]["version"] == __version__
        assert data[name]["package"] == "eirules (built-in)"

    text = CliRunner().invoke(cli, ["plugins"]).output
    sample = next(line for line in text.splitlines() if line.startswith("sample "))
    assert sample.split()[:3] == ["sample", "eirules-sample", "1.2.3"]
    assert sample.split()[3:] == sorted(HOOKS)  # piped: one line per plugin, every hook


def test_tests_pass_entry_points_false_so_installed_plugins_cannot_leak_in(installed_sample):
    assert get_plugin_manager(entry_points=False).get_plugin("sample") is None


def test_disable_plugin_autoload_keeps_installed_plugins_out(installed_sample, monkeypatch):
    """The project's own suite sets it (tests/conftest.py), so it is hermetic."""
    monkeypatch.setenv("EIRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert get_plugin_manager().get_plugin("sample") is None
    monkeypatch.setenv("EIRULES_DISABLE_PLUGIN_AUTOLOAD", "0")
    assert get_plugin_manager().get_plugin("sample") is sample_plugin


def test_trace_plugins_prints_each_hook_call_and_who_answered(monkeypatch, capsys):
    monkeypatch.setenv("EIRULES_TRACE_PLUGINS", "1")
    pm = get_plugin_manager(entry_points=False)
    pm.register(sample_plugin, name="sample")
    engine = Engine(pm=pm)
    engine.evaluate(sample_case(engine), None, date(2026, 1, 20))
    err = capsys.readouterr().err
    assert "[eirules] clocks_for(" in err
    calls = [line for line in err.splitlines() if line.startswith("[eirules] clocks_for(")]
    assert calls and "sample" in calls[0] and "eirules.plugins.part_c" in calls[0]
    assert "[eirules] clocks_for <- " in err


def test_no_trace_unless_asked(monkeypatch, capsys):
    monkeypatch.delenv("EIRULES_TRACE_PLUGINS", raising=False)
    engine = engine_with(sample_plugin)
    engine.evaluate(sample_case(engine), None, date(2026, 1, 20))
    assert "[eirules]" not in capsys.readouterr().err


def test_hookimpl_is_importable_without_pluggy():
    from eirules import hookimpl
    from eirules.plugins import hookimpl as builtin_hookimpl

    assert hookimpl is builtin_hookimpl
    assert hookimpl.project_name == "eirules"


def test_a_misspelt_hook_is_refused_with_the_closest_name():
    from eirules.core.plugin_manager import _check_hook_names

    pm = get_plugin_manager(entry_points=False)
    pm.register(broken_plugin.MisspeltHook(), name="broken")
    with pytest.raises(PluginError) as info:
        _check_hook_names(pm)
    assert str(info.value) == (
        'plugin "broken" implements "clock_for", which is not an eirules hook\n'
        '  did you mean "clocks_for"?'
    )


def test_an_installed_plugin_that_cannot_be_imported_is_named(
    tmp_path, monkeypatch, installed_plugins
):
    from eirules.cli import cli

    dist = tmp_path / "eirules_missing-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: eirules-missing\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[eirules]\nmissing = no_such_module_here\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    example = Path(__file__).parent.parent / "examples" / "mo-0001.json"
    result = CliRunner().invoke(cli, ["check", str(example), "--as-of", "2026-02-01"])
    assert result.exit_code == 1
    assert result.output == (
        'Error: plugin "missing" (entry point group "eirules") cannot be loaded: '
        "ModuleNotFoundError: No module named 'no_such_module_here'\n"
        "  fix or uninstall the plugin's package\n"
    )


# Criteria added to another plugin's program ---------------------------------------------


def _part_c_case(engine, need=None):
    """Referred 2026-01-05; evaluated 2026-01-20 with a 20% communication delay (below MO's 50%)."""
    events = [{"type": "referral_received", "date": "2026-01-05"}]
    if need is not None:
        events.append({"type": "home_visit_need_recorded", "date": "2026-01-22", **need})
    data = {
        "id": "HV-PC-1",
        "ruleset": "us-mo",
        "child": {"birth_date": "2025-03-14"},
        "events": events,
        "evaluations": [
            {"date": "2026-01-20", "scores": [{"domain": "communication", "percent_delay": 20}]}
        ],
    }
    return engine.case_from_dict(data)


def test_hook_eligibility_criteria_adds_a_basis_to_the_one_part_c_outcome(sample_engine):
    """A plugin's criterion makes Part C eligible, in Part C's single outcome, beside its reasons."""
    plain = sample_engine.evaluate(_part_c_case(sample_engine), None, date(2026, 2, 1))
    assert [e.outcome for e in plain.eligibility if e.program == "part_c"] == ["not_eligible"]
    det = sample_engine.evaluate(
        _part_c_case(sample_engine, {"note": "feeding support"}), None, date(2026, 2, 1)
    )
    part_c = [e for e in det.eligibility if e.program == "part_c"]
    assert len(part_c) == 1
    assert part_c[0].outcome == "eligible"
    assert part_c[0].basis == ("sample_need",)
    assert part_c[0].citation == "Sample agency policy 4"
    assert "the home visitor recorded feeding support" in part_c[0].reason
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.sample_need")
    assert finding.outcome == "eligible"
    assert finding.inputs == {"home_visit_need_recorded": "2026-01-22", "note": "feeding support"}
    # The delay finding still explains why the scores alone were not enough.
    delay = next(f for f in det.findings if f.rule == "part_c.eligibility.developmental_delay")
    assert delay.outcome == "not_eligible"


def test_hook_eligibility_criteria_needing_information_keeps_part_c_open(sample_engine):
    det = sample_engine.evaluate(_part_c_case(sample_engine, {}), None, date(2026, 2, 1))
    [part_c] = [e for e in det.eligibility if e.program == "part_c"]
    assert part_c.outcome == "needs_information"
    assert "the home visitor's finding" in part_c.missing


def test_two_outcomes_for_one_program_are_refused_with_what_to_do():
    from eirules import Eligibility, hookimpl

    class Rival:
        @staticmethod
        @hookimpl
        def eligibility_for(case):
            return [Eligibility(program="part_c", outcome="eligible", basis=("x",))]

    engine = engine_with(Rival())
    with pytest.raises(PluginError) as info:
        engine.evaluate(_part_c_case(engine), None, date(2026, 2, 1))
    assert str(info.value).startswith('two eligibility outcomes for program "part_c"')
    assert "implement eligibility_criteria" in str(info.value)
