"""`eirules serve`: a real server process on a free local port, spoken to over HTTP.

Every answer is compared with what the library gives in-process for the same
input: the HTTP API adds transport, never a different decision.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.convert import determination_to_dict, read_json
from eirules.core.engine import Engine
from eirules.core.errors import InputError, error_to_dict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ENGINE = Engine(entry_points=False)


def _eirules(*args: str, env: dict) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "eirules"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )


class Server:
    def __init__(self, *args: str, env: dict):
        script = Path(sys.executable).parent / "eirules"
        self.proc = subprocess.Popen(
            [str(script), "serve", "--port", "0", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.banner = self.proc.stderr.readline()
        if "listening on http://" not in self.banner:
            self.proc.kill()
            raise AssertionError(f"server did not start: {self.banner}{self.proc.stderr.read()}")
        self.url = self.banner.split("listening on ")[1].split()[0]

    def request(self, method: str, path: str, body: bytes | None = None):
        req = urllib.request.Request(self.url + path, data=body, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data) -> tuple[int, object]:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        return self.request("POST", path, body)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    env = {**os.environ, "EIRULES_USER": "tester", "EIRULES_DB": str(folder / "caseload.db")}
    _eirules("db", "init", env=env)
    files = [
        str(EXAMPLES / n)
        for n in (
            "pc-infant.json",
            "caseload/SYN-C-0001.json",
            "caseload/SYN-C-0003.json",
            "caseload/SYN-C-0004.json",
        )
    ]
    slashed = folder / "slashed.json"  # a case id with "/" in it, as an agency's may be
    slashed.write_text(
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "DIST-7/2026-0042",
                "child": {"birth_date": "2025-02-10", "name": "Wren Fictional"},
                "events": [{"type": "referral_received", "date": "2026-01-05"}],
            }
        )
    )
    _eirules("cases", "import", *files, str(slashed), env=env)
    _eirules("evaluate", "--all", "--as-of", "2026-03-02", env=env)
    return env


@pytest.fixture(scope="module")
def server(env):
    s = Server(env=env)  # $EIRULES_DB names the caseload
    yield s
    s.stop()


@pytest.fixture(scope="module")
def bare_server():
    env = {k: v for k, v in os.environ.items() if k != "EIRULES_DB"}
    s = Server(env=env)
    yield s
    s.stop()


def test_listens_on_127_0_0_1_by_default(bare_server):
    assert bare_server.url.startswith("http://127.0.0.1:")
    from eirules.cli.serve import _is_loopback

    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0")


def test_check_gives_the_libraries_determination(bare_server):
    """34 CFR 303.310: MO-0001 referred 2026-01-05, initial IFSP meeting due 2026-02-19."""
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post("/v1/check?as_of=2026-02-01", data)
    assert status == 200
    expected = determination_to_dict(
        ENGINE.evaluate(ENGINE.case_from_dict(data), None, "2026-02-01")
    )
    assert body == expected
    clock = next(c for c in body["clocks"] if c["id"] == "initial_ifsp_meeting")
    assert clock["due"] == "2026-02-19"


def test_check_with_ruleset_parameter_overrides_the_files(bare_server):
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post("/v1/check?as_of=2026-02-01&ruleset=us", data)
    assert status == 200 and body["ruleset"] == "us"


def test_invalid_case_is_422_with_the_clis_problems(bare_server):
    bad = {"id": "X-1", "child": {"birth_date": "2024-02-30"}, "events": [{"type": "referal"}]}
    status, body = bare_server.post("/v1/check", bad)
    assert status == 422
    with pytest.raises(InputError) as info:
        ENGINE.case_from_dict(bad, source="request body")
    assert body == error_to_dict(info.value)
    assert body["kind"] == "InputError"
    assert {p["where"] for p in body["problems"]} >= {"child.birth_date", "events[0].type"}


@pytest.mark.parametrize(
    "raw, where",
    [(b'{"id": ', "line 1, column 8"), (b"", "$"), (b"\xff\xfe", "byte 0")],
    ids=["truncated", "empty", "not-utf8"],
)
def test_body_that_is_not_json_is_400(bare_server, raw, where):
    status, body = bare_server.post("/v1/check", raw)
    assert status == 400
    assert body["kind"] == "InputError" and body["problems"][0]["where"] == where


@pytest.mark.parametrize(
    "query, where",
    [
        ("as_of=2026-13-01", "as_of"),
        ("as_of=yesterday", "as_of"),
        # The CLI's one date bound (1900-01-01 to 2199-12-31) holds over HTTP too.
        ("as_of=1899-12-31", "as_of"),
        ("as_of=2200-01-01", "as_of"),
        ("as_of=+2026-0101", "as_of"),
        # Before the dates the ruleset covers: bad input too (422), not a server fault (500).
        ("as_of=1990-01-01", "as_of"),
    ],
)
def test_bad_query_value_is_422(bare_server, query, where):
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post(f"/v1/check?{query}", data)
    assert status == 422 and body["problems"][0]["where"] == where


@pytest.mark.parametrize(
    "raw, what",
    [
        (
            "0001-01-01",
            '"0001-01-01" is out of range; expected a date from 1900-01-01 to 2199-12-31',
        ),
        ("2026-02-30", '"2026-02-30" is not a date (YYYY-MM-DD)'),
    ],
)
def test_a_bad_as_of_is_said_as_the_cli_says_it(bare_server, raw, what):
    """One sentence for a date past the bound and one for a non-date, over HTTP and in the
    CLI (core/dates.why_not_a_date): the API used to call 0001-01-01 "not a date"."""
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post(f"/v1/check?as_of={raw}", data)
    assert status == 422 and body["problems"][0]["what"] == what
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "mo-0001.json"), "--as-of", raw])
    assert result.exit_code == 2 and what.replace('"', "'") in result.output


def test_check_as_of_before_the_childs_birth_warns_in_the_json(bare_server):
    """MO-0001 is born 2024-11-02: as of 2024-01-01 the answer carries a warning finding."""
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post("/v1/check?as_of=2024-01-01", data)
    assert status == 200
    assert [(f["rule"], f["outcome"]) for f in body["findings"]][:1] == [
        ("as_of.before_birth", "warning")
    ]


def test_unknown_ruleset_is_404_with_a_suggestion(bare_server):
    data = read_json(EXAMPLES / "mo-0001.json")
    status, body = bare_server.post("/v1/check?ruleset=us-mx", data)
    assert status == 404
    assert body["error"] == 'no ruleset "us-mx"' and body["kind"] == "RulesetError"


def test_a_case_naming_an_unknown_ruleset_is_422_not_a_server_fault(bare_server):
    """The case file's "ruleset" is the client's input: 422 naming the field (it was 500,
    "a problem in the server's rulesets")."""
    data = {**read_json(EXAMPLES / "mo-0001.json"), "ruleset": "us-mx"}
    status, body = bare_server.post("/v1/check?as_of=2026-02-01", data)
    assert status == 422
    assert body["kind"] == "UnknownRuleset"
    assert body["error"] == 'no ruleset "us-mx" (case MO-0001 names it in its "ruleset")'
    assert body["problems"][0]["where"] == "ruleset"


def test_unknown_path_and_method_use_the_same_error_shape(bare_server):
    status, body = bare_server.get("/v1/nothing-here")
    assert status == 404 and set(body) == {"error", "kind", "problems"}
    status, body = bare_server.get("/v1/check")
    assert status == 405 and set(body) == {"error", "kind", "problems"}


def test_batch_answers_each_case_and_refuses_the_bad_one_alone(bare_server):
    good = [read_json(EXAMPLES / n) for n in ("pc-infant.json", "pb-transition-16.json")]
    bad = {"id": "BAD-1", "child": {}}
    status, body = bare_server.post("/v1/evaluate?as_of=2026-06-01", {"cases": [*good, bad]})
    assert status == 200
    assert (body["evaluated"], body["refused"]) == (2, 1)
    for i, doc in enumerate(good):
        det = ENGINE.evaluate(ENGINE.case_from_dict(doc), None, date(2026, 6, 1))
        assert body["results"][i] == {
            "index": i,
            "case": doc["id"],
            "determination": determination_to_dict(det),
            "error": None,
        }
    third = body["results"][2]
    assert third["case"] == "BAD-1" and third["determination"] is None
    assert third["error"]["problems"][0] == {
        "where": "child.birth_date",
        "what": "required but missing",
        "fix": "expected a date (YYYY-MM-DD)",
    }


def test_batch_that_is_not_a_batch_is_422(bare_server):
    status, body = bare_server.post("/v1/evaluate", [1, 2])
    assert status == 422 and body["problems"][0]["fix"] == 'expected {"cases": [case file, ...]}'


def test_rulesets_list_and_parameters_as_of_a_date(bare_server):
    status, rows = bare_server.get("/v1/rulesets")
    assert status == 200
    assert {r["id"] for r in rows} >= {"us", "us-mo", "us-tx"}
    status, body = bare_server.get("/v1/rulesets/us?as_of=2026-01-01&resolved=true")
    assert status == 200 and body["as_of"] == "2026-01-01"
    param = ENGINE.rulesets.get("us").param("part_c.initial_ifsp_meeting", date(2026, 1, 1))
    row = next(p for p in body["parameters"] if p["name"] == "part_c.initial_ifsp_meeting")
    assert row["citation"] == param.citation
    status, body = bare_server.get("/v1/rulesets/us-zz")
    assert status == 404


def test_caseload_endpoints_need_a_database(bare_server):
    for path in ("/v1/due", "/v1/overdue", "/v1/cases/X/history", "/v1/indicators?year=2025-26"):
        status, body = bare_server.get(path)
        assert status == 404 and body["kind"] == "StorageError", path
        assert body["problems"][0]["fix"] == "start it with eirules serve --db PATH"


def test_due_as_of_before_the_rulesets_dates_is_422_naming_them(server):
    """Issue 10: bad input, not a server fault; nothing is listed, nothing is evaluated."""
    for path in ("/v1/due", "/v1/overdue"):
        status, body = server.get(f"{path}?as_of=1990-01-01")
        assert status == 422, body
        assert body["kind"] == "DateNotCovered" and body["problems"][0]["where"] == "as_of"
        assert "has values from 2000-01-01" in body["problems"][0]["what"]


def test_due_and_overdue_are_the_stores_open_clocks(server, env):
    from eirules.core.store import Store

    store = Store.open(env["EIRULES_DB"], None)
    try:
        expected_due = list(store.due(as_of=date(2026, 3, 2), within_days=31).rows)
        expected_overdue = list(store.due(as_of=date(2026, 3, 2), overdue_only=True).rows)
    finally:
        store.close()
    status, body = server.get("/v1/due?as_of=2026-03-02&within=31")
    assert status == 200 and body == {"as_of": "2026-03-02", "clocks": expected_due}
    # SYN-C-0001's initial IFSP meeting was due 2026-02-08 (303.310): overdue on 2026-03-02.
    assert {(r["case_id"], r["clock"], r["due"]) for r in expected_overdue} >= {
        ("SYN-C-0001", "initial_ifsp_meeting", "2026-02-08")
    }
    assert ("SYN-C-0003", "initial_ifsp_meeting", "2026-04-02") in {
        (r["case_id"], r["clock"], r["due"]) for r in expected_due
    }
    status, body = server.get("/v1/overdue?as_of=2026-03-02")
    assert status == 200 and body["clocks"] == expected_overdue
    status, body = server.get("/v1/due?within=-3")
    assert status == 422 and body["problems"][0]["where"] == "within"


def test_due_within_reads_periods_as_the_cli_does(server, env):
    """`within` takes 7d, 2w, 30 and all, as `eirules due --within` does (one parser)."""
    from eirules.core.store import Store

    store = Store.open(env["EIRULES_DB"], None)
    try:
        on = date(2026, 3, 2)
        week = list(store.due(as_of=on, within_days=7).rows)
        fortnight = list(store.due(as_of=on, within_days=14).rows)
        everything = list(store.due(as_of=on, within_days=None).rows)
    finally:
        store.close()
    assert len(week) < len(everything)  # the period matters for this caseload
    for query, expected in (("7d", week), ("7", week), ("2w", fortnight), ("all", everything)):
        status, body = server.get(f"/v1/due?as_of=2026-03-02&within={query}")
        assert (status, body["clocks"]) == (200, expected), query
    status, body = server.get("/v1/due?within=soon")
    assert status == 422
    assert body["problems"] == [
        {
            "where": "within",
            "what": "'soon' is not a period (examples: 14d, 2w, 30, all)",
            "fix": "give days (30 or 14d), weeks (2w) or all",
        }
    ]


@pytest.mark.parametrize(
    "query, name",
    [
        ("/v1/due?as_of=2026-03-02&as_of=2026-04-01", "as_of"),
        ("/v1/due?purpose=audit&purpose=review", "purpose"),
        ("/v1/rulesets?as_of=2026-03-02&as_of=2026-03-02", "as_of"),
    ],
)
def test_a_query_parameter_given_twice_is_422_not_the_last_value(server, query, name):
    """Two as_of (or purpose) values: the answer would be for one the client may not mean."""
    status, body = server.get(query)
    assert status == 422, body
    assert body["problems"] == [
        {"where": name, "what": "given 2 times", "fix": f"give {name} once"}
    ]


def test_indicator_may_be_given_more_than_once(server):
    status, body = server.get("/v1/indicators?year=2025-26&indicator=C7&indicator=B11")
    assert status == 200 and [i["indicator"] for i in body["indicators"]] == ["C7", "B11"]


def test_http_problems_name_query_parameters_not_cli_options(server):
    """The shared checks say --caseworker and --year in the CLI; over HTTP, caseworker and year."""
    status, body = server.get("/v1/due?caseworker=Nobody%20Fictional")
    assert status in (404, 422) and body["problems"][0]["where"] == "caseworker"
    status, body = server.get("/v1/indicators?year=2025")
    assert status == 422
    assert body["problems"][0]["where"] == "year"
    assert body["problems"][0]["fix"] in ("e.g. year 2025-26", "e.g. year=2025-26")
    assert "--" not in json.dumps(body)


def test_indicators_endpoint_gives_the_librarys_numbers(server, env):
    """GET /v1/indicators is `eirules.indicators(...)` over the same caseload (issue 13, 16)."""
    import eirules

    expected = eirules.indicators(env["EIRULES_DB"], year="2025-26", codes=["C7", "B11"])
    status, body = server.get("/v1/indicators?year=2025-26&indicator=C7&indicator=b11")
    assert status == 200
    assert body == json.loads(json.dumps(expected.as_dict()))
    assert [i["indicator"] for i in body["indicators"]] == ["C7", "B11"]
    status, body = server.get("/v1/indicators?year=2025-26&indicator=C9")
    assert status == 422 and body["problems"][0]["where"] == "indicator"
    status, body = server.get("/v1/indicators?from=2025-07-01&to=2026-13-01")
    assert status == 422 and body["problems"][0]["where"] == "to"
    # The query's own words, not the CLI's options.
    status, body = server.get("/v1/indicators")
    assert status == 422
    assert body["problems"] == [
        {
            "where": "year",
            "what": "missing",
            "fix": "give year 2025-26 (July 1 to June 30), or from and to",
        }
    ]
    status, body = server.get("/v1/indicators?from=2026-07-01&to=2025-07-01")
    assert body["problems"][0] == {"where": "to", "what": "before from", "fix": "swap the dates"}


def test_case_history_lists_determinations_and_audit(server):
    case_id = read_json(EXAMPLES / "pc-infant.json")["id"]
    status, body = server.get(f"/v1/cases/{case_id}/history")
    assert status == 200
    # The import's own evaluation (as of the day it ran), then the run as of 2026-03-02.
    assert [d["as_of"] for d in body["determinations"]][-1] == "2026-03-02"
    assert any(a["action"] == "case.import" or "import" in a["action"] for a in body["audit"])
    # A "/" in the id, as %2F or as it is: the id is the whole path between cases/ and /history.
    for path in ("DIST-7%2F2026-0042", "DIST-7/2026-0042"):
        status, body = server.get(f"/v1/cases/{path}/history")
        assert status == 200, body
        assert body["id"] == "DIST-7/2026-0042" and body["determinations"]
    status, body = server.get("/v1/cases/NO-SUCH-CASE/history")
    assert status == 404 and body["error"] == 'no case "NO-SUCH-CASE" in the caseload'


def test_openapi_31_is_valid_and_describes_what_the_server_sends(bare_server):
    """A non-Python client needs only this document: its schemas accept the real answers."""
    from openapi_spec_validator import validate

    status, doc = bare_server.get("/v1/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    validate(doc)

    def validator(name: str):
        # "#/components/schemas/..." refs resolve against a root that holds the components.
        root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        return jsonschema.Draft202012Validator(root)

    case = read_json(EXAMPLES / "mo-0001.json")
    assert validator("CaseFile").is_valid(case)
    _, det = bare_server.post("/v1/check?as_of=2026-02-01", case)
    assert validator("Determination").is_valid(det)
    _, err = bare_server.post("/v1/check", {"id": 1})
    assert validator("Error").is_valid(err)
    assert not validator("CaseFile").is_valid({"id": 1})
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert operations >= {
        "check",
        "evaluateBatch",
        "listRulesets",
        "showRuleset",
        "due",
        "overdue",
        "caseHistory",
        "indicators",
    }


def test_schemas_endpoint_gives_the_generated_schemas(bare_server):
    from eirules.core.schemas import json_schema

    for kind in ("case", "determination"):
        status, body = bare_server.get(f"/v1/schemas/{kind}")
        assert status == 200 and body == json_schema(kind, ENGINE)
    status, _ = bare_server.get("/v1/schemas/other")
    assert status == 404


@pytest.mark.parametrize(
    "purpose, what",
    [
        ("ok%1B%5B2J", "contains the control or bidi character U+001B"),
        ("review%E2%80%AEweiver", "contains the control or bidi character U+202E"),
        ("x" * 4001, "is 4,001 characters long"),
    ],
)
def test_a_purpose_the_cli_would_refuse_is_422_and_not_recorded(server, env, purpose, what):
    """The record of access (34 CFR 300.614, 303.405) holds what `--purpose` may hold:
    over HTTP too, a control or bidi character or an over-long purpose is refused."""
    import sqlite3

    def reads():
        with sqlite3.connect(env["EIRULES_DB"]) as conn:
            return conn.execute("SELECT count(*) FROM access_log").fetchone()[0]

    before = reads()
    for path in ("/v1/due", "/v1/cases/SYN-C-0001/history"):
        status, body = server.get(f"{path}?purpose={purpose}")
        assert status == 422, body
        assert body["problems"][0]["where"] == "purpose"
        assert body["problems"][0]["what"].startswith(what)
    assert reads() == before
    status, _ = server.get("/v1/due?purpose=annual%20review")
    assert status == 200 and reads() > before
