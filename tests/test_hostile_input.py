"""Issue 11: hostile input gets a clear error (exit 2, nothing written); output cannot attack its reader.

Every test here failed on the code before the fix it belongs to: the one JSON
reader (core/jsonio.py), the one date bound (core/dates.py), the one output
escaper and CSV neutraliser (cli/output.py).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file

from eirules.cli import cli, output_tables
from eirules.cli import output as cli_output

EXAMPLES = Path(__file__).parent.parent / "examples"
CASE = {
    "schema": "eirules/case@1",
    "id": "T-0001",
    "ruleset": "us",
    "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
    "events": [{"type": "referral_received", "date": "2026-01-05"}],
}


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def check(*args, input=None):
    return CliRunner().invoke(cli, ["check", *map(str, args)], input=input, catch_exceptions=False)


def count_cases(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        return conn.execute("SELECT count(*) FROM cases").fetchone()[0]


# The one JSON reader -----------------------------------------------------------------------

LONE_SURROGATE = json.dumps(CASE).replace("Ada Fictional", "Ada \\ud800 Fictional")
DEEP = '{"id": "T-0001", "note": ' + "[" * 5000 + "]" * 5000 + "}"
BIG_INT = json.dumps(CASE).replace('"ruleset": "us"', '"ruleset": ' + "9" * 4301)
DUPLICATE = json.dumps(CASE).replace('"ruleset": "us"', '"ruleset": "us", "ruleset": "us-mo"')


@pytest.mark.parametrize(
    "text, what",
    [
        (LONE_SURROGATE, "lone UTF-16 surrogate"),
        (DEEP, "nested more than 64 levels deep"),
        (BIG_INT, "a number with 4301 digits"),
        (DUPLICATE, 'the key "ruleset" appears twice in one object'),
    ],
    ids=["lone-surrogate", "5000-deep", "4301-digits", "duplicate-key"],
)
def test_import_and_check_refuse_the_same_bad_json_with_exit_2(run, tmp_path, text, what):
    """One reader for `cases import` and `check`: the same refusal, exit 2, nothing stored."""
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    imported = run("cases", "import", path, code=2)
    assert what in imported.output
    assert "Traceback" not in imported.output
    assert count_cases(tmp_path) == 0
    checked = check(path, "--as-of", "2026-02-01")
    assert checked.exit_code == 2, checked.output
    assert what in checked.output
    piped = check("-", "--as-of", "2026-02-01", input=text.encode("utf-8"))
    assert piped.exit_code == 2 and what in piped.output


def test_a_utf8_bom_is_accepted_by_import_as_by_check(run, tmp_path):
    """A Windows editor's byte-order mark: `check` accepted it, import refused it."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode("utf-8"))
    assert check(path, "--as-of", "2026-02-01").exit_code == 0
    run("cases", "import", path)
    assert count_cases(tmp_path) == 1


def test_check_standard_input_that_is_not_utf8_is_exit_2(tmp_path):
    result = check("-", input=b'{"id": "\xff"}')
    assert result.exit_code == 2
    assert result.output.startswith("Error: stdin is not UTF-8 text")


def test_skip_invalid_with_unreadable_json_writes_every_reject_and_exits_2(run, tmp_path):
    """--skip-invalid crashed after committing (exit 1, empty rejects file) on a lone surrogate."""
    good = write_case_file(tmp_path / "good.json", "T-0001")
    bad = tmp_path / "bad.json"
    bad.write_text(LONE_SURROGATE.replace("T-0001", "T-0002"), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    result = run("cases", "import", good, bad, "--skip-invalid", "--rejects", rejects, code=2)
    assert "Imported: 1 new" in result.output
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["source"] == str(bad)
    assert count_cases(tmp_path) == 1


# The one date bound ------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0001", "1899", "2200", "9999"])
def test_a_birth_date_outside_the_bound_is_an_input_error_not_a_plugin_failure(tmp_path, year):
    """A birth year of 9999 passed validation and was then blamed on the built-in plugin (exit 1)."""
    data = json.loads(json.dumps(CASE))
    data["child"]["birth_date"] = f"{year}-01-01"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    result = check(path, "--as-of", "2026-02-01")
    assert result.exit_code == 2, result.output
    # The birth date is personal data: the message names the field, never the value.
    assert result.output.splitlines()[1] == (
        "  child.birth_date: the value is out of range; expected a date from 1900-01-01 to 2199-12-31"
    )


@pytest.mark.parametrize("value", ["20260302", "2026-W10-1", "2026-W10", "2026-061", "٢٠٢٦-٠٣-٠٢"])
def test_as_of_accepts_only_yyyy_mm_dd(value):
    """docs/cli.md says YYYY-MM-DD; Python's fromisoformat also took basic and week dates."""
    result = check(EXAMPLES / "mo-0001.json", "--as-of", value)
    assert result.exit_code == 2
    assert "is not a date (YYYY-MM-DD)" in result.output


@pytest.mark.parametrize("command", [["check", str(EXAMPLES / "mo-0001.json")], ["due"]])
def test_as_of_far_in_the_future_is_refused_not_an_overflow(run, command):
    result = run(*command, "--as-of", "9999-12-31", code=2)
    assert "'9999-12-31' is out of range; expected a date from 1900-01-01 to 2199-12-31" in (
        result.output
    )


# Ids and names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", "T-0001\n2026-02-19  3 overdue  T-9999"),
        ("name", "Ada \x1b]0;owned\x07Fictional"),
        ("name", "Ada \u202eFictional"),
    ],
)
def test_import_refuses_control_and_bidi_characters_in_ids_and_names(run, tmp_path, field, value):
    data = json.loads(json.dumps(CASE))
    if field == "id":
        data["id"] = value
    else:
        data["child"]["name"] = value
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    result = run("cases", "import", path, code=2)
    where = "id" if field == "id" else "child.name"
    suffix = "" if field == "id" else " (T-0001)"  # an id with a control character is not shown
    assert f"record 1{suffix}, {where}: contains the control or bidi character U+" in result.output
    assert "remove it: every field but a note is plain text on one line" in result.output
    assert count_cases(tmp_path) == 0


