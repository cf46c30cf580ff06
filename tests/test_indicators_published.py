"""What the indicator report publishes (QA pass 17): units left out for lack of data are
named, small-number suppression reaches every format and the HTTP API, the advice for
early determinations names the day after the period, and unit names cannot pass for
"no unit recorded" or the total. All children are fictional."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import caseload_cli, write_cases
from test_caseworker_names import _http_get

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "indicators"
YEAR = ("--year", "2025-26")


def _example(name: str, **changes) -> dict:
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    return {**doc, **changes}


# B11 without a school calendar (34 CFR 300.301(c)(1), 300.11(c)) ---------------------------


@pytest.fixture
def school_days(tmp_path, monkeypatch):
    """B11-1 (consent 2025-09-01, evaluated 2025-10-01) under us-il and us-pa, whose
    timelines count school days: with no school calendar neither can be dated."""
    docs = [
        _example("B11-1", id="R1-IL", ruleset="us-il",
                 child={"birth_date": "2018-04-01", "name": "Amara Okonkwo"}),
        _example("B11-1", id="R1-PA", ruleset="us-pa",
                 child={"birth_date": "2017-01-15", "name": "Bea Lindqvist"}),
    ]  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke("evaluate", "--all", "--as-of", "2026-07-01")
    return invoke


def test_b11_names_the_evaluations_it_cannot_date_in_every_format(school_days):
    b11 = (*YEAR, "--indicator", "B11")
    table = school_days("indicators", *b11, "--children").output
    assert "  not measurable, not counted (2):\n" in table
    assert "  - R1-IL Amara Okonkwo: initial_evaluation start 2025-09-01 done 2025-10-01 " in table
    assert "  - R1-PA Bea Lindqvist: " in table
    rows = list(csv.DictReader(io.StringIO(
        school_days("indicators", *b11, "--children", "--format", "csv").output
    )))  # fmt: skip
    assert [(r["case_id"], r["status"], r["done"], r["category"]) for r in rows] == [
        ("R1-IL", "needs_information", "2025-10-01",
         "not measurable: the due date cannot be computed (needs information)"),
        ("R1-PA", "needs_information", "2025-10-01",
         "not measurable: the due date cannot be computed (needs information)"),
    ]  # fmt: skip
    report = json.loads(school_days("indicators", *b11, "--children", "--format", "json").output)
    b11_json = report["indicators"][0]
    assert (b11_json["denominator"], b11_json["children"]) == (0, [])
    assert [c["case_id"] for c in b11_json["not_measurable"]] == ["R1-IL", "R1-PA"]
    html = school_days("indicators", *b11, "--format", "html").output
    assert "<h3>Not measurable, not counted (2)</h3>" in html
    assert "<td>R1-IL</td><td>Amara Okonkwo</td>" in html


def test_check_lists_each_b11_evaluation_it_cannot_date_with_the_calendar_to_import(
    school_days,
):
    found = json.loads(
        school_days("indicators", *YEAR, "--check", "--format", "json", code=1).output
    )
    assert [(p["case_id"], p["kind"]) for p in found] == [
        ("R1-IL", "not_measurable"),
        ("R1-PA", "not_measurable"),
    ]
    assert found[0]["what"].startswith(
        "B11: Initial evaluation started 2025-09-01 is not counted: done on 2025-10-01; "
        "whether on time is unknown: cannot compute the due date: a school calendar"
    )
    assert found[0]["fix"] == (
        "import district Riverbend USD's school calendar: eirules calendars import FILE "
        "--district 'Riverbend USD', then eirules evaluate --all"
    )
    # Done, nothing is owed: `due` lists the clock only while the evaluation is not done.
    assert "Nothing open" in school_days("due", "--as-of", "2026-07-01").output


def test_check_says_done_not_met_for_an_evaluation_it_cannot_date(tmp_path):
    """us-il, no school calendar: the evaluation was done, whether within the 60 school days
    (23 Ill. Adm. Code 226.110) is unknown, so `check` must not call it met."""
    from click.testing import CliRunner

    from eirules.cli import cli

    case = tmp_path / "il.json"
    case.write_text(json.dumps(_example("B11-1", id="IL-9", ruleset="us-il")))
    out = " ".join(
        CliRunner().invoke(cli, ["check", str(case), "--as-of", "2026-07-01"]).output.split()
    )
    assert "cannot compute Initial evaluation (part_b): done 2025-10-01 [" in out
    assert "met 2025-10-01" not in out


# Small-number suppression -------------------------------------------------------------------

SUPPRESSING = """
[ruleset]
id = "xs-small"
title = "Suppressing test state (fictional)"
jurisdiction = "US-XS"
extends = "us"
version = "test"

