"""Issue 15: `due`, `overdue` and `cases list` for a whole state, written as they are read.

The listing's rows come from the due index in their final order (sorted in SQL) and
are written as they arrive; re-evaluated and failed cases are merged in at their
place. What is written is the same, byte for byte, as the listing built whole.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import caseload_cli
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli, output, output_rows
from eirules.core.store import ROW_FIELDS, DueStream, Store
from eirules.core.store.listing_rows import _urgency

EXAMPLES = Path(__file__).parent.parent / "examples"
AS_OF = date(2026, 3, 2)


@pytest.fixture
def run(tmp_path, monkeypatch):
    return caseload_cli(tmp_path, monkeypatch)


@pytest.fixture
def caseload(run, tmp_path):
    """The 240-case demo caseload as files, imported and evaluated as of 2026-03-02."""
    run("cases", "import", EXAMPLES / "caseload")
    run("evaluate", "--all", "--as-of", AS_OF.isoformat())
    return tmp_path / "caseload.db"


def _rows(db, **query) -> list[dict]:
    store = Store.open(db)
    try:
        return list(store.due_stream(as_of=AS_OF, **query).rows)
    finally:
        store.close()


def _make_stale(db, where: str) -> None:
    """Mark some cases' determinations as made by another engine: they are re-evaluated."""
    store = Store.open(db)
    store.conn.execute(
        "UPDATE determinations SET engine = 'eirules 0.0.0' WHERE id IN "
        f"(SELECT last_determination_id FROM cases WHERE {where})"
    )
    store.conn.commit()
    store.close()


def _break_first_case(db) -> str:
    """Point the first case at a document naming a ruleset that is not installed."""
    store = Store.open(db)
    case_id, text = store.conn.execute(
        "SELECT c.id, d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
        "ORDER BY c.id LIMIT 1"
    ).fetchone()
    document = {**json.loads(text), "ruleset": "us-zz"}
    broken = json.dumps(document, sort_keys=True)
    store.conn.execute(
        "INSERT INTO case_documents (hash, document) VALUES ('broken', ?)", (broken,)
    )
    store.conn.execute(
        "UPDATE cases SET document_hash = 'broken', status = 'changed_since_evaluation' "
        "WHERE id = ?",
        (case_id,),
    )
    store.conn.commit()
    store.close()
    return case_id


def test_the_index_streams_rows_in_the_order_due_sorts_them(caseload):
    rows = _rows(caseload)
    assert len(rows) > 240
    assert rows == sorted(rows, key=_urgency)
    assert [list(r) for r in rows[:1]] == [list(ROW_FIELDS)]


def test_re_evaluated_cases_are_merged_in_at_their_place(caseload):
    """Half the cases stale: their rows, evaluated in memory, interleave with the index's
    rows exactly as when every case is current."""
    current = _rows(caseload)
    _make_stale(caseload, "substr(id, length(id), 1) IN ('0', '2', '4', '6', '8')")
    merged = _rows(caseload)
    assert merged == current


def test_a_failed_case_comes_first_and_is_known_before_the_first_row(caseload):
    first = _break_first_case(caseload)
    store = Store.open(caseload)
    stream = store.due_stream(as_of=AS_OF)
    assert isinstance(stream, DueStream)
    assert stream.failed == (first,)  # before a row is read: the exit status is known
    rows = list(stream.rows)
    store.close()
    assert rows[0]["kind"] == "evaluation_failed" and rows[0]["case_id"] == first
    assert all(r["case_id"] != first for r in rows[1:])


@pytest.mark.parametrize("command", [("due",), ("overdue",), ("due", "--within", "14d")])
def test_streamed_json_is_byte_for_byte_the_whole_listing(run, caseload, command):
    result = run(*command, "--as-of", AS_OF.isoformat(), "--format", "json")
    rows = json.loads(result.output)
    assert rows
    assert result.output == json.dumps(rows, indent=2) + "\n"
    store = Store.open(caseload)
    kind = {"overdue_only": True} if command == ("overdue",) else {}
    if "--within" in command:
        kind = {"within_days": 14}
    whole = store.due(as_of=AS_OF, **kind)
    store.close()
    assert rows == [dict(r) for r in whole.rows]


def test_json_lines_has_one_row_a_line_equal_to_the_json(run, caseload):
    as_json = json.loads(run("due", "--as-of", AS_OF.isoformat(), "--format", "json").output)
    lines = run("due", "--as-of", AS_OF.isoformat(), "--format", "jsonl").output.splitlines()
    assert [json.loads(line) for line in lines] == as_json


