"""`eirules indicators` over a stored caseload: figures derived by hand, drill-down, formats.

The caseload below is fictional and small enough to count on paper; each test says
how its numbers come out. Everything is evaluated as of 2026-07-01, after the
2025-26 reporting year (July 1, 2025 to June 30, 2026) closed.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from helpers import caseload_cli, write_cases
from hypothesis import given
from hypothesis import strategies as st

from eirules import indicators

AS_OF = "2026-07-01"
PC = {"program": "part_c"}
PB = {"program": "part_b"}
COMPLETE = {
    "postsecondary_goals": True,
    "goals_updated_annually": True,
    "transition_assessment": True,
    "transition_services": True,
    "courses_of_study": True,
    "annual_goals_related": True,
    "student_invited": True,
    "agency_invited": "invited",
}


#: The fictional children of examples/indicators/: distinct names, so `--check` finds no
#: probable duplicate among them.
NAMES = {
    "B11-1": "Amara Okonkwo",
    "C1-1": "Vesna Halloran",
    "C1-2": "Yusuf Brightwater",
    "B11-2": "Bastian Lindqvist",
    "B11-3": "Citlali Moreno",
    "B11-4": "Dmitri Haverford",
    "B11-5": "Esperanza Quill",
    "B12-1": "Farouk Brennan",
    "B12-2": "Greta Nakamura",
    "B12-3": "Hollis Adeyemi",
    "B12-4": "Ilse Carrington",
    "B12-5": "Jovan Petrakis",
    "B13-1": "Kalani Whitfield",
    "B13-2": "Lorcan Dubois",
    "B13-3": "Marisol Yilmaz",
    "C7-1": "Niamh Castellano",
    "C7-2": "Oren Bjornsen",
    "C7-3": "Priya Tallowmere",
    "C7-4": "Quentin Ashby",
    "C7-5": "Rosalind Mbeki",
    "C7-6": "Soren Valdivia",
    "C7-7": "Tamsin Ogilvie",
    "C8-1": "Umberto Fenwick",
    "C8-2": "Wren Kasprzak",
}


def _doc(cid, birth, events, ruleset="us", **extra):
    return {
        "id": cid,
        "ruleset": ruleset,
        "child": {"birth_date": birth, "name": NAMES.get(cid, f"Child {cid}")},
        "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
        **extra,
    }


def c1(cid, started):
    # us-il times C1: a service starts within 30 days of consent (part_c.service_start).
    # The initial IFSP meeting is before the year, so C7 does not count these children.
    service = {**PC, "service": "speech therapy"}
    events = [
        ("referral_received", "2025-04-01", PC),
        ("ifsp_meeting_held", "2025-05-01", PC),
        ("consent_for_services", "2025-09-01", service),  # due 2025-10-01
        ("service_started", started, service),
    ]
    return _doc(cid, "2024-10-01", events, ruleset="us-il")


def c7(cid, meeting=None, family=False, county="Boone"):
    events = [("referral_received", "2025-09-01", PC)]  # 45 days: due 2025-10-16
    if family:
        events.append(
            ("delay", "2025-09-20", {**PC, "reason": "exceptional_family_circumstances", "until": "2025-10-30"})
        )  # fmt: skip
    if meeting:
        events.append(("ifsp_meeting_held", meeting, PC))
    return _doc(cid, "2025-01-10", events, county=county, provider="Tri-County EI")


def b11(cid, completed=None, exception=False):
    events = [("consent_for_evaluation", "2025-09-01", PB)]  # 60 days: due 2025-10-31
    if exception:
        events.append(("delay", "2025-10-01", {**PB, "reason": "parent_failed_to_produce_child"}))
    if completed:
        events.append(("evaluation_completed", completed, PB))
    return _doc(cid, "2018-04-01", events, district="Riverbend USD")


def b12(cid, *events):
    # Third birthday 2026-03-01.
    return _doc(cid, "2023-03-01", [("referral_from_part_c", "2025-11-01", PB), *events])


def toddler(cid, plan):
    # Third birthday 2026-03-01; the plan is due by 2025-12-01 (90 days before).
    events = [("referral_received", "2024-06-01", PC), ("ifsp_meeting_held", "2024-07-01", PC)]
    if plan:
        events.append(("transition_plan_completed", plan, PC))
    events.append(("exited", "2026-03-01", {**PC, "reason": "part_b_eligible"}))
    return _doc(cid, "2023-03-01", events)


def youth(cid, review):
    return _doc(
        cid, "2009-06-01",
        [("iep_meeting_held", "2024-10-12", PB), ("iep_review_held", "2025-10-10", PB)],
        service_plans=[{"kind": "iep", "meetings": ["2025-10-10"],
                        "transition": [{"date": "2025-10-10", **review}]}],
    )  # fmt: skip


CASELOAD = [
    # C7: 4 on time, 2 late, 1 late for documented family circumstances (counted timely
    # under the baseline's "include"): 5 / 7 = 71.4%.
    c7("C7-1", "2025-10-01"),
    c7("C7-2", "2025-10-10"),
    c7("C7-3", "2025-10-16"),
    c7("C7-4", "2025-09-30", county="Audrain"),
    c7("C7-5", "2025-10-20", county="Audrain"),  # 4 days late
    c7("C7-6", None),  # never held: late to 2026-07-01
    c7("C7-7", "2025-11-05", family=True),
    # B11: 3 on time, 1 late, 1 300.301(d) exception (in neither a nor b): 3 / 4 = 75.0%.
    b11("B11-1", "2025-10-01"),
    b11("B11-2", "2025-10-31"),
    b11("B11-3", "2025-10-15"),
    b11("B11-4", "2025-11-12"),  # 12 days late
    b11("B11-5", "2025-11-20", exception=True),
    # B12: c = 2, b = 1, late = 1: a = 4, 2 / (4 - 1) = 66.7%. An IEP is "developed and
    # implemented" (300.124(b)) when its services start. B12-5's IEP was developed by the
    # birthday but its services started after it: on time only for a summer birthday
    # (300.101(b)(2)), which no school calendar says here: not measurable, not in a.
    b12(
        "B12-1", ("iep_meeting_held", "2026-02-10", PB), ("iep_services_started", "2026-02-24", PB)
    ),
    b12(
        "B12-2", ("iep_meeting_held", "2026-03-01", PB), ("iep_services_started", "2026-03-01", PB)
    ),
    b12("B12-3", ("eligibility_determined", "2026-01-20", {**PB, "outcome": "not_eligible"})),
    b12(
        "B12-4", ("iep_meeting_held", "2026-03-15", PB), ("iep_services_started", "2026-03-15", PB)
    ),  # 14 days late
    b12(
        "B12-5", ("iep_meeting_held", "2026-02-20", PB), ("iep_services_started", "2026-03-09", PB)
    ),
    # C8A: one plan on time, one late: 1 / 2 = 50.0%.
    toddler("C8-1", "2025-11-01"),
    toddler("C8-2", "2025-12-20"),  # 19 days late
    # B13: 2 complete, 1 without courses of study: 2 / 3 = 66.7%.
    youth("B13-1", COMPLETE),
    youth("B13-2", {**COMPLETE, "agency_invited": "not_appropriate"}),
    youth("B13-3", {**COMPLETE, "courses_of_study": False}),
    # C1 (us-il, 30 days from consent): one started on time, one 14 days late: 1 / 2.
    c1("C1-1", "2025-09-20"),
    c1("C1-2", "2025-10-15"),  # 14 days late
]

EXPECTED = {  # indicator: (numerator, denominator, late case ids)
    "C1": (1, 2, ["C1-2"]),
    "C7": (5, 7, ["C7-5", "C7-6"]),
    "B11": (3, 4, ["B11-4"]),
    "B12": (2, 3, ["B12-4"]),
    "C8A": (1, 2, ["C8-2"]),
    "B13": (2, 3, ["B13-3"]),
}


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "indicators"


def test_the_shipped_example_caseload_is_this_one():
    """examples/indicators/ (docs/indicators.md, "Try it") holds exactly CASELOAD."""
    shipped = {p.stem: json.loads(p.read_text()) for p in EXAMPLES.glob("*.json")}
    assert shipped == {d["id"]: {"schema": "eirules/case@1", **d} for d in CASELOAD}


@pytest.fixture(scope="module")
def folder():
    return EXAMPLES


@pytest.fixture
def cli(tmp_path, monkeypatch, folder):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", folder)
    invoke("evaluate", "--all", "--as-of", AS_OF)
    return invoke


def test_the_figures_of_a_caseload_counted_by_hand(cli):
    report = json.loads(cli("indicators", "--year", "2025-26", "--format", "json").output)
    got = {i["indicator"]: i for i in report["indicators"]}
    for code, (num, den, _) in EXPECTED.items():
        assert (got[code]["numerator"], got[code]["denominator"]) == (num, den), code
    assert got["C7"]["percent"] == 71.4 and got["B11"]["percent"] == 75.0
    assert got["C7"]["counted_as_timely"] == {"exceptional_family_circumstances": 1}
    assert got["B12"]["categories"] == {"a": 4, "b": 1, "c": 2, "d": 0, "e": 0, "f": 0}
    assert got["B12"]["excluded"] == {
        "b": 1,
        "not measurable: needs a school calendar (summer birthday or not)": 1,
    }
    assert got["B11"]["days_late"] == {"min": 12, "max": 12}
    assert report["cases"] == len(CASELOAD)


def test_the_drill_down_lists_exactly_the_late_children_with_their_days(cli):
    """Every figure can be reproduced from its drill-down: denominator - numerator rows."""
    text = cli("indicators", "--year", "2025-26", "--children", "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(text)))
    unmeasured = [r for r in rows if r["category"].startswith("not measurable")]
    for code, (num, den, late) in EXPECTED.items():
        mine = [r for r in rows if r["indicator"] == code and r not in unmeasured]
        assert sorted(r["case_id"] for r in mine) == late
        assert len(mine) == den - num
    # B12-5 is left out of B12 for want of a school calendar (300.101(b)(2)): named too.
    assert [(r["indicator"], r["case_id"], r["status"]) for r in unmeasured] == [
        ("B12", "B12-5", "needs_information")
    ]
    for row in rows:
        if (
            row["done"] and row not in unmeasured
        ):  # days late recounted by hand from the row's own dates
            late = (date.fromisoformat(row["done"]) - date.fromisoformat(row["due"])).days
            assert int(row["days_late"]) == late, row


def test_a_stored_determination_moved_to_an_earlier_date_is_counted_as_of_that_date(
    tmp_path, monkeypatch, folder
):
    """C7-6 (referral 2025-09-01, 45-day timeline due 2025-10-16, no IFSP meeting,
    34 CFR 303.310(a)) evaluated as of 2026-12-02, then `evaluate --all` as of
    2026-07-01: its determination holds for both dates (its stability interval), so it
    is not stored again and the case's date moves. The report is as of 2026-07-01 and
    counts the undone timeline 258 days late (to 2026-07-01), as `due` and `check` do,
    not 412 (to the stored determination's own date)."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", folder)
    invoke("evaluate", "--all", "--as-of", "2026-12-02")
    moved = invoke("evaluate", "--all", "--as-of", AS_OF).output
    assert "skipped, current as of 2026-07-01" in moved  # the case this test is about
    report = json.loads(
        invoke("indicators", "--year", "2025-26", "--children", "--format", "json").output
    )
    assert report["evaluated_as_of"] == {"from": AS_OF, "to": AS_OF}
    c7 = next(i for i in report["indicators"] if i["indicator"] == "C7")
    (row,) = [r for r in c7["children"] if r["case_id"] == "C7-6"]
    assert row["days_late"] == (date(2026, 7, 1) - date(2025, 10, 16)).days == 258
    assert row["reason"] == "not done as of 2026-07-01"


def test_the_library_gives_the_same_numbers_as_the_command(cli, folder, tmp_path):
    from eirules.core.engine import Engine

    stored = json.loads(cli("indicators", "--year", "2025-26", "--format", "json").output)
    report = indicators(
        sorted(folder.glob("*.json")), year="2025-26", as_of=date(2026, 7, 1),
        engine=Engine(entry_points=False), children=True,
    )  # fmt: skip
    from_db = indicators(tmp_path / "caseload.db", year="2025-26", children=True)
    for entry in stored["indicators"]:
        for other in (report, from_db):
            mine = other.indicator(entry["indicator"])
            assert (mine.numerator, mine.denominator) == (entry["numerator"], entry["denominator"])
    assert sorted(i.case_id for i in report.indicator("C7").late) == ["C7-5", "C7-6"]


def test_the_table_shows_every_indicator_with_its_target(cli):
    out = cli("indicators", "--year", "2025-26").output
    assert "C7    5       7       71.4%    100%    2" in out
    assert (
        "late: 1  not done" in out
        and "counted as timely: 1  exceptional_family_circumstances" in out
    )
    assert "a=4 b=1 c=2 d=0 e=0 f=0" in out


def test_by_unit_breaks_each_figure_down(cli):
    out = cli("indicators", "--year", "2025-26", "--indicator", "C7", "--by", "county").output
    assert "county Audrain: 1/2 50.0%" in out and "county Boone: 4/5 80.0%" in out


def test_a_custom_period_counts_only_what_falls_in_it(cli):
    report = json.loads(
        cli("indicators", "--from", "2025-10-17", "--to", "2025-10-31", "--indicator", "B11",
            "--format", "json").output
    )  # fmt: skip
    assert report["indicators"][0]["denominator"] == 4  # all due 2025-10-31
    assert report["period"] == {
        "label": "2025-10-17 to 2025-10-31",
        "from": "2025-10-17",
        "to": "2025-10-31",
    }


def test_out_into_a_missing_folder_is_refused_before_any_work(cli, tmp_path):
    result = cli("indicators", "--year", "2025-26", "--out", tmp_path / "no" / "r.html", code=2)
    assert "the folder" in result.output and "does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_out_keeps_the_old_file_when_the_report_fails(cli, tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("previous report\n")
    cli("indicators", "--out", target, code=2)  # no period: refused
    assert target.read_text() == "previous report\n"
    cli("indicators", "--year", "2025-26", "--format", "csv", "--out", target)
    assert target.read_text().startswith("period,indicator,unit")
    assert target.stat().st_mode & 0o777 == 0o600  # it names children: owner only
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_a_caseload_never_evaluated_says_what_to_run(tmp_path, monkeypatch, folder):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", folder)
    # The import evaluates what it stores; take that away to get a never-evaluated caseload.
    conn = sqlite3.connect(tmp_path / "caseload.db")
    conn.executescript(
        "DELETE FROM clocks; UPDATE cases SET last_determination_id = NULL, "
        "status = 'not_evaluated'; DELETE FROM determinations;"
    )
    conn.commit()
    conn.close()
    result = invoke("indicators", "--year", "2025-26", code=2)
    assert "eirules evaluate --all" in result.output


def test_new_case_file_fields_round_trip_through_the_store(cli, tmp_path):
    from eirules.core.store import Store

    store = Store.open(tmp_path / "caseload.db")
    try:
        doc = store.case_document("B13-3")
        assert doc["service_plans"][0]["transition"][0]["courses_of_study"] is False
        assert store.case_document("C7-4")["county"] == "Audrain"
        assert store.case_document("C7-4")["provider"] == "Tri-County EI"
    finally:
        store.close()


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


def test_published_tables_suppress_small_counts_but_the_drill_down_never_does(
    tmp_path, monkeypatch
):
    rulesets = tmp_path / "rulesets" / "xs-small"
    rulesets.mkdir(parents=True)
    (rulesets / "ruleset.toml").write_text(SUPPRESSING)
    cases = tmp_path / "cases"
    cases.mkdir()
    for doc in CASELOAD[:7]:
        (cases / f"{doc['id']}.json").write_text(json.dumps({**doc, "ruleset": "xs-small"}))
    invoke = caseload_cli(tmp_path, monkeypatch)
    more = ("--rulesets-dir", tmp_path / "rulesets")
    invoke(*more, "cases", "import", cases)
    invoke(*more, "evaluate", "--all", "--as-of", AS_OF)
    table = invoke(*more, "indicators", "--year", "2025-26", "--indicator", "C7").output
    assert "C7    <10     <10     (<10)" in table
    drill = invoke(
        *more, "indicators", "--year", "2025-26", "--indicator", "C7", "--children"
    ).output
    assert "C7    5       7       71.4%" in drill and "C7-6" in drill


# --check ----------------------------------------------------------------------------------


def test_check_lists_what_would_make_an_indicator_wrong(tmp_path, monkeypatch):
    docs = [
        _doc("Q-1", "2024-05-05", [("referral_received", "2025-09-10", PC), ("ifsp_meeting_held", "2025-09-01", PC)]),
        _doc("Q-2", "2023-03-01", [("referral_received", "2024-06-01", PC), ("exited", "2025-12-01", PC),
                                   ("ifsp_review_held", "2026-01-05", PC)]),
        _doc("Q-3", "2024-05-05", [("ifsp_meeting_held", "2025-09-01", PC)], enrolments=[{"program": "part_c"}]),
        {**_doc("Q-4", "2024-02-02", [("referral_received", "2025-09-01", PC)]), "child": {"birth_date": "2024-02-02", "name": "Ayla Brightwold"}},
        {**_doc("Q-5", "2024-02-02", [("referral_received", "2025-09-03", PC)]), "child": {"birth_date": "2024-02-02", "name": "Ayla Brightwald"}},
    ]  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke("evaluate", "--all", "--as-of", AS_OF)
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).output)
    kinds = {(p["case_id"], p["kind"]) for p in found}
    assert ("Q-1", "part_c.ifsp_meeting_before_referral") in kinds  # the engine's warning
    assert ("Q-2", "exit_reason_missing") in kinds and ("Q-2", "event_after_exit") in kinds
    assert ("Q-3", "missing_date") in kinds
    assert ("Q-4", "probable_duplicate") in kinds
    assert all(p["fix"] for p in found)
    table = invoke("indicators", "--check", code=1).output  # problems found: exit status 1
    assert "Q-4  probable_duplicate" in table


