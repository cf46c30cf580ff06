"""Issue 10: a due list that never hides work.

Always current (evaluated on write, re-evaluated for another as-of date), failed cases
as rows of their own, referrals as obligations, one as-of date per answer, caseworkers
named once, programs found from the rules, no status filtered out, 80-column tables.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli, write_case_file
from rich.console import Console

from eirules.cli import cli
from eirules.cli.due import show_due
from eirules.core.store import DueAnswer, Store

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# Always current ---------------------------------------------------------------------------


def test_imported_demo_files_are_due_with_no_evaluate_step(run):
    """The demo caseload as files: due and overdue list its 80 overdue clocks at once, and
    the 4 age-of-majority notices the baseline cannot date (300.320(c), 300.520(a))."""
    run("cases", "import", EXAMPLES / "caseload")
    rows = json.loads(run("overdue", "--as-of", "2026-03-02", "--format", "json").output)
    statuses = [r["status"] for r in rows if r["kind"] == "clock"]
    assert len(statuses) - statuses.count("needs_information") == 80
    assert [r["clock"] for r in rows if r["status"] == "needs_information"] == [
        "age_of_majority_notice"
    ] * 4
    listing = json.loads(
        run(
            "cases", "list", "--status", "overdue", "--as-of", "2026-03-02", "--format", "json"
        ).output
    )
    assert listing and {r["status"] for r in listing} == {"overdue"}


def test_overdue_summary_counts_late_excused_clocks_apart_from_overdue_ones(run):
    """34 CFR 303.310(b): a clock late for a documented family reason is "late (excused)".

    The demo caseload as of 2026-03-02 has 80 past-due clocks: 12 of them marked
    `late, excused` (the family's reason is on file), 68 plainly overdue.
    """
    run("cases", "import", EXAMPLES / "caseload")
    rows = json.loads(run("overdue", "--as-of", "2026-03-02", "--format", "json").output)
    assert sum(1 for r in rows if r["status"] == "late_excused") == 12
    assert sum(1 for r in rows if r["status"] == "overdue") == 68
    table = run("overdue", "--as-of", "2026-03-02").output.splitlines()
    assert sum(1 for line in table if "late, excused" in line) == 12
    assert table[-1] == (
        "84 items as of 2026-03-02; 68 overdue; 12 late (excused); 4 cannot compute"
    )


def test_add_event_updates_due_in_the_same_write(run, tmp_path):
    """303.310(a): the IFSP meeting held on 2026-02-10 meets the clock due 2026-02-19."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    before = json.loads(run("due", "--as-of", "2026-02-10", "--format", "json").output)
    assert "initial_ifsp_meeting" in [r["clock"] for r in before]
    run("cases", "add-event", "T-0001", "ifsp_meeting_held", "2026-02-10")
    after = json.loads(run("due", "--as-of", "2026-02-10", "--format", "json").output)
    assert "initial_ifsp_meeting" not in [r["clock"] for r in after]


def test_due_as_of_an_earlier_date_answers_for_that_date_on_every_row(run, tmp_path):
    """Evaluated as of 2026-03-01 (overdue); asked as of 2026-02-10 it is due in 9 days."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    run("evaluate", "--all", "--as-of", "2026-03-01")
    rows = json.loads(run("due", "--as-of", "2026-02-10", "--format", "json").output)
    ifsp = [r for r in rows if r["clock"] == "initial_ifsp_meeting"]
    assert [(r["due"], r["days_left"], r["status"]) for r in ifsp] == [
        ("2026-02-19", 9, "due_soon")
    ]
    assert {r["evaluated_as_of"] for r in rows} == {"2026-02-10"}


def test_a_newer_ruleset_version_is_re_evaluated_for_the_listing(run, tmp_path):
    """A case evaluated under another version of its ruleset than the installed one."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    store = Store.open(tmp_path / "caseload.db")
    store.conn.execute("UPDATE determinations SET ruleset_version = 'old'")
    # What the due index answers for is kept on the case: ENGINE|RULESET|VERSION.
    (with_,) = store.conn.execute("SELECT evaluated_with FROM cases").fetchone()
    assert with_.split("|")[1] == "us"
    store.conn.execute("UPDATE cases SET evaluated_with = ?", (with_.rsplit("|", 1)[0] + "|old",))
    store.conn.commit()
    store.close()
    store = Store.open(tmp_path / "caseload.db")
    answer = store.due(as_of=date.today())
    store.close()
    assert answer.refreshed == 1 and answer.rows


# Nothing silently missing -----------------------------------------------------------------


def test_a_case_whose_ruleset_is_not_installed_is_a_failed_row_and_exit_1(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    run("cases", "import", write_case_file(tmp_path / "z.json", "Z-0001", ruleset="us-zz"))
    result = invoke("due", "--as-of", "2026-02-10")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    failed = [line for line in lines if "Z-0001" in line]
    assert failed and "FAILED" in failed[0]
    assert (
        "evaluation failed: ruleset us-zz is not installed. Fix: install ruleset us-zz"
        in (result.output.replace("\n", " "))
        or "evaluation failed: ruleset us-zz is not installed" in result.output
    )
    assert lines[-1].endswith("1 case could not be evaluated (listed; exit status 1)")
    rows = json.loads(invoke("overdue", "--as-of", "2026-02-10", "--format", "json").stdout)
    assert [(r["kind"], r["case_id"], r["label"]) for r in rows if r["case_id"] == "Z-0001"] == [
        ("evaluation_failed", "Z-0001", "evaluation failed: ruleset us-zz is not installed")
    ]
    assert "--rulesets-dir" in rows[0]["fix"]
    csv_out = invoke("due", "--format", "csv").stdout
    assert "evaluation_failed,,,Z-0001" in csv_out
    listing = invoke("cases", "list", "--status", "overdue", "--format", "json")
    assert listing.exit_code == 1
    assert "Z-0001" in [r["case_id"] for r in json.loads(listing.stdout)]


def test_a_status_the_listing_does_not_know_is_listed_never_dropped(run, tmp_path):
    """A clock that cannot be computed (needs_information) is owed: listed as cannot compute."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    store = Store.open(tmp_path / "caseload.db")
    store.conn.execute(
        "UPDATE clocks SET status = 'needs_information', due = NULL, "
        "reason = 'no school calendar for district X' WHERE clock = 'initial_ifsp_meeting'"
    )
    store.conn.commit()
    store.close()
    today = date.today().isoformat()
    rows = json.loads(run("overdue", "--as-of", today, "--format", "json").output)
    assert [(r["clock"], r["status"]) for r in rows] == [
        ("initial_ifsp_meeting", "needs_information")
    ]
    table = run("due", "--as-of", today).output
    assert "cannot compute" in table and "no school calendar for district X" in table
    assert "1 cannot compute" in table.splitlines()[-1]


# Referrals are obligations ----------------------------------------------------------------


def test_a_late_referral_to_the_sea_and_lea_is_listed_and_is_next_due(run):
    """303.209(b)(1)(iii): referred 26 days before the third birthday (2026-06-10): the
    lead agency refers the toddler to the SEA and LEA, shown due by the last day Part C
    serves the toddler, the day before that birthday (2026-06-09; 303.21(a), "under three")."""
    path = EXAMPLES / "pc-late-referral-under-45.json"
    check = invoke("check", path, "--as-of", "2026-06-01").output
    assert "Next due: referral the Part C lead agency -> the SEA and the LEA" in check
    assert "2026-06-09, 8 days left" in check.replace("\n", " ")
    run("cases", "import", path)
    rows = json.loads(run("due", "--as-of", "2026-06-01", "--format", "json").output)
    refs = [r for r in rows if r["kind"] == "referral"]
    assert [(r["case_id"], r["due"], r["days_left"]) for r in refs] == [
        ("PC-LATE-UNDER45", "2026-06-09", 8)
    ]


# Caseworkers named once -------------------------------------------------------------------


def test_assign_to_a_misspelt_caseworker_is_refused_with_a_suggestion(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    run("caseworkers", "add", "Rhea Tallowby")
    result = run("cases", "assign", "T-0001", "Rhea Talowby", code=2)
    assert result.output == (
        "Error: case T-0001 not assigned\n"
        '  CASEWORKER: no caseworker "Rhea Talowby" in the caseload; did you mean '
        '"Rhea Tallowby"?; if "Rhea Talowby" is new, add them first with: eirules '
        'caseworkers add "Rhea Talowby" (or pass --new-caseworker)\n'
    )
    assert run("cases", "assign", "T-0001", "Rhea Tallowby").output == (
        "Assigned case T-0001 to Rhea Tallowby\n"
    )
    run("cases", "assign", "T-0001", "Noor Vale", "--new-caseworker")
    names = json.loads(run("caseworkers", "list", "--format", "json").output)
    assert [(w["name"], w["cases"]) for w in names] == [("Noor Vale", 1), ("Rhea Tallowby", 0)]


def test_csv_assignment_to_an_unknown_caseworker_is_refused(run, tmp_path):
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    run("caseworkers", "add", "Rhea Tallowby")
    path = tmp_path / "a.csv"
    path.write_text("case_id,caseworker\nT-0001,Rhea Talowby\n")
    result = run("cases", "import", path, code=2)
    assert 'did you mean "Rhea Tallowby"?' in result.output
    run("cases", "import", path, "--new-caseworker")


# cases list --program from the rules -----------------------------------------------------


def test_cases_list_program_finds_a_case_whose_membership_comes_from_untagged_events(run, tmp_path):
    """An untagged referral_received is a Part C referral by the rules (303.303)."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    rows = json.loads(run("cases", "list", "--program", "part_c", "--format", "json").output)
    assert [r["case_id"] for r in rows] == ["T-0001"]


def test_cases_list_unknown_program_is_a_usage_error_with_did_you_mean(run, tmp_path):
    """A misspelt program must not answer "No cases match" (exit 0): it is a typo."""
    run("cases", "import", write_case_file(tmp_path / "t.json", "T-0001"))
    result = run("cases", "list", "--program", "partc", code=2)
    assert result.output.splitlines()[-1] == (
        'Error: Invalid value for --program: "partc" is not a program; '
        'did you mean "part_c"? (programs: mtss, part_b, part_c)'
    )
    assert "No cases match" not in result.output
    result = run("cases", "list", "--program", "speech", code=2)
    assert result.output.splitlines()[-1].endswith(
        '"speech" is not a program; one of: mtss, part_b, part_c'
    )


# Readable at any width --------------------------------------------------------------------


def _answer(run, tmp_path) -> DueAnswer:
    run("cases", "import", EXAMPLES / "caseload")
    store = Store.open(tmp_path / "caseload.db")
    try:
        return store.due(as_of=date(2026, 3, 2), within_days=14)
    finally:
        store.close()


@pytest.mark.parametrize("width", [80, 120])
def test_due_table_fits_the_terminal_and_never_cuts_date_days_case_or_clock(run, tmp_path, width):
    answer = _answer(run, tmp_path)
    buffer = io.StringIO()
    console = Console(width=width, file=buffer, force_terminal=True, color_system=None)
    show_due(answer, "table", console=console)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= width for line in lines), max(len(line) for line in lines)
    text = buffer.getvalue()
    assert "..." not in text and "\u2026" not in text
    for row in answer.rows:  # a clock that cannot be computed has no due date ("-")
        assert (row["due"] or "-") in text and row["case_id"] in text
    # The clock name may wrap inside its cell, but every word of it is shown.
    for word in {w for r in answer.rows for w in (r["label"] or "").split()}:
        assert word in text


# The due index answers exactly what re-evaluating would (issue 14: staleness in SQL) ---------


@pytest.fixture(scope="module")
def small_caseload(tmp_path_factory):
    """60 synthetic cases over 4 caseworkers, imported and evaluated as of the demo date."""
    from eirules.cli.synthetic import DEMO_AS_OF, iter_cases, records
    from eirules.core.engine import Engine

    path = tmp_path_factory.mktemp("due-index") / "c.db"
    store, _ = Store.init(path, Engine(entry_points=False))
    workers = ("Rhea Tallowby", "Simeon Quarrel", "Odile Farrowind", "Bram Kettleworth")
    pairs = iter_cases(seed=7, part_c=36, part_b=24, as_of=DEMO_AS_OF, caseworkers=workers)
    store.import_records(records(pairs), evaluate_as_of=DEMO_AS_OF, new_caseworkers=True)
    yield store, DEMO_AS_OF, workers
    store.close()


def _everything_stale(store: Store) -> None:
    """No stored evaluation answers for any date: no as-of date, no stability interval."""
    store.conn.execute(
        "UPDATE cases SET evaluated_as_of = NULL, stable_from = NULL, stable_until = NULL"
    )
    store.conn.commit()


def test_the_due_index_answers_what_re_evaluating_every_case_gives(small_caseload):
    """Rows from the index (nothing re-evaluated) equal rows from evaluating every case."""
    store, as_of, workers = small_caseload
    indexed = store.due(as_of=as_of)
    assert indexed.refreshed == 0 and len(indexed) > 60
    mine = store.due(as_of=as_of, caseworker=workers[0])
    assert mine.refreshed == 0 and mine.rows
    before = store.conn.execute(
        "SELECT evaluated_as_of, stable_from, stable_until, id FROM cases"
    ).fetchall()
    try:
        _everything_stale(store)
        fresh = store.due(as_of=as_of)
        assert fresh.refreshed == 60
        assert fresh.rows == indexed.rows
        assert store.due(as_of=as_of, caseworker=workers[0]).rows == mine.rows
    finally:
        store.conn.executemany(
            "UPDATE cases SET evaluated_as_of = ?, stable_from = ?, stable_until = ? WHERE id = ?",
            before,
        )
        store.conn.commit()


def test_one_caseworkers_due_is_their_rows_of_the_whole_list(small_caseload):
    """Starting from a caseworker's assignments lists exactly their rows of the whole list."""
    store, as_of, workers = small_caseload
    for day in (as_of, as_of.replace(day=1)):  # the index's date, and one it must re-evaluate
        whole = store.due(as_of=day)
        for worker in workers:
            rows = store.due(as_of=day, caseworker=worker).rows
            assert rows and rows == tuple(r for r in whole.rows if r["caseworker"] == worker)


def test_a_case_changed_since_its_evaluation_is_re_evaluated_even_on_the_same_date(
    small_caseload,
):
    """Its stored clock rows no longer answer for it: the listing re-evaluates it."""
    store, as_of, workers = small_caseload
    case_id = store.due(as_of=as_of, caseworker=workers[1]).rows[0]["case_id"]
    store.conn.execute(
        "UPDATE cases SET status = 'changed_since_evaluation' WHERE id = ?", (case_id,)
    )
    store.conn.commit()
    try:
        answer = store.due(as_of=as_of, caseworker=workers[1])
        assert answer.refreshed == 1
        assert case_id in {r["case_id"] for r in answer.rows}
    finally:
        store.evaluate(as_of=as_of, case_ids=[case_id])
    assert store.due(as_of=as_of, caseworker=workers[1]).refreshed == 0


def test_due_right_after_the_nightly_run_answers_from_the_stored_rows(run, monkeypatch):
    """Finding 6: after `evaluate --all` (as of today, the nightly run), `due --as-of` today
    evaluates no case: the stored rows are current for that date, engine and ruleset
    version. Any evaluation for the answer fails this test; another date still evaluates."""
    from eirules.core.store import listing_scope

    run("cases", "import", EXAMPLES / "caseload")
    today = date.today().isoformat()
    run("evaluate", "--all", "--as-of", today)
    evaluated = []
    real = listing_scope._evaluate_chunk

    def counting(engine, job):
        evaluated.extend(case_id for case_id, _ in job[1])
        return real(engine, job)

    monkeypatch.setattr(listing_scope, "_evaluate_chunk", counting)
    for command in (("due", "--as-of", today), ("due",), ("overdue",), ("cases", "list")):
        rows = run(*command, "--format", "json").output
        assert json.loads(rows), command
    assert evaluated == []
    # Another date: the cases whose stability interval does not hold it are evaluated
    # (core/store/currency.py holds_sql), exactly those, and the rows are a fresh answer's.
    listed = json.loads(run("due", "--as-of", "2026-03-02", "--format", "json").output)
    store = Store.open(os.environ["EIRULES_DB"])
    held = {
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM cases WHERE stable_from <= '2026-03-02' "
            "AND (stable_until IS NULL OR '2026-03-02' < stable_until)"
        )
    }
    assert 0 < len(evaluated) == 240 - len(held)
    assert not held & set(evaluated)
    _everything_stale(store)
    store.close()
    evaluated.clear()
    assert json.loads(run("due", "--as-of", "2026-03-02", "--format", "json").output) == listed
    assert len(evaluated) == 240


