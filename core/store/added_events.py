"""Events recorded with `cases add-event` that re-importing a case would drop.

A case file imported again replaces the stored case whole. An event recorded with
`cases add-event` since lives only in the caseload, not in the file, so the import
would erase it without a word, and with it whatever clock the event met. The import
asks first (`ADDED_EVENTS` modes): refuse the record (the default), keep the recorded
events beside the file's, or drop them, listed.

An event counts as recorded with `cases add-event` while the stored case still holds
it and the audit log has its `event.added` entry (the entry's content keeps the event
as it was added).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

#: What an import does with a case's events recorded with `cases add-event` that its
#: record lacks: refuse the record, keep the events (added to the record's), drop them.
ADDED_EVENTS = ("refuse", "keep", "drop")

#: The events `cases add-event` recorded on each of a chunk's cases, oldest first.
RECORDED = (
    "SELECT l.case_id, c.after_text FROM audit_log l "
    "JOIN audit_content c ON c.entry_id = l.id "
    "WHERE l.action = 'event.added' AND l.case_id IN ({ids}) ORDER BY l.id"
)
#: The stored document of each case id.
STORED = (
    "SELECT c.id, d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
    "WHERE c.id IN ({ids})"
)


def _plain(event: Any) -> dict[str, Any]:
    """An event as compared here: its fields with a value (a file may spell out nulls)."""
    if not isinstance(event, dict):
        return {}
    return {key: value for key, value in event.items() if value is not None}


def lost_events(conn, cases: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, Any]]]:
    """For (case id, incoming canonical document text) pairs: case id -> the events
    `cases add-event` recorded that the stored case holds and the incoming one does
    not, in the order they were recorded. Cases with none are left out."""
    incoming = dict(cases)
    recorded: dict[str, list[dict[str, Any]]] = {}
    for case_id, after in conn.select_for(RECORDED, list(incoming)):
        event = _plain(json.loads(after).get("event")) if after else {}
        if event and event not in recorded.setdefault(case_id, []):
            recorded[case_id].append(event)
    if not recorded:
        return {}
    lost: dict[str, list[dict[str, Any]]] = {}
    for case_id, document in conn.select_for(STORED, list(recorded)):
        stored = [_plain(e) for e in json.loads(document).get("events", [])]
        kept = [_plain(e) for e in json.loads(incoming[case_id]).get("events", [])]
        gone = [e for e in recorded[case_id] if e in stored and e not in kept]
        if gone:
            lost[case_id] = gone
    return lost


def describe(events: Sequence[dict[str, Any]]) -> str:
    """'evaluation_completed on 2026-02-20, ...' for a problem or a note."""
    return ", ".join(f"{e.get('type')} on {e.get('date')}" for e in events)


def with_events(data: Any, events: Sequence[dict[str, Any]]) -> Any:
    """The record's case document with `events` added after its own (keep)."""
    if not isinstance(data, dict):
        return data
    own = data.get("events")
    return {**data, "events": [*(own if isinstance(own, list) else []), *events]}
