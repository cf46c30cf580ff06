"""Each clock row's listed JSON text (issue 15, revision 0015), on both backends.

`due --format jsonl` writes the text kept on each clock row with the as-of date's two
values put in, never a dict: it must be byte for byte what `json.dumps` makes of the
rows `due` gives (the json, csv and table formats' rows) for every filter, with cases
re-evaluated or failed merged in at their place, after a reassignment or a renamed
child, for any text a name or reason may hold, and after `db upgrade` filled it.
"""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import referred_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.cli.synthetic import DEMO_AS_OF, iter_cases, records
from eirules.core.engine import Engine
from eirules.core.importing import Record
from eirules.core.store import ROW_FIELDS, Store, migrations
from eirules.core.store.lines import line_of, refresh_shown

AS_OF = DEMO_AS_OF  # 2026-03-02
WORKERS = ("Rhea Tallowby", "Simeon Quarrel", "Odile Farrowind", "Bram Kettleworth")

#: Every way `due` and `overdue` filter, as `Store.due` keywords.
QUERIES = [
    {},
    {"within_days": 14},
    {"within_days": 0},
    {"overdue_only": True},
    {"caseworker": WORKERS[1]},
    {"caseworker": WORKERS[1], "within_days": 14},
    {"caseworker": WORKERS[2], "overdue_only": True},
]


@pytest.fixture
def caseload(db_target):
    """60 generated cases (36 Part C, 24 Part B), evaluated as of 2026-03-02."""
    store, _ = Store.init(db_target, Engine(entry_points=False))
    pairs = iter_cases(seed=3, part_c=36, part_b=24, as_of=AS_OF, caseworkers=WORKERS)
    store.import_records(records(pairs), evaluate_as_of=AS_OF, new_caseworkers=True)
    yield store
    store.close()


def _dumped(store: Store, as_of: date = AS_OF, **query) -> list[str]:
    """`json.dumps` of each row `due` gives (a dict per row: the other formats' rows)."""
    return [json.dumps(row) for row in store.due(as_of=as_of, **query).rows]


def _lines(store: Store, as_of: date = AS_OF, **query) -> list[str]:
    return [text for _, text in store.due_lines(as_of=as_of, **query)]


def _same_for_every_filter(store: Store, as_of: date = AS_OF) -> int:
    listed = 0
    for query in QUERIES:
        dumped = _dumped(store, as_of, **query)
        assert _lines(store, as_of, **query) == dumped, query
        listed += len(dumped)
    return listed


def test_stored_text_is_json_dumps_of_every_row_for_every_filter(caseload):
    """Nothing re-evaluated: each row's text is read whole from the clock rows."""
    assert caseload.due(as_of=AS_OF).refreshed == 0
    assert _same_for_every_filter(caseload) > 150
    # On other dates too (days_left and evaluated_as_of are the two values put in).
    assert caseload.due(as_of=date(2026, 3, 5)).refreshed < 10  # the stability interval
    assert _same_for_every_filter(caseload, date(2026, 3, 5)) > 150


def test_an_overdue_initial_ifsp_meeting_reads_as_json_dumps_writes_it_303_310(caseload):
    """Referred 2026-01-05: the 45-day initial IFSP meeting (34 CFR 303.310(a)) was due
    2026-02-19, 11 days before 2026-03-02."""
    caseload.import_records(
        [
            Record(
                "r.json",
                "1",
                referred_case("R-1", name='Zoë "Bo" O\'Hara 李'),
                caseworker="Rhea Tallowby",
            )
        ],
        evaluate_as_of=AS_OF,
    )
    [text] = [t for c, t in caseload.due_lines(as_of=AS_OF) if c == "R-1" and "303.310" in t]
    assert text == (
        '{"kind": "clock", "due": "2026-02-19", "days_left": -11, "case_id": "R-1", '
        '"child": "Zo\\u00eb \\"Bo\\" O\'Hara \\u674e", "program": "part_c", '
        '"clock": "initial_ifsp_meeting", "label": "Initial IFSP meeting", "subject": null, '
        '"status": "overdue", "caseworker": "Rhea Tallowby", "citation": "34 CFR 303.310", '
        '"reason": null, "fix": null, "evaluated_as_of": "2026-03-02", "closed_on": null}'
    )


