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
from ..chunks import CaseRows, canonical_json, case_rows, evaluation, sha256, validate_chunk
from ..convert import case_to_dict
from ..errors import InputError, Problem
from ..importing import Assignment, Record, files_in, read_records
from .added_events import ADDED_EVENTS, describe, lost_events, with_events
from .audit import AuditWriter, now
from .backend import WRITE_CACHE_KIB, page_cache
from .base import CHUNK, StoreBase
from .currency import STALE_STATUSES
from .held import HeldOutcomes
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
    #: (case id, events) for each case whose events recorded with `cases add-event`
    #: were kept beside its record's (added_events="keep") or dropped ("drop").
    added_events: tuple[tuple[str, str], ...] = ()


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
        added_events: str = "refuse",
    ) -> ImportResult:
        """Validate and store records in one transaction, reporting every problem at once.

        Every record gets the checks `cases add-event` applies (no event after `today`,
        default the real date, or before the birth; no exact duplicate event).
        Every new or changed case is evaluated (as of `evaluate_as_of`, default
        today) in the same transaction. A CSV assignment to a caseworker the
        caseload does not know is refused, with a did-you-mean, unless
        `new_caseworkers` says the names are new (or the caseload has no
        caseworker yet: its first import names them).

        A stored case holding events recorded with `cases add-event` that its
        incoming record lacks is not replaced unawares (`added_events`): "refuse"
        rejects the record, "keep" adds those events to it, "drop" replaces the
        case and lists them in `ImportResult.added_events`. A case whose file is
        unchanged but whose determination is stale or failed is evaluated again.
        """
        if added_events not in ADDED_EVENTS:
            raise ValueError(f"added_events must be one of {ADDED_EVENTS}, not {added_events!r}")
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
                lost = lost_events(self.conn, [(c.id, t) for _, c, t, _ in batch])
                if lost:
                    kept_batch = []
                    for item in batch:
                        record, case = item[0], item[1]
                        if case.id not in lost:
                            kept_batch.append(item)
                            continue
                        events = lost[case.id]
                        if added_events == "drop":
                            kept_batch.append(item)
                            resolved.append((case.id, f"dropped {describe(events)}"))
                            continue
                        evaluations.pop(case.id, None)
                        if added_events == "refuse":
                            reject(record, [_lost_problem(record, case.id, events)])
                            continue
                        merged, found = self._merged(record, events, today, as_of, hashes)
                        if found:
                            reject(record, found)
                            continue
                        kept_batch.append(merged[0])
                        if merged[1] is not None:
                            evaluations[case.id] = merged[1]
                        resolved.append((case.id, f"kept {describe(events)}"))
                    batch = kept_batch
                if skip_invalid or not problems:
                    written = len(counts["_written"])
                    self._store_cases(batch, audit, counts)
                    for case_id, evaluated in evaluations.items():
                        held.put(case_id, evaluated)
                    if progress and len(counts["_written"]) > written:
                        progress(len(counts["_written"]) - written)  # evaluated, to be written
                batch = []
            for assignment in assignments:
                found = (
                    None
                    if assignment.case_id in seen
                    else self._check_assignment(assignment.case_id, assignment.caseworker)
                )
                if not found and not new_caseworkers:
                    unknown = known_caseworker(assignment.caseworker)
                    found = f"{unknown.what}; {unknown.fix}" if unknown else None
                if found:
                    reject(assignment, [Problem(f"{assignment.source}, {assignment.label}", found)])
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
            rejected=tuple(rejected),
            failures=report.failures if report else (),
            warnings=report.warnings if report else (),
            evaluated=report.evaluated if report else 0,
            added_events=tuple(resolved),
            **counts,
        )

    def _merged(
        self,
        record: Record,
        events: list[dict[str, Any]],
        today: date | None,
        as_of: date,
        hashes: dict[str, str] | None,
    ) -> tuple[tuple[tuple[Record, CaseRows, str, str], Any], list[Problem]]:
        """The record with `events` kept (added_events="keep"), checked like any record,
        and its evaluation when it is to be written (as `chunks.validate_chunk` gives it)."""
        engine = self._need_engine()
        data = with_events(record.data, events)
        try:
            case = engine.case_from_dict(data, source=record.source, today=today or date.today())
        except InputError as exc:
            found = [Problem(record.where(p.where), p.what, p.fix) for p in exc.problems]
            return ((record, None, "", ""), None), found or [Problem(record.where(""), exc.message)]
        text = canonical_json(case_to_dict(case))
        digest = sha256(text)
        evaluated = None
        if hashes is not None and hashes.get(case.id) != digest:
            evaluated = evaluation(engine, case, as_of)
        return ((attrs.evolve(record, data=data), case_rows(case), text, digest), evaluated), []

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


def _lost_problem(record: Record, case_id: str, events: list[dict[str, Any]]) -> Problem:
    """The problem of a record that would drop events recorded with `cases add-event`."""
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    return Problem(
        record.where("events"),
        f'case "{case_id}" in the caseload has {count} recorded with `cases add-event` '
        f"that this record does not have ({describe(events)}); importing it would drop "
        f"{'them' if len(events) != 1 else 'it'}",
        f"add {'them' if len(events) != 1 else 'it'} to the record, or import with "
        "--added-events keep (kept beside the record's) or --added-events drop",
    )


def _diff(old: dict, new: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}
