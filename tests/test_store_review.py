"""Review pass on the caseload and ruleset commands, walked as a new user would.

Each test pins a defect found by using the installed commands: a damaged caseload
file, an event program outside the event's vocabulary, a doubled CSV row label,
`rulesets test` on the folder `rulesets new` just wrote, and replaying a
determination after the ruleset it used was changed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file

from eirules.cli import cli


def case_file(tmp_path: Path, case_id="R-0001", ruleset="us", name="r.json") -> Path:
    return write_case_file(tmp_path / name, case_id, ruleset=ruleset)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke eirules with EIRULES_DB pointing at a fresh caseload; never a traceback."""
    return caseload_cli(tmp_path, monkeypatch, chdir=True)


# A caseload file edited by hand -------------------------------------------------------


def test_dropped_audit_table_is_a_clear_error_not_a_traceback(run, tmp_path):
    """Someone dropped audit_log in the sqlite3 shell: the file is damaged, say so (exit 1)."""
    run("cases", "import", case_file(tmp_path))
    conn = sqlite3.connect(tmp_path / "caseload.db")
    conn.execute("DROP TABLE audit_log")
    conn.commit()
    conn.close()
    for command in (("audit", "verify"), ("cases", "list"), ("due",)):
        result = run(*command, code=1)
        lines = result.output.splitlines()
        assert lines[0] == f"Error: {tmp_path / 'caseload.db'} is damaged: tables missing", lines
        assert "audit_log" in lines[1] and "restore the file from a backup" in lines[1]


def test_a_sqlite_error_during_a_command_is_reported_cleanly(run, tmp_path):
    """A column dropped by hand fails inside a query: still `Error: ...`, exit 1."""
    run("cases", "import", case_file(tmp_path))
    conn = sqlite3.connect(tmp_path / "caseload.db")
    conn.execute("DROP INDEX clocks_due_order")  # it holds the column (revision 0014)
    conn.execute("ALTER TABLE clocks DROP COLUMN citation")
    conn.commit()
    conn.close()
    result = run("due", "--as-of", "2026-02-10", code=1)
    assert result.output.startswith(f"Error: the caseload {tmp_path / 'caseload.db'} ")
    assert "no such column: k.citation" in result.output
    assert "Traceback" not in result.output


# add-event ---------------------------------------------------------------------------


def test_add_event_refuses_a_program_the_event_type_does_not_belong_to(run, tmp_path):
    """referral_received is a Part C event (303.310(a)); --program part_q is a typo, refused."""
    run("cases", "import", case_file(tmp_path))
    result = run(
        "cases",
        "add-event",
        "R-0001",
        "referral_received",
        "2026-01-06",
        "--program",
        "part_q",
        code=2,
    )
    assert result.output.splitlines() == [
        "Error: event not added to case R-0001",
        '  --program: "part_q" is not a program of a "referral_received" event; '
        "expected one of: part_c",
    ]
    ok = run(
        "cases", "add-event", "R-0001", "referral_received", "2026-01-06", "--program", "part_c"
    )
    assert ok.output.startswith("Added referral_received on 2026-01-06 to case R-0001")


# CSV import --------------------------------------------------------------------------


def test_a_one_row_csv_case_names_its_row_once(run, tmp_path):
    csv_file = tmp_path / "c.csv"
    csv_file.write_text(
        "case_id,birth_date,event_type,event_date\n"
        "X-1,2025-01-01,referral_received,2026-01-05\n"
        "X-2,notadate,referral_received,2026-01-05\n"
    )
    result = run("cases", "import", "c.csv", code=2)
    assert result.output.splitlines()[1] == (
        '  c.csv, row 3, birth_date: the value, written "xxxxxxxx", is not a date (YYYY-MM-DD)'
    )


# rulesets new, then test, as the written README says ---------------------------------


def test_rulesets_test_takes_the_folder_that_rulesets_new_wrote(run, tmp_path):
    run("rulesets", "new", "us-zz-pilot", "--extends", "us")
    readme = (tmp_path / "us-zz-pilot" / "tests" / "README.md").read_text()
    assert "eirules rulesets test us-zz-pilot" in readme
    result = run("rulesets", "test", "us-zz-pilot")
    assert result.output.startswith("no tests in ")
    shown = run("rulesets", "show", "us-zz-pilot").output
    assert shown.splitlines()[0] == "us-zz-pilot: us-zz-pilot"
    assert "lineage: us-zz-pilot -> us" in shown
    diff = run("rulesets", "diff", "us", "us-zz-pilot").output
    assert diff.splitlines()[0].endswith(": 0 parameters differ")


