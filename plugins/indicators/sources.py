"""Where the facts come from: a caseload's stored determinations, or cases evaluated now.

Both give `Facts` built by the same function from the same two documents: the
case file a determination was made from and the determination itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from eirules.core.convert import case_to_dict, determination_to_dict

from .common import Facts, convert, decode

#: The date a case's stored answer is for is the case's `evaluated_as_of`: `evaluate`
#: moves it without storing a new determination when the stored one holds for the new
#: date (its stability interval, core/store/currency.py), so the determination's own
#: `as_of` may be another day. Days late of a clock still undone are counted to it.
_STORED = (
    "SELECT c.id, doc.document, p.result, a.caseworker, "
    "coalesce(c.evaluated_as_of, p.as_of) FROM cases c "
    "JOIN determinations p ON p.id = c.last_determination_id "
    "JOIN case_documents doc ON doc.hash = p.inputs_hash "
    "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL "
    "WHERE c.id > ?{scope} ORDER BY c.id LIMIT ?"
)

#: A condition on the case id column `c.id` and its parameters ("" for every case).
Scope = tuple[str, list[Any]]
EVERY_CASE: Scope = ("", [])


def stored_facts(conn: Any, chunk: int = 2000, scope: Scope = EVERY_CASE) -> Iterator[Facts]:
    """Each case's latest stored determination with the case file it was made from.

    Read in chunks of rows, so memory does not grow with the caseload. Cases
    never evaluated have no determination and are not read (see `not_evaluated`).
    `scope` limits the cases (a supervisor's district: `store_scope`).
    """
    condition, args = scope
    sql = _STORED.format(scope=f" AND {condition}" if condition else "")
    last = ""
    while True:
        rows = conn.execute(sql, (last, *args, chunk)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for _case_id, document, result, caseworker, as_of in rows:
            yield Facts.build(
                *decode(document, result), caseworker=caseworker, as_of=date.fromisoformat(as_of)
            )


def not_evaluated(conn: Any, scope: Scope = EVERY_CASE) -> list[str]:
    """Cases (in `scope`) with no stored determination, which no indicator can count."""
    condition, args = scope
    sql = "SELECT c.id FROM cases c WHERE c.last_determination_id IS NULL"
    return [
        r[0]
        for r in conn.execute(
            sql + (f" AND {condition}" if condition else "") + " ORDER BY c.id", args
        )
    ]


def scoped_cases(store: Any) -> set[str] | None:
    """The case ids of `store_scope` (None: every case), for the data-quality check."""
    condition, args = store_scope(store)
    if not condition:
        return None
    return {r[0] for r in store.conn.execute(f"SELECT c.id FROM cases c WHERE {condition}", args)}


def store_scope(store: Any) -> Scope:
    """The cases the store's person may report on: a supervisor's district, else every case.

    Indicators count only these (`eirules indicators` and the HTTP API alike), so a
    district supervisor's figures are their district's, not the whole caseload's.
    """
    return store.scope_sql("c.id")


def evaluated_facts(
    engine: Any,
    cases: Iterable[Any],
    as_of: date,
    *,
    ruleset: str | None = None,
    caseworkers: dict[str, str] | None = None,
) -> Iterator[Facts]:
    """Facts for cases evaluated now: a `Case`, or a (Case, Determination) already made."""
    for entry in cases:
        if isinstance(entry, tuple):
            case, det = entry
        else:
            case = entry
            det = engine.evaluate(case, ruleset, as_of)
        yield Facts.build(
            *convert(case_to_dict(case), determination_to_dict(det)),
            caseworker=(caseworkers or {}).get(case.id),
        )
