"""Importing a case again: what it must not undo of the caseload, and what it cannot say.

A case file imported again replaces the stored case whole. Three things the caseload
holds could be lost on the way, and each is handled here, for one chunk of records at
a time (`reconcile`):

- An event recorded with `cases add-event` lives only in the caseload, not in the
  file: the import would erase it, and with it whatever clock it met. The record is
  refused, or the events are kept beside the file's, or dropped and named
  (`CASELOAD_CHANGES`). An event counts as recorded so while the stored case holds
  it and the audit log has its `event.added` entry; the file "has" it when it has
  an event of the same type on the same day (its own wording of it wins).
- A caseworker set with `cases assign` would be put back to the file's caseworker
  (a CSV's caseworker column): the same three answers.
- A CSV row carries only some of a case file (`importing.CSV_CARRIES`): plans,
  service plans, evaluations, conditions and the rest are not in it, so they are
  kept from the stored case rather than dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs

from ..chunks import check_record
from ..errors import Problem
from ..importing import Record
from ..text import identity_key

#: What an import does with a change made in the caseload since (an event recorded
#: with `cases add-event`, a caseworker set with `cases assign`) that a record would
#: undo: refuse the record, keep the caseload's change, or drop it (named).
CASELOAD_CHANGES = ("refuse", "keep", "drop")
#: The mark `Store.assign` leaves on its audit entry: a caseworker set by hand.
SET_WITH_ASSIGN = {"set_with": "cases assign"}

#: The events `cases add-event` recorded on each of a chunk's cases, oldest first.
RECORDED = (
    "SELECT l.case_id, c.after_text FROM audit_log l "
    "JOIN audit_content c ON c.entry_id = l.id "
    "WHERE l.action = 'event.added' AND l.case_id IN ({ids}) ORDER BY l.id"
)
#: Every assignment entry of each case, oldest first: the last says who set the current one.
ASSIGNED = (
    "SELECT l.case_id, c.after_text FROM audit_log l "
    "JOIN audit_content c ON c.entry_id = l.id "
    "WHERE l.action = 'case.assigned' AND l.case_id IN ({ids}) ORDER BY l.id"
)
#: The stored document of each case id.
STORED = (
    "SELECT c.id, d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
    "WHERE c.id IN ({ids})"
)

#: A chunk's item: the record, its rows, its canonical text and that text's hash.
Item = tuple[Record, Any, str, str]


@attrs.define
class Reconciled:
    """A chunk after `reconcile`: what to store, what was refused, what was said."""

    batch: list[Item] = attrs.Factory(list)
    rejected: list[tuple[Record, list[Problem]]] = attrs.Factory(list)
    notes: list[tuple[str, str]] = attrs.Factory(list)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("type") == b.get("type") and a.get("date") == b.get("date")


def _has(events: Sequence[dict[str, Any]], event: dict[str, Any]) -> bool:
    return any(_same(e, event) for e in events)


def _after(text: str | None) -> dict[str, Any]:
    value = json.loads(text) if text else None
    return value if isinstance(value, dict) else {}


def describe(events: Sequence[dict[str, Any]]) -> str:
    """'ifsp_meeting_held on 2026-02-10 (note: "held at home"), ...' for a problem or a note."""
    parts = []
    for e in events:
        more = [f"{k}: {json.dumps(v)}" for k, v in sorted(e.items()) if k not in ("type", "date")]
        parts.append(
            f"{e.get('type')} on {e.get('date')}" + (f" ({', '.join(more)})" if more else "")
        )
    return ", ".join(parts)


def fill_from_stored(data: dict[str, Any], stored: dict[str, Any], carries) -> dict[str, Any]:
    """A partial record (a CSV row: `carries` the case-file keys it can give) made whole
    from the stored case: what the record gives replaces the stored value, the rest is
    kept. The child's fields are merged; an enrolment in a program the stored case has
    keeps the stored one (with its dates)."""
    out = {k: v for k, v in stored.items() if k not in carries or k not in data}
    out.update({k: v for k, v in data.items() if k in carries})
    if isinstance(stored.get("child"), dict) and isinstance(data.get("child"), dict):
        out["child"] = {**stored["child"], **data["child"]}
    if "enrolments" in data and isinstance(stored.get("enrolments"), list):
        had = {e.get("program") for e in stored["enrolments"] if isinstance(e, dict)}
        new = [e for e in data["enrolments"] if e.get("program") not in had]
        out["enrolments"] = [*stored["enrolments"], *new]
    return out


def _lost_problem(record: Record, case_id: str, events: list[dict[str, Any]]) -> Problem:
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    it = "them" if len(events) != 1 else "it"
    return Problem(
        record.where("events"),
        f'case "{case_id}" in the caseload has {count} recorded with `cases add-event` '
        f"that this record does not have ({describe(events)}); importing it would drop {it}",
        f"add {it} to the record (the same type and date), or import with "
        "--caseload-changes keep (kept beside the record's) or --caseload-changes drop",
    )


def assignment_problem(where: str, case_id: str, current: str, wanted: str) -> Problem:
    """The problem of a caseworker in a file that would undo one set with `cases assign`."""
    return Problem(
        where,
        f'case "{case_id}" was assigned to {current} with `cases assign`; this file says '
        f"{wanted}, which would undo it",
        "give the caseload's caseworker in the file, or import with --caseload-changes keep "
        "(the caseload's stays) or --caseload-changes drop (the file's replaces it)",
    )


def assigned_by_hand(conn, ids: Sequence[str]) -> dict[str, str]:
    """Case id -> its current caseworker, for the cases whose current caseworker was set
    with `cases assign` (the last assignment entry has `SET_WITH_ASSIGN`)."""
    last: dict[str, dict[str, Any]] = {}
    for case_id, after in conn.select_for(ASSIGNED, list(ids)):
        last[case_id] = _after(after)
    return {
        case_id: data["caseworker"]
        for case_id, data in last.items()
        if data.get("set_with") == SET_WITH_ASSIGN["set_with"]
        and isinstance(data.get("caseworker"), str)
    }


def reconcile(
    conn,
    engine,
    items: list[Item],
    evaluations: dict[str, Any],
    hashes: dict[str, str] | None,
    *,
    mode: str,
    today: date,
    as_of: date,
) -> Reconciled:
    """One chunk's valid records checked against the stored cases (module docstring).

    `evaluations` (case id -> the worker's evaluation) is updated in place: a record
    refused loses its, a record made again from the stored case gets a new one when it
    is to be written (its hash is not `hashes`', as `chunks.validate_chunk` decides).
    """
    out = Reconciled()
    ids = [case.id for _, case, _, _ in items]
    recorded: dict[str, list[dict[str, Any]]] = {}
    for case_id, after in conn.select_for(RECORDED, ids):
        added = _after(after).get("event")
        event = {k: v for k, v in added.items() if v is not None} if isinstance(added, dict) else {}
        if event and not _has(recorded.setdefault(case_id, []), event):
            recorded[case_id].append(event)
    wanted = [case.id for record, case, _, _ in items if record.caseworker]
    by_hand = assigned_by_hand(conn, wanted) if wanted else {}
    need = set(recorded) | {case.id for record, case, _, _ in items if record.carries}
    stored = {i: json.loads(t) for i, t in conn.select_for(STORED, sorted(need))} if need else {}
    for item in items:
        record, case, text, _ = item
        data, found = record.data, []
        old = stored.get(case.id)
        if old is not None and record.carries:
            data = fill_from_stored(data, old, record.carries)
        if old is not None and case.id in recorded:
            kept = json.loads(text).get("events", [])
            lost = [e for e in recorded[case.id] if _has(old.get("events", []), e)]
            lost = [e for e in lost if not _has(kept, e)]
            if lost and mode == "refuse":
                found.append(_lost_problem(record, case.id, lost))
            elif lost and mode == "keep":
                own = data.get("events") if isinstance(data.get("events"), list) else []
                data = {**data, "events": [*own, *lost]}
                out.notes.append(
                    (case.id, f"kept {describe(lost)} (recorded with cases add-event)")
                )
            elif lost:
                out.notes.append(
                    (case.id, f"dropped {describe(lost)} (recorded with cases add-event)")
                )
        current, says = by_hand.get(case.id), record.caseworker
        if says and current and identity_key(current) != identity_key(says):
            if mode == "refuse":
                where = record.where("caseworker")
                found.append(assignment_problem(where, case.id, current, says))
            elif mode == "keep":
                record = attrs.evolve(record, caseworker=None)
                out.notes.append((case.id, f"kept caseworker {current} (set with cases assign; "
                                  f"the file says {says})"))  # fmt: skip
            else:
                out.notes.append((case.id, f"caseworker {current} (set with cases assign) "
                                  f"replaced by {says}"))  # fmt: skip
        if found:
            evaluations.pop(case.id, None)
            out.rejected.append((record, found))
            continue
        if data is record.data:
            out.batch.append((record, *item[1:]))
            continue
        remade = attrs.evolve(record, data=data)
        rows, found, text, digest, evaluated = check_record(
            engine, remade, today=today, as_of=as_of, stored=hashes
        )
        evaluations.pop(case.id, None)
        if found:
            out.rejected.append((record, found))
            continue
        out.batch.append((remade, rows, text, digest))
        if evaluated is not None:
            evaluations[case.id] = evaluated
    return out