def test_unknown_ruleset_id_says_a_folder_or_rulesets_dir_also_works(run):
    result = run("rulesets", "test", "us-nowhere", code=1)
    assert result.output.splitlines()[0].startswith('Error: no ruleset "us-nowhere"')
    assert "give the path of its folder, or add its parent folder with --rulesets-dir" in (
        result.output
    )


# Replay rebuilds the ruleset version it used ---------------------------------------


def _pilot_ruleset(folder: Path, days: int) -> None:
    (folder / "parameters.toml").write_text(
        "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
        "effective = 2020-01-01\n"
        f"value = {{ length = {days} }}\n"
        'citation = "Fictional county pilot rule 1 (test only)"\n'
    )


def test_replay_uses_the_stored_copy_of_the_ruleset_version_it_ran_with(run, tmp_path):
    """A pilot tightens 303.310's 45 days to 30: referral 2026-01-05 is due 2026-02-04.

    After the pilot file changes to 40 days the installed ruleset would say
    2026-02-14; replay must rebuild the 30-day version from the copy stored with
    the determination and give the same answer.
    """
    run("rulesets", "new", "us-zz-pilot", "--extends", "us", "--dir", "rs")
    _pilot_ruleset(tmp_path / "rs" / "us-zz-pilot", 30)
    case = case_file(tmp_path, ruleset="us-zz-pilot")
    run("--rulesets-dir", "rs", "cases", "import", case)
    run("--rulesets-dir", "rs", "evaluate", "--all", "--as-of", "2026-02-10")
    shown = run("--rulesets-dir", "rs", "cases", "show", "R-0001").output
    assert "2026-02-04  overdue" in shown
    conn = sqlite3.connect(tmp_path / "caseload.db")
    (version,) = conn.execute("SELECT ruleset_version FROM determinations").fetchone()
    rows = conn.execute("SELECT full_version, ruleset, files FROM ruleset_versions").fetchall()
    conn.close()
    assert [(r[0], r[1]) for r in rows] == [(version, "us-zz-pilot")]
    lineage = json.loads(rows[0][2])
    assert [node["id"] for node in lineage] == ["us-zz-pilot", "us"]
    assert "length = 30" in lineage[0]["files"]["parameters.toml"]

    _pilot_ruleset(tmp_path / "rs" / "us-zz-pilot", 40)
    replay = run(
        "--rulesets-dir", "rs", "cases", "show", "R-0001", "--determination", "1", "--replay"
    ).output.splitlines()
    assert replay[0] == "Replayed determination 1 of case R-0001: the same answer."
    assert replay[1] == (
        f"  Ruleset us-zz-pilot {version} rebuilt from the copy stored in the caseload."
    )
    # The installed (changed) ruleset gives another due date: a fresh evaluation shows it.
    run("--rulesets-dir", "rs", "evaluate", "--all", "--as-of", "2026-02-10")
    assert "2026-02-14  due_soon" in run("--rulesets-dir", "rs", "cases", "show", "R-0001").output


def test_replay_without_a_stored_copy_says_the_installed_version_was_used(run, tmp_path):
    """Determinations stored before the snapshot table existed replay on the installed rules."""
    run("cases", "import", case_file(tmp_path))
    run("evaluate", "--all", "--as-of", "2026-02-10")
    conn = sqlite3.connect(tmp_path / "caseload.db")
    conn.execute("DELETE FROM ruleset_versions")
    conn.execute("UPDATE determinations SET ruleset_version = '2025.9+0000000000000000'")
    conn.commit()
    conn.close()
    replay = run("cases", "show", "R-0001", "--determination", "1", "--replay").output
    lines = replay.splitlines()
    assert lines[0] == "Replayed determination 1 of case R-0001: the same answer."
    assert lines[1].startswith(
        "  Note: ruleset version 2025.9+0000000000000000 is not stored in this caseload; "
        "replayed with the installed version "
    )


# A misspelt filter must not look like an empty caseload ------------------------------


