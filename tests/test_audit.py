"""The hash-chained audit log: every write is recorded; edits and deletions are detected and named."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.importing import Record
from eirules.core.store import Store
from eirules.core.store.audit import GENESIS, entry_hash, verify


def doc(case_id):
    return {
        "id": case_id,
        "ruleset": "us",
        "child": {"birth_date": "2024-11-02"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
    }


@pytest.fixture
def store(db_target, engine):
    s, _ = Store.init(db_target, engine)
    s.import_records(
        [Record("a.json", f"record {i}", doc(f"A-{i}")) for i in range(1, 4)], user="ana"
    )
    s.assign("A-1", "Rhea Tallowby", user="sup", new_caseworker=True)
    s.add_event(
        "A-2", "consent_for_evaluation", date(2026, 1, 9), user="cm", today=date(2026, 3, 1)
    )
    s.evaluate(as_of=date(2026, 2, 1), user="batch")
    yield s
    s.close()


def test_every_write_appends_an_entry_with_who_and_what(store):
    actions = [(e["user"], e["action"], e["case_id"]) for e in store.audit_log()]
    assert actions == [
        ("ana", "case.imported", "A-1"),
        ("ana", "case.imported", "A-2"),
        ("ana", "case.imported", "A-3"),
        ("ana", "evaluation.run", None),  # the import evaluates what it wrote (issue 10)
        ("sup", "case.assigned", "A-1"),
        ("cm", "event.added", "A-2"),
        ("cm", "evaluation.run", "A-2"),  # so does adding an event
        ("batch", "evaluation.run", None),
    ]
    assert verify(store.conn) == (8, [])


def test_entries_chain_each_hash_to_the_previous_one(store):
    rows = store.conn.execute(
        'SELECT id, at, "user", action, case_id, summary, before, after, '
        "prev_hash, hash FROM audit_log ORDER BY id"
    ).fetchall()
    assert rows[0][8] == GENESIS
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row[8] == previous[9]
    for row in rows:
        assert entry_hash(*row[8:9], *row[:8]) == row[9]


def test_edited_entry_is_detected_and_named(store):
    store.conn.execute("UPDATE audit_log SET \"user\" = 'mallory' WHERE id = 4")
    count, problems = verify(store.conn)
    assert count == 8
    assert [p.entry for p in problems] == [4]
    assert "edited" in problems[0].what


def test_edit_with_recomputed_hash_breaks_the_next_link(store):
    row = store.conn.execute(
        'SELECT prev_hash, id, at, "user", action, case_id, summary, before, after '
        "FROM audit_log WHERE id = 2"
    ).fetchone()
    forged = entry_hash(row[0], row[1], row[2], "mallory", *row[4:])
    store.conn.execute(
        "UPDATE audit_log SET \"user\" = 'mallory', hash = ? WHERE id = 2", (forged,)
    )
    problems = verify(store.conn)[1]
    assert [p.entry for p in problems] == [3]
    assert "does not link" in problems[0].what


def test_deleted_entry_in_the_middle_is_detected_and_named(store):
    store.conn.execute("DELETE FROM audit_log WHERE id = 3")
    problems = verify(store.conn)[1]
    assert problems[0].entry == 3
    assert problems[0].what.startswith("entry 3 deleted")


def test_deleted_newest_entries_are_detected_from_the_chain_head(store):
    store.conn.execute("DELETE FROM audit_log WHERE id >= 5")
    problems = verify(store.conn)[1]
    assert [str(p) for p in problems] == ["entry 5: entries 5 to 8 deleted from the end of the log"]


@given(
    st.integers(min_value=1, max_value=6),
    st.sampled_from(["user", "action", "summary", "at"]),
    st.text(min_size=1, max_size=5),
)
def test_any_single_field_edit_is_detected(tmp_path_factory, engine, entry, column, junk):
    s, _ = Store.init(tmp_path_factory.mktemp("h") / "a.db", engine)
    s.import_records(
        [Record("a.json", f"record {i}", doc(f"A-{i}")) for i in range(1, 7)], user="ana"
    )
    original = s.conn.execute(f"SELECT {column} FROM audit_log WHERE id = ?", (entry,)).fetchone()[
        0
    ]
    s.conn.execute(f"UPDATE audit_log SET {column} = ? WHERE id = ?", (original + junk, entry))
    problems = verify(s.conn)[1]
    s.close()
    assert [p.entry for p in problems] == [entry]


def test_cli_audit_verify_and_log(store, tmp_path, db_target):
    runner = CliRunner()
    db = str(store.path or db_target)
    result = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Audit log intact: 8 entries verified; the caseload's 3 cases match it."
    )
    assert result.output.splitlines()[1] == f"Last hash: {store.audit_log()[-1]['hash']}"
    result = runner.invoke(cli, ["audit", "log", "--case", "A-1", "--db", db, "--format", "json"])
    entries = json.loads(result.output)
    assert [e["action"] for e in entries] == [
        "case.imported",
        "evaluation.run",
        "case.assigned",
        "evaluation.run",
    ]
    # Set with `cases assign`: marked, so an import does not undo it unasked.
    assert entries[2]["after"] == {"caseworker": "Rhea Tallowby", "set_with": "cases assign"}
    text = runner.invoke(cli, ["audit", "log", "--db", db, "--last", "1"]).output
    assert "evaluation.run" in text and "case.imported" not in text
    # --out: the log (notes, names before and after) goes to a file only its owner may read.
    out = tmp_path / "audit.csv"
    result = runner.invoke(cli, ["audit", "log", "--db", db, "--format", "csv", "--out", out])
    assert result.exit_code == 0 and result.output == "", result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_text().splitlines()[0] == "id,at,user,action,case_id,summary,before,after,hash"
    store.conn.execute("DELETE FROM audit_log WHERE id = 2")
    store.conn.commit()
    result = runner.invoke(cli, ["audit", "verify", "--db", db])
    assert result.exit_code == 1
    assert "entry 2: entry 2 deleted (the ids jump from 1 to 3)" in result.output


def test_now_is_the_utc_second_whatever_was_asked_before(monkeypatch):
    """Entries keep their time to the second; `now` writes each second's text once."""
    import time
    from datetime import UTC, datetime

    from eirules.core.store import audit as audit_module

    for moment in (1767225599.999, 1767225600.0, 1767225600.4, 1767225601.0, 5.5, 1767225600.9):
        monkeypatch.setattr(time, "time", lambda moment=moment: moment)
        expected = datetime.fromtimestamp(moment, UTC).replace(microsecond=0).isoformat()
        assert audit_module.now() == expected
    monkeypatch.setattr(time, "time", lambda: 1767225599.999)
    assert audit_module.now() == "2025-12-31T23:59:59+00:00"


def test_an_entry_of_one_text_is_written_as_the_canonical_writer_writes_it():
    """`audit._dump`'s shortcut for `{"key": "text"}` gives `jsontext.canonical`'s text,
    escapes and all, so the chain hashes the same bytes."""
    import random

    from eirules.core import jsontext
    from eirules.core.store.audit import _dump

    texts = ["", "a", 'q"uote', "back\\slash", "tab\tnl\n", "\x00\x1f\x7f", "é 中文 😀",
             "\u2028", "\ud800"]  # fmt: skip
    rnd = random.Random(7)
    texts += [
        "".join(chr(rnd.randrange(0, 0x11000)) for _ in range(rnd.randrange(0, 9)))
        for _ in range(2000)
    ]
    for key in ("document_hash", "caseworker", *texts[:20]):
        for text in texts:
            assert _dump({key: text}) == jsontext.canonical({key: text})
    for other in ({"a": 1}, {"a": None}, {"b": "x", "a": "y"}, {}, {"a": ["x"]}):
        assert _dump(other) == jsontext.canonical(other)
    assert _dump(None) is None
