"""Where rulesets are found (folders, $EIRULES_RULESETS_PATH, plugins) and the registry by id."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, RulesetError, UnknownRuleset, did_you_mean
from .files import RulesetProblem, read_toml_text
from .floors import shadow_problems
from .loading import load_folder, read_header
from .ruleset import Ruleset

#: The ruleset a case file that names none is evaluated under (and listed as).
DEFAULT_RULESET = "us"


def builtin_folder() -> Path:
    """Where the shipped rulesets live inside the installed package."""
    from eirules import rulesets as package

    return Path(package.__file__).parent


def _plugin_folders(pm) -> list[Path]:
    """Folders plugins register; one that does not exist is an error naming the plugin.

    Silence would hide a packaging mistake (the folder not shipped as package data)
    until a case names a ruleset that then cannot be found.
    """
    folders: list[Path] = []
    problems: list[Problem] = []
    # pluggy calls the last registered first; keep that order, as the hook call would.
    for impl in reversed(pm.hook.register_rulesets.get_hookimpls()):
        for path in impl.function() or ():
            folder = Path(path)
            if not folder.is_dir():
                problems.append(
                    Problem(
                        str(folder),
                        f'plugin "{impl.plugin_name}" registered this ruleset folder, '
                        "but it does not exist",
                        "ship it with the plugin's package: list its files under "
                        "[tool.setuptools.package-data] in the plugin's pyproject.toml "
                        "(docs/plugins.md, register_rulesets)",
                    )
                )
            folders.append(folder)
    if problems:
        raise RulesetError("a plugin's ruleset folder is missing", problems)
    return folders


def ruleset_folders(extra: Iterable[Path] = (), pm=None) -> list[Path]:
    """Folders to search, in priority order: extra, $EIRULES_RULESETS_PATH, plugins, built-in."""
    folders = [Path(p) for p in extra]
    env = os.environ.get("EIRULES_RULESETS_PATH")
    if env:
        folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    if pm is not None:
        folders.extend(_plugin_folders(pm))
    folders.append(builtin_folder())
    return folders


def _ruleset_dirs(folder: Path) -> list[Path]:
    """The folder itself if it is a ruleset, else the ruleset folders directly inside it.

    A ruleset.toml that is not a regular file (a named pipe, a link to a device) still
    makes a ruleset folder: loading it refuses the file by name, where "no ruleset.toml
    here" would be wrong.
    """
    if (folder / "ruleset.toml").exists():
        return [folder]
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if (p / "ruleset.toml").exists())
    return []


def declared_header(folder: Path) -> dict[str, Any]:
    """The [ruleset] table of a folder's ruleset.toml as written, or {} when it cannot be
    read (loading the folder reports why); never waits on a pipe or reads a device."""
    try:
        header = tomllib.loads(read_toml_text(Path(folder) / "ruleset.toml")).get("ruleset")
    except (InputError, UnicodeDecodeError, ValueError):
        return {}
    return header if isinstance(header, dict) else {}


def _declared_id(folder: Path) -> str:
    rid = declared_header(folder).get("id")
    return rid if isinstance(rid, str) and rid else folder.name


def discover(folders: Iterable[Path]) -> dict[str, Path]:
    """Map ruleset id to folder; a folder may be a ruleset or hold ruleset folders."""
    found: dict[str, Path] = {}
    for folder in folders:
        for candidate in _ruleset_dirs(Path(folder)):
            found.setdefault(_declared_id(candidate), candidate)
    return found


class RulesetRegistry:
    """Finds and loads rulesets by id, caching each one."""

    def __init__(self, folders: Iterable[Path], calendars: Any = None):
        self.folders = list(folders)
        #: Imported district calendars given to every ruleset loaded (core.calendars).
        self.calendars = calendars
        self._index: dict[str, Path] | None = None
        self._loaded: dict[str, Ruleset] = {}

    @property
    def index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = discover(self.folders)
        return self._index

    def ids(self) -> list[str]:
        return sorted(self.index)

    def get(self, ruleset_id: str) -> Ruleset:
        loaded = self._loaded.get(ruleset_id)
        if loaded is not None:
            return loaded
        return self._load(ruleset_id, ())

    def _hold_to_shipped(self, ruleset_id: str, folder: Path, ruleset: Ruleset) -> None:
        """A baseline found outside the shipped folder with a shipped baseline's id keeps
        the shipped floors (`floors.shadow_problems`): RulesetError when it loosens one."""
        shipped_folder = builtin_folder() / ruleset_id
        if not (shipped_folder / "ruleset.toml").is_file():
            return
        if Path(os.path.realpath(shipped_folder)) == Path(os.path.realpath(folder)):
            return  # the shipped folder itself (realpath never raises for a missing path)
        shipped = load_folder(shipped_folder, None)
        problems = shadow_problems(ruleset, shipped)
        if problems:
            raise RulesetError(
                f'ruleset "{ruleset_id}" ({folder}) is not valid: it takes the id of the '
                "shipped baseline and loosens its federal floors",
                problems,
            )

    def load_path(self, folder: Path) -> Ruleset:
        """Load the ruleset in a folder (its ancestors by id from this registry)."""
        folder = Path(folder)
        header = read_header(folder)
        rid = header["id"]
        parent = None
        if header.get("extends"):
            parent = self._load(header["extends"], (rid,))
        ruleset = load_folder(folder, parent)
        if parent is None:
            self._hold_to_shipped(rid, folder, ruleset)
        ruleset.district_calendars = self.calendars
        return ruleset

    def _load(self, ruleset_id: str, seen: tuple[str, ...]) -> Ruleset:
        if ruleset_id in self._loaded:
            return self._loaded[ruleset_id]
        if ruleset_id in seen:
            cycle = " -> ".join((*seen, ruleset_id))
            folder = self.index.get(ruleset_id)
            raise RulesetError(
                f"rulesets extend each other in a cycle: {cycle}",
                [
                    RulesetProblem(
                        f"{folder / 'ruleset.toml' if folder else ruleset_id}: ruleset.extends",
                        f"found a cycle {cycle}; expected a chain that ends at a baseline",
                        "make one ruleset in the cycle extend a baseline such as us",
                        file=str(folder / "ruleset.toml") if folder else "",
                        key="ruleset.extends",
                    )
                ],
            )
        folder = self.index.get(ruleset_id)
        if folder is None:
            hint = did_you_mean(ruleset_id, self.index)
            raise UnknownRuleset(
                f'no ruleset "{ruleset_id}"'
                + (f"; {hint}" if hint else f"; known rulesets: {', '.join(self.ids())}")
            )
        header = read_header(folder)
        parent = None
        if header.get("extends"):
            parent = self._load(header["extends"], (*seen, ruleset_id))
        ruleset = load_folder(folder, parent)
        if parent is None:
            self._hold_to_shipped(ruleset_id, folder, ruleset)
        ruleset.district_calendars = self.calendars
        self._loaded[ruleset_id] = ruleset
        return ruleset
