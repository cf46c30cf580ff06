"""A contact names a meeting of its own file (34 CFR 300.322(d) records of attempts).

Before, `contacts add FILE --meeting nosuch` was written (exit 0), and `meetings
check` then found no attempt to arrange the meeting: the attempt was recorded
under an id no meeting has. The `plans` section's model refuses it, so a
hand-edited file is refused on every way in as well, and nothing is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "plans" / "pb-iep-goals.json"
ADD = ("contacts", "add", "--date", "2026-01-01", "--method", "call", "--person", "mother",
       "--topic", "annual review")  # fmt: skip


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def iep(tmp_path):
    return Path(shutil.copy(EXAMPLE, tmp_path / "case.json"))


def _add(iep, meeting, code=0):
    return run(*ADD[:2], iep, *ADD[2:], "--meeting", meeting, code=code)


def test_an_unknown_meeting_id_is_refused_and_nothing_written(iep):
    before = iep.read_bytes()
    result = _add(iep, "nosuch", code=2)
    assert result.output.splitlines() == [
        f"Error: {iep} is not valid",
        '  --meeting: the contact on 2026-01-01 names meeting "nosuch", which is not a '
        "meeting of this file; expected one of the file's meetings: iep-review-2026-02",
    ]
    assert iep.read_bytes() == before


def test_a_near_miss_gets_a_did_you_mean(iep):
    result = _add(iep, "iep-review-2026-2", code=2)
    assert result.output.splitlines()[1].endswith(
        'did you mean "iep-review-2026-02"? (the file\'s meetings: iep-review-2026-02)'
    )


def test_a_meeting_of_the_file_is_recorded(iep):
    _add(iep, "iep-review-2026-02")
    contacts = json.loads(iep.read_text())["plans"]["contacts"]
    assert contacts[-1] == {
        "date": "2026-01-01",
        "method": "call",
        "person": "mother",
        "topic": "annual review",
        "meeting": "iep-review-2026-02",
    }


def test_a_hand_edited_file_is_refused_by_meetings_check(iep):
    data = json.loads(iep.read_text())
    data["plans"]["contacts"][0]["meeting"] = "iep-reveiw-2026-02"
    iep.write_text(json.dumps(data))
    result = run("meetings", "check", iep, code=2)
    assert (
        '  plans.contacts: the contact on 2026-01-20 names meeting "iep-reveiw-2026-02", '
        "which is not a meeting of this file; did you mean"
    ) in result.output
    assert "Traceback" not in result.output


def test_a_file_without_meetings_says_to_schedule_one(iep):
    data = json.loads(iep.read_text())
    data["plans"]["meetings"] = []
    data["plans"]["contacts"] = []
    iep.write_text(json.dumps(data))
    result = _add(iep, "m1", code=2)
    assert result.output.splitlines()[1].endswith(
        "the file has no meetings; schedule it first with eirules meetings schedule"
    )