def test_cases_not_current_and_failed_ones_are_merged_in_at_their_place(caseload):
    """Cases re-evaluated for the answer, and one that cannot be evaluated (its ruleset is
    not installed), come in the order the dict rows have, for every filter."""
    bad = {**referred_case("Z-1"), "ruleset": "us-zz"}
    caseload.import_records([Record("z.json", "1", bad, caseworker=WORKERS[1])])
    caseload.conn.execute(
        "UPDATE cases SET evaluated_as_of = NULL, stable_from = NULL, stable_until = NULL "
        "WHERE id LIKE '%3' OR id LIKE '%7'"
    )
    caseload.conn.commit()
    answer = caseload.due(as_of=AS_OF)
    assert 10 < answer.refreshed < 20 and answer.failed == ("Z-1",)
    assert _same_for_every_filter(caseload) > 150
    lines = caseload.due_lines(as_of=AS_OF)
    assert (lines.refreshed, lines.failed) == (answer.refreshed, answer.failed)
    assert json.loads(next(iter(lines))[1])["kind"] == "evaluation_failed"  # first


def test_a_reassigned_case_and_a_renamed_child_are_in_the_text_at_once(caseload):
    """The same transaction that changes the caseworker or the name changes the text."""
    case = next(r["case_id"] for r in caseload.due(as_of=AS_OF).rows if r["case_id"][-1] == "1")
    caseload.assign(case, "Ione Hartwell", new_caseworker=True)
    assert _same_for_every_filter(caseload) > 150
    mine = _lines(caseload, caseworker="Ione Hartwell")
    assert mine and all(json.loads(t)["case_id"] == case for t in mine)
    assert all('"caseworker": "Ione Hartwell"' in t for t in mine)
    # The case file again with a corrected name: changed, so re-evaluated meanwhile ...
    document = json.loads(
        caseload.conn.execute(
            "SELECT d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
            "WHERE c.id = ?",
            (case,),
        ).fetchone()[0]
    )
    document["child"]["name"] = 'Ione "Jo" Brække'
    caseload.import_records([Record("b.json", "1", document)], evaluate_as_of=None)
    stored = {
        body
        for (body,) in caseload.conn.execute(
            "SELECT line_body FROM clocks WHERE case_id = ?", (case,)
        )
    }
    assert stored and all('"child": "Ione \\"Jo\\" Br\\u00e6kke"' in b for b in stored)
    assert caseload.verify_data() == []
    assert _same_for_every_filter(caseload) > 150
    # ... and listed from the stored text after the next evaluation.
    caseload.evaluate(as_of=AS_OF)
    assert caseload.due(as_of=AS_OF).refreshed == 0
    assert _same_for_every_filter(caseload) > 150
    assert caseload.verify_data() == []


def test_due_and_overdue_format_jsonl_write_the_dict_rows_bytes(caseload, db_target):
    """The command line's jsonl is the stored text; json and csv are written from dicts.
    Every listed case goes on the record of access either way (34 CFR 300.614)."""
    runner = CliRunner()
    base = ["--as-of", AS_OF.isoformat(), "--db", str(db_target)]
    for command, query in (
        (["due"], {}),
        (["due", "--within", "14d", "--caseworker", WORKERS[0]], {"within_days": 14}),
        (["overdue"], {"overdue_only": True}),
    ):
        got = runner.invoke(cli, [*command, *base, "--format", "jsonl"])
        assert got.exit_code == 0, got.output
        if "--caseworker" in command:
            query["caseworker"] = WORKERS[0]
        rows = caseload.due(as_of=AS_OF, **query).rows
        assert got.output == "".join(json.dumps(r) + "\n" for r in rows)
        as_json = runner.invoke(cli, [*command, *base, "--format", "json"]).output
        assert json.loads(as_json) == [json.loads(line) for line in got.output.splitlines()]
    logged = caseload.conn.execute(
        "SELECT count(DISTINCT case_id) FROM access_log WHERE action = 'due'"
    ).fetchone()[0]
    assert logged == len({r["case_id"] for r in caseload.due(as_of=AS_OF).rows})


