"""Which cases a listing covers, and which of them the due index answers for.

`_answerable` is what every listing (`due`, `overdue`, `cases list`) starts from:
the stored names of the caseworker asked for (`resolve_caseworker`), the SQL
condition of the cases whose stored rows are current for the date asked
(core/store/currency.py, the one definition), the other cases in scope, and those
re-evaluated in memory (`_refresh`) with their failures. core/store/listing.py lists their rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from ..chunks import Outcome
from ..chunks import evaluate_chunk as _evaluate_chunk
from ..errors import InputError, Problem, show_value
from .base import CHUNK, StoreBase
from .currency import STALE_STATUSES as _STALE_STATUSES
from .currency import answering as _answering
from .currency import holds_sql
from .workers import _Workers


class Unassigned:
    """The caseworker of a listing of the cases no caseworker holds (`--unassigned`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNASSIGNED"


#: `caseworker=UNASSIGNED`: only the cases with no current assignment (a case imported
#: from JSON has none), which no caseworker's listing shows.
UNASSIGNED = Unassigned()

#: A listing's caseworker: a stored name, the stored names of one caseworker
#: (`_known_caseworker`), UNASSIGNED, or None (the whole caseload, or a coordinator's own).
Worker = str | tuple[str, ...] | Unassigned | None


def listing_caseworker(caseworker: str | None, unassigned: bool) -> str | Unassigned | None:
    """The caseworker a listing is asked for (CLI `--caseworker`/`--unassigned`, HTTP
    `caseworker`/`unassigned`): UNASSIGNED for the cases no caseworker holds; both at
    once is refused (one caseworker's cases are never unassigned ones)."""
    if not unassigned:
        return caseworker
    if caseworker is not None:
        raise InputError(
            "--unassigned and --caseworker ask for different cases",
            [
                Problem(
                    "--unassigned",
                    "lists the cases no caseworker holds, and --caseworker "
                    f"{show_value(caseworker)} one caseworker's",
                    "give one of them: --unassigned, or --caseworker NAME",
                )
            ],
        )
    return UNASSIGNED


def unassigned_sql(caseworker: object, column: str) -> list[str]:
    """The condition (a list of none or one) every listing adds for UNASSIGNED: `column`,
    the current caseworker (of an assignment LEFT JOINed with `ended_at IS NULL`, or of a
    clock row, core/store/lines.py), is NULL. The one way `due`, `overdue` and `cases
    list` (CLI and HTTP) leave out the cases someone holds."""
    return [f"{column} IS NULL"] if caseworker is UNASSIGNED else []


@attrs.frozen
class _Scope:
    case_id: str
    child: str | None
    caseworker: str | None
    ruleset: str | None
    status: str


class ScopeMixin(StoreBase):
    """The cases in scope of a listing, and the re-evaluation of those not current."""

    def _answerable(self, as_of: date, caseworker: str | Unassigned | None, progress):
        """What every listing starts from, worked out once: the stored names of the
        caseworker, the SQL condition of the cases the due index answers for, the other
        cases in scope (by id), and those re-evaluated in memory with their failures."""
        names = self._known_caseworker(caseworker)
        current = self._current_sql(as_of, names)
        stale = {s.case_id: s for s in self._scope(as_of, names, current)}
        fresh, failed = self._refresh(stale, as_of, progress)
        return names, current, stale, fresh, failed

    def _known_caseworker(self, caseworker: str | Unassigned | None) -> Worker:
        """The stored names of a --caseworker filter (`resolve_caseworker`: by identity key,
        the same on both backends); a typo is an error, never no work. UNASSIGNED as is."""
        if caseworker is UNASSIGNED:
            return UNASSIGNED
        if not caseworker:
            return None
        names = self.resolve_caseworker(caseworker)  # type: ignore[attr-defined]
        self.require_caseworker_in_scope(names)  # type: ignore[attr-defined]
        return names

    def _worker(self, caseworker: Worker) -> tuple[str, ...] | None:
        """The stored names of the caseworker whose assignments a listing starts from: the
        one asked for (a stored name, or all of one caseworker's), or a coordinator's own;
        None for the whole caseload (or a supervisor's district), and for UNASSIGNED (the
        whole caseload's side, narrowed by `unassigned_sql`)."""
        if caseworker is UNASSIGNED:
            return None
        assert not isinstance(caseworker, Unassigned)
        if caseworker is None:
            if self.person.role == "coordinator":  # type: ignore[attr-defined]
                return self.own_caseworkers()  # type: ignore[attr-defined]
            return None
        return (caseworker,) if isinstance(caseworker, str) else caseworker

    def _in_scope(self, caseworker: Worker, clocks: bool = False):
        """FROM and WHERE of a listing: cases c, child ch, current assignment a (clocks k).

        One caseworker's listing (asked for, or a coordinator's own caseload) starts
        from that caseworker's assignments, in that order (CROSS JOIN fixes SQLite's
        join order; PostgreSQL plans it as an inner join): a few dozen cases, by index,
        whatever the caseload's size.
        """
        worker = self._worker(caseworker)
        where: list[str] = []
        args: list[Any] = []
        if worker is not None:
            tables = "assignments a CROSS JOIN cases c CROSS JOIN children ch"
            named = "= ?" if len(worker) == 1 else f"IN ({','.join('?' * len(worker))})"
            where += [f"a.caseworker {named}", "a.ended_at IS NULL", "c.id = a.case_id"]
            args.extend(worker)
            if clocks:
                # By case: SQLite would otherwise take the covering clocks_due_order
                # (revision 0014) and read every open row once per case.
                by_case = "" if self.conn.postgres else " INDEXED BY clocks_case_open"
                tables += f" CROSS JOIN clocks k{by_case}"
                where.append("k.case_id = c.id")
        else:
            # The whole caseload's clock rows are read from clocks_due_order alone
            # (`_indexed_sql`); this is the cases' side, for `_scope`.
            assert not clocks, "the whole caseload's clock rows are read without a join"
            tables = (
                "cases c LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL "
                "CROSS JOIN children ch"
            )
            where += unassigned_sql(caseworker, "a.caseworker")
        where.append("ch.case_id = c.id")
        scope, scope_args = self.scope_sql("c.id")  # type: ignore[attr-defined]
        if scope:  # a coordinator sees their own caseload, a supervisor their district
            where.append(scope)
            args.extend(scope_args)
        return tables, where, args

    def _current_sql(
        self, as_of: date, caseworker: Worker
    ) -> tuple[str, list[Any], list[str], list[str]]:
        """A condition on `c` true for the cases whose clock rows the due index may answer with,
        its parameters, the `evaluated_with` values that answer and every one in scope
        (`_evaluations`).

        Current means what it means for `evaluate --all` (core/store/currency.py, the
        one definition): nothing changed or failed since the latest evaluation, made by
        this engine with the installed version of its ruleset on today's calendars
        (`currency.answering`), as of `as_of` or with `as_of` inside its stability
        interval (`currency.holds_sql`). Compared in SQL row by row, never by reading
        every case first.
        """
        engine = self._need_engine()
        withs = self._evaluations(caseworker)
        answering = _answering(engine, withs)
        if not answering:
            return "1 = 0", [], [], withs
        marks = ",".join("?" * len(_STALE_STATUSES))
        holds, holds_args = holds_sql(as_of)
        return (
            f"c.status NOT IN ({marks}) AND {holds} "
            f"AND c.evaluated_with IN ({','.join('?' * len(answering))})",
            [*_STALE_STATUSES, *holds_args, *answering],
            answering,
            withs,
        )

    def _evaluations(self, caseworker: Worker) -> list[str]:
        """Every distinct `cases.evaluated_with` in scope (or, for the whole caseload or a
        district, in the file: a value from a case the listing leaves out only lengthens
        the IN list; it makes no row current).

        One caseworker's cases are read by their assignments; the whole caseload's values
        come from the cases_evaluation index (revision 0011), one probe per distinct value
        (a few: one per engine, ruleset version and calendars state), whatever its size.
        """
        if self._worker(caseworker) is not None:
            tables, where, args = self._in_scope(caseworker)
            sql = f"SELECT DISTINCT c.evaluated_with FROM {tables} WHERE " + " AND ".join(where)
            return [w for (w,) in self.conn.execute(sql, args) if w is not None]
        sql = (
            "WITH RECURSIVE w(v) AS (SELECT min(evaluated_with) FROM cases UNION ALL "
            "SELECT (SELECT min(c.evaluated_with) FROM cases c WHERE c.evaluated_with > w.v) "
            "FROM w WHERE w.v IS NOT NULL) SELECT v FROM w WHERE v IS NOT NULL"
        )
        return [w for (w,) in self.conn.execute(sql)]

    def _scope(self, as_of: date, caseworker: Worker, current) -> list[_Scope]:
        """The cases in scope the due index cannot answer for (to re-evaluate in memory):
        exactly those `current` is not true for, a NULL counted as not current.

        For the whole caseload (or a district) each way of not being current is a query
        of its own on an index (a stale status on cases_status; another evaluation, no
        evaluation or another as-of date on cases_evaluation), so the cost is that of
        the cases found, not of the caseload: after the nightly run, a few.
        """
        tables, where, args = self._in_scope(caseworker)
        day, answering = as_of.isoformat(), current[2]
        stale = ",".join("?" * len(_STALE_STATUSES))
        holds, holds_args = holds_sql(as_of)
        fails = f"CASE WHEN {holds} THEN 0 ELSE 1 END = 1"  # a NULL date does not hold
        if self._worker(caseworker) is not None:  # a few dozen cases: one condition
            others = f" OR c.evaluated_with NOT IN ({','.join('?' * len(answering))})"
            arms = [
                (
                    f"(c.status IN ({stale}) OR c.evaluated_with IS NULL OR {fails}"
                    + (others if answering else " OR 1 = 1")
                    + ")",
                    [*_STALE_STATUSES, *holds_args, *answering],
                )
            ]
        else:
            arms = [
                (f"c.status IN ({stale})", list(_STALE_STATUSES)),
                ("c.evaluated_with IS NULL", []),
            ]
            for with_ in current[3]:
                if with_ not in answering:
                    arms.append(("c.evaluated_with = ?", [with_]))
                    continue
                # Evaluated as of another date (after the nightly run: the few it did not
                # reach), unless that evaluation's stability interval holds `as_of`.
                arms += [
                    (f"c.evaluated_with = ? AND c.evaluated_as_of IS NULL AND {fails}",
                     [with_, *holds_args]),
                    (f"c.evaluated_with = ? AND c.evaluated_as_of < ? AND {fails}",
                     [with_, day, *holds_args]),
                    (f"c.evaluated_with = ? AND c.evaluated_as_of > ? AND {fails}",
                     [with_, day, *holds_args]),
                ]  # fmt: skip
        select = f"SELECT c.id, ch.name, a.caseworker, c.ruleset, c.status FROM {tables} WHERE "
        sql = " UNION ".join(select + " AND ".join([*where, cond]) for cond, _ in arms)
        params = [p for cond, cond_args in arms for p in (*args, *cond_args)]
        return [_Scope(*row) for row in self.conn.execute(sql, params)]

    def _refresh(
        self,
        stale: dict[str, _Scope],
        as_of: date,
        progress: Callable[[int, int], None] | None,
    ) -> tuple[dict[str, Outcome], dict[str, str]]:
        """Evaluate the stale cases as of `as_of` without storing: results and failures."""
        if not stale:
            return {}, {}
        engine = self._need_engine()
        ids = sorted(stale)
        fresh: dict[str, Outcome] = {}
        failed: dict[str, str] = {}

        def chunks():
            for i in range(0, len(ids), CHUNK):
                part = ids[i : i + CHUNK]
                marks = ",".join("?" * len(part))
                rows = self.conn.execute(
                    "SELECT c.id, d.document FROM cases c JOIN case_documents d "
                    f"ON d.hash = c.document_hash WHERE c.id IN ({marks})",
                    part,
                ).fetchall()
                yield as_of, rows

        done = 0
        jobs = self.jobs if len(ids) > CHUNK else 1
        with _Workers(engine, jobs) as workers:
            for _, results in workers.map(_evaluate_chunk, chunks()):
                for case_id, error, result in results:
                    if error is not None:
                        failed[case_id] = error
                    else:
                        fresh[case_id] = result
                done += len(results)
                if progress:
                    progress(done, len(ids))
        return fresh, failed
