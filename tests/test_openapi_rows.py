"""The OpenAPI description of `/v1/due` and `/v1/overdue` accepts every row a caseload lists.

A client generated from the document (docs/http-api.md) must not fail on a real answer:
clocks due "as soon as possible" and referrals have no due date or days left, a clock the
ruleset cannot date has none either, and a case whose evaluation failed has no program.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import caseload_cli, write_case_file

from eirules import __version__
from eirules.core.engine import Engine
from eirules.openapi import openapi_document

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture
def listed(tmp_path, monkeypatch):
    run = caseload_cli(tmp_path, monkeypatch)
    run("cases", "import", EXAMPLES / "caseload")
    # A case naming a ruleset that is not installed: its failed evaluation is a row.
    broken = write_case_file(tmp_path / "broken.json", "OPENAPI-ROW-1", ruleset="us-zz")
    run("cases", "import", broken)
    # Exit status 1: a case's evaluation failed (cli/due.py); the rows are still listed.
    out = run("due", "--within", "all", "--as-of", "2026-03-02", "--format", "json", code=1)
    return json.loads(out.stdout)


def open_clock_validator() -> jsonschema.Draft202012Validator:
    doc = openapi_document(Engine(entry_points=False), __version__)
    root = {"$ref": "#/components/schemas/OpenClock", "components": doc["components"]}
    return jsonschema.Draft202012Validator(root)


def test_every_kind_of_due_row_is_valid_against_the_openclock_schema(listed):
    kinds = {(r["kind"], r["due"] is None, r["program"] is None) for r in listed}
    # The caseload has each kind the schema must allow: undated rows and a program-less one.
    assert any(undated for _, undated, _ in kinds)
    assert any(no_program for _, _, no_program in kinds)
    check = open_clock_validator()
    wrong = [(r["case_id"], r["clock"], e.message) for r in listed for e in check.iter_errors(r)]
    assert wrong == []


def test_the_schema_still_refuses_a_row_without_its_case_or_clock():
    check = open_clock_validator()
    row = {"kind": "clock", "due": None, "case_id": "X", "program": None, "clock": "c"}
    row["status"] = "needs_information"
    assert check.is_valid({**row, "citation": "34 CFR 303.310"})
    assert not check.is_valid({k: v for k, v in row.items() if k != "case_id"})
    assert not check.is_valid({**row, "citation": "x", "days_left": "soon"})
