"""`due` as JSON Lines read from the due index: each row's text as stored (issue 15).

`due_lines` is `due_stream` with every row given as the text `json.dumps(row)` makes
of it, the text `due --format jsonl` writes. A stored row's text is read whole from
the index (core/store/lines.py: the clock row keeps it, around the two values that
depend on the as-of date, which the query puts in), so no dict is made and no JSON is
encoded per row. The rows of re-evaluated and failed cases (in memory, few) are made
as `due_stream` makes them and encoded, then merged in at their place.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Container, Iterator
from datetime import date
from operator import itemgetter

import attrs

from .lines import line_sql
from .listing import ListingMixin
from .listing_rows import _urgency
from .listing_scope import Unassigned, Worker


@attrs.frozen
class DueLines:
    """`DueStream` with each row as its JSON text: `lines` yields (case_id, text) pairs,
    most urgent first, the text `json.dumps(row)` of the row `due_stream` gives."""

    as_of: date
    lines: Iterator[tuple[str, str]] = attrs.field(eq=False, repr=False)
    refreshed: int
    failed: tuple[str, ...]

    def __iter__(self):
        return self.lines


#: A row being merged: (case_id, text, then `_urgency`'s keys but the case id).
_MERGE_KEY = itemgetter(2, 3, 4, 0, 5, 6, 7)


class LinesListingMixin(ListingMixin):
    """`due` and `overdue` as JSON Lines, without a dict per row."""

    def due_lines(
        self,
        *,
        as_of: date,
        within_days: int | None = None,
        caseworker: str | Unassigned | None = None,
        overdue_only: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> DueLines:
        """`due_stream`'s rows, in its order, each as the text `json.dumps(row)` gives."""
        parts = self._due_parts(as_of, within_days, caseworker, overdue_only, progress)
        if not parts.extra:
            return DueLines(as_of, self._indexed_lines(*parts.query), parts.refreshed, parts.failed)
        # The urgency keys of every indexed row too (a few columns more), for the merge.
        dumps = json.dumps
        first = [(r["case_id"], dumps(r), *_urgency(r)[:3], *_urgency(r)[4:]) for r in parts.extra]
        merged = heapq.merge(first, self._indexed_lines(*parts.query, keyed=True), key=_MERGE_KEY)
        lines = ((row[0], row[1]) for row in merged)
        return DueLines(as_of, lines, parts.refreshed, parts.failed)

    def _indexed_lines(
        self,
        as_of: date,
        caseworker: Worker,
        current,
        horizon: date | None,
        overdue_only: bool,
        stale: Container[str],
        keyed: bool = False,
    ) -> Iterator[tuple]:
        """`_indexed_rows` as (case_id, text) rows, with `_MERGE_KEY`'s keys after when
        `keyed`: the same queries (`_indexed_sql`), reading the rows' text."""
        if not current[2]:  # no stored evaluation answers: every case was re-evaluated
            return
        select = self._lines_select(keyed)
        queries = self._indexed_sql(caseworker, current, as_of, horizon, overdue_only, select)
        for sql, params in queries:
            if stale:
                for row in self.conn.stream(sql, params):
                    if row[0] not in stale:
                        yield row
            else:
                yield from self.conn.stream(sql, params)

    def _lines_select(self, keyed: bool = False) -> str:
        """The columns of `_indexed_lines`' rows (tests read the plan of its queries)."""
        select = "k.case_id, " + line_sql(self._days_left_sql(), self.conn.postgres)
        if keyed:
            undated, dated, _, kind, clock, subject = self._urgency_keys()
            select += f", 1, {undated}, {dated}, {kind}, {clock}, {subject}"
        return select
