"""Evaluation runs: `evaluate` re-evaluates stored cases and writes what changed.

Each chunk of cases is evaluated (in worker processes, or elsewhere) while the one
before it is written, in parts of WRITE_PART cases, each in a short transaction;
the run's record and audit entry close it. What a determination's rows are
(`clocks`, digests, changes) is core/store/determinations.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import attrs

from .. import collecting
from ..chunks import evaluate_chunk_stable, result_digest
from .audit import now
from .backend import WRITE_CACHE_KIB, page_cache
from .base import CHUNK
from .currency import calendars_changed_at, current_ids, move_current
from .determinations import (
    CLOCK_COLUMN_NAMES,
    DERIVED_STATUSES,
    DETERMINATION_COLUMNS,
    SHOWN_COLUMNS,
    Change,
    DeterminationsMixin,
    determinations_digest,
    evaluated_with,
)
from .held import HeldOutcomes
from .lines import LINE_COLUMNS, line_of
from .workers import _Workers


@attrs.frozen
class EvaluationReport:
    """What `evaluate` did: the run id, counts, changes since last time and failures."""

    run_id: int
    as_of: date
    evaluated: int
    changes: tuple[Change, ...]
    failures: tuple[tuple[str, str], ...]
    first_evaluations: int
    #: Cases not evaluated again: their stored determination is current (`skip_current`).
    skipped: int = 0
    #: Cases whose new determination equalled their latest one (not stored again).
    unchanged: int = 0
    #: (case id, reason) of each warning finding of a determination this run stored that
    #: the case's previous determination did not have (an IFSP meeting dated before the
    #: referral, ...), in case-id order: what the command that ran it tells the user.
    warnings: tuple[tuple[str, str], ...] = ()


class EvaluationRunsMixin(DeterminationsMixin):
    """Evaluating stored cases: runs of `evaluate`."""

    @collecting.bulk()
    def evaluate(
        self,
        *,
        as_of: date,
        user: str | None = None,
        case_ids: list[str] | None = None,
        progress: Callable[[int], None] | None = None,
        chunk: int = CHUNK,
        audit=None,
        skip_current: bool = False,
        workers: Callable[[Any, int], Any] | None = None,
        outcomes: HeldOutcomes | None = None,
    ) -> EvaluationReport:
        """Re-evaluate cases, committing each chunk's determinations in a short transaction.

        With `audit` (the writer of a transaction already open: an import's, an
        event's), everything is written inside that transaction instead, so the
        write and the evaluation of what it changed commit together.

        Cases are read in chunks outside any transaction and evaluated (in worker
        processes when there are many and more than one CPU); each chunk's rows
        are then written in parts of `WRITE_PART` cases, each in a write
        transaction of its own, so another writer (a coordinator adding an
        event) waits for one part at most, not for the whole run. The last chunk is written together with the run's
        record and its audit entry, so a run of one chunk is one transaction.
        A case changed by another writer after it was read is left for the next
        run (its status already says it changed). An interrupted run keeps the
        chunks it committed, each case's determination whole, and its
        `evaluation_runs` row has no `finished_at`.

        With `skip_current`, a case whose latest determination is current for
        `as_of` (same case file, engine, ruleset version and calendars, and `as_of`
        the date it was made as of or inside its stability interval:
        `currency.current_ids`) is not evaluated again; its `evaluated_as_of` moves
        to `as_of` in set-wide statements (`currency.move_current`). Each evaluated
        case keeps its determination's interval (`Engine.evaluate_stable`).

        `workers` runs the evaluation elsewhere: a callable `(engine, jobs)` giving a
        context manager whose `map(fn, chunks)` yields `(chunk, fn(engine, chunk))` in
        order (`eirules.bulk.DaskWorkers` for a Dask cluster); the default is this
        machine's process pool. Where the chunks run never changes what is stored.
        `outcomes` holds the cases already evaluated (an import's, by the processes that
        checked them: `held.HeldOutcomes`); they are taken in the same order instead,
        and the stored documents are not read.
        """
        if audit is not None:
            person = self.person  # the open write (an import, an event) was allowed already
        elif case_ids is None:
            person = self.require("evaluate_all")
        else:
            for case_id in case_ids:
                person = self.require("evaluate_case", case_id)
            person = self.person
        user = person.login if user is None else user
        engine = self._need_engine()
        conn = self.conn
        changes: list[Change] = []
        warnings: list[tuple[str, str]] = []
        failures: list[tuple[str, str]] = []
        counts = {"evaluated": 0, "first": 0, "unchanged": 0}
        wanted = set(case_ids) if case_ids is not None else None
        skip = current_ids(conn, engine, as_of, case_ids) if skip_current else set()
        calendars = calendars_changed_at(engine.calendars.folder)
        if skip and progress:
            progress(len(skip))
        total = len(wanted) if wanted is not None else self.case_count()
        jobs = self.jobs if total > chunk else 1
        meta: dict[str, tuple] = {}
        versions_kept: set[str] = set()
        outer = audit  # the open transaction's writer; `audit` is rebound below

        def txn(durable: bool = True):
            if outer is not None:
                return contextlib.nullcontext(outer)
            # A part is re-derivable from the case files: it does not wait for the disk
            # (see `StoreBase.write`); the run's closing transaction does, and with it
            # every part before it.
            return self.write(user, label="evaluation", durable=durable)

        run: dict[str, Any] = {"id": None, "ids": []}

        columns = (
            "SELECT c.id, c.document_hash, NULL, c.last_determination_id, p.result_digest, "
            "c.status FROM cases c "
            if outcomes is not None  # evaluated already: the documents are not needed
            else "SELECT c.id, c.document_hash, d.document, c.last_determination_id, "
            "p.result_digest, c.status "
            "FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
        ) + "LEFT JOIN determinations p ON p.id = c.last_determination_id "

        def pages() -> Iterator[list[tuple]]:
            """The cases to evaluate with their documents, `chunk` at a time, by id."""
            if wanted is not None:
                # Only the cases asked for are read (an import's, an event's), never the
                # whole caseload's documents; ids in code-point order on either database.
                ordered = sorted(wanted - skip)
                by_id = f"ORDER BY {conn.order_text('c.id')}"
                for i in range(0, len(ordered), chunk):
                    yield conn.select_for(
                        columns + "WHERE c.id IN ({ids}) " + by_id, ordered[i : i + chunk]
                    )
                return
            # The whole caseload: the case rows without their documents, then the documents
            # of those not skipped (after a nightly skip, a few percent), gathered into
            # pages of `chunk` cases.
            last_id, kept = "", []
            while True:
                rows = conn.execute(
                    "SELECT c.id, c.document_hash, c.last_determination_id, p.result_digest, "
                    "c.status FROM cases c "
                    "LEFT JOIN determinations p ON p.id = c.last_determination_id "
                    "WHERE c.id > ? ORDER BY c.id LIMIT ?",
                    (last_id, chunk),
                ).fetchall()
                if rows:
                    last_id = rows[-1][0]
                keep = [r for r in rows if r[0] not in skip]
                documents = dict(
                    conn.select_for(
                        "SELECT hash, document FROM case_documents WHERE hash IN ({ids})",
                        list({r[1] for r in keep}),
                    )
                )
                kept.extend((r[0], r[1], documents[r[1]], *r[2:]) for r in keep)
                while len(kept) >= chunk or (kept and not rows):
                    yield kept[:chunk]
                    kept = kept[chunk:]
                if not rows:
                    return

        def chunks() -> Iterator[tuple[date, list[tuple[str, str]]]]:
            for rows in pages():
                items = []
                for case_id, doc_hash, document, previous, digest, status in rows:
                    if (wanted is not None and case_id not in wanted) or case_id in skip:
                        continue
                    meta[case_id] = (doc_hash, previous, digest, status)
                    items.append((case_id, document))
                if items:
                    yield as_of, items

        def start_run() -> int:
            if run["id"] is None:
                run["id"] = conn.insert_id(
                    'INSERT INTO evaluation_runs (started_at, as_of, "user") VALUES (?, ?, ?)',
                    (now(), as_of.isoformat(), user),
                )
            return run["id"]

        def prepare(results: list[tuple]) -> dict[str, Any]:
            """Compare each result with the case's latest determination (before any lock)."""
            new, same, failed, previous_ids, evaluated = [], [], [], [], []
            for case_id, error, outcome in results:
                doc_hash, previous, previous_digest, previous_status = meta.pop(case_id)
                if error is not None:
                    failed.append((case_id, doc_hash, error))
                    continue
                digest = result_digest(doc_hash, outcome.text, day)
                with_ = evaluated_with(outcome, calendars)
                if digest == previous_digest and previous_status != "evaluation_failed":
                    # The same decision as the latest stored one: its clock rows stand, and
                    # only the date they are known to be current moves (issue 14 retention).
                    status = previous_status
                    if status not in DERIVED_STATUSES:  # the file changed, then changed back
                        status = outcome.status
                    same.append((case_id, doc_hash, status, with_, *outcome.stable))
                    continue
                # Its clock rows are made from the due rows when they are written (`store`),
                # with the determination id.
                new.append(
                    (case_id, doc_hash, outcome, outcome.text, digest, with_, outcome.items,
                     outcome.status, ",".join(outcome.programs), previous, outcome.stable)
                )  # fmt: skip
                if previous is not None:
                    previous_ids.append((case_id, previous, outcome))
                evaluated.append((case_id, previous, outcome))
            return {
                "new": new,
                "same": same,
                "failed": failed,
                "changes": self._changes_since(previous_ids),
                "warnings": self._new_warnings(evaluated),
            }

        def store(prepared: dict[str, Any]) -> int:
            """Write one chunk's results (inside the caller's write transaction): a few
            set-wide statements, COPY on PostgreSQL, so the write lock is held briefly."""
            run_id = start_run()
            if outer is not None:
                # Inside the transaction that read the cases (an import's, an event's): no
                # other writer can have changed them since, so they are not read again.
                new, same, failed = prepared["new"], prepared["same"], prepared["failed"]
            else:
                ids = [x[0] for part in ("new", "same", "failed") for x in prepared[part]]
                hashes = dict(
                    conn.select_for("SELECT id, document_hash FROM cases WHERE id IN ({ids})", ids)
                )
                # A case changed (or removed) by another writer since it was read is left
                # for the next run: its status already says it changed.
                new = [x for x in prepared["new"] if hashes.get(x[0]) == x[1]]
                same = [x for x in prepared["same"] if hashes.get(x[0]) == x[1]]
                failed = [x for x in prepared["failed"] if hashes.get(x[0]) == x[1]]
            numbers = dict(
                conn.select_for(
                    "SELECT case_id, max(number) FROM determinations WHERE case_id IN ({ids}) "
                    "GROUP BY case_id",
                    [x[0] for x in new],
                )
            )
            next_id = (
                conn.execute("SELECT coalesce(max(id), 0) FROM determinations").fetchone()[0] + 1
            )
            stamp = now()
            # The listing's columns kept on the clock rows (revision 0014): the child's name
            # and the current caseworker, as they are in this transaction.
            shown = {
                case_id: (child, worker)
                for case_id, child, worker in conn.select_for(
                    "SELECT ch.case_id, ch.name, a.caseworker FROM children ch "
                    "LEFT JOIN assignments a ON a.case_id = ch.case_id AND a.ended_at IS NULL "
                    "WHERE ch.case_id IN ({ids})",
                    [x[0] for x in new],
                )
            }
            det_rows, clock_rows, case_rows = [], [], []
            for case_id, doc_hash, result, text, digest, with_, items, status, programs, previous, stable in new:  # fmt: skip
                det_id = next_id
                next_id += 1
                det_rows.append(
                    (det_id, case_id, (numbers.get(case_id) or 0) + 1, run_id, day,
                     result.ruleset, result.ruleset_version, result.engine, doc_hash,
                     text, stamp, digest)
                )  # fmt: skip
                child, worker = shown.get(case_id, (None, None))
                # A due row (`chunks.due_items`) as a clock row: CLOCK_COLUMN_NAMES, then
                # SHOWN_COLUMNS, then its listed text (LINE_COLUMNS), made in one tuple.
                for kind, clock, program, label, subject, start, opens, due, clock_status, is_open, met_on, excused_by, reason, citation, closed_on in items:  # fmt: skip
                    clock_rows.append(
                        (case_id, det_id, clock, program, label, subject, start, opens, due,
                         clock_status, is_open, met_on, excused_by, reason, citation, closed_on,
                         kind, child, worker,
                         *line_of(kind, due, case_id, child, program, clock, label, subject,
                                  clock_status, worker, citation, reason, closed_on))
                    )  # fmt: skip
                case_rows.append((status, det_id, programs, day, with_, *stable, case_id))
                if previous is None:
                    counts["first"] += 1
                else:
                    changes.extend(prepared["changes"].get(case_id, ()))
                said = prepared["warnings"].get(case_id)
                if said:  # most cases have none: no generator made for them
                    warnings.extend([(case_id, r) for r in said])
            failures.extend((case_id, error) for case_id, _, error in failed)
            counts["evaluated"] += len(new) + len(same)
            counts["unchanged"] += len(same)
            conn.insert_rows("determinations", DETERMINATION_COLUMNS, det_rows)
            conn.execute_for(
                "DELETE FROM clocks WHERE case_id IN ({ids})",
                [x[0] for x in new] + [x[0] for x in failed],
            )
            conn.insert_rows(
                "clocks", (*CLOCK_COLUMN_NAMES, *SHOWN_COLUMNS, *LINE_COLUMNS), clock_rows
            )
            conn.update_rows(
                "cases",
                "id",
                ("status", "last_determination_id", "programs", "evaluated_as_of",
                 "evaluated_with", "stable_from", "stable_until"),
                case_rows,
                casts={"last_determination_id": "INTEGER"},
            )  # fmt: skip
            conn.execute_for(
                "UPDATE cases SET status = 'evaluation_failed' WHERE id IN ({ids})",
                [x[0] for x in failed],
            )
            # Only rows that change: a same-day re-run writes nothing.
            conn.update_rows(
                "cases",
                "id",
                ("status", "evaluated_as_of", "evaluated_with", "stable_from", "stable_until"),
                [
                    (status, day, with_, start, until, case_id)
                    for case_id, _, status, with_, start, until in same
                ],
                changed_only=True,
            )
            for row in det_rows:
                if row[6] not in versions_kept:
                    versions_kept.add(row[6])
                    self._keep_ruleset_version(row[5], row[6])
            if det_rows:
                run["ids"].extend((det_rows[0][0], det_rows[-1][0]))
            run["chunk"] = [det_rows[0][0], det_rows[-1][0]] if det_rows else []
            run["digest"] = determinations_digest(det_rows)
            return len(det_rows)

        day = as_of.isoformat()
        # A chunk's results are written in parts of WRITE_PART cases, each in a write
        # transaction of its own: another writer waits for one part at most.
        part_size = max(1, min(chunk, WRITE_PART))

        def write(prepared: dict[str, Any]) -> None:
            with txn(durable=False) as audit:
                starts = run["id"] is None  # this part records the run (store starts it)
                stored = store(prepared)
                # A part of unchanged cases has nothing to vouch for, but the part that
                # records the run names it, so a run stopped after it has its entry.
                if stored or starts:
                    audit.append(
                        "evaluation.batch",
                        f"run {run['id']}: stored {_plural(stored, 'determination')}",
                        after={
                            "run": run["id"],
                            "determination_ids": run["ids"][-2:],
                            # What this part wrote, so audit verify sees any later edit.
                            "chunk": run["chunk"],
                            "digest": run["digest"],
                        },
                    )
            if progress:
                progress(prepared["size"])

        held: list[dict] = []  # evaluated, written while the next chunk is evaluated
        with contextlib.ExitStack() as running:
            # A run of its own writes with a larger page cache (`backend.WRITE_CACHE_KIB`),
            # put back when the run ends; an import's evaluation runs inside the import's,
            # which set it already.
            if outer is None:
                running.enter_context(page_cache(conn, WRITE_CACHE_KIB))
            # The workers stop once every chunk is evaluated, before the last writes.
            evaluating = running.enter_context(contextlib.ExitStack())
            pool = evaluating.enter_context((workers or _Workers)(engine, jobs))
            mapped = (
                outcomes.map(chunks())
                if outcomes is not None
                else pool.map(evaluate_chunk_stable, chunks())
            )
            for _, results in mapped:
                for prepared in held:
                    write(prepared)
                held = []
                for i in range(0, len(results), part_size):
                    held.append(prepare(results[i : i + part_size]))
                    held[-1]["size"] = len(results[i : i + part_size])
            evaluating.close()
            last = held.pop() if held else None
            for prepared in held:
                write(prepared)
            # A current case is not evaluated again: only the date its evaluation is known to
            # answer for moves, set-wide (its clock rows and determination stand). After the
            # evaluation, so a run that could not start (no workers) writes nothing.
            moved = move_current(conn, list(skip), as_of, lambda: txn(durable=False)) if skip else 0
            with txn(durable=True) as audit:
                run["chunk"], run["digest"] = [], determinations_digest([])
                if last is not None:
                    store(last)
                run_id = start_run()
                evaluated = counts["evaluated"]
                conn.execute(
                    "UPDATE evaluation_runs SET finished_at = ?, cases = ?, changes = ? WHERE id = ?",
                    (now(), evaluated, len(changes), run_id),
                )
                audit.append(
                    "evaluation.run",
                    f"run {run_id}: evaluated {_plural(evaluated, 'case')} as of "
                    f"{as_of.isoformat()}; {_plural(len(changes), 'change')}"
                    + (f"; {counts['unchanged']} unchanged" if counts["unchanged"] else "")
                    + (f"; {len(failures)} failed" if failures else ""),
                    case_id=case_ids[0] if case_ids is not None and len(case_ids) == 1 else None,
                    after={
                        "run": run_id,
                        "as_of": as_of.isoformat(),
                        "cases": evaluated,
                        "determination_ids": [min(run["ids"]), max(run["ids"])]
                        if run["ids"]
                        else [],
                        "unchanged": counts["unchanged"],
                        # Current for the date (their interval holds it): not evaluated again;
                        # `moved` of them were evaluated as of another day (currency.py).
                        "skipped": len(skip),
                        "moved": moved,
                        "changes": [attrs.asdict(c) for c in changes[:1000]],
                        "failures": [list(f) for f in failures[:1000]],
                        # The determinations of the last chunk, written with this entry.
                        "chunk": run["chunk"],
                        "digest": run["digest"],
                    },
                )
        if progress and last is not None:
            progress(last["size"])
        return EvaluationReport(
            run_id,
            as_of,
            evaluated,
            tuple(changes),
            tuple(failures),
            counts["first"],
            skipped=len(skip),
            unchanged=counts["unchanged"],
            warnings=tuple(warnings),
        )

    def _evaluate_in(self, audit, **options: Any) -> EvaluationReport:
        """`evaluate` inside the write transaction `audit` belongs to (an import's, an event's)."""
        return self.evaluate(audit=audit, **options)


#: Cases written per write transaction of `evaluate` (a coordinator's write waits for
#: one such part at most while a whole-caseload run goes on).
WRITE_PART = 250


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
