"""Every CSV a person hands eirules is read record by record, each record bounded
(core/input_files.CsvRecords, MAX_CSV_RECORD).

Before, each CSV reader took what the csv module gave: a line of a file with no line
break (a disk image renamed .csv, a sparse file) was read whole into memory before the
csv module's own cell limit spoke, and a cell that opened a quote it never closed joined
the rest of the file into one record. Now the record is refused by the line it starts on,
once it passes the limit, naming the file, the line and what to check; nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_input_bounds import memory_cap

from eirules.cli import cli
from eirules.core import input_files
from eirules.core.errors import InputError
from eirules.core.input_files import MAX_CSV_RECORD, CsvRecords
from eirules.plugins.mtss import datadir

EXAMPLES = Path(__file__).parent.parent / "examples"
CASES_CSV = (EXAMPLES / "csv" / "cases.csv").read_text().splitlines()
CALENDAR_CSV = (EXAMPLES / "calendars" / "fictional-unified-2025-26.csv").read_text()
LIMIT = f"more than the limit of {MAX_CSV_RECORD:,} characters"

cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
tables = st.lists(st.lists(cells, min_size=1, max_size=5), max_size=8)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue()


@given(tables)
def test_records_are_what_the_csv_module_reads(rows):
    """Below the limit CsvRecords is csv.reader: the same records and line numbers,
    whatever the cells hold (commas, quotes, line breaks inside a quoted cell)."""
    text = _csv_text(rows)
    ours, theirs = (
        CsvRecords("t.csv", io.StringIO(text, newline="")),
        csv.reader(io.StringIO(text, newline="")),
    )
    for expected in theirs:
        assert next(ours) == expected
        assert ours.line_num == theirs.line_num
    assert next(ours, None) is None


@given(st.lists(cells, min_size=1, max_size=4, unique=True), tables)
def test_dicts_are_what_dict_reader_gives(header, rows):
    """`dicts` gives csv.DictReader's records: a blank line skipped, extra cells as a
    list under None, missing cells None."""
    text = _csv_text([header, *rows])
    ours = CsvRecords("t.csv", io.StringIO(text, newline=""))
    assert next(ours) == header
    expected = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(ours.dicts(header)) == expected


@pytest.mark.parametrize("start", [1, 2, 5])
def test_a_record_past_the_limit_is_refused_by_the_line_it_starts_on(monkeypatch, start):
    monkeypatch.setattr(input_files, "MAX_CSV_RECORD", 40)
    text = "a,b\n" * (start - 1) + '"open quote\n' + "more text\n" * 10
    records = CsvRecords("t.csv", io.StringIO(text, newline=""))
    with pytest.raises(InputError) as refused:
        list(records)
    (problem,) = refused.value.problems
    assert problem.where == f"t.csv, line {start}"
    assert problem.what == "more than the limit of 40 characters"
    assert "opens a quote it does not close" in problem.fix


def test_a_record_exactly_at_the_limit_is_read(monkeypatch):
    monkeypatch.setattr(input_files, "MAX_CSV_RECORD", 10)
    assert list(CsvRecords("t.csv", io.StringIO("123456789\n", newline=""))) == [["123456789"]]
    with pytest.raises(InputError):
        list(CsvRecords("t.csv", io.StringIO("1234567890\n", newline="")))


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "caseload.db"
    monkeypatch.setenv("EIRULES_DB", str(path))
    assert CliRunner().invoke(cli, ["db", "init"]).exit_code == 0
    return path


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_cases_import_refuses_a_csv_whose_quote_never_closes(db, tmp_path):
    """A case row on line 4 opens a quote: the 200,000 characters after it would join
    the rest of the file into one record. The file is refused by that line (exit 2)."""
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(CASES_CSV[:3]) + '\nCSV-9,"' + "x" * 200_000 + "\n")
    result = _run("cases", "import", path)
    assert result.exit_code == 2, result.output
    assert f"  {path}, line 4: {LIMIT}; a CSV row is a few hundred characters" in result.output
    assert _count(db, "cases") == _count(db, "audit_log") == 0


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="the memory cap reads /proc")
def test_a_csv_with_no_line_break_is_refused_without_reading_it_whole(db, tmp_path):
    """A 300 MiB calendar and caseload file of one line (a sparse file: NUL bytes, valid
    UTF-8, no line break) under a 200 MiB memory cap: refused at its second line."""
    cals = tmp_path / "calendars"
    for name, header, command in (
        ("cal.csv", "kind,first_day,last_day,name", ("calendars", "import", "--district", "D1")),
        ("cases.csv", CASES_CSV[0], ("cases", "import")),
    ):
        path = tmp_path / name
        with path.open("wb") as out:
            out.write(header.encode() + b"\n")
            out.truncate(300 << 20)
        with memory_cap(200 << 20):
            result = _run("--calendars-dir", cals, *command, path)
        assert result.exit_code == 2, result.output
        assert f"  {path}, line 2: {LIMIT};" in result.output
    assert not cals.exists()
    assert _count(db, "cases") == 0


def test_calendars_import_refuses_an_oversized_record_and_stores_nothing(db, tmp_path):
    cals = tmp_path / "calendars"
    path = tmp_path / "year.csv"
    lines = CALENDAR_CSV.splitlines()
    path.write_text("\n".join(lines[:3]) + '\nclosure,"2025-09-02' + "\nx" * 100_000 + "\n")
    result = _run("--calendars-dir", cals, "calendars", "import", path, "--district", "D1")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(
        f"Error: {path}: the record on line 4 is longer than {MAX_CSV_RECORD:,} characters"
    )
    assert not cals.exists()


@pytest.mark.parametrize("layout", [None, "fastbridge-cbmreading"])
def test_mtss_import_refuses_an_oversized_record_and_writes_no_file(tmp_path, layout):
    """The plain layout and a vendor export alike; no student file changes."""
    school = tmp_path / "elm"
    shutil.copytree(datadir.bundled_dir(), school)
    before = {p.name: p.read_bytes() for p in (school / "students").glob("*.json")}
    if layout:
        good = (EXAMPLES / "mtss" / "exports" / f"{layout}.csv").read_text().splitlines()
        extra = ["--layout", layout]
    else:
        good = (EXAMPLES / "mtss" / "elm-street" / "screening.csv").read_text().splitlines()
        extra = []
    path = tmp_path / "screening.csv"
    path.write_text("\n".join(good[:2]) + '\n"' + "y" * 200_000 + "\n")
    result = _run("mtss", "import", "screening", path, "--dir", school, *extra)
    assert result.exit_code != 0
    assert f"{path}, line 3: {LIMIT}" in result.output
    assert {p.name: p.read_bytes() for p in (school / "students").glob("*.json")} == before
    assert json.loads((school / "students" / "ELM-001.json").read_text())  # still whole


def test_plans_import_refuses_an_oversized_record_and_leaves_the_case_file(tmp_path):
    case = tmp_path / "iep.json"
    shutil.copy(EXAMPLES / "plans" / "pb-iep-goals.json", case)
    before = case.read_bytes()
    path = tmp_path / "points.csv"
    path.write_text('goal,date,value\nG1,2026-01-05,"' + "9" * 200_000 + "\n")
    result = _run("plans", "import", case, path, "--kind", "points")
    assert result.exit_code == 2, result.output
    assert f"  {path}, line 2: {LIMIT};" in result.output
    assert case.read_bytes() == before
