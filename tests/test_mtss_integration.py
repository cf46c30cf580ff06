"""MTSS in the core: case-file section round trip, clocks, Part B referral, grouping, CSV, CLI."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.convert import case_to_dict
from eirules.core.errors import EirulesError, InputError
from eirules.plugins.mtss import datadir, grouping
from eirules.plugins.mtss.models import (
    Interventionist,
    MtssRecord,
    Program,
    School,
    Screening,
    Student,
)
from eirules.plugins.mtss.params import params_for

D = date
BUNDLED = datadir.bundled_dir()


def mtss_case(**extra):
    weekly = [
        {"date": f"2025-{m:02d}-{d:02d}", "score": s}
        for (m, d), s in zip(
            [(9, 29), (10, 6), (10, 13), (10, 20), (10, 27), (11, 3)],
            [41, 43, 42, 41, 42, 43],
            strict=True,
        )
    ]
    data = {
        "id": "ELM-T1",
        "ruleset": extra.pop("ruleset", "mtss"),
        "child": {"birth_date": "2018-03-01"},
        "events": extra.pop("events", []),
        "mtss": {
            "student": {"grade": 2, "school": "Elm", "availability": ["A"]},
            "screenings": [
                {
                    "date": "2025-09-05",
                    "window": "fall",
                    "instrument": "Star",
                    "skill_area": "reading",
                    "percentile": 18,
                }
            ],
            "enrolments": [
                {
                    "program": "PHON",
                    "tier": 2,
                    "skill_area": "decoding",
                    "start": "2025-09-22",
                    "group": "G1",
                }
            ],
            "series": [
                {
                    "id": "orf",
                    "measure": "orf",
                    "skill_area": "decoding",
                    "tier": 2,
                    "baseline": 40,
                    "baseline_date": "2025-09-22",
                    "goal": 70,
                    "goal_date": "2026-02-09",
                    "points": weekly,
                }
            ],
        },
    }
    return data


def test_mtss_section_round_trips_through_the_core_converter(engine):
    case = engine.case_from_dict(mtss_case())
    assert isinstance(case.sections["mtss"], MtssRecord)
    again = engine.case_from_dict(json.loads(json.dumps(case_to_dict(case))))
    assert again.sections == case.sections and again == case


def test_bundled_cases_round_trip(engine):
    for path in sorted((BUNDLED / "students").glob("*.json"))[:10]:
        case = engine.load_case(path)
        assert engine.case_from_dict(json.loads(json.dumps(case_to_dict(case)))) == case


def test_bad_mtss_section_is_an_input_error_with_its_path(engine):
    data = mtss_case()
    data["mtss"]["series"][0]["direction"] = 2
    data["mtss"]["student"]["grde"] = 3
    with pytest.raises(InputError) as err:
        engine.case_from_dict(data)
    text = str(err.value)
    assert "mtss.series[0]: direction 2 is not one of: 1, -1" in text
    assert 'mtss.student.grde: unknown key "grde"; did you mean "grade"?' in text


@given(st.dictionaries(st.sampled_from(["student", "series", "screenings", "x"]), st.integers()))
def test_mangled_mtss_section_raises_only_eirules_errors(engine, junk):
    data = mtss_case()
    data["mtss"] = junk
    with pytest.raises(EirulesError):
        engine.case_from_dict(data)


def test_hook_clocks_for_progress_monitoring_overdue_and_group_review(engine):
    """R9: Tier 2 point due 14 days after 2025-11-03; group review 6 weeks after start [S73]."""
    case = engine.case_from_dict(mtss_case())
    det = engine.evaluate(case, as_of=D(2025, 11, 20))
    pm = next(c for c in det.clocks if c.id == "mtss_progress_monitoring")
    assert (pm.program, pm.due, pm.status, pm.subject) == (
        "mtss",
        D(2025, 11, 17),
        "overdue",
        "orf",
    )
    review = next(c for c in det.clocks if c.id == "mtss_group_review")
    assert (review.due, review.status) == (D(2025, 11, 3), "overdue")


def test_parent_request_starts_part_b_referral_at_once_even_during_intervention(engine):
    """34 CFR 300.301(b), OSEP 11-07: RTI status never delays the evaluation request."""
    case = engine.case_from_dict(
        mtss_case(
            events=[
                {"type": "parent_requested_evaluation", "date": "2025-10-15", "program": "mtss"}
            ]
        )
    )
    det = engine.evaluate(case, as_of=D(2025, 10, 15))
    ref = next(r for r in det.referrals if r.id == "mtss_to_part_b_evaluation")
    assert (ref.by, ref.status) == (D(2025, 10, 15), "to_make")
    assert "300.301(b)" in ref.citation
    packet = next(f for f in det.findings if f.rule == "mtss.sld_evidence_packet")
    assert packet.outcome == "incomplete"
    assert packet.inputs["interventions"][0]["program"] == "PHON"
    assert any("300.310" in m for m in packet.inputs["missing"])


def test_case_on_a_ruleset_without_mtss_uses_the_mtss_ruleset_and_says_so(engine):
    case = engine.case_from_dict(mtss_case(ruleset="us"))
    det = engine.evaluate(case, as_of=D(2025, 11, 12))
    r4 = next(f for f in det.findings if f.rule == "mtss.R4.orf")
    assert r4.outcome == "change_instruction"
    assert 'values from ruleset "mtss"' in r4.parameters["_source"]


def test_cases_without_mtss_section_get_no_mtss_output(engine, make_case):
    det = engine.evaluate(make_case(), as_of=D(2025, 11, 12))
    assert not [f for f in det.findings if f.program == "mtss"]
    assert not [c for c in det.clocks if c.program == "mtss"]


# --- grouping -------------------------------------------------------------------

student_st = st.builds(
    lambda grade, pr, blocks, skill: (grade, pr, tuple(sorted(set(blocks))), skill),
    st.integers(1, 3),
    st.integers(0, 60),
    st.lists(st.sampled_from("ABCD"), min_size=0, max_size=3),
    st.sampled_from(["decoding", "fluency"]),
)


def _school():
    return School(
        name="Elm",
        programs=(
            Program(id="P2", name="P2", skill_area="decoding", tier=2),
            Program(id="P3", name="P3", skill_area="decoding", tier=3),
            Program(id="F2", name="F2", skill_area="fluency", tier=2, grade_min=2),
        ),
        interventionists=(
            Interventionist(id="a", name="A", programs=("P2", "P3"), availability=("A", "B")),
            Interventionist(id="b", name="B", programs=("F2", "P2"), availability=("B", "C")),
        ),
    )


def _records(students):
    return {
        f"S{i:03d}": MtssRecord(
            student=Student(grade=g, school="Elm", availability=blocks, skill_need=skill),
            screenings=(
                Screening(
                    date=D(2025, 9, 8),
                    window="fall",
                    instrument="Star",
                    skill_area="reading",
                    percentile=pr,
                ),
            ),
        )
        for i, (g, pr, blocks, skill) in enumerate(students)
    }


@given(st.lists(student_st, max_size=40))
def test_groups_never_exceed_caps_never_place_twice_and_are_deterministic(engine, students):
    p = params_for(engine.rulesets.get("mtss"), D(2025, 9, 15))
    recs = _records(students)
    s = grouping.suggest(recs, _school(), p, as_of=D(2025, 9, 15))
    placed = [sid for g in s.groups for sid in g.students]
    assert len(placed) == len(set(placed))
    for g in s.groups:
        assert len(g.students) <= {2: 5, 3: 3}[g.tier]
        assert len(g.grades) == 1  # no grade span configured
    unplaced = {sid for sid, _ in s.unplaced}
    assert not unplaced & set(placed)
    assert set(placed) == set(s.placements)
    shuffled = dict(reversed(list(recs.items())))
    assert grouping.suggest(shuffled, _school(), p, as_of=D(2025, 9, 15)) == s


def test_grouping_explains_unplaced_students(engine):
    p = params_for(engine.rulesets.get("mtss"), D(2025, 9, 15))
    recs = _records(
        [(1, 15, ("D",), "decoding"), (1, 15, ("A",), "fluency"), (2, 15, (), "decoding")]
    )
    s = grouping.suggest(recs, _school(), p, as_of=D(2025, 9, 15))
    reasons = dict(s.unplaced)
    assert "free in the student's blocks (D)" in reasons["S000"]
    assert reasons["S001"] == "no program for fluency at Tier 2 covering grade 1"
    assert reasons["S002"] == "no availability recorded for the student"


# --- CSV import and CLI -----------------------------------------------------------


@pytest.fixture
def school_dir(tmp_path):
    target = tmp_path / "elm"
    shutil.copytree(BUNDLED, target)
    return target


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_import_screening_csv_is_idempotent_and_adds_new_rows(school_dir):
    again = run(
        "mtss", "import", "screening", str(school_dir / "screening.csv"), "--dir", str(school_dir)
    )
    assert again.exit_code == 0, again.output
    assert "0 added, 0 replaced" in again.output
    csv = school_dir / "new.csv"
    csv.write_text(
        "student_id,date,window,instrument,skill_area,percentile\n"
        "ELM-001,2026-06-08,spring,Star Reading,reading,55\n"
    )
    res = run("mtss", "import", "screening", str(csv), "--dir", str(school_dir))
    assert res.exit_code == 0 and "1 added" in res.output
    saved = json.loads((school_dir / "students" / "ELM-001.json").read_text())
    assert saved["mtss"]["screenings"][-1]["percentile"] == 55


def test_import_bad_rows_lists_every_problem_and_writes_nothing(school_dir):
    before = (school_dir / "students" / "ELM-001.json").read_text()
    csv = school_dir / "bad.csv"
    csv.write_text(
        "student_id,date,status,planned_minutes,minutes,group\n"
        "ELM-001,2026-06-08,delivered,30,30,G-PHON-1\n"
        "ELM-001,2026-13-01,delivered,30,30,G-PHON-1\n"
        "ELM-001,2026-06-09,skipped,30,0,G-PHON-1\n"
        "ELM-001,2026-06-10,delivered,thirty,30,G-PHON-1\n"
    )
    res = CliRunner().invoke(
        cli, ["mtss", "import", "sessions", str(csv), "--dir", str(school_dir)]
    )
    assert res.exit_code == 2
    assert f"Error: {csv}: 3 row(s) not valid; nothing was imported" in res.output
    assert f"{csv}:3" in res.output and f"{csv}:4" in res.output and f"{csv}:5" in res.output
    assert (school_dir / "students" / "ELM-001.json").read_text() == before


def test_import_unknown_student_is_refused(school_dir):
    csv = school_dir / "x.csv"
    csv.write_text(
        "student_id,date,status,planned_minutes,minutes\nNOPE,2026-06-08,delivered,30,30\n"
    )
    res = CliRunner().invoke(
        cli, ["mtss", "import", "sessions", str(csv), "--dir", str(school_dir)]
    )
    assert res.exit_code == 2 and 'no student "NOPE"' in res.output


def test_cli_progress_prints_decision_and_writes_svg_and_png(tmp_path):
    res = run("progress", "ELM-005", "--as-of", "2026-06-05", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    # The parent asked for an evaluation on 2026-04-20 (300.301(b)): that comes first; the
    # data decision (consider referral) is still shown.
    assert "Recommendation: REFER FOR EVALUATION" in res.output
    assert "The progress data alone suggest: consider referral" in res.output
    assert (tmp_path / "ELM-005-orf-elm-005.svg").read_text().lstrip().startswith("<?xml")
    assert (tmp_path / "ELM-005-orf-elm-005.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_progress_fidelity_problem_group(tmp_path):
    res = run("progress", "ELM-018", "--as-of", "2026-06-05", "--no-graph", "--format", "json")
    out = json.loads(res.output)
    assert out[0]["decision"] == "fidelity_issue"


def test_cli_progress_unknown_student_exit_2():
    res = CliRunner().invoke(cli, ["progress", "ELM-999", "--no-graph"])
    assert res.exit_code == 2
    assert res.output.startswith('Error: no student "ELM-999" with MTSS data in')


def test_cli_groups_suggest_is_deterministic_and_explains():
    a = run("groups", "suggest", "--window", "fall", "--as-of", "2025-09-15", "--format", "json")
    b = run("groups", "suggest", "--window", "fall", "--as-of", "2025-09-15", "--format", "json")
    assert a.output == b.output
    out = json.loads(a.output)
    assert out["groups"] and all(out["placements"][s] for g in out["groups"] for s in g["students"])
    assert all(u["reason"] for u in out["unplaced"])


def test_cli_programs_report_table_and_html(tmp_path):
    page = tmp_path / "r.html"
    res = run("programs", "report", "--as-of", "2026-06-05", "--html", str(page))
    assert res.exit_code == 0, res.output
    # 68%: the unfinished week of 2026-06-01 is left out of plan and delivery alike.
    assert "G-FLU-1" in res.output and "fidelity 68% below 80%" in res.output
    assert "<svg" in page.read_text()


def test_cli_programs_report_unknown_window_exit_2():
    res = CliRunner().invoke(cli, ["programs", "report", "--window", "summer"])
    assert res.exit_code == 2 and 'Error: --window "summer" is not a window' in res.output


def test_cli_import_refuses_to_write_into_bundled_data(monkeypatch):
    monkeypatch.delenv("EIRULES_MTSS_DIR", raising=False)
    res = CliRunner().invoke(cli, ["mtss", "import", "screening", str(BUNDLED / "screening.csv")])
    assert res.exit_code == 2 and "refusing to write into the bundled example school" in res.output


def test_bundled_school_has_responders_nonresponders_and_fidelity_problem(engine):
    data = datadir.load(BUNDLED, engine)
    p = params_for(engine.rulesets.get("mtss"), D(2026, 6, 5))
    from eirules.plugins.mtss import rules

    decisions = {
        sid: rules.evaluate_series(rec, rec.series[0], D(2026, 6, 5), p).decision.decision
        for sid, rec in data.records().items()
        if rec.series
    }
    values = set(decisions.values())
    assert {"exit", "fidelity_issue", "consider_referral", "escalate_tier3"} <= values
    assert values & {"maintain", "raise_goal"}
    assert Path(BUNDLED / "school.json").is_file()


# --- docs/mtss.md stays true --------------------------------------------------------

DOC = Path(__file__).resolve().parent.parent / "docs" / "mtss.md"


def _blocks(lang):
    text = DOC.read_text()
    parts = text.split(f"```{lang}\n")[1:]
    return [p.split("```", 1)[0] for p in parts]


def test_docs_case_file_and_school_examples_are_valid(engine):
    from eirules.core.convert import structure

    case_doc, school_doc = _blocks("json")[:2]
    case = engine.case_from_dict(json.loads(case_doc))
    assert case.sections["mtss"].series[0].phases[0].adaptation is True
    assert structure(json.loads(school_doc), School).programs[0].id == "PHON"


def test_docs_csv_examples_import(school_dir):
    screening, sessions = _blocks("csv")
    (school_dir / "s.csv").write_text(screening)
    (school_dir / "l.csv").write_text(sessions)
    assert (
        run(
            "mtss", "import", "screening", str(school_dir / "s.csv"), "--dir", str(school_dir)
        ).exit_code
        == 0
    )
    assert (
        run(
            "mtss", "import", "sessions", str(school_dir / "l.csv"), "--dir", str(school_dir)
        ).exit_code
        == 0
    )


def test_docs_district_override_changes_the_decision(tmp_path, school_dir):
    """A district ruleset extending mtss: grade span 1 lets grades 2 and 3 share a group."""
    toml = next(b for b in _blocks("toml") if "my-rulesets/springfield" in b)
    header, _, params = toml.partition("# my-rulesets/springfield/mtss.toml\n")
    folder = tmp_path / "rs" / "springfield"
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text(header)
    (folder / "mtss.toml").write_text(params)
    school = json.loads((school_dir / "school.json").read_text())
    school["ruleset"] = "springfield-mtss"
    (school_dir / "school.json").write_text(json.dumps(school))
    res = run(
        "--rulesets-dir",
        str(tmp_path / "rs"),
        "groups",
        "suggest",
        "--dir",
        str(school_dir),
        "--window",
        "fall",
        "--as-of",
        "2025-09-15",
        "--format",
        "json",
    )
    out = json.loads(res.output)
    assert out["parameters"]["mtss.groups.max_grade_span"] == 1
    assert any(len(g["grades"]) == 2 for g in out["groups"])


def test_eirules_overdue_lists_mtss_monitoring_from_stored_determinations(tmp_path):
    """R9 through the caseload: ELM-017's last point 2026-04-27 (Tier 2) -> due 2026-05-11."""
    db = str(tmp_path / "c.db")
    assert run("db", "init", db).exit_code == 0
    assert run("cases", "import", str(BUNDLED / "students"), "--db", db).exit_code == 0
    assert run("evaluate", "--all", "--db", db, "--as-of", "2026-06-05").exit_code == 0
    res = run("overdue", "--db", db, "--as-of", "2026-06-05", "--format", "json")
    rows = [r for r in json.loads(res.output) if r["program"] == "mtss"]
    assert [(r["kind"], r["case_id"], r["clock"], r["due"]) for r in rows] == [
        # A parent's request for evaluation (2026-04-20) is a referral owed since that day
        # (34 CFR 300.301(b)); it is listed beside the clocks (issue 10).
        ("referral", "ELM-005", "mtss_to_part_b_evaluation", "2026-04-20"),
        ("clock", "ELM-017", "mtss_progress_monitoring", "2026-05-11"),
    ]


