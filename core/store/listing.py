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
from typing import Any, NamedTuple

import attrs

from ..chunks import Outcome
from .listing_rows import ON_TIME, ROW_FIELDS, _row, _urgency, _wanted
from .listing_scope import ScopeMixin, Unassigned, Worker, _Scope, unassigned_sql


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


class _DueParts(NamedTuple):
    """What `due_stream` and `due_lines` share (`ListingMixin._due_parts`)."""

    #: The arguments of the due index's query: `_indexed_rows`' (and `_indexed_lines`').
    query: tuple
    #: The rows of the re-evaluated and failed cases, as `_wanted` keeps them, most urgent first.
    extra: list[dict[str, Any]]
    #: Cases re-evaluated for the answer, and the ids of those whose evaluation failed.
    refreshed: int
    failed: tuple[str, ...]


class ListingMixin(ScopeMixin):
    """`due`, `overdue` and `cases list`: always as of the date asked, never hiding a case."""

    def due(
        self,
        *,
        as_of: date,
        within_days: int | None = None,
        caseworker: str | Unassigned | None = None,
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
        caseworker: str | Unassigned | None = None,
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
        parts = self._due_parts(as_of, within_days, caseworker, overdue_only, progress)
        indexed = self._indexed_rows(*parts.query)
        rows = heapq.merge(parts.extra, indexed, key=_urgency) if parts.extra else indexed
        return DueStream(as_of, rows, parts.refreshed, parts.failed)

    def _due_parts(
        self,
        as_of: date,
        within_days: int | None,
        caseworker: str | Unassigned | None,
        overdue_only: bool,
        progress: Callable[[int, int], None] | None,
    ) -> _DueParts:
        """What `due_stream` and `due_lines` start from, worked out once: the due index's
        query arguments, the rows made in memory, and what the answer says of its cases."""
        caseworker, current, stale, fresh, failed = self._answerable(as_of, caseworker, progress)
        horizon = as_of + timedelta(days=within_days) if within_days is not None else None
        extra = self._extra_rows(as_of, stale, fresh, failed, horizon, overdue_only)
        query = (as_of, caseworker, current, horizon, overdue_only, stale)
        return _DueParts(query, extra, len(stale), tuple(sorted(failed)))

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
        caseworker: str | Unassigned | None = None,
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

    def _indexed_rows(
        self,
        as_of: date,
        caseworker: Worker,
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
        caseworker: Worker,
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
            tables, where, args = "clocks k", unassigned_sql(caseworker, "k.caseworker"), []
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
        """Days from the as-of date (its one parameter) to clock row `k`'s due date, or NULL:
        `decisions.days_left`, so a closed clock (listed: closed unmet after its due date)
        counts to the day it closed, not to the as-of date. Only columns the clocks_due_order
        index holds (revision 0014), so the statewide text is still read from it alone."""
        end = "coalesce(k.closed_on, ?)"
        if self.conn.postgres:
            return f"(k.due::date - {end}::date)"
        return f"CAST(julianday(k.due) - julianday({end}) AS INTEGER)"

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
