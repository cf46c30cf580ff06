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

`prune_history` keeps determination history as long as each ruleset's
`records.determination_history_days` says (nothing when it is not set): a
determination a newer one replaced more than that many days ago is removed,
the case's latest never; so is a version of a case file a newer version
replaced more than that many days ago (the audit log says when), unless a
determination that stays was made from it, the case's current file never. Its
audit entry records, for every evaluation chunk it touched, the digest of the
rows that remain, so `audit verify` still vouches for every determination
kept, and the digests (never the content) of the case-file versions removed.
"""

from __future__ import annotations

import bisect
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..errors import EirulesError, InputError, Problem
from .base import StoreBase
from .determinations import determinations_digest

#: The ruleset parameter saying how long replaced determinations are kept.
HISTORY_PARAMETER = "records.determination_history_days"

#: Tables holding a case's rows, children first (the case row goes last).
#: An earlier destruction's entry keeps its content (the removed determinations' ids, no
#: personal information): audit verify needs it to know those rows went on purpose, also
#: after the case was imported again and destroyed a second time.
_NOT_TOMBSTONE = (
    "AND entry_id NOT IN (SELECT id FROM audit_log WHERE case_id = ? AND action = 'case.destroyed')"
)
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
                    f"SELECT count(*) FROM audit_content WHERE about_case = ? {_NOT_TOMBSTONE}",
                    (case_id, case_id),
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
            conn.execute(
                f"DELETE FROM audit_content WHERE about_case = ? {_NOT_TOMBSTONE}",
                (case_id, case_id),
            )
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


class PruneMixin(StoreBase):
    """Keeping determination history only as long as the rulesets say."""

    def prune_history(self, *, today: date, dry_run: bool = False) -> dict[str, Any]:
        """Remove determinations and case-file versions kept past their ruleset's period.

        A determination a newer one replaced longer ago than the period is removed;
        so is a version of a case file a newer version replaced longer ago than that
        (by the case's ruleset), unless a determination that stays was made from it.
        Returns, per ruleset id, its period in days (None: not set, nothing removed),
        how many determinations and case-file versions were (or with dry_run would be)
        removed.
        """
        person = self.require("prune")  # type: ignore[attr-defined]
        engine = self._need_engine()
        conn = self.conn
        rulesets = {r[0] for r in conn.execute("SELECT DISTINCT ruleset FROM determinations")}
        rulesets |= {
            r[0] for r in conn.execute("SELECT DISTINCT coalesce(ruleset, 'us') FROM cases")
        }
        plan: dict[str, dict[str, Any]] = {}
        for ruleset_id in sorted(rulesets):
            try:
                days = engine.rulesets.get(ruleset_id).param(HISTORY_PARAMETER, today).value
            except EirulesError:  # not set (or the ruleset is no longer installed): keep all
                days = None
            plan[ruleset_id] = {"days": days, "removed": 0, "case_file_versions": 0}
        if dry_run:
            self._old_versions(plan, self._doomed(plan, today))
            return plan
        with self.write(person.login) as audit:
            doomed = self._doomed(plan, today)  # read again under the write lock
            versions = self._old_versions(plan, doomed)
            if not doomed and not versions:
                return plan
            for i in range(0, len(doomed), 500):
                part = doomed[i : i + 500]
                conn.execute(
                    f"DELETE FROM determinations WHERE id IN ({','.join('?' * len(part))})", part
                )
            conn.execute_for("DELETE FROM case_documents WHERE hash IN ({ids})", versions)
            audit.append(
                "determinations.pruned",
                f"removed {len(doomed)} replaced determination"
                f"{'' if len(doomed) == 1 else 's'} and {len(versions)} replaced case-file "
                f"version{'' if len(versions) == 1 else 's'} past their rulesets' history period",
                after={
                    "rulesets": {k: v for k, v in plan.items() if v["days"] is not None},
                    # What each evaluation chunk touched still holds, for audit verify.
                    "chunks": self._chunks_after_pruning(doomed),
                    # The digests only: a case file's content never enters the chain.
                    "case_file_versions": versions,
                },
            )
        return plan

    def _old_versions(self, plan: dict[str, dict[str, Any]], doomed: list[int]) -> list[str]:
        """The case-file versions (hashes, sorted) past their period once `doomed` is removed.

        A version qualifies when it is not its case's current file, no determination
        that stays was made from it, and the audit log shows a newer version replacing
        it (the last time it stopped being current) before its ruleset's cutoff. A
        version the log says nothing about is kept.
        """
        conn = self.conn
        cutoffs = {k: v["replaced_before"] for k, v in plan.items() if v.get("replaced_before")}
        if not cutoffs:
            return []
        unused = {
            r[0]
            for r in conn.execute(
                "SELECT hash FROM case_documents EXCEPT SELECT document_hash FROM cases "
                "EXCEPT SELECT inputs_hash FROM determinations"
            )
        }
        unused |= {
            r[0]
            for r in conn.select_for(
                "SELECT d.inputs_hash FROM determinations d WHERE d.id IN ({ids}) "
                "AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.document_hash = d.inputs_hash)",
                doomed,
            )
        }
        if unused and doomed:  # made from by a determination that stays: kept
            kept = set(doomed)
            for hash_, det_id in conn.select_for(
                "SELECT inputs_hash, id FROM determinations WHERE inputs_hash IN ({ids})",
                sorted(unused),
            ):
                if det_id not in kept:
                    unused.discard(hash_)
        if not unused:
            return []
        json_id = conn.json_text("document", "id")
        owner = dict(
            conn.select_for(
                f"SELECT hash, {json_id} FROM case_documents WHERE hash IN ({{ids}})",
                sorted(unused),
            )
        )
        cases = sorted(set(owner.values()))
        ruleset_of = dict(
            conn.select_for(
                "SELECT id, coalesce(ruleset, 'us') FROM cases WHERE id IN ({ids})", cases
            )
        )
        replaced: dict[str, str] = {}  # hash -> when a newer version last replaced it
        current: dict[str, str] = {}  # case -> the version the log last made current
        for case_id, at, text in conn.select_for(
            "SELECT l.case_id, l.at, coalesce(c.after_text, l.after) FROM audit_log l "
            "LEFT JOIN audit_content c ON c.entry_id = l.id WHERE l.case_id IN ({ids}) "
            "ORDER BY l.id",
            cases,
        ):
            try:
                digest = json.loads(text or "{}").get("document_hash")
            except (ValueError, AttributeError):
                continue
            if not isinstance(digest, str):
                continue
            before = current.get(case_id)
            if before is not None and before != digest:
                replaced[before] = at
            current[case_id] = digest
        out = []
        for hash_ in sorted(unused):
            case_id = owner.get(hash_)
            cutoff = cutoffs.get(ruleset_of.get(case_id, ""))
            when = replaced.get(hash_)
            if cutoff is not None and when is not None and when < cutoff:
                out.append(hash_)
                plan[ruleset_of[case_id]]["case_file_versions"] += 1
        return out

    def _doomed(self, plan: dict[str, dict[str, Any]], today: date) -> list[int]:
        """The ids `plan`'s periods remove (sorted); fills in each ruleset's count and cutoff."""
        doomed: list[int] = []
        for ruleset_id, item in plan.items():
            if item["days"] is None:
                continue
            cutoff = datetime.combine(
                today - timedelta(days=int(item["days"])), time(), UTC
            ).isoformat()
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT d.id FROM determinations d WHERE d.ruleset = ? "
                    "AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.last_determination_id = d.id) "
                    "AND EXISTS (SELECT 1 FROM determinations n WHERE n.case_id = d.case_id "
                    "AND n.id > d.id AND n.created_at < ?)",
                    (ruleset_id, cutoff),
                )
            ]
            item["removed"] = len(ids)
            item["replaced_before"] = cutoff
            doomed.extend(ids)
        return sorted(doomed)

    def _chunks_after_pruning(self, doomed: list[int]) -> list[list]:
        """[low, high, digest of the rows left] for each vouched chunk holding a doomed id."""
        conn = self.conn
        chunks: dict[int, int] = {}
        for (text,) in conn.execute(
            "SELECT coalesce(after_text, after) FROM audit_log LEFT JOIN audit_content "
            "ON entry_id = id WHERE action IN "
            "('evaluation.run', 'evaluation.batch', 'determinations.pruned') ORDER BY id"
        ):
            try:
                data = json.loads(text or "{}")
            except ValueError:
                continue
            chunk = data.get("chunk") if isinstance(data, dict) else None
            if isinstance(chunk, list) and len(chunk) == 2:
                chunks[chunk[0]] = chunk[1]
            for kept in data.get("chunks", []) if isinstance(data, dict) else []:
                chunks[kept[0]] = kept[1]
        out = []
        columns = (
            "id, case_id, number, run_id, as_of, ruleset, ruleset_version, engine, "
            "inputs_hash, result"
        )
        for low, high in sorted(chunks.items()):
            at = bisect.bisect_left(doomed, low)
            if at == len(doomed) or doomed[at] > high:
                continue
            rows = conn.execute(
                f"SELECT {columns} FROM determinations WHERE id BETWEEN ? AND ? ORDER BY id",
                (low, high),
            ).fetchall()
            out.append([low, high, determinations_digest([tuple(r) for r in rows])])
        return out
