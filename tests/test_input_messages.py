"""What a bad value in a case file or a CSV row is said to be (QA, status: messages).

An empty required value says it is required; a date not written YYYY-MM-DD says what
was found (the child's birth date by its form only: personal data stays out of
messages, docs/threat-model.md); a bad line of a .jsonl file is "not valid JSON" as a
bad .json file is.
"""

from __future__ import annotations

import json

import pytest
from helpers import caseload_cli

from eirules.core import importing, jsonio

HEADER = "case_id,birth_date,child_name,program,event_type,event_date\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch, chdir=True)


def _refused(run, name: str, text: str) -> list[str]:
    """The problem lines of an import of `text` (refused: exit 2)."""
    with open(name, "w", encoding="utf-8") as handle:
        handle.write(text)
    return run("cases", "import", name, code=2).output.splitlines()[1:]


def test_csv_an_empty_birth_date_is_required_and_a_bad_one_says_its_form(run):
    """The birth date is required (it sets every Part C clock's end, 34 CFR 303.209 and
    303.21); an empty cell says so. 2024/01/01 is written 9999/99/99: the form, never the
    date, is shown."""
    lines = _refused(
        run,
        "c.csv",
        HEADER
        + "CSV-E-1,,Tamsin Oakhollow,part_c,referral_received,2026-01-12\n"
        + "CSV-E-2,2024/01/01,Tamsin Oakhollow,part_c,referral_received,2026-01-12\n"
        + "CSV-E-3,2024-01-01,Tamsin Oakhollow,part_c,referral_received,12/01/2026\n",
    )
    assert lines == [
        "  c.csv, row 2, birth_date: required but empty; expected a date (YYYY-MM-DD)",
        '  c.csv, row 3, birth_date: the value, written "9999/99/99", is not a date (YYYY-MM-DD)',
        '  c.csv, row 4, event_date: "12/01/2026" is not a date (YYYY-MM-DD)',
    ]
    assert not any("2024/01/01" in line for line in lines)


def test_json_empty_dates_required_or_not_and_an_empty_event_type(run):
    """The same hook for a case file: an event's date is required, its `until` is not."""
    document = {
        "schema": "eirules/case@1",
        "id": "JS-E-1",
        "ruleset": "us",
        "child": {"birth_date": "  "},
        "events": [{"type": "", "date": "", "until": ""}],
    }
    lines = _refused(run, "case.json", json.dumps(document))
    assert sorted(lines) == [
        "  case.json, record 1 (JS-E-1), child.birth_date: required but empty; "
        "expected a date (YYYY-MM-DD)",
        "  case.json, record 1 (JS-E-1), events[0].date: required but empty; "
        "expected a date (YYYY-MM-DD)",
        "  case.json, record 1 (JS-E-1), events[0].type: required but empty; expected some text",
        '  case.json, record 1 (JS-E-1), events[0].until: "" is empty; '
        "expected a date (YYYY-MM-DD)",
    ]


def test_a_bad_jsonl_line_is_not_valid_json_as_a_bad_json_file_is(run):
    """A .jsonl line is read without its line break, so the place is on that line
    ("line 4, column 2", not "line 4, line 2, column 1")."""
    good = json.dumps(
        {"id": "JL-1", "ruleset": "us", "child": {"birth_date": "2024-01-01"}, "events": []}
    )
    assert _refused(run, "bad.json", '{"id": oops}') == [
        "  bad.json, line 1, column 8: not valid JSON: Expecting value"
    ]
    assert _refused(run, "dup.jsonl", good + "\n" + good.replace("JL-1", "JL-2") + "\n\n{\n") == [
        "  dup.jsonl, line 4, column 2: not valid JSON: "
        "Expecting property name enclosed in double quotes"
    ]


def test_a_streamed_json_array_broken_inside_a_record_says_not_valid_json(tmp_path, monkeypatch):
    """A .json file above STREAM_BYTES is read record by record, with the same wording
    (it had it already: a guard on the one helper, `importing._refused`)."""
    monkeypatch.setattr(importing, "STREAM_BYTES", 0)
    monkeypatch.setattr(jsonio, "READ_SIZE", 64)
    path = tmp_path / "state.json"
    path.write_text('[{"id": "A"},\n {"id": oops},\n {"id": "B"}]')
    refused = [r for r in importing.read_records([path]) if r.problems]
    assert [(r.label, [str(p) for p in r.problems]) for r in refused] == [
        ("line 2, column 9", ["not valid JSON: Expecting value"])
    ]
