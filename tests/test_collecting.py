"""Fewer garbage collections during bulk work (core/collecting.py), and thresholds put back."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from eirules.core import collecting
from eirules.core.importing import Record
from eirules.core.store import Store


@pytest.fixture
def thresholds():
    """CPython's default thresholds for the test, whatever the process had."""
    found = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*found)


def test_bulk_collects_the_youngest_generation_less_often_then_puts_back_what_it_found(
    thresholds,
):
    with collecting.bulk():
        assert gc.get_threshold() == (collecting.BULK_THRESHOLD, 10, 10)
        with collecting.bulk():  # an import evaluating what it wrote
            assert gc.get_threshold() == (collecting.BULK_THRESHOLD, 10, 10)
        assert gc.get_threshold() == (collecting.BULK_THRESHOLD, 10, 10)  # the outer is open
    assert gc.get_threshold() == (700, 10, 10)


def test_bulk_puts_back_the_thresholds_after_an_error(thresholds):
    with pytest.raises(ValueError), collecting.bulk():
        raise ValueError("a bad record")
    assert gc.get_threshold() == (700, 10, 10)


def test_thresholds_someone_set_inside_bulk_are_kept(thresholds):
    with collecting.bulk():
        gc.set_threshold(2000, 5, 5)
    assert gc.get_threshold() == (2000, 5, 5)


@pytest.mark.parametrize("found", [(0, 10, 10), (100_000, 10, 10)])
def test_collection_off_or_already_rarer_is_left_alone(thresholds, found):
    gc.set_threshold(*found)
    with collecting.bulk():
        assert gc.get_threshold() == found
    assert gc.get_threshold() == found


def test_an_import_and_its_evaluation_run_in_bulk(tmp_path, engine, thresholds):
    """Seen from the import's progress callback (called as its cases are evaluated); once
    the import returns the process has its own thresholds again."""
    store, _ = Store.init(tmp_path / "c.db", engine)
    store.jobs = 1
    seen = []
    doc = {
        "schema": "eirules/case@1",
        "id": "T-GC-1",
        "ruleset": "us",
        "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
    }
    store.import_records(
        [Record("t.json", "record 1", doc)],
        user="tester",
        evaluate_as_of=date(2026, 2, 10),
        progress=lambda _n: seen.append(gc.get_threshold()[0]),
    )
    assert seen and set(seen) == {collecting.BULK_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
    seen.clear()
    store.evaluate(
        as_of=date(2026, 2, 11),
        user="tester",
        progress=lambda _n: seen.append(gc.get_threshold()[0]),
    )
    assert seen and set(seen) == {collecting.BULK_THRESHOLD}
    assert gc.get_threshold() == (700, 10, 10)
    store.close()
