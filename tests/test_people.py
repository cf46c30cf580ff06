"""People, roles and the record of access, on SQLite and PostgreSQL.

The person is the database login (PostgreSQL) or the OS user (SQLite file);
these tests stand in for other people with `as_login`, as `eirules serve` does
for a token. Record of access: 34 CFR 300.614 (Part B) and 303.405 (Part C).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import referred_case

from eirules.cli import cli
from eirules.core.errors import InputError
from eirules.core.importing import Record
from eirules.core.store import AccessDenied, Store
from eirules.core.store.people import os_accounts, os_login


def another_account() -> str:
    """An account of this machine other than the one running the tests (root, daemon, ...)."""
    others = [a for a in os_accounts() or [] if a != os_login()]
    if not others:
        pytest.skip("this machine has only one account")
    return others[0]


def doc(case_id: str, district: str) -> dict:
    return referred_case(case_id, district=district)


@pytest.fixture
def agency(db_target, engine):
    """Three cases in two districts, a staff list of one person in each role."""
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("N-1", "north"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("N-2", "north"), caseworker="Inez Marchbank"),
            Record("a.json", "3", doc("S-1", "south"), caseworker="Rhea Tallowby"),
        ],
        user="setup",
    )
    me = store.person.login
    assert store.person.role == "owner"  # no staff yet: whoever opens it
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    store.add_staff("sam", "supervisor", district="north", force=True)
    store.add_staff("dana", "data_manager", force=True)
    store.add_staff("aldo", "auditor", force=True)
    # The first add kept the owner in, as a data manager.
    assert {r["login"]: r["role"] for r in store.staff()}[me] == "data_manager"
    yield store
    store.close()


def test_a_coordinator_sees_and_changes_only_their_own_caseload(agency):
    agency.as_login("cora")
    assert [c["case_id"] for c in agency.list_cases()] == ["N-1", "S-1"]
    agency.add_event("N-1", "consent_for_evaluation", date(2026, 1, 9), today=date(2026, 3, 1))
    with pytest.raises(AccessDenied) as err:
        agency.add_event("N-2", "consent_for_evaluation", date(2026, 1, 9), today=date(2026, 3, 1))
    assert str(err.value).startswith(
        "cora (coordinator) may not change case N-2: it is not in your caseload"
    )
    with pytest.raises(AccessDenied) as err:
        agency.show_case("N-2")
    assert "may not read case N-2" in str(err.value)
    with pytest.raises(AccessDenied) as err:
        agency.import_records([Record("b.json", "1", doc("X-1", "north"))])
    assert str(err.value).splitlines()[0] == (
        "cora (coordinator) may not import cases: only a data manager may"
    )
    with pytest.raises(AccessDenied):
        agency.evaluate(as_of=date(2026, 3, 1))  # the whole caseload
    report = agency.evaluate(as_of=date(2026, 3, 1), case_ids=["N-1"])
    assert report.evaluated == 1
    assert {r["case_id"] for r in agency.due(as_of=date(2026, 3, 1))} <= {"N-1", "S-1"}


def test_a_supervisor_works_their_district_and_assigns_in_it(agency):
    agency.as_login("sam")
    assert [c["case_id"] for c in agency.list_cases()] == ["N-1", "N-2"]
    assert agency.assign("N-2", "Rhea Tallowby")
    with pytest.raises(AccessDenied) as err:
        agency.assign("S-1", "Inez Marchbank")
    assert "sam (supervisor) may not assign case S-1: it is not in your caseload" in str(err.value)
    with pytest.raises(AccessDenied):
        agency.audit_log()


def test_an_auditor_reads_everything_and_changes_nothing(agency):
    agency.as_login("aldo")
    assert len(agency.list_cases()) == 3
    assert agency.show_case("S-1", "annual monitoring")["child"] == "Child S-1"
    assert agency.verify_audit()[1] == []
    for attempt in (
        lambda: agency.add_event("S-1", "consent_for_evaluation", date(2026, 1, 9)),
        lambda: agency.assign("S-1", "Inez Marchbank"),
        lambda: agency.add_staff("eve", "data_manager", force=True),
    ):
        with pytest.raises(AccessDenied) as err:
            attempt()
        assert str(err.value).startswith("aldo (auditor) may not ")


def test_someone_not_on_the_staff_list_may_do_nothing_and_is_told_how_to_get_in(agency):
    agency.as_login("mallory")
    listed = "mallory (not on this caseload's staff list) may not see the cases of this caseload"
    # A listing is refused as `cases show` is: an empty one would read as "no work".
    for listing in (
        agency.list_cases,
        lambda: agency.due(as_of=date(2026, 3, 1)),
        lambda: agency.due(as_of=date(2026, 3, 1), overdue_only=True),
        lambda: agency.due(as_of=date(2026, 3, 1), caseworker="Rhea Tallowby"),
        lambda: agency.current_cases(as_of=date(2026, 3, 1)),
    ):
        with pytest.raises(AccessDenied) as err:
            listing()
        assert str(err.value).splitlines()[0] == listed
    with pytest.raises(AccessDenied) as err:
        agency.show_case("N-1")
    assert str(err.value) == (
        "mallory (not on this caseload's staff list) may not read case N-1\n"
        "  only people on the staff list may use this caseload; ask a data manager to add you: "
        "eirules staff add mallory --role ROLE"
    )


def test_every_read_is_on_the_record_of_access_with_who_and_purpose(agency):
    """34 CFR 300.614 / 303.405: name of the party, date, purpose."""
    agency.as_login("cora")
    agency.show_case("N-1", "IFSP review with the family")
    agency.export_case("N-1")
    agency.as_login("aldo")
    agency.show_case("N-1", "monitoring")
    record = agency.access_record("N-1")
    assert [(r["login"], r["role"], r["action"], r["purpose"]) for r in record] == [
        ("cora", "coordinator", "show", "IFSP review with the family"),
        ("cora", "coordinator", "export", "not stated"),
        ("aldo", "auditor", "show", "monitoring"),
    ]
    assert all(r["at"].startswith("20") for r in record)
    assert agency.access_record("N-2") == []
    agency.as_login("cora")
    with pytest.raises(AccessDenied):
        agency.access_record("N-1")  # the record itself is for auditors and data managers
    with pytest.raises(AccessDenied):
        agency.show_case("N-2")
    agency.as_login("aldo")
    assert len(agency.access_record("N-2")) == 0  # a refused read is not an access


def test_cli_uses_the_os_user_and_says_what_it_may_not_do(tmp_path, monkeypatch, engine):
    db = tmp_path / "caseload.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    runner = CliRunner()
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("N-1", "north"), caseworker="Rhea")])
    store.add_staff("cora", "coordinator", caseworker="Rhea", force=True)
    # So that the OS user may step down: a data manager who is an account of this machine.
    store.add_staff(another_account(), "data_manager")
    store.close()
    me = os_login()
    # The OS user was made data manager by the first `staff add`.
    result = runner.invoke(cli, ["staff", "whoami"])
    assert result.output.splitlines()[0] == f"You are {me} (data manager)."
    result = runner.invoke(cli, ["staff", "add", me, "--role", "auditor"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["cases", "import", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"Error: {me} (auditor) may not import cases: only a data manager may"
    )
    result = runner.invoke(cli, ["cases", "show", "N-1", "--purpose", "parent request"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["cases", "export", "N-1"])
    assert "contains a child's personal information" in result.stderr
    assert json.loads(result.stdout)["id"] == "N-1"
    result = runner.invoke(cli, ["audit", "access", "--case", "N-1", "--format", "json"])
    rows = json.loads(result.output)
    assert [(r["login"], r["action"], r["purpose"]) for r in rows] == [
        (me, "show", "parent request"),
        (me, "export", "not stated"),
    ]
    assert "--user" not in runner.invoke(cli, ["cases", "add-event", "--help"]).output


def test_the_last_data_manager_may_not_step_down_or_be_removed(agency):
    """Only a data manager may change the staff list: the last one stays, else nobody could."""
    me = agency.person.login
    agency.remove_staff("dana")
    before, logged = agency.staff(), len(agency.audit_log())
    # On an SQLite file only the data managers who are accounts of this machine count.
    who = "" if agency.conn.postgres else " with an account on this machine"
    for attempt, headline in (
        (lambda: agency.add_staff(me, "auditor"), f"{me} not made an auditor"),
        (lambda: agency.remove_staff(me), f"{me} not removed from the staff"),
    ):
        with pytest.raises(InputError) as err:
            attempt()
        assert str(err.value).splitlines() == [
            headline,
            f"  LOGIN: {me} is the last data manager{who}: nobody could change the staff list "
            f"afterwards; first make someone else data manager (eirules staff add LOGIN "
            f"--role data_manager), then change {me}",
        ]
    assert agency.staff() == before  # nothing written, nothing audited
    assert len(agency.audit_log()) == logged
    # With a second data manager (on an SQLite file: an account of this machine), the
    # first may step down.
    agency.add_staff("dana" if agency.conn.postgres else another_account(), "data_manager")
    agency.add_staff(me, "auditor")
    assert {r["login"]: r["role"] for r in agency.staff()}[me] == "auditor"


def test_the_owner_of_a_caseload_without_staff_may_not_make_themselves_auditor(db_target, engine):
    store, _ = Store.init(db_target, engine)
    me = store.person.login
    with pytest.raises(InputError):
        store.add_staff(me, "auditor")
    assert store.staff() == []
    store.close()


def test_cli_refuses_demoting_the_last_data_manager_with_exit_2(tmp_path, monkeypatch, engine):
    db = tmp_path / "caseload.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.add_caseworker("Rhea")
    store.add_staff("cora", "coordinator", caseworker="Rhea", force=True)
    store.close()
    me = os_login()
    result = CliRunner().invoke(cli, ["staff", "add", me, "--role", "auditor"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == f"Error: {me} not made an auditor"
    assert "is the last data manager" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["staff", "remove", me])
    assert result.exit_code == 2, result.output
    assert CliRunner().invoke(cli, ["staff", "whoami"]).output.splitlines()[0] == (
        f"You are {me} (data manager)."
    )


@pytest.mark.parametrize(
    "command", [["due"], ["overdue"], ["cases", "list"], ["cases", "show", "N-1"]]
)
def test_cli_someone_not_on_the_staff_list_is_refused_a_listing_not_shown_nothing_open(
    agency, db_target, command
):
    """Three cases referred 2026-01-05, all overdue by 2026-03-01 (303.310): a person the
    staff list does not name gets the refusal `cases show` gives (exit status 1, with the
    `eirules staff add` that lets them in), never "Nothing open" with exit status 0."""
    me = agency.person.login
    agency.add_staff(another_account(), "data_manager")  # so that the OS user may leave
    agency.remove_staff(me)
    args = [*command, "--db", str(db_target)]
    if command[-1] != "N-1":
        args += ["--as-of", "2026-03-01"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Error: {me} (not on this caseload's staff list) may not ")
    assert lines[1] == (
        "  only people on the staff list may use this caseload; ask a data manager to add you: "
        f"eirules staff add {me} --role ROLE"
    )
    assert "Nothing open" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
@pytest.mark.parametrize(
    "command, action",
    [(["due"], "due"), (["overdue"], "overdue"), (["cases", "list"], "cases list")],
)
def test_cli_listings_are_on_the_record_of_access_with_the_purpose(
    agency, db_target, command, action, fmt
):
    """34 CFR 300.614 / 303.405: a listing names each child and what is owed for them, so
    `due`, `overdue` and `cases list` put every case they list on its record of access,
    with the stated purpose (as `eirules serve` does), whether printed as a table or
    streamed row by row."""
    args = [*command, "--as-of", "2026-03-01", "--format", fmt, "--db", str(db_target)]
    result = CliRunner().invoke(cli, [*args, "--purpose", "weekly caseload review"])
    assert result.exit_code == 0, result.output
    agency.as_login("dana")
    for case_id in ("N-1", "N-2", "S-1"):  # referred 2026-01-05: all overdue (303.310)
        assert case_id in result.output
        record = agency.access_record(case_id)
        assert [(r["action"], r["purpose"]) for r in record] == [
            (action, "weekly caseload review")
        ], case_id
    CliRunner().invoke(cli, args)  # no purpose stated: recorded as such
    assert [r["purpose"] for r in agency.access_record("N-2")] == [
        "weekly caseload review",
        "not stated",
    ]


def test_a_listing_records_only_the_cases_it_listed(agency, db_target):
    """A coordinator's `due` lists (and records) their own cases only; a case they never
    saw gets no entry on its record of access."""
    agency.as_login("cora")
    rows = list(agency.recorded(agency.due_stream(as_of=date(2026, 3, 1)).rows, "due", "visit"))
    assert {r["case_id"] for r in rows} == {"N-1", "S-1"}
    agency.as_login("aldo")
    assert [r["login"] for r in agency.access_record("N-1")] == ["cora"]
    assert agency.access_record("N-2") == []


def test_a_district_supervisors_indicators_count_their_district_only(agency, db_target):
    """A supervisor's caseload is their district (people.py): `eirules indicators` counts
    those cases, not the whole caseload. Three Part C children referred 2026-01-05 with
    no IFSP meeting by 2026-02-19 (303.310): C7 is 0 of 3 for the data manager, 0 of 2
    for the north district's supervisor; `--check` names no child from another district."""
    me = agency.person.login
    twin = doc("S-2", "south")
    twin["child"]["name"] = "Child N-1"  # same birth date and name as N-1, in the south
    agency.import_records([Record("b.json", "1", twin, caseworker="Inez Marchbank")])
    agency.evaluate(as_of=date(2026, 3, 1))
    args = ["indicators", "--year", "2025-26", "--indicator", "C7", "--format", "json"]
    args += ["--db", str(db_target)]

    def c7() -> tuple[int, int, int]:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        figure = report["indicators"][0]
        return report["cases"], figure["numerator"], figure["denominator"]

    def duplicates() -> list[str]:
        check = ["indicators", "--check", "--format", "json", "--db", str(db_target)]
        rows = json.loads(CliRunner().invoke(cli, check).output)
        return [r["case_id"] for r in rows if r["kind"] == "probable_duplicate"]

    assert c7() == (4, 0, 4)
    assert duplicates() == ["N-1"]
    if not agency.conn.postgres:  # a data manager who is an account of this machine stays
        agency.add_staff(another_account(), "data_manager")
    agency.add_staff(me, "supervisor", district="north")  # dana stays data manager
    assert c7() == (2, 0, 2)
    assert duplicates() == []
    agency.as_login("dana")
    agency.add_staff(me, "supervisor")  # no district: every case
    assert c7() == (4, 0, 4)


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX user ids only")
def test_os_user_is_the_account_not_the_user_variable(monkeypatch):
    """On an SQLite file the person is the OS account the process runs as: setting $USER or
    $LOGNAME (which `getpass.getuser()` reads first) does not make someone else (issue 10)."""
    import os
    import pwd

    account = pwd.getpwuid(os.getuid()).pw_name
    for name in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "dana-the-data-manager")
    assert os_login() == account


