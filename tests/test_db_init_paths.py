"""`db init` on a path that cannot hold a caseload: the file named, what is wrong, a fix that works.

Before: another program's SQLite file was refused with "choose a new file name";
/dev/null gave "cannot be initialised ((sqlite3.OperationalError) disk I/O error)"
and, as root, left the device mode 0600 for every program of the machine; a text
file was made 0600 and then called "not a database ... create a new caseload
with: eirules db init NEW.db"; a path inside a file said "[Errno 20] Not a
directory". Each is now refused before anything is opened, made or chmod-ed, and
every fix printed here is run to show that it works. (Tests make their own copy of
a device node; the real /dev/null is never used.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shlex
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.errors import StorageError
from eirules.core.store import Store


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """eirules' data folder (where the fixes suggest a new file), inside the test's folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("EIRULES_DB", raising=False)
    return tmp_path / "xdg" / "eirules"


def init(*args):
    return CliRunner().invoke(cli, ["db", "init", *map(str, args)])


def snapshot(path: Path) -> tuple:
    """What must not change: the node's type and mode, and an ordinary file's bytes."""
    info = os.lstat(path)
    content = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else ""
    return info.st_mode, info.st_size, info.st_mtime_ns, content


def the_fix_works(output: str, data_home: Path) -> None:
    """Run the `eirules db init NEW` the message suggests: it makes a caseload there."""
    found = re.search(r"e\.g\.: eirules db init (.+)$", output.strip().splitlines()[-1])
    assert found, output
    (new,) = shlex.split(found.group(1))
    assert Path(new) == data_home / "caseload.db"
    result = init(new)
    assert result.exit_code == 0 and result.output.startswith(f"Created caseload {new} "), (
        result.output
    )


def test_another_programs_sqlite_file_is_named_left_alone_and_a_new_file_suggested(
    tmp_path, data_home
):
    other = tmp_path / "inventory.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE parts (name)")
    conn.execute("INSERT INTO parts VALUES ('hinge')")
    conn.commit()
    conn.close()
    before = snapshot(other)
    result = init(other)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {other} is not an eirules caseload: it holds other tables (parts)",
        "  PATH: refusing to add the caseload's tables to another program's database; it was "
        f"left as it was; give the path of a new file, e.g.: eirules db init "
        f"{data_home / 'caseload.db'}",
    ]
    assert snapshot(other) == before
    the_fix_works(result.output, data_home)


def test_a_file_that_is_not_sqlite_keeps_its_bytes_and_its_mode(tmp_path, data_home):
    """It was made 0600 (another program's file) before being called 'not a database'."""
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping: milk, eggs\n")
    notes.chmod(0o644)
    before = snapshot(notes)
    result = init(notes)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {notes} is not an eirules caseload: it is not an SQLite database at all",
        "  PATH: it holds another program's data (or is damaged); it was left as it was; give "
        f"the path of a new file, e.g.: eirules db init {data_home / 'caseload.db'}",
    ]
    assert snapshot(notes) == before
    the_fix_works(result.output, data_home)


def _nodes(tmp_path: Path) -> list[tuple[Path, str]]:
    """A named pipe, and as root a copy of /dev/null's device node (the real one never)."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    found = [(fifo, "a named pipe")]
    if os.geteuid() == 0:
        device = tmp_path / "null"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found.append((device, "a device"))
        link = tmp_path / "caseload.db"
        link.symlink_to(device)
        found.append((link, "a device"))
    return found


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_device_or_a_pipe_is_refused_and_its_mode_left_alone(tmp_path, data_home):
    """/dev/null: 'disk I/O error' and, as root, the device left mode 0600."""
    for node, kind in _nodes(tmp_path):
        before = snapshot(node), os.stat(node).st_mode
        result = init(node)
        assert result.exit_code == 1, result.output
        link = f" (a link to {os.readlink(node)})" if node.is_symlink() else ""
        assert result.output.splitlines() == [
            f"Error: {node}{link} is {kind}, not a file a caseload can be kept in",
            "  PATH: a caseload is an SQLite file of its own; it was left as it was; give the "
            f"path of a new file, e.g.: eirules db init {data_home / 'caseload.db'}",
        ]
        assert (snapshot(node), os.stat(node).st_mode) == before
    the_fix_works(result.output, data_home)


def test_a_path_in_a_missing_folder_makes_the_folder_private(tmp_path, data_home):
    target = tmp_path / "new" / "county" / "caseload.db"
    result = init(target)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_a_path_inside_a_file_names_the_file_in_the_way(tmp_path, data_home):
    """'[Errno 20] Not a directory' before, with 'eirules db init NEW.db' as the fix."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a folder\n")
    before = snapshot(notes)
    result = init(notes / "sub" / "caseload.db")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {notes / 'sub' / 'caseload.db'} cannot be created: {notes} is a file, "
        "not a folder",
        f"  PATH: the caseload's folder would be inside the file {notes}; give the path of a "
        f"new file, e.g.: eirules db init {data_home / 'caseload.db'}",
    ]
    assert snapshot(notes) == before
    the_fix_works(result.output, data_home)


