"""QA: input that never ends or is too large is refused, in one place (core/input_files.py).

`eirules check /dev/zero` grew to 3 GB of memory, and a named pipe given as a case
file waited for ever. Every file eirules reads is now opened by `input_files`: what is
not a regular file is refused naming it and what was expected; a file read whole, or
standard input, over `MAX_INPUT_BYTES` is refused saying the limit and what to do.
Each test failed (or hung) on the code before.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core import input_files

EXAMPLES = Path(__file__).parent.parent / "examples"
CASE = (EXAMPLES / "mo-0001.json").read_bytes()
RULESETS = Path(__file__).parent.parent / "rulesets"
LARGEST_RULESET_FILE = max(p.stat().st_size for p in RULESETS.rglob("*.toml"))


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


@contextlib.contextmanager
def deadline(seconds: int = 20):
    """Fail instead of hanging: a named pipe nobody writes to blocked `open` for ever."""

    def expired(signum, frame):
        raise AssertionError(f"still waiting after {seconds} s: the input was not refused")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def memory_cap(extra: int = 1 << 30):
    """At most `extra` more bytes of address space (Linux), so reading a device whole fails
    with MemoryError (reported as a bug) instead of taking the machine's memory."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (used + extra, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def cases_in(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        return conn.execute("SELECT count(*) FROM cases").fetchone()[0]


