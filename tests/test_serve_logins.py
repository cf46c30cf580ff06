"""Issue 14: `eirules serve` knows who is asking, and every read is on the record of access.

A bearer token (`eirules staff token LOGIN`) stands for one login on the staff
list: the request gets that login's role and caseload, as the CLI would. Reads
through the server (due, overdue, a case's history, the indicators' list of
children) go on each case's record of access (34 CFR 300.614, 303.405).
"""

from __future__ import annotations

import asyncio
import json
from datetime import date
from urllib.parse import urlsplit

import pytest
from helpers import referred_case

from eirules.core.importing import Record
from eirules.core.store import Store
from eirules.http_api import create_app


def doc(case_id: str) -> dict:
    return referred_case(case_id, referred="2025-08-04")


def get(app, path: str, token: str | None = None) -> tuple[int, dict, dict]:
    """GET `path` from the ASGI app in this process: status, JSON body, headers."""
    url = urlsplit(path)
    headers = [(b"host", b"test")]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": url.path, "raw_path": url.path.encode(),
        "query_string": url.query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    head = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], json.loads(body), head


@pytest.fixture
def caseload(db_target, engine):
    """Two cases of two caseworkers; a coordinator, an auditor and tokens for both."""
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("L-1"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("L-2"), caseworker="Inez Marchbank"),
        ],
        user="setup",
        evaluate_as_of=date(2026, 3, 2),
    )
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    store.add_staff("aldo", "auditor", force=True)
    tokens = {"cora": store.issue_token("cora", "test"), "aldo": store.issue_token("aldo")}
    yield store, create_app(engine, db=db_target), tokens
    store.close()


def access(store: Store, case_id: str) -> list[tuple]:
    return [(r["login"], r["action"], r["purpose"]) for r in store.access_record(case_id)]


def test_without_a_token_a_caseload_with_staff_answers_401(caseload):
    store, app, _ = caseload
    for path in ("/v1/due", "/v1/overdue", "/v1/cases/L-1/history", "/v1/indicators?year=2025-26"):
        status, body, head = get(app, path)
        assert status == 401, path
        assert head["www-authenticate"].startswith("Bearer")
        assert body["problems"][0]["fix"].endswith("eirules staff token LOGIN")
    status, body, _ = get(app, "/v1/due", "eir_not-a-token")
    assert status == 401 and body["error"] == "the token is not valid"
    assert get(app, "/v1/health")[0] == 200  # no child's data: no log-in


def test_a_coordinators_token_sees_their_caseload_and_each_read_is_recorded(caseload):
    store, app, tokens = caseload
    status, body, _ = get(app, "/v1/due?as_of=2026-03-02&purpose=weekly+review", tokens["cora"])
    assert status == 200
    assert {r["case_id"] for r in body["clocks"]} == {"L-1"}
    status, body, _ = get(app, "/v1/cases/L-1/history?purpose=call+with+parent", tokens["cora"])
    assert status == 200 and body["id"] == "L-1"
    assert body["audit"] is None  # the audit log is for data managers and auditors
    status, body, _ = get(app, "/v1/cases/L-2/history", tokens["cora"])
    assert status == 403
    assert body["error"].startswith("cora (coordinator) may not read case L-2")
    store.as_login("aldo")
    assert access(store, "L-1") == [
        ("cora", "http due", "weekly review"),
        ("cora", "http history", "call with parent"),
    ]
    assert access(store, "L-2") == []  # refused: nothing was read


def test_indicators_need_a_reporting_role_and_the_children_listed_are_recorded(caseload):
    """Referral 2025-08-04, no IFSP meeting: late for C7 (45 days, 303.310(a)) in 2025-26."""
    store, app, tokens = caseload
    status, body, _ = get(app, "/v1/indicators?year=2025-26", tokens["cora"])
    assert status == 403
    assert "may not run reports over the caseload" in body["error"]
    status, body, _ = get(
        app, "/v1/indicators?year=2025-26&indicator=C7&children=true&purpose=APR", tokens["aldo"]
    )
    assert status == 200
    listed = {c["case_id"] for i in body["indicators"] for c in i.get("children", [])}
    assert listed == {"L-1", "L-2"}
    store.as_login("aldo")
    for case_id in ("L-1", "L-2"):
        assert access(store, case_id) == [("aldo", "http indicators drill-down", "APR")]


