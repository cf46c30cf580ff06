"""The listing's columns kept on the clock rows (issue 15, revision 0014), on both backends.

The statewide `due` reads clocks_due_order alone, in order: the child's name and the
current caseworker are on each clock row, so every write that changes them must change
the rows in the same transaction, and `audit verify` must notice when they differ.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import referred_case

from eirules.core.importing import Record
from eirules.core.store import Store, migrations

AS_OF = date(2026, 2, 10)


def doc(case_id: str, name: str) -> dict:
    """Referred 2026-01-05: the initial IFSP meeting is due 2026-02-19 (34 CFR 303.310(a))."""
    return referred_case(case_id, name=name)


@pytest.fixture
def caseload(db_target, engine):
    store, _ = Store.init(db_target, engine)
    store.import_records(
        [
            Record("a.json", "1", doc("L-1", "Tamsin Wrenfield"), caseworker="Rhea Tallowby"),
            Record("a.json", "2", doc("L-2", "Odile Marchbank"), caseworker="Rhea Tallowby"),
        ],
        new_caseworkers=True,
        evaluate_as_of=AS_OF,
    )
    yield store
    store.close()


def _shown(store: Store) -> dict[str, set[tuple]]:
    """(child, caseworker) on each case's clock rows, and on its `due` rows."""
    stored: dict[str, set[tuple]] = {}
    for case_id, child, worker in store.conn.execute(
        "SELECT case_id, child, caseworker FROM clocks"
    ):
        stored.setdefault(case_id, set()).add((child, worker))
    listed: dict[str, set[tuple]] = {}
    for row in store.due(as_of=AS_OF).rows:
        listed.setdefault(row["case_id"], set()).add((row["child"], row["caseworker"]))
    assert listed == stored
    return stored


def test_the_clock_rows_show_the_child_and_caseworker_303_310(caseload):
    """The IFSP meeting due 2026-02-19 is listed with the child's name and caseworker."""
    rows = [r for r in caseload.due(as_of=AS_OF).rows if r["clock"] == "initial_ifsp_meeting"]
    assert [(r["case_id"], r["due"], r["child"], r["caseworker"]) for r in rows] == [
        ("L-1", "2026-02-19", "Tamsin Wrenfield", "Rhea Tallowby"),
        ("L-2", "2026-02-19", "Odile Marchbank", "Rhea Tallowby"),
    ]
    assert _shown(caseload) == {
        "L-1": {("Tamsin Wrenfield", "Rhea Tallowby")},
        "L-2": {("Odile Marchbank", "Rhea Tallowby")},
    }
    assert caseload.verify_data() == []


def test_a_reassigned_case_is_listed_with_its_new_caseworker_at_once(caseload):
    caseload.assign("L-1", "Bram Oakhurst", new_caseworker=True)
    assert _shown(caseload)["L-1"] == {("Tamsin Wrenfield", "Bram Oakhurst")}
    assert _shown(caseload)["L-2"] == {("Odile Marchbank", "Rhea Tallowby")}
    # Its cases' rows are the new caseworker's own listing.
    mine = caseload.due(as_of=AS_OF, caseworker="Bram Oakhurst").rows
    assert {(r["case_id"], r["caseworker"]) for r in mine} == {("L-1", "Bram Oakhurst")}
    assert caseload.verify_data() == []


def test_a_renamed_child_is_listed_by_the_new_name_and_the_old_one_is_gone(caseload):
    """The case file imported again with a corrected name: the rows say it before and after
    the next evaluation (the case is changed, so the listing re-evaluates it meanwhile)."""
    caseload.import_records(
        [Record("b.json", "1", doc("L-2", "Odile Marchbanks"))], evaluate_as_of=None
    )
    names = {r[0] for r in caseload.conn.execute("SELECT child FROM clocks WHERE case_id = 'L-2'")}
    assert names == {"Odile Marchbanks"}
    assert _shown(caseload)["L-2"] == {("Odile Marchbanks", "Rhea Tallowby")}
    caseload.evaluate(as_of=AS_OF)
    assert _shown(caseload)["L-2"] == {("Odile Marchbanks", "Rhea Tallowby")}
    assert caseload.verify_data() == []


def test_a_destroyed_case_leaves_no_clock_row(caseload):
    caseload.destroy_case("L-1", "parents' request")
    assert caseload.conn.execute(
        "SELECT count(*) FROM clocks WHERE case_id = 'L-1' OR child = 'Tamsin Wrenfield'"
    ).fetchone() == (0,)
    assert set(_shown(caseload)) == {"L-2"}


def test_audit_verify_finds_a_name_or_caseworker_edited_on_the_clock_rows(caseload):
    caseload.conn.begin_write()
    caseload.conn.execute("UPDATE clocks SET caseworker = 'Mallory' WHERE case_id = 'L-2'")
    caseload.conn.commit()
    problems = [p.what for p in caseload.verify_data()]
    assert problems == [
        "case L-2: its clock rows show another child's name or caseworker than the case's "
        "(edited outside eirules)",
        # and their listed text (revision 0015) is not made of the edited column
        "case L-2: the listed text kept on its clock rows is not made of their columns "
        "(edited outside eirules)",
    ]


def test_db_upgrade_fills_the_columns_from_the_cases(caseload, db_target, engine):
    caseload.conn.begin_write()
    caseload.conn.execute("UPDATE clocks SET child = NULL, caseworker = NULL")
    caseload.conn.execute("UPDATE alembic_version SET version_num = '0013_clock_closed_on'")
    caseload.conn.commit()
    caseload.close()
    store, applied = Store.init(db_target, engine)
    try:
        assert (
            applied
            == [
                "0014_listing_columns_on_clocks",
                "0015_listed_text_on_clocks",
                "0016_caseworker_name_key",
                "0017_late_excused_cases_overdue",
            ]
            == list(migrations.REVISIONS[-4:])
        )
        assert _shown(store)["L-1"] == {("Tamsin Wrenfield", "Rhea Tallowby")}
        assert store.verify_data() == []
    finally:
        store.close()


def test_the_statewide_list_reads_one_index_and_no_other_table(caseload):
    """No join per row: SQLite answers from clocks_due_order alone (a covering index)."""
    current = caseload._current_sql(AS_OF, None)
    [(sql, params)] = caseload._indexed_sql(None, current, AS_OF)
    if caseload.conn.postgres:
        plan = [r[0] for r in caseload.conn.execute("EXPLAIN " + sql, params)]
        assert not any(t in s for s in plan for t in ("cases", "children", "assignments")), plan
        return
    plan = [r[-1] for r in caseload.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
    assert plan == ["SEARCH k USING COVERING INDEX clocks_due_order (is_open=?)"], plan
