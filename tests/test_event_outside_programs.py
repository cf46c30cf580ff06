"""An event in a program the case has no enrolment in is refused, in add-event and in a file.

Before, `cases add-event B-1 evaluation_completed D --program part_c` on a case
enrolled in Part B only said "its clocks are updated" while the owed Part B
initial evaluation (34 CFR 300.301(c)) stayed owed, and an untagged
`ifsp_meeting_held` (a Part C event, 303.342) was stored on it with no word.
One check (`core/convert/enrolled.py`, among the entry checks of every way into
a caseload) refuses both, in `cases add-event` and in a case file. A child moving
from Part C to Part B is enrolled in both, and a case without enrolments is not
checked (its events decide its programs, docs/clocks.md section 3).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import caseload_cli, write_cases

from eirules.core.engine import Engine
from eirules.core.errors import InputError

PART_B = {
    "id": "E-B-1",
    "ruleset": "us",
    "child": {"birth_date": "2022-05-24", "name": "Wren Fictional"},
    "enrolments": [{"program": "part_b", "start": "2025-11-03"}],
    "events": [{"type": "consent_for_evaluation", "date": "2025-11-03", "program": "part_b"}],
}
TODAY = date(2026, 2, 1)


def _events(invoke, tmp_path):
    out = tmp_path / "out.json"
    invoke("cases", "export", "E-B-1", "-o", out)
    return json.loads(out.read_text())["events"]


def test_add_event_refuses_a_program_the_case_is_not_enrolled_in(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", PART_B))
    result = invoke(
        "cases", "add-event", "E-B-1", "evaluation_completed", "2026-01-01",
        "--program", "part_c", code=2,
    )  # fmt: skip
    assert result.output.splitlines() == [
        "Error: event not added to case E-B-1",
        '  --program: "part_c" is not one of the case\'s programs (its enrolments: part_b); '
        'tag the event with one of them ("program" in a case file, --program in cases '
        'add-event) (or, if the child is in part_c too, add {"program": "part_c"} to the '
        "case file's enrolments)",
    ]
    assert "its clocks are updated" not in result.output
    assert _events(invoke, tmp_path) == PART_B["events"]  # nothing written


def test_add_event_refuses_an_untagged_event_only_another_program_has(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", PART_B))
    result = invoke("cases", "add-event", "E-B-1", "ifsp_meeting_held", "2026-01-01", code=2)
    assert result.output.splitlines()[1] == (
        "  TYPE: an \"ifsp_meeting_held\" event is part_c's, not one of the case's programs "
        '(its enrolments: part_b); did you mean "iep_meeting_held"? (or, if the child is in '
        'part_c too, add {"program": "part_c"} to the case file\'s enrolments)'
    )
    assert _events(invoke, tmp_path) == PART_B["events"]


def test_add_event_takes_the_case_s_own_program(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", PART_B))
    invoke(
        "cases", "add-event", "E-B-1", "evaluation_completed", "2026-01-01", "--program", "part_b"
    )
    assert _events(invoke, tmp_path)[-1] == {
        "type": "evaluation_completed",
        "date": "2026-01-01",
        "program": "part_b",
    }


def test_a_case_file_is_refused_the_same_way(tmp_path, monkeypatch):
    late = {"type": "ifsp_meeting_held", "date": "2026-01-02"}
    doc = dict(PART_B, events=[*PART_B["events"], late])
    invoke = caseload_cli(tmp_path, monkeypatch)
    result = invoke("cases", "import", write_cases(tmp_path / "cases", doc), code=2)
    assert 'events[1].type: an "ifsp_meeting_held" event is part_c\'s' in result.output
    assert "Imported" not in result.output


@pytest.mark.parametrize(
    ("enrolments", "events", "problems"),
    [
        # Enrolled in both (a child moving from Part C to Part B): every event fits.
        (
            ["part_c", "part_b"],
            [("ifsp_meeting_held", None), ("evaluation_completed", "part_b")],
            [],
        ),
        # No enrolment: the events decide the programs, nothing is refused.
        ([], [("ifsp_meeting_held", None), ("iep_meeting_held", None)], []),
        # A type shared by both programs, untagged: Part B's here.
        (["part_b"], [("evaluation_completed", None), ("delay", None)], []),
        (
            ["part_c"],
            [("iep_meeting_held", None), ("consent_for_evaluation", "part_b")],
            ["events[0].type", "events[1].program"],
        ),
        # A student in MTSS referred for a Part B evaluation: the documented path
        # (docs/clocks.md, section 3), the consent tagged part_b (34 CFR 300.301(b)).
        (["mtss"], [("consent_for_evaluation", "part_b")], []),
        (
            ["mtss"],
            [("ifsp_meeting_held", None), ("consent_for_evaluation", "part_b")],
            ["events[0].type"],
        ),
        # A program the type does not have: the vocabulary says so, once.
        (["part_b"], [("iep_meeting_held", "part_c")], ["events[0].program"]),
    ],
)
def test_which_events_are_refused(enrolments, events, problems):
    doc = {
        "id": "E-1",
        "child": {"birth_date": "2022-05-24"},
        "enrolments": [{"program": p} for p in enrolments],
        "events": [
            {"type": t, "date": "2025-12-01", **({"program": p} if p else {})} for t, p in events
        ],
    }
    if events and events[-1][0] == "delay":
        doc["events"][-1]["reason"] = "agency_reason"
    engine = Engine(entry_points=False)
    if "events[0].type" in problems:  # without `today`: not an entry into a caseload
        assert len(engine.case_from_dict(doc).events) == 2
    try:
        engine.case_from_dict(doc, today=TODAY)
    except InputError as exc:
        assert [p.where for p in exc.problems] == problems
    else:
        assert problems == []