[[parameters.indicators.suppress_below.values]]
effective = 2011-10-28
value = 10
citation = "Suppressing test state rule (fictional)"
"""


@pytest.fixture
def suppressing(tmp_path, monkeypatch):
    """The seven C7 examples (5 of 7 timely, 2 late: 4 and 258 days) under a ruleset that
    suppresses counts under 10."""
    (tmp_path / "rulesets" / "xs-small").mkdir(parents=True)
    (tmp_path / "rulesets" / "xs-small" / "ruleset.toml").write_text(SUPPRESSING)
    docs = [
        {**json.loads(f.read_text()), "ruleset": "xs-small"}
        for f in sorted(EXAMPLES.glob("C7-*.json"))
    ]
    invoke = caseload_cli(tmp_path, monkeypatch)
    more = ("--rulesets-dir", tmp_path / "rulesets")
    invoke(*more, "cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke(*more, "evaluate", "--all", "--as-of", "2026-07-01")
    return lambda *args, **kw: invoke(*more, *args, **kw)


def test_c7_json_summary_is_suppressed_as_the_table_is(suppressing):
    report = json.loads(
        suppressing("indicators", *YEAR, "--indicator", "C7", "--format", "json").output
    )
    c7 = report["indicators"][0]
    assert report["suppressed"] is True
    assert (c7["numerator"], c7["denominator"], c7["percent"], c7["late"]) == (
        "<10", "<10", "(<10)", "<10"
    )  # fmt: skip
    assert c7["days_late"] == {"min": "(<10)", "max": "(<10)"}  # not each child's 4 and 258
    assert set(c7["late_reasons"].values()) == {"<10"}
    assert c7["by_month"]["2025-10"] == {
        "numerator": "<10", "denominator": "<10", "percent": "(<10)", "late": "<10"
    }  # fmt: skip
    assert list(c7["by_month"]) == ["2025-10"]
    table = suppressing("indicators", *YEAR, "--indicator", "C7").output
    assert "C7    <10     <10     (<10)    100%    <10   (<10)" in table


def test_c7_from_the_http_api_is_suppressed_like_the_cli(suppressing, tmp_path):
    from eirules.core.engine import Engine
    from eirules.http_api import create_app

    engine = Engine(ruleset_dirs=[tmp_path / "rulesets"])
    app = create_app(engine, db=tmp_path / "caseload.db")
    status, body = _http_get(app, "/v1/indicators?year=2025-26&indicator=C7")
    assert status == 200, body
    c7 = body["indicators"][0]
    assert (c7["numerator"], c7["denominator"], c7["percent"]) == ("<10", "<10", "(<10)")
    cli = json.loads(
        suppressing("indicators", *YEAR, "--indicator", "C7", "--format", "json").output
    )
    assert body["indicators"] == cli["indicators"]


def test_c7_html_chart_and_cells_show_no_suppressed_count(suppressing):
    html = suppressing("indicators", *YEAR, "--indicator", "C7", "--format", "html").output
    summary = html[: html.index("<h3>Late")]  # the drill-down below is not suppressed
    assert "5/7" not in summary and "2/2" not in summary and "71.4" not in summary
    assert "<td><10</td>" not in html and "<td>&lt;10</td>" in html
    assert "(4 to 258 days)" not in html
    assert "<rect" not in summary  # a bar's height would give the percent away
    assert ">25-10: &lt;10/&lt;10</title>" in summary.replace("<title>", ">")


# Determinations as of the period's last day (20 U.S.C. 1416(a)(3)(B)) ------------------------


def test_a_c7_clock_due_on_june_30_is_warned_about_until_evaluated_as_of_july_1(
    tmp_path, monkeypatch
):
    """Referral 2026-05-16: the 45-day timeline (34 CFR 303.310(a)) is due 2026-06-30. As
    of that day it is "due today", so C7 leaves it out; as of 2026-07-01 it is late."""
    doc = {"schema": "eirules/case@1", "id": "R3", "ruleset": "us",
           "child": {"birth_date": "2025-01-10", "name": "Edge Child"},
           "events": [{"type": "referral_received", "date": "2026-05-16", "program": "part_c"}]}  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", doc))
    invoke("evaluate", "--all", "--force", "--as-of", "2026-06-30")
    table = invoke("indicators", *YEAR, "--indicator", "C7").output
    assert (
        "Warning: 1 case of 1 counted from determinations evaluated before 2026-07-01"
        in " ".join(table.split())
    )
    found = json.loads(invoke("indicators", *YEAR, "--check", "--format", "json", code=1).output)
    assert [(p["kind"], p["fix"]) for p in found] == [
        ("evaluated_before_period_end", "run: eirules evaluate --all --as-of 2026-07-01")
    ]
    invoke("evaluate", "--all", "--force", "--as-of", "2026-07-01")
    c7 = json.loads(invoke("indicators", *YEAR, "--indicator", "C7", "--format", "json").output)[
        "indicators"
    ][0]
    assert (c7["numerator"], c7["denominator"], c7["late"]) == (0, 1, 1)
    assert "1 day late" in invoke("indicators", *YEAR, "--indicator", "C7", "--children").output


# Unit names that look like our labels -------------------------------------------------------


def test_c7_by_county_keeps_a_county_named_none_or_all_apart(tmp_path, monkeypatch):
    """Counties "all", "(none)" and "Boone", and a case with no county: four units, each
    0/1 (45-day timeline due 2025-10-16, no IFSP meeting), and the total 0/4."""
    docs = [
        {"schema": "eirules/case@1", "id": f"K{i}", "ruleset": "us",
         "child": {"birth_date": "2025-01-10", "name": f"Kid {i}"},
         "events": [{"type": "referral_received", "date": "2025-09-01", "program": "part_c"}],
         **({"county": county} if county else {})}
        for i, county in enumerate(["all", "(none)", None, "Boone"])
    ]  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke("evaluate", "--all", "--as-of", "2026-07-01")
    by = (*YEAR, "--indicator", "C7", "--by", "county")
    rows = list(csv.reader(io.StringIO(invoke("indicators", *by, "--format", "csv").output)))
    assert [(r[2], r[3], r[4], r[8]) for r in rows] == [
        ("unit", "numerator", "denominator", "level"),
        ("", "0", "4", "total"),
        ("(none)", "0", "1", "county"),
        ("Boone", "0", "1", "county"),
        ("all", "0", "1", "county"),
        ("", "0", "1", "county"),
    ]
    report = json.loads(invoke("indicators", *by, "--format", "json").output)
    assert [(u["unit"], u["denominator"]) for u in report["indicators"][0]["by_unit"]] == [
        ("(none)", 1), ("Boone", 1), ("all", 1), (None, 1)
    ]  # fmt: skip
    table = invoke("indicators", *by).output
    assert "  county (none): 0/1 0.0%\n" in table
    assert "  no county recorded: 0/1 0.0%\n" in table
