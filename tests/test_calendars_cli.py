"""`eirules calendars import | list | show`, and clocks counting an imported district calendar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "calendars"
CSV = EXAMPLES / "fictional-unified-2025-26.csv"
ICS = EXAMPLES / "fictional-unified-2026-27.ics"
DISTRICT = "Fictional Unified"


def run(folder: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(
        cli, ["--calendars-dir", str(folder), *args], catch_exceptions=False
    )
    assert result.exit_code == code, result.output + (result.stderr or "")
    return result


def test_import_csv_then_ics_gives_two_school_years(tmp_path):
    """The example CSV (2025-26) and .ics (2026-27): 183 school days each, counted by hand:
    2025-26 has 17 weeks of fall (79 school days after Labor Day and Thanksgiving week) and
    104 spring days (22 weeks less MLK Day and spring break)."""
    out = run(tmp_path, "calendars", "import", str(CSV), "--district", DISTRICT).output
    assert "183 school days from 2025-08-25 to 2026-06-05, 2 terms, 12 closure days" in out
    res = run(tmp_path, "calendars", "import", str(ICS), "--district", DISTRICT)
    assert "183 school days from 2026-08-24 to 2027-06-04" in res.output
    assert 'event 8 "Picture day": not a school year, term or closure (skipped)' in res.stderr
    listing = json.loads(run(tmp_path, "calendars", "list", "--format", "json").output)
    (row,) = listing["calendars"]
    assert (
        row["district"],
        row["school_days"],
        row["first_school_day"],
        row["last_school_day"],
    ) == (
        DISTRICT,
        366,
        "2025-08-25",
        "2027-06-04",
    )
    csv_out = run(tmp_path, "calendars", "show", DISTRICT, "--format", "csv").output.splitlines()
    assert csv_out[0] == "kind,first_day,last_day,name,school_days"
    assert "term,2025-08-25,2025-12-19,Fall semester,79" in csv_out
    assert "closure,2025-11-24,2025-11-28,Thanksgiving break,0" in csv_out


def test_reimporting_a_school_year_replaces_it(tmp_path):
    run(tmp_path, "calendars", "import", str(CSV), "--district", DISTRICT)
    out = run(tmp_path, "calendars", "import", str(CSV), "--district", DISTRICT).output
    assert "Replaced the stored school year 2025-2026." in out
    listing = json.loads(run(tmp_path, "calendars", "list", "--format", "json").output)
    assert listing["calendars"][0]["school_days"] == 183


def test_a_bad_calendar_lists_every_problem_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,first_day,last_day,name\n"
        "school_year,2025-07-01,2026-06-30,2025-2026\n"
        "term,2025-08-25,2025-12-19,Fall\n"
        "term,2025-12-01,2026-06-05,Spring\n"
        "term,2026-08-01,2026-08-20,Summer school\n"
        "term,2026-01-10,2026-01-11,Weekend term\n"
    )
    folder = tmp_path / "cal"
    res = run(folder, "calendars", "import", str(bad), "--district", "X", code=2)
    err = res.stderr
    assert "was not imported (4 problems); nothing was written" in err
    assert f'{bad} line 4: term "Spring" (2025-12-01 to 2026-06-05) overlaps term "Fall"' in err
    assert (
        'line 5: term "Summer school" (2026-08-01 to 2026-08-20) is outside the school year' in err
    )
    assert 'line 6: term "Weekend term" (2026-01-10 to 2026-01-11) has no school days' in err
    assert not folder.exists()


def test_no_school_year_names_the_fix(tmp_path):
    f = tmp_path / "terms.csv"
    f.write_text("kind,first_day,last_day,name\nterm,2025-08-25,2025-12-19,Fall\n")
    err = run(tmp_path / "c", "calendars", "import", str(f), "--district", "X", code=2).stderr
    assert "no school year" in err and "--school-year 2025-07-01:2026-06-30" in err
    out = run(
        tmp_path / "c",
        "calendars",
        "import",
        str(f),
        "--district",
        "X",
        "--school-year",
        "2025-07-01:2026-06-30",
    ).output
    assert "85 school days" in out  # 17 weeks, Mon 2025-08-25 to Fri 2025-12-19


def test_unknown_format_and_unknown_district(tmp_path):
    f = tmp_path / "cal.xlsx"
    f.write_text("x")
    assert (
        "name the file .ics or .csv"
        in run(tmp_path, "calendars", "import", str(f), "--district", "X", code=2).stderr
    )
    err = run(tmp_path, "calendars", "show", "Nowhere", code=2).stderr
    assert 'no calendar for district "Nowhere"' in err


def test_empty_list_says_how_to_import(tmp_path):
    out = run(tmp_path / "none", "calendars", "list").output
    assert "No district calendars" in out and "eirules calendars import FILE --district ID" in out


def test_check_counts_the_district_calendar(tmp_path):
    """TEC 29.004(a)(1): a Texas case in the imported district: consent Mon 2025-09-08, the 45th
    school day of the example calendar is Mon 2025-11-10 (Labor Day is before the consent)."""
    run(tmp_path / "cal", "calendars", "import", str(CSV), "--district", DISTRICT)
    case = tmp_path / "tx.json"
    case.write_text(
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "TX-CAL-1",
                "ruleset": "us-tx",
                "district": DISTRICT,
                "child": {"birth_date": "2016-04-01", "name": "Remy Fictional"},
                "events": [{"type": "consent_for_evaluation", "date": "2025-09-08"}],
            }
        )
    )
    out = run(
        tmp_path / "cal", "check", str(case), "--as-of", "2025-10-01", "--format", "json"
    ).output
    clocks = {c["id"]: c for c in json.loads(out)["clocks"]}
    assert clocks["initial_evaluation"]["due"] == "2025-11-10"


def test_a_clock_counts_each_imported_school_years_days_across_the_summer(tmp_path):
    """TEC 29.004(a)(1): 45 school days, counted on the calendar in force on each day.
    Consent Mon 2026-05-18: 14 school days are left in 2025-2026 (the CSV: May 19-22,
    May 25-29, June 1-5), fewer than 35, so no June 30 rule; the other 31 come from
    2026-2027 (the .ics): Aug 24-28 (19), Aug 31-Sep 4 (24), Labor Day Sep 7 closed, Sep
    8-11 (28), Sep 14-18 (33), Sep 21-25 (38), Sep 28-Oct 2 (43), Oct 5 (44), Oct 6 (45)."""
    folder = tmp_path / "cal"
    run(folder, "calendars", "import", str(CSV), "--district", DISTRICT)
    run(folder, "calendars", "import", str(ICS), "--district", DISTRICT)
    case = tmp_path / "tx.json"
    case.write_text(
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "TX-CAL-2",
                "ruleset": "us-tx",
                "district": DISTRICT,
                "child": {"birth_date": "2016-04-01", "name": "Remy Fictional"},
                "events": [{"type": "consent_for_evaluation", "date": "2026-05-18"}],
            }
        )
    )
    out = run(folder, "check", str(case), "--as-of", "2026-06-01", "--format", "json").output
    clocks = {c["id"]: c for c in json.loads(out)["clocks"]}
    assert (clocks["initial_evaluation"]["due"], clocks["initial_evaluation"]["status"]) == (
        "2026-10-06",
        "pending",
    )
    only_one_year = tmp_path / "one"
    run(only_one_year, "calendars", "import", str(CSV), "--district", DISTRICT)
    out = run(only_one_year, "check", str(case), "--as-of", "2026-06-01", "--format", "json")
    clock = {c["id"]: c for c in json.loads(out.output)["clocks"]}["initial_evaluation"]
    assert (clock["status"], clock["due"]) == ("needs_information", None)
    assert clock["missing"][0].startswith("the school calendar after 2026-06-05")


@given(st.text(max_size=300))
def test_garbage_csv_never_crashes_and_writes_nothing(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("cal")
    f = folder / "g.csv"
    f.write_text("kind,first_day,last_day,name\n" + text, encoding="utf-8")
    store = folder / "store"
    result = CliRunner().invoke(
        cli, ["--calendars-dir", str(store), "calendars", "import", str(f), "--district", "G"]
    )
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert not store.exists()


@pytest.mark.parametrize("body", [b"", b"not a calendar", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"])
def test_broken_ics_is_a_clear_error(tmp_path, body):
    f = tmp_path / "x.ics"
    f.write_bytes(body)
    res = CliRunner().invoke(
        cli,
        ["--calendars-dir", str(tmp_path / "s"), "calendars", "import", str(f), "--district", "X"],
    )
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "s").exists()


def test_an_ics_school_year_named_school_year_is_not_said_twice(tmp_path):
    """The QA finding: the example .ics names its year "School year 2026-2027" (its SUMMARY),
    and the import said "school year School year 2026-2027", twice when it replaced it."""
    first = run(tmp_path, "calendars", "import", str(ICS), "--district", DISTRICT).stdout
    assert first.splitlines()[0] == (
        f"Imported {ICS} for district {DISTRICT}: school year 2026-2027: 183 school days "
        "from 2026-08-24 to 2027-06-04, 2 terms, 12 closure days."
    )
    again = run(tmp_path, "calendars", "import", str(ICS), "--district", DISTRICT).stdout
    assert again.splitlines()[1] == "Replaced the stored school year 2026-2027."
    # The stored name is the district's own, unchanged.
    shown = run(tmp_path, "calendars", "show", DISTRICT, "--format", "csv").output
    assert "school_year,2026-07-01,2027-06-30,School year 2026-2027,183" in shown.splitlines()


@given(name=st.text(min_size=1, max_size=30).filter(lambda s: s.strip() and "\n" not in s))
def test_an_import_never_says_school_year_twice(name):
    """Whatever a district calls its year, the sentence says "school year" once before it."""
    from eirules.cli.calendars import _school_years

    for said in (_school_years([name]), _school_years([f"School Year {name}", name])):
        assert "school year school year" not in " ".join(said.lower().split()), said


def test_calendar_closures_keep_their_names(tmp_path):
    def invoke(*args, code=0):
        result = CliRunner().invoke(cli, ["--calendars-dir", str(tmp_path), *map(str, args)])
        assert result.exit_code == code, result.output
        return result

    invoke("calendars", "import", CSV, "--district", "FU")
    shown = json.loads(invoke("calendars", "show", "FU", "--format", "json").output)
    closures = [(p["first_day"], p["name"]) for p in shown["periods"] if p["kind"] == "closure"]
    assert closures == [
        ("2025-09-01", "Labor Day"),
        ("2025-11-24", "Thanksgiving break"),
        ("2026-01-19", "Martin Luther King Jr. Day"),
        ("2026-03-30", "Spring break"),
    ]
    assert "Thanksgiving break" in invoke("calendars", "show", "FU").output
    # A calendar stored before names were kept (no named_closures) reads as before.
    path = tmp_path / "FU.toml"
    old = path.read_text().split("[[named_closures]]")[0]
    path.write_text(old)
    shown = json.loads(invoke("calendars", "show", "FU", "--format", "json").output)
    closures = [(p["first_day"], p["name"]) for p in shown["periods"] if p["kind"] == "closure"]
    assert closures == [("2025-09-01", ""), ("2025-11-24", ""), ("2026-01-19", ""),
                        ("2026-03-30", "")]  # fmt: skip
    # A new import beside it keeps the names it brings.
    invoke("calendars", "import", CSV, "--district", "FU")
    assert "Labor Day" in invoke("calendars", "show", "FU").output


def test_a_closure_name_with_a_control_character_is_refused_and_nothing_written(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text(CSV.read_text().replace("Labor Day", "Labor\x1b[2J Day"))
    folder = tmp_path / "cal"
    result = CliRunner().invoke(
        cli, ["--calendars-dir", str(folder), "calendars", "import", str(csv), "--district", "FU"]
    )
    assert result.exit_code == 2, result.output
    assert "field name: contains the control or bidi character U+001B" in result.output
    assert not (folder / "FU.toml").exists()


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"", "the file is empty"),
        (b"kind,first_day\n", "it has no BEGIN:VCALENDAR line"),
        (
            b"BEGIN:VCALENDAR\nnot a line\nEND:VCALENDAR\n",
            "not valid iCalendar: \"Content line could not be parsed into parts: 'not a line': "
            'Invalid content line"',
        ),
    ],
)
def test_a_file_that_is_not_icalendar_says_what_it_is_in_words(tmp_path, content, line):
    """No parser class name ("ValueError: Found no components ... b''") reaches the user;
    nothing is written."""
    bad = tmp_path / "district.ics"
    bad.write_bytes(content)
    out = run(tmp_path / "cals", "calendars", "import", str(bad), "--district", "x", code=2).output
    assert "ValueError" not in out and "b''" not in out
    assert f"  {bad}: {line}; export the calendar" in out
    assert not (tmp_path / "cals").exists() or not any((tmp_path / "cals").iterdir())
