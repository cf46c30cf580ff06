"""Ctrl-C during a bulk command: it stops promptly, says "Interrupted.", exits 130, leaves no
process behind and the caseload whole (QA: it hung for ever, with workers' tracebacks).

The command runs as a terminal runs it: in its own process group, and SIGINT goes
to the whole group (the workers too), as a terminal's Ctrl-C does. Every wait
has a bound, and the group is killed whatever happens, so this cannot hang the
suite. Linux only: processes are found in /proc.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eirules.cli.synthetic import iter_cases

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

EIRULES = [str(Path(sys.executable).with_name("eirules"))]  # the console script, as users run it
CASES = 6000
#: A hang detector, not a timing: a stopped command takes a second or two.
BOUND = 60
AS_OF = "2026-08-01"


def _group(pgid: int) -> dict[int, str]:
    """pid -> command line of every process in the process group (orphans stay in it)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found[int(entry.name)] = cmdline
    return found


def _workers(pgid: int) -> list[int]:
    return [pid for pid, cmd in _group(pgid).items() if "spawn_main" in cmd]


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(EIRULES + args, env=env, capture_output=True, text=True, timeout=BOUND)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted(args: list[str], env: dict, after: float, ready=None) -> tuple[int, str, float]:
    """Start the command, send its group SIGINT `after` seconds once both workers run
    (and `ready()` is true).

    Returns the exit status, stderr and seconds from the interrupt to the exit.
    """
    proc = subprocess.Popen(
        EIRULES + args,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # As a terminal starts it: Ctrl-C at its default action. A test run started in
        # the background by a shell without job control (`pytest &` in a script, nohup)
        # has SIGINT ignored, and a child inherits that: the command never sees Ctrl-C.
        preexec_fn=_default_sigint,
    )
    pgid = proc.pid
    try:
        deadline = time.monotonic() + BOUND
        while len(_workers(pgid)) < 2 or (ready is not None and not ready()):
            assert proc.poll() is None, f"ended before its workers started: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "its workers never started"
            time.sleep(0.05)
        time.sleep(after)
        assert proc.poll() is None, "it finished before the interrupt: use more cases"
        os.killpg(pgid, signal.SIGINT)
        sent = time.monotonic()
        try:
            _, err = proc.communicate(timeout=BOUND)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {BOUND} s after Ctrl-C: {sorted(_group(pgid).values())}")
        took = time.monotonic() - sent
        deadline = time.monotonic() + 10  # the resource tracker leaves on its own, soon after
        while _group(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(pgid) == {}, "processes left behind"
        return proc.returncode, err, took
    finally:
        if _group(pgid):
            os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=BOUND)


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    cases = root / "cases.jsonl"
    with cases.open("w") as out:
        for document, _ in iter_cases(part_c=CASES * 5 // 8, part_b=CASES - CASES * 5 // 8):
            out.write(json.dumps(document) + "\n")
    env = {**os.environ, "EIRULES_JOBS": "2", "EIRULES_DEBUG": ""}
    empty = root / "empty.db"
    assert _run(["db", "init", str(empty)], env).returncode == 0
    full = root / "full.db"
    full.write_bytes(empty.read_bytes())
    done = _run(["cases", "import", str(cases), "--db", str(full)], env)
    assert done.returncode == 0, done.stderr
    # Evaluated as of the day the tests evaluate again: a forced run finds every case's
    # determination unchanged, so its parts store nothing (the case that lost its entry).
    done = _run(["evaluate", "--all", "--as-of", AS_OF, "--db", str(full)], env)
    assert done.returncode == 0, done.stderr
    return root, cases, empty, full, env


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def _whole(db: Path, env: dict) -> None:
    check = _run(["audit", "verify", "--db", str(db)], env)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("after", [0.0, 0.7], ids=["workers-starting", "workers-running"])
def test_ctrl_c_stops_an_import_at_once_and_imports_nothing(setting, tmp_path, after):
    """All or nothing: an interrupted import leaves the caseload as it was."""
    _, cases, empty, _, env = setting
    db = tmp_path / "caseload.db"
    db.write_bytes(empty.read_bytes())
    code, err, took = _interrupted(["cases", "import", str(cases), "--db", str(db)], env, after)
    assert (code, err.strip()) == (130, "Interrupted."), err
    assert took < BOUND
    assert _count(db, "cases") == _count(db, "determinations") == _count(db, "audit_log") == 0
    _whole(db, env)


def _runs(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=0.1) as conn:
            return conn.execute("select count(*) from evaluation_runs").fetchone()[0]
    except sqlite3.OperationalError:  # being written: look again
        return 0


@pytest.mark.parametrize("part", [False, True], ids=["workers-starting", "after-a-part"])
def test_ctrl_c_stops_evaluate_all_at_once_keeping_whole_parts(setting, tmp_path, part):
    """evaluate commits 250 cases at a time: what it kept is whole, and vouched for by the
    audit log (a run stopped after its first part had no entry when that part stored nothing)."""
    _, _, _, full, env = setting
    db = tmp_path / "caseload.db"
    db.write_bytes(full.read_bytes())
    runs = _runs(db)
    args = ["evaluate", "--all", "--force", "--as-of", AS_OF, "--db", str(db)]
    code, err, took = _interrupted(args, env, 0.0, (lambda: _runs(db) > runs) if part else None)
    assert (code, err.strip()) == (130, "Interrupted."), err
    assert took < BOUND
    assert _runs(db) == runs + part  # the run's first part committed, or nothing did
    _whole(db, env)
