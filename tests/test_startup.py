"""Lean start-up: a command imports only what it needs; graphs are an optional extra."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import json, sys
sys.argv = ["eirules", *json.loads(sys.argv[1])]
from eirules.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {"numpy", "matplotlib",
      "PIL", "sqlite_utils", "sqlite3"} or m in {"holidays.countries",
      "eirules.plugins.mtss.rules", "eirules.plugins.mtss.models", "eirules.plugins.plans.models"})),
      file=sys.stderr)
"""


def _modules_after(*args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("check", "examples/mo-0001.json", "--as-of", "2026-02-01"),
        ("check", "examples/mo-0001.json", "--as-of", "2026-02-01", "--format", "json"),
    ],
)
def test_check_and_version_import_no_store_graphs_or_holiday_tables(args):
    """`eirules check` needs neither the caseload store nor the graphing stack, nor, for a
    case without those sections, the MTSS rules and the MTSS and plans models."""
    assert _modules_after(*args) == []


def test_a_command_on_a_stored_caseload_imports_neither_sqlite_utils_nor_pandas(tmp_path):
    """Opening a caseload is plain sqlite3: sqlite-utils imports pandas and numpy where
    they are installed (about a second of every command's start-up)."""
    db = tmp_path / "c.db"
    CliRunner().invoke(cli, ["db", "init", str(db)], catch_exceptions=False)
    found = _modules_after("cases", "list", "--db", str(db))
    assert "sqlite3" in found  # the caseload was opened
    assert not [m for m in found if m.split(".")[0] in ("sqlite_utils", "numpy")]


def test_check_still_uses_holidays_when_a_business_day_clock_needs_them():
    """The holidays package is loaded when a clock counts business days, not at start-up."""
    from eirules import get_engine

    rs = get_engine().rulesets.get("us-mo")
    assert not rs.business_calendar([2026]).is_business_day(
        __import__("datetime").date(2026, 11, 26)
    )  # Thanksgiving


def _without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    for name in [m for m in sys.modules if m.startswith("eirules.plugins.mtss.")]:
        if name.rsplit(".", 1)[1] in ("graphs", "report"):
            monkeypatch.delitem(sys.modules, name)


def test_progress_graph_without_graphs_extra_says_how_to_install_it(monkeypatch, tmp_path):
    _without_matplotlib(monkeypatch)
    res = CliRunner().invoke(
        cli, ["progress", "ELM-005", "--as-of", "2026-06-05", "--out", str(tmp_path)]
    )
    assert res.exit_code == 1, res.output
    assert res.output.splitlines()[0].startswith(
        "Error: graphs need matplotlib, which is not installed"
    )
    assert "pip install 'eirules[graphs]'" in res.output
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_progress_without_graphs_extra_works_with_no_graph(monkeypatch):
    _without_matplotlib(monkeypatch)
    res = CliRunner().invoke(
        cli, ["progress", "ELM-018", "--as-of", "2026-06-05", "--no-graph", "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)[0]["decision"] == "fidelity_issue"


def test_graphs_extra_is_optional_in_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("matplotlib") for d in project["dependencies"])
    assert any(d.startswith("matplotlib") for d in project["optional-dependencies"]["graphs"])
    readme = (ROOT / "README.md").read_text()
    assert 'pip install -e ".[dev,graphs]"' in readme  # README's first command still installs it


def test_the_suite_tests_this_checkout_not_an_installed_copy():
    """README's test command must test the working tree (issue 10): every eirules package
    is imported from this checkout's folders, as the editable install in README gives."""
    from conftest import CHECKOUT, imported_from_elsewhere

    import eirules
    import eirules.core.dates

    assert imported_from_elsewhere() == []
    assert Path(eirules.__file__).resolve() == CHECKOUT / "api" / "__init__.py"
    assert Path(eirules.core.dates.__file__).resolve() == CHECKOUT / "core" / "dates.py"
    readme = (CHECKOUT / "README.md").read_text()
    assert 'pip install -e ".[dev,graphs]"' in readme
    assert 'python -m pip install --quiet -e ".[dev,graphs]"' in (CHECKOUT / ".ci/run").read_text()


def test_a_case_with_an_mtss_section_still_reads_and_decides_it():
    """The MTSS section class is imported when a case file has the section."""
    from eirules import get_engine

    det = get_engine().evaluate(
        {
            "id": "ELM-LAZY",
            "ruleset": "mtss",
            "child": {"birth_date": "2018-03-01"},
            "mtss": {"student": {"grade": 2, "school": "Elm"}},
        },
        None,
        "2025-11-01",
    )
    assert det.case == "ELM-LAZY"


def test_a_section_named_by_an_import_string_that_does_not_import_is_a_plugin_error():
    from eirules import Engine, PluginError, hookimpl
    from eirules.core.plugin_manager import get_plugin_manager

    class Broken:
        @staticmethod
        @hookimpl
        def register_case_sections():
            return {"home_visits": "eirules_missing_module:HomeVisits"}

    pm = get_plugin_manager(entry_points=False)
    pm.register(Broken())
    engine = Engine(pm=pm)
    with pytest.raises(PluginError) as info:
        engine.case_from_dict(
            {"id": "X", "child": {"birth_date": "2025-01-01"}, "events": [], "home_visits": {}}
        )
    assert str(info.value).startswith(
        'case-file section "home_visits": eirules_missing_module:HomeVisits is not an attrs class'
    )
