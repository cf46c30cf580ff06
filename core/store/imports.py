"""Importing case files, folders and CSV files: validated in workers, stored all or nothing."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import attrs

from .. import collecting
from ..chunks import CaseRows, validate_chunk
from ..errors import InputError, Problem
from ..importing import Assignment, Record, files_in, read_records
from ..text import identity_key
from .audit import AuditWriter, now
from .backend import WRITE_CACHE_KIB, page_cache
from .base import CHUNK, StoreBase
from .currency import STALE_STATUSES
from .held import HeldOutcomes
from .reimport import CASELOAD_CHANGES, assigned_by_hand, assignment_problem, reconcile
from .workers import _Workers

#: Cases an import must write before it refreshes PostgreSQL's planner statistics.
ANALYZE_AFTER = 1000
#: SQLite's page cache while an import writes, in KiB (`backend.WRITE_CACHE_KIB`).
IMPORT_CACHE_KIB = WRITE_CACHE_KIB
#: The document hash a caseload holds for each of a chunk's case ids; none (NULL) for
#: a case whose stored determination is stale or failed, so that it is evaluated again
#: even when its file is unchanged (`currency.STALE_STATUSES`).
STORED_HASHES = (
    "SELECT id, CASE WHEN status IN ({stale}) THEN NULL ELSE document_hash END "
    "FROM cases WHERE id IN ({{ids}})"
).format(stale=", ".join(f"'{s}'" for s in STALE_STATUSES))
#: The tables the listings read whose size an import changes.
ANALYZED_TABLES = ("cases", "case_documents", "children", "clocks", "determinations", "assignments",
                   "caseworkers")  # fmt: skip


@attrs.frozen
class ImportResult:
    """What an import did: counts, and the rejected records when invalid ones were skipped."""

    created: int
    updated: int
    unchanged: int
    assigned: int
    rejected: tuple[dict[str, Any], ...] = ()
    #: Cases evaluated as part of the import (every new or changed one).
    evaluated: int = 0
    #: (case id, message) for each of those whose evaluation failed.
    failures: tuple[tuple[str, str], ...] = ()
    #: (case id, reason) of each warning their evaluation found that the case's previous
    #: determination did not have (`EvaluationReport.warnings`), in case-id order.
    warnings: tuple[tuple[str, str], ...] = ()
    #: (case id, what) for each change made in the caseload since (an event recorded
    #: with `cases add-event`, a caseworker set with `cases assign`) that a record would
    #: have undone, kept (caseload_changes="keep") or dropped ("drop").
    caseload_changes: tuple[tuple[str, str], ...] = ()
    #: How many of the cases written have no caseworker, in a caseload with caseworkers.
    unassigned: int = 0


class ImportsMixin(StoreBase):
    """Import: every record checked, every problem reported at once."""

    def import_paths(
        self,
        paths: Iterable[str],
        *,
        user: str | None = None,
        skip_invalid: bool = False,
        source_name: str | None = None,
        today: date | None = None,
        **options: Any,
    ) -> ImportResult:
        """Import case files, folders and CSV files; all or nothing unless skip_invalid."""
        self.require("import")  # before reading any file: say so at once
        files = files_in(list(paths))
        return self.import_records(
            read_records(files), user=user, skip_invalid=skip_invalid, today=today, **options
        )

    @collecting.bulk()
    def import_records(
        self,
        records: Iterable[Record | Assignment],
        *,
        user: str | None = None,
        skip_invalid: bool = False,
        today: date | None = None,
        evaluate_as_of: date | None = None,
        progress: Callable[[int], None] | None = None,
        new_caseworkers: bool = False,
        caseload_changes: str = "refuse",
    ) -> ImportResult:
        """Validate and store records in one transaction, reporting every problem at once.

        Every record gets the checks `cases add-event` applies (no event after `today`,
        default the real date, or before the birth; no exact duplicate event).
        Every new or changed case is evaluated (as of `evaluate_as_of`, default
        today) in the same transaction. A CSV assignment to a caseworker the
        caseload does not know is refused, with a did-you-mean, unless
        `new_caseworkers` says the names are new (or the caseload has no
        caseworker yet: its first import names them).

        A record never undoes unawares a change made in the caseload since: an
        event recorded with `cases add-event` it lacks, a caseworker set with
        `cases assign` it names otherwise (`caseload_changes`: "refuse" rejects
        the record, "keep" keeps the caseload's, "drop" lets the record's win;
        both listed in `ImportResult.caseload_changes`). A CSV record keeps what
        a CSV cannot give from the stored case (`store/reimport.py`). A case
        whose file is unchanged but whose determination is stale or failed is
        evaluated again.
        """
        if caseload_changes not in CASELOAD_CHANGES:
            raise ValueError(
                f"caseload_changes must be one of {CASELOAD_CHANGES}, not {caseload_changes!r}"
            )
        person = self.require("import")
        user = person.login if user is None else user
        engine = self._need_engine()
        as_of = evaluate_as_of or today or date.today()
        # Each new or changed case is evaluated where it is checked, from the model loaded
        # there; the results wait in `held` until the evaluation below writes them.
        validate = functools.partial(validate_chunk, today=today or date.today(), as_of=as_of)
        problems: list[Problem] = []
        rejected: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        counts: dict[str, Any] = {
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "assigned": 0,
            "_written": [],
        }
        assignments: list[Assignment] = []
        resolved: list[tuple[str, str]] = []

        def reject(record: Record | Assignment, found: list[Problem]) -> None:
            problems.extend(found)
            rejected.append(
                {
                    "source": record.source,
                    "record": record.label,
                    "problems": [str(p) for p in found],
                    "data": getattr(record, "data", None),
                }
            )

        def chunks() -> Iterator[tuple[list[Record], dict[str, str] | None]]:
            """Records `CHUNK` at a time, with the document hash stored for each case id (a
            case whose file is unchanged is not evaluated), or None: evaluate none."""
            chunk: list[Record] = []
            for record in itertools.chain(records, [None]):
                if isinstance(record, Assignment):
                    assignments.append(record)
                    continue
                if record is not None:
                    chunk.append(record)
                if chunk and (record is None or len(chunk) >= CHUNK):
                    if problems and not skip_invalid:  # refused already: nothing to evaluate
                        yield chunk, None
                    else:
                        ids = [r.data.get("id") for r in chunk if isinstance(r.data, dict)]
                        ids = list(dict.fromkeys(i for i in ids if isinstance(i, str)))
                        yield chunk, dict(self.conn.select_for(STORED_HASHES, ids))
                    chunk = []

        names_checked: dict[str, Problem | None] = {}
        if not self.conn.execute("SELECT 1 FROM caseworkers LIMIT 1").fetchone():
            # The first caseworkers a caseload hears of have no one to be mistaken for.
            new_caseworkers = True

        def known_caseworker(raw: str) -> Problem | None:
            if raw not in names_checked:
                names_checked[raw] = self.unknown_caseworker(raw)
            return names_checked[raw]

        with (
            page_cache(self.conn, IMPORT_CACHE_KIB),
            self.write(user) as audit,
            _Workers(engine, self.jobs) as workers,
            HeldOutcomes() as held,
        ):
            batch: list[tuple[Record, CaseRows, str, str]] = []
            for (chunk, hashes), checked in workers.map(validate, chunks()):
                evaluations: dict[str, Any] = {}
                for record, (case, found, text, digest, evaluated) in zip(
                    chunk, checked, strict=True
                ):
                    if case is not None:
                        if case.id in seen:
                            found.append(
                                Problem(
                                    record.where("id"),
                                    f'case "{case.id}" appears twice in this import',
                                    f"first in {seen[case.id]}",
                                )
                            )
                        else:
                            seen[case.id] = f"{record.source}, {record.label}"
                    if record.caseworker and not new_caseworkers:
                        unknown = known_caseworker(record.caseworker)
                        if unknown:
                            found.append(
                                Problem(record.where("caseworker"), unknown.what, unknown.fix)
                            )
                    if found:
                        reject(record, found)
                        continue
                    batch.append((record, case, text, digest))
                    if evaluated is not None:
                        evaluations[case.id] = evaluated
                done = reconcile(self.conn, engine, batch, evaluations, hashes,
                                 mode=caseload_changes, today=today or date.today(), as_of=as_of)  # fmt: skip
                for record, found in done.rejected:
                    reject(record, found)
                resolved.extend(done.notes)
                batch = done.batch
                if skip_invalid or not problems:
                    written = len(counts["_written"])
                    self._store_cases(batch, audit, counts)
                    for case_id, evaluated in evaluations.items():
                        held.put(case_id, evaluated)
                    if progress and len(counts["_written"]) > written:
                        progress(len(counts["_written"]) - written)  # evaluated, to be written
                batch = []
            by_hand = assigned_by_hand(self.conn, [a.case_id for a in assignments])
            given: dict[str, tuple[str, str]] = {}  # case id -> (caseworker, where), this import
            for assignment in assignments:
                where = f"{assignment.source}, {assignment.label}"
                case_id, worker = assignment.case_id, assignment.caseworker
                found = None if case_id in seen else self._check_assignment(case_id, worker)
                if not found and not new_caseworkers:
                    unknown = known_caseworker(worker)
                    found = f"{unknown.what}; {unknown.fix}" if unknown else None
                first = given.setdefault(case_id, (worker, where))
                if not found and identity_key(first[0]) != identity_key(worker):
                    found = (f'case "{case_id}" is assigned to {first[0]} in {first[1]} of this '
                             "import; give each case one caseworker")  # fmt: skip
                current = by_hand.get(case_id)
                if not found and current and identity_key(current) != identity_key(worker):
                    if caseload_changes == "refuse":
                        reject(assignment, [assignment_problem(where, case_id, current, worker)])
                        continue
                    if caseload_changes == "keep":
                        resolved.append((case_id, f"kept caseworker {current} (set with cases "
                                         f"assign; the file says {worker})"))  # fmt: skip
                        continue
                    resolved.append((case_id, f"caseworker {current} (set with cases assign) "
                                     f"replaced by {worker}"))  # fmt: skip
                if found:
                    reject(assignment, [Problem(where, found)])
                elif skip_invalid or not problems:
                    counts["assigned"] += self._assign(
                        assignment.case_id, assignment.caseworker, audit
                    )
            if problems and not skip_invalid:
                raise InputError(
                    f"nothing imported: {len(rejected)} record{'s' if len(rejected) != 1 else ''} "
                    "not valid (use --skip-invalid to import the valid ones)",
                    problems,
                )
            # Evaluate what changed in the same transaction: due, overdue and cases list
            # are right the moment the import commits, with no separate step.
            report = None
            if counts["_written"]:
                report = self._evaluate_in(  # type: ignore[attr-defined]
                    audit,
                    as_of=as_of,
                    user=user,
                    case_ids=counts["_written"],
                    # Evaluated where they were checked: the stored documents are not read.
                    outcomes=held,
                )
        written = counts.pop("_written")
        if self.conn.postgres and len(written) >= ANALYZE_AFTER:
            self._analyze()
        return ImportResult(
            unassigned=self._unassigned_of(written),
            rejected=tuple(rejected),
            failures=report.failures if report else (),
            warnings=report.warnings if report else (),
            evaluated=report.evaluated if report else 0,
            caseload_changes=tuple(resolved),
            **counts,
        )

    def _unassigned_of(self, case_ids: list[str]) -> int:
        """How many of `case_ids` no caseworker holds, in a caseload that has caseworkers
        (they are on no caseworker's list: `due --unassigned` lists them); 0 otherwise."""
        if not case_ids or not self.conn.execute("SELECT 1 FROM caseworkers LIMIT 1").fetchone():
            return 0
        held = self.conn.select_for(
            "SELECT DISTINCT case_id FROM assignments WHERE ended_at IS NULL AND case_id IN ({ids})",
            list(dict.fromkeys(case_ids)),
        )
        return len(set(case_ids)) - len(held)

    def _analyze(self) -> None:
        """Fresh planner statistics for the tables an import fills (PostgreSQL).

        Until autovacuum next samples them (minutes after a large import), PostgreSQL
        plans the listings from the tables' old sizes: after a first import of
        100,000 cases the statewide `due` took 1.4 s to its first row, 21 ms once the
        statistics were fresh. ANALYZE samples a fixed number of rows per table (about
        a second at 100,000 cases) and takes no lock a reader or writer waits for.
        """
        self.conn.execute(f"ANALYZE {', '.join(ANALYZED_TABLES)}")
        self.conn.commit()

    def _store_cases(
        self, batch: list[tuple[Record, CaseRows, str, str]], audit: AuditWriter, counts: dict
    ) -> None:
        if not batch:
            return
        conn = self.conn
        ids = [case.id for _, case, _, _ in batch]
        existing: dict[str, tuple[str, str, str | None]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            for row in conn.execute(
                f"SELECT c.id, c.document_hash, d.document, c.status FROM cases c "
                f"JOIN case_documents d ON d.hash = c.document_hash WHERE c.id IN ({marks})",
                part,
            ):
                existing[row[0]] = (row[1], row[2], row[3])
        stamp = now()
        new_rows, changed = [], []
        for record, case, text, digest in batch:
            old = existing.get(case.id)
            if old is not None and old[0] == digest:
                counts["unchanged"] += 1
                if old[2] in STALE_STATUSES:  # evaluated again (`STORED_HASHES`)
                    counts["_written"].append(case.id)
            elif old is not None:
                changed.append((record, case, text, digest, old))
            else:
                new_rows.append((record, case, text, digest))
            if record.caseworker:
                counts.setdefault("_assign", []).append((case.id, record.caseworker))
        conn.executemany(
            "INSERT INTO case_documents (hash, document) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(d, t) for _, _, t, d in new_rows] + [(d, t) for _, _, t, d, _ in changed],
        )
        conn.insert_rows(
            "cases",
            ("id", "ruleset", "district", "programs", "document_hash", "status", "source",
             "created_at", "updated_at"),
            [
                (c.id, c.ruleset, c.district, ",".join(c.programs), d, "not_evaluated",
                 f"{r.source}, {r.label}", stamp, stamp)
                for r, c, _, d in new_rows
            ],
        )  # fmt: skip
        for record, case, _, digest, (_, _old_text, old_status) in changed:
            status = (
                "not_evaluated" if old_status == "not_evaluated" else "changed_since_evaluation"
            )
            conn.execute(
                "UPDATE cases SET ruleset = ?, district = ?, programs = ?, document_hash = ?, "
                "status = ?, source = ?, updated_at = ? WHERE id = ?",
                (
                    case.ruleset,
                    case.district,
                    ",".join(case.programs),
                    digest,
                    status,
                    f"{record.source}, {record.label}",
                    stamp,
                    case.id,
                ),
            )
        self._write_parts(
            [c for _, c, _, _ in new_rows] + [c for _, c, _, _, _ in changed],
            replace=[c.id for _, c, _, _, _ in changed],
        )
        for record, case, _, digest in new_rows:
            audit.append(
                "case.imported",
                f"imported case {case.id} from {record.source}, {record.label}",
                case_id=case.id,
                after={"document_hash": digest},
            )
        for record, case, text, digest, (old_hash, old_text, _) in changed:
            before, after = _diff(json.loads(old_text), json.loads(text))
            audit.append(
                "case.updated",
                f"updated case {case.id} from {record.source}, {record.label}: {', '.join(sorted(after))} changed",
                case_id=case.id,
                before={"document_hash": old_hash, **before},
                after={"document_hash": digest, **after},
            )
        counts["_written"].extend(c.id for _, c, _, _ in new_rows)
        counts["_written"].extend(c.id for _, c, _, _, _ in changed)
        counts["created"] += len(new_rows)
        counts["updated"] += len(changed)
        counts["assigned"] += self._assign_many(counts.pop("_assign", []), audit)


def _diff(old: dict, new: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}
