"""Issue 10: a plugin upgraded under the same eirules version makes stored evaluations stale.

What decides whether a stored evaluation is current is the engine that made it:
eirules' version and every installed plugin distribution with its version (the
determination's `engine`), and the ruleset's full version, whose `+` part is a
digest of the ruleset's content. A plugin upgraded from 1.2.3 to 1.2.4, one
installed or removed, or a ruleset file edited in place, each makes `due`
evaluate the cases again for its answer instead of reading the stored rows.
"""

from __future__ import annotations

import importlib
import textwrap
from datetime import date

import pytest
from helpers import write_case_file

from eirules.core.engine import Engine
from eirules.core.store import Store

PLUGIN = '''
"""A fictional agency plugin for this test: it adds one finding to every case."""
from eirules import hookimpl
from eirules.core.decisions import Finding


@hookimpl
def findings_for(case, ruleset, as_of):
    return [Finding(rule="tiny_check", outcome="ok", reason="checked", citation="test rule")]
'''


def _install(root, version: str) -> None:
    """The distribution `eirules-tiny VERSION` with an `eirules` entry point, replacing any."""
    for old in root.glob("eirules_tiny-*.dist-info"):
        for f in old.iterdir():
            f.unlink()
        old.rmdir()
    dist = root / f"eirules_tiny-{version}.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: eirules-tiny\nVersion: {version}\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text("[eirules]\ntiny = tiny_plugin\n", encoding="utf-8")
    importlib.invalidate_caches()


@pytest.fixture
def tiny(tmp_path, monkeypatch, installed_plugins):
    root = tmp_path / "site"
    root.mkdir()
    (root / "tiny_plugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    _install(root, "1.2.3")
    return root


def _due(db, engine, as_of=date(2026, 2, 10)):
    store = Store.open(db, engine)
    try:
        return store.due(as_of=as_of)
    finally:
        store.close()


def test_the_engine_names_each_installed_plugin_distribution_and_its_version(tiny):
    from eirules import __version__

    # Other installed plugins (CI installs the docs/plugins.md example) are named too.
    parts = Engine().version.split(" + ")
    assert parts[0] == f"eirules {__version__}" and "eirules-tiny 1.2.3" in parts[1:]
    assert Engine(entry_points=False).version == f"eirules {__version__}"  # built-ins only


def test_a_plugin_upgraded_under_the_same_eirules_version_is_stale(tiny, tmp_path):
    """Stored by eirules-tiny 1.2.3; with 1.2.4 installed `due` evaluates the case again."""
    db = tmp_path / "caseload.db"
    engine = Engine()
    store, _ = Store.init(db, engine)
    store.import_paths(
        [str(write_case_file(tmp_path / "t.json", "T-0001"))], evaluate_as_of=date(2026, 2, 10)
    )
    store.close()
    assert _due(db, Engine()).refreshed == 0  # current: answered from the stored rows

    _install(tiny, "1.2.4")
    upgraded = Engine()
    assert upgraded.version.endswith("eirules-tiny 1.2.4")
    answer = _due(db, upgraded)
    assert answer.refreshed == 1
    assert "initial_ifsp_meeting" in [r["clock"] for r in answer.rows]


def test_a_plugin_removed_is_stale_too(tiny, tmp_path, monkeypatch):
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, Engine())
    store.import_paths(
        [str(write_case_file(tmp_path / "t.json", "T-0001"))], evaluate_as_of=date(2026, 2, 10)
    )
    store.close()
    assert _due(db, Engine(entry_points=False)).refreshed == 1


def test_a_ruleset_file_edited_in_place_is_stale(tmp_path):
    """The same ruleset id and version with other content: its full version's digest moves."""
    from helpers import write_test_rulesets

    root = write_test_rulesets(tmp_path / "rulesets")
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, Engine(entry_points=False, ruleset_dirs=[root]))
    store.import_paths(
        [str(write_case_file(tmp_path / "t.json", "T-0001", ruleset="xs"))],
        evaluate_as_of=date(2026, 2, 10),
    )
    store.close()
    assert _due(db, Engine(entry_points=False, ruleset_dirs=[root])).refreshed == 0
    rules = root / "xs" / "rules.toml"
    rules.write_text(rules.read_text().replace("at_least = 50", "at_least = 40"))
    assert "at_least = 40" in rules.read_text()
    assert _due(db, Engine(entry_points=False, ruleset_dirs=[root])).refreshed == 1
