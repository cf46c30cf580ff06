"""Why a closed clock is still on `due`: its row keeps the day it closed (`clocks.closed_on`).

QA finding (issue 10 follow-up): a clock that went past its due date unmet and then closed
(Part C ended at the third birthday, 34 CFR 303.209, 303.21(a)) stays listed so the
lateness is seen (`decisions.is_outstanding`), but the `due` table did not say why: the
clock rows had no `closed_on`. They have it now (revision 0013_clock_closed_on), on SQLite
and PostgreSQL, and the table says "late: closed unmet on DATE".
"""

from __future__ import annotations

import json
from datetime import date

from helpers import caseload_cli
from test_lateness_listed import MISSED, WREN

from eirules.core.importing import Record
from eirules.core.store import Store, migrations

#: WREN-0001's third birthday: Part C ended and its late clocks closed unmet that day.
CLOSED = "2025-06-06"
AS_OF = date(2025, 7, 1)


def _imported(db_target, engine) -> Store:
    store = Store.init(db_target, engine)[0]
    store.import_records([Record("wren.json", "record 1", WREN)], user="tester")
    store.evaluate(as_of=AS_OF, user="tester")
    return store


def _closed(store: Store) -> dict[str, str | None]:
    rows = store.conn.execute(
        "SELECT clock, closed_on FROM clocks WHERE kind = 'clock' AND is_open = 1"
    ).fetchall()
    return {clock: closed for clock, closed in rows}


def test_clock_rows_keep_the_day_part_c_ended_303_209(db_target, engine):
    """303.310(a) meeting due 2024-02-08, 303.209 transition steps due 2025-03-08, none done;
    Part C ended 2025-06-06. As of 2025-07-01 each of the four is listed with closed_on
    2025-06-06, in the stored rows and in `due`'s rows, on both backends."""
    store = _imported(db_target, engine)
    try:
        assert _closed(store) == dict.fromkeys(MISSED, CLOSED)
        rows = [r for r in store.due(as_of=AS_OF).rows if r["kind"] == "clock"]
        assert {r["clock"]: r["closed_on"] for r in rows} == dict.fromkeys(MISSED, CLOSED)
        ifsp = next(r for r in rows if r["clock"] == "initial_ifsp_meeting")
        assert (ifsp["due"], ifsp["days_left"], ifsp["status"]) == ("2024-02-08", -484, "overdue")
        # Closed unmet on 2025-06-06: its lateness stopped then (2024-02-08 to 2025-06-06),
        # the same a year later, on both backends.
        late = next(
            r for r in store.due(as_of=date(2026, 7, 1)).rows if r["clock"] == ifsp["clock"]
        )
        assert late["days_left"] == -484
        # Before the third birthday nothing has closed: the same clocks are open, no date.
        early = store.due(as_of=date(2025, 3, 1)).rows
        assert {r["clock"]: r["closed_on"] for r in early if r["kind"] == "clock"} == {
            r["clock"]: None for r in early if r["kind"] == "clock"
        }
        assert store.verify_data() == []
    finally:
        store.close()


def test_db_upgrade_fills_closed_on_from_the_stored_determination(db_target, engine):
    """Rows stored before revision 0013 have no closed_on: `db upgrade` takes it from each
    case's latest determination, so `due` says it at once and `audit verify` agrees."""
    store = _imported(db_target, engine)
    store.conn.begin_write()
    # The clock rows of revision 0012 (a determination of that time had no referral
    # closed_on, so its referral rows had none to lose).
    store.conn.execute("UPDATE clocks SET closed_on = NULL WHERE kind = 'clock'")
    store.conn.execute("UPDATE alembic_version SET version_num = '0012_stability_interval'")
    store.conn.commit()
    store.close()
    store, applied = Store.init(db_target, engine)
    try:
        assert applied == list(
            migrations.REVISIONS[migrations.REVISIONS.index("0013_clock_closed_on") :]
        )
        assert _closed(store) == dict.fromkeys(MISSED, CLOSED)
        assert store.verify_data() == []
    finally:
        store.close()


def test_due_table_says_the_clock_closed_unmet_on_its_date_within_80_columns(tmp_path, monkeypatch):
    """`eirules due` at COLUMNS=80: every line fits, and each closed late clock's row says
    "late: closed unmet on 2025-06-06" (read across its wrapped lines)."""
    run = caseload_cli(tmp_path, monkeypatch)
    path = tmp_path / "wren.json"
    path.write_text(json.dumps(WREN))
    run("cases", "import", path)
    monkeypatch.setenv("COLUMNS", "80")
    out = run("due", "--as-of", AS_OF.isoformat()).output
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, out
    # The What column of each row, read across its wrapped lines.
    start, end = lines[0].index("What"), lines[0].index("Child")
    cells: list[str] = []
    for line in lines[1:]:
        if not line.startswith(" "):
            if line.startswith("("):
                break  # the note on columns left out
            cells.append("")
        cells[-1] = " ".join((cells[-1] + " " + line[start:end]).split())
    assert sorted(c for c in cells if "closed unmet" in c) == [
        f"Initial IFSP meeting; late: closed unmet on {CLOSED}",
        f"Notify SEA and LEA of transition; late: closed unmet on {CLOSED}",
        f"Transition conference; late: closed unmet on {CLOSED}",
        f"Transition plan in the IFSP; late: closed unmet on {CLOSED}",
    ], out
    # The notice never made while Part C lasted (34 CFR 303.209(b)(1)): its referral row too.
    assert [c for c in cells if "not made" in c] == [
        "Referral to the SEA and the LEA where the toddler resides (by the Part C lead "
        f"agency); late: not made, closed on {CLOSED}"
    ], out
