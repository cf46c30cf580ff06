"""`eirules demo` and the bundled synthetic caseload it is built from."""

from __future__ import annotations

import collections
import importlib.util
import json
from pathlib import Path

from click.testing import CliRunner

from eirules.cli import cli
from eirules.cli.synthetic import CASEWORKERS, DEMO_AS_OF, GIVEN_NAMES, SURNAMES, generate
from eirules.core.store import Store

ROOT = Path(__file__).parent.parent


def test_demo_prints_overdue_and_due_views_from_a_temporary_caseload():
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "Demo caseload: 240 fictional children (240 new, 0 updated, 0 unchanged), "
        "evaluated as of 2026-03-02"
    )
    # The past-due clocks counted as `eirules overdue` counts them: 12 of the 80 are late
    # for a documented reason (34 CFR 303.310(b)), so not "overdue".
    assert "Past due as of 2026-03-02 (68 overdue; 12 late (excused))" in lines
    # 4 age-of-majority notices the baseline cannot date (300.320(c)) are owed: listed.
    assert "84 items as of 2026-03-02; 68 overdue; 12 late (excused); 4 cannot compute" in lines
    assert not any(line.startswith("Overdue as of") for line in lines)
    assert any(line.startswith("Due within 14 days (") for line in lines)
    assert "SYN-C-" in result.output and "SYN-B-" in result.output
    assert "34 CFR 303.310" in result.output


def test_demo_into_a_named_database_is_idempotent_and_queryable(tmp_path, engine):
    db = tmp_path / "demo.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--db", str(db)]).exit_code == 0
    second = runner.invoke(cli, ["demo", "--db", str(db)])
    assert "(0 new, 0 updated, 240 unchanged)" in second.output
    store = Store.open(db, engine)
    try:
        statuses = collections.Counter(
            r[0] for r in store.conn.execute("SELECT status FROM clocks")
        )
        programs = collections.Counter(r["programs"] for r in store.list_cases())
        workers = {r["caseworker"] for r in store.list_cases()}
        assert store.verify_audit()[1] == []
    finally:
        store.close()
    assert statuses["overdue"] > 0
    assert statuses["late_excused"] > 0
    assert statuses["met"] > 0
    assert programs["part_c"] >= 100 and programs["part_b"] >= 50
    assert workers == set(CASEWORKERS)


def test_demo_refuses_to_add_fictional_children_to_a_real_caseload(tmp_path):
    """`demo --db caseload.db` pointed at a working caseload must not mix 240 invented children in."""
    db = tmp_path / "caseload.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "init", str(db)]).exit_code == 0
    case = tmp_path / "real.json"
    case.write_text(
        json.dumps(
            {
                "schema": "eirules/case@1",
                "id": "REAL-1",
                "ruleset": "us",
                "child": {"birth_date": "2025-01-01"},
                "events": [{"type": "referral_received", "date": "2026-01-05"}],
            }
        )
    )
    assert runner.invoke(cli, ["cases", "import", str(case), "--db", str(db)]).exit_code == 0
    result = runner.invoke(cli, ["demo", "--db", str(db)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: refusing to add the fictional demo caseload to {db}",
        "  --db: it holds 1 case that is not from the demo; give a new file, e.g. --db demo.db",
    ]


def test_generator_is_seeded_and_names_are_invented():
    first, again = generate(), generate()
    assert first == again
    assert generate(seed=7) != first
    assert len(first) >= 200
    for document, worker in first:
        given, surname = document["child"]["name"].split(" ")
        assert given in GIVEN_NAMES and surname in SURNAMES
        assert worker in CASEWORKERS


def test_generated_cases_are_valid_and_never_dated_after_the_anchor(engine):
    for document, _ in generate():
        case = engine.case_from_dict(document)
        assert all(e.date <= DEMO_AS_OF for e in case.events)
        assert case.child.birth_date < min(e.date for e in case.events)


def test_bundled_example_caseload_matches_the_generator():
    spec = importlib.util.spec_from_file_location(
        "make_demo", ROOT / "scripts" / "make_demo_caseload.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python scripts/make_demo_caseload.py"
    files = sorted((ROOT / "examples" / "caseload").glob("*.json"))
    assert len(files) == 240
    assert json.loads(files[0].read_text())["schema"] == "eirules/case@1"