def test_check_on_the_bundled_indicator_caseload_finds_only_the_child_b12_cannot_count(cli):
    """The fixture's 24 fictional children have distinct names: no probable duplicate. The
    one problem is B12-5, whom B12 leaves out until a school calendar says whether the third
    birthday falls in the summer (34 CFR 300.101(b)(2)); the case names no district."""
    found = json.loads(cli("indicators", "--check", "--format", "json", code=1).output)
    assert [(p["case_id"], p["kind"]) for p in found] == [("B12-5", "not_measurable")]
    assert found[0]["fix"] == (
        "record the case's district and import that district's school calendar "
        "(eirules calendars import FILE --district NAME), then eirules evaluate --all"
    )


def test_b12_breakdown_says_what_category_b_counts(cli):
    """B12 measurement table: (b) = referred, found not eligible before the third birthday."""
    table = cli("indicators", "--year", "2025-26", "--indicator", "B12").output
    assert (
        "  b (referred, found not eligible, eligibility determined before the third birthday): 1\n"
        in table
    )


# The HTML report, as a person sees it --------------------------------------------------------


def test_the_html_report_has_every_figure_and_its_late_cases_by_reason(cli, tmp_path):
    target = tmp_path / "report.html"
    cli("indicators", "--year", "2025-26", "--format", "html", "--out", target)
    page = target.read_text()
    assert "<svg" in page and "<script" not in page
    assert "71.4%" in page and "75.0%" in page and "66.7%" in page
    assert "not done (1)" in page and "done late, no documented reason (1)" in page
    for _, (_, _, late) in EXPECTED.items():
        assert all(f"<td>{cid}</td>" in page for cid in late)


