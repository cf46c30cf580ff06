"""Validate ruleset folders: their files, their clock values and their tests' format.

Used by `eirules rulesets validate`; each result is plain data the command prints
as text or JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from .errors import EirulesError, Problem, RulesetError, did_you_mean
from .ruleset_tests import read_expectations
from .ruleset_tools import find_tests
from .rulesets import (
    Ruleset,
    RulesetProblem,
    RulesetRegistry,
    _declared_id,
    _ruleset_dirs,
)


@attrs.frozen
class Validation:
    """The outcome of validating one ruleset folder."""

    path: str
    id: str | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "valid": self.valid,
            "problems": [problem_dict(p) for p in self.problems],
        }


def problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "file": getattr(problem, "file", "") or None,
        "line": getattr(problem, "line", None),
        "key": getattr(problem, "key", "") or None,
        "what": problem.what,
        "fix": problem.fix,
        "message": str(problem),
    }


def clock_event_problems(ruleset: Ruleset, event_types: Iterable[str]) -> list[Problem]:
    """Start and stop events of the ruleset's own clock values that no plugin registered.

    A clock that starts or stops on an unknown event would never start or never stop.
    """
    known = sorted(event_types)
    problems: list[Problem] = []
    for name, entries in sorted(ruleset.own_values.items()):
        declaration = ruleset.declarations.get(name)
        if declaration is None or declaration.type != "clock":
            continue
        for entry in entries:
            if not isinstance(entry.value, dict):
                continue
            for key in ("start", "stop"):
                for event in entry.value.get(key) or ():
                    if event in known:
                        continue
                    where = entry.file + (f":{entry.line}" if entry.line else "")
                    problems.append(
                        RulesetProblem(
                            f"{where}: {entry.key or name}.{key}",
                            f'"{event}" is not a registered event type',
                            did_you_mean(event, known)
                            or "register it with the register_event_types hook (docs/plugins.md), "
                            "or name an event type listed in docs/case-file.md",
                            file=entry.file,
                            line=entry.line,
                            key=f"{entry.key or name}.{key}",
                        )
                    )
    return problems


def validate_paths(
    paths: Iterable[str | Path], search: Iterable[Path], load_case=None, event_types=None
) -> list[Validation]:
    """Validate ruleset folders (or files in them, or folders of them) and their tests' format.

    `search` is where ancestors named by `extends` are found; the given folders
    come first, so a ruleset and the one it extends can be validated together.
    `load_case` (e.g. `Engine.load_case`), when given, checks each test's case file;
    `event_types` (e.g. `Engine.event_types`), every clock's start and stop events.
    """
    folders: list[Path] = []
    results: list[Validation] = []
    # Files outside any ruleset folder: an error when nothing else was named, else
    # skipped (so `validate rulesets/*` passes over a README beside the rulesets).
    strays: list[Validation] = []
    for raw in paths:
        path = Path(raw)
        if path.exists() and not path.is_dir():  # a pipe or a device too: refused when read
            if not (path.parent / "ruleset.toml").exists():
                problem = RulesetProblem(
                    str(path),
                    "is not a file of a ruleset folder (no ruleset.toml beside it)",
                    "point at a ruleset folder (one holding ruleset.toml)",
                    file=str(path),
                )
                strays.append(Validation(str(path), None, (problem,)))
                continue
            path = path.parent
        found = _ruleset_dirs(path)
        if not found and path.name == "__pycache__":  # Python's, beside rulesets/__init__.py
            problem = RulesetProblem(str(path), "is a Python cache folder", None, file=str(path))
            strays.append(Validation(str(path), None, (problem,)))
            continue
        if not found:
            problem = RulesetProblem(
                str(path),
                "found no ruleset.toml here or in the folders directly inside",
                "point at a ruleset folder (one holding ruleset.toml)",
                file=str(path),
            )
            results.append(Validation(str(path), None, (problem,)))
        folders.extend(found)
    if not folders:
        results.extend(strays)
    registry = RulesetRegistry([*folders, *search])
    for folder in dict.fromkeys(folders):
        rid = _declared_id(folder)
        problems: list[Problem] = []
        try:
            ruleset = registry.load_path(folder)
            rid = ruleset.id
            problems.extend(ruleset.holiday_problems())
            if event_types is not None:
                problems.extend(clock_event_problems(ruleset, event_types))
        except RulesetError as exc:
            problems.extend(exc.problems or (Problem(str(folder), exc.message),))
        for test in find_tests(folder):
            try:
                parsed = read_expectations(test)
                if load_case is not None:
                    load_case(parsed.case_path)
            except EirulesError as exc:
                problems.extend(exc.problems or (Problem(str(test), exc.message),))
        results.append(Validation(str(folder), rid, tuple(problems)))
    return results
