"""Text that looks like other text, and text that skipped the check (QA review, session 9).

Invisible characters no name needs are refused everywhere text is checked; the
default-ignorables a name may hold (ZWJ, ZWNJ, variation selectors) are ignored when
caseworkers are compared; a case id has no space at either end; every free-text
option and every plans field runs the one check; calendar closures keep their names;
`contacts list` shows the outcome. Each test failed before its fix.
"""

from __future__ import annotations

import functools
import json
import shutil
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.text import identity_key, invisible, text_problem

EXAMPLES = Path(__file__).parent.parent / "examples"
PLAN = EXAMPLES / "plans" / "pb-iep-goals.json"
CALENDAR = EXAMPLES / "calendars" / "fictional-unified-2025-26.csv"

#: Invisible characters no name needs: refused wherever text is checked.
REFUSED = ["\xad", "\u200b", "\u2060", "\u2062", "\u2064", "\u206a", "\ufeff", "\U000e0001"]
#: Default-ignorables a real name may hold (Persian, Indic, Mongolian, emoji, CJK variants).
KEPT = ["\u200c", "\u200d", "\u034f", "\u180b", "\u180e", "\ufe0f", "\U000e0100", "\u3164"]


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def rows(tmp_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        return conn.execute(sql).fetchall()


# 1. Look-alike names -----------------------------------------------------------------------


@pytest.mark.parametrize("char", REFUSED)
def test_invisible_characters_no_name_needs_are_refused(char):
    problem = text_problem(f"Rhea Tal{char}lowby")
    assert problem is not None and f"U+{ord(char):04X}" in problem[0]
    assert not char.isprintable()  # what lets text_problem pass printable text at once


@pytest.mark.parametrize("char", KEPT)
def test_joiners_and_selectors_a_name_may_hold_pass_and_are_ignored_in_identity(char):
    assert text_problem(f"Rhea Tal{char}lowby") is None
    assert identity_key(f"Rhea Tal{char}lowby") == identity_key("rhea  tallowby")
    assert invisible(f"MO-{char}0001") == f"U+{ord(char):04X}"


@given(st.text(max_size=30), st.lists(st.sampled_from(KEPT + REFUSED + [" ", "\t"]), max_size=4))
def test_identity_key_ignores_inserted_ignorables_and_never_crashes(text, extra):
    mixed = text + "".join(extra)
    assert identity_key(mixed) == identity_key(text + " ")
    assert identity_key(identity_key(mixed)) == identity_key(mixed)


def test_a_look_alike_caseworker_is_refused_naming_the_existing_one(run, tmp_path):
    run("caseworkers", "add", "Rhea Tallowby")
    entries = rows(tmp_path, "SELECT count(*) FROM audit_log")
    soft = run("caseworkers", "add", "Rhea Tal\u00adlowby", code=2)
    assert "invisible character U+00AD" in soft.output
    joined = run("caseworkers", "add", "Rhea Tallowby\u200d", code=2)
    assert 'looks the same as the caseworker "Rhea Tallowby"' in joined.output
    assert "U+200D" in joined.output
    assert rows(tmp_path, "SELECT name FROM caseworkers") == [("Rhea Tallowby",)]
    assert rows(tmp_path, "SELECT count(*) FROM audit_log") == entries  # nothing written
    # A spelling that differs only in case and spaces is the same caseworker, as before.
    assert "already in the caseload" in run("caseworkers", "add", "rhea  tallowby").output


def test_assigning_to_a_look_alike_assigns_the_existing_caseworker(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    run("caseworkers", "add", "Rhea Tallowby")
    run("cases", "assign", "T-0001", "Rhea Tallowby\u200d")
    assert rows(tmp_path, "SELECT caseworker FROM assignments") == [("Rhea Tallowby",)]


def test_cases_list_finds_cases_of_look_alikes_stored_before_they_were_refused(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    run("cases", "import", write_case_file(tmp_path / "d.json", "T-0002"))
    run("cases", "assign", "T-0001", "Rhea Tallowby", "--new-caseworker")
    with sqlite3.connect(tmp_path / "caseload.db") as conn:  # as an older eirules stored it
        conn.execute("INSERT INTO caseworkers (name, added_at) VALUES ('Rhea Tallowby\u200d', 'z')")
        conn.execute(
            "INSERT INTO assignments (case_id, caseworker, assigned_at) "
            "VALUES ('T-0002', 'Rhea Tallowby\u200d', 'z')"
        )
    out = run("cases", "list", "--caseworker", "Rhea Tallowby", "--format", "json").output
    assert sorted(r["case_id"] for r in json.loads(out)) == ["T-0001", "T-0002"]


# 2. Case ids with a space at an end --------------------------------------------------------


@pytest.mark.parametrize(
    "case_id, fix",
    [
        ("MO-0001 ", "remove the space at the end of the id"),
        ("\u00a0MO-0001", "remove the space at the start of the id"),
        ("MO-0001\u2003", "remove the space at the end of the id"),
        ("MO-0001\u200d", "remove it: an id is plain text"),
        # QA2: "IDé" written as e + U+0301 was a second case beside "IDé", never found by it.
        ("IDe\u0301", "write the id in Unicode NFC form"),
    ],
)
def test_a_json_case_id_with_a_space_or_joiner_is_refused(run, tmp_path, case_id, fix):
    path = write_case_file(tmp_path / "c.json", case_id)
    result = run("cases", "import", path, code=2)
    assert fix in result.output
    assert rows(tmp_path, "SELECT count(*) FROM cases") == [(0,)]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    core=st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
    pad=st.sampled_from([" ", "\u00a0", "\u2003", "\u3000", "\t"]),
    where=st.sampled_from(["start", "end"]),
)
def test_no_case_with_a_space_at_an_end_of_its_id_is_built(engine, core, pad, where):
    case_id = pad + core if where == "start" else core + pad
    data = {"id": case_id, "child": {"birth_date": "2024-11-02"}, "events": []}
    from eirules.core.errors import EirulesError

    with pytest.raises(EirulesError):
        engine.case_from_dict(data)


# 3. Free-text options and plans fields -----------------------------------------------------


HOSTILE = st.sampled_from(["\x1b[2J", "\u202e", "\x00", "\r", "\xad", "\u2060", "\ufeff"])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=HOSTILE, option=st.sampled_from(["--person", "--topic", "--by", "--meeting"]))
def test_a_contact_option_with_a_hostile_character_is_a_usage_error(tmp_path, bad, option):
    path = tmp_path / "g.json"
    shutil.copy(PLAN, path)
    before = path.read_bytes()
    args = {"--person": "mother", "--topic": "t", "--by": "x", "--meeting": "m"}
    args[option] = f"mo{bad}ther"
    result = CliRunner().invoke(
        cli,
        ["contacts", "add", str(path), "--date", "2026-02-10", "--method", "call"]
        + [x for pair in args.items() for x in pair],
    )
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert path.read_bytes() == before


def test_meeting_id_district_and_reason_options_are_checked(run, tmp_path, monkeypatch):
    path = tmp_path / "g.json"
    shutil.copy(PLAN, path)
    before = path.read_bytes()
    bad = "x\x1b[2Jy"
    out = run("meetings", "schedule", path, "--kind", "iep_review", "--date", "2026-12-21",
              "--id", bad, code=2).output  # fmt: skip
    assert "Invalid value for '--id'" in out and path.read_bytes() == before
    folder = tmp_path / "cal"
    out = run("--calendars-dir", folder, "calendars", "import", CALENDAR, "--district", bad,
              code=2).output  # fmt: skip
    assert "Invalid value for '--district'" in out and not folder.exists()
    run("cases", "import", write_case_file(tmp_path / "c.json", "T-0001"))
    entries = rows(tmp_path, "SELECT count(*) FROM audit_log")
    out = run("cases", "destroy", "T-0001", "--reason", bad, "--yes", code=2).output
    assert "Invalid value for '--reason'" in out
    assert rows(tmp_path, "SELECT count(*) FROM audit_log") == entries
    assert rows(tmp_path, "SELECT count(*) FROM cases") == [(1,)]


@pytest.mark.parametrize(
    "section, index, field",
    [("contacts", 0, "person"), ("contacts", 0, "outcome"), ("meetings", 0, "id"),
     ("goals", 0, "statement"), ("meetings", 0, "location")],
)  # fmt: skip
def test_plans_fields_run_the_same_text_check_as_the_case(engine, section, index, field):
    from eirules.core.errors import EirulesError

    data = json.loads(PLAN.read_text())
    engine.case_from_dict(json.loads(PLAN.read_text()))  # the example itself is fine
    data["plans"][section][index][field] = "a\x1b[31mb"
    with pytest.raises(EirulesError) as raised:
        engine.case_from_dict(data)
    assert "U+001B" in str(raised.value) or "U+001B" in repr(raised.value.problems)


def test_a_plans_note_may_break_lines(engine):
    data = json.loads(PLAN.read_text())
    data["plans"]["contacts"][0]["outcome"] = "first line\nsecond line"
    engine.case_from_dict(data)


# 4. Help: tests/test_docs.py (test_every_command_and_option_has_help); 5. closure names:
# tests/test_calendars_cli.py; 6. the contact log's columns: tests/test_plans_cli.py.


@functools.cache
def _engine():
    from eirules.core.engine import Engine

    return Engine(entry_points=False)


@settings(max_examples=80)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8))
def test_every_case_id_built_is_in_nfc_so_two_look_alikes_never_both_exist(text):
    """Invariant: an id the model accepts is its own NFC form, and no id crashes the check."""
    from eirules.core.errors import InputError

    doc = {"schema": "eirules/case@1", "id": text, "child": {"birth_date": "2025-01-10"}}
    try:
        case = _engine().case_from_dict(doc)
    except InputError:
        return
    assert unicodedata.normalize("NFC", case.id) == case.id