def test_the_statewide_text_is_read_from_one_covering_index(caseload):
    """SQLite answers the jsonl rows from clocks_due_order alone, as the dict rows."""
    if caseload.conn.postgres:
        pytest.skip("PostgreSQL keeps its index (revision 0014): entries of at most 2.7 kB")
    current = caseload._current_sql(AS_OF, None)
    for query, keyed in itertools.product(
        ({}, {"horizon": date(2026, 3, 16)}, {"overdue_only": True}), (False, True)
    ):
        select = caseload._lines_select(keyed)
        for sql, params in caseload._indexed_sql(None, current, AS_OF, select=select, **query):
            plan = [r[-1] for r in caseload.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            assert len(plan) == 1, plan  # no sort, no other table
            assert plan[0].startswith("SEARCH k USING COVERING INDEX clocks_due_order ("), plan


def test_audit_verify_finds_listed_text_edited_outside_eirules(caseload):
    """An overdue clock made to read "met" in its text only is found."""
    case = caseload.conn.execute(
        "SELECT min(case_id) FROM clocks WHERE status = 'overdue'"
    ).fetchone()[0]
    caseload.conn.begin_write()
    caseload.conn.execute(
        "UPDATE clocks SET line_body = replace(line_body, '\"overdue\"', '\"met\"') "
        "WHERE case_id = ?",
        (case,),
    )
    caseload.conn.commit()
    assert [p.what for p in caseload.verify_data()] == [
        f"case {case}: the listed text kept on its clock rows is not made of their columns "
        "(edited outside eirules)"
    ]


def test_db_upgrade_fills_the_text_of_existing_rows_in_batches(caseload, db_target, engine):
    """A caseload of revision 0014 (no text) gets every row's text from `db upgrade`, a
    batch of 200 rows at a time, and lists the same bytes as the dict rows."""
    before = _dumped(caseload)
    total = caseload.conn.execute("SELECT count(*) FROM clocks").fetchone()[0]
    assert total > 200  # more than one batch (BATCH in the revision)
    caseload.conn.begin_write()
    caseload.conn.execute("UPDATE clocks SET line_head = NULL, line_body = NULL, line_tail = NULL")
    caseload.conn.execute(
        "UPDATE alembic_version SET version_num = '0014_listing_columns_on_clocks'"
    )
    caseload.conn.commit()
    caseload.close()
    store, applied = Store.init(db_target, engine)
    try:
        assert (
            applied
            == [
                "0015_listed_text_on_clocks",
                "0016_caseworker_name_key",
                "0017_late_excused_cases_overdue",
            ]
            == list(migrations.REVISIONS[-3:])
        )
        assert store.conn.execute(
            "SELECT count(*) FROM clocks WHERE line_body IS NOT NULL"
        ).fetchone() == (total,)
        assert store.verify_data() == []
        assert _lines(store) == before
    finally:
        store.close()


# Any text at all --------------------------------------------------------------------------

#: Text a hand-edited or older caseload may hold: quotes, backslashes, newlines, control
#: and bidi characters, any plane of Unicode (not NUL or a lone surrogate, which neither
#: database stores).
_ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
_DATES = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(str))


@given(
    kind=st.sampled_from(["clock", "referral"]),
    due=_DATES,
    texts=st.lists(st.one_of(st.none(), _ANY_TEXT), min_size=9, max_size=9),
    case_id=_ANY_TEXT,
    status=_ANY_TEXT,
    closed_on=_DATES,
    days=st.one_of(st.none(), st.integers(-20000, 20000)),
    as_of=st.dates().map(str),
)
def test_the_pieces_with_the_two_values_are_json_dumps_of_the_row(
    kind, due, texts, case_id, status, closed_on, days, as_of
):
    child, program, clock, label, subject, caseworker, citation, reason, _ = texts
    row = dict.fromkeys(ROW_FIELDS)
    row.update(kind=kind, due=due, days_left=days, case_id=case_id, child=child,
               program=program, clock=clock, label=label, subject=subject, status=status,
               caseworker=caseworker, citation=citation, reason=reason,
               evaluated_as_of=as_of, closed_on=closed_on)  # fmt: skip
    head, body, tail = line_of(kind, due, case_id, child, program, clock, label, subject,
                               status, caseworker, citation, reason, closed_on)  # fmt: skip
    days_text = "null" if days is None else str(days)
    assert head + days_text + body + as_of + tail == json.dumps(row)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(child=_ANY_TEXT, worker=_ANY_TEXT, reason=_ANY_TEXT, label=_ANY_TEXT)
def test_hostile_names_and_reasons_list_the_same_bytes_both_ways(
    caseload, child, worker, reason, label
):
    """Whatever the stored text (written straight into the tables, as an older or
    hand-edited caseload may hold it), the stored text path and the dict rows agree."""
    conn = caseload.conn
    conn.begin_write()
    conn.execute("UPDATE children SET name = ? WHERE case_id LIKE '%1'", (child,))
    conn.execute("INSERT INTO caseworkers (name, added_at) VALUES (?, '') ON CONFLICT DO NOTHING",
                 (worker,))  # fmt: skip
    conn.execute(
        "UPDATE assignments SET caseworker = ? WHERE ended_at IS NULL AND case_id LIKE '%2'",
        (worker,),
    )
    conn.execute("UPDATE clocks SET reason = ?, label = ? WHERE case_id LIKE '%3'", (reason, label))
    refresh_shown(conn, [i for (i,) in conn.execute("SELECT id FROM cases")])
    conn.commit()
    assert caseload.due(as_of=AS_OF).refreshed == 0
    assert _lines(caseload) == _dumped(caseload)
    assert _lines(caseload, overdue_only=True) == _dumped(caseload, overdue_only=True)
