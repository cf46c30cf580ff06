"""A listing of another caseworker's cases the person may not see is refused, not empty.

`due`, `overdue` and `cases list --caseworker NAME` by a coordinator naming a colleague
(or a district supervisor naming a caseworker with no case in the district) used to
print "Nothing open": the filter met the person's caseload and nothing was left. They
are refused as `cases show` of such a case is (people.py), on both backends.
"""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from helpers import referred_case

from eirules.cli import cli
from eirules.core.importing import Record
from eirules.core.store import AccessDenied, Store
from eirules.core.store.people import os_accounts, os_login


def doc(case_id: str, district: str) -> dict:
    return referred_case(case_id, district=district)


@pytest.fixture
def agency(db_target, engine):
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("N-1", "north"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("N-2", "north"), caseworker="Bram Kettleworth"),
            Record("a.json", "3", doc("S-1", "south"), caseworker="Inez Marchbank"),
        ],
        user="setup",
    )
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    store.add_staff("sam", "supervisor", district="north", force=True)
    store.add_staff("dana", "data_manager", force=True)
    yield store
    store.close()


REFUSED = "may not list the cases of Bram Kettleworth: they are not in your caseload"


@pytest.mark.parametrize(
    "listing",
    [
        lambda s, w: list(s.due_stream(as_of=date(2026, 3, 2), caseworker=w).rows),
        lambda s, w: list(s.due(as_of=date(2026, 3, 2), caseworker=w, overdue_only=True)),
        lambda s, w: s.list_cases(caseworker=w),
    ],
    ids=["due", "overdue", "cases list"],
)
def test_a_coordinator_may_not_list_a_colleagues_cases(agency, listing):
    agency.as_login("cora")
    with pytest.raises(AccessDenied) as err:
        listing(agency, "bram kettleworth")  # any spelling of the stored name
    assert str(err.value).splitlines() == [
        f"cora (coordinator) {REFUSED}",
        "  --caseworker: your caseload is the cases assigned to Rhea Tallowby; leave "
        "--caseworker out to list your own caseload; ask a data manager (eirules staff add) "
        "to change your caseload",
    ]
    # Their own name is their own caseload, as without --caseworker.
    assert [c["case_id"] for c in agency.list_cases(caseworker="Rhea Tallowby")] == ["N-1"]
    assert {
        r["case_id"] for r in agency.due(as_of=date(2026, 3, 2), caseworker="Rhea Tallowby")
    } == {"N-1"}


def test_a_district_supervisor_may_list_a_caseworker_of_their_district_only(agency):
    agency.as_login("sam")
    assert [c["case_id"] for c in agency.list_cases(caseworker="Bram Kettleworth")] == ["N-2"]
    with pytest.raises(AccessDenied) as err:
        agency.due(as_of=date(2026, 3, 2), caseworker="Inez Marchbank")
    assert str(err.value).splitlines()[0] == (
        "sam (supervisor) may not list the cases of Inez Marchbank: they are not in your caseload"
    )
    assert "your caseload is the cases in district north" in str(err.value)
    agency.as_login("dana")  # a data manager sees everyone's
    assert [c["case_id"] for c in agency.list_cases(caseworker="Inez Marchbank")] == ["S-1"]


@pytest.mark.parametrize(
    "command",
    [
        ["due", "--within", "14d"],
        ["overdue"],
        ["cases", "list"],
    ],
    ids=["due", "overdue", "cases list"],
)
def test_cli_refuses_a_coordinators_colleague_with_exit_1(agency, db_target, command):
    """As the login itself (the OS user on SQLite, session_user on PostgreSQL)."""
    me = agency.person.login
    if not agency.conn.postgres:  # a data manager with an account here stays
        others = [a for a in os_accounts() or [] if a != os_login()]
        if not others:
            pytest.skip("this machine has only one account")
        agency.add_staff(others[0], "data_manager")
    agency.add_staff(me, "coordinator", caseworker="Rhea Tallowby")
    args = [*command, "--as-of", "2026-03-02", "--db", str(db_target)]
    result = CliRunner().invoke(cli, [*args, "--caseworker", "Bram Kettleworth"])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == f"Error: {me} (coordinator) {REFUSED}"
    assert "Nothing open" not in result.output and "N-2" not in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, [*args, "--caseworker", "Rhea Tallowby"])
    assert result.exit_code == 0, result.output
    assert "N-1" in result.output
