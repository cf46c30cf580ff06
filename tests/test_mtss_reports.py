"""The programs report a principal reads (issue 18): names, Kindergarten, no 0% bars for
missing data, "strengthen core" only below the criterion, effect sizes with their
uncertainty, students served, fidelity as delivery."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.plugins.mtss import report
from eirules.plugins.mtss.graphs import bar_chart_svg
from eirules.plugins.mtss.models import Enrolment, MtssRecord, Screening, Student
from eirules.plugins.mtss.params import params_for

D = date


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), D(2026, 1, 15))


def kid(grade, pr, enrol_tier=None):
    enrolments = ()
    if enrol_tier:
        enrolments = (
            Enrolment(program="P", tier=enrol_tier, skill_area="fluency", start=D(2025, 9, 22)),
        )
    return MtssRecord(
        student=Student(grade=grade, school="Elm"),
        screenings=(
            Screening(
                date=D(2025, 9, 8),
                window="fall",
                instrument="Star",
                skill_area="reading",
                percentile=pr,
            ),
        ),
        enrolments=enrolments,
    )


def test_strengthen_core_only_below_the_criterion_and_kindergarten_by_name(p):
    """R14 [S40][S41]: 4 of 5 at benchmark is 80%, the criterion: no flag; 3 of 5 is."""
    recs = {f"K{i}": kid(0, pr) for i, pr in enumerate([50, 60, 70, 45, 12])}
    recs |= {f"G{i}": kid(1, pr) for i, pr in enumerate([50, 60, 12, 20, 45])}
    rows = {r.grade: r for r in report.system_rows(recs, p)}
    assert not any("strengthen core" in f for f in rows[0].flags)
    assert any("strengthen core" in f for f in rows[1].flags)
    text = report.system_table_text(list(rows.values()))
    assert "Kindergarten" in text and "Grade 0" not in text


def test_students_served_are_counted_from_enrolments_not_from_the_screening(p):
    recs = {
        "A": kid(2, 12, enrol_tier=2),  # suggested Tier 2 and served
        "B": kid(2, 15),  # suggested Tier 2, not served
        "C": kid(2, 5, enrol_tier=3),
        "D": kid(2, 60, enrol_tier=2),  # served although at benchmark
    }
    (row,) = report.system_rows(recs, p)
    assert (row.tier2, row.served2, row.served3) == (0.5, 2, 1)


def test_effect_size_is_uncertain_with_few_students(p):
    """R14 "report with n and CI": d = 1.08 from 4 students has a 95% interval of about
    -0.4 to 2.6: not marked substantive; with 40 students the same d is."""
    lo, hi = report.effect_interval(1.08, 4)
    assert lo < 0 < hi
    lo40, _ = report.effect_interval(1.08, 40)
    assert lo40 >= 0.25


def test_a_group_without_data_gets_no_bar():
    svg = bar_chart_svg(["A / G1", "B / G2"], [None, 0.5], "Responder rate", "share")
    assert "no data" in svg


def test_cli_report_names_programs_and_never_calls_an_absence_the_programs_fidelity():
    res = CliRunner().invoke(cli, ["programs", "report", "--as-of", "2026-06-05"])
    assert res.exit_code == 0, res.output
    assert "Fluency Lab" in res.output and "Phonics Boost" in res.output
    assert "fidelity fidelity" not in res.output
    assert "uncertain, n=" in res.output


def test_group_fidelity_is_delivery_not_one_students_absence(engine, p):
    """Issue 18: one student absent seven weeks made the whole group's fidelity look poor.
    Two students, 8 weeks x 4 sessions all held; one attended 4 of 32: group 100%."""
    from eirules.plugins.mtss.models import Program, School, Session

    def rec(absent):
        days = [D(2026, 3, 2) + timedelta(days=7 * w + i) for w in range(8) for i in range(4)]
        logs = tuple(
            Session(
                date=d,
                status="student_absent" if absent and n >= 4 else "delivered",
                planned_minutes=30,
                minutes=0 if absent and n >= 4 else 30,
                group="G1",
            )
            for n, d in enumerate(days)
        )
        e = Enrolment(
            program="P",
            tier=2,
            skill_area="fluency",
            start=D(2026, 3, 2),
            group="G1",
            sessions_per_week=4,
            minutes_per_session=30,
        )
        return MtssRecord(student=Student(grade=2, school="Elm"), enrolments=(e,), sessions=logs)

    school = School(
        name="Elm", programs=(Program(id="P", name="Pals", skill_area="fluency", tier=2),)
    )
    rows = report.effectiveness({"A": rec(False), "B": rec(True)}, school, p, as_of=D(2026, 4, 26))
    group = next(r for r in rows if r.group == "G1")
    assert group.fidelity == 1.0 and group.program_name == "Pals"


# --- eirules mtss meeting ------------------------------------------------------------------


def test_meeting_agenda_groups_students_by_decision_with_a_page_each(tmp_path):
    page = tmp_path / "m.html"
    res = CliRunner().invoke(cli, ["mtss", "meeting", "--date", "2026-03-06", "--html", str(page)])
    assert res.exit_code == 0, res.output
    out = res.output
    order = [
        out.index(t)
        for t in (
            "Refer for evaluation (",
            "Intensify (Tier 3) (",
            "Change the plan (",
            "Continue (",
            "Exit (step down) (",
        )
    ]
    assert order == sorted(order)
    # ELM-005: dual discrepancy 8 weeks after a Tier 3 adaptation -> consider referral [S34]
    refer = out[out.index("Refer for evaluation (") : out.index("Intensify (Tier 3) (")]
    assert "ELM-005" in refer and "consider referral" in refer
    text = page.read_text()
    listed = sum(1 for line in out.splitlines() if line.startswith("  ELM-"))
    assert text.count("<section class='student'") == listed >= 10
    assert "<svg" in text and "Dosage" in text and "Fidelity and attendance" in text


def test_meeting_pdf_needs_chromium_and_says_so_before_any_work(tmp_path, monkeypatch):
    """Without Chromium, --pdf is refused while the options are read: no file, no agenda."""
    from eirules.cli import pdf

    monkeypatch.setattr(pdf, "find_browser", lambda: None)
    html, out = tmp_path / "m.html", tmp_path / "m.pdf"
    res = CliRunner().invoke(
        cli, ["mtss", "meeting", "--date", "2026-03-06", "--html", str(html), "--pdf", str(out)]
    )
    assert res.exit_code == 1, res.output
    assert res.output.startswith("Error: cannot write a PDF: no Chromium found\n")
    assert "MTSS data meeting" not in res.output
    assert not out.exists() and not html.exists()


PAGE_COMMANDS = {
    "meeting": ["mtss", "meeting", "--date", "2026-03-06"],
    "packet": ["mtss", "packet", "ELM-005", "--as-of", "2026-04-21"],
    "programs": ["programs", "report", "--as-of", "2026-06-05"],
}


@pytest.mark.parametrize("command", sorted(PAGE_COMMANDS))
def test_mtss_pages_are_written_readable_by_the_owner_only(tmp_path, command):
    """Pages naming children go through the one 0600 writer, as `cases export` does;
    "Wrote FILE" goes to stderr."""
    import stat

    page = tmp_path / f"{command}.html"
    res = CliRunner().invoke(cli, [*PAGE_COMMANDS[command], "--html", str(page)])
    assert res.exit_code == 0, res.output
    assert stat.S_IMODE(page.stat().st_mode) == 0o600
    assert f"Wrote {page}" in res.stderr and f"Wrote {page}" not in res.stdout
    assert page.read_text().lstrip().lower().startswith("<!doctype html")
    assert [p.name for p in tmp_path.iterdir()] == [page.name]  # no temporary file left


@pytest.mark.parametrize("command", sorted(PAGE_COMMANDS))
def test_mtss_page_into_a_missing_folder_is_refused_before_any_work(tmp_path, command):
    target = tmp_path / "nowhere" / "x.pdf"
    res = CliRunner().invoke(cli, [*PAGE_COMMANDS[command], "--pdf", str(target)])
    assert res.exit_code == 2
    assert res.output == (
        f"Error: cannot write {target}\n"
        f"  --pdf: the folder {target.parent} does not exist; create it or choose another file\n"
    )


def test_programs_report_json_with_html_keeps_stdout_json(tmp_path):
    import json

    page = tmp_path / "r.html"
    res = CliRunner().invoke(
        cli, ["programs", "report", "--as-of", "2026-06-05", "--format", "json", "--html", page]
    )
    assert res.exit_code == 0, res.output
    assert set(json.loads(res.stdout)) == {"programs", "system"}
    assert page.is_file()


def test_meeting_and_programs_pdf_are_printed_by_chromium_owner_only(tmp_path):
    import stat

    from eirules.cli.pdf import find_browser

    if find_browser() is None:
        pytest.skip("no chromium on PATH (apt-get install chromium)")
    for name, args in (("m", PAGE_COMMANDS["meeting"]), ("r", PAGE_COMMANDS["programs"])):
        pdf = tmp_path / f"{name}.pdf"
        res = CliRunner().invoke(cli, [*args, "--pdf", str(pdf)])
        assert res.exit_code == 0, res.output
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf", "r.pdf"]


# --- The progress graph as eduCLIMBER / FastBridge users read it, and the family version ----


def test_progress_graph_names_student_and_measure_with_seasonal_benchmarks(tmp_path):
    res = CliRunner().invoke(
        cli, ["progress", "ELM-001", "--as-of", "2026-03-06", "--out", str(tmp_path), "--parent"]
    )
    assert res.exit_code == 0, res.output
    svg = (tmp_path / "ELM-001-orf-elm-001.svg").read_text()
    assert "Jun B. (fictional)" in svg and "Oral reading fluency (words correct per minute)" in svg
    assert "winter 29" in svg  # grade 1 winter, Hasbrouck & Tindal 2017 (no fall value)
    assert "goal 57" in svg and "by 2026-05-25" in svg
    family = (tmp_path / "ELM-001-orf-elm-001-parent.svg").read_text()
    assert "How Jun is doing" in family and "the path to the goal" in family
    assert "trend" not in family and "aimline" not in family
    assert "For the family: The last score was 48" in res.output


def test_sld_evidence_packet_page_shows_the_data_missing_parts_and_signatures(tmp_path):
    """34 CFR 300.309(a)(1), (b)(1)-(2), 300.310, 300.311(a)(7), (b): ELM-005 after the
    parent's request; observation and regular-instruction data are still missing."""
    page = tmp_path / "p.html"
    res = CliRunner().invoke(
        cli, ["mtss", "packet", "ELM-005", "--as-of", "2026-04-21", "--html", str(page)]
    )
    assert res.exit_code == 0, res.output
    text = page.read_text()
    assert "observation in the regular classroom, 300.310" in text
    assert "300.309(b)(1)" in text and "basic reading skill" in text
    assert "<svg" in text and "Team certification (300.311(b))" in text
    assert "Minutes a week" in text and "225" in text  # INT 5 x 45
    res = CliRunner().invoke(
        cli, ["mtss", "packet", "ELM-999", "--as-of", "2026-04-21", "--html", str(page)]
    )
    assert res.exit_code == 2 and 'no student "ELM-999"' in res.output


