"""A standard output that cannot be written: one plain error, no traceback, reads recorded.

`eirules due ... > /dev/full` printed two "Exception ignored in: <generator ...>"
tracebacks (the listing's generators finalized after the caseload closed, so the
listed cases never reached the record of access, 34 CFR 300.614 / 303.405) and
"cannot use a file" without saying it was the standard output. A closed pipe
(`| head`) stays quiet.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import referred_case

from eirules.core.importing import Record
from eirules.core.store import Store

EIRULES = Path(sys.executable).parent / "eirules"


def doc(case_id: str) -> dict:
    return referred_case(case_id)


@pytest.fixture
def caseload(tmp_path, engine) -> Path:
    db = tmp_path / "caseload.db"
    store, _ = Store.init(db, engine)
    store.import_records(
        [Record("a.json", str(i), doc(f"F-{i}"), caseworker="Rhea Tallowby") for i in (1, 2)],
        user="setup",
    )
    store.close()
    return db


def recorded(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT action, case_id FROM access_log ORDER BY id").fetchall()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full is Linux's")
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
def test_a_full_standard_output_is_one_plain_error(caseload, fmt):
    args = ["due", "--db", str(caseload), "--as-of", "2026-03-02", "--format", fmt]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(EIRULES), *args], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 1
    assert " ".join(result.stderr.split()) == (  # as wrapped to $COLUMNS, if set
        "Error: the output could not be written (standard output: no space left on device) "
        "the file or device the output is sent to has no room; free space there, or send "
        "the output elsewhere (--out FILE on another disk)"
    )
    if fmt != "table":  # a streamed listing's rows were read: each is on the record
        assert recorded(caseload) == [("due", "F-1")]


def test_a_closed_pipe_stays_quiet(caseload):
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first row
    try:
        result = subprocess.run(
            [str(EIRULES), "due", "--db", str(caseload), "--as-of", "2026-03-02"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write)
    # 141 (128 + SIGPIPE), as a shell reports `yes | head`: not 1, a problem in the data.
    assert result.returncode == 141
    assert result.stderr == ""
