"""The one check that a path built from data or a ruleset stays inside its folder.

A student id such as ``../../x`` (used to name a graph file) or a ruleset's
``school_calendar = "/etc/passwd"`` must not reach outside the folder it is
meant for: `inside` resolves the path (following ``..`` and symbolic links) and
refuses anything that leaves the folder.
"""

from __future__ import annotations

from pathlib import Path


def escapes(folder: str | Path, name: str) -> bool:
    """True when `folder / name` would be outside `folder` (absolute, `..`, a link out)."""
    if not isinstance(name, str) or not name or "\x00" in name:
        return True
    if Path(name).is_absolute() or Path(name).drive:
        return True
    base = Path(folder).resolve()
    target = (base / name).resolve()
    return not target.is_relative_to(base)


def inside(folder: str | Path, name: str) -> Path | None:
    """`folder / name` when it stays inside `folder`, else None."""
    return None if escapes(folder, name) else Path(folder) / name


def file_name_problem(name: str) -> str | None:
    """Why `name` cannot be one file's name inside a folder (a separator, `..`), else None."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        return f"{name!r} cannot name a file inside the folder (it holds / or \\ or is . or ..)"
    return None
