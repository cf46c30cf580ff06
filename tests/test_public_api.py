"""The public API is what docs/plugins.md lists: importable from `eirules`, typed, stable."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import eirules

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_MD = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")


def _documented_names() -> list[str]:
    table = PLUGINS_MD.split("<!-- public-api")[1].split("<!-- /public-api -->")[0]
    names = []
    for row in table.splitlines():
        if row.startswith("| `"):
            names.extend(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", row.split("|")[1]))
    return names


def test_every_documented_name_is_exported_and_importable():
    documented = _documented_names()
    assert sorted(documented) == sorted(eirules.__all__)
    for name in documented:
        assert getattr(eirules, name) is not None, name


def test_docs_and_readme_import_only_from_eirules():
    """A plugin following the docs needs no internal module (issue 16)."""
    for path in (ROOT / "docs" / "plugins.md", ROOT / "README.md"):
        text = path.read_text(encoding="utf-8")
        imports = re.findall(r"^\s*from (eirules[\w.]*) import ([^\n]+)", text, flags=re.M)
        assert imports, path
        for module, names in imports:
            assert module == "eirules", f"{path.name}: from {module} import {names}"
            for name in re.findall(r"\w+", names):
                assert name in eirules.__all__, f"{path.name}: {name}"


def test_public_names_are_the_engines_own_objects():
    from eirules.core import decisions, engine

    assert eirules.Clock is decisions.Clock
    assert eirules.EventType is engine.EventType
    assert eirules.evaluate is engine.evaluate


def test_unknown_name_is_an_attribute_error():
    try:
        eirules.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_package_is_marked_typed_and_ships_the_marker():
    import tomllib

    assert (Path(eirules.__file__).parent / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["eirules"]


def test_import_eirules_stays_cheap():
    """`import eirules` (for hookimpl) loads no engine, rulesets or case model."""
    code = (
        "import sys, eirules; from eirules import hookimpl; "
        "print(sorted(m for m in sys.modules if m.startswith('eirules.core.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['eirules.core.hookspecs']"


def test_all_lists_exactly_the_lazily_imported_names():
    assert eirules.__all__ == ["__version__", "hookimpl", *eirules._PUBLIC]
