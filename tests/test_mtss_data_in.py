"""MTSS data in: vendor categories (R1), the one as-of view, and CSV import that rewrites nothing it did not change."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.plugins.mtss import datadir, rules
from eirules.plugins.mtss.models import Screening
from eirules.plugins.mtss.params import params_for

D = date
BUNDLED = datadir.bundled_dir()


@pytest.fixture
def school_dir(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(BUNDLED, target)
    return target


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), D(2026, 1, 15))


@pytest.mark.parametrize(
    "category, band, tier",
    [
        ("High Risk", "intervention", 2),  # FastBridge, below the 15th percentile
        ("some_risk", "on_watch", 1),
        ("Low Risk", "at_benchmark", 1),
        ("Well Below Benchmark", "urgent", 3),  # Acadience: likely to need intensive support
        ("Below Benchmark", "intervention", 2),
        ("intensive", "urgent", 3),  # DIBELS 8 support levels
        ("Well Below Average", "urgent", 3),  # aimswebPlus, 1st-10th percentile
        ("on_watch", "on_watch", 1),  # a band given as is
    ],
)
def test_r1_vendor_categories_map_to_the_rulesets_bands(p, category, band, tier):
    s = Screening(
        date=D(2026, 1, 12),
        window="winter",
        instrument="v",
        skill_area="reading",
        category=category,
    )
    r1 = rules.screening_band(s, p)
    assert (r1.decision, r1.evidence["suggested_tier"]) == (band, tier)
    assert r1.citation  # the vendor's page


def test_r1_unmapped_category_is_reported_not_guessed(p):
    s = Screening(
        date=D(2026, 1, 12),
        window="winter",
        instrument="v",
        skill_area="reading",
        category="purple",
    )
    r1 = rules.screening_band(s, p)
    assert r1.decision == rules.INSUFFICIENT and r1.evidence["suggested_tier"] is None
    assert "mtss.screening.category.purple" in r1.reasons[0]


def _set_category(school_dir, sid, category):
    f = school_dir / "students" / f"{sid}.json"
    data = json.loads(f.read_text())
    for s in data["mtss"]["screenings"]:
        s.pop("percentile", None)
        s["category"] = category
    f.write_text(json.dumps(data))


@pytest.mark.parametrize("category", ["high_risk", "purple"])
def test_screening_and_groups_suggest_do_not_crash_on_vendor_categories(school_dir, category):
    """Issue 18: `mtss screening` and `groups suggest` crashed on a category import accepts."""
    _set_category(school_dir, "ELM-001", category)
    res = run("mtss", "screening", "--dir", str(school_dir), "--as-of", "2026-01-20")
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("ELM-001") and "reading" in x)
    cells = re.split(r"\s{2,}", line)  # student, grade, skill, score, band, tier, R2
    if category == "high_risk":
        assert cells[3:6] == ['"high_risk"', "intervention", "2"]
    else:
        assert cells[4:6] == ["insufficient data", "?"]
    res = run("groups", "suggest", "--dir", str(school_dir), "--as-of", "2026-01-20")
    assert res.exit_code == 0, res.output
    if category == "purple":
        js = json.loads(
            run(
                "groups",
                "suggest",
                "--dir",
                str(school_dir),
                "--as-of",
                "2026-01-20",
                "--format",
                "json",
            ).output
        )
        why = dict((x["student"], x["reason"]) for x in js["not_candidates"])
        assert "no screening band" in why["ELM-001"]


def test_check_as_of_keeps_the_screening_band_in_force_then(engine):
    """Issue 18: `check --as-of` dropped the fall band when a winter screening existed."""
    case = engine.load_case(BUNDLED / "students" / "ELM-001.json")
    det = engine.evaluate(case, as_of=D(2025, 10, 1))
    r1 = [f for f in det.findings if f.rule.split(".")[1] == "R1"]
    assert {(f.inputs["window"], f.inputs["skill_area"]) for f in r1} == {
        ("fall", "reading"),
        ("fall", "math"),
    }
    det = engine.evaluate(case, as_of=D(2026, 2, 1))
    r1 = [f for f in det.findings if f.rule.split(".")[1] == "R1"]
    assert {f.inputs["window"] for f in r1} == {"winter"}


def test_programs_report_as_of_never_shows_later_screenings():
    """Issue 18: `programs report --as-of` listed screenings dated after the as-of date."""
    res = run("programs", "report", "--as-of", "2025-10-01", "--format", "json")
    assert res.exit_code == 0, res.output
    windows = {r["window"] for r in json.loads(res.output)["system"]}
    assert windows == {"fall"}


def _snapshot(folder):
    return {
        f.name: (f.read_bytes(), f.stat().st_mtime_ns)
        for f in sorted((folder / "students").glob("*.json"))
    }


@pytest.mark.parametrize("kind", ["screening", "sessions"])
def test_import_of_nothing_new_writes_no_file(school_dir, kind):
    """Issue 10: "0 added, 0 replaced" rewrote every student file."""
    before = _snapshot(school_dir)
    csv = school_dir / ("screening.csv" if kind == "screening" else "sessions.csv")
    res = run("mtss", "import", kind, str(csv), "--dir", str(school_dir))
    assert res.exit_code == 0 and "0 added, 0 replaced" in res.output, res.output
    assert _snapshot(school_dir) == before


def test_import_changes_only_the_imported_list_of_the_students_it_names(school_dir):
    """Issue 10: no `null` fields added, 93 stays 93, other students' files untouched."""
    before = _snapshot(school_dir)
    f = school_dir / "students" / "ELM-001.json"
    raw_before = json.loads(f.read_text())
    csv = school_dir / "new.csv"
    csv.write_text(
        "student_id,date,window,instrument,skill_area,percentile\n"
        "ELM-001,2026-06-08,spring,Star Reading,reading,93\n"
    )
    res = run("mtss", "import", "screening", str(csv), "--dir", str(school_dir))
    assert res.exit_code == 0 and "1 added, 0 replaced" in res.output, res.output
    after = _snapshot(school_dir)
    assert {n for n in after if after[n] != before[n]} == {"ELM-001.json"}
    raw_after = json.loads(f.read_text())
    new = raw_after["mtss"]["screenings"].pop()
    assert raw_after == raw_before
    assert new == {
        "date": "2026-06-08",
        "window": "spring",
        "instrument": "Star Reading",
        "skill_area": "reading",
        "percentile": 93,
    }
    assert '"percentile": 93\n' in f.read_text()