def test_demo_view_shows_the_bundled_school_recommendations():
    import click

    from eirules.cli.mtss import demo_view

    @click.command()
    @click.pass_context
    def show(ctx):
        demo_view(ctx, D(2026, 3, 2))

    res = CliRunner().invoke(show, [], catch_exceptions=False)
    assert res.output.startswith("MTSS: Elm Street Elementary (fictional), 42 students")
    assert "ELM-005 grade 1 orf: consider referral" in res.output
    assert "ELM-018 grade 2 orf: fidelity issue" in res.output


def test_r13_iep_service_minutes_reconciled_from_session_logs(engine):
    """R13: IEP line 2 x 30 min per week from 2025-09-22; 2 full weeks to 2025-10-05 = 120 min."""
    data = mtss_case()
    data["service_plans"] = [
        {
            "kind": "iep",
            "services": [
                {
                    "name": "reading SDI",
                    "started": "2025-09-22",
                    "sessions": 2,
                    "per": "week",
                    "minutes": 30,
                }
            ],
        }
    ]
    data["mtss"]["sessions"] = [
        {
            "date": "2025-09-22",
            "status": "delivered",
            "planned_minutes": 30,
            "minutes": 30,
            "service": "reading SDI",
        },
        {
            "date": "2025-09-24",
            "status": "provider_absent",
            "planned_minutes": 30,
            "service": "reading SDI",
        },
        {
            "date": "2025-09-29",
            "status": "delivered",
            "planned_minutes": 30,
            "minutes": 30,
            "service": "reading SDI",
        },
    ]
    det = engine.evaluate(engine.case_from_dict(data), as_of=D(2025, 10, 5))
    f = next(f for f in det.findings if f.rule == "mtss.R13.IEP: reading SDI")
    assert (f.inputs["planned"], f.inputs["delivered"], f.inputs["unaccounted"]) == (120, 60, 30)
    assert (f.outcome, f.inputs["makeup_owed"]) == ("makeup_owed", 30)


