"""`cases add-event --until`: the last day of the period an event covers.

A `delay` with no `until` counts as its own day only; an extension by agreement
(34 CFR 300.301(d)(2), (e) `transfer_in`; 300.309(c) `sld_extension_agreed`) is
excused only up to its agreed date, the delay's `until`; a multi-day
`absent_from_school` runs from `date` to `until`. Before, `--until` was "No such
option", so none of these could be recorded with add-event. It is checked as in a
case file (not before the event's date) and refused on a type that covers no period.
"""

from __future__ import annotations

from helpers import caseload_cli, write_cases

CASE = {
    "id": "U-B-1",
    "ruleset": "us",
    "child": {"birth_date": "2019-05-01", "name": "Uma Fictional"},
    "events": [{"type": "consent_for_evaluation", "date": "2026-01-05", "program": "part_b"}],
}


def _events(invoke, tmp_path):
    import json

    out = tmp_path / "out.json"
    invoke("cases", "export", "U-B-1", "-o", out)
    return json.loads(out.read_text())["events"]


def test_300_301_e_transfer_in_delay_keeps_its_agreed_date(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", CASE))
    invoke(
        "cases", "add-event", "U-B-1", "delay", "2026-01-20", "--reason", "transfer_in",
        "--until", "2026-04-01", "--program", "part_b",
    )  # fmt: skip
    delay = [e for e in _events(invoke, tmp_path) if e["type"] == "delay"]
    assert delay == [
        {
            "type": "delay",
            "date": "2026-01-20",
            "program": "part_b",
            "reason": "transfer_in",
            "until": "2026-04-01",
        }
    ]


def test_a_multi_day_absence_is_recorded(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", CASE))
    invoke(
        "cases", "add-event", "U-B-1", "absent_from_school", "2026-02-02", "--until", "2026-02-06"
    )
    absent = [e for e in _events(invoke, tmp_path) if e["type"] == "absent_from_school"]
    assert absent[0]["until"] == "2026-02-06"


def test_until_before_the_event_date_is_refused_as_in_a_case_file(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", CASE))
    result = invoke(
        "cases", "add-event", "U-B-1", "delay", "2026-01-20", "--reason", "transfer_in",
        "--until", "2026-01-19", code=2,
    )  # fmt: skip
    assert "--until" in result.output and "before" in result.output
    assert "Traceback" not in result.output
    assert [e["type"] for e in _events(invoke, tmp_path)] == ["consent_for_evaluation"]


def test_until_on_a_one_day_event_type_is_refused(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", CASE))
    result = invoke(
        "cases", "add-event", "U-B-1", "evaluation_completed", "2026-02-10",
        "--until", "2026-02-12", code=2,
    )  # fmt: skip
    assert 'an "evaluation_completed" event takes no `until`' in result.output
    assert "absent_from_school, delay" in result.output
    assert [e["type"] for e in _events(invoke, tmp_path)] == ["consent_for_evaluation"]


def test_until_on_a_one_day_event_type_in_a_case_file_is_refused_the_same_way(
    tmp_path, monkeypatch
):
    """A case file gets the check add-event applies (it was kept there, and ignored)."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    bad = {**CASE, "events": [{**CASE["events"][0], "until": "2026-01-09"}]}
    result = invoke("cases", "import", write_cases(tmp_path / "cases", bad), code=2)
    assert 'events[0].until: a "consent_for_evaluation" event takes no `until`' in result.output
    assert "absent_from_school, delay" in result.output
    result = invoke("check", write_cases(tmp_path / "one", bad) / "U-B-1.json", code=2)
    assert "takes no `until`" in result.output


def test_until_that_is_not_a_date_is_a_usage_error(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", CASE))
    result = invoke(
        "cases", "add-event", "U-B-1", "delay", "2026-01-20", "--reason", "transfer_in",
        "--until", "2026-02-30", code=2,
    )  # fmt: skip
    assert "Invalid value for '--until': '2026-02-30' is not a date" in result.output