# Output that cannot attack its reader --------------------------------------------------------


def _evaluated(run, tmp_path, **child):
    data = json.loads(json.dumps(CASE))
    data["child"].update(child)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    run("cases", "import", path)
    run("evaluate", "--all", "--as-of", "2026-02-22")


def _hand_edit(tmp_path, sql, *args):
    """What a caseload written by an older version, or edited by hand, may hold."""
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        conn.execute(sql, args)


@pytest.mark.parametrize("command", [["due"], ["overdue"], ["cases", "list"]])
def test_escape_sequences_in_stored_names_are_shown_as_visible_escapes(run, tmp_path, command):
    """An ESC sequence in one child's name erased another case's row from the screen."""
    _evaluated(run, tmp_path)
    name = "Ada\x1b[1A\x1b[2K\u202eFictional\nT-9"
    _hand_edit(tmp_path, "UPDATE children SET name = ?", name)
    _hand_edit(tmp_path, "UPDATE clocks SET child = ?", name)  # shown from them (revision 0014)
    out = run(*command, "--as-of", "2026-02-22").output if command != ["cases", "list"] else None
    out = out if out is not None else run(*command).output
    assert "\x1b" not in out and "\u202e" not in out
    assert "Ada\\x1b[1A\\x1b[2K\\u202eFictional\\nT-9" in out
    assert not any(line.startswith("T-9") for line in out.splitlines())


@pytest.mark.parametrize("command", [["due"], ["overdue"], ["cases", "list"]])
def test_rich_markup_in_data_is_printed_as_written_on_a_terminal(
    run, tmp_path, monkeypatch, command
):
    """A caseworker named "[/bold]" crashed due, overdue and cases list on a terminal."""
    _evaluated(run, tmp_path, name="[link=https://example.invalid]Ada[/link]")
    run("cases", "assign", "T-0001", "[/bold] Rhea", "--new-caseworker")
    monkeypatch.setattr(output_tables, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps to the terminal's width
    extra = ["--as-of", "2026-02-22"] if command != ["cases", "list"] else []
    out = run(*command, *extra).output
    assert "[/bold] Rhea" in out
    assert "[link=https://example.invalid]Ada[/link]" in out


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_numbers_stay_numbers(run, tmp_path):
    """due/overdue --format csv wrote =, +, -, @ cells verbatim."""
    _evaluated(run, tmp_path, name='=HYPERLINK("https://example.invalid","Ada")')
    run("cases", "assign", "T-0001", "@SUM(A1)", "--new-caseworker")
    for command in ("due", "overdue"):
        text = run(command, "--as-of", "2026-02-22", "--format", "csv").output
        row = next(csv.DictReader(io.StringIO(text)))
        assert row["child"] == '\'=HYPERLINK("https://example.invalid","Ada")'
        assert row["caseworker"] == "'@SUM(A1)"
        assert row["days_left"] == "-3"  # numeric columns stay numeric


@pytest.mark.parametrize("first", ["=", "+", "-", "@"])
def test_csv_cell_prefixes_each_formula_start(first):
    assert cli_output.csv_cell(f"{first}1+1") == f"'{first}1+1"
    assert cli_output.csv_cell(-3) == -3 and cli_output.csv_cell(2.5) == 2.5
    assert cli_output.csv_cell("Ada") == "Ada"


@pytest.mark.parametrize("first", ["\t", "\r"])
def test_csv_cell_shows_a_leading_tab_or_return_as_an_escape_no_formula(first):
    """A tab or a carriage return starts a formula in some spreadsheets: the cell shows it as
    a visible escape (``\\t``, ``\\r``) instead, so it neither starts one nor is a control."""
    cell = cli_output.csv_cell(f"{first}=1+1")
    assert cell == ("\\t" if first == "\t" else "\\r") + "=1+1"


# One text check at every way in (core/text.py `text_problem`) ------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from eirules.core.text import MAX_TEXT, text_problem  # noqa: E402

#: Text as hostile as hypothesis makes it: controls, bidi marks, escapes, and now and
#: then one character more than the length bound.
HOSTILE = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from("\x1b\x00\n\t\u202e\u2028 ["),
    max_size=30,
) | st.builds(lambda c: c * (MAX_TEXT + 1), st.sampled_from("ab"))
_ONCE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@_ONCE
@given(name=HOSTILE)
@example(name="-0")  # what hypothesis found: click read it as an option
@example(name="-h")  # the help alias, were it not after --
def test_any_caseworker_name_is_stored_as_typed_or_refused_with_nothing_written(
    run, tmp_path, name
):
    """`caseworkers add $'Ev\\x1b[31mil'` was accepted, then `cases assign` refused the name."""
    db = tmp_path / "caseload.db"
    before = (
        _count(db, "SELECT count(*) FROM caseworkers"),
        _count(db, "SELECT count(*) FROM audit_log"),
    )
    # After `--` the name is a name even when it begins with "-" (hypothesis found `-0`,
    # which click read as an option): what a person types for such a name, told so below.
    result = CliRunner().invoke(cli, ["caseworkers", "add", "--", name])
    tidy = " ".join(name.split())
    if not tidy or text_problem(name) is not None:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert (
            _count(db, "SELECT count(*) FROM caseworkers"),
            _count(db, "SELECT count(*) FROM audit_log"),
        ) == before
    else:
        assert result.exit_code == 0, result.output
        listed = json.loads(
            CliRunner().invoke(cli, ["caseworkers", "list", "--format", "json"]).output
        )
        assert tidy.casefold() in {r["name"].casefold() for r in listed}