def test_a_listing_read_in_part_records_the_cases_it_gave(agency):
    """A reader that stops after the first row (`due | head -1`) has read that child's
    record: it is on the record of access, and on PostgreSQL the listing's read cursor
    is closed first, so the record is committed, not rolled back with it."""
    rows = agency.recorded(agency.due_stream(as_of=date(2026, 3, 1)).rows, "due", "triage")
    first = next(rows)
    rows.close()
    agency.as_login("aldo")
    others = {"N-1", "N-2", "S-1"} - {first["case_id"]}
    assert [(r["action"], r["purpose"]) for r in agency.access_record(first["case_id"])] == [
        ("due", "triage")
    ]
    assert all(agency.access_record(case_id) == [] for case_id in others)
    assert not agency.conn.in_transaction


def demo_like(tmp_path, monkeypatch, engine):
    """A caseload file like the demo's: caseworkers and districts as the case files spell them."""
    db = tmp_path / "caseload.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("N-1", "North Hollow USD"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("R-1", "Riverbend USD"), caseworker="Inez Marchbank"),
        ],
        user="setup",
    )
    store.close()
    return db


def test_cli_staff_add_refuses_a_misspelt_caseworker_or_district_and_writes_nothing(
    tmp_path, monkeypatch, engine
):
    """A coordinator added as "Rhea Talowby" (Rhea Tallowby misspelt) or a supervisor of
    "north" would have an empty caseload and `due` would say "Nothing open" (issue 10)."""
    demo_like(tmp_path, monkeypatch, engine)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["staff", "add", "qa1", "--role", "coordinator", "--caseworker", "Rhea Talowby", "--force"],
    )
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "Error: qa1 not added to the staff",
        '  --caseworker: no caseworker "Rhea Talowby" in the caseload; did you mean '
        '"Rhea Tallowby"?; if "Rhea Talowby" is new, add them first with: eirules '
        'caseworkers add "Rhea Talowby"',
    ]
    result = runner.invoke(
        cli, ["staff", "add", "qa2", "--role", "supervisor", "--district", "north", "--force"]
    )
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "Error: qa2 not added to the staff",
        '  --district: no case in the caseload is in district "north"; districts: North Hollow '
        "USD, Riverbend USD; give the district as the case files spell it, or leave "
        "--district out for every district",
    ]
    result = runner.invoke(
        cli,
        ["staff", "add", "qa2", "--role", "supervisor", "--district", "Riverbend USX", "--force"],
    )
    assert result.exit_code == 2
    assert 'did you mean "Riverbend USD"?' in result.output
    assert runner.invoke(cli, ["staff", "list", "--format", "json"]).output.strip() == "[]"
    # Spelt as stored (letter case aside), both are added, with the stored spelling.
    for args in (
        ["qa1", "--role", "coordinator", "--caseworker", "rhea tallowby"],
        ["qa2", "--role", "supervisor", "--district", "north hollow usd"],
    ):
        result = runner.invoke(cli, ["staff", "add", *args, "--force"])
        assert result.exit_code == 0, result.output
    rows = json.loads(runner.invoke(cli, ["staff", "list", "--format", "json"]).output)
    assert {
        r["login"]: (r["caseworker"], r["district"]) for r in rows if r["login"] != os_login()
    } == {
        "qa1": ("Rhea Tallowby", None),
        "qa2": (None, "North Hollow USD"),
    }


