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
        sql = 'SELECT id, at, "user", action, case_id, summary, before, after, hash FROM audit_log'
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
        self.require("audit")
        from .audit import verify

        return verify(self.conn)