@given(st.text(max_size=300))
def test_garbage_csv_raises_only_input_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_text(text, encoding="utf-8")
    for kind in ("screening", "sessions"):
        try:
            rows = datadir.read_csv(path, kind)
        except InputError as exc:
            assert all(str(problem) for problem in exc.problems)
        else:
            assert isinstance(rows, list)


def test_consent_after_parent_request_marks_referral_made_and_part_b_60_days_run(engine):
    """300.301(b) then 300.301(c)(1)(i): consent 2025-10-20 -> evaluation due 2025-12-19,
    while the student stays in the Tier 2 group (intervention continues alongside)."""
    case = engine.case_from_dict(
        mtss_case(
            events=[
                {"type": "parent_requested_evaluation", "date": "2025-10-15", "program": "mtss"},
                {"type": "consent_for_evaluation", "date": "2025-10-20", "program": "part_b"},
            ]
        )
    )
    det = engine.evaluate(case, as_of=D(2025, 10, 25))
    assert det.referrals[0].status == "made"
    ev = det.clock("initial_evaluation")
    assert (ev.program, ev.start, ev.due) == ("part_b", D(2025, 10, 20), D(2025, 12, 19))
    assert det.clock("mtss_progress_monitoring").status == "pending"


def test_cli_progress_student_without_series_and_unknown_measure_exit_2():
    res = CliRunner().invoke(cli, ["progress", "ELM-008", "--no-graph"])
    assert res.exit_code == 2
    assert res.output.splitlines()[0] == "Error: ELM-008 has no progress-monitoring series"
    res = CliRunner().invoke(cli, ["progress", "ELM-005", "--measure", "maze", "--no-graph"])
    assert res.output.splitlines()[:2] == [
        'Error: ELM-005 has no series for "maze"',
        "  --measure: known: orf (orf-elm-005)",
    ]
