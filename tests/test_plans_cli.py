"""`eirules plans`, `meetings`, `contacts`: files changed whole or not at all; pages people read."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli

from eirules.cli import cli
from eirules.core.convert import case_to_dict
from eirules.plugins.plans.report import render_progress_report

EXAMPLES = Path(__file__).parent.parent / "examples" / "plans"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def run(*args, code=0):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def iep(tmp_path):
    return Path(shutil.copy(EXAMPLES / "pb-iep-goals.json", tmp_path / "case.json"))


def test_examples_round_trip_through_the_converter(engine):
    for path in EXAMPLES.glob("*.json"):
        original = json.loads(path.read_text())
        again = case_to_dict(engine.load_case(path))
        assert again["plans"] == _normalised(original["plans"], engine), path.name


def _normalised(plans, engine):
    """The section as the converter writes it (defaults left out), for comparison."""
    case = engine.case_from_dict({"id": "X", "child": {"birth_date": "2010-01-01"}, "plans": plans})
    return case_to_dict(case)["plans"]


def test_every_plans_field_survives_the_caseload_store(tmp_path, monkeypatch, engine):
    """cases import then cases export: the `plans` section comes back field for field."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    for path in EXAMPLES.glob("*.json"):
        invoke("cases", "import", path)
        case_id = json.loads(path.read_text())["id"]
        out = tmp_path / f"{case_id}.json"
        invoke("cases", "export", case_id, "-o", out)
        exported = json.loads(out.read_text())
        assert exported["plans"] == case_to_dict(engine.load_case(path))["plans"], path.name


def test_plans_show_lists_each_goal_with_its_status(iep):
    rows = json.loads(run("plans", "show", iep, "--as-of", "2026-02-20", "--format", "json").output)
    assert [(r["goal"], r["status"], r["latest"]) for r in rows] == [
        ("reading-fluency", "on_track", 67),
        ("math-facts", "not_on_track", 13),
    ]


def test_meetings_check_exits_1_on_a_broken_rule_and_names_it(iep):
    out = run("meetings", "check", iep, "--as-of", "2026-02-20", "--format", "csv", code=1).output
    assert (
        "iep-review-2026-02,plans.meeting.iep_team.regular_education_teacher,not_met,"
        "34 CFR 300.321(a)(2); 34 CFR 300.321(e)(2)," in out
    )


def test_schedule_participant_contact_then_check(tmp_path):
    path = Path(shutil.copy(EXAMPLES / "pc-ifsp-outcomes.json", tmp_path / "c.json"))
    run(
        "meetings",
        "schedule",
        path,
        "--kind",
        "ifsp_annual",
        "--date",
        "2026-10-01",
        "--time",
        "10:00",
        "--location",
        "family home",
        "--language",
        "Spanish",
        "--family-language",
        "Spanish",
    )
    mid = "ifsp-annual-2026-10-01"
    run(
        "meetings",
        "participant",
        path,
        mid,
        "--name",
        "Sra. Ficticia",
        "--role",
        "parent",
        "--attended",
    )
    run(
        "meetings",
        "participant",
        path,
        mid,
        "--name",
        "Ana Ejemplo",
        "--role",
        "service_coordinator",
        "--attended",
    )
    run(
        "meetings",
        "participant",
        path,
        mid,
        "--name",
        "Eva Prueba",
        "--role",
        "evaluator",
        "--absent",
        "--other-means",
        "telephone conference call",
    )
    run(
        "contacts",
        "add",
        path,
        "--date",
        "2026-09-10",
        "--method",
        "call",
        "--person",
        "mother",
        "--topic",
        "annual IFSP",
        "--meeting",
        mid,
    )
    rows = json.loads(
        run("meetings", "check", path, "--as-of", "2026-10-02", "--format", "json").output
    )
    mine = {r["rule"]: r["outcome"] for r in rows if r["meeting"] == mid}
    assert mine["plans.meeting.ifsp_participants.evaluator"] == "met"
    assert mine["plans.meeting.notice"] == "needs_information"
    contacts = json.loads(run("contacts", "list", path, "--format", "json").output)
    assert contacts[-1]["meeting"] == mid


