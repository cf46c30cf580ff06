"""The one writer of files that hold a child's data: owner-only (0600), all or nothing.

IDEA's confidentiality rules (34 CFR 300.623 and 303.415, safeguards for personally
identifiable information) mean a graph with a student's name, an exported record or a
determinations file must not be readable by every account on the machine. Each such
file is written to a temporary file beside it (created 0600 by `tempfile.mkstemp`) and
renamed over the target only when complete, so a failure leaves no half-written file
and the old one, if any, untouched. The command line, the plugins and the library
all write through here; nothing else decides a child's file's mode.

A target that is a symbolic link, or anything else that is not a regular file (a
device such as /dev/null, a named pipe, a socket), is refused (`refuse_unsafe_target`):
renaming over it would replace it with a new file (as root, /dev/null itself), and
following a link would write a child's data wherever it points; the person gives
the real path of a file instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: The mode of every file holding a child's data: read and write for the owner only.
PRIVATE_MODE = 0o600


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular one is, in words (None for a regular file)."""
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def refuse_unsafe_target(path: str | Path, where: str | None = None) -> None:
    """Raise InputError when `path` itself is a symbolic link (dangling too) or exists and
    is not a regular file, naming `where` (the option that gave it, e.g. "--out"); links
    in the folders above it are followed."""
    from .errors import InputError, Problem

    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there yet (or not reachable: writing it will say so)
        return
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "somewhere that cannot be read"
        raise InputError(
            f"{path} is a symbolic link; give the real path",
            [
                Problem(
                    where or str(path), f"it links to {target}", "give the path of the file itself"
                )
            ],
        )
    kind = kind_of(mode)
    if kind is not None:
        fix = "give a file name" if kind == "a folder" else "give the path of an ordinary file"
        raise InputError(
            f"{path} is {kind}, not a file eirules can write",
            [Problem(where or str(path), f"{path} is {kind}", fix)],
        )


@contextlib.contextmanager
def open_private(
    path: str | Path, *, binary: bool = False, newline: str | None = None
) -> Iterator[IO]:
    """Open a private file for writing; it replaces `path` only when the block ends without
    error. A `path` that is a symbolic link or not a regular file is refused
    (`refuse_unsafe_target`) before anything is written."""
    path = Path(path)
    refuse_unsafe_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        if binary:
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with handle:
            yield handle
        os.chmod(tmp, PRIVATE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: The mode of a folder eirules makes to hold such files: only the owner may list or enter it.
PRIVATE_FOLDER_MODE = 0o700


def make_private_folder(path: str | Path) -> Path:
    """Make `path` and any missing parents owner-only (0700); folders already there keep their mode.

    `Path.mkdir(mode=..., parents=True)` applies the mode to the last folder only (the
    parents get the umask's default), so each missing folder is made here in turn.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=PRIVATE_FOLDER_MODE)
            os.chmod(folder, PRIVATE_FOLDER_MODE)  # mkdir's mode is filtered by the umask
    return path


def write_private(path: str | Path, text: str | bytes) -> None:
    """Write `text` (or bytes) to `path`, owner-only and all or nothing.

    A failed write names `path` in its error (a write's OSError has no file name,
    and the CLI takes one without a name for the standard output failing).
    """
    try:
        with open_private(path, binary=isinstance(text, bytes)) as handle:
            handle.write(text)
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


__all__ = [
    "PRIVATE_FOLDER_MODE",
    "PRIVATE_MODE",
    "kind_of",
    "make_private_folder",
    "open_private",
    "refuse_unsafe_target",
    "write_private",
]
