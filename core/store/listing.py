"""What is owed, as of one date: the answer behind `due`, `overdue` and `cases list`.

The due index (`clocks`, written with every determination) answers for cases whose
latest determination is current: made as of the date asked, by this engine, with the
installed version of its ruleset. Every other case in scope (changed, never
evaluated, failed, evaluated on another date or under an older ruleset) is
re-evaluated for the answer, in memory, so no row mixes two dates and nothing
waits for `eirules evaluate`. A case that cannot be evaluated is a row of its own.
Nothing is filtered by status: every status except the finished ones is listed.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Container, Iterator
from datetime import date, timedelta
from typing import Any

import attrs

from ..chunks import Outcome
from ..chunks import evaluate_chunk as _evaluate_chunk
from .base import CHUNK, StoreBase
from .currency import STALE_STATUSES as _STALE_STATUSES
from .currency import answering as _answering
from .currency import holds_sql
from .workers import _Workers

#: The fields of every row of an answer, in order (the JSON and CSV columns).
ROW_FIELDS = (
    "kind",
    "due",
    "days_left",
    "case_id",
    "child",
    "program",
    "clock",
    "label",
    "subject",
    "status",
    "caseworker",
    "citation",
    "reason",
    "fix",
    "evaluated_as_of",
    "closed_on",
)

#: Kinds of row: a clock, a referral to make, a case that could not be evaluated.
ROW_KINDS = ("clock", "referral", "evaluation_failed")


@attrs.frozen
class DueAnswer:
    """Every owed item in scope as of one date, with the cases that could not be evaluated."""

    as_of: date
    rows: tuple[dict[str, Any], ...]
    #: Cases re-evaluated for this answer (not current in the due index).
    refreshed: int
    #: Case ids whose evaluation failed (each is also a row of kind evaluation_failed).
    failed: tuple[str, ...]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@attrs.frozen
class DueStream:
    """`DueAnswer` read as it goes: `rows` yields each owed item, most urgent first, once.

    Everything but the rows is known before the first row: the cases that had to
    be re-evaluated were evaluated first, so `failed` (and the exit status it
    decides) is right even when the reader stops early.
    """

    as_of: date
    rows: Iterator[dict[str, Any]] = attrs.field(eq=False, repr=False)
    refreshed: int
    failed: tuple[str, ...]

    def __iter__(self):
        return self.rows


@attrs.frozen
class _Scope:
    case_id: str
    child: str | None
    caseworker: str | None
    ruleset: str | None
    status: str


class ListingMixin(StoreBase):
    """`due`, `overdue` and `cases list`: always as of the date asked, never hiding a case."""

    def due(
        self,
        *,
        as_of: date,
        within_days: int | None = None,
        caseworker: str | None = None,
        overdue_only: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> DueAnswer:
        """Every owed clock and referral in scope as of `as_of`, most urgent first.

        `within_days` keeps items due within that many days (overdue ones, undated
        ones and failed cases always stay); `overdue_only` keeps items past due
        and those whose status is neither on time nor met (failed cases, clocks
        that cannot be computed). `progress(done, total)` is told about cases
        re-evaluated for the answer. `due_stream` gives the same rows one by one.
        """
        stream = self.due_stream(
            as_of=as_of,
            within_days=within_days,
            caseworker=caseworker,
            overdue_only=overdue_only,
            progress=progress,
        )
        return DueAnswer(as_of, tuple(stream.rows), stream.refreshed, stream.failed)

    def due_stream(
        self,
        *,
        as_of: date,
        within_days: int | None = None,
        caseworker: str | None = None,
        overdue_only: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> DueStream:
        """`due`'s rows as they are read from the due index, in the same order.

        The index gives its rows sorted by urgency (in SQL) and they are passed
        on as they arrive; the rows of re-evaluated and failed cases (held in
        memory: few after `eirules evaluate`) are merged in at their place. So
        memory does not grow with the caseload and the first row comes before
        the last is read.
        """
        caseworker, current, stale, fresh, failed = self._answerable(as_of, caseworker, progress)
        horizon = as_of + timedelta(days=within_days) if within_days is not None else None
        extra = self._extra_rows(as_of, stale, fresh, failed, horizon, overdue_only)
        indexed = self._indexed_rows(as_of, caseworker, current, horizon, overdue_only, stale)
        rows = heapq.merge(extra, indexed, key=_urgency) if extra else indexed
        return DueStream(as_of, rows, len(stale), tuple(sorted(failed)))

    def _extra_rows(
        self,
        as_of: date,
        stale: dict[str, _Scope],
        fresh: dict[str, Outcome],
        failed: dict[str, str],
        horizon: date | None,
        overdue_only: bool,
    ) -> list[dict[str, Any]]:
        """The rows of the cases re-evaluated for the answer and of those that failed,
        as `_wanted` keeps them, most urgent first (held in memory: few)."""
        extra = []
        for case_id, result in fresh.items():
            who = stale[case_id]
            extra.extend(
                _row(item, case_id, who.child, who.caseworker, as_of)
                for item in result.items
                if item[9]
            )
        for case_id, message in failed.items():
            extra.append(self._failed_row(stale[case_id], message, as_of))
        extra = [r for r in extra if _wanted(r, as_of, horizon, overdue_only)]
        extra.sort(key=_urgency)
        return extra

    def current_cases(
        self,
        *,
        as_of: date,
        caseworker: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """Each case's status and programs as of `as_of`, by case id, and the failures.

        Current cases come from the stored status; the rest are re-evaluated (in
        memory) as `due` does.
        """
        _, _, _, fresh, failed = self._answerable(as_of, caseworker, progress)
        out: dict[str, dict[str, Any]] = {}
        for case_id, result in fresh.items():
            out[case_id] = {
                "status": result.status,
                "programs": ",".join(result.programs),
            }
        for case_id in failed:
            out[case_id] = {"status": "evaluation_failed", "programs": None}
        return out, failed

    # The parts ------------------------------------------------------------------------

    def _answerable(self, as_of: date, caseworker: str | None, progress):
        """What every listing starts from, worked out once: the stored spelling of the
        caseworker, the SQL condition of the cases the due index answers for, the other
        cases in scope (by id), and those re-evaluated in memory with their failures."""
        caseworker = self._known_caseworker(caseworker)
        current = self._current_sql(as_of, caseworker)
        stale = {s.case_id: s for s in self._scope(as_of, caseworker, current)}
        fresh, failed = self._refresh(stale, as_of, progress)
        return caseworker, current, stale, fresh, failed

    def _known_caseworker(self, caseworker: str | None) -> str | None:
        """The stored spelling of a --caseworker filter; a typo is an error, never no work."""
        if not caseworker:
            return None
        name = " ".join(caseworker.split())
        row = self.conn.execute(  # the stored spelling (as caseworker_name), in one query
            "SELECT name FROM caseworkers WHERE lower(name) = lower(?) ORDER BY added_at, name "
            "LIMIT 1",
            (name,),
        ).fetchone()
        if row is None:
            self.require_caseworker(name)  # raises, with a did-you-mean
        self.require_caseworker_in_scope(row[0])  # type: ignore[attr-defined]
        return row[0]

    def _worker(self, caseworker: str | None) -> str | None:
        """The caseworker whose assignments a listing starts from: the one asked for, or a
        coordinator's own; None for the whole caseload (or a supervisor's district)."""
        person = self.person  # type: ignore[attr-defined]
        if caseworker is None and person.role == "coordinator":
            return person.caseworker or person.login
        return caseworker

    def _in_scope(self, caseworker: str | None, clocks: bool = False):
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
            where += ["a.caseworker = ?", "a.ended_at IS NULL", "c.id = a.case_id"]
            args.append(worker)
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
        where.append("ch.case_id = c.id")
        scope, scope_args = self.scope_sql("c.id")  # type: ignore[attr-defined]
        if scope:  # a coordinator sees their own caseload, a supervisor their district
            where.append(scope)
            args.extend(scope_args)
        return tables, where, args

    def _current_sql(
        self, as_of: date, caseworker: str | None
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

    def _evaluations(self, caseworker: str | None) -> list[str]:
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

    def _scope(self, as_of: date, caseworker: str | None, current) -> list[_Scope]:
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

    def _indexed_rows(
        self,
        as_of: date,
        caseworker: str | None,
        current,
        horizon: date | None = None,
        overdue_only: bool = False,
        stale: Container[str] = (),
    ) -> Iterator[dict[str, Any]]:
        """Owed items of the due index, of the cases it can answer for, most urgent first
        (`_urgency`'s order, in SQL), streamed: the rows `_wanted` keeps, chosen in SQL.

        The whole caseload's (or a district's) rows are read from clocks_due_order alone
        (revision 0014: it holds every column listed) and those of the cases in `stale`
        (every case in scope the index cannot answer for, `_scope`) are left out here, not
        by joining each row to its case. A case that changes after `_scope` was read is
        listed from its stored rows (as the next evaluation's writes find it), never left
        out of both.
        """
        if not current[2]:  # no stored evaluation answers: every case was re-evaluated
            return
        fields = ROW_FIELDS
        for sql, params in self._indexed_sql(caseworker, current, as_of, horizon, overdue_only):
            if stale:
                for row in self.conn.stream(sql, params):
                    if row[3] not in stale:
                        yield dict(zip(fields, row, strict=True))
            else:
                for row in self.conn.stream(sql, params):
                    yield dict(zip(fields, row, strict=True))

    def _indexed_sql(
        self,
        caseworker: str | None,
        current,
        as_of: date | None = None,
        horizon: date | None = None,
        overdue_only: bool = False,
        select: str | None = None,
    ) -> list[tuple[str, list[Any]]]:
        """The due index's queries and their parameters, read one after the other (tests
        read their plans): each row is one of ROW_FIELDS in order, days_left counted in SQL
        (or `select`, columns of `k` taking the same two parameters: the as-of date for
        days_left, then for evaluated_as_of).

        `_wanted`'s filters are conditions here, exactly: --within keeps rows due by the
        horizon (or before `as_of`) and undated ones, `overdue` rows due before `as_of`
        and undated ones not on time. A filtered listing reads two ranges of the
        clocks_due_order index (dated rows up to the bound, then the undated pending
        ones, which sort last), so it reads the rows it lists, not every open row.
        """
        as_of = as_of or date.today()
        day = as_of.isoformat()
        if self._worker(caseworker) is None:
            # One table, in index order: the case's currency is `stale` (`_indexed_rows`),
            # the child and caseworker are on the clock rows (revision 0014).
            tables, where, args = "clocks k", [], []
            scope, scope_args = self.scope_sql("k.case_id")  # type: ignore[attr-defined]
            if scope:  # a supervisor's district
                where.append(scope)
                args.extend(scope_args)
            currency, currency_args = [], []
        else:
            tables, where, args = self._in_scope(caseworker, clocks=True)
            currency, currency_args = [current[0]], current[1]
        days_left = self._days_left_sql()
        select = select or (
            f"k.kind, k.due, {days_left}, k.case_id, k.child, k.program, k.clock, "
            "k.label, k.subject, k.status, k.caseworker, k.citation, k.reason, NULL, ?, "
            "k.closed_on"
        )
        sql = f"SELECT {select} FROM {tables} WHERE " + " AND ".join(
            [*where, *currency, "k.is_open = 1"]
        )
        params = [day, day, *args, *currency_args]
        order = " ORDER BY " + self._urgency_sql()
        if horizon is None and not overdue_only:
            return [(sql + order, params)]
        on_time = ",".join("?" * len(ON_TIME))
        if self._worker(caseworker) is not None:
            # A caseworker's rows are read by case (clocks_case_open) and sorted: a range of
            # clocks_due_order here would be read again for each of their cases.
            if overdue_only:
                cond = f" AND (k.due < ? OR (k.due IS NULL AND k.status NOT IN ({on_time})))"
                return [(sql + cond + order, [*params, day, *ON_TIME])]
            assert horizon is not None
            cond = " AND (k.due IS NULL OR k.due < ? OR k.due <= ?)"
            return [(sql + cond + order, [*params, day, horizon.isoformat()])]
        undated, dated, *rest = self._urgency_keys()
        # Within one arm the first key is fixed: SQLite sorts unless the ORDER BY leaves it out.
        order = " ORDER BY " + ", ".join([dated, *rest])
        if overdue_only:
            first = (
                f" AND {undated} = 0 AND {dated} < ? "
                f"AND (k.due IS NOT NULL OR k.status NOT IN ({on_time}))",
                [day, *ON_TIME],
            )
            last = (f" AND {undated} = 1 AND k.status NOT IN ({on_time})", list(ON_TIME))
        else:
            assert horizon is not None
            bound = f" AND {undated} = 0 AND {dated} " + ("<= ?" if horizon >= as_of else "< ?")
            first = (bound, [horizon.isoformat() if horizon >= as_of else day])
            last = (f" AND {undated} = 1", [])
        return [(sql + cond + order, [*params, *cond_args]) for cond, cond_args in (first, last)]

    def _days_left_sql(self) -> str:
        """Days from the as-of date (its one parameter) to clock row `k`'s due date, or NULL."""
        if self.conn.postgres:
            return "(k.due::date - ?::date)"
        return "CAST(julianday(k.due) - julianday(?) AS INTEGER)"

    def _urgency_keys(self) -> tuple[str, ...]:
        """The ORDER BY's expressions, one by one (`_urgency_sql`)."""
        text = self.conn.order_text
        return (
            "CASE WHEN k.due IS NULL AND k.status IN ('pending', 'needs_information') "
            "THEN 1 ELSE 0 END",
            text("coalesce(k.due, '')"),
            text("k.case_id"),
            text("k.kind"),
            text("coalesce(k.clock, '')"),
            text("coalesce(k.subject, '')"),
        )

    def _urgency_sql(self) -> str:
        """`_urgency` as an ORDER BY of the due index (rows of kind evaluation_failed are not in it).

        The same expressions, in the same order, as the clocks_due_order index
        (revision 0008_due_order_index): change one, change the other.
        """
        return ", ".join(self._urgency_keys())

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

    def failure(self, case_id: str, ruleset: str | None, message: str) -> tuple[str, str]:
        """What a failed evaluation is and its fix, in words: the same on every listing."""
        engine = self._need_engine()
        ruleset = ruleset or "us"
        if ruleset not in set(engine.rulesets.ids()):
            what = f"evaluation failed: ruleset {ruleset} is not installed"
            fix = (
                f"install ruleset {ruleset} or give its folder with --rulesets-dir "
                f"(or $EIRULES_RULESETS_DIR), or set the case's ruleset to one listed by "
                f"`eirules rulesets list`; then run: eirules evaluate --case {case_id}"
            )
        else:
            what = "evaluation failed: " + message.splitlines()[0]
            fix = f"fix what the reason says, then run: eirules evaluate --case {case_id}"
        return what, fix

    def _failed_row(self, who: _Scope, message: str, as_of: date) -> dict[str, Any]:
        what, fix = self.failure(who.case_id, who.ruleset, message)
        return {
            "kind": "evaluation_failed",
            "due": None,
            "days_left": None,
            "case_id": who.case_id,
            "child": who.child,
            "program": None,
            "clock": None,
            "label": what,
            "subject": None,
            "status": "evaluation_failed",
            "caseworker": who.caseworker,
            "citation": None,
            "reason": message,
            "fix": fix,
            "evaluated_as_of": None,
            "closed_on": None,
        }


