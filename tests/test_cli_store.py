"""The case manager's CLI: db, cases, due, overdue, evaluate; exact messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file

from eirules.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples"


def case_file(tmp_path, case_id="T-0001", events=None, name="t.json", **more):
    return write_case_file(tmp_path / name, case_id, events=events, **more)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Invoke eirules with EIRULES_DB pointing at a fresh caseload."""
    return caseload_cli(tmp_path, monkeypatch)


def test_db_init_at_a_path_then_again_is_a_no_op(tmp_path):
    runner = CliRunner()
    path = tmp_path / "sub" / "my.db"
    result = runner.invoke(cli, ["db", "init", str(path)])
    assert result.exit_code == 0
    assert (
        result.output
        == f"Created caseload {path} (schema: 0001_initial_caseload, 0002_ruleset_versions, 0003_staff_and_access_log, 0004_audit_content, 0005_due_items, 0006_current_evaluation, 0007_staff_tokens, 0008_due_order_index, 0009_token_expiry, 0010_late_clocks_stay_listed, 0011_cases_evaluation_index, 0012_stability_interval, 0013_clock_closed_on, 0014_listing_columns_on_clocks, 0015_listed_text_on_clocks, 0016_caseworker_name_key, 0017_late_excused_cases_overdue)\n"
    )
    result = runner.invoke(cli, ["db", "init", str(path)])
    assert result.output == f"Caseload {path} is already initialised and up to date\n"
    result = runner.invoke(cli, ["db", "upgrade", "--db", str(path)])
    assert result.output == f"{path} is up to date\n"


