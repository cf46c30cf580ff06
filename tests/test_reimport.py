"""Importing a case again never loses what the caseload recorded since, and re-evaluates a failed case.

A case file imported again replaces the stored case whole. An event recorded with
`cases add-event` in between lives only in the caseload: the import refuses the
record unless told to keep those events (`--caseload-changes keep`) or drop them
(`--caseload-changes drop`, listed). A case whose file is unchanged but whose last
evaluation failed or is stale is evaluated again by the import.

The worked example: a Part C referral on 2026-01-05 opens the 45-day clock to the
initial IFSP meeting (34 CFR 303.310(a)), due 2026-02-19; an `ifsp_meeting_held`
on 2026-02-10 recorded with `cases add-event` meets it.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date as D
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write_test_rulesets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.engine import Engine
from eirules.core.errors import InputError
from eirules.core.importing import CSV_CARRIES, Assignment, Record
from eirules.core.store import Store

AS_OF = D(2026, 3, 2)
EXAMPLES = Path(__file__).parent.parent / "examples"
MEETING = {"type": "ifsp_meeting_held", "date": "2026-02-10"}


def case_doc(case_id="T-0001", ruleset="us", events=None):
    return {
        "schema": "eirules/case@1",
        "id": case_id,
        "ruleset": ruleset,
        "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
        "events": events or [{"type": "referral_received", "date": "2026-01-05"}],
    }


def records(*docs):
    return [Record("cases.json", f"record {i}", d) for i, d in enumerate(docs, 1)]


@pytest.fixture
def store(db_target):
    s, _ = Store.init(db_target, Engine(entry_points=False))
    s.jobs = 1
    yield s
    s.close()


def imported(store, *docs, **options):
    return store.import_records(records(*docs), user="t", evaluate_as_of=AS_OF, **options)


def clock(store, case_id="T-0001", name="initial_ifsp_meeting"):
    return store.conn.execute(
        "SELECT due, status, met_on FROM clocks WHERE case_id = ? AND clock = ?", (case_id, name)
    ).fetchone()


def snapshot(store):
    """Everything an import could write: cases, documents, events, clocks, audit."""
    q = store.conn.execute
    return (
        q("SELECT id, document_hash, status FROM cases ORDER BY id").fetchall(),
        q("SELECT count(*) FROM case_documents").fetchone(),
        q("SELECT case_id, type, date FROM events ORDER BY case_id, type, date").fetchall(),
        q("SELECT case_id, clock, status, met_on FROM clocks ORDER BY case_id, clock").fetchall(),
        q("SELECT count(*) FROM audit_log").fetchone(),
    )


@pytest.fixture
def recorded(store):
    """T-0001 imported, then its IFSP meeting recorded with add-event (clock met)."""
    imported(store, case_doc())
    assert tuple(clock(store)) == ("2026-02-19", "overdue", None)
    store.add_event("T-0001", "ifsp_meeting_held", D(2026, 2, 10), user="cm", today=AS_OF)
    assert tuple(clock(store)) == ("2026-02-19", "met", "2026-02-10")
    return store


def test_reimport_refuses_a_record_that_would_drop_an_event_recorded_with_add_event(recorded):
    """34 CFR 303.310(a): the met 45-day clock must not turn back to overdue unawares."""
    before = snapshot(recorded)
    with pytest.raises(InputError) as err:
        imported(recorded, case_doc())
    text = str(err.value)
    assert "cases.json, record 1, events" in text
    assert 'case "T-0001" in the caseload has 1 event recorded with `cases add-event`' in text
    assert "(ifsp_meeting_held on 2026-02-10)" in text
    assert "--caseload-changes keep" in text
    assert snapshot(recorded) == before  # nothing written on refusal
    assert tuple(clock(recorded)) == ("2026-02-19", "met", "2026-02-10")


def test_reimport_keep_adds_the_recorded_event_to_the_record_and_its_other_changes(recorded):
    """A changed record (a delay added) is stored with the recorded meeting kept."""
    delay = {"type": "delay", "date": "2026-01-20", "reason": "exceptional_family_circumstances"}
    events = [{"type": "referral_received", "date": "2026-01-05"}, delay]
    result = imported(recorded, case_doc(events=events), caseload_changes="keep")
    assert (result.updated, result.evaluated) == (1, 1)
    assert result.caseload_changes == (
        ("T-0001", "kept ifsp_meeting_held on 2026-02-10 (recorded with cases add-event)"),
    )
    stored = recorded.case_document("T-0001")["events"]
    assert [e["type"] for e in stored] == ["referral_received", "delay", "ifsp_meeting_held"]
    assert tuple(clock(recorded)) == ("2026-02-19", "met", "2026-02-10")
    # The same file again: the kept case is what it would make, so nothing changes.
    again = imported(recorded, case_doc(events=events), caseload_changes="keep")
    assert (again.unchanged, again.updated, again.evaluated) == (1, 0, 0)


def test_reimport_drop_replaces_the_case_and_says_what_it_dropped(recorded):
    result = imported(recorded, case_doc(), caseload_changes="drop")
    assert result.caseload_changes == (
        ("T-0001", "dropped ifsp_meeting_held on 2026-02-10 (recorded with cases add-event)"),
    )
    assert [e["type"] for e in recorded.case_document("T-0001")["events"]] == ["referral_received"]
    assert tuple(clock(recorded)) == ("2026-02-19", "overdue", None)
    # Dropped: the caseload no longer holds the event, so the next import has nothing to ask.
    assert imported(recorded, case_doc()).unchanged == 1


def test_reimport_skip_invalid_rejects_only_that_record(recorded):
    result = imported(recorded, case_doc(), case_doc("T-0002"), skip_invalid=True)
    assert (result.created, result.updated) == (1, 0)
    assert [r["record"] for r in result.rejected] == ["record 1"]
    assert tuple(clock(recorded)) == ("2026-02-19", "met", "2026-02-10")


def test_a_record_that_has_the_recorded_event_imports_without_a_question(recorded):
    """The source system caught up: the file now holds the meeting, in its own words (a
    note, a program): the same type on the same day is the same event, not a copy."""
    worded = {**MEETING, "program": "part_c", "note": "held at home"}
    events = [{"type": "referral_received", "date": "2026-01-05"}, worded]
    for mode in ("refuse", "keep"):
        result = imported(recorded, case_doc(events=events), caseload_changes=mode)
        assert result.caseload_changes == ()
    stored = recorded.case_document("T-0001")["events"]
    assert [e for e in stored if e["type"] == "ifsp_meeting_held"] == [
        {"date": "2026-02-10", "note": "held at home", "program": "part_c",
         "type": "ifsp_meeting_held"}
    ]  # fmt: skip


def test_reimport_evaluates_again_a_case_whose_evaluation_failed(tmp_path, db_target):
    """The ruleset a case names is installed after its first import: the same file
    imported again is evaluated (it was skipped as unchanged)."""
    doc = case_doc(ruleset="xs")
    with closing(Store.init(db_target, Engine(entry_points=False))[0]) as first:
        first.jobs = 1
        result = imported(first, doc)
        assert [f[0] for f in result.failures] == ["T-0001"]
        assert first.case_summary("T-0001")["status"] == "evaluation_failed"
    write_test_rulesets(tmp_path / "rulesets")
    engine = Engine(entry_points=False, ruleset_dirs=[tmp_path / "rulesets"])
    with closing(Store.open(db_target, engine)) as second:
        second.jobs = 1
        again = imported(second, doc)
        assert (again.unchanged, again.evaluated, again.failures) == (1, 1, ())
        assert second.case_summary("T-0001")["status"] == "overdue"
        assert tuple(clock(second)) == ("2026-02-19", "overdue", None)


def test_cli_reimport_refuses_with_exit_2_and_keep_prints_a_note(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    case = tmp_path / "t.json"
    case.write_text(json.dumps(case_doc()), encoding="utf-8")
    run = CliRunner().invoke
    assert run(cli, ["db", "init", str(db)]).exit_code == 0
    assert run(cli, ["cases", "import", str(case), "--db", str(db)]).exit_code == 0
    added = run(cli, ["cases", "add-event", "T-0001", "ifsp_meeting_held", "2026-02-10",
                       "--db", str(db)])  # fmt: skip
    assert added.exit_code == 0, added.output
    refused = run(cli, ["cases", "import", str(case), "--db", str(db)])
    assert refused.exit_code == 2
    assert "Traceback" not in refused.output
    assert "importing it would drop it" in refused.output
    kept = run(cli, ["cases", "import", str(case), "--caseload-changes", "keep", "--db", str(db)])
    assert kept.exit_code == 0, kept.output
    assert "Note: case T-0001: kept ifsp_meeting_held on 2026-02-10" in kept.output


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keep=st.lists(st.sampled_from(["referral_received", "delay", "ifsp_meeting_held"]), max_size=3),
    mode=st.sampled_from(["refuse", "keep", "drop"]),
)
def test_no_mode_ever_loses_a_recorded_event_unsaid(tmp_path_factory, keep, mode):
    """Invariant: after any re-import, each event recorded with add-event is still stored,
    or the import was refused, or it said it dropped it."""
    db = tmp_path_factory.mktemp("c") / "c.db"
    with closing(Store.init(db, Engine(entry_points=False))[0]) as s:
        s.jobs = 1
        imported(s, case_doc())
        s.add_event("T-0001", "ifsp_meeting_held", D(2026, 2, 10), user="cm", today=AS_OF)
        events = [{"type": "referral_received", "date": "2026-01-05"}]
        if "ifsp_meeting_held" in keep:
            events.append(MEETING)
        try:
            result = imported(s, case_doc(events=events), caseload_changes=mode)
        except InputError:
            assert mode == "refuse"
            return
        stored = s.case_document("T-0001")["events"]
        assert MEETING in stored or any("dropped" in w for _, w in result.caseload_changes)


# A CSV carries only part of a case file ------------------------------------------------


def csv_record(case_id="T-0001", caseworker=None, events=None):
    """A record as a CSV row makes it (`importing._case_from_rows`)."""
    data = {
        "id": case_id,
        "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
        "ruleset": "us",
        "events": events or [{"type": "referral_received", "date": "2026-01-05"}],
    }
    return Record("cases.csv", "rows 2-3", data, caseworker=caseworker, carries=CSV_CARRIES)


def test_a_csv_reimport_keeps_what_a_csv_cannot_hold(store):
    """The stored case's evaluations and conditions (and plugin sections: plans, service
    plans) are not in a CSV row: a re-import of the row keeps them, and an unchanged row
    is unchanged."""
    whole = {
        **case_doc(),
        "evaluations": [{"date": "2026-01-20", "instrument": "BDI-3", "scores": [
            {"domain": "communication", "standard_score": 70, "mean": 100, "sd": 15}]}],
        "conditions": [{"name": "Down syndrome", "code": "Q90.9", "diagnosed": "2024-11-10"}],
    }  # fmt: skip
    imported(store, whole)
    before = store.case_document("T-0001")
    result = store.import_records([csv_record()], user="t", evaluate_as_of=AS_OF)
    assert (result.unchanged, result.updated) == (1, 0)
    assert store.case_document("T-0001") == before
    delay = {"type": "delay", "date": "2026-01-20", "reason": "exceptional_family_circumstances"}
    changed = csv_record(events=[{"type": "referral_received", "date": "2026-01-05"}, delay])
    result = store.import_records([changed], user="t", evaluate_as_of=AS_OF)
    assert result.updated == 1
    after = store.case_document("T-0001")
    assert after["evaluations"] == before["evaluations"]
    assert after["conditions"] == before["conditions"]
    assert [e["type"] for e in after["events"]] == ["referral_received", "delay"]


def test_cli_csv_reimport_keeps_the_plans_and_their_overdue_progress_report(tmp_path):
    """QA: a CSV of PB-PLAN-01 imported over examples/plans/pb-iep-goals.json removed its
    goals and service plans, and the overdue progress report (34 CFR 300.320(a)(3)(ii))
    vanished from `due`."""
    db = tmp_path / "c.db"
    run = CliRunner().invoke
    assert run(cli, ["db", "init", str(db)]).exit_code == 0
    plans = EXAMPLES / "plans" / "pb-iep-goals.json"
    assert run(cli, ["cases", "import", str(plans), "--db", str(db)]).exit_code == 0
    csv = tmp_path / "pb.csv"
    csv.write_text(
        "case_id,birth_date,child_name,ruleset,program,event_type,event_date,event_program,"
        "event_outcome,event_category\n"
        "PB-PLAN-01,2017-04-11,Milo Fictional,us,part_b,consent_for_evaluation,2025-09-02,part_b,,\n"
        "PB-PLAN-01,,,,,evaluation_completed,2025-10-14,part_b,,\n"
        "PB-PLAN-01,,,,,eligibility_determined,2025-10-20,part_b,eligible,specific_learning_disability\n"
        "PB-PLAN-01,,,,,iep_meeting_held,2025-11-10,part_b,,\n",
        encoding="utf-8",
    )
    due = ["due", "--as-of", "2026-06-01", "--format", "csv", "--db", str(db)]
    reports = [line for line in run(cli, due).output.splitlines() if "Progress report" in line]
    assert reports
    with closing(Store.open(db, Engine(entry_points=False))) as s:
        before = s.case_document("PB-PLAN-01")
    result = run(cli, ["cases", "import", str(csv), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 0 unchanged" in result.output  # its `program`: an enrolment
    assert [line for line in run(cli, due).output.splitlines() if "Progress report" in line] == (
        reports
    )
    with closing(Store.open(db, Engine(entry_points=False))) as s:
        after = s.case_document("PB-PLAN-01")
    assert before["plans"] and before["service_plans"]
    assert after == {**before, "enrolments": [{"program": "part_b"}]}


# A caseworker set with `cases assign` ------------------------------------------------


@pytest.fixture
def reassigned(store):
    """T-0001 imported from a CSV with caseworker Rhea, then assigned to Simeon by hand."""
    store.import_records([csv_record(caseworker="Rhea Tallowby")], user="t",
                         evaluate_as_of=AS_OF, new_caseworkers=True)  # fmt: skip
    store.assign("T-0001", "Simeon Quarrel", new_caseworker=True)
    return store


def caseworker(store, case_id="T-0001"):
    return store.conn.execute(
        "SELECT caseworker FROM assignments WHERE case_id = ? AND ended_at IS NULL", (case_id,)
    ).fetchone()[0]


def test_an_unchanged_csv_does_not_undo_cases_assign(reassigned):
    before = snapshot(reassigned)
    with pytest.raises(InputError) as err:
        reassigned.import_records([csv_record(caseworker="Rhea Tallowby")], user="t",
                                  evaluate_as_of=AS_OF)  # fmt: skip
    assert 'case "T-0001" was assigned to Simeon Quarrel with `cases assign`' in str(err.value)
    assert "cases.csv, rows 2-3, caseworker" in str(err.value)
    assert snapshot(reassigned) == before and caseworker(reassigned) == "Simeon Quarrel"
    kept = reassigned.import_records([csv_record(caseworker="Rhea Tallowby")], user="t",
                                     evaluate_as_of=AS_OF, caseload_changes="keep")  # fmt: skip
    assert caseworker(reassigned) == "Simeon Quarrel"
    assert kept.caseload_changes == (
        ("T-0001", "kept caseworker Simeon Quarrel (set with cases assign; the file says "
         "Rhea Tallowby)"),
    )  # fmt: skip
    dropped = reassigned.import_records([csv_record(caseworker="rhea  tallowby")], user="t",
                                        evaluate_as_of=AS_OF, caseload_changes="drop")  # fmt: skip
    assert caseworker(reassigned) == "Rhea Tallowby" and dropped.assigned == 1
    # The file's caseworker is current now: the same file again asks nothing.
    again = reassigned.import_records([csv_record(caseworker="Rhea Tallowby")], user="t",
                                      evaluate_as_of=AS_OF)  # fmt: skip
    assert again.caseload_changes == () and again.assigned == 0


def test_an_assignments_csv_row_is_held_to_cases_assign_too(reassigned):
    rows = [Assignment("a.csv", "row 2", "T-0001", "Rhea Tallowby")]
    with pytest.raises(InputError, match="was assigned to Simeon Quarrel with `cases assign`"):
        reassigned.import_records(rows, user="t")
    result = reassigned.import_records(rows, user="t", caseload_changes="drop")
    assert result.assigned == 1 and caseworker(reassigned) == "Rhea Tallowby"


def test_an_import_giving_one_case_two_caseworkers_is_refused(store):
    imported(store, case_doc())
    rows = [
        Assignment("a.csv", "row 2", "T-0001", "Inez Marchbank"),
        Assignment("a.csv", "row 3", "T-0001", "Odile Farrowind"),
    ]
    with pytest.raises(InputError) as err:
        store.import_records(rows, user="t", new_caseworkers=True)
    assert 'a.csv, row 3: case "T-0001" is assigned to Inez Marchbank in a.csv, row 2' in str(
        err.value
    )
    assert store.conn.execute("SELECT count(*) FROM assignments").fetchone()[0] == 0


def test_cases_show_says_when_its_determination_is_as_of_a_day_after_today(tmp_path, monkeypatch):
    """QA: after `evaluate --all --as-of` a later day (a planning run), `cases show`
    showed that day's statuses (a clock with days left as overdue) with no word."""
    from helpers import caseload_cli

    run = caseload_cli(tmp_path, monkeypatch)
    case = tmp_path / "t.json"
    case.write_text(json.dumps(case_doc()), encoding="utf-8")
    run("cases", "import", case)
    later = (D.today() + timedelta(days=40)).isoformat()
    run("evaluate", "--all", "--as-of", later)
    shown = " ".join(run("cases", "show", "T-0001").output.split())
    assert f"Note: the status and clocks below are as of {later}, after today" in shown
    run("evaluate", "--all")
    assert "after today" not in run("cases", "show", "T-0001").output


def test_an_import_says_how_many_cases_it_left_with_no_caseworker(store):
    """JSON files carry no caseworker: in a caseload with caseworkers such a case is on
    no caseworker's list, so the import counts them (`due --unassigned` lists them)."""
    first = store.import_records([csv_record(caseworker="Rhea Tallowby")], user="t",
                                 evaluate_as_of=AS_OF, new_caseworkers=True)  # fmt: skip
    assert first.unassigned == 0
    result = imported(store, case_doc("T-0002"), case_doc("T-0003"))
    assert result.unassigned == 2
    assert imported(store, case_doc("T-0002")).unassigned == 0  # unchanged: not written


def test_a_caseload_without_caseworkers_hears_nothing_of_them(store):
    assert imported(store, case_doc()).unassigned == 0