def test_programs_report_minutes_per_responder_names_its_unit():
    """`programs report` prints "Min/responder: 13020 min", not a bare 13020."""
    from types import SimpleNamespace

    from eirules.plugins.mtss.report import COLUMNS

    cell = dict(COLUMNS)["Min/responder"]
    assert cell(SimpleNamespace(minutes_per_responder=13020.4)) == "13020 min"
    assert cell(SimpleNamespace(minutes_per_responder=None)) == ""


def test_progress_graphs_name_the_student_and_are_written_owner_only(tmp_path):
    """Issue 14/18: the SVG holds the student's name, so it and the PNG are private files
    (34 CFR 300.623: safeguards for personally identifiable information), like the pages."""
    import stat

    out = tmp_path / "graphs"
    res = CliRunner().invoke(
        cli, ["progress", "ELM-005", "--as-of", "2026-06-05", "--out", str(out), "--parent"]
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "ELM-005-orf-elm-005-parent.png",
        "ELM-005-orf-elm-005-parent.svg",
        "ELM-005-orf-elm-005.png",
        "ELM-005-orf-elm-005.svg",
    ]  # no temporary file left beside them
    for name in names:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    assert (out / "ELM-005-orf-elm-005.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "ELM-005-orf-elm-005.svg").read_text()
    assert "(ELM-005)" in svg and "<svg" in svg


def test_private_writer_leaves_the_old_file_when_writing_fails(tmp_path):
    """All or nothing: a failure half-way leaves the old file and no temporary file."""
    from eirules.core.private_files import open_private

    target = tmp_path / "record.json"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), open_private(target) as handle:
        handle.write("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]