# Listings of children's records written to a file ---------------------------------------


@pytest.mark.parametrize(
    "command, fmt",
    [
        (["overdue", "--as-of", "2026-03-02"], "csv"),
        (["due", "--as-of", "2026-03-02", "--within", "14d"], "table"),
        (["cases", "list", "--as-of", "2026-03-02"], "json"),
    ],
)
def test_listing_out_file_is_private_and_holds_exactly_what_stdout_would(
    run, tmp_path, command, fmt
):
    """`--out FILE` writes the listing readable by its owner only (0600), the same bytes
    the command prints without it; a shell's `> FILE` would make a 0644 file."""
    run("cases", "import", EXAMPLES / "caseload")
    printed = run(*command, "--format", fmt).stdout
    out = tmp_path / f"listing.{fmt}"
    result = run(*command, "--format", fmt, "--out", out)
    assert result.stdout == ""
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_text(encoding="utf-8") == printed
    assert "SYN-C-" in printed


def test_listing_out_into_a_missing_folder_is_refused_before_any_work(run, tmp_path):
    run("cases", "import", EXAMPLES / "caseload")
    out = tmp_path / "nowhere" / "overdue.csv"
    result = run("overdue", "--format", "csv", "--out", out, code=2)
    assert result.output.splitlines()[0] == f"Error: cannot write {out}"
    assert not out.parent.exists()


