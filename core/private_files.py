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

So is a target that is the same file as one the running command reads (`ReadFile`:
the caseload database and its -wal, -shm and -journal files, a case file, a CSV):
`--out caseload.db` replaced the caseload with a CSV listing. "The same file" is the
same device and inode (a hard link, a `../` spelling), or, for a file not there yet
(the -wal of a closed caseload), the same resolved path. The command line notes what
each command reads (cli/output_options.py); the library passes nothing.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ReadFile:
    """A file, or a folder of files, the running command reads: no output may replace it."""

    path: Path
    #: What it is, in words, with where it was given: "the caseload database (--db)".
    what: str
    #: For a folder: the endings of the files in it that are read (empty: every file).
    suffixes: tuple[str, ...] = ()


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _inside(folder: Path, suffixes: tuple[str, ...], target: os.stat_result) -> Path | None:
    """The file in `folder` (at any depth) that is `target`, if it is one read there."""
    for root, _dirs, names in os.walk(folder):
        for name in names:
            if suffixes and not name.lower().endswith(suffixes):
                continue
            found = _stat(Path(root) / name)
            if found is not None and _same(found, target):
                return Path(root) / name
    return None


def read_by_command(path: str | Path, reads: Iterable[ReadFile]) -> tuple[ReadFile, Path] | None:
    """The first of `reads` that `path` is the same file as, with the file it is.

    The same device and inode when both exist (a hard link, `../x`, `./x`); the same
    resolved path when one is not there yet (the -wal of a caseload nobody has open).
    """
    path = Path(path)
    target = _stat(path)
    for read in reads:
        found = _stat(read.path)
        if found is not None and stat.S_ISDIR(found.st_mode):
            if target is not None and stat.S_ISREG(target.st_mode):
                inner = _inside(read.path, read.suffixes, target)
                if inner is not None:
                    return read, inner
            continue
        if target is not None and found is not None:
            if _same(target, found):
                return read, read.path
        elif os.path.realpath(path) == os.path.realpath(read.path):
            return read, read.path
    return None


def refuse_unsafe_target(
    path: str | Path, where: str | None = None, reads: Iterable[ReadFile] = ()
) -> None:
    """Raise InputError when `path` itself is a symbolic link (dangling too) or exists and
    is not a regular file, or is the same file as one of `reads` (what the command reads),
    naming `where` (the option that gave it, e.g. "--out"); links in the folders above
    it are followed."""
    from .errors import InputError, Problem

    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:  # nothing there yet (or not reachable: writing it will say so)
        _refuse_a_read(path, where, reads)
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
    _refuse_a_read(path, where, reads)


def _refuse_a_read(path: Path, where: str | None, reads: Iterable[ReadFile]) -> None:
    from .errors import InputError, Problem

    same = read_by_command(path, reads)
    if same is not None:
        read, found = same
        raise InputError(
            f"{path} is {read.what}; writing there would replace it",
            [
                Problem(
                    where or str(path),
                    f"it is the same file as {os.path.abspath(found)}",
                    "give another file name",
                )
            ],
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
    "ReadFile",
    "kind_of",
    "make_private_folder",
    "open_private",
    "read_by_command",
    "refuse_unsafe_target",
    "write_private",
]
