"""`cases list` names the ruleset a case is evaluated under, as `cases show` does (QA).

A case file with no "ruleset" is evaluated under the default, `us` (core/rulesets/
registry.DEFAULT_RULESET); `cases show` said `us`, while `cases list --format csv`
left the column empty, so a program reading the CSV could not tell.
"""

from __future__ import annotations

import csv
import io
import json

from helpers import caseload_cli


def test_a_case_without_a_ruleset_is_listed_under_the_default_everywhere(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    for cid, extra in (("NR-1", {}), ("MO-1", {"ruleset": "us-mo"})):
        doc = {
            "id": cid,
            "child": {"birth_date": "2025-06-01"},
            "events": [{"type": "referral_received", "date": "2026-01-09"}],
            **extra,
        }
        (tmp_path / f"{cid}.json").write_text(json.dumps(doc))
        invoke("cases", "import", tmp_path / f"{cid}.json")
    rows = list(csv.DictReader(io.StringIO(invoke("cases", "list", "--format", "csv").output)))
    assert {r["case_id"]: r["ruleset"] for r in rows} == {"MO-1": "us-mo", "NR-1": "us"}
    listed = json.loads(invoke("cases", "list", "--format", "json").output)
    assert {r["case_id"]: r["ruleset"] for r in listed} == {"MO-1": "us-mo", "NR-1": "us"}
    assert "ruleset: us " in invoke("cases", "show", "NR-1").output