def test_a_revoked_token_or_one_whose_login_left_the_staff_stops_working(caseload):
    store, app, tokens = caseload
    assert store.revoke_tokens("cora") == 1
    assert get(app, "/v1/due", tokens["cora"])[0] == 401
    store.remove_staff("aldo")
    assert get(app, "/v1/due", tokens["aldo"])[0] == 401
    # Only the token's SHA-256 is kept in the caseload.
    stored = [r[0] for r in store.conn.execute("SELECT token_sha256 FROM staff_tokens")]
    assert tokens["aldo"] not in stored and len(stored) == 2


def test_a_token_only_for_someone_on_the_staff_list(caseload):
    from eirules.core.errors import InputError

    store, _, _ = caseload
    with pytest.raises(InputError) as err:
        store.issue_token("mallory")
    assert "not on the staff list" in str(err.value)


def test_cli_indicators_list_of_children_is_recorded_and_staff_token_makes_a_login(
    tmp_path, engine
):
    """The CLI user (the OS login, a data manager here) reads the list of children."""
    from click.testing import CliRunner

    from eirules.cli import cli

    db = tmp_path / "c.db"
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("L-1"))], evaluate_as_of=date(2026, 3, 2))
    store.add_caseworker("Rhea Tallowby")  # a coordinator works as a known caseworker
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    runner = CliRunner()
    args = ["indicators", "--db", str(db), "--year", "2025-26", "--indicator", "C7"]
    result = runner.invoke(cli, [*args, "--children", "--purpose", "APR", "--format", "json"])
    assert result.exit_code == 0, result.output
    me = store.person.login
    assert access(store, "L-1") == [(me, "indicators drill-down", "APR")]
    assert runner.invoke(cli, [*args, "--format", "json"]).exit_code == 0
    assert len(access(store, "L-1")) == 1  # the figures alone name no child
    made = runner.invoke(cli, ["staff", "token", "cora", "--db", str(db)])
    assert made.exit_code == 0
    token = made.stdout.strip()
    assert store.login_for_token(token) == "cora"
    revoked = runner.invoke(cli, ["staff", "token", "cora", "--revoke", "--db", str(db)])
    assert revoked.output.startswith("Revoked 1 token of cora")
    assert store.login_for_token(token) is None
    store.close()


def test_cli_indicators_refuse_a_role_without_reports(tmp_path, engine, monkeypatch):
    from click.testing import CliRunner

    from eirules.cli import cli
    from eirules.core.store import people

    db = tmp_path / "c.db"
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("L-1"))], evaluate_as_of=date(2026, 3, 2))
    store.add_caseworker("Rhea Tallowby")  # a coordinator works as a known caseworker
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    store.close()
    monkeypatch.setattr(people, "os_login", lambda: "cora")
    result = CliRunner().invoke(cli, ["indicators", "--db", str(db), "--year", "2025-26"])
    assert result.exit_code == 1
    assert "cora (coordinator) may not run reports over the caseload" in result.output


def test_a_token_expires_after_its_days_and_says_until_when(caseload, monkeypatch):
    """A token made for 30 days on 2026-03-02 works on 2026-03-31 and stops on 2026-04-01
    (its expiry, to the second: made at 09:00 UTC, valid until 2026-04-01T09:00:00)."""
    from eirules.core.store import staff

    store, app, _ = caseload
    monkeypatch.setattr(staff, "now", lambda: "2026-03-02T09:00:00+00:00")
    token = store.issue_token("cora", "tablet", days=30)
    assert store.tokens("cora")[0]["expires_at"] == "2026-04-01T09:00:00+00:00"
    monkeypatch.setattr(staff, "now", lambda: "2026-04-01T08:59:59+00:00")
    assert store.login_for_token(token) == "cora"
    assert get(app, "/v1/due", token)[0] == 200
    assert store.tokens("cora")[0]["status"] == "valid"
    monkeypatch.setattr(staff, "now", lambda: "2026-04-01T09:00:00+00:00")
    assert store.login_for_token(token) is None
    status, body, _ = get(app, "/v1/due", token)
    assert status == 401 and "expired" in json.dumps(body)
    assert store.tokens("cora")[0]["status"] == "expired"


def test_a_token_lasts_90_days_unless_told_and_at_most_a_year(caseload, monkeypatch):
    from eirules.core.errors import InputError
    from eirules.core.store import staff

    store, _, _ = caseload
    monkeypatch.setattr(staff, "now", lambda: "2026-01-01T00:00:00+00:00")
    store.issue_token("aldo")
    assert store.tokens("aldo")[0]["expires_at"] == "2026-04-01T00:00:00+00:00"  # 90 days
    store.issue_token("aldo", days=365)
    assert store.tokens("aldo")[0]["expires_at"] == "2027-01-01T00:00:00+00:00"
    for days in (0, 366, -1):
        with pytest.raises(InputError) as err:
            store.issue_token("aldo", days=days)
        assert "--expires-in" in str(err.value) and "between 1 and 365" in str(err.value)
    assert len(store.tokens("aldo")) == 3  # the two made and the fixture's; nothing half-made


