"""Reading and verifying the audit log (the hash chain itself is written by `audit`)."""

from __future__ import annotations

from typing import Any

from .base import StoreBase


class AuditLogMixin(StoreBase):
    """The audit entries of the caseload or of one case."""

    def audit_log(
        self, case_id: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Audit entries, oldest first, optionally for one case (with the runs that evaluated it)."""
        self.require("audit")
        sql = (
            'SELECT id, at, "user", action, case_id, summary, coalesce(before_text, before) '
            "AS before, coalesce(after_text, after) AS after, hash FROM audit_log "
            "LEFT JOIN audit_content ON entry_id = id"
        )
        args: list[Any] = []
        if case_id:
            sql += (
                " WHERE case_id = ? OR (action = 'evaluation.run' AND case_id IS NULL AND "
                f"{self.conn.json_int('after', 'run')} IN "
                "(SELECT run_id FROM determinations WHERE case_id = ?))"
            )
            args.extend([case_id, case_id])
        sql += " ORDER BY id"
        if limit:
            sql = f"SELECT * FROM ({sql[: -len(' ORDER BY id')]} ORDER BY id DESC LIMIT {int(limit)}) AS newest ORDER BY id"
        return [dict(r) for r in self.conn.query(sql, args)]

    def verify_audit(self):
        """The hash chain: (entries checked, problems)."""
        self.require("audit")
        from .audit import verify

        return verify(self.conn)

    def verify_data(self) -> list:
        """The tables against the log (`audit_check`): [] when they agree."""
        self.require("audit")
        from .audit_check import check_data

        return check_data(self.conn, self.engine)

    def audit_head(self) -> tuple[int, int, str] | None:
        """(entries, last entry id, last hash) of the chain, or None for an empty log."""
        self.require("audit")
        row = self.conn.execute(
            "SELECT entries, last_id, last_hash FROM audit_head WHERE id = 1"
        ).fetchone()
        return tuple(row) if row else None

    def audit_entry_hash(self, entry_id: int) -> str | None:
        row = self.conn.execute("SELECT hash FROM audit_log WHERE id = ?", (entry_id,)).fetchone()
        return row[0] if row else None