def test_a_refused_change_leaves_the_file_byte_for_byte(iep):
    before = iep.read_bytes()
    run(
        "meetings",
        "participant",
        iep,
        "iep-review-2026-02",
        "--name",
        "X",
        "--role",
        "teacher",
        code=2,
    )
    out = run(
        "meetings",
        "schedule",
        iep,
        "--kind",
        "iep_review",
        "--date",
        "2026-02-12",
        "--id",
        "iep-review-2026-02",
        code=2,
    ).output
    assert 'already has a meeting "iep-review-2026-02"' in out
    run(
        "meetings", "participant", iep, "no-such-meeting", "--name", "X", "--role", "parent", code=2
    )
    assert iep.read_bytes() == before
    assert not list(iep.parent.glob(".*.tmp"))


def test_plans_import_csv_adds_points_once_and_refuses_bad_rows_whole(iep, tmp_path):
    good = tmp_path / "points.csv"
    good.write_text(
        "goal,date,value,by\nmath-facts,2026-02-16,15,interventionist\n"
        "math-facts,2026-02-23,17,interventionist\n"
    )
    assert (
        "2 rows added, 0 already there"
        in run("plans", "import", iep, good, "--kind", "points").output
    )
    assert (
        "0 rows added, 2 already there"
        in run("plans", "import", iep, good, "--kind", "points").output
    )
    # The rewritten case file holds the child's record: owner only (34 CFR 300.623).
    assert Path(iep).stat().st_mode & 0o777 == 0o600
    doc = json.loads(iep.read_text())
    math = next(g for g in doc["plans"]["goals"] if g["id"] == "math-facts")
    assert math["points"][-1] == {"date": "2026-02-23", "value": 17, "by": "interventionist"}
    before = iep.read_bytes()
    for text, says in [
        ("goal,date,value\nmath-facts,2026-02-30,3\n", "line 2: date"),
        ("goal,date,value\nmath-facts,2026-03-02,\u0663\u0661\n", "line 2: value"),
        ("goal,date,value\nspelling,2026-03-02,4\n", 'no goal "spelling"'),
        ("goal,date,score\nmath-facts,2026-03-02,4\n", "missing column value"),
    ]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        assert says in run("plans", "import", iep, bad, "--kind", "points", code=2).output
    assert iep.read_bytes() == before


def test_report_escapes_hostile_text(engine, tmp_path):
    data = json.loads((EXAMPLES / "pb-iep-goals.json").read_text())
    data["child"]["name"] = "<script>alert(1)</script>"
    data["plans"]["goals"][0]["notes"][0]["text"] = '</blockquote><img src=x onerror="x()">'
    case = engine.case_from_dict(data)
    from datetime import date

    from eirules.plugins.plans import record_of
    from eirules.plugins.plans.progress import goal_progress

    rec = record_of(case)
    gp = [goal_progress(g, engine.ruleset_for(case), date(2026, 2, 20)) for g in rec.goals]
    html = render_progress_report(case, gp, rec.contacts, None, date(2026, 2, 20), "en")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_report_unknown_period_and_unwritable_out_are_clear_errors(iep, tmp_path):
    out = run(
        "plans", "report", iep, "--period", "2025-26 Q9", "--out", tmp_path / "r.html", code=2
    ).output
    assert 'no reporting period "2025-26 Q9"' in out
    out = run(
        "plans",
        "report",
        iep,
        "--period",
        "2025-26 Q2",
        "--out",
        tmp_path / "missing" / "r.html",
        code=2,
    ).output
    assert "--out" in out and "Traceback" not in out


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
@pytest.mark.parametrize("lang,expect", [("en", "On track"), ("es", "Va por buen camino")])
def test_progress_report_renders_in_chromium_with_every_point(iep, tmp_path, lang, expect):
    """The page as a browser builds it: the status, the goal, one dot per measurement."""
    out = tmp_path / f"r-{lang}.html"
    run(
        "plans",
        "report",
        iep,
        "--period",
        "2025-26 Q3",
        "--lang",
        lang,
        "--out",
        out,
        "--pdf",
        tmp_path / "r.pdf",
    )
    dom = _dump_dom(out)
    assert expect in dom
    assert "Milo will read a grade 3 passage aloud" in dom
    doc = json.loads(iep.read_text())
    points = sum(len(g["points"]) for g in doc["plans"]["goals"])
    # each graph: the target circle plus one dot per measurement dated by the period's end
    assert dom.count("<circle") == points + len(doc["plans"]["goals"])
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")
def test_spanish_meeting_notice_renders_in_chromium(tmp_path):
    out = tmp_path / "aviso.html"
    run(
        "meetings",
        "notice",
        EXAMPLES / "pc-ifsp-outcomes.json",
        "ifsp-review-2026-04",
        "--lang",
        "es",
        "--out",
        out,
    )
    dom = _dump_dom(out)
    for words in (
        "Invitación a una reunión",
        "6 de abril de 2026",
        "Coordinador de servicios",
        "Sus derechos",
        "34 CFR 303.342(d)",
    ):
        assert words in dom