def _days(due: str | None, as_of: date) -> int | None:
    return (date.fromisoformat(due) - as_of).days if due else None


def _row(item: tuple, case_id: str, child, caseworker, as_of: date) -> dict[str, Any]:
    kind, clock, program, label, subject, _start, _opens, due, status = item[:9]
    return {
        "kind": kind,
        "due": due,
        "days_left": _days(due, as_of),
        "case_id": case_id,
        "child": child,
        "program": program,
        "clock": clock,
        "label": label,
        "subject": subject,
        "status": status,
        "caseworker": caseworker,
        "citation": item[13],
        "reason": item[12],
        "fix": None,
        "evaluated_as_of": as_of.isoformat(),
        "closed_on": item[14],
    }


#: The statuses of an item within its time (not late, not unknown).
ON_TIME = ("due_soon", "pending", "to_make", "late_excused")


def _on_time(row: dict[str, Any]) -> bool:
    """An item whose status says it is within its time (not late, not unknown)."""
    return row["status"] in ON_TIME


def _wanted(row: dict[str, Any], as_of: date, horizon: date | None, overdue_only: bool) -> bool:
    days = row["days_left"]
    if overdue_only:
        if days is not None:
            return days < 0
        return row["status"] == "overdue" or not _on_time(row)
    if horizon is None or days is None:
        return True
    return days < 0 or date.fromisoformat(row["due"]) <= horizon


def _urgency(row: dict[str, Any]) -> tuple:
    """Failed cases first (their work is unknown), then items owed now without a date (as
    soon as possible), then by due date; undated pending and cannot-compute items last."""
    failed = row["kind"] == "evaluation_failed"
    return (
        not failed,
        row["due"] is None and row["status"] in ("pending", "needs_information"),
        row["due"] or "",
        row["case_id"],
        row["kind"],
        row["clock"] or "",
        row["subject"] or "",
    )
