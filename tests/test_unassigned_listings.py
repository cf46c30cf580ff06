"""`due`, `overdue` and `cases list --unassigned`: the cases no caseworker holds.

A case imported from a JSON case file has no caseworker, so it was on no
caseworker's list, and `--caseworker "-"` was refused: its overdue initial IFSP
meeting (34 CFR 303.310(a)) was listed only in the whole caseload's answer. Now
`caseworker=UNASSIGNED` (`--unassigned`; the HTTP API's `unassigned=true`) is
one condition of the scope every listing shares (core/store/listing_scope.py),
on both backends, for cases current in the due index and for those re-evaluated.
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
from eirules.core.store import UNASSIGNED, Store
from eirules.core.store.listing_scope import listing_caseworker

AS_OF = date(2026, 3, 2)  # each case's 45-day initial IFSP meeting was due 2026-02-19


@pytest.fixture
def caseload(db_target, engine):
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", referred_case("A-1"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", referred_case("A-2"), caseworker="Inez Marchbank"),
            Record("a.json", "3", referred_case("U-1")),
            Record("a.json", "4", referred_case("U-2", referred="2026-02-20")),
        ],
        user="setup",
        new_caseworkers=True,
        evaluate_as_of=AS_OF,
    )
    yield store
    store.close()


def _listed(store, as_of=AS_OF, caseworker=UNASSIGNED):
    return {
        "due": sorted({r["case_id"] for r in store.due(as_of=as_of, caseworker=caseworker)}),
        "overdue": sorted(
            {r["case_id"] for r in store.due(as_of=as_of, caseworker=caseworker, overdue_only=True)}
        ),
        "lines": sorted({c for c, _ in store.due_lines(as_of=as_of, caseworker=caseworker)}),
        "cases list": sorted(c["case_id"] for c in store.list_cases(caseworker=caseworker)),
    }


def test_unassigned_lists_only_the_cases_no_caseworker_holds(caseload):
    assert _listed(caseload) == {
        "due": ["U-1", "U-2"],
        "overdue": ["U-1"],  # U-2 was referred 2026-02-20: due 2026-04-06
        "lines": ["U-1", "U-2"],
        "cases list": ["U-1", "U-2"],
    }
    # Re-evaluated in memory for another date (not current in the due index): the same scope.
    assert _listed(caseload, as_of=date(2026, 4, 10))["overdue"] == ["U-1", "U-2"]
    assert _listed(caseload, caseworker=None)["due"] == ["A-1", "A-2", "U-1", "U-2"]


def test_a_case_assigned_leaves_the_unassigned_list(caseload):
    caseload.assign("U-1", "Rhea Tallowby")
    assert _listed(caseload) == {
        "due": ["U-2"],
        "overdue": [],
        "lines": ["U-2"],
        "cases list": ["U-2"],
    }
    assert _listed(caseload, caseworker="Rhea Tallowby")["due"] == ["A-1", "U-1"]


def test_unassigned_with_a_caseworker_is_refused():
    with pytest.raises(InputError) as caught:
        listing_caseworker("Rhea Tallowby", True)
    assert str(caught.value).splitlines() == [
        "--unassigned and --caseworker ask for different cases",
        '  --unassigned: lists the cases no caseworker holds, and --caseworker "Rhea Tallowby" '
        "one caseworker's; give one of them: --unassigned, or --caseworker NAME",
    ]
    assert listing_caseworker(None, True) is UNASSIGNED
    assert listing_caseworker("Rhea Tallowby", False) == "Rhea Tallowby"


@pytest.mark.parametrize(
    "command",
    [
        ["due", "--as-of", "2026-03-02"],
        ["overdue", "--as-of", "2026-03-02"],
        ["cases", "list", "--as-of", "2026-03-02"],
    ],
)
def test_cli_listings_take_unassigned(caseload, db_target, command):
    runner = CliRunner()
    args = [*command, "--db", str(db_target), "--format", "json"]
    result = runner.invoke(cli, [*args, "--unassigned"])
    assert result.exit_code == 0, result.output
    ids = {r["case_id"] for r in json.loads(result.output)}
    assert ids == ({"U-1"} if command[0] == "overdue" else {"U-1", "U-2"})
    result = runner.invoke(cli, [*args, "--unassigned", "--caseworker", "Rhea Tallowby"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "Error: --unassigned and --caseworker ask for different cases"
    )


def test_an_unknown_caseworker_points_to_unassigned(caseload, db_target):
    result = CliRunner().invoke(cli, ["due", "--db", str(db_target), "--caseworker", "-"])
    assert result.exit_code == 2
    assert result.output.splitlines()[1] == (
        "  --caseworker: not found; caseworkers: Inez Marchbank, Rhea Tallowby; "
        "the cases no caseworker holds: --unassigned"
    )


def test_the_http_api_takes_unassigned(caseload, db_target, engine):
    from test_caseworker_names import _http_get

    from eirules.http_api import create_app

    app = create_app(engine, db=db_target)
    status, body = _http_get(app, "/v1/due?as_of=2026-03-02&unassigned=true")
    assert status == 200, body
    assert sorted({r["case_id"] for r in body["clocks"]}) == ["U-1", "U-2"]
    status, body = _http_get(app, "/v1/overdue?as_of=2026-03-02&unassigned=1")
    assert status == 200 and {r["case_id"] for r in body["clocks"]} == {"U-1"}
    status, body = _http_get(app, "/v1/due?unassigned=true&caseworker=Rhea%20Tallowby")
    assert status == 422
    assert body["problems"][0]["where"] == "unassigned"
    assert "--" not in json.dumps(body)
    status, body = _http_get(app, "/v1/due?unassigned=maybe")
    assert status == 422 and body["problems"][0]["where"] == "unassigned"