def _dump_dom(page: Path) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
    return done.stdout


def test_stored_case_reads_are_on_the_record_of_access(tmp_path, monkeypatch):
    """plans show / contacts list take a stored case's id; cases show lists the contacts."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", EXAMPLES / "pb-iep-goals.json")
    rows = json.loads(
        invoke(
            "plans",
            "show",
            "PB-PLAN-01",
            "--as-of",
            "2026-02-20",
            "--format",
            "json",
            "--purpose",
            "IEP review",
        ).output
    )
    assert [r["status"] for r in rows] == ["on_track", "not_on_track"]
    shown = invoke("cases", "show", "PB-PLAN-01").output
    assert "Parent contacts" in shown and "math review meeting" in shown
    access = invoke("audit", "access", "--case", "PB-PLAN-01", "--format", "json").output
    assert "plans show" in access and "IEP review" in access
    assert "no case" in invoke("plans", "show", "NO-SUCH", code=2).output.lower()


def test_people_output_fits_80_columns(iep, monkeypatch):
    """plans show, meetings check and contacts list on an 80-column terminal: nothing wider."""
    monkeypatch.setenv("COLUMNS", "80")
    for args, code in [
        (("plans", "show", iep, "--as-of", "2026-02-20"), 0),
        (("meetings", "check", iep, "--as-of", "2026-02-20"), 1),
        (("contacts", "list", iep), 0),
    ]:
        out = run(*args, code=code).output
        assert max(len(line) for line in out.splitlines()) <= 80, args
    out = run("meetings", "check", iep, "--as-of", "2026-02-20", code=1).output
    assert "not met: plans.meeting.iep_team.regular_education_teacher" in out


def test_contacts_list_shows_outcome_by_and_meeting_within_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = CliRunner().invoke(cli, ["contacts", "list", str(EXAMPLES / "pb-iep-goals.json")]).output
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "outcome" in lines[1] and "by" in lines[1] and "meeting" in lines[1]
    assert "iep-review-2026-02" in out and "case" in out and "agreed to" in out
    monkeypatch.setenv("COLUMNS", "50")
    narrow = (
        CliRunner().invoke(cli, ["contacts", "list", str(EXAMPLES / "pb-iep-goals.json")]).output
    )
    assert "outcome" in narrow and "left out to fit 50 columns" in narrow


def test_a_contact_dated_after_today_is_refused_and_the_file_is_untouched(iep):
    """The contact log records attempts that were made (34 CFR 300.322(d)): like an event,
    one dated after today is refused, on `contacts add` as on `cases import`."""
    from datetime import date, timedelta

    before = iep.read_bytes()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = run(
        "contacts", "add", iep, "--date", tomorrow, "--method", "call",
        "--person", "mother", "--topic", "annual review", code=2,
    )  # fmt: skip
    assert f"plans.contacts[2].date: {tomorrow} is in the future" in result.output
    assert iep.read_bytes() == before
    today = date.today().isoformat()
    run("contacts", "add", iep, "--date", today, "--method", "call", "--person", "mother",
        "--topic", "annual review")  # fmt: skip


def test_a_progress_point_in_the_case_file_dated_after_today_is_refused(iep, tmp_path):
    """A goal's points and notes are measurements taken: `plans import` refuses one dated
    after today, and so does every way a whole case file comes in (`check` here), with
    the path of the point; the file is not changed."""
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    data = json.loads(iep.read_text())
    data["plans"]["goals"][0]["points"].append({"date": tomorrow, "value": 50})
    data["plans"]["goals"][0].setdefault("notes", []).append({"date": tomorrow, "text": "ok"})
    iep.write_text(json.dumps(data))
    before = iep.read_bytes()
    result = run("check", iep, code=2)
    points = len(data["plans"]["goals"][0]["points"]) - 1
    notes = len(data["plans"]["goals"][0]["notes"]) - 1
    assert f"plans.goals[0].points[{points}].date: {tomorrow} is in the future" in result.output
    assert f"plans.goals[0].notes[{notes}].date: {tomorrow} is in the future" in result.output
    assert iep.read_bytes() == before


@pytest.mark.parametrize("lang, reference", [("en", "Case reference: "), ("es", "Referencia")])
def test_family_pages_do_not_claim_the_child_is_fictional(engine, lang, reference):
    """A report and a notice go to a real family: their footer gives the case reference,
    not the examples' "all children and families are fictional" (QA low)."""
    from datetime import date

    from eirules.plugins.plans import record_of
    from eirules.plugins.plans.progress import goal_progress
    from eirules.plugins.plans.report import render_notice

    case = engine.case_from_dict(json.loads((EXAMPLES / "pb-iep-goals.json").read_text()))
    rec = record_of(case)
    gp = [goal_progress(g, engine.ruleset_for(case), date(2026, 2, 20)) for g in rec.goals]
    pages = [render_progress_report(case, gp, rec.contacts, None, date(2026, 2, 20), lang)]
    pages += [render_notice(case, m, lang) for m in rec.meetings[:1]]
    assert len(pages) == 2
    for html in pages:
        # (The example child's surname is Fictional; the claim is what must go.)
        assert "are fictional" not in html and "son ficticios" not in html
        assert f"{reference}" in html and case.id in html