# --- Progress points, enrolments and phase changes from CSV ------------------------------


def test_import_points_phases_and_enrolments(school_dir):
    """Issue 18: points, phase changes and enrolments could only be hand-written in JSON."""
    f = school_dir / "students" / "ELM-001.json"
    sid = json.loads(f.read_text())["mtss"]["series"][0]["id"]
    pts = school_dir / "p.csv"
    pts.write_text(
        f"student_id,series,date,score\nELM-001,{sid},2026-06-08,61\nELM-001,{sid},2026-06-15,63\n"
    )
    res = run("mtss", "import", "points", str(pts), "--dir", str(school_dir))
    assert res.exit_code == 0 and "2 added, 0 replaced" in res.output, res.output
    again = run("mtss", "import", "points", str(pts), "--dir", str(school_dir))
    assert "0 added, 0 replaced" in again.output
    assert f.stat().st_mode & 0o777 == 0o600  # the rewritten student file: owner only
    ph = school_dir / "ph.csv"
    ph.write_text(
        f"student_id,series,date,label,adaptation\nELM-001,{sid},2026-06-08,smaller group,yes\n"
    )
    assert run("mtss", "import", "phases", str(ph), "--dir", str(school_dir)).exit_code == 0
    en = school_dir / "e.csv"
    en.write_text(
        "student_id,program,tier,skill_area,start,group,sessions_per_week,minutes_per_session\n"
        "ELM-001,INT,3,decoding,2026-06-08,G-INT-1,5,45\n"
    )
    res = run("mtss", "import", "enrolments", str(en), "--dir", str(school_dir))
    assert res.exit_code == 0 and "1 added" in res.output, res.output
    raw = json.loads(f.read_text())["mtss"]
    series = next(s for s in raw["series"] if s["id"] == sid)
    assert series["points"][-2:] == [
        {"date": "2026-06-08", "score": 61},
        {"date": "2026-06-15", "score": 63},
    ]
    assert series["phases"][-1] == {"date": "2026-06-08", "label": "smaller group"}
    assert raw["enrolments"][-1] == {
        "program": "INT",
        "tier": 3,
        "skill_area": "decoding",
        "start": "2026-06-08",
        "group": "G-INT-1",
        "sessions_per_week": 5,
        "minutes_per_session": 45,
    }


def test_import_points_for_an_unknown_series_or_bad_rows_writes_nothing(school_dir):
    before = _snapshot(school_dir)
    pts = school_dir / "p.csv"
    pts.write_text(
        "student_id,series,date,score\n"
        "ELM-001,nope,2026-06-08,61\n"
        "ELM-002,orf,2026-06-31,61\n"
        "ELM-002,orf,2026-06-08,lots\n"
    )
    res = CliRunner().invoke(cli, ["mtss", "import", "points", str(pts), "--dir", str(school_dir)])
    assert res.exit_code == 2, res.output
    assert 'has no series "nope"' in res.output and "is not a date" in res.output
    assert '"lots" is not a number' in res.output
    en = school_dir / "e.csv"
    en.write_text("student_id,program,tier,skill_area,start\nELM-001,INT,4,decoding,2026-06-08\n")
    res = CliRunner().invoke(
        cli, ["mtss", "import", "enrolments", str(en), "--dir", str(school_dir)]
    )
    assert res.exit_code == 2 and "4 is not a tier; expected 1, 2 or 3" in res.output
    assert _snapshot(school_dir) == before
