"""MTSS CSV import checks of qa18 (items 1, 4, 6, 8, 9, 10): a screening's window against
its date, duplicate keys in one file, a session's group, program and minutes, empty cells
with their column, an unused vendor category, and the screening list's counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.plugins.mtss import datadir

BUNDLED = datadir.bundled_dir()
SCREENING = "student_id,date,window,instrument,skill_area,percentile,scaled_score,category\n"
SESSIONS = "student_id,date,status,planned_minutes,minutes,group,program,service,makeup,note\n"


@pytest.fixture
def school_dir(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(BUNDLED, target)
    return target


def snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(school_dir, kind: str, text: str) -> list[str]:
    """The problem lines of a refused import; nothing in the folder changed."""
    csv = school_dir.parent / "in.csv"
    csv.write_text(text)
    before = snapshot(school_dir)
    res = CliRunner().invoke(cli, ["mtss", "import", kind, str(csv), "--dir", str(school_dir)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert snapshot(school_dir) == before
    lines = res.output.splitlines()
    assert lines[0].endswith("row(s) not valid; nothing was imported")
    return [line.strip().replace(str(csv), "in.csv") for line in lines[1:]]


def test_window_that_does_not_hold_the_date_is_refused(school_dir):
    # qa18 #1: 2026-01-12 is the first day of the school's winter window.
    assert refused(
        school_dir, "screening", SCREENING + "ELM-002,2026-01-12,fall,Star Reading,reading,50,,\n"
    ) == [
        'in.csv:2, column window: "fall" does not hold the date 2026-01-12 (fall 2025-26 '
        "2025-08-25..2026-01-09): 2026-01-12 is in winter 2025-26 2026-01-12..2026-05-01; "
        'expected "winter", or correct the date'
    ]


@pytest.mark.parametrize("day,window", [("2026-01-10", "winter"), ("2026-07-15", "spring")])
def test_date_outside_every_window_is_refused(school_dir, day, window):
    assert refused(
        school_dir, "screening", SCREENING + f"ELM-002,{day},{window},Star Reading,reading,50,,\n"
    ) == [
        f"in.csv:2, column date: {day} is in none of the school's screening windows (fall "
        "2025-26 2025-08-25..2026-01-09; winter 2025-26 2026-01-12..2026-05-01; spring 2025-26 "
        "2026-05-04..2026-06-12); correct the date, or add the window it belongs to in "
        "school.json (windows: name, school_year, start, end)"
    ]


def test_without_windows_in_school_json_the_label_is_taken(school_dir):
    school = school_dir / "school.json"
    import json

    raw = json.loads(school.read_text())
    raw.pop("windows")
    school.write_text(json.dumps(raw))
    csv = school_dir.parent / "in.csv"
    csv.write_text(SCREENING + "ELM-002,2026-07-15,spring,Star Reading,reading,50,,\n")
    res = CliRunner().invoke(
        cli, ["mtss", "import", "screening", str(csv), "--dir", str(school_dir)]
    )
    assert res.exit_code == 0, res.output
    assert res.output == "Imported screening for 1 student: 1 added, 0 replaced.\n"


def test_duplicate_key_with_other_values_names_both_lines(school_dir):
    # qa18 #4: last row won silently (PR 12 stored).
    assert refused(
        school_dir,
        "screening",
        SCREENING
        + "ELM-001,2026-01-12,winter,Star Reading,reading,30,,\n"
        + "ELM-001,2026-01-12,winter,Star Reading,reading,12,,\n",
    ) == [
        'in.csv:3: student "ELM-001", date 2026-01-12, instrument Star Reading, skill_area '
        "reading: also on line 2, with different values; keep one of lines 2 and 3 (rows with "
        "one key are one item: the later would silently replace the earlier)"
    ]
    assert refused(
        school_dir,
        "points",
        "student_id,series,date,score\n"
        "ELM-001,orf-elm-001,2026-06-11,61\nELM-001,orf-elm-001,2026-06-11,20\n",
    ) == [
        'in.csv:3: student "ELM-001", series orf-elm-001, date 2026-06-11: also on line 2, '
        "with different values; keep one of lines 2 and 3 (rows with one key are one item: "
        "the later would silently replace the earlier)"
    ]


def test_the_same_row_twice_is_one_item(school_dir):
    csv = school_dir.parent / "in.csv"
    row = "ELM-001,orf-elm-001,2026-06-11,61\n"
    csv.write_text("student_id,series,date,score\n" + row + row)
    res = CliRunner().invoke(cli, ["mtss", "import", "points", str(csv), "--dir", str(school_dir)])
    assert res.output == "Imported points for 1 student: 1 added, 0 replaced.\n"


def test_session_rows_that_would_corrupt_minutes_are_refused(school_dir):
    # qa18 #6: all four rows were taken.
    assert refused(
        school_dir,
        "sessions",
        SESSIONS
        + "ELM-018,2026-06-08,delivered,30,0,G-FLU-1,FLU,,,\n"
        + "ELM-018,2026-06-11,delivered,30,30,G-NOPE,FLU,,,\n"
        + "ELM-018,2026-06-09,delivered,30,45,G-FLU-1,FLU,,,\n"
        + "ELM-018,2026-06-10,delivered,30,30,G-FLU-1,FLUX,,,\n",
    ) == [
        "in.csv:2, column minutes: 0 (or empty) for a delivered session; expected the minutes "
        "delivered (R10 would count the session as held with no minutes), or the status of "
        "the missed session",
        'in.csv:3, column group: no group "G-NOPE" in school.json; expected one of: '
        "G-PHON-1, G-PHON-2, G-FLU-1, G-INT-1, G-MATH-1",
        "in.csv:4, column minutes: 45 delivered of 30 planned; expected at most 30 (R10 and "
        "R13 count delivered minutes against planned ones, so extra minutes would hide missed "
        "ones); if the session was planned longer, correct planned_minutes; make-up time goes "
        "on its own row with makeup yes",
        'in.csv:5, column program: no program "FLUX" in school.json; did you mean "FLU"?; '
        "expected one of: PHON, FLU, INT, MATH",
    ]


def test_empty_cells_name_their_column(school_dir):
    # qa18 #9
    assert refused(
        school_dir, "points", "student_id,series,date,score\nELM-001,orf-elm-001,2026-06-11,\n"
    ) == ["in.csv:2, column score: empty; expected a number"]
    assert refused(
        school_dir, "screening", SCREENING + "ELM-001,2026-01-12,winter,Star Reading,reading,,,\n"
    ) == [
        "in.csv:2, column percentile: empty, and so is category; expected a percentile rank "
        "(0 to 100), or a vendor category in column category"
    ]


def test_unmapped_category_next_to_a_percentile_is_refused(school_dir):
    # qa18 #10: the category was dropped without a word (R1 bands the percentile).
    assert refused(
        school_dir,
        "screening",
        SCREENING + "ELM-001,2026-01-12,winter,Star Reading,reading,50,,badcat\n",
    ) == [
        'in.csv:2, column category: "badcat" is neither a band (urgent, intervention, '
        "on_watch, at_benchmark) nor a vendor category mapped in the ruleset, and the "
        "percentile would be used in its place; leave the category empty (the percentile "
        "decides the band), or map it in the ruleset (mtss.screening.category.badcat)"
    ]


def test_screening_footer_counts_rows_and_students(school_dir):
    # qa18 #8: "84 students" counted student-skill rows; the school has 42 students.
    res = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli,
        [
            "mtss",
            "screening",
            "--window",
            "fall",
            "--as-of",
            "2026-06-05",
            "--dir",
            str(school_dir),
            "--format",
            "text",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "84 student-skill rows (42 students). Bands:" in res.output
    res = CliRunner(env={"COLUMNS": "200"}).invoke(
        cli,
        [
            "mtss",
            "screening",
            "--window",
            "winter",
            "--as-of",
            "2026-01-11",
            "--dir",
            str(school_dir),
            "--format",
            "text",
        ],
    )
    assert (
        "0 student-skill rows (0 students); not screened in winter by 2026-01-11: all 42."
        in res.output
    )
