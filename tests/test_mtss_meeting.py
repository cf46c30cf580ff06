"""The data-meeting agenda shows what the rules say next to R8's decision (qa18 #3) and
the enrolment open on the meeting date after a change of group (qa18 #5)."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from eirules.cli import cli

ELM = Path(__file__).resolve().parent.parent / "examples" / "mtss" / "elm-street"


def _school(tmp_path) -> Path:
    school = tmp_path / "school"
    shutil.copytree(ELM, school)
    return school


def _page(html: str, student: str) -> str:
    return next(s for s in html.split("<section")[1:] if f"{student}," in s)


def test_the_agenda_flags_overdue_monitoring_and_the_rules_disagreeing_next_to_maintain(
    tmp_path,
):
    """ELM-017 was listed under Continue, "maintain", with no word that monitoring is
    overdue (R9), that her last 4 points are below the aimline (R4) or that the trend
    does not reach the goal (R5), all of which `progress` prints."""
    school, page = _school(tmp_path), tmp_path / "m.html"
    res = CliRunner().invoke(
        cli,
        ["mtss", "meeting", "--date", "2026-06-05", "--dir", str(school), "--html", str(page)],
    )
    assert res.exit_code == 0, res.output
    cautions = [
        "R9 monitoring overdue: Last point 2026-04-27; Tier 2 expects a point every 14 days, "
        "so one was due by 2026-05-11: overdue.",
        "R4 and R5 disagree: The last 4 points are all below the aimline: change or intensify "
        "instruction. R5 says continue.",
        "R5: Projected 76.1 on 2026-05-25 against goal 82: not on track.",
    ]
    lines = res.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  ELM-017"))
    assert "maintain" in lines[at]
    assert lines[at + 1 : at + 4] == [f"      ! {c}" for c in cautions]
    mine = _page(page.read_text(), "ELM-017")
    assert "<ul class='cautions'>" + "".join(f"<li>{c}</li>" for c in cautions) + "</ul>" in mine
    # The same rule results `progress` prints.
    res = CliRunner().invoke(
        cli, ["progress", "ELM-017", "--as-of", "2026-06-05", "--dir", str(school), "--no-graph"]
    )
    assert "R9 overdue: Last point 2026-04-27" in res.output


def test_after_a_change_of_group_the_agenda_shows_the_open_enrolment(tmp_path):
    """ELM-001 moved from G-PHON-1 (ended 2025-12-19) to G-FLU-1: the agenda said "No open
    enrolment" and showed only the old group's fidelity."""
    school, page = _school(tmp_path), tmp_path / "m.html"
    csv = tmp_path / "e.csv"
    csv.write_text(
        "student_id,program,tier,skill_area,start,group,end,sessions_per_week,"
        "minutes_per_session,outcome\n"
        "ELM-001,FLU,2,fluency,2026-01-05,G-FLU-1,,3,30,\n"
        "ELM-001,PHON,2,decoding,2025-09-22,G-PHON-1,2025-12-19,4,30,responded\n"
    )
    runner = CliRunner()
    res = runner.invoke(cli, ["mtss", "import", "enrolments", str(csv), "--dir", str(school)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        cli,
        ["mtss", "meeting", "--date", "2026-06-05", "--dir", str(school), "--html", str(page)],
    )
    assert res.exit_code == 0, res.output
    mine = _page(page.read_text(), "ELM-001")
    assert (
        "<h3>Dosage</h3><ul><li>FLU / G-FLU-1, Tier 2, since 2026-01-05, 3 x 30 min a week"
        "</li></ul>" in mine
    )
    assert "No open enrolment" not in mine
    fid = mine[mine.index("<h3>Fidelity and attendance</h3>") : mine.index("<h3>Notes</h3>")]
    assert fid == (
        "<h3>Fidelity and attendance</h3><ul>"
        "<li>G-FLU-1: 0 of 63 planned sessions held (0%) and 0 of 1890 planned minutes (0%) "
        "(3/week x 21 full weeks); the student attended 0 of 0.</li>"
        "<li>G-PHON-1: 46 of 48 planned sessions held (96%) and 1365 of 1440 planned minutes "
        "(95%) (4/week x 12 full weeks); the student attended 46 of 46 (100%). "
        "(ended 2025-12-19)</li></ul>"
    )