def test_due_after_a_calendar_import_counts_on_the_new_calendar(run, tmp_path, monkeypatch):
    """TEC 29.004(a)(1), 45 school days: consent Mon 2025-09-08 in Fictional Unified.

    Evaluated (as of the listing's date) before the district's calendar existed, the
    initial evaluation cannot be computed; once `calendars import` adds it, `due` (with
    no evaluate step between)
    counts on it: the 45th school day is Mon 2025-11-10. Clock rows counted on the old
    calendars are never the listing's answer.
    """
    monkeypatch.setenv("EIRULES_CALENDARS_DIR", str(tmp_path / "calendars"))
    case = tmp_path / "tx.json"
    case.write_text(
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "TX-CAL-1",
                "ruleset": "us-tx",
                "district": "Fictional Unified",
                "child": {"birth_date": "2016-04-01", "name": "Remy Fictional"},
                "events": [{"type": "consent_for_evaluation", "date": "2025-09-08"}],
            }
        )
    )
    run("cases", "import", case)
    run("evaluate", "--all", "--as-of", "2025-10-01")  # the nightly run, before the calendar

    def evaluation_due():
        rows = json.loads(run("due", "--as-of", "2025-10-01", "--format", "json").output)
        return [r["due"] for r in rows if r["clock"] == "initial_evaluation"]

    assert evaluation_due() == [None]
    calendar = EXAMPLES / "calendars" / "fictional-unified-2025-26.csv"
    run("calendars", "import", calendar, "--district", "Fictional Unified")
    assert evaluation_due() == ["2025-11-10"]