def test_a_missing_folder_that_may_not_be_made(tmp_path, data_home, monkeypatch):
    """A folder the person may not write in (simulated: root may write anywhere)."""
    real = os.mkdir
    locked = tmp_path / "shared"
    locked.mkdir()

    def refuse(path, *args, **kwargs):
        if Path(path).parent == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "mkdir", refuse)
        result = init(locked / "county" / "caseload.db")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {locked / 'county' / 'caseload.db'} cannot be created (Permission denied)",
        f"  PATH: you may not create files or folders in {locked}; give the path of a new "
        f"file, e.g.: eirules db init {data_home / 'caseload.db'}",
    ]
    assert list(locked.iterdir()) == []
    the_fix_works(result.output, data_home)


def test_other_commands_do_not_send_a_device_or_another_programs_file_to_db_init(
    tmp_path, data_home
):
    """`due --db FILE` said 'no schema; run: eirules db init FILE', which then failed."""
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE parts (name)")
    conn.commit()
    conn.close()
    paths = [other, tmp_path / "notes.txt" / "caseload.db"]
    (tmp_path / "notes.txt").write_text("x")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.db")
        paths.append(tmp_path / "pipe.db")
    for path in paths:
        result = CliRunner().invoke(cli, ["due", "--db", str(path), "--as-of", "2026-03-02"])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {path}"), result.output
        assert "--db: " in result.output and f"db init {path}" not in result.output
        assert f"eirules db init {data_home / 'caseload.db'}" in result.output


@settings(max_examples=40, deadline=None)
@given(content=st.binary(min_size=1, max_size=200), mode=st.sampled_from([0o600, 0o644, 0o664]))
def test_any_non_sqlite_file_is_refused_untouched(content, mode):
    """Whatever an existing file holds, unless it is SQLite, db init leaves it exactly so."""
    if content.startswith(b"SQLite format 3\x00"[: len(content)]):
        return  # (a prefix of the header is still not SQLite, but keep the property plain)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.db"
        path.write_bytes(content)
        path.chmod(mode)
        before = snapshot(path)
        with pytest.raises(StorageError, match="not an SQLite database at all"):
            Store.init(path)
        assert snapshot(path) == before


@pytest.mark.parametrize("slashes", ["/", "//"])
def test_a_path_ending_with_a_slash_is_a_folder_and_refused_with_both_fixes(
    tmp_path, data_home, slashes
):
    """`db init dir/x.db/` made the file x.db (the slash dropped); it names a folder."""
    given = f"{tmp_path / 'dir' / 'x.db'}{slashes}"
    bare, inside = tmp_path / "dir" / "x.db", tmp_path / "dir" / "x.db" / "caseload.db"
    result = init(given)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Error: {given} ends with a slash, so it names a folder: a caseload is a file",
        f"  PATH: nothing was made; give the file without the slash: eirules db init {bare}, "
        f"or a file inside the folder: eirules db init {inside}",
    ]
    assert not (tmp_path / "dir").exists()
    # The same through --db, and each fix works.
    assert CliRunner().invoke(cli, ["db", "init", "--db", given]).exit_code == 1
    assert not (tmp_path / "dir").exists()
    for fix in (bare, inside):
        bare.unlink(missing_ok=True)
        assert init(fix).output.startswith(f"Created caseload {fix} ")
        assert fix.is_file()


def test_a_slash_after_an_existing_file_or_folder_suggests_only_what_can_be_made(
    tmp_path, data_home
):
    """After a file, only the path without the slash; after a folder, a free file in it."""
    made = tmp_path / "made.db"
    assert init(made).exit_code == 0
    result = init(f"{made}/")
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        f"  PATH: nothing was made; give the file without the slash: eirules db init {made}"
    )
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "caseload.db").touch()
    result = init(f"{folder}/")
    assert result.exit_code == 1
    assert result.output.splitlines()[1] == (
        "  PATH: nothing was made; give a file inside the folder: "
        f"eirules db init {folder / 'caseload-2.db'}"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["caseload.db"]


@pytest.mark.parametrize("option", [[], ["--db"]])
def test_an_existing_folder_is_answered_by_eirules_with_a_file_inside_it(
    tmp_path, data_home, option
):
    """click answered first ("Invalid value for '[PATH]': File 'cases' is a directory.",
    exit 2, no fix); now eirules' own refusal names the argument and a free file in it."""
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "caseload.db").touch()
    result = init(*option, folder)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {folder} is a folder, not a file a caseload can be kept in",
        f"  {'--db' if option else 'PATH'}: a caseload is an SQLite file of its own; it was left"
        " as it was; give a file inside the folder, e.g.: eirules db init "
        f"{folder / 'caseload-2.db'}",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["caseload.db"]
    fix = init(folder / "caseload-2.db")
    assert fix.exit_code == 0 and fix.output.startswith("Created caseload "), fix.output
    # Another command given the folder as --db says so too, in eirules' words.
    due = CliRunner().invoke(cli, ["due", "--db", str(folder), "--as-of", "2026-03-02"])
    assert due.exit_code == 1
    assert due.output.startswith(f"Error: {folder} is a folder, not a file a caseload can be kept")
