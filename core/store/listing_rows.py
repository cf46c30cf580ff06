"""The rows of a listing: their fields, their order of urgency and the filters on them.

Plain data, no SQL: the due index's queries (core/store/listing.py) choose and
order rows in SQL exactly as `_wanted` and `_urgency` do here for the rows made in
memory, so the two merge into one answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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


def _days(due: str | None, as_of: date, closed_on: str | None) -> int | None:
    """`decisions.days_left` of a row's ISO dates (a closed clock stops at closed_on)."""
    if not due:
        return None
    end = date.fromisoformat(closed_on) if closed_on else as_of
    return (date.fromisoformat(due) - end).days


def _row(item: tuple, case_id: str, child, caseworker, as_of: date) -> dict[str, Any]:
    kind, clock, program, label, subject, _start, _opens, due, status = item[:9]
    return {
        "kind": kind,
        "due": due,
        "days_left": _days(due, as_of, item[14]),
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
