"""`eirules serve` answers only its own addresses, localhost and allowed names: a web page
that points its own domain at 127.0.0.1 (DNS rebinding) cannot read the caseload."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.http_hosts import allowed_names, host_name, is_allowed

ROOT = Path(__file__).resolve().parent.parent


def test_host_name_drops_port_case_and_final_dot():
    assert host_name("Example.ORG.:8000") == "example.org"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("[::1]") == "::1"
    assert host_name("127.0.0.1:80") == "127.0.0.1"
    assert host_name("localhost") == "localhost"


def test_addresses_and_localhost_are_answered_other_names_are_not():
    none = frozenset()
    for header in ("127.0.0.1:8000", "[::1]:8000", "10.1.2.3", "localhost:8000", "LOCALHOST"):
        assert is_allowed(header, none), header
    for header in ("evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", ""):
        assert not is_allowed(header, none), header
    assert is_allowed(None, none)  # HTTP/1.0 without Host: never a browser page
    assert is_allowed("EIRULES.agency.example:443", allowed_names(["eirules.agency.example"]))


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){1,3}", fullmatch=True))
def test_any_dns_name_is_refused_unless_allowed(name):
    if name != "localhost":
        assert not is_allowed(f"{name}:8000", frozenset())
    assert is_allowed(f"{name.upper()}:8000", allowed_names([name]))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hosts")
    env = {**os.environ, "EIRULES_USER": "tester", "EIRULES_DB": str(folder / "caseload.db")}
    script = str(Path(sys.executable).parent / "eirules")
    subprocess.run([script, "db", "init"], env=env, check=True, capture_output=True, cwd=ROOT)
    proc = subprocess.Popen(
        [script, "serve", "--port", "0", "--allowed-host", "eirules.agency.example"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    banner = proc.stderr.readline()
    if "listening on http://" not in banner:
        proc.kill()
        raise AssertionError(banner + proc.stderr.read())
    port = int(banner.split("listening on http://")[1].split()[0].rsplit(":", 1)[1])
    yield port
    proc.terminate()
    proc.wait(timeout=20)
    proc.stderr.close()


def _raw(port: int, path: str, host: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host)
    conn.endheaders()
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, raw


def _get(port: int, path: str, host: str) -> tuple[int, dict]:
    status, raw = _raw(port, path, host)
    return status, json.loads(raw)


def test_a_rebinding_page_gets_421_and_no_caseload(served):
    status, body = _get(served, "/v1/due", f"evil.example:{served}")
    assert status == 421
    assert body["kind"] == "HttpError"
    assert '"evil.example:' in body["error"]
    assert body["problems"][0]["where"] == "Host"
    assert "--allowed-host evil.example" in body["problems"][0]["fix"]
    assert "due" not in body and "items" not in body


def test_the_servers_own_address_localhost_and_allowed_names_are_answered(served):
    for host in (f"127.0.0.1:{served}", f"localhost:{served}", "eirules.agency.example"):
        status, body = _get(served, "/v1/health", host)
        assert status == 200 and body["status"] == "ok", host


def test_a_hostile_host_header_is_not_echoed_raw(served):
    status, raw = _raw(served, "/v1/health", 'evil"<b>\xe9.example')
    assert status == 421
    assert raw.isascii()  # JSON with ASCII escapes (served as application/json)
    body = json.loads(raw)
    assert "--allowed-host NAME" in body["problems"][0]["fix"]
    # A control character never reaches the check: the HTTP parser refuses the request.
    status, raw = _raw(served, "/v1/health", "evil\x1b[31m.example")
    assert 400 <= status < 500 and b"\x1b" not in raw
