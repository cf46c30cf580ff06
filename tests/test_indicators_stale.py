"""`indicators` over determinations evaluated before the reporting period ended: the
report says so and `--check` lists each case with the fix (docs/indicators.md).

A determination as of 2026-03-02 knows nothing of the 45-day timelines (34 CFR
303.310(a)) falling due or going late from then to 2026-06-30, so a 2025-26 report from
it misstates the year (20 U.S.C. 1416(a)(3)(B) asks for the whole period).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import caseload_cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "indicators"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", EXAMPLES)
    return invoke


def test_a_report_from_early_determinations_says_so(cli):
    cli("evaluate", "--all", "--as-of", "2026-03-02")
    cases = len(list(EXAMPLES.glob("*.json")))
    table = cli("indicators", "--year", "2025-26").output
    assert (
        f"Warning: {cases} cases of {cases} counted from determinations evaluated before "
        "2026-07-01" in " ".join(table.split())
    )
    report = json.loads(cli("indicators", "--year", "2025-26", "--format", "json").output)
    assert report["evaluated_before_period_end"] == cases
    html = cli("indicators", "--year", "2025-26", "--format", "html").output
    assert "eirules evaluate --all --as-of 2026-07-01" in html

    problems = json.loads(
        cli("indicators", "--check", "--year", "2025-26", "--format", "json", code=1).output
    )
    early = [p for p in problems if p["kind"] == "evaluated_before_period_end"]
    assert len(early) == cases
    assert early[0]["what"].startswith(
        "evaluated as of 2026-03-02, before 2026-07-01 (the day after the reporting period ended)"
    )
    assert early[0]["fix"] == "run: eirules evaluate --all --as-of 2026-07-01"
    # Without a period: the latest reporting year ended (2025-26 from 2026-07-01 on).
    assert "evaluated_before_period_end" in cli("indicators", "--check", code=1).output


def test_evaluated_after_the_period_ends_no_warning(cli):
    cli("evaluate", "--all", "--as-of", "2026-07-01")
    assert "Warning" not in cli("indicators", "--year", "2025-26").output
    report = json.loads(cli("indicators", "--year", "2025-26", "--format", "json").output)
    assert report["evaluated_before_period_end"] == 0
    found = json.loads(
        cli("indicators", "--check", "--year", "2025-26", "--format", "json", code=1).output
    )
    assert [p["kind"] for p in found] == ["not_measurable"]  # B12-5, no school calendar