def test_missing_database_is_a_clear_error_with_exit_1(tmp_path):
    result = CliRunner().invoke(cli, ["due", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"Error: no caseload database at {tmp_path / 'none.db'}"
    assert f"create it with: eirules db init {tmp_path / 'none.db'}" in result.output


def test_db_option_overrides_environment(run, tmp_path):
    other = tmp_path / "other.db"
    run("db", "init", "--db", other)
    run("cases", "import", case_file(tmp_path), "--db", other)
    assert "T-0001" in run("cases", "list", "--db", other).output
    assert "No cases in this caseload yet" in run("cases", "list").output


def test_import_bad_record_exits_2_lists_problems_and_writes_nothing(run, tmp_path):
    good = case_file(tmp_path, "T-0001", name="good.json")
    bad = case_file(
        tmp_path,
        "T-0002",
        name="bad.json",
        events=[{"type": "referral_received", "date": "2026-02-30"}],
    )
    result = run("cases", "import", good, bad, code=2)
    lines = result.output.splitlines()
    assert lines[0] == (
        "Error: nothing imported: 1 record not valid (use --skip-invalid to import the valid ones)"
    )
    assert lines[1].startswith(f"  {bad}, record 1 (T-0002), events[0].date:")
    assert "No cases in this caseload yet" in run("cases", "list").output


def test_skip_invalid_writes_rejects_file_and_exits_2(run, tmp_path):
    good = case_file(tmp_path, "T-0001", name="good.json")
    bad = case_file(tmp_path, "T-0002", name="bad.json", colour="red")
    rejects = tmp_path / "rejects.jsonl"
    result = run("cases", "import", good, bad, "--skip-invalid", "--rejects", rejects, code=2)
    assert "Imported: 1 new, 0 updated, 0 unchanged" in result.output
    reject = json.loads(rejects.read_text())
    assert reject["source"] == str(bad)
    assert reject["problems"][0].startswith(
        f'{bad}, record 1 (T-0002), colour: unknown key "colour"'
    )


def test_import_examples_and_csv_then_list_by_caseworker_and_program(run):
    result = run("cases", "import", EXAMPLES / "caseload", EXAMPLES / "csv" / "cases.csv")
    assert result.output == (
        "Imported: 243 new, 0 updated, 0 unchanged, 243 assignments; "
        "evaluated 243 cases as of today\n"
    )
    listing = run(
        "cases",
        "list",
        "--caseworker",
        "Odile Farrowind",
        "--program",
        "part_b",
        "--format",
        "json",
    ).output
    rows = json.loads(listing)
    assert rows and all(
        r["caseworker"] == "Odile Farrowind" and "part_b" in r["programs"] for r in rows
    )
    assert "CSV-0003" in [r["case_id"] for r in rows]
    again = run("cases", "import", EXAMPLES / "caseload", EXAMPLES / "csv" / "cases.csv")
    assert again.output == "Imported: 0 new, 0 updated, 243 unchanged\n"


def test_list_table_is_plain_aligned_text_when_piped(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    lines = run("cases", "list").output.splitlines()
    assert lines[0].split() == ["Case", "Status", "Child", "Born", "Programs", "Caseworker"]
    # Evaluated by the import as of today: the 45-day clock is long overdue (303.310).
    assert lines[1].split() == ["T-0001", "overdue", "Ada", "Fictional", "2024-11-02", "part_c"]
    assert lines[2] == f"1 case as of {date.today().isoformat()}"
    assert "\x1b[" not in "\n".join(lines)


def test_due_overdue_and_formats_for_the_303_310_worked_example(run, tmp_path):
    """Referral 2026-01-05: IFSP meeting due 2026-02-19 (45 days, 34 CFR 303.310(a))."""
    run("cases", "import", case_file(tmp_path))
    run("cases", "assign", "T-0001", "Rhea Tallowby", "--new-caseworker")
    out = run("evaluate", "--all", "--as-of", "2026-02-22").output
    # Overdue since 2026-02-20 and still unmet: the import's evaluation (as of today)
    # decides the same for 2026-02-22, so the case is current and not evaluated again.
    assert out.splitlines()[0] == (
        "Evaluated 0 cases as of 2026-02-22 (run 2); 1 case skipped, current as of "
        "2026-02-22 (--force evaluates them again)"
    )
    rows = json.loads(run("overdue", "--as-of", "2026-02-22", "--format", "json").output)
    assert [
        (r["case_id"], r["clock"], r["due"], r["days_left"], r["caseworker"]) for r in rows
    ] == [("T-0001", "initial_ifsp_meeting", "2026-02-19", -3, "Rhea Tallowby")]
    table = run("due", "--as-of", "2026-02-22", "--within", "2w").output.splitlines()
    assert table[0].split()[:3] == ["Due", "Days", "Case"]
    assert table[1].startswith("2026-02-19  3 overdue  T-0001")
    text = run("due", "--as-of", "2026-02-22", "--format", "csv").output
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["due"] == "2026-02-19" and parsed[0]["days_left"] == "-3"
    assert run("due", "--caseworker", "Nobody", "--as-of", "2026-02-22", code=2).output == (
        'Error: no caseworker "Nobody" in the caseload\n'
        "  --caseworker: not found; caseworkers: Rhea Tallowby; the cases no caseworker "
        "holds: --unassigned\n"
    )


def test_overdue_lists_a_late_excused_meeting_that_is_still_owed(run, tmp_path):
    """303.310(b)(1), (c)(2): a documented family delay excuses lateness, but the IFSP
    meeting is still owed as soon as possible, so it stays on the overdue list."""
    events = [
        {"type": "referral_received", "date": "2026-01-05"},
        {
            "type": "delay",
            "date": "2026-02-10",
            "reason": "exceptional_family_circumstances",
            "until": "2026-03-10",
        },
    ]
    run("cases", "import", case_file(tmp_path, events=events))
    run("evaluate", "--all", "--as-of", "2026-02-22")
    rows = json.loads(run("overdue", "--as-of", "2026-02-22", "--format", "json").output)
    assert [(r["clock"], r["due"], r["status"]) for r in rows] == [
        ("initial_ifsp_meeting", "2026-02-19", "late_excused")
    ]


def test_overdue_keeps_a_late_clock_after_the_child_exited(run, tmp_path):
    """A 45-day clock overdue since 2026-02-20 (34 CFR 303.310) stays overdue in the
    determination after the child exits on 2026-02-25, and on the overdue list: the
    lateness happened (issue 10: one rule, `decisions.is_outstanding`). It was 6 days late
    when the child exited and stays 6 (2026-02-19 to 2026-02-25), not 10 on 2026-03-01:
    a closed clock stops counting the day it closed (`decisions.days_left`)."""
    events = [
        {"type": "referral_received", "date": "2026-01-05"},
        {"type": "exited", "date": "2026-02-25"},
    ]
    run("cases", "import", case_file(tmp_path, events=events))
    run("evaluate", "--all", "--as-of", "2026-03-01")
    rows = json.loads(run("overdue", "--as-of", "2026-03-01", "--format", "json").output)
    assert [(r["clock"], r["due"], r["days_left"], r["status"]) for r in rows] == [
        ("initial_ifsp_meeting", "2026-02-19", -6, "overdue")
    ]


def test_due_within_rejects_a_bad_period(run):
    result = run("due", "--within", "fortnight", code=2)
    assert "'fortnight' is not a period (examples: 14d, 2w, 30, all)" in result.output


def test_due_right_after_import_lists_the_clocks_with_no_other_step(run, tmp_path):
    """Issue 10: import, then due: the 303.310 meeting (due 2026-02-19) is listed at once."""
    run("cases", "import", case_file(tmp_path))
    result = CliRunner().invoke(cli, ["due", "--as-of", "2026-02-22", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert ("initial_ifsp_meeting", "2026-02-19", -3) in [
        (r["clock"], r["due"], r["days_left"]) for r in rows
    ]
    assert result.stderr == ""


def test_evaluate_needs_all_or_case(run):
    result = run("evaluate", code=2)
    assert result.output.splitlines()[0] == "Error: say which cases to evaluate"


def test_a_newly_overdue_clock_with_no_due_date_says_so_not_none():
    """QA: `evaluate` printed "Notify SEA and LEA of transition overdue (was due None)"."""
    from eirules.core.chunks import Outcome
    from eirules.core.store.determinations import _changes

    outcome = Outcome("", "us", "1", "e", [], "overdue", [], (("n", None, "Notify", None),), ())
    assert [c.what for c in _changes("C-1", {"clocks": []}, outcome)] == [
        "Notify overdue (no due date)"
    ]


def test_evaluate_all_and_case_together_is_a_usage_error_not_case_ignored(run, tmp_path):
    """QA: `evaluate --all --case ID` evaluated every case and ignored --case, silently."""
    run("cases", "import", case_file(tmp_path))
    before = run("audit", "log").output
    result = run("evaluate", "--all", "--case", "T-0001", code=2)
    assert "--all and --case exclude each other; give one of them" in result.output
    assert run("audit", "log").output == before  # nothing evaluated, nothing written


def test_evaluate_second_run_prints_new_overdue_clock(run, tmp_path):
    """Referral 2026-01-05 + 45 days (303.310(a)) = due 2026-02-19, overdue from 2026-02-20."""
    run("cases", "import", case_file(tmp_path))
    run("evaluate", "--all", "--as-of", "2026-02-10")
    out = run("evaluate", "--all", "--as-of", "2026-02-20").output
    assert "Newly overdue clocks (1):" in out
    assert "  T-0001  Initial IFSP meeting overdue (was due 2026-02-19)" in out


def test_show_replay_and_determination(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    run("evaluate", "--case", "T-0001", "--as-of", "2026-02-10")
    show = run("cases", "show", "T-0001").output
    assert "Case T-0001  Ada Fictional (born 2024-11-02)" in show
    assert "2026-02-19  due_soon" in show
    replay = run("cases", "show", "T-0001", "--determination", "1", "--replay").output
    assert replay.splitlines()[0] == "Replayed determination 1 of case T-0001: the same answer."
    stored = json.loads(
        run("cases", "show", "T-0001", "--determination", "1", "--format", "json").output
    )
    assert stored["as_of"] == date.today().isoformat() and stored["ruleset"] == "us"
    result = run("cases", "show", "T-0001", "--replay", code=2)
    assert "Error: --replay needs --determination N" in result.output


def test_add_event_future_date_and_unknown_case(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = run("cases", "add-event", "T-0001", "ifsp_meeting_held", tomorrow, code=2)
    assert result.output.splitlines() == [
        "Error: event not added to case T-0001",
        f"  DATE: {tomorrow} is in the future (today is {date.today().isoformat()}); "
        "record events on or after the day they happen",
    ]
    result = run("cases", "add-event", "T-9999", "ifsp_meeting_held", "2026-01-10", code=2)
    assert result.output.splitlines()[0] == 'Error: no case "T-9999" in the caseload'
    result = run("cases", "add-event", "T-0001", "ifsp_meeting_held", "10/01/2026", code=2)
    assert "'10/01/2026' is not a date (YYYY-MM-DD)" in result.output
    ok = run(
        "cases",
        "add-event",
        "T-0001",
        "delay",
        "2026-01-10",
        "--reason",
        "exceptional_family_circumstances",
        "--note",
        "family away",
    )
    assert ok.output.startswith("Added delay on 2026-01-10 to case T-0001")


def test_export_imports_back_unchanged(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    out = tmp_path / "exported.json"
    run("cases", "export", "T-0001", "-o", out)
    assert json.loads(out.read_text())["schema"] == "eirules/case@1"
    assert run("cases", "import", out).output == "Imported: 0 new, 0 updated, 1 unchanged\n"


def test_export_file_is_readable_by_its_owner_only(run, tmp_path):
    """A child's whole record is personal data: written 0600, like the rejects file."""
    run("cases", "import", case_file(tmp_path))
    out = tmp_path / "exported.json"
    out.write_text("old\n")
    out.chmod(0o644)
    run("cases", "export", "T-0001", "-o", out)
    assert out.stat().st_mode & 0o777 == 0o600
    assert json.loads(out.read_text())["id"] == "T-0001"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".exported")] == []


def test_assign_then_reassign(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    assert (
        run("cases", "assign", "T-0001", "Rhea Tallowby", "--new-caseworker").output
        == "Assigned case T-0001 to Rhea Tallowby\n"
    )
    assert run("cases", "assign", "T-0001", "Rhea Tallowby", "--new-caseworker").output == (
        "Case T-0001 is already assigned to Rhea Tallowby\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["db", "init"],
        ["db", "upgrade"],
        ["cases", "import"],
        ["cases", "list"],
        ["cases", "show"],
        ["cases", "add-event"],
        ["cases", "export"],
        ["cases", "assign"],
        ["due"],
        ["overdue"],
        ["evaluate"],
        ["audit", "verify"],
        ["audit", "log"],
        ["demo"],
    ],
)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "--db" in result.output


def test_due_later_than_the_last_evaluation_says_so(run, tmp_path):
    run("cases", "import", case_file(tmp_path))
    run("evaluate", "--all", "--as-of", "2026-02-10")
    result = CliRunner().invoke(cli, ["overdue", "--as-of", "2026-02-25", "--format", "json"])
    rows = json.loads(result.stdout)
    assert [(r["clock"], r["days_left"]) for r in rows] == [("initial_ifsp_meeting", -6)]
    # Every row is as of the date asked: the case was evaluated for the answer.
    assert {r["evaluated_as_of"] for r in rows} == {"2026-02-25"}
    assert result.stderr == ""
