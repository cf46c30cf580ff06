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

_STORED = (
    "SELECT c.id, doc.document, p.result, a.caseworker FROM cases c "
    "JOIN determinations p ON p.id = c.last_determination_id "
    "JOIN case_documents doc ON doc.hash = p.inputs_hash "
    "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL "
    "WHERE c.id > ? ORDER BY c.id LIMIT ?"
)


def stored_facts(conn: Any, chunk: int = 2000) -> Iterator[Facts]:
    """Each case's latest stored determination with the case file it was made from.

    Read in chunks of rows, so memory does not grow with the caseload. Cases
    never evaluated have no determination and are not read (see `not_evaluated`).
    """
    last = ""
    while True:
        rows = conn.execute(_STORED, (last, chunk)).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        for _case_id, document, result, caseworker in rows:
            yield Facts.build(*decode(document, result), caseworker=caseworker)


def not_evaluated(conn: Any) -> list[str]:
    """Cases with no stored determination, which no indicator can count."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM cases WHERE last_determination_id IS NULL ORDER BY id"
        )
    ]


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
