"""Destroying a child's records when they are no longer needed (34 CFR 300.624, 303.416).

`destroy_case` removes the child's personal information everywhere the
caseload keeps it: the case row and its child, events, evaluations,
conditions, enrolments and plans, every stored version of the case file, every
determination and clock row, the assignments, and the content of every audit
entry about the case (kept apart from the hash chain for this, see `audit`).
What stays: the audit chain itself (digests, who and when, and a
`case.destroyed` tombstone with the reason), and the record of access
(case id, who, when, purpose), which a parent may still ask to see. On SQLite
the freed pages are overwritten (secure_delete) and the file is vacuumed, so
the bytes are gone from the file, not just unlinked; on PostgreSQL the tables
are vacuumed (their old row versions are reclaimed, and overwritten as pages
are reused).

Audit entries written before the content was kept apart (revision
0004_audit_content) hold their content in the chain and cannot be erased
without breaking it: `destroy_case` counts them and says so.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, Problem
from .base import StoreBase

#: Tables holding a case's rows, children first (the case row goes last).
_CASE_TABLES = (
    "clocks",
    "determinations",
    "assignments",
    "events",
    "evaluations",
    "conditions",
    "enrolments",
    "service_plans",
    "children",
)


class RetentionMixin(StoreBase):
    """Destruction of a case's personal information."""

    def destroy_case(self, case_id: str, reason: str) -> dict[str, Any]:
        """Remove a child's personal information everywhere, audited; returns what was removed."""
        self.require_case(case_id)
        person = self.require("destroy", case_id)
        if not (reason or "").strip():
            raise InputError(
                f"case {case_id} not destroyed",
                [
                    Problem(
                        "--reason",
                        "empty",
                        "say why (e.g. the parents asked and the records are no longer needed); "
                        "no names: the reason stays in the audit log",
                    )
                ],
            )
        conn = self.conn
        if not conn.postgres:
            conn.execute("PRAGMA secure_delete = ON")
        json_id = conn.json_text("document", "id")
        with self.write(person.login) as audit:
            hashes = {
                r[0]
                for r in conn.execute(
                    f"SELECT hash FROM case_documents WHERE {json_id} = ?", (case_id,)
                )
            }
            hashes |= {
                r[0]
                for r in conn.execute(
                    "SELECT document_hash FROM cases WHERE id = ? UNION "
                    "SELECT inputs_hash FROM determinations WHERE case_id = ?",
                    (case_id, case_id),
                )
            }
            removed = {
                "determinations": conn.execute(
                    "SELECT count(*) FROM determinations WHERE case_id = ?", (case_id,)
                ).fetchone()[0],
                "case_file_versions": len(hashes),
                "audit_entries_erased": conn.execute(
                    "SELECT count(*) FROM audit_content WHERE about_case = ?", (case_id,)
                ).fetchone()[0],
                "audit_entries_inline": conn.execute(
                    "SELECT count(*) FROM audit_log l WHERE case_id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM audit_content c WHERE c.entry_id = l.id) "
                    "AND action NOT LIKE 'evaluation.%' "
                    "AND (before IS NOT NULL OR after IS NOT NULL)",
                    (case_id,),
                ).fetchone()[0],
            }
            det_ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM determinations WHERE case_id = ? ORDER BY id", (case_id,)
                )
            ]
            conn.execute("UPDATE cases SET last_determination_id = NULL WHERE id = ?", (case_id,))
            for table in _CASE_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))  # noqa: S608
            conn.execute("DELETE FROM cases WHERE id = ?", (case_id,))
            conn.executemany(
                "DELETE FROM case_documents WHERE hash = ?", [(h,) for h in sorted(hashes)]
            )
            conn.execute("DELETE FROM audit_content WHERE about_case = ?", (case_id,))
            # The tombstone: no content about the child, only what was done and why.
            # (the determination ids, so audit verify knows why a run's rows are gone)
            audit.append(
                "case.destroyed",
                f"destroyed case {case_id}: {reason.strip()}",
                case_id=case_id,
                after={"determination_ids": det_ids},
            )
        self._reclaim()
        return removed

    def _reclaim(self) -> None:
        """Make the deleted bytes unreadable: VACUUM (and empty the WAL) on SQLite."""
        conn = self.conn
        if conn.postgres:
            for table in (*_CASE_TABLES, "cases", "case_documents", "audit_content"):
                conn.execute(f"VACUUM {table}")
            return
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