def test_unknown_caseworker_in_a_filter_is_an_error_with_a_suggestion(run, tmp_path):
    """`due --caseworker "Rhea Talowby"` printing nothing would read as "nothing is due"."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "assign", "R-0001", "Rhea Tallowby", "--new-caseworker")
    run("evaluate", "--all", "--as-of", "2026-02-10")
    for command in (("due",), ("overdue",), ("cases", "list")):
        result = run(*command, "--caseworker", "Rhea Talowby", code=2)
        assert result.output.splitlines() == [
            'Error: no caseworker "Rhea Talowby" in the caseload',
            '  --caseworker: not found; did you mean "Rhea Tallowby"?',
        ]
    due = run("due", "--caseworker", "Rhea Tallowby", "--as-of", "2026-02-10", "--format", "csv")
    assert due.output.splitlines()[1].startswith("clock,2026-02-19,9,R-0001,")


def test_list_by_a_program_no_case_has_says_which_programs_there_are(run, tmp_path):
    path = case_file(tmp_path)
    doc = json.loads(path.read_text())
    path.write_text(json.dumps({**doc, "enrolments": [{"program": "part_c"}]}))
    run("cases", "import", path)
    assert run("cases", "list", "--program", "part_c").output.startswith("Case ")
    result = run("cases", "list", "--program", "part_b")
    assert result.output.splitlines() == [
        f"No cases match as of {date.today().isoformat()}.",
        "Note: no case in this caseload is in program part_b; programs here: part_c",
    ]
    # A program no plugin has is a typo: a usage error with a did-you-mean.
    result = run("cases", "list", "--program", "partc", code=2)
    assert 'did you mean "part_c"?' in result.output


def test_import_of_a_folder_without_case_files_is_an_error_not_a_silent_nothing(run, tmp_path):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "cases.xlsx").write_text("not a case file")
    result = run("cases", "import", "exports", code=2)
    assert result.output.splitlines() == [
        "Error: cannot import",
        "  exports: no .json, .jsonl, .ndjson or .csv files in this folder; "
        "export the cases as case files (.json), JSON Lines or CSV",
    ]


def test_list_on_an_empty_caseload_says_how_to_fill_it(run):
    assert run("cases", "list").output == (
        "No cases in this caseload yet; add some with: eirules cases import FILES_OR_FOLDERS\n"
    )


def test_the_commands_rulesets_new_prints_and_writes_work_as_written(run, tmp_path):
    """Written with --dir: its instructions name the folder, and each one runs."""
    out = run("rulesets", "new", "us-zz-pilot", "--dir", "my-rulesets").output
    assert out.splitlines()[-1] == (
        "next: edit my-rulesets/us-zz-pilot/parameters.toml, then run "
        "`eirules rulesets validate my-rulesets/us-zz-pilot`"
    )
    readme = (tmp_path / "my-rulesets" / "us-zz-pilot" / "tests" / "README.md").read_text()
    header = (tmp_path / "my-rulesets" / "us-zz-pilot" / "ruleset.toml").read_text()
    for text in (readme, header):
        assert "eirules rulesets test my-rulesets/us-zz-pilot" in text
    run("rulesets", "validate", "my-rulesets/us-zz-pilot")
    assert run("rulesets", "test", "my-rulesets/us-zz-pilot").output.startswith("no tests in ")
    assert "lineage: us-zz-pilot -> us" in run("rulesets", "show", "my-rulesets/us-zz-pilot").output


def test_validate_a_file_outside_any_ruleset_does_not_validate_its_neighbours(run, tmp_path):
    """`validate notes.json` in a folder that also holds a broken ruleset must name notes.json."""
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "ruleset.toml").write_text("x = [\n")
    result = run("rulesets", "validate", "notes.json", code=2)
    assert result.output.splitlines() == [
        "INVALID: notes.json (1 problem)",
        "  notes.json: is not a file of a ruleset folder (no ruleset.toml beside it); "
        "point at a ruleset folder (one holding ruleset.toml)",
    ]
    # A file inside a ruleset folder still validates that ruleset.
    run("rulesets", "new", "us-zz-pilot")
    ok = run("rulesets", "validate", "us-zz-pilot/parameters.toml").output
    assert ok == "valid: us-zz-pilot (us-zz-pilot)\n"
    # A glob over a folder of rulesets passes over the stray file beside them.
    both = run("rulesets", "validate", "notes.json", "us-zz-pilot").output
    assert both == "valid: us-zz-pilot (us-zz-pilot)\n"


def test_rejects_file_in_a_missing_folder_is_refused_before_anything_is_imported(run, tmp_path):
    (tmp_path / "bad.json").write_text('{"id": "B-1"}')
    good = case_file(tmp_path)
    target = tmp_path / "no-such-folder" / "rejects.jsonl"
    result = run("cases", "import", good, "bad.json", "--skip-invalid", "--rejects", target, code=2)
    assert result.output.splitlines() == [
        f"Error: cannot write {target}",
        f"  --rejects: the folder {target.parent} does not exist; create it or choose another file",
    ]
    assert run("cases", "list").output.startswith("No cases in this caseload yet")


def test_export_to_a_missing_folder_is_a_clean_error(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    target = tmp_path / "no-such-folder" / "r.json"
    result = run("cases", "export", "R-0001", "-o", target, code=2)
    assert result.output.splitlines() == [
        f"Error: cannot write {target}",
        f"  --output: the folder {target.parent} does not exist; create it or choose another file",
    ]


def test_audit_log_of_a_case_includes_the_evaluation_runs_that_decided_it(run, tmp_path):
    """A monitor reading one child's history must see when it was evaluated, not only edits."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "import", case_file(tmp_path, case_id="R-0002", name="r2.json"))
    run("evaluate", "--all", "--as-of", "2026-02-10")
    run("evaluate", "--case", "R-0002", "--as-of", "2026-02-11")
    entries = json.loads(run("audit", "log", "--case", "R-0001", "--format", "json").output)
    # The import's own evaluation (run 1), then the nightly-style run 3 that covered it.
    assert [e["action"] for e in entries] == ["case.imported", "evaluation.run", "evaluation.run"]
    assert entries[2]["summary"].startswith("run 3: evaluated 2 cases as of 2026-02-10")


