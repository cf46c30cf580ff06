"""CSV and HTML output never carry a control or bidi character, whatever the data holds.

QA found ESC written raw by `indicators --format csv` (a county), `--children --format csv`,
`--format html` (inside the chart's text) and `due --format csv` (a ruleset citation).
Input now refuses such text (tests/test_text_fields.py), but a caseload stored before,
or a plugin, may still hand one to a writer: every CSV goes through the one CSV writer
(cli/output.py `CsvWriter`, `csv_cell`) and every HTML or SVG value through the one
escaper (core/text.py `html_text`, `page_text`), which show it as a visible escape.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from helpers import caseload_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli import output as cli_output
from eirules.cli import output_rows
from eirules.core.text import UNSAFE, html_text, page_text, visible

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
#: Any text at all, and the characters QA used, more often.
ANY = st.text(st.characters(codec="utf-8") | st.sampled_from("\x1b\x07\x00\r\n\t\x85\u202e\u2066"))
CELL = ANY | st.integers() | st.floats(allow_nan=False) | st.none()


def unsafe_in(text: str, *, allowed: str = "\n") -> list[str]:
    return [c for c in UNSAFE.findall(text) if c not in allowed]


@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=5))
def test_any_value_through_the_csv_writer_gives_no_control_and_no_forged_row(rows):
    columns = ["a", "b", "c"]
    text = cli_output.csv_text([dict(zip(columns, r, strict=True)) for r in rows], columns)
    assert unsafe_in(text) == []  # only the writer's own row ends
    read = list(csv.reader(io.StringIO(text)))
    assert len(read) == len(rows) + 1  # no value broke a line
    for got, row in zip(read[1:], rows, strict=True):
        for cell, value in zip(got, row, strict=True):
            if isinstance(value, str):
                shown = visible(value)
                assert cell in (shown, "'" + shown)


@settings(max_examples=50)
@given(rows=st.lists(st.lists(CELL, min_size=2, max_size=2), min_size=1, max_size=4))
def test_a_streamed_listing_writes_the_same_safe_bytes(rows):
    records = [{"x": a, "y": b} for a, b in rows]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        output_rows.write_csv(iter(records), ("x", "y"))
    streamed = buffer.getvalue()
    assert streamed == cli_output.csv_text(records, ["x", "y"])
    assert unsafe_in(streamed) == []


@given(value=ANY | st.integers() | st.none())
def test_any_value_as_html_text_holds_no_control_nor_markup(value):
    text = html_text(value)
    assert unsafe_in(text) == []
    assert not set(text) & set("<>\"'")


@given(value=ANY)
def test_page_text_keeps_only_line_breaks(value):
    shown = page_text(value)
    assert unsafe_in(shown) == []
    assert shown.count("\n") == value.count("\n")


@settings(max_examples=50)
@given(value=ANY)
def test_the_plan_pages_templates_write_no_control(value):
    """Jinja's `finalize` (plugins/plans/report.py) runs every value through `page_text`."""
    from markupsafe import Markup

    from eirules.plugins.plans.report import _env

    template = _env().from_string('<p title="{{ v }}">{{ v }} {{ m }}</p>')
    page = template.render(v=value, m=Markup("<b>ok</b>") + value)
    assert unsafe_in(page) == []
    assert "<b>ok</b>" in page


def test_a_chart_of_the_mtss_report_writes_no_control():
    pytest.importorskip("matplotlib")
    from eirules.plugins.mtss.graphs import bar_chart_svg

    svg = bar_chart_svg(["Evil\x1b[31m", "B\u202eA"], [50.0, None], "T\x07", "y\x00")
    assert unsafe_in(svg) == [] and "Evil\\x1b[31m" in svg


# The worked repros: a caseload stored before the check ------------------------------------


@pytest.fixture
def old_store(tmp_path, monkeypatch):
    """A caseload whose stored case holds ESC in its county, district and provider, as a
    store written before the input check may: the writers must still be safe."""
    run = caseload_cli(tmp_path, monkeypatch, chdir=True)
    doc = json.loads((EXAMPLES / "pc-referrals.json").read_text())
    doc.update(county="Evil", district="Dist", provider="Prov")
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(doc))
    run("cases", "import", case_file)
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        for word in ("Evil", "Dist", "Prov"):
            conn.execute(
                "UPDATE case_documents SET document = replace(document, ?, ?)",
                (f'"{word}"', f'"{word}\\u001b[31m\\u0007\\u202e"'),
            )
    return run


@pytest.mark.parametrize(
    "args",
    [
        ("--by", "county", "--format", "csv"),
        ("--children", "--format", "csv"),
        ("--by", "county", "--format", "html"),
        ("--children", "--by", "provider", "--format", "html"),
    ],
)
def test_indicators_of_an_old_store_write_no_control(old_store, tmp_path, args):
    target = tmp_path / "out"
    old_store("indicators", "--year", "2025-26", *args, "--out", target)
    written = target.read_text(encoding="utf-8")
    assert unsafe_in(written) == []
    assert "\\x1b[31m\\x07\\u202e" in written  # shown, not dropped


def test_a_ruleset_citation_with_esc_through_the_due_listing_csv(capsys):
    """`due --format csv` writes through `emit`/`write_csv`: a citation a plugin or an old
    ruleset gives with ESC and BEL is shown as escapes."""
    output_rows.emit(
        "csv",
        iter([{"case_id": "T-1", "citation": "\x1b[31m34 CFR 303.310\x07"}]),
        ("case_id", "citation"),
        table=lambda: None,
    )
    out = capsys.readouterr().out
    assert out == "case_id,citation\nT-1,\\x1b[31m34 CFR 303.310\\x07\n"


# One writer each: no other way to write CSV or escape HTML --------------------------------

SOURCES = [
    p
    for folder in ("cli", "core", "plugins", "api")
    for p in sorted((ROOT / folder).rglob("*.py"))
    if "alembic" not in p.parts
]


def test_no_csv_writer_but_the_one():
    found = [
        str(p.relative_to(ROOT))
        for p in SOURCES
        if re.search(r"csv\.(writer|DictWriter)\(", p.read_text(encoding="utf-8"))
    ]
    assert found == ["cli/output.py"]


def test_no_html_escaper_but_the_one():
    pattern = re.compile(r"html\.escape\(|markupsafe import escape|jinja2\.Environment\(")
    found = sorted(
        str(p.relative_to(ROOT)) for p in SOURCES if pattern.search(p.read_text(encoding="utf-8"))
    )
    # The plan pages' one Jinja environment, which runs every value through `page_text`.
    assert found == ["core/text.py", "plugins/plans/report.py"]
    report = (ROOT / "plugins/plans/report.py").read_text(encoding="utf-8")
    assert "finalize=_page_value" in report and "autoescape=True" in report