@pytest.fixture
def special(tmp_path):
    """Each kind of file that is not a regular one, with how the refusal names it."""

    def make(name: str) -> list[tuple[Path, str]]:
        fifo = tmp_path / f"pipe-{name}"
        os.mkfifo(fifo)
        found = [(fifo, "a named pipe")]
        short = Path(tempfile.mkdtemp(prefix="eir"))  # a socket path must be short
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(short / name))
        found.append((short / name, "a socket"))
        sockets.append((sock, short))
        return found

    sockets: list = []
    yield make
    for sock, folder in sockets:
        sock.close()
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(
    "command, name, expected",
    [
        (["check"], "case.json", "a case file"),
        (["cases", "import"], "cases.json", "a case file (.json, .jsonl) or a CSV file"),
        (["calendars", "import", "--district", "D1"], "year.ics", "a calendar file"),
        (["calendars", "import", "--district", "D1"], "year.csv", "a calendar file"),
    ],
)
def test_a_pipe_or_socket_is_refused_naming_it_and_nothing_is_written(
    run, tmp_path, special, command, name, expected
):
    for node, kind in special(name):
        with deadline():
            result = run(*command, node, code=2)
        assert f"{node}" in result.output and kind in result.output, result.output
        assert expected in result.output
        assert "Traceback" not in result.output
    assert cases_in(tmp_path) == 0
    assert not list((tmp_path).glob("*rejects*"))


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory cap reads /proc")
def test_check_and_import_refuse_a_device_without_reading_it(run, tmp_path):
    """/dev/zero never ends: read whole it grew until memory ran out (MemoryError)."""
    with deadline(), memory_cap():
        result = run("check", "/dev/zero", code=2)
    assert result.output == (
        "Error: /dev/zero is a device, not a case file\n"
        "  /dev/zero: a device; give the path of a case file\n"
    )
    with deadline():
        result = run("cases", "import", "/dev/zero", code=2)
    assert result.output == (
        "Error: cannot import\n"
        "  /dev/zero: a device; give the path of a case file (.json, .jsonl) or a CSV file\n"
    )
    assert cases_in(tmp_path) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_inside_an_imported_folder_is_a_rejected_record(run, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a.json").write_bytes(CASE)
    os.mkfifo(folder / "b.json")
    with deadline():
        result = run("cases", "import", folder, code=2)
    assert (
        f"{folder / 'b.json'}, file: a named pipe; save what it sends as a case file"
        in result.output
    )
    assert cases_in(tmp_path) == 0  # all or nothing


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(input_files.MAX_INPUT_BYTES + 1)  # sparse: no disk used
    result = CliRunner().invoke(cli, ["check", str(big)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {big} is larger than 32 MiB, the most eirules reads as one document\n"
        f"  {big}: 33,554,433 bytes, over the limit of 32 MiB (33,554,432 bytes); a case"
        " file is a few kilobytes: for many cases write one case a line (JSON Lines, .jsonl)"
        " and load it with `eirules cases import`, which reads it record by record\n"
    )


def _padded(size: int) -> bytes:
    """The example case file with spaces after it, `size` bytes long (or the file)."""
    return CASE + b" " * max(0, size - len(CASE))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=st.integers(min_value=-3, max_value=3), stdin=st.booleans())
def test_a_case_is_read_up_to_the_limit_and_refused_past_it(monkeypatch, tmp_path, extra, stdin):
    """Hypothesis: the same document is checked at the limit and refused one byte past it,
    from a file and from standard input alike; never a traceback, nothing on stdout."""
    # The rulesets `check` loads are read through the same limit: keep them under it.
    limit = max(len(CASE), LARGEST_RULESET_FILE) + 100
    monkeypatch.setattr(input_files, "MAX_INPUT_BYTES", limit)
    data = _padded(limit + extra)
    path = tmp_path / "case.json"
    path.write_bytes(data)
    args = ["check", "-" if stdin else str(path), "--as-of", "2026-02-01"]
    result = CliRunner().invoke(cli, args, input=data if stdin else None)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if len(data) > limit:
        assert result.exit_code == 2
        assert result.stdout == ""
        source = "standard input" if stdin else str(path)
        assert f"Error: {source} is larger than {limit:,} bytes" in result.stderr
        assert "Traceback" not in result.output
    else:
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Case MO-0001")


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_an_oversized_record_of_a_caseload_file_is_refused_the_others_read(
    run, tmp_path, monkeypatch, suffix
):
    """A caseload file is read record by record; one record over the limit (a line of
    JSON Lines, or a whole non-array document) is refused without holding it whole."""
    from eirules.core import importing

    monkeypatch.setattr(input_files, "MAX_INPUT_BYTES", 4096)
    monkeypatch.setattr(importing, "STREAM_BYTES", 0)  # a .json file is streamed too
    case = json.loads(CASE)
    path = tmp_path / f"cases{suffix}"
    if suffix == ".jsonl":
        huge = {**case, "id": "MO-HUGE", "note": "x" * 10_000}
        path.write_text(json.dumps(huge) + "\n" + json.dumps(case) + "\n")
        where = f"{path}, line 1"
    else:
        path.write_text(json.dumps({**case, "note": "x" * 10_000}))
        where = f"{path}, record 1"
    result = run("cases", "import", path, code=2)
    assert (
        f"  {where}: more than the limit of 4,096 bytes; a case record is a few"
        " kilobytes" in result.output
    )
    assert "1 record not valid" in result.output
    assert cases_in(tmp_path) == 0


# Ruleset folders and stored calendars: read through input_files too ----------------------


@pytest.fixture
def ruleset(tmp_path) -> Path:
    """A copy of the shipped us-mo ruleset (without its tests) in `tmp_path/extra/us-mo`."""
    import shutil

    folder = tmp_path / "extra" / "us-mo"
    shutil.copytree(RULESETS / "us-mo", folder, ignore=shutil.ignore_patterns("tests"))
    return folder


def _in_folder(node: Path, kind: str, folder: Path) -> str:
    return (
        f"  {node}: {kind}; move it out of the folder {folder}, or put a TOML file in its place\n"
    )


def _not_regular_nodes(tmp_path: Path, special, name: str) -> list[tuple[str, str]]:
    """(how to make `name` in a folder, what the refusal calls it): a pipe, a link to a
    socket, a link to /dev/zero, a folder."""
    nodes = [("pipe", "a named pipe"), ("zero", "a device"), ("folder", "a folder")]
    sockets = [target for target, kind in special(name) if kind == "a socket"]
    return [*nodes, *((str(s), "a socket") for s in sockets)]


def _make(node: Path, how: str) -> None:
    if how == "pipe":
        os.mkfifo(node)
    elif how == "zero":
        node.symlink_to("/dev/zero")
    elif how == "folder":
        node.mkdir()
    else:
        node.symlink_to(how)  # a socket


def _remove(node: Path) -> None:
    if node.is_dir() and not node.is_symlink():
        node.rmdir()
    else:
        node.unlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory cap reads /proc")
@pytest.mark.parametrize("name", ["part_c.toml", "ruleset.toml", "school.toml"])
def test_a_pipe_device_socket_or_folder_in_a_ruleset_folder_is_refused_by_name(
    run, tmp_path, special, ruleset, name
):
    """A parameter file, ruleset.toml itself, and the school calendar ruleset.toml names.
    Before, each was looked at with is_file() and passed over: the ruleset loaded without
    that file's parameters, a ruleset.toml so made "found no ruleset.toml here", and one
    swapped in after the look was read whole or waited on for ever. Each is now refused
    by name, without being read, by validate (exit 2, as for any invalid ruleset) and by
    a command finding the ruleset through --rulesets-dir (exit 1, as for any invalid
    ruleset)."""
    header = ruleset / "ruleset.toml"
    shipped = header.read_bytes()
    if name == "school.toml":
        header.write_text(
            header.read_text().replace(
                "[calendar]\n", '[calendar]\nschool_calendar = "school.toml"\n'
            )
        )
    node = ruleset / name
    original = node.read_bytes() if node.exists() else None
    case = tmp_path / "case.json"
    case.write_bytes(CASE)
    for how, kind in _not_regular_nodes(tmp_path, special, name):
        if original is not None:
            node.unlink()
        _make(node, how)
        problems = [_in_folder(node, kind, ruleset)]
        if name == "school.toml" and how != "pipe" and how != "folder":
            # A link leaves the folder: said first, as for any file outside it.
            problems.insert(
                0,
                f'  {header}:19: calendar.school_calendar: found "school.toml", which is outside'
                " the ruleset folder; name a TOML file in the ruleset folder (a ruleset may not"
                " read other files)\n",
            )
        with deadline(), memory_cap():
            validated = run("rulesets", "validate", ruleset, code=2)
            checked = run(
                "--rulesets-dir", tmp_path / "extra", "check", case, "--as-of", "2026-02-01", code=1
            )
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        assert validated.output == f"INVALID: us-mo ({count})\n" + "".join(problems)
        heading = (
            f"Error: invalid ruleset {ruleset}\n"
            if name == "ruleset.toml"
            else f'Error: ruleset "us-mo" ({ruleset}) is not valid\n'
        )
        assert checked.output == heading + "".join(problems)
        _remove(node)
        if original is not None:
            node.write_bytes(original)
    header.write_bytes(shipped)
    assert run("rulesets", "validate", ruleset).output.startswith("valid: us-mo")


def test_a_ruleset_file_over_the_limit_is_refused_before_it_is_read(run, tmp_path, ruleset):
    big = ruleset / "notes.toml"
    with big.open("wb") as handle:
        handle.truncate(input_files.MAX_INPUT_BYTES + 1)  # sparse: no disk used
    with deadline(), memory_cap(256 << 20):
        result = run("rulesets", "validate", ruleset, code=2)
    assert result.output == (
        "INVALID: us-mo (1 problem)\n"
        f"  {big}: 33,554,433 bytes, over the limit of 32 MiB (33,554,432 bytes); a ruleset's"
        " TOML file is a few kilobytes (the largest shipped one is under 50 KB): check that"
        " this is the file meant\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_in_a_folder_on_the_rulesets_path_is_refused_by_name(
    run, tmp_path, ruleset, monkeypatch
):
    """$EIRULES_RULESETS_PATH (as a plugin's folder) is searched the same way."""
    (ruleset / "ruleset.toml").unlink()
    os.mkfifo(ruleset / "ruleset.toml")
    monkeypatch.setenv("EIRULES_RULESETS_PATH", str(tmp_path / "extra"))
    case = tmp_path / "case.json"
    case.write_bytes(CASE)
    with deadline():
        listed = run("rulesets", "list")
        shown = run("rulesets", "show", ruleset, code=1)
    assert f"INVALID: invalid ruleset {ruleset}" in listed.output
    assert shown.output == f"Error: invalid ruleset {ruleset}\n" + _in_folder(
        ruleset / "ruleset.toml", "a named pipe", ruleset
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory cap reads /proc")
def test_a_pipe_or_a_device_in_the_calendars_folder_is_refused_by_name(run, tmp_path, special):
    """`calendars list` read every *.toml of the folder: a pipe there waited for ever, a
    link to /dev/zero grew without end; `show` and a case of the district passed a pipe
    over as "no calendar". Each now says which file and what to do (exit 1, as for any
    stored calendar that cannot be read); nothing is written."""
    folder = tmp_path / "calendars"
    csv_file = EXAMPLES / "calendars" / "fictional-unified-2025-26.csv"
    run("--calendars-dir", folder, "calendars", "import", csv_file, "--district", "D1")
    node = folder / "D2.toml"
    case = tmp_path / "case.json"
    case.write_text(  # a clock counting school days: the district's calendar is read
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "TX-CAL-1",
                "ruleset": "us-tx",
                "district": "D2",
                "child": {"birth_date": "2016-04-01", "name": "Remy Fictional"},
                "events": [{"type": "consent_for_evaluation", "date": "2025-09-08"}],
            }
        )
    )
    for how, kind in _not_regular_nodes(tmp_path, special, "D2.toml"):
        _make(node, how)
        expected = (
            f"Error: cannot read the district calendar {node}\n"
            f"  {node}: {kind}; move it out of the calendars folder {folder}, or put a district"
            " calendar (TOML) in its place\n"
        )
        for command in (
            ["calendars", "list"],
            ["calendars", "show", "D2"],
            ["calendars", "import", csv_file, "--district", "D2"],
            ["check", case, "--as-of", "2025-10-01"],
        ):
            with deadline(), memory_cap():
                result = run("--calendars-dir", folder, *command, code=1)
            assert result.output == expected, command
        assert sorted(p.name for p in folder.iterdir()) == ["D1.toml", "D2.toml"]
        _remove(node)
    assert "D1" in run("--calendars-dir", folder, "calendars", "list").output