def test_db_init_refuses_another_programs_sqlite_file(tmp_path, monkeypatch):
    """db init on a file holding other tables would add sixteen tables to it and switch it to WAL."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE patients (x)")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["db", "init", str(other)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {other} is not an eirules caseload: it holds other tables (patients)",
        "  PATH: refusing to add the caseload's tables to another program's database; it was "
        "left as it was; give the path of a new file, e.g.: eirules db init "
        + str(tmp_path / "xdg" / "eirules" / "caseload.db"),
    ]
    conn = sqlite3.connect(other)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert tables == ["patients"] and mode == "delete"


def test_add_event_refuses_an_exact_duplicate(run, tmp_path):
    """Entering the same meeting twice would record two meetings; the second is refused."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "add-event", "R-0001", "ifsp_meeting_held", "2026-01-20")
    result = run("cases", "add-event", "R-0001", "ifsp_meeting_held", "2026-01-20", code=2)
    assert result.output.splitlines() == [
        "Error: event not added to case R-0001",
        "  TYPE: the case already has this ifsp_meeting_held event on 2026-01-20; "
        "see it with: eirules cases export R-0001",
    ]
    doc = json.loads(run("cases", "export", "R-0001").stdout)
    assert [e["type"] for e in doc["events"]].count("ifsp_meeting_held") == 1


def test_import_summary_counts_one_assignment_in_the_singular(run, tmp_path):
    (tmp_path / "a.csv").write_text(
        "case_id,birth_date,caseworker,event_type,event_date\n"
        "A-1,2025-01-01,Ann One,referral_received,2026-01-05\n"
    )
    assert run("cases", "import", "a.csv").output == (
        "Imported: 1 new, 0 updated, 0 unchanged, 1 assignment; evaluated 1 case as of today\n"
    )


def test_replay_with_a_damaged_stored_copy_says_so_and_uses_the_installed_version(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    run("evaluate", "--all", "--as-of", "2026-02-10")
    conn = sqlite3.connect(tmp_path / "caseload.db")
    conn.execute("UPDATE determinations SET ruleset_version = '2025.9+0000000000000000'")
    conn.execute("UPDATE ruleset_versions SET full_version = '2025.9+0000000000000000'")
    conn.execute('UPDATE ruleset_versions SET files = \'[{"id": "us", "files": {}}]\'')
    conn.commit()
    conn.close()
    lines = run("cases", "show", "R-0001", "--determination", "1", "--replay").output.splitlines()
    assert lines[0] == "Replayed determination 1 of case R-0001: the same answer."
    assert lines[1].startswith(
        "  Note: ruleset version 2025.9+0000000000000000 could not be rebuilt from its stored "
        "copy ("
    )
    assert "replayed with the installed version 2026." in lines[1]


def test_csv_saved_in_a_windows_code_page_is_a_clear_error(run, tmp_path):
    """Spreadsheet exports are often Windows-1252, not UTF-8: say so, and how to save it."""
    (tmp_path / "w.csv").write_bytes(
        b"case_id,birth_date,child_name\nA-1,2025-01-01,Jos\xe9 Fictional\n"
    )
    result = run("cases", "import", "w.csv", code=2)
    assert result.output.splitlines() == [
        "Error: nothing imported: 1 record not valid (use --skip-invalid to import the valid ones)",
        "  w.csv, file: not UTF-8 text (byte 0xe9 cannot be decoded); "
        'save it as "CSV UTF-8" or convert it to UTF-8',
    ]


def test_csv_separated_by_semicolons_says_to_use_commas(run, tmp_path):
    (tmp_path / "s.csv").write_text("case_id;birth_date\nA-1;2025-01-01\n")
    result = run("cases", "import", "s.csv", code=2)
    assert result.output.splitlines()[1] == (
        "  s.csv, header: the columns are separated by ';'; save the file comma-separated"
    )


# The audit chain, anchored outside the file -------------------------------------------


def _rewrite_chain_after_editing_entry_1(db: Path) -> None:
    """What a careful forger does: edit entry 1, then recompute every hash and the head."""
    from eirules.core.store.audit import GENESIS, entry_hash

    conn = sqlite3.connect(db)
    conn.execute("UPDATE audit_log SET user = 'someone-else' WHERE id = 1")
    prev = GENESIS
    rows = conn.execute(
        "SELECT id, at, user, action, case_id, summary, before, after FROM audit_log ORDER BY id"
    ).fetchall()
    for row in rows:
        digest = entry_hash(prev, *row)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0])
        )
        prev = digest
    conn.execute("UPDATE audit_head SET last_hash = ?", (prev,))
    conn.commit()
    conn.close()