def test_streamed_csv_is_the_one_csv_writer(run, caseload):
    text = run("overdue", "--as-of", AS_OF.isoformat(), "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(text)))
    as_json = json.loads(run("overdue", "--as-of", AS_OF.isoformat(), "--format", "json").output)
    assert text == output.csv_text(as_json, list(ROW_FIELDS))
    assert len(rows) == len(as_json) > 0


def test_cases_list_streams_in_every_machine_format(run, caseload):
    as_json = json.loads(run("cases", "list", "--as-of", "2026-03-02", "--format", "json").output)
    assert len(as_json) == 240
    lines = run("cases", "list", "--as-of", "2026-03-02", "--format", "jsonl").output
    assert [json.loads(line) for line in lines.splitlines()] == as_json
    text = run("cases", "list", "--as-of", "2026-03-02", "--format", "csv").output
    assert len(list(csv.DictReader(io.StringIO(text)))) == 240


def test_a_failed_case_still_sets_the_exit_status_when_streamed(run, caseload):
    _break_first_case(caseload)
    for fmt in ("json", "jsonl", "csv"):
        result = CliRunner().invoke(
            cli, ["due", "--as-of", "2026-03-02", "--format", fmt, "--db", str(caseload)]
        )
        assert result.exit_code == 1, fmt
        assert "evaluation_failed" in result.output


# The writers ----------------------------------------------------------------------------

_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
)
_rows_strategy = st.lists(
    st.fixed_dictionaries({k: _values for k in ("kind", "due", "days_left", "child")}),
    max_size=5,
)


@given(_rows_strategy)
def test_streamed_json_equals_json_dumps_of_the_whole_list(rows):
    """Any values, non-ASCII and control characters included: the same bytes as json.dumps."""
    out = io.StringIO()
    with _stdout(out):
        output_rows.write_json_rows(iter(rows), ["kind", "due", "days_left", "child"])
    keys = ["kind", "due", "days_left", "child"]
    assert out.getvalue() == json.dumps([{k: r[k] for k in keys} for r in rows], indent=2) + "\n"


@given(_rows_strategy)
def test_streamed_csv_equals_the_whole_csv(rows):
    out = io.StringIO()
    with _stdout(out):
        output_rows.write_csv(iter(rows), ["kind", "due", "days_left", "child"])
    assert out.getvalue() == output.csv_text(rows, ["kind", "due", "days_left", "child"])


def test_the_first_row_is_written_before_the_rest_is_read():
    """A reader of a whole state's listing sees the first row at once: written and
    flushed before the second row is even asked for."""
    out = io.StringIO()
    seen = []

    def rows():
        yield {"kind": "clock"}
        seen.append(out.getvalue())
        yield {"kind": "referral"}

    for writer in (
        output_rows.write_json_rows,
        output_rows.write_json_lines,
        output_rows.write_csv,
    ):
        out.seek(0)
        out.truncate()
        seen.clear()
        with _stdout(out):
            writer(rows(), ["kind"])
        assert "clock" in seen[0] and "referral" not in seen[0], writer.__name__


class _stdout:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        import sys

        self.saved, sys.stdout = sys.stdout, self.stream

    def __exit__(self, *exc):
        import sys

        sys.stdout = self.saved


def test_both_backends_stream_the_same_rows_in_the_same_order(db_target):
    """SQLite steps its statement; PostgreSQL reads through a server-side cursor, in code-point
    order whatever the server's locale. Half the cases stale, so the merge runs too."""
    from eirules.core.engine import Engine

    store, _ = Store.init(db_target, Engine(entry_points=False))
    try:
        store.import_paths([str(EXAMPLES / "caseload")], user="test", evaluate_as_of=AS_OF)
        whole = list(store.due_stream(as_of=AS_OF).rows)
        assert whole == sorted(whole, key=_urgency) and len(whole) > 240
        store.conn.execute(
            "UPDATE determinations SET engine = 'eirules 0.0.0' WHERE id IN (SELECT "
            "last_determination_id FROM cases WHERE substr(id, length(id), 1) IN ('1', '3'))"
        )
        # What the due index answers for is kept on the case (ENGINE|RULESET|VERSION).
        store.conn.execute(
            "UPDATE cases SET evaluated_with = replace(evaluated_with, 'eirules ', 'eirules-old ') "
            "WHERE substr(id, length(id), 1) IN ('1', '3')"
        )
        if not store.conn.postgres:
            store.conn.commit()
        stream = store.due_stream(as_of=AS_OF)
        assert stream.refreshed > 0
        assert list(stream.rows) == whole
        listed = list(store.iter_cases())
        assert [r["case_id"] for r in listed] == sorted(r["case_id"] for r in listed)
    finally:
        store.close()
