"""The built-in plugins' layout (issue 12, "Shape of the code").

Each program is a package with one module per rule family; the shared vocabulary
(`eirules.plugins.vocabulary`) and the recurring-review helper import from no
program; the program packages import nothing from each other; no module imports
back into a module that imports it (no cycles).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from eirules.core.plugin_manager import BUILTINS, get_plugin_manager

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
PROGRAMS = ("part_c", "part_b")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PLUGINS).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["eirules.plugins", *parts])


def _imports(path: Path) -> set[str]:
    """The eirules.plugins modules a file imports, resolved to absolute names."""
    package = (
        _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    )
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("eirules.plugins"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("eirules.plugins"))
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for p in PLUGINS.rglob("*.py") if "mtss" not in p.relative_to(PLUGINS).parts]
    return {_module_name(p): _imports(p) for p in files}


@pytest.mark.parametrize("shared", ["eirules.plugins.vocabulary", "eirules.plugins.recurring"])
def test_the_shared_modules_import_from_no_program(shared):
    imported = _graph()[shared]
    assert not [m for m in imported if m.split(".")[2] in PROGRAMS]


def test_the_program_packages_import_nothing_from_each_other():
    for module, imported in _graph().items():
        program = module.split(".")[2] if module.count(".") >= 2 else None
        if program in PROGRAMS:
            others = [
                m for m in imported if m.split(".")[2] in PROGRAMS and m.split(".")[2] != program
            ]
            assert not others, f"{module} imports {others}"


def test_no_import_cycle_among_the_built_in_rule_modules():
    graph = _graph()

    def reaches(start: str, seen: set[str]) -> set[str]:
        for target in graph.get(start, ()):
            if target not in seen:
                seen.add(target)
                reaches(target, seen)
        return seen

    for module in graph:
        # A package's __init__ imports its modules; a module importing its own
        # package's __init__ back would be the cycle we rule out.
        assert module not in reaches(module, set()), f"{module} is in an import cycle"


def test_each_rule_module_is_short_enough_to_hold_in_your_head():
    for program in PROGRAMS:
        for path in (PLUGINS / program).glob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines < 500, f"{path.name}: {lines} lines"


def test_the_built_ins_load_by_name():
    pm = get_plugin_manager(entry_points=False)
    names = {name for name, _ in pm.list_name_plugin()}
    assert set(BUILTINS) <= names
    assert {
        "eirules.plugins.part_c",
        "eirules.plugins.part_b",
        "eirules.plugins.vocabulary",
    } <= names
    part_c = pm.get_plugin("eirules.plugins.part_c")
    assert {h.name for h in pm.get_hookcallers(part_c)} == {
        "register_event_types",
        "eligibility_for",
        "episodes_for",
        "clocks_for",
        "referrals_for",
        "findings_for",
    }


def test_the_public_helpers_keep_their_import_paths():
    from eirules.plugins.part_c import corrected_age, percent_delay, third_birthday
    from eirules.plugins.vocabulary import DELAY_REASONS, PART_B_EVENT_TYPES, PART_C_EVENT_TYPES

    assert percent_delay(20, 10) == 50.0
    assert callable(corrected_age) and callable(third_birthday)
    assert "exceptional_family_circumstances" in DELAY_REASONS
    assert "referral_received" in PART_C_EVENT_TYPES and "iep_meeting_held" in PART_B_EVENT_TYPES