def test_verify_prints_the_last_hash_and_an_anchor_catches_a_recomputed_chain(run, tmp_path):
    """A keyless hash chain can be recomputed end to end; a hash noted elsewhere cannot."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "assign", "R-0001", "Rhea Tallowby", "--new-caseworker")
    lines = run("audit", "verify").output.splitlines()
    assert lines[0] == "Audit log intact: 3 entries verified; the caseload's 1 case matches it."
    assert lines[1].startswith("Last hash: ")
    anchor = lines[1].split()[2]
    assert len(anchor) == 64
    ok = run("audit", "verify", "--anchor", anchor).output.splitlines()
    assert ok[-1] == "Anchor found at entry 3: entries 1 to 3 are unchanged since it was noted."

    _rewrite_chain_after_editing_entry_1(tmp_path / "caseload.db")
    assert run("audit", "verify").output.startswith("Audit log intact: 3 entries verified;")
    broken = run("audit", "verify", "--anchor", anchor, code=1).output.splitlines()
    assert broken[0] == "Audit log BROKEN: 1 problem in 3 entries:"
    assert broken[1] == (
        f"  anchor {anchor[:12]}: no entry has this hash; the log was rewritten at or "
        "before the entry it was noted at"
    )


def test_import_notes_a_ruleset_that_is_not_installed(run, tmp_path):
    """The case is kept (the ruleset may come with --rulesets-dir) but the user hears of it now."""
    result = run("cases", "import", case_file(tmp_path, ruleset="us-mx"))
    assert result.output.splitlines() == [
        "Imported: 1 new, 0 updated, 0 unchanged",
        'Note: 1 case names ruleset "us-mx", which is not installed (did you mean "us-mo" or "us-tx"?); '
        "evaluate fails for it until the ruleset is found (see --rulesets-dir)",
    ]


def test_a_caseworker_typed_with_other_case_or_spaces_is_the_same_caseworker(run, tmp_path):
    """ " Rhea Tallowby " and "rhea  tallowby" must not split Rhea's caseload in two."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "import", case_file(tmp_path, case_id="R-0002", name="r2.json"))
    run("cases", "assign", "R-0001", "Rhea Tallowby", "--new-caseworker")
    out = run("cases", "assign", "R-0002", " rhea  tallowby ").output
    assert out == "Assigned case R-0002 to Rhea Tallowby\n"
    (tmp_path / "a.csv").write_text("case_id,caseworker\nR-0001,RHEA TALLOWBY\n")
    assert run("cases", "import", "a.csv").output == "Imported: 0 new, 0 updated, 0 unchanged\n"
    listed = json.loads(
        run("cases", "list", "--caseworker", "Rhea Tallowby", "--format", "json").output
    )
    assert [r["case_id"] for r in listed] == ["R-0001", "R-0002"]
    assert run("cases", "list", "--caseworker", "rhea tallowby").output.startswith("Case ")
    conn = sqlite3.connect(tmp_path / "caseload.db")
    assert conn.execute("SELECT name FROM caseworkers").fetchall() == [("Rhea Tallowby",)]
    conn.close()


def test_show_a_case_whose_evaluation_failed_says_so_and_how_to_see_why(run, tmp_path):
    run("cases", "import", case_file(tmp_path, ruleset="us-mx"))
    run("evaluate", "--all", "--as-of", "2026-02-10", code=1)
    lines = run("cases", "show", "R-0001").output.splitlines()
    assert "Not evaluated yet: run eirules evaluate --all" not in lines
    assert lines[2] == ("The last evaluation failed; see why with: eirules evaluate --case R-0001")
