"""Issue 15: an import evaluates each case from the model it checked, never loading it twice.

The evaluation is made where the record is checked (a worker, or this process)
and held until every record is stored (core/store/held.py); what is stored is
exactly what evaluating the stored documents gives: `evaluate` of the same cases
right after finds every determination unchanged (same result digest, so the same
bytes). No timing here: benchmarks/overhead.py measures the cost.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import pytest

from eirules.core import chunks
from eirules.core.engine import Engine
from eirules.core.errors import InputError
from eirules.core.importing import files_in, read_records
from eirules.core.store import Store, held
from eirules.core.store import imports as imports_module
from eirules.core.store.workers import MIN_CHUNKS

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


@pytest.fixture
def store(db_target):
    s, _ = Store.init(db_target, Engine(entry_points=False))
    s.jobs = 1
    yield s
    s.close()


def _records() -> list:
    return list(read_records(files_in([str(EXAMPLES / "caseload")])))


def _count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("on_disk", [False, True], ids=["kept", "pickled-to-disk"])
def test_an_import_never_loads_a_stored_document_and_stores_what_evaluating_them_gives(
    store, monkeypatch, on_disk
):
    def loaded_again(engine, document):
        raise AssertionError(f"case {document['id']} loaded again from the store")

    monkeypatch.setattr(chunks, "stored_case", loaded_again)
    if on_disk:  # pickled, as a worker sends them, and in a file on disk after the first
        monkeypatch.setattr(held, "IN_MEMORY", 0)
        monkeypatch.setattr(held, "SPOOL_BYTES", 1)
    result = store.import_records(_records(), user="test", evaluate_as_of=AS_OF)
    assert (result.created, result.evaluated, result.failures) == (240, 240, ())
    assert _count(store, "determinations") == 240
    monkeypatch.undo()
    ids = [r[0] for r in store.conn.execute("SELECT id FROM cases ORDER BY id")]
    again = store.evaluate(as_of=AS_OF, user="test", case_ids=ids)
    assert (again.evaluated, again.unchanged, again.failures) == (240, 240, ())
    assert _count(store, "determinations") == 240  # nothing differed, so nothing was added
    assert store.verify_audit()[1] == [] and store.verify_data() == []


def _counting(monkeypatch) -> list[str]:
    """The case ids evaluated in this process (jobs 1: every chunk runs here)."""
    seen: list[str] = []
    real = Engine.evaluate_stable

    def counted(self, case, *args, **kwargs):
        seen.append(case.id)
        return real(self, case, *args, **kwargs)

    monkeypatch.setattr(Engine, "evaluate_stable", counted)
    return seen


def test_an_unchanged_re_import_evaluates_no_case(store, monkeypatch):
    store.import_records(_records(), user="test", evaluate_as_of=AS_OF)
    seen = _counting(monkeypatch)
    result = store.import_records(_records(), user="test", evaluate_as_of=AS_OF)
    assert (result.unchanged, result.evaluated) == (240, 0)
    assert seen == []


def test_a_refused_import_stops_evaluating_once_a_record_is_refused(store, monkeypatch):
    """Chunks made after the first problem are only checked: nothing will be stored."""
    records = _records()
    bad = records[0].data | {"child": {}}  # no birth date
    records[0] = type(records[0])(records[0].source, records[0].label, bad)
    monkeypatch.setattr(imports_module, "CHUNK", 40)  # 6 chunks
    seen = _counting(monkeypatch)
    with pytest.raises(InputError, match="nothing imported: 2 records not valid"):
        store.import_records(records, user="test", evaluate_as_of=AS_OF)
    # The chunks read ahead before the first was checked are evaluated; none after.
    assert len(seen) == MIN_CHUNKS * 40 - 1
    assert _count(store, "cases") == _count(store, "audit_log") == 0


def test_an_as_of_date_before_the_ruleset_refuses_the_import_from_workers(store, monkeypatch):
    """The date is bad input for every case: refused as evaluating would, nothing written."""
    monkeypatch.setattr(imports_module, "CHUNK", 40)
    store.jobs = 2
    with pytest.raises(InputError, match=r'--as-of 1990-01-01 is before the dates ruleset "us"'):
        store.import_records(_records(), user="test", evaluate_as_of=date(1990, 1, 1))
    for table in ("cases", "determinations", "evaluation_runs", "audit_log"):
        assert _count(store, table) == 0, table


def test_an_import_writes_with_a_larger_sqlite_page_cache_and_puts_it_back(store):
    """Its clock rows go into a wide index at scattered pages (imports.IMPORT_CACHE_KIB)."""
    if store.conn.postgres:
        pytest.skip("a PostgreSQL server keeps its own cache")
    before = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    during = []

    def progress(_n):
        during.append(store.conn.execute("PRAGMA cache_size").fetchone()[0])

    store.import_records(_records(), user="test", evaluate_as_of=AS_OF, progress=progress)
    assert set(during) == {-imports_module.IMPORT_CACHE_KIB}
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == before != during[0]


def test_evaluate_all_writes_with_the_same_larger_page_cache_and_puts_it_back(store):
    """A nightly run deletes and inserts clock rows in the same wide index as an import
    (backend.WRITE_CACHE_KIB); inside an import the import's setting stands."""
    if store.conn.postgres:
        pytest.skip("a PostgreSQL server keeps its own cache")
    store.import_records(_records(), user="test")
    before = store.conn.execute("PRAGMA cache_size").fetchone()[0]
    during = []

    def progress(_n):
        during.append(store.conn.execute("PRAGMA cache_size").fetchone()[0])

    # Chunks of two cases: each part but the last is reported while the run writes (the
    # last part is reported after the run's closing transaction).
    report = store.evaluate(as_of=AS_OF, user="test", progress=progress, chunk=2)
    assert report.evaluated > 2 and len(during) > 1
    assert set(during[:-1]) == {-imports_module.WRITE_CACHE_KIB}
    assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == before != during[0]


class Status(StrEnum):
    """A status of a str subclass, which marshal does not write."""

    OVERDUE = "overdue"


def test_a_packed_evaluation_reads_back_equal_and_anything_else_is_pickled():
    """`chunks.pack_evaluation`: an Outcome's fields through marshal, read back as the same
    Outcome; what marshal cannot write (a DateNotCovered, a str subclass) through pickle."""
    from eirules.core.rulesets import DateNotCovered

    engine = Engine(entry_points=False)
    for record in _records()[:20]:
        case = engine.case_from_dict(record.data)
        value = chunks.evaluation(engine, case, AS_OF)
        packed = chunks.pack_evaluation(value)
        assert packed[:1] == b"M"
        again = chunks.unpack_evaluation(packed)
        assert again == value and type(again[1]) is chunks.Outcome
    assert chunks.unpack_evaluation(chunks.pack_evaluation(("no ruleset", None))) == (
        "no ruleset",
        None,
    )

    odd = (None, value[1]._replace(status=Status.OVERDUE))
    packed = chunks.pack_evaluation(odd)
    assert packed[:1] == b"P" and chunks.unpack_evaluation(packed)[1].status is Status.OVERDUE
    day = date(2000, 1, 1)
    before = DateNotCovered("us", "p", day, AS_OF, (AS_OF, AS_OF), as_of=day)
    refused = chunks.unpack_evaluation(chunks.pack_evaluation(before))
    assert isinstance(refused, DateNotCovered) and str(refused) == str(before)
