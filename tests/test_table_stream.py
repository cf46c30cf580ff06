"""Issue 15: a long table for people is printed as its rows come, within the reader's width.

`print_table_rows` lays the columns out from the first rows and prints the rest as they
are read (`eirules due` and `overdue` in the table format); a short listing is the same
`print_table` as before, byte for byte.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from helpers import caseload_cli
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import table_stream
from eirules.cli.output_tables import print_table
from eirules.cli.table_stream import print_table_rows

EXAMPLES = Path(__file__).parent.parent / "examples"
HEADERS = ["Due", "Days", "Case", "What", "Child"]


def _row(i: int, what: str = "Initial IFSP meeting") -> list[str]:
    return [f"2026-03-{i % 28 + 1:02d}", f"{i % 40} left", f"SYN-C-{i:05d}", what, "Ava Fictional"]


def _printed(monkeypatch, capsys, fn, columns: int | None = 80) -> list[str]:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    fn()
    return capsys.readouterr().out.splitlines()


def test_a_listing_within_the_sample_is_the_table_it_always_was(monkeypatch, capsys):
    rows = [_row(i) for i in range(30)]
    before = _printed(monkeypatch, capsys, lambda: print_table(HEADERS, rows, drop=(4,)))
    after = _printed(
        monkeypatch,
        capsys,
        lambda: print_table_rows(HEADERS, ((r, None) for r in rows), drop=(4,), sample=30),
    )
    assert after == before


def test_a_long_listing_keeps_the_first_rows_columns_and_80_columns(monkeypatch, capsys):
    rows = [_row(i) for i in range(400)]
    rows[300] = _row(300, "Transition conference " + "x" * 70)  # a word no column holds
    lines = _printed(
        monkeypatch,
        capsys,
        lambda: print_table_rows(HEADERS, ((r, None) for r in rows), drop=(4,), sample=20),
    )
    assert max(len(line) for line in lines) <= 80
    header = lines[0]
    assert header.split() == HEADERS
    at = header.index("Case")
    table_rows = [line for line in lines[1:] if line.startswith("2026-")]
    assert len(table_rows) == 399  # every row but the one printed as a block
    assert all(line[at : at + 12].startswith("SYN-C-") for line in table_rows)
    # The row too wide for the columns is a block of "header: value": nothing cut.
    text = "\n".join(lines)
    assert "Case: SYN-C-00300" in text and "x" * 60 in text.replace("\n", "")
    assert [int(x[6:]) for x in (line[at : at + 11] for line in table_rows)] == [
        i for i in range(400) if i != 300
    ]


class _Watch(io.StringIO):
    """stdout that notes how many rows the listing had read when the first line came out."""

    def __init__(self, pulled: list[int]):
        super().__init__()
        self.pulled, self.at_first = pulled, None

    def write(self, text: str) -> int:
        if self.at_first is None and text.strip():
            self.at_first = self.pulled[0]
        return super().write(text)


def test_the_first_rows_are_printed_before_the_rest_are_read(monkeypatch):
    pulled = [0]

    def rows():
        for i in range(5000):
            pulled[0] += 1
            yield _row(i), None

    out = _Watch(pulled)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", "80")
    assert print_table_rows(HEADERS, rows(), sample=50) == 5000
    assert out.at_first is not None and out.at_first <= 51
    assert pulled[0] == 5000 and out.getvalue().count("SYN-C-") == 5000


def test_piped_with_no_width_every_row_is_one_whole_line(monkeypatch, capsys):
    rows = [_row(i, "What " + "y" * (i % 90)) for i in range(200)]
    lines = _printed(
        monkeypatch,
        capsys,
        lambda: print_table_rows(HEADERS, ((r, None) for r in rows), sample=10),
        columns=None,
    )
    assert len(lines) == 201
    assert all(r[3] in line for r, line in zip(rows, lines[1:], strict=True))


cell = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(
    rows=st.lists(st.lists(cell, min_size=5, max_size=5), min_size=1, max_size=60),
    sample=st.integers(1, 10),
    width=st.integers(40, 120),
)
def test_any_cells_fit_the_width_and_no_kept_cell_is_cut(rows, sample, width):
    """Controls shown as escapes, long words, empty cells: never wider than the reader."""
    out = io.StringIO()
    saved, sys.stdout = sys.stdout, out
    try:
        os.environ["COLUMNS"] = str(width)
        printed = print_table_rows(HEADERS, ((r, None) for r in rows), sample=sample)
    finally:
        sys.stdout = saved
        os.environ.pop("COLUMNS", None)
    assert printed == len(rows)
    lines = out.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)


def test_eirules_due_streams_the_table_with_the_same_rows_and_summary(tmp_path, monkeypatch):
    """`eirules due` on the demo caseload: the streamed table lists what csv lists, and its
    summary line is the one the whole list gives."""
    run = caseload_cli(tmp_path, monkeypatch)
    run("cases", "import", EXAMPLES / "caseload")
    monkeypatch.setenv("COLUMNS", "80")
    day = ["--as-of", "2026-03-02", "--within", "all"]
    whole = run("due", *day).output.splitlines()
    monkeypatch.setattr(table_stream, "TABLE_SAMPLE", 5)
    streamed = run("due", *day).output.splitlines()
    rows = json.loads(run("due", *day, "--format", "json").output)
    assert len(rows) > 50
    # The summary (two lines at 80 columns once it counts "cannot compute" clocks, e.g. the
    # 300.320(c) notices the baseline cannot date), counted as the rows went by.
    summary = f"{len(rows)} items as of 2026-03-02"
    at = next(i for i, line in enumerate(streamed) if line.startswith(summary))
    assert streamed[at:] == whole[len(whole) - len(streamed) + at :]
    assert max(len(line) for line in streamed) <= 80
    text = "\n".join(streamed)
    for r in rows:
        assert r["case_id"] in text


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_other_formats_are_untouched(tmp_path, monkeypatch, fmt):
    run = caseload_cli(tmp_path, monkeypatch)
    run("cases", "import", EXAMPLES / "caseload")
    day = ["--as-of", "2026-03-02", "--format", fmt]
    before = run("overdue", *day).output
    monkeypatch.setattr(table_stream, "TABLE_SAMPLE", 5)
    assert run("overdue", *day).output == before


def test_cases_list_streams_the_table_with_every_case_and_the_same_count(tmp_path, monkeypatch):
    run = caseload_cli(tmp_path, monkeypatch)
    run("cases", "import", EXAMPLES / "caseload")
    monkeypatch.setenv("COLUMNS", "80")
    day = ["--as-of", "2026-03-02"]
    whole = run("cases", "list", *day).output.splitlines()
    monkeypatch.setattr(table_stream, "TABLE_SAMPLE", 5)
    streamed = run("cases", "list", *day).output.splitlines()
    assert streamed[-1] == whole[-1] == "240 cases as of 2026-03-02"
    assert max(len(line) for line in streamed) <= 80
    ids = [r["case_id"] for r in json.loads(run("cases", "list", *day, "--format", "json").output)]
    text = "\n".join(streamed)
    assert len(ids) == 240 and all(case_id in text for case_id in ids)


def test_a_later_row_wraps_a_longer_kept_cell_at_its_spaces_not_as_a_block(monkeypatch, capsys):
    """Past the sample, a kept cell longer than its column (a Days "1151 late, excused" after
    rows of "N left") wraps at its spaces as `column_widths` lets kept columns do, so the row
    stays in the table; a word too long for its column still makes a block."""
    rows = [_row(i) for i in range(10, 13)]  # "10 left": Days 7 wide
    rows.append(
        ["2026-03-04", "1151 late, excused", "SYN-C-00003", "Reevaluation", "Ava Fictional"]
    )
    lines = _printed(
        monkeypatch,
        capsys,
        lambda: print_table_rows(HEADERS, ((r, None) for r in rows), sample=2),
    )
    assert lines[-3:] == [
        "2026-03-04  1151     SYN-C-00003  Reevaluation          Ava Fictional",
        "            late,",
        "            excused",
    ]