@pytest.mark.skipif(os_accounts() is None, reason="no account database on this system")
def test_cli_a_misspelt_login_cannot_lock_the_data_managers_out(tmp_path, monkeypatch, engine):
    """On an SQLite file the person is the OS account: a data manager "rooot" (no such
    account) is refused unless --force, and then does not count as the data manager who
    keeps the staff list changeable, so the real one may not be removed."""
    demo_like(tmp_path, monkeypatch, engine)
    runner = CliRunner()
    me = os_login()
    typo = me + "o"
    assert typo not in os_accounts()
    result = runner.invoke(cli, ["staff", "add", typo, "--role", "data_manager"])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Error: {typo} not added to the staff"
    assert lines[1].startswith(f'  LOGIN: "{typo}" is not an account of this machine; did you mean')
    assert lines[1].endswith(
        f"(on an SQLite file you are your OS account: you are {me}); check the spelling; to add "
        "it anyway (a login only for eirules serve tokens, or an account of another machine "
        "that opens this file), pass --force"
    )
    assert runner.invoke(cli, ["staff", "list", "--format", "json"]).output.strip() == "[]"
    result = runner.invoke(cli, ["staff", "add", typo, "--role", "data_manager", "--force"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"Warning: {typo} is not an account of this machine")
    for attempt in (["staff", "remove", me], ["staff", "add", me, "--role", "auditor"]):
        result = runner.invoke(cli, attempt)
        assert result.exit_code == 2, result.output
        assert f"{me} is the last data manager with an account on this machine" in result.output
    assert runner.invoke(cli, ["staff", "whoami"]).output.splitlines()[0] == (
        f"You are {me} (data manager)."
    )
    # A second real account as data manager lets the first step down.
    other = another_account()
    assert runner.invoke(cli, ["staff", "add", other, "--role", "data_manager"]).exit_code == 0
    assert runner.invoke(cli, ["staff", "remove", me]).exit_code == 0


def test_a_supervisor_refused_a_case_outside_their_district_is_told_who_can_change_it(agency):
    """A supervisor has no supervisor to ask: the fix names the role that can act."""
    agency.as_login("sam")
    with pytest.raises(AccessDenied) as err:
        agency.assign("S-1", "Inez Marchbank")
    assert str(err.value).splitlines()[1] == (
        "  your caseload is the cases in district north; ask a data manager (eirules staff "
        "add) to change your caseload, or someone whose caseload holds the case"
    )


def test_whoami_says_which_cases_each_action_reaches_not_case_dots(tmp_path, monkeypatch, engine):
    """QA: whoami printed "You may: read case ...; change case ..." (the template of a refusal
    about one case). It says "any case" for a role over the whole caseload and "the cases of
    your caseload" for a coordinator."""
    db = tmp_path / "caseload.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("N-1", "north"), caseworker="Rhea")])
    store.close()
    lines = CliRunner().invoke(cli, ["staff", "whoami"]).output.splitlines()
    assert lines[1] == (
        "You may: read any case; change any case; assign any case; evaluate any case; evaluate"
        " the whole caseload; import cases; run reports over the caseload; read the audit log"
        " and the record of access; destroy any case; prune determination history; change who"
        " may use the caseload"
    )
    store, _ = Store.init(db, engine)
    store.add_staff(another_account(), "data_manager")  # so the OS user may step down
    store.add_staff(os_login(), "coordinator", caseworker="Rhea", force=True)
    store.close()
    lines = CliRunner().invoke(cli, ["staff", "whoami"]).output.splitlines()
    assert lines[1:] == [
        "You may: read the cases of your caseload; change the cases of your caseload; evaluate"
        " the cases of your caseload",
        "Your caseload: the cases assigned to Rhea.",
    ]
