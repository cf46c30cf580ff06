"""Meeting records hold only what can have happened; a notice sending replaces the last.

34 CFR 300.322(a)-(b) and 303.342(d) judge a written notice "early enough" from the
day it was sent, and parent participation from who attended: a notice sent after
today, or a parent "attended" at a meeting not yet held, would let `meetings check`
report a rule met on something that has not happened. Nothing happens to a child
before birth, and an IEP meeting is Part B's (300.320-300.324): a Part C-only case
does not take one. Each is refused with nothing written.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from eirules.cli import cli

EXAMPLES = Path(__file__).parent.parent / "examples" / "plans"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
NEXT_MONTH = (date.today() + timedelta(days=30)).isoformat()


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def iep(tmp_path):
    return Path(shutil.copy(EXAMPLES / "pb-iep-goals.json", tmp_path / "case.json"))


@pytest.fixture
def ifsp(tmp_path):
    return Path(shutil.copy(EXAMPLES / "pc-ifsp-outcomes.json", tmp_path / "c.json"))


def _meeting(path, meeting_id):
    plans = json.loads(path.read_text())["plans"]
    return next(m for m in plans["meetings"] if m["id"] == meeting_id)


def test_300_322_b_notice_sent_after_today_is_refused(iep, tmp_path):
    before = iep.read_bytes()
    out = tmp_path / "n.html"
    result = run(
        "meetings", "notice", iep, "iep-review-2026-02", "--sent", TOMORROW, "--out", out, code=2
    )
    assert f"plans.meetings[0].notice.sent: {TOMORROW} is in the future" in result.output
    assert iep.read_bytes() == before
    assert not out.exists()


def test_300_322_b_a_new_sending_keeps_nothing_of_the_old_notice(iep, tmp_path):
    """The example's notice was sent 2026-02-11 "letter home"; a new sending with no
    --method must not say it went as a letter home."""
    run("meetings", "notice", iep, "iep-review-2026-02", "--sent", "2026-02-01",
        "--out", tmp_path / "n.html")  # fmt: skip
    notice = _meeting(iep, "iep-review-2026-02")["notice"]
    assert notice["sent"] == "2026-02-01"
    assert "method" not in notice
    assert set(notice) == {"sent", "includes"}


def test_notice_with_pdf_and_no_chromium_writes_nothing(iep, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("EIRULES_CHROMIUM", raising=False)
    before = iep.read_bytes()
    out, pdf = tmp_path / "n.html", tmp_path / "n.pdf"
    result = run("meetings", "notice", iep, "iep-review-2026-02", "--sent", "2026-02-01",
                 "--out", out, "--pdf", pdf, code=1)  # fmt: skip
    assert "no Chromium found" in result.output
    assert iep.read_bytes() == before
    assert not out.exists() and not pdf.exists()


def test_plans_report_with_pdf_and_no_chromium_writes_no_html(iep, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("EIRULES_CHROMIUM", raising=False)
    out, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    run("plans", "report", iep, "--out", out, "--pdf", pdf, code=1)
    assert not out.exists() and not pdf.exists()


def test_300_322_a_attended_a_meeting_not_yet_held_is_refused(ifsp):
    run("meetings", "schedule", ifsp, "--kind", "ifsp_annual", "--date", NEXT_MONTH)
    mid = f"ifsp-annual-{NEXT_MONTH}"
    before = ifsp.read_bytes()
    result = run("meetings", "participant", ifsp, mid, "--name", "Sra. Ficticia",
                 "--role", "parent", "--attended", code=2)  # fmt: skip
    assert "no one has attended it yet" in result.output
    assert ifsp.read_bytes() == before
    # Invited ahead (no attendance yet) is fine.
    run("meetings", "participant", ifsp, mid, "--name", "Sra. Ficticia", "--role", "parent")


def test_a_meeting_before_the_childs_birth_is_refused(ifsp):
    before = ifsp.read_bytes()
    result = run("meetings", "schedule", ifsp, "--kind", "ifsp_review", "--date", "1901-01-01",
                 code=2)  # fmt: skip
    assert "1901-01-01 is before the child's birth" in result.output
    assert "2024-12-03" not in result.output  # the birth date is personal: not said
    assert ifsp.read_bytes() == before


def test_300_320_an_iep_meeting_on_a_part_c_only_case_is_refused(ifsp, iep):
    before = ifsp.read_bytes()
    result = run("meetings", "schedule", ifsp, "--kind", "iep_annual", "--date", "2026-10-01",
                 code=2)  # fmt: skip
    assert "is a Part C case" in result.output and "ifsp_annual" in result.output
    assert ifsp.read_bytes() == before
    run("meetings", "schedule", iep, "--kind", "iep_annual", "--date", "2026-10-01")
    # 300.323(b): an IFSP may serve a Part B child aged 3 through 5.
    run("meetings", "schedule", iep, "--kind", "ifsp_review", "--date", "2026-10-02")


def test_cases_import_refuses_a_notice_sent_after_today_too(tmp_path, monkeypatch):
    """The same check on every way in: `cases import` refuses the file the command would."""
    from helpers import caseload_cli

    invoke = caseload_cli(tmp_path, monkeypatch)
    doc = json.loads((EXAMPLES / "pb-iep-goals.json").read_text())
    doc["plans"]["meetings"][0]["notice"]["sent"] = TOMORROW
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "case.json").write_text(json.dumps(doc))
    result = invoke("cases", "import", folder, code=2)
    assert "notice.sent" in result.output