def test_a_progress_report_clock_names_its_period_once(tmp_path, monkeypatch):
    """34 CFR 300.320(a)(3)(ii): the report of the 2025-26 Q3 period, due 2026-04-03, not
    sent. The period is the clock's subject, which every listing adds to the label, so the
    label is the report alone (it said "(2025-26 Q3) (2025-26 Q3)")."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", EXAMPLES / "pb-iep-goals.json")
    rows = json.loads(invoke("due", "--as-of", "2026-04-10", "--format", "json").output)
    report = [(r["label"], r["subject"]) for r in rows if r["clock"] == "plans_progress_report"]
    assert report == [("Progress report to the parents", "2025-26 Q3")]
    table = invoke("due", "--as-of", "2026-04-10").output
    assert table.count("Progress report to the parents (2025-26 Q3)  ") == 1
    assert "(2025-26 Q3) (2025-26 Q3)" not in table
    invoke("evaluate", "--all", "--as-of", "2026-04-10")
    shown = invoke("cases", "show", "PB-PLAN-01").output.splitlines()
    assert [line for line in shown if "Progress report" in line] == [
        "  2026-01-30  met             Progress report to the parents (2025-26 Q2)"
        "  [34 CFR 300.320(a)(3)(ii)]",
        "  2026-04-03  overdue         Progress report to the parents (2025-26 Q3)"
        "  [34 CFR 300.320(a)(3)(ii)]",
    ]
