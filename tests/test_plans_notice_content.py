"""What a meeting notice said is recorded, never assumed (34 CFR 300.322(b)(1)(i)).

QA: `meetings notice --sent` wrote a notice whose time and place were "to be agreed
with you" and whose attendees were "the team will tell you", and stored the notice
with no `includes`; `Notice.includes` defaulted to all four items, so `meetings
check` said the notice "gave the purpose, time, location and who will attend".
Now the command records what the written notice says, and a notice whose content
the file does not give is not judged (needs information).
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.plugins.plans import record_of
from eirules.plugins.plans.meetings import check_meeting, notice_items
from eirules.plugins.plans.report import render_notice

EXAMPLE = Path(__file__).parent.parent / "examples" / "plans" / "pb-iep-goals.json"
TEACHER = {"name": "R. Teacher", "role": "regular_education_teacher"}


def _run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result


def _notice(path: Path, meeting_id: str) -> dict:
    plans = json.loads(path.read_text())["plans"]
    return next(m for m in plans["meetings"] if m["id"] == meeting_id)["notice"]


def test_300_322_b_1_i_a_notice_sent_with_time_and_place_to_be_agreed_is_not_met(tmp_path):
    """The QA reproduction: a meeting scheduled with no time, place or invited staff."""
    path = tmp_path / "k.json"
    shutil.copy(EXAMPLE, path)
    assert (
        _run("meetings", "schedule", path, "--kind", "iep_annual", "--date", "2026-11-05").exit_code
        == 0
    )
    sent = _run(
        "meetings",
        "notice",
        path,
        "iep-annual-2026-11-05",
        "--sent",
        "2026-10-20",
        "--out",
        tmp_path / "k.html",
    )
    assert sent.exit_code == 0, sent.output
    assert _notice(path, "iep-annual-2026-11-05") == {"sent": "2026-10-20", "includes": ["purpose"]}
    check = _run("meetings", "check", path, "--as-of", "2026-11-06", "--format", "json")
    rows = [
        r
        for r in json.loads(check.stdout)
        if r["meeting"] == "iep-annual-2026-11-05" and r["rule"] == "plans.meeting.notice_content"
    ]
    assert [(r["outcome"], r["reason"]) for r in rows] == [
        ("not_met", "The notice did not say: time, location, participants.")
    ]
    assert check.exit_code == 1  # a rule not met


def test_a_notice_whose_content_the_file_does_not_give_needs_information(engine):
    """A hand-written file with `notice: {sent}` only: nothing is assumed either way."""
    case = engine.case_from_dict(
        {
            "id": "NOTICE-1",
            "ruleset": "us",
            "child": {"birth_date": "2015-04-01"},
            "plans": {
                "meetings": [
                    {
                        "id": "m1",
                        "kind": "iep_annual",
                        "date": "2026-03-10",
                        "notice": {"sent": "2026-02-20"},
                    }
                ]
            },
        }
    )
    rec = record_of(case)
    [content] = [
        c
        for c in check_meeting(case, rec.meetings[0], rec.contacts, engine.ruleset_for(case))
        if c.rule == "plans.meeting.notice_content"
    ]
    assert content.outcome == "needs_information"
    assert "`includes`" in content.reason


@pytest.mark.parametrize(
    ("time", "location", "staff"), list(itertools.product([False, True], repeat=3))
)
def test_what_is_recorded_is_what_the_written_notice_says(engine, time, location, staff):
    """notice_items and render_notice agree: an item is recorded exactly when the page
    gives it, not "to be agreed with you" or "the team will tell you who is coming"."""
    meeting = {"id": "m1", "kind": "iep_annual", "date": "2026-03-10"}
    if time:
        meeting["time"] = "15:30"
    if location:
        meeting["location"] = "Room 12, Maple Elementary"
    if staff:
        meeting["participants"] = [TEACHER]
    case = engine.case_from_dict(
        {
            "id": "NOTICE-2",
            "ruleset": "us",
            "child": {"birth_date": "2015-04-01"},
            "plans": {"meetings": [meeting]},
        }
    )
    m = record_of(case).meetings[0]
    page = render_notice(case, m, "en")
    items = notice_items(m, "en")
    assert items[0] == "purpose"
    assert ("time" in items) == time == ("15:30" in page)
    assert ("location" in items) == location == ("Room 12, Maple Elementary" in page)
    assert ("participants" in items) == staff == ("R. Teacher" in page)
    assert page.count("to be agreed with you") == (not time) + (not location)
    assert ("The team will tell you who is coming" in page) == (not staff)


@pytest.mark.parametrize(("lang", "given"), [("es", True), ("en", False)])
def test_300_322_b_1_i_the_record_is_what_the_notice_in_its_language_says(tmp_path, lang, given):
    """The place is given only in the family's language (a Spanish wording, no English
    location): the Spanish notice names it ("Sala 12, Escuela Maple"), the English one
    says "to be agreed with you". `meetings notice --sent --lang` records the location
    exactly when the notice it writes, in that language, gives it; it read the meeting's
    own `location` only, whatever the notice's language."""
    doc = json.loads(EXAMPLE.read_text())
    doc["plans"]["meetings"].append(
        {
            "id": "m-es",
            "kind": "iep_annual",
            "date": "2026-11-05",
            "time": "15:30",
            "participants": [TEACHER],
            "wordings": [{"lang": "es", "location": "Sala 12, Escuela Maple"}],
        }
    )
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    page = tmp_path / "k.html"
    sent = _run(
        "meetings", "notice", path, "m-es", "--sent", "2026-10-20", "--lang", lang, "--out", page
    )
    assert sent.exit_code == 0, sent.output
    assert ("Sala 12, Escuela Maple" in page.read_text()) == given
    includes = _notice(path, "m-es")["includes"]
    assert includes == (["purpose", "time", "location", "participants"] if given else
                        ["purpose", "time", "participants"])  # fmt: skip