def test_a_by_month_chart_shows_every_month_of_the_year_empty_ones_too(cli, tmp_path):
    """QA: the C8 chart drew only the months with units (one bar, "26-03"), so a year read
    as one month. Every month of 2025-26 has its place; one with no units has no bar and
    "-" under its label."""
    import re

    target = tmp_path / "report.html"
    cli("indicators", "--year", "2025-26", "--format", "html", "--out", target)
    page = target.read_text()
    charts = dict(
        re.findall(r'<svg class="chart" role="img" aria-label="(\w+) by month"(.*?)</svg>', page)
    )
    months = [f"25-{m:02d}" for m in range(7, 13)] + [f"26-{m:02d}" for m in range(1, 7)]
    for code in ("C7", "C8A", "C8B", "C8C"):
        labels = re.findall(r'class="lbl" text-anchor="middle">(\d\d-\d\d)</text>', charts[code])
        assert labels == months, code
        assert charts[code].count("<rect") == 1, code  # the one month with units
        assert charts[code].count(": no units</title>-</text>") == 11, code
    assert "<title>26-03: 1/2</title>" in charts["C8A"]


def test_html_escapes_what_the_data_says(tmp_path, monkeypatch):
    cases = tmp_path / "cases"
    cases.mkdir()
    doc = c7("X-1", None)
    doc["child"]["name"] = "<script>alert(1)</script> Fictional"
    (cases / "X-1.json").write_text(json.dumps(doc))
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", cases)
    invoke("evaluate", "--all", "--as-of", AS_OF)
    page = invoke("indicators", "--year", "2025-26", "--format", "html").output
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no headless Chromium installed")
def test_the_html_report_renders_in_a_real_browser(cli, tmp_path):
    target = tmp_path / "report.html"
    cli("indicators", "--year", "2025-26", "--format", "html", "--out", target)
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    dom = subprocess.run(
        ["chromium", *flags, "--dump-dom", target.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dom.count("<svg") >= 5 and "Compliance indicators, 2025-26" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        ["chromium", *flags, f"--screenshot={shot}", "--window-size=1200,1600", target.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


# Invariants ---------------------------------------------------------------------------------


@st.composite
def c7_cases(draw, prefix="H"):
    n = draw(st.integers(0, 8))
    docs = []
    for i in range(n):
        referral = date(2025, 7, 1).toordinal() + draw(st.integers(0, 300))
        meeting = draw(st.none() | st.integers(0, 90))
        family = draw(st.booleans())
        events = [("referral_received", date.fromordinal(referral).isoformat(), PC)]
        if family:
            start = date.fromordinal(referral + draw(st.integers(0, 40))).isoformat()
            events.append(("delay", start, {**PC, "reason": "exceptional_family_circumstances"}))
        if meeting is not None:
            events.append(
                ("ifsp_meeting_held", date.fromordinal(referral + meeting).isoformat(), PC)
            )
        docs.append(_doc(f"{prefix}-{i}", "2024-12-01", events))
    return docs


def _report(engine, docs):
    cases = [engine.case_from_dict(d) for d in docs]
    return indicators(cases, year="2025-26", as_of=date(2026, 9, 1), engine=engine, children=True)


@given(c7_cases(), st.integers(1, 300))
def test_numerator_never_exceeds_denominator_and_the_drill_down_is_the_difference(engine, docs, _):
    report = _report(engine, docs)
    for result in report.indicators:
        assert 0 <= result.numerator <= result.denominator
        assert len(result.late) == result.denominator - result.numerator
        assert all(item.counted and not item.timely for item in result.late)


@given(c7_cases(), st.integers(0, 300), st.integers(0, 44))
def test_adding_a_timely_child_never_lowers_a_percentage(engine, docs, offset, within):
    before = _report(engine, docs).indicator("C7")
    referral = date.fromordinal(date(2025, 7, 1).toordinal() + offset)
    meeting = date.fromordinal(referral.toordinal() + within)
    timely = _doc("T-1", "2024-12-01", [
        ("referral_received", referral.isoformat(), PC), ("ifsp_meeting_held", meeting.isoformat(), PC),
    ])  # fmt: skip
    after = _report(engine, [*docs, timely]).indicator("C7")
    if after.denominator > before.denominator:  # due in the year (a referral near June is not)
        assert after.numerator == before.numerator + 1
        assert before.percent is None or after.percent >= before.percent


def test_the_demo_caseload_report_reproduces_from_its_drill_down(tmp_path, monkeypatch):
    """Done means: on the demo caseload every figure is denominator - drill-down rows."""
    monkeypatch.setenv("EIRULES_USER", "tester")
    from click.testing import CliRunner

    from eirules.cli import cli

    db = tmp_path / "demo.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--db", str(db)]).exit_code == 0
    summary = json.loads(
        runner.invoke(cli, ["indicators", "--db", str(db), "--year", "2025-26", "--format", "json", "--children"]).output
    )  # fmt: skip
    library = indicators(db, year="2025-26")
    for entry in summary["indicators"]:
        assert len(entry["children"]) == entry["denominator"] - entry["numerator"]
        mine = library.indicator(entry["indicator"])
        assert (mine.numerator, mine.denominator) == (entry["numerator"], entry["denominator"])
    html = runner.invoke(
        cli, ["indicators", "--db", str(db), "--year", "2025-26", "--format", "html"]
    )
    assert html.exit_code == 0 and "<svg" in html.output
    assert summary["indicators"][1]["denominator"] > 0  # C7 has data in the demo


def test_the_text_drill_down_leaves_out_what_a_late_unit_does_not_have(cli):
    """B13 (34 CFR 300.320(b)): an IEP missing a required transition element is not done
    late, it lacks an element, so its line gives no days late and no empty done date
    ("done - missing, None days late: ..." before); a late timeline keeps every part."""
    text = cli("indicators", "--year", "2025-26", "--children").output
    lines = [line for line in text.splitlines() if line.startswith("  - ")]
    assert lines and not any("None" in line for line in lines)
    assert (
        "  - B13-3 Marisol Yilmaz: secondary_transition start 2025-06-01 due 2025-10-10 "
        "missing: courses of study" in lines
    )
    assert (
        "  - C7-6 Soren Valdivia: initial_ifsp_meeting start 2025-09-01 due 2025-10-16 "
        "overdue, 258 days late: not done as of 2026-07-01" in lines
    )


def test_check_accepts_a_child_who_comes_back_with_a_new_referral(tmp_path, monkeypatch):
    """QA: a child exited on 2025-06-01 (moved out) and referred again on 2025-10-01 was
    listed as `event_after_exit` for the new referral, which 303.310(a) counts a new
    45-day timeline from. Now only what lies between the exit and the new referral (an
    IFSP meeting typed as 2025-09-25) is listed, and the new episode's events are not."""
    moved = {**PC, "reason": "moved_out_of_state"}
    docs = [
        _doc("R-1", "2024-06-01", [("referral_received", "2025-01-10", PC), ("ifsp_meeting_held", "2025-02-01", PC),
                                   ("exited", "2025-06-01", moved), ("referral_received", "2025-10-01", PC),
                                   ("ifsp_meeting_held", "2025-11-01", PC)]),
        _doc("R-2", "2024-06-01", [("referral_received", "2025-01-10", PC), ("ifsp_meeting_held", "2025-02-01", PC),
                                   ("exited", "2025-06-01", moved), ("ifsp_meeting_held", "2025-09-25", PC),
                                   ("referral_received", "2025-10-01", PC)]),
        # Part C to Part B: the untagged IEP events after the exit are Part B's.
        _doc("R-3", "2023-06-01", [("referral_received", "2024-01-10", PC), ("ifsp_meeting_held", "2024-02-01", PC),
                                   ("exited", "2026-06-01", {**PC, "reason": "part_b_eligible"}),
                                   ("iep_meeting_held", "2026-06-05"), ("iep_services_started", "2026-06-10")]),
    ]  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke("evaluate", "--all", "--as-of", AS_OF)
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).output)
    # Between the exit and the new referral: the engine's warning, listed from R-2's
    # determination (tests/test_indicators_check_warnings.py); after a last exit: none.
    after_exit = [
        (p["case_id"], p["kind"], p["what"][:40])
        for p in found
        if p["kind"] in ("event_after_exit", "part_c.event_after_episode_ended")
    ]
    assert after_exit == [
        ("R-2", "part_c.event_after_episode_ended", "ifsp_meeting_held on 2025-09-25 is dated")
    ]
