"""Tamper evidence of the data: the tables cross-checked against the audit log.

The hash chain (`audit.verify`) proves the log is unchanged; this proves the
tables still say what the log recorded. Replaying the log gives, for every case,
the hash of its latest document and its caseworker, and for every evaluation
chunk a digest of the determinations it wrote. Then:

- every stored document matches its own hash;
- every case in `cases` has its entry, its document is the one its latest entry
  names, and every case an entry names is still there (unless an entry removed it);
- a case's children/events/... rows are the ones its document gives;
- every assignment has its entry and the current caseworker is the last one assigned;
- every evaluation run has its entry, every determination is vouched for by the
  digest of the entry that wrote it, and the `clocks` rows and case status of each
  case are the ones its latest determination's result gives.

What it cannot see: a consistent rewrite of both the log and the tables by
someone who can write the file. `audit anchor` covers that by keeping the head
of the chain outside the caseload (docs/threat-model.md).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from ..convert import case_to_dict
from .audit import AuditProblem
from .backend import Connection
from .base import canonical_json, sha256
from .cases import _PART_COLUMNS, case_rows
from .determinations import (
    CLOCK_COLUMNS,
    DERIVED_STATUSES,
    clock_rows_of,
    determinations_digest,
    stored_case,
)
from .lines import stale_lines

#: Statuses `evaluate` derives from the latest determination (others are set by writes).
_DERIVED = DERIVED_STATUSES
#: Actions that take a case out of the caseload on purpose (destruction, retention).
_REMOVING = re.compile(r"\.(destroyed|deleted|removed|purged)$")
_LIMIT = 50  # problems listed per kind; the rest are counted


class _Problems:
    def __init__(self) -> None:
        self.items: list[AuditProblem] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, kind: str, what: str, entry: int | None = None) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= _LIMIT:
            self.items.append(AuditProblem(entry, what))
        elif self.counts[kind] == _LIMIT + 1:
            self.items.append(AuditProblem(None, f"(more {kind} problems not listed)"))


def check_data(conn: Connection, engine) -> list[AuditProblem]:
    """Every way the tables disagree with the audit log; [] when they agree."""
    found = _Problems()
    documents: dict[str, tuple[str, int]] = {}  # case -> (document hash, entry)
    workers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    removed: set[str] = set()
    vouched: dict[int, tuple[str, list[int], int]] = {}  # first det id -> (digest, ids, entry)
    runs_logged: set[int] = set()
    destroyed: set[int] = set()  # determination ids a case.destroyed entry accounts for
    for entry_id, action, case_id, after in conn.execute(
        # An entry about a case keeps its content in audit_content (its digest in the chain).
        "SELECT id, action, case_id, coalesce(after_text, after) FROM audit_log "
        "LEFT JOIN audit_content ON entry_id = id ORDER BY id"
    ):
        data: dict[str, Any] = {}
        if after:
            try:
                data = json.loads(after)
            except ValueError:
                continue  # the chain check reports an edited entry
        if not isinstance(data, dict):
            continue
        if case_id and _REMOVING.search(action):
            ids = data.get("determination_ids")
            if isinstance(ids, list):
                destroyed.update(i for i in ids if isinstance(i, int))
            removed.add(case_id)
            documents.pop(case_id, None)
            workers.pop(case_id, None)
            continue
        if case_id and isinstance(data.get("document_hash"), str):
            documents[case_id] = (data["document_hash"], entry_id)
            removed.discard(case_id)
        if action == "case.assigned" and case_id:
            workers[case_id].append((data.get("caseworker"), entry_id))
        if action in ("evaluation.run", "evaluation.batch") and isinstance(data.get("run"), int):
            runs_logged.add(data["run"])
            chunk = data.get("chunk")
            if isinstance(chunk, list) and len(chunk) == 2 and isinstance(data.get("digest"), str):
                vouched[chunk[0]] = (data["digest"], chunk, entry_id)
        if action == "determinations.pruned":
            # Pruning history: each chunk it touched is vouched for by what is left of it.
            for kept in data.get("chunks") or []:
                if isinstance(kept, list) and len(kept) == 3 and isinstance(kept[2], str):
                    vouched[kept[0]] = (kept[2], kept[:2], entry_id)

    _check_documents(conn, found)
    _check_cases(conn, engine, documents, removed, found)
    _check_assignments(conn, workers, found)
    _check_runs(conn, runs_logged, vouched, found, destroyed)
    _check_clocks(conn, found)
    return found.items


def _check_documents(conn: Connection, found: _Problems) -> None:
    for digest, text in conn.execute("SELECT hash, document FROM case_documents"):
        if sha256(text) != digest:
            found.add(
                "document", f"a stored case document no longer matches its hash {digest[:12]}"
            )


def _check_cases(conn, engine, documents, removed, found: _Problems) -> None:
    stored = dict(conn.execute("SELECT id, document_hash FROM cases").fetchall())
    for case_id, digest in stored.items():
        if case_id not in documents:
            found.add("case", f"case {case_id} has no audit entry (added outside eirules?)")
        elif documents[case_id][0] != digest:
            found.add(
                "case",
                f"case {case_id}: its document is not the one its latest entry "
                f"{documents[case_id][1]} names (changed outside eirules)",
                documents[case_id][1],
            )
    for case_id, (_, entry) in documents.items():
        if case_id not in stored and case_id not in removed:
            found.add("case", f"case {case_id} is recorded in the log but missing", entry)
    if engine is None:
        return
    _check_parts(conn, engine, stored, found)


def _check_parts(conn, engine, stored: dict[str, str], found: _Problems) -> None:
    """The children, events, ... rows of each case are the ones its document gives."""
    texts = dict(conn.execute("SELECT hash, document FROM case_documents").fetchall())
    tables = {table: (columns, table) for table, columns in _PART_COLUMNS.items()}
    actual: dict[str, dict[str, list[tuple]]] = {t: defaultdict(list) for t in tables}
    for table, (columns, name) in tables.items():
        quoted = ", ".join(f'"{c}"' for c in columns)
        for row in conn.execute(f"SELECT {quoted} FROM {name}"):
            actual[table][row[0]].append(tuple(row))
    for case_id, digest in stored.items():
        text = texts.get(digest)
        if text is None:
            found.add("case", f"case {case_id}: its document {digest[:12]} is missing")
            continue
        try:
            case = stored_case(engine, json.loads(text))
        except Exception:  # noqa: BLE001 - an unreadable document is a finding, not a crash
            found.add("case", f"case {case_id}: its stored document cannot be read")
            continue
        if sha256(canonical_json(case_to_dict(case))) != digest:
            continue  # the document check already said it does not match its hash
        expected = case_rows(case).parts
        for table in tables:
            want = sorted(map(_key, expected.get(table, ())))
            have = sorted(map(_key, actual[table].get(case_id, ())))
            if want != have:
                found.add("rows", f"case {case_id}: its {table} rows differ from its case document")


def _key(row: tuple) -> str:
    return json.dumps(list(row), default=str)


def _check_assignments(conn, workers, found: _Problems) -> None:
    rows: dict[str, list[tuple]] = defaultdict(list)
    for case_id, caseworker, ended in conn.execute(
        "SELECT case_id, caseworker, ended_at FROM assignments ORDER BY id"
    ):
        rows[case_id].append((caseworker, ended))
    for case_id in set(rows) | set(workers):
        logged, have = workers.get(case_id, []), rows.get(case_id, [])
        if len(have) != len(logged):
            found.add(
                "assignment",
                f"case {case_id}: {len(have)} assignment rows, {len(logged)} recorded in the log",
            )
            continue
        current = [w for w, ended in have if ended is None]
        if logged and current != [logged[-1][0]]:
            found.add(
                "assignment",
                f"case {case_id}: the current caseworker is not the one entry "
                f"{logged[-1][1]} assigned",
                logged[-1][1],
            )


def _check_runs(conn, runs_logged, vouched, found: _Problems, destroyed=frozenset()) -> None:
    stored = {r[0] for r in conn.execute("SELECT id FROM evaluation_runs")}
    for run_id in sorted(stored - runs_logged):
        found.add("run", f"evaluation run {run_id} has no audit entry")
    for run_id in sorted(runs_logged - stored):
        found.add("run", f"evaluation run {run_id} is recorded in the log but missing")
    covered: set[int] = set()
    columns = "id, case_id, number, run_id, as_of, ruleset, ruleset_version"
    for digest, (low, high), entry in vouched.values():
        rows = conn.execute(
            f"SELECT {columns}, engine, inputs_hash, result FROM determinations "
            "WHERE id BETWEEN ? AND ? ORDER BY id",
            (low, high),
        ).fetchall()
        covered.update(r[0] for r in rows)
        if any(low <= i <= high for i in destroyed):
            continue  # rows of a destroyed case are gone on purpose: the digest cannot be redone
        if determinations_digest([tuple(r) for r in rows]) != digest:
            found.add(
                "determination",
                f"determinations {low} to {high} are not what entry {entry} recorded "
                "(edited, deleted or added outside eirules)",
                entry,
            )
    if not vouched:
        return  # a caseload evaluated before runs recorded digests: nothing to compare
    first_vouched = min(vouched)
    for (det_id,) in conn.execute(
        "SELECT id FROM determinations WHERE id >= ? ORDER BY id", (first_vouched,)
    ):
        if det_id not in covered:
            found.add("determination", f"determination {det_id} has no audit entry")


def _check_clocks(conn, found: _Problems) -> None:
    """Each case's clock rows and status are the ones its latest determination gives."""
    columns = CLOCK_COLUMNS
    actual: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(f"SELECT {columns} FROM clocks"):
        actual[row[0]].append(_key(tuple(row)))
    for case_id, det_id, result, status in conn.execute(
        "SELECT c.id, d.id, d.result, c.status FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id"
    ):
        try:
            rows, derived = clock_rows_of(case_id, det_id, json.loads(result))
        except (ValueError, KeyError, TypeError):
            found.add("clock", f"case {case_id}: determination {det_id} cannot be read")
            continue
        if status == "evaluation_failed":
            rows = []  # a failed evaluation removes the case's clocks and keeps its last result
        if sorted(map(_key, rows)) != sorted(actual.pop(case_id, [])):
            found.add(
                "clock",
                f"case {case_id}: its clock rows differ from determination {det_id} "
                "(deleted, moved or edited outside eirules)",
            )
        if status in _DERIVED and status != derived:
            found.add(
                "clock",
                f'case {case_id}: status "{status}" is not the "{derived}" its determination gives',
            )
    for case_id in actual:
        found.add("clock", f"case {case_id}: clock rows without a determination")
    # The child's name and the caseworker a listing shows are kept on the clock rows
    # (revision 0014): they must be the case's own.
    differs = "IS DISTINCT FROM" if conn.postgres else "IS NOT"
    for (case_id,) in conn.execute(
        "SELECT DISTINCT k.case_id FROM clocks k "
        "LEFT JOIN children ch ON ch.case_id = k.case_id "
        "LEFT JOIN assignments a ON a.case_id = k.case_id AND a.ended_at IS NULL "
        f"WHERE k.child {differs} ch.name OR k.caseworker {differs} a.caseworker "
        "ORDER BY k.case_id"
    ):
        found.add(
            "clock",
            f"case {case_id}: its clock rows show another child's name or caseworker than "
            "the case's (edited outside eirules)",
        )
    # And the text a JSON Lines listing writes of each (revision 0015), made of the columns.
    for case_id in stale_lines(conn):
        found.add(
            "clock",
            f"case {case_id}: the listed text kept on its clock rows is not made of their "
            "columns (edited outside eirules)",
        )
    for case_id, last, newest in conn.execute(
        "SELECT c.id, c.last_determination_id, max(d.id) FROM cases c "
        "JOIN determinations d ON d.case_id = c.id GROUP BY c.id, c.last_determination_id"
    ):
        if last != newest:
            found.add("clock", f"case {case_id}: its latest determination is not {last}")