def test_cli_staff_token_expires_in_and_staff_tokens_lists_without_secrets(tmp_path, engine):
    from click.testing import CliRunner

    from eirules.cli import cli

    db = tmp_path / "c.db"
    store, _ = Store.init(db, engine)
    store.add_caseworker("Rhea Tallowby")  # a coordinator works as a known caseworker
    store.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    runner = CliRunner()
    made = runner.invoke(cli, ["staff", "token", "cora", "--expires-in", "7", "--db", str(db)])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert "valid until 20" in made.stderr and "(UTC)" in made.stderr
    listed = runner.invoke(cli, ["staff", "tokens", "--format", "json", "--db", str(db)])
    rows = json.loads(listed.stdout)
    assert [(r["login"], r["status"]) for r in rows] == [("cora", "valid")]
    assert token not in listed.output
    bad = runner.invoke(cli, ["staff", "token", "cora", "--expires-in", "400", "--db", str(db)])
    assert bad.exit_code == 2 and "'400' is not from 1 to 365 days" in bad.output
    # The period words `due --within` takes (cli/due.py WithinType), bounded the same way.
    bad = runner.invoke(cli, ["staff", "token", "cora", "--expires-in", "400d", "--db", str(db)])
    assert bad.exit_code == 2 and "'400d' is not from 1 to 365 days" in bad.output
    bad = runner.invoke(cli, ["staff", "token", "cora", "--expires-in", "all", "--db", str(db)])
    assert bad.exit_code == 2 and "'all' is not a number of days" in bad.output
    made = runner.invoke(cli, ["staff", "token", "cora", "--expires-in", "2w", "--db", str(db)])
    assert made.exit_code == 0, made.output
    runner.invoke(cli, ["staff", "token", "cora", "--revoke", "--db", str(db)])
    listed = runner.invoke(cli, ["staff", "tokens", "cora", "--format", "csv", "--db", str(db)])
    assert listed.stdout.splitlines()[1].startswith("cora,,revoked,")
    store.close()


def test_a_district_supervisors_http_indicators_count_their_district(db_target, engine):
    """The HTTP indicators scope like the CLI's: a supervisor of district north, logged in
    with a token, counts only north's cases (people.py: a supervisor's caseload)."""
    store, _ = Store.init(db_target, engine)
    north, south = doc("N-1"), doc("S-1")
    north["district"], south["district"] = "north", "south"
    store.import_records(
        [Record("a.json", "1", north), Record("a.json", "2", south)],
        evaluate_as_of=date(2026, 3, 2),
    )
    store.add_staff("sam", "supervisor", district="north", force=True)
    store.add_staff("aldo", "auditor", force=True)
    app = create_app(engine, db=db_target)
    path = "/v1/indicators?year=2025-26&indicator=C7"
    assert get(app, path, store.issue_token("aldo"))[1]["cases"] == 2
    body = get(app, path, store.issue_token("sam"))[1]
    assert body["cases"] == 1 and body["indicators"][0]["denominator"] == 1
    store.close()


def test_tokens_made_before_expiry_existed_get_90_days_from_the_upgrade(caseload, db_target):
    """Revision 0009: a token of an older caseload had no expiry; after `db upgrade` it
    works 90 days more and then stops (none works for ever, none stops on upgrade day)."""
    from datetime import UTC, datetime, timedelta

    store, _, tokens = caseload
    store.conn.begin_write()
    store.conn.execute("UPDATE staff_tokens SET expires_at = NULL")
    store.conn.execute("UPDATE alembic_version SET version_num = '0008_due_order_index'")
    store.conn.commit()
    assert store.login_for_token(tokens["cora"]) is None  # no expiry: never valid
    again, applied = Store.init(db_target)
    again.close()
    assert applied == [
        "0009_token_expiry",
        "0010_late_clocks_stay_listed",
        "0011_cases_evaluation_index",
        "0012_stability_interval",
        "0013_clock_closed_on",
        "0014_listing_columns_on_clocks",
        "0015_listed_text_on_clocks",
        "0016_caseworker_name_key",
        "0017_late_excused_cases_overdue",
    ]
    expiries = {r["expires_at"] for r in store.tokens()}
    assert len(expiries) == 1
    left = datetime.fromisoformat(expiries.pop()) - datetime.now(UTC)
    assert timedelta(days=89) < left <= timedelta(days=90)
    assert store.login_for_token(tokens["cora"]) == "cora"
