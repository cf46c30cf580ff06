"""Destruction of a child's records (34 CFR 300.624, 303.416), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import referred_case

from eirules.cli import cli
from eirules.core.errors import InputError
from eirules.core.importing import Record
from eirules.core.store import AccessDenied, Store

NAME = "Zephyrine Quillfeather"
NOTE = "Quillfeather family moved to Ravensmoor Lane"


def doc(case_id: str, name: str) -> dict:
    """Referred 2026-01-05: the initial IFSP meeting is due 2026-02-19 (34 CFR 303.310(a))."""
    return referred_case(case_id, name=name)


@pytest.fixture
def caseload(db_target, engine):
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("D-1", NAME), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("D-2", "Orla Brindlecombe")),
        ]
    )
    store.evaluate(as_of=date(2026, 2, 1))
    store.add_event(
        "D-1", "consent_for_evaluation", date(2026, 1, 9), note=NOTE, today=date(2026, 3, 1)
    )
    renamed = doc("D-1", NAME + " Junior")  # a second version of the file, in history
    # The event recorded above (with its note) is kept in the new version too.
    store.import_records([Record("b.json", "1", renamed)], caseload_changes="keep")
    store.evaluate(as_of=date(2026, 3, 1))
    store.show_case("D-1", "before destruction")
    yield store
    store.close()


def test_destroy_removes_the_child_everywhere_and_the_chain_still_verifies(caseload):
    stored = caseload.conn.execute(
        "SELECT count(*) FROM determinations WHERE case_id = 'D-1'"
    ).fetchone()[0]
    removed = caseload.destroy_case("D-1", "parents' request, services ended")
    # Each write evaluated the case too (issue 10): the import (as of today), the run as
    # of 2026-02-01, the event (as of 2026-03-01) and the renaming import (as of today);
    # the last run (as of 2026-03-01) is stored only if it decided otherwise than the
    # renaming import did, which depends on today's date.
    assert stored in (4, 5)
    assert removed["determinations"] == stored and removed["case_file_versions"] == 3
    assert removed["audit_entries_erased"] >= 4 and removed["audit_entries_inline"] == 0
    assert caseload.verify_audit() == (caseload.verify_audit()[0], [])
    with pytest.raises(InputError):
        caseload.case_summary("D-1")
    assert [c["case_id"] for c in caseload.list_cases()] == ["D-2"]
    for table in ("cases", "children", "events", "determinations", "clocks", "assignments"):
        assert (
            caseload.conn.execute(
                f"SELECT count(*) FROM {table} WHERE {'id' if table == 'cases' else 'case_id'} = 'D-1'"
            ).fetchone()[0]
            == 0
        )
    log = caseload.audit_log("D-1")
    assert log[-1]["action"] == "case.destroyed"
    assert log[-1]["summary"] == "destroyed case D-1: parents' request, services ended"
    text = json.dumps(caseload.audit_log())
    assert NAME not in text and "Ravensmoor" not in text
    # The record of access stays: a parent may still ask who saw the record.
    assert [r["purpose"] for r in caseload.access_record("D-1")] == ["before destruction"]
    # The other child is untouched.
    assert caseload.case_document("D-2")["child"]["name"] == "Orla Brindlecombe"


def test_a_case_destroyed_again_after_a_new_import_still_verifies(caseload):
    """Destroyed, imported again under the same id (a new referral), evaluated, destroyed
    again: the second destruction erased the first one's entry content (the ids of the
    determinations it removed) with the rest of the case's audit content, and audit verify
    then called the runs that had held them "edited, deleted or added outside eirules"."""
    caseload.destroy_case("D-1", "parents' request, services ended")
    caseload.import_records([Record("c.json", "1", doc("D-1", "Child D-1"))])
    caseload.evaluate(as_of=date(2026, 3, 2))
    assert caseload.verify_audit()[1] == [] and caseload.verify_data() == []
    removed = caseload.destroy_case("D-1", "parents' request again")
    assert caseload.verify_audit()[1] == [] and caseload.verify_data() == []
    tombstones = [e for e in caseload.audit_log("D-1") if e["action"] == "case.destroyed"]
    assert [e["summary"] for e in tombstones] == [
        "destroyed case D-1: parents' request, services ended",
        "destroyed case D-1: parents' request again",
    ]
    # The first tombstone is not counted among the entries whose content the second erased.
    assert removed["audit_entries_erased"] >= 1
    first = caseload.conn.execute(
        "SELECT count(*) FROM audit_content c JOIN audit_log l ON l.id = c.entry_id "
        "WHERE l.case_id = 'D-1' AND l.action = 'case.destroyed'"
    ).fetchone()[0]
    assert first == 2


def test_a_destroyed_childs_name_is_nowhere_in_the_database_file(caseload):
    if caseload.conn.postgres:
        pytest.skip("the byte check reads the SQLite file; PostgreSQL tables are vacuumed")
    path = caseload.path
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    before = b"".join(p.read_bytes() for p in files)
    assert NAME.encode() in before and b"Ravensmoor" in before  # the test can fail
    caseload.destroy_case("D-1", "parents' request")
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    after = b"".join(p.read_bytes() for p in files)
    for needle in (NAME, "Quillfeather", "Ravensmoor"):
        assert needle.encode() not in after, needle
    assert b"Orla Brindlecombe" in after


def test_only_a_data_manager_destroys_and_a_reason_is_required(caseload):
    caseload.add_staff("cora", "coordinator", caseworker="Rhea Tallowby", force=True)
    with pytest.raises(InputError) as err:
        caseload.destroy_case("D-1", "  ")
    assert "--reason: empty" in str(err.value)
    caseload.as_login("cora")
    with pytest.raises(AccessDenied) as err:
        caseload.destroy_case("D-1", "asked")
    assert str(err.value).splitlines()[0] == (
        "cora (coordinator) may not destroy case D-1: only a data manager may"
    )
    caseload.as_login(
        caseload.conn.execute("SELECT login FROM staff WHERE role = 'data_manager'").fetchone()[0]
    )
    assert caseload.case_document("D-1")["id"] == "D-1"  # nothing was removed


def test_cli_destroy(tmp_path, monkeypatch, engine):
    db = tmp_path / "c.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("D-1", NAME))])
    store.close()
    runner = CliRunner()
    refused = runner.invoke(cli, ["cases", "destroy", "D-1", "--reason", "asked"], input="n\n")
    assert refused.exit_code == 1 and "Nothing destroyed." in refused.output
    result = runner.invoke(cli, ["cases", "destroy", "D-1", "--reason", "asked", "--yes"])
    assert result.exit_code == 0, result.output
    # The import evaluated the case (issue 10): its one determination goes too.
    assert result.output.startswith("Destroyed case D-1: 1 case file version, 1 determination,")


def test_cli_destroy_of_an_evaluated_case_keeps_audit_verify_intact(tmp_path, monkeypatch, engine):
    db = tmp_path / "c.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("D-1", NAME))])
    store.close()
    runner = CliRunner()
    runner.invoke(cli, ["cases", "destroy", "D-1", "--reason", "asked", "--yes"])
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def test_destroy_can_write_the_permanent_record_first(tmp_path, monkeypatch):
    """303.416(b): name, date of birth, service coordinators and exit data may be kept.

    Born 2023-05-20, exited Part C on 2026-01-15: year 2026, age 2 years 7 months.
    """
    import json
    import stat

    from helpers import caseload_cli

    run = caseload_cli(tmp_path, monkeypatch)
    case = doc("D-9", "Pell Fictional-Keep")
    case["child"]["birth_date"] = "2023-05-20"
    case["events"].append({"type": "exited", "date": "2026-01-15"})
    (tmp_path / "d9.json").write_text(json.dumps(case))
    run("cases", "import", tmp_path / "d9.json")
    run("cases", "assign", "D-9", "Rhea Tallowby", "--new-caseworker")
    run("cases", "assign", "D-9", "Inez Marchbank", "--new-caseworker")
    keep = tmp_path / "D-9.keep.json"
    # A file that cannot be written: refused before anything is destroyed.
    bad = run(
        "cases", "destroy", "D-9", "--reason", "parents' request", "--yes",
        "--permanent-record", tmp_path / "no-such-folder" / "k.json", code=2,
    )  # fmt: skip
    assert "--permanent-record" in bad.output
    assert "D-9" in run("cases", "list").output
    out = run(
        "cases", "destroy", "D-9", "--reason", "parents' request", "--yes",
        "--permanent-record", keep,
    ).output  # fmt: skip
    assert out.splitlines()[0] == f"Wrote the permanent record of case D-9 to {keep}"
    record = json.loads(keep.read_text())
    assert stat.S_IMODE(keep.stat().st_mode) == 0o600
    assert record["part_c"] == {
        "citation": "34 CFR 303.416(b)",
        "name": "Pell Fictional-Keep",
        "birth_date": "2023-05-20",
        "service_coordinators": ["Rhea Tallowby", "Inez Marchbank"],
        "exit": [
            {"event": "exited", "date": "2026-01-15", "year": 2026,
             "age": {"years": 2, "months": 7}}
        ],
        "not_held_by_the_caseload": [
            "parent contact information (address and phone number)",
            "names of EIS providers",
            "programs entered upon exiting",
        ],
    }  # fmt: skip
    # Exited ten days after the referral, no clock or eligibility names its program:
    # both parts' sections are written and the agency keeps the one that applies.
    assert record["part_b"]["citation"] == "34 CFR 300.624(b)"
    assert record["part_b"]["name"] == "Pell Fictional-Keep" and record["case_id"] == "D-9"
    # The child is gone from the caseload itself (the kept record is outside it).
    data = (tmp_path / "caseload.db").read_bytes()
    assert b"Pell Fictional-Keep" not in data


def test_cli_destroy_says_audit_entries_in_plain_english(tmp_path, monkeypatch, engine):
    db = tmp_path / "c.db"
    monkeypatch.setenv("EIRULES_DB", str(db))
    store, _ = Store.init(db, engine)
    store.import_records([Record("a.json", "1", doc("D-1", NAME))])  # audit entry 1
    store.add_event(  # audit entry 2, with the note
        "D-1", "consent_for_evaluation", date(2026, 1, 9), note=NOTE, today=date(2026, 3, 1)
    )
    store.close()
    result = CliRunner().invoke(
        cli, ["cases", "destroy", "D-1", "--reason", "parents' request"], input="y\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(", content of 2 audit entries erased")
