"""The one CLI error handler (cli/errors.py): one `Error:` line and an exit status, never a traceback.

Each case below was found trying eirules as a new user would (issue 10, "No traceback
anywhere"); each must fail on code that lets the exception escape.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file
from hypothesis import given
from hypothesis import strategies as st

from eirules import hookimpl
from eirules.cli import cli
from eirules.core.decisions import Finding
from eirules.core.plugin_manager import get_plugin_manager

EXAMPLES = Path(__file__).parent.parent / "examples"


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


@pytest.fixture
def crashing_command(monkeypatch):
    """`eirules crash-for-test`: a command with a bug (an exception nobody foresaw)."""

    @click.command("crash-for-test")
    def crash():
        raise ValueError("list index out of range\nsecond line")

    cli.add_command(crash)
    yield
    cli.commands.pop("crash-for-test")


def test_an_unexpected_exception_is_one_error_line_and_exit_1(crashing_command):
    result = invoke("crash-for-test")
    assert result.exit_code == 1
    assert result.output == (
        "Error: eirules stopped on an unexpected problem (ValueError: list index out of "
        "range); this is a bug in eirules or a plugin: run the same command with "
        "`eirules --debug ...` to see where, and report it with that output.\n"
    )
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback_instead(crashing_command):
    result = invoke("--debug", "crash-for-test")
    assert isinstance(result.exception, ValueError)
    assert "Error:" not in result.output


def test_eirules_debug_environment_variable_does_the_same(crashing_command):
    result = invoke("crash-for-test", env={"EIRULES_DEBUG": "1"})
    assert isinstance(result.exception, ValueError)


def test_a_damaged_caseload_names_the_file(run, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr("eirules.core.store.Store.due_stream", broken)
    result = invoke("due")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"Error: the caseload {tmp_path / 'caseload.db'} could not be read or written "
        "(database disk image is malformed)"
    )


def test_an_os_error_says_which_file_and_what_to_do(crashing_command, monkeypatch):
    @click.command("write-for-test")
    def write():
        raise PermissionError(13, "Permission denied", "/srv/out.csv")

    cli.add_command(write)
    try:
        result = invoke("write-for-test")
    finally:
        cli.commands.pop("write-for-test")
    assert result.exit_code == 1
    assert result.output == (
        "Error: cannot use /srv/out.csv: Permission denied\n"
        "  choose a place you may write to, or ask for permission\n"
    )


# The situations issue 10 lists ----------------------------------------------------------


def test_programs_report_html_into_a_missing_folder_is_refused_before_any_work(tmp_path):
    target = tmp_path / "reports" / "x.html"
    result = invoke("programs", "report", "--as-of", "2026-06-05", "--html", target)
    assert result.exit_code == 2
    assert result.output == (
        f"Error: cannot write {target}\n"
        f"  --html: the folder {target.parent} does not exist; create it or choose another file\n"
    )
    assert not target.parent.exists()


def test_progress_out_into_an_unwritable_place_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke("progress", "ELM-005", "--as-of", "2026-06-05", "--out", blocker / "graphs")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: cannot write into {blocker / 'graphs'}\n"
        f"  --out: {blocker} is a file, not a folder; choose another folder\n"
    )


class _SetInFinding:
    """A plugin whose finding holds a Python set, which JSON cannot encode."""

    @hookimpl
    def findings_for(self, case):
        return [
            Finding(
                rule="sample.visits",
                outcome="noted",
                reason="visits counted",
                citation="Sample agency policy 1",
                inputs={"visitors": {"Ana", "Bo"}},
            )
        ]


@pytest.fixture
def set_plugin(monkeypatch):
    pm = get_plugin_manager(entry_points=False)
    pm.register(_SetInFinding(), name="sets")
    monkeypatch.setattr("eirules.core.engine.get_plugin_manager", lambda **kw: pm)


FINDING_ERROR = (
    'Error: finding "sample.visits" holds a value JSON cannot store at inputs.visitors '
    "(a set)\n"
    "  the plugin that returned it must give text, numbers, true/false, null, lists and "
    "objects only (a date as YYYY-MM-DD text); fix or uninstall the plugin; `eirules plugins` "
    "lists them\n"
)


def test_check_json_with_a_plugin_value_json_cannot_encode(set_plugin):
    result = invoke("check", EXAMPLES / "mo-0001.json", "--as-of", "2026-02-01", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == FINDING_ERROR
    assert json.loads(result.stdout)["kind"] == "PluginError"


def test_evaluate_with_a_plugin_value_json_cannot_encode_lists_the_case(set_plugin, run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    result = invoke("evaluate", "--all", "--as-of", "2026-02-01")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert 'Error: case T-0001 not evaluated: finding "sample.visits"' in result.output


def test_audit_verify_malformed_anchor_is_a_usage_error_not_a_broken_log(run):
    result = invoke("audit", "verify", "--anchor", "not-a-hash")
    assert result.exit_code == 2
    assert "BROKEN" not in result.output
    assert (
        "Invalid value for '--anchor': 'not-a-hash' is not a hash: give all 64 hexadecimal "
        "digits of a 'Last hash:' line printed by an earlier `eirules audit verify`"
    ) in result.output


def _early_case(tmp_path):
    return write_case_file(
        tmp_path / "early.json",
        "T-0009",
        child={"birth_date": "2025-01-10", "name": "Ada Fictional"},
        events=[{"type": "referral_received", "date": "2024-12-01", "program": "part_c"}],
    )


EARLY = (
    "  events: referral_received on 2024-12-01 is before the child's birth; "
    "check the date; events happen on or after the birth date\n"
)


def test_check_refuses_an_event_dated_before_birth(tmp_path):
    """An event before birth is a typing mistake; it must not show as a clock 1082 days late."""
    path = _early_case(tmp_path)
    result = invoke("check", path, "--as-of", "2026-01-01")
    assert result.exit_code == 2
    assert result.output == f"Error: {path} is not valid\n" + EARLY


def test_cases_import_refuses_an_event_dated_before_birth_and_writes_nothing(run, tmp_path):
    path = _early_case(tmp_path)
    result = run("cases", "import", path, code=2)
    assert f"{path}, record 1 (T-0009), {EARLY.strip()}" in result.output
    assert "No cases in this caseload yet" in run("cases", "list").output


# click's own usage errors go through the one printer (issue 10, finding 5) ------------


@pytest.mark.parametrize(
    "args",
    [
        ("overdue", "--case", "SYN-C-0001"),  # no such option, with a long did-you-mean
        ("cases", "list", "--status", "nonsense"),  # a long list of choices
        ("cases", "import"),  # a missing argument
        ("due", "--as-of", "2026-02-30"),  # a bad option value
    ],
)
def test_click_usage_errors_fit_80_columns(args):
    """A usage error is wrapped to $COLUMNS like every other message, and keeps exit 2."""
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "80"})
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any(line.startswith("Error: ") for line in lines)
    assert max(map(len, lines)) <= 80, result.output
    assert lines[0].startswith("Usage: ")


def test_a_usage_error_lists_every_choice_when_wrapped():
    """Wrapping loses nothing: every choice of --status is still in the message."""
    result = CliRunner().invoke(cli, ["cases", "list", "--status", "x"], env={"COLUMNS": "80"})
    text = " ".join(result.output.split())
    for choice in ("'overdue'", "'changed_since_evaluation'", "'evaluation_failed'."):
        assert choice in text


def test_a_usage_error_shows_control_characters_as_escapes():
    """The option value a user typed is data: an escape sequence in it is shown, not run."""
    result = CliRunner().invoke(cli, ["due", "--within", "\x1b[2Jx"])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\\x1b" in result.output


# A long list of problems is cut short on the terminal (QA: 179,992 lines for one file) ----


def _case_with_bad_events(count: int) -> dict:
    case = json.loads((EXAMPLES / "pc-infant.json").read_text())
    case["events"] = [
        {"type": "referral_received", "date": f"2025-13-{i:02d}"} for i in range(count)
    ]
    return case


def test_check_lists_the_first_20_problems_and_counts_the_rest_json_lists_all(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_case_with_bad_events(30)))
    result = invoke("check", path, "--format", "json")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"Error: {path} is not valid"
    assert [line.split(":")[0] for line in lines[1:21]] == [
        f"  events[{i}].date" for i in range(20)
    ]
    assert lines[21:] == [
        "  ... and 10 more problems not shown (30 in all): fix these first and run again"
    ]
    problems = json.loads(result.stdout)["problems"]  # a machine format keeps every one
    assert [p["where"] for p in problems] == [f"events[{i}].date" for i in range(30)]


def test_import_skip_invalid_lists_20_rejects_and_names_the_file_holding_all(run, tmp_path):
    case = json.loads((EXAMPLES / "mo-0001.json").read_text())
    records = [{**case, "id": f"BAD-{i}", "child": {"birth_date": "x"}} for i in range(25)]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([*records, case]))
    result = run("cases", "import", path, "--skip-invalid", code=2)
    rejects = tmp_path / "caseload-rejects.jsonl"
    shown = [line for line in result.stderr.splitlines() if line.startswith(f"  {path}")]
    assert len(shown) == 20
    assert result.stderr.endswith(
        f"  ... and 5 more problems not shown (25 in all): each reject and its reasons are in"
        f" {rejects}\n"
    )
    assert len(rejects.read_text().splitlines()) == 25


@given(count=st.integers(min_value=0, max_value=80))
def test_problem_lines_show_at_most_20_and_count_every_other(count):
    from eirules.cli.errors import SHOWN_PROBLEMS, problem_lines
    from eirules.core.errors import Problem

    problems = [Problem(f"events[{i}]", "wrong") for i in range(count)]
    lines = problem_lines(problems)
    assert lines[: min(count, SHOWN_PROBLEMS)] == [
        f"  events[{i}]: wrong" for i in range(min(count, 20))
    ]
    if count > SHOWN_PROBLEMS:
        assert len(lines) == SHOWN_PROBLEMS + 1
        assert lines[-1].startswith(f"  ... and {count - 20:,} more problem")
        assert f"({count:,} in all)" in lines[-1]
    else:
        assert len(lines) == count
