"""The audit log: who changed what and when, each entry hash-chained to the one before.

An entry's hash is the SHA-256 of its own fields and the previous entry's hash,
so editing any entry breaks its hash, deleting one breaks the next entry's link
(and leaves a gap in the ids), and deleting the newest entries no longer matches
the chain head kept in ``audit_head``. Appends happen inside the caller's write
transaction, so an entry exists exactly when the change it records does.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from .. import jsontext

if TYPE_CHECKING:
    from .backend import Connection

#: The previous hash of the first entry.
GENESIS = "0" * 64
#: The columns of an `audit_log` row and of an `audit_content` row, as `AuditWriter` writes them.
LOG_COLUMNS = (
    "id", "at", "user", "action", "case_id", "summary", "before", "after", "prev_hash", "hash",
)  # fmt: skip
CONTENT_COLUMNS = ("entry_id", "about_case", "before_text", "after_text")


#: The second `now` last wrote and its text: an import writes thousands of entries a second.
_NOW: tuple[int, str] = (-1, "")


def now() -> str:
    """The current UTC time as an ISO-8601 string (seconds)."""
    global _NOW
    second = int(time.time())
    if second != _NOW[0]:
        _NOW = (second, datetime.fromtimestamp(second, UTC).isoformat())
    return _NOW[1]


#: How `jsontext.canonical` quotes a text (bound here: the one-pair shortcut below).
_quote = jsontext.quote


def _dump(value: Any) -> str | None:
    """The canonical JSON text of an entry's before or after (None stays None).

    Most entries an import writes hold one text under one key (`{"document_hash":
    ...}`, `{"caseworker": ...}`): written here as the canonical writer writes it
    (one key needs no sorting), without making an encoder for each entry.
    """
    if value is None:
        return None
    if type(value) is dict and len(value) == 1:
        ((key, text),) = value.items()
        if type(key) is str and type(text) is str:
            return "{" + _quote(key) + ":" + _quote(text) + "}"
    return jsontext.canonical(value)


def reference(text: str | None) -> str | None:
    """What the chain keeps of separated content: its SHA-256, as JSON text."""
    if text is None:
        return None
    return '{"sha256":"' + hashlib.sha256(text.encode("utf-8")).hexdigest() + '"}'


def entry_hash(
    prev_hash: str,
    id: int,
    at: str,
    user: str,
    action: str,
    case_id: str | None,
    summary: str,
    before: str | None,
    after: str | None,
) -> str:
    """The SHA-256 of an entry's fields chained to the previous entry's hash."""
    # Every field is a text, a number or None: the flat writer (no circular guard to make).
    payload = jsontext.flat_compact(
        [prev_hash, id, at, user, action, case_id, summary, before, after]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class AuditWriter:
    """Appends entries inside one open write transaction on `conn`."""

    def __init__(self, conn: Connection, user: str):
        self.conn = conn
        self.user = user
        row = conn.execute(
            "SELECT entries, last_id, last_hash FROM audit_head WHERE id = 1"
        ).fetchone()
        if row is None:
            self.entries, self.last_id, self.last_hash = 0, 0, GENESIS
        else:
            self.entries, self.last_id, self.last_hash = row
        self._rows: list[tuple] = []
        self._content: list[tuple] = []

    def append(
        self,
        action: str,
        summary: str,
        *,
        case_id: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> int:
        """Queue one entry; `flush` writes queued entries and the new chain head.

        The content of an entry about a case goes to `audit_content`; the chain
        holds its digest, so the content can be erased (`cases destroy`).
        """
        at = now()
        entry_id = self.last_id + 1
        before_text, after_text = _dump(before), _dump(after)
        # (A run's entry holds ids, counts and clock names, never a child's data: it stays.)
        if (
            case_id is not None
            and not action.startswith("evaluation.")
            and (before_text is not None or after_text is not None)
        ):
            self._content.append((entry_id, case_id, before_text, after_text))
            before_text, after_text = reference(before_text), reference(after_text)
        digest = entry_hash(
            self.last_hash,
            entry_id,
            at,
            self.user,
            action,
            case_id,
            summary,
            before_text,
            after_text,
        )
        self._rows.append(
            (
                entry_id,
                at,
                self.user,
                action,
                case_id,
                summary,
                before_text,
                after_text,
                self.last_hash,
                digest,
            )
        )
        self.entries += 1
        self.last_id, self.last_hash = entry_id, digest
        if len(self._rows) >= 5000:
            self.flush()
        return entry_id

    def flush(self) -> None:
        """Write queued entries and the chain head (inside the caller's transaction)."""
        if not self._rows:
            return
        self.conn.insert_rows("audit_log", LOG_COLUMNS, self._rows)
        self._rows.clear()
        self.conn.insert_rows("audit_content", CONTENT_COLUMNS, self._content)
        self._content.clear()
        self.conn.execute(
            "INSERT INTO audit_head (id, entries, last_id, last_hash) VALUES (1, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET entries = excluded.entries, "
            "last_id = excluded.last_id, last_hash = excluded.last_hash",
            (self.entries, self.last_id, self.last_hash),
        )


@attrs.frozen
class AuditProblem:
    """One break in the chain: which entry, and what is wrong with it."""

    entry: int | None
    what: str

    def __str__(self) -> str:
        return f"entry {self.entry}: {self.what}" if self.entry is not None else self.what


def verify(conn: Connection) -> tuple[int, list[AuditProblem]]:
    """Check every entry's hash and link; returns (entries checked, problems found)."""
    problems: list[AuditProblem] = []
    prev_id, prev_hash, count = 0, GENESIS, 0
    rows: Iterator[tuple] = conn.execute(
        'SELECT id, at, "user", action, case_id, summary, before, after, prev_hash, hash '
        "FROM audit_log ORDER BY id"
    )
    for entry_id, at, user, action, case_id, summary, before, after, stored_prev, stored in rows:
        count += 1
        if entry_id != prev_id + 1:
            missing = (
                f"entry {prev_id + 1}"
                if entry_id == prev_id + 2
                else f"entries {prev_id + 1} to {entry_id - 1}"
            )
            problems.append(
                AuditProblem(
                    prev_id + 1, f"{missing} deleted (the ids jump from {prev_id} to {entry_id})"
                )
            )
        elif stored_prev != prev_hash:
            problems.append(
                AuditProblem(
                    entry_id,
                    "does not link to the entry before it (that entry was edited or replaced)",
                )
            )
        expected = entry_hash(
            stored_prev, entry_id, at, user, action, case_id, summary, before, after
        )
        if expected != stored:
            problems.append(
                AuditProblem(
                    entry_id, f"edited: its content no longer matches its hash ({action}, {at})"
                )
            )
        prev_id, prev_hash = entry_id, stored
    # Content kept apart: it must match the digest the chain holds (erased content is absent).
    for entry_id, before, after, ref_before, ref_after in conn.execute(
        "SELECT c.entry_id, c.before_text, c.after_text, l.before, l.after FROM audit_content c "
        "JOIN audit_log l ON l.id = c.entry_id ORDER BY c.entry_id"
    ):
        if reference(before) != ref_before or reference(after) != ref_after:
            problems.append(
                AuditProblem(
                    entry_id, "edited: its content no longer matches the digest in the chain"
                )
            )
    head = conn.execute(
        "SELECT entries, last_id, last_hash FROM audit_head WHERE id = 1"
    ).fetchone()
    if head is None:
        if count:
            problems.append(AuditProblem(None, "the chain head (audit_head) is missing"))
    else:
        entries, last_id, last_hash = head
        if last_id > prev_id:
            gone = (
                f"entry {last_id}"
                if last_id == prev_id + 1
                else f"entries {prev_id + 1} to {last_id}"
            )
            problems.append(AuditProblem(prev_id + 1, f"{gone} deleted from the end of the log"))
        elif last_hash != prev_hash or entries != count:
            problems.append(
                AuditProblem(
                    None,
                    f"the chain head records {entries} entries ending in {last_hash[:12]}, "
                    f"the log has {count} ending in {prev_hash[:12]}",
                )
            )
    return count, problems