@_ONCE
@given(note=HOSTILE)
def test_any_event_note_round_trips_or_is_refused_with_nothing_written(run, tmp_path, note):
    """`add-event --note $'x\\x1b[2Jy'` was accepted; a note may break lines, nothing else."""
    db = tmp_path / "caseload.db"
    if not _count(db, "SELECT count(*) FROM cases"):
        write_case_file(tmp_path / "n.json", "NOTE-1")
        run("cases", "import", tmp_path / "n.json")
    before = _count(db, "SELECT count(*) FROM audit_log")
    result = CliRunner().invoke(
        cli, ["cases", "add-event", "NOTE-1", "service_started", "2026-02-09", "--note", note]
    )
    if result.exit_code == 0:
        assert text_problem(note, note=True) is None
        events = json.loads(CliRunner().invoke(cli, ["cases", "export", "NOTE-1"]).stdout)["events"]
        assert note in [e.get("note") for e in events] or not note
    else:
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert _count(db, "SELECT count(*) FROM audit_log") == before


def test_a_name_that_begins_with_a_dash_is_explained_then_taken_after_double_dash(run, tmp_path):
    """A person typing `eirules caseworkers add -0` (or `cases assign ID -Rhea`) got click's
    bare "No such option '-0'". The usage error now says how to give such a value; after
    `--` it is stored as typed. A mistyped option (`--fromat`, which click suggests a fix
    for) gets no such hint."""
    first = CliRunner().invoke(cli, ["caseworkers", "add", "-0"], prog_name="eirules")
    assert first.exit_code == 2
    assert first.output.splitlines()[-2:] == [
        "Error: No such option '-0'.",
        '  A value that begins with "-" (a name or an id) goes after --, the options before it: '
        "eirules caseworkers add [OPTIONS] -- NAME",
    ]
    added = CliRunner().invoke(cli, ["caseworkers", "add", "--", "-0"])
    assert (added.exit_code, added.output) == (0, "Added caseworker -0\n")
    write_case_file(tmp_path / "d.json", "DASH-1")
    run("cases", "import", tmp_path / "d.json")
    refused = CliRunner().invoke(cli, ["cases", "assign", "DASH-1", "-0"], prog_name="eirules")
    assert refused.output.splitlines()[-1].endswith(
        "eirules cases assign [OPTIONS] -- ID CASEWORKER"
    )
    assigned = CliRunner().invoke(cli, ["cases", "assign", "--", "DASH-1", "-0"])
    assert assigned.exit_code == 0, assigned.output
    shown = json.loads(
        CliRunner().invoke(cli, ["cases", "show", "DASH-1", "--format", "json"]).output
    )
    assert shown["caseworker"] == "-0"
    typo = CliRunner().invoke(cli, ["caseworkers", "list", "--fromat", "json"])
    assert typo.exit_code == 2
    assert (
        typo.output.splitlines()[-1] == "Error: No such option '--fromat'. Did you mean '--format'?"
    )
