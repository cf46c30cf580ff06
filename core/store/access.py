"""The record of access: who read a child's record, when, and for what stated purpose.

34 CFR 300.614 and 303.405 require a record of the parties obtaining access to
a child's records (name, date, purpose); eirules records every read of a case
(show, export, replay, drill-downs), by staff too, so the record a parent asks
to see is complete. Each read is written in a short transaction of its own,
not hash-chained (reads must not queue behind the audit chain's lock for long).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

from .audit import now
from .people import PeopleMixin

#: The purpose recorded when none was stated.
NOT_STATED = "not stated"


class AccessMixin(PeopleMixin):
    """Checking and recording reads of cases."""

    def opened(self, case_ids: str | Iterable[str], action: str, purpose: str | None) -> None:
        """Check that the person may read each case, then record the reads (all or none)."""
        ids = [case_ids] if isinstance(case_ids, str) else list(case_ids)
        for case_id in ids:
            self.require_case(case_id)
            self.require("read_case", case_id)
        self.record_reads(ids, action, purpose)

    def record_reads(self, case_ids: Iterable[str], action: str, purpose: str | None) -> None:
        """Record reads of cases the person was already allowed to see (a listing, a report's
        list of children): one row each, in one short transaction."""
        ids = list(dict.fromkeys(case_ids))
        if not ids:
            return
        person = self.person
        rows = [
            (
                now(),
                person.login,
                person.role or "",
                action,
                case_id,
                (purpose or "").strip() or NOT_STATED,
            )
            for case_id in ids
        ]
        inside = self.conn.in_transaction
        if not inside:
            self.conn.begin_write()
        try:
            self.conn.executemany(
                "INSERT INTO access_log (at, login, role, action, case_id, purpose) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            if not inside:
                self.conn.commit()
        except BaseException:
            if not inside and self.conn.in_transaction:
                self.conn.rollback()
            raise

    def recorded(
        self,
        rows: Iterable[Any],
        action: str,
        purpose: str | None,
        case_of: Callable[[Any], str] = itemgetter("case_id"),
    ) -> Iterator[Any]:
        """`rows` of a listing passed on as they are read; once the reader is done (or stops,
        or the store closes), every case they named (`case_of` a row: its "case_id") goes on
        the record of access, with `action` and the purpose.

        The one way a listing (`due`, `overdue`, `cases list`, on the CLI and over
        HTTP) is recorded: each row names a child and what is owed for them, so each is
        a read of that child's record (34 CFR 300.614, 303.405). The listing's own read
        (a PostgreSQL cursor's transaction) ends before the record is written.
        """
        return self.conn.track(self._recorded(rows, action, purpose, case_of))

    def _recorded(self, rows: Iterable[Any], action: str, purpose: str | None, case_of):
        seen: dict[str, None] = {}
        source = iter(rows)
        try:
            for row in source:
                seen[case_of(row)] = None
                yield row
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            self.record_reads(seen, action, purpose)

    def access_record(self, case_id: str) -> list[dict[str, Any]]:
        """Every recorded read of a case, oldest first (for the auditor or data manager)."""
        self.require("audit")
        return list(
            self.conn.query(
                "SELECT at, login, role, action, purpose FROM access_log WHERE case_id = ? "
                "ORDER BY id",
                (case_id,),
            )
        )
