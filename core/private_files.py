"""The one writer of files that hold a child's data: owner-only (0600), all or nothing.

IDEA's confidentiality rules (34 CFR 300.623 and 303.415, safeguards for personally
identifiable information) mean a graph with a student's name, an exported record or a
determinations file must not be readable by every account on the machine. Each such
file is written to a temporary file beside it (created 0600 by `tempfile.mkstemp`) and
renamed over the target only when complete, so a failure leaves no half-written file
and the old one, if any, untouched. The command line, the plugins and the library
all write through here; nothing else decides a child's file's mode.

A target that is a symbolic link is refused (`refuse_link`): renaming over it would
replace the link with a new file, and following it would write a child's data
wherever it points; the person gives the real path instead.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

#: The mode of every file holding a child's data: read and write for the owner only.
PRIVATE_MODE = 0o600


def refuse_link(path: str | Path, where: str | None = None) -> None:
    """Raise InputError when `path` itself is a symbolic link (dangling too), naming `where`
    (the option that gave it, e.g. "--out"); links in the folders above it are followed."""
    path = Path(path)
    if not path.is_symlink():
        return
    from .errors import InputError, Problem

    try:
        target = os.readlink(path)
    except OSError:
        target = "somewhere that cannot be read"
    raise InputError(
        f"{path} is a symbolic link; give the real path",
        [Problem(where or str(path), f"it links to {target}", "give the path of the file itself")],
    )


@contextlib.contextmanager
def open_private(
    path: str | Path, *, binary: bool = False, newline: str | None = None
) -> Iterator[IO]:
    """Open a private file for writing; it replaces `path` only when the block ends without
    error. A `path` that is a symbolic link is refused (`refuse_link`) before anything is written."""
    path = Path(path)
    refuse_link(path)
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
    "make_private_folder",
    "open_private",
    "refuse_link",
    "write_private",
]
