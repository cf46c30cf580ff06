"""What `db init` checks about an SQLite path before it writes anything there.

A caseload is made in a new (or empty) file, or an existing caseload is brought up
to date. Anything else is refused before the file is opened, created or has its
mode changed: a device such as /dev/null (``chmod`` would have changed the device
itself, for every program of the machine), a folder, a pipe, a file of another
program (SQLite or not), a file that cannot be read, a path whose folder
cannot be made, and a path ending with a slash (which names a folder, though
``Path`` would drop the slash and make a file of it). Each refusal names the file, says what is wrong and gives a fix
that works: a new file in eirules' own data folder, free at the time of the message.
"""

from __future__ import annotations

import errno
import os
import shlex
import sqlite3
from pathlib import Path

from ..errors import Problem, StorageError
from ..private_files import kind_of
from . import migrations
from .backend import Connection

SQLITE_HEADER = b"SQLite format 3\x00"


def _free_file(folder: Path) -> Path:
    """A caseload file name not in use yet in `folder`."""
    candidate, n = folder / "caseload.db", 2
    while os.path.lexists(candidate):
        candidate, n = folder / f"caseload-{n}.db", n + 1
    return candidate


def _quoted_free(folder: Path) -> str:
    return shlex.quote(str(_free_file(folder)))


def new_file_fix(folder: Path) -> str:
    """Make a caseload in a new file of `folder` (eirules' data folder) instead."""
    return f"give the path of a new file, e.g.: eirules db init {_quoted_free(folder)}"


def _foreign_tables(path: Path) -> list[str]:
    """Tables of another program in an SQLite file (none for a caseload or a file without any)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            if migrations.applied(Connection(conn, "sqlite")):
                return []
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return []  # damaged past its header: opening it says so
    return sorted(n for n in names if not n.startswith("sqlite_"))


def _check_slash(text: str, where: str) -> None:
    """A path ending with a slash names a folder: refused, with the path without it
    and a file inside it (whichever can be made)."""
    seps = os.sep + (os.altsep or "")
    bare = text.rstrip(seps)
    if bare == text or not bare:
        return
    folder = Path(bare)
    fixes = []
    if not folder.is_dir():
        fixes.append(f"the file without the slash: eirules db init {shlex.quote(bare)}")
    if folder.is_dir() or not os.path.lexists(folder):
        fixes.append(f"a file inside the folder: eirules db init {_quoted_free(folder)}")
    raise StorageError(
        f"{text} ends with a slash, so it names a folder: a caseload is a file",
        [Problem(where, "nothing was made", "give " + ", or ".join(fixes))],
    )


def check_path(path: str | Path, data_folder: Path, where: str = "PATH") -> None:
    """Raise StorageError unless `path` may become (or already is) a caseload; touches nothing.

    `path` as it was given (a `Path` has lost a trailing slash already). `data_folder`
    (eirules' own, ~/.local/share/eirules) is where the fixes suggest a new file;
    `where` names the argument that gave the path (PATH of db init, or --db).
    """
    _check_slash(os.fspath(path), where)
    path = Path(path)
    fix = new_file_fix(data_folder)
    left = "it was left as it was"
    try:
        mode = os.stat(path).st_mode  # a symbolic link is judged by what it points to
    except (FileNotFoundError, NotADirectoryError):
        _check_folder(path, fix, where)
        return
    except OSError as exc:
        raise StorageError(
            f"{path} cannot be looked at ({exc.strerror})",
            [Problem(where, "eirules cannot tell whether it is a caseload", fix)],
        ) from None
    kind = kind_of(mode)
    if kind is not None:
        link = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
        if kind == "a folder":  # a file in it, as after a slash (_check_slash)
            fix = f"give a file inside the folder, e.g.: eirules db init {_quoted_free(path)}"
        raise StorageError(
            f"{path}{link} is {kind}, not a file a caseload can be kept in",
            [Problem(where, f"a caseload is an SQLite file of its own; {left}", fix)],
        )
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(
            f"{path} cannot be read ({exc.strerror})",
            [
                Problem(
                    where,
                    "eirules cannot tell whether it is a caseload",
                    f"ask the file's owner for read and write permission on it, or {fix}",
                )
            ],
        ) from None
    if not head:
        return  # an empty file: made for the caseload
    if head != SQLITE_HEADER:
        raise StorageError(
            f"{path} is not an eirules caseload: it is not an SQLite database at all",
            [Problem(where, f"it holds another program's data (or is damaged); {left}", fix)],
        )
    foreign = _foreign_tables(path)
    if foreign:
        raise StorageError(
            f"{path} is not an eirules caseload: it holds other tables "
            f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''})",
            [
                Problem(
                    where,
                    "refusing to add the caseload's tables to another program's database; " + left,
                    fix,
                )
            ],
        )


def _check_folder(path: Path, fix: str, where: str) -> None:
    """A new file's folder: missing ones are made (0700), unless a file is in the way."""
    for folder in path.parents:
        if os.path.lexists(folder):
            break
    else:
        return
    if not folder.is_dir():
        raise StorageError(
            f"{path} cannot be created: {folder} is a file, not a folder",
            [Problem(where, f"the caseload's folder would be inside the file {folder}", fix)],
        )


def creation_failed(path: Path, exc: OSError, data_folder: Path) -> StorageError:
    """The folder or the file could not be made (no permission, a read-only disk, ...)."""
    where = next((f for f in path.parents if os.path.lexists(f)), path.parent)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = f"you may not create files or folders in {where}"
    else:
        reason = f"{exc.filename or path} cannot be made ({exc.strerror})"
    return StorageError(
        f"{path} cannot be created ({exc.strerror})",
        [Problem("PATH", reason, new_file_fix(data_folder))],
    )
