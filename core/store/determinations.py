"""Determinations and clock rows: stored results and the `due` index.

Every determination keeps its inputs (the case file version), the ruleset
version and engine that decided, and its as-of date; the clocks of each case's
latest determination are kept one row each in `clocks` for `eirules due`.
The runs that write them (`evaluate`) are core/store/evaluation_runs.py.
"""

from __future__ import annotations

import json
import operator
from typing import Any

import attrs

from .. import jsontext
from ..chunks import Outcome, case_status, due_items, warnings_of
from ..chunks import result_digest as result_digest
from ..chunks import result_programs as result_programs
from ..chunks import stored_case as stored_case
from ..errors import InputError, Problem
from .base import StoreBase, sha256


@attrs.frozen
class Change:
    """Something that changed for a case between its previous and new determination."""

    case_id: str
    kind: str  # new_overdue | eligibility_changed
    what: str
    before: str | None = None
    after: str | None = None


class DeterminationsMixin(StoreBase):
    """Reading what was decided, and what changed since a case's latest determination."""

    def determination(self, case_id: str, number: int | None = None) -> dict[str, Any]:
        """A stored determination (the latest when number is None) with its metadata."""
        self.require_case(case_id)
        if number is None:
            row = self.conn.execute(
                "SELECT max(number) FROM determinations WHERE case_id = ?", (case_id,)
            ).fetchone()
            number = row[0]
            if number is None:
                raise InputError(
                    f'case "{case_id}" has no determination yet',
                    [Problem("", "not evaluated", "run: eirules evaluate --all")],
                )
        rows = list(
            self.conn.query(
                "SELECT d.*, doc.document FROM determinations d "
                "JOIN case_documents doc ON doc.hash = d.inputs_hash "
                "WHERE d.case_id = ? AND d.number = ?",
                [case_id, number],
            )
        )
        if not rows:
            kept = [
                r[0]
                for r in self.conn.execute(
                    "SELECT number FROM determinations WHERE case_id = ? ORDER BY number",
                    (case_id,),
                )
            ]
            if kept == list(range(1, len(kept) + 1)):
                what = f"the case has {len(kept)} (numbered 1 to {len(kept)})"
            else:  # history was pruned (`eirules db prune`)
                shown = ", ".join(map(str, kept[:10])) + (", ..." if len(kept) > 10 else "")
                what = f"the case keeps {len(kept)} (numbers {shown}; older ones were pruned)"
            raise InputError(
                f'case "{case_id}" has no determination {number}',
                [Problem("--determination", what)],
            )
        return rows[0]

    def _changes_since(self, changed: list[tuple[str, int, Outcome]]) -> dict[str, list[Change]]:
        """What changed for each case from its latest stored determination to its new one."""
        out: dict[str, list[Change]] = {}
        before = dict(
            self.conn.select_for(
                "SELECT id, result FROM determinations WHERE id IN ({ids})",
                [previous for _, previous, _ in changed],
            )
        )
        for case_id, previous, result in changed:
            if previous in before:
                out[case_id] = _changes(case_id, json.loads(before[previous]), result)
        return out

    def _new_warnings(
        self, evaluated: list[tuple[str, int | None, Outcome]]
    ) -> dict[str, tuple[str, ...]]:
        """The reason of each warning finding of a case's new determination that its latest
        stored one (`previous`, None for a case never evaluated) did not have, by case id.

        Only the previous results of cases that have a warning now are read: a warning
        is rare, so an import or a nightly run reads next to nothing more.
        """
        warned = [(c, p, o) for c, p, o in evaluated if o.warnings]
        before = dict(
            self.conn.select_for(
                "SELECT id, result FROM determinations WHERE id IN ({ids})",
                [previous for _, previous, _ in warned if previous is not None],
            )
        )
        out = {}
        for case_id, previous, outcome in warned:
            had = set(warnings_of(json.loads(before[previous]))) if previous in before else set()
            new = tuple(reason for rule, reason in outcome.warnings if (rule, reason) not in had)
            if new:
                out[case_id] = new
        return out


#: Case statuses `evaluate` derives from a determination (the others are set by writes).
DERIVED_STATUSES = ("overdue", "due_soon", "pending", "needs_information", "no_open_clocks")


def evaluated_with(result: Outcome, calendars: str = "") -> str:
    """What decided a result, as `cases.evaluated_with` keeps it: "ENGINE|RULESET|VERSION",
    and "|CALENDARS" (when the district calendars folder last changed,
    `currency.calendars_changed_at`) when there are imported calendars, so a listing
    never answers with clock rows counted on a calendar since replaced."""
    made = f"{result.engine}|{result.ruleset}|{result.ruleset_version}"
    return f"{made}|{calendars}" if calendars else made


#: The columns of a `clocks` row, in the order `clock_rows_of` gives them.
CLOCK_COLUMNS = (
    "case_id, determination_id, clock, program, label, subject, start, opens, due, "
    "status, is_open, met_on, excused_by, reason, citation, closed_on, kind"
)
CLOCK_COLUMN_NAMES = tuple(c.strip() for c in CLOCK_COLUMNS.split(","))
#: The columns of a `clocks` row kept from the case for the listings (revision 0014), after
#: CLOCK_COLUMNS: the child's name and the current caseworker (`audit verify` checks them).
SHOWN_COLUMNS = ("child", "caseworker")
#: The columns of a `determinations` row as `evaluate` writes it.
DETERMINATION_COLUMNS = (
    "id", "case_id", "number", "run_id", "as_of", "ruleset", "ruleset_version", "engine",
    "inputs_hash", "result", "created_at", "result_digest",
)  # fmt: skip


def clock_rows_of(
    case_id: str, det_id: int | None, result: dict[str, Any]
) -> tuple[list[tuple], str]:
    """The `clocks` rows of a determination's result (CLOCK_COLUMNS) and the case status.

    Written by `evaluate`; `audit verify` derives them again from the stored
    result, so a clock row deleted, moved or edited in the table shows. Referrals
    still to make are rows too (kind 'referral'), so `due` lists every obligation.
    """
    items = due_items(result)
    return [(case_id, det_id, *item[1:], item[0]) for item in items], case_status(items)


#: The determination columns a run's audit entry vouches for (the result by its hash).
DIGEST_COLUMNS = (
    "id", "case_id", "number", "run_id", "as_of", "ruleset", "ruleset_version", "engine",
    "inputs_hash", "result",
)  # fmt: skip


def determinations_digest(rows: list[tuple]) -> str:
    """SHA-256 over determination rows (DIGEST_COLUMNS order, the result by its own hash)."""
    import hashlib

    digest = hashlib.sha256()
    write = jsontext.flat_ascii  # `json.dumps(..., separators=(",", ":"))`: every value a scalar
    for row in sorted(rows, key=_first):
        *head, result = row[:10]
        head.append(sha256(result))
        digest.update(write(head).encode())
        digest.update(b"\n")
    return digest.hexdigest()


_first = operator.itemgetter(0)


def _changes(case_id: str, previous: dict, outcome: Outcome) -> list[Change]:
    out = []
    before_overdue = {
        (c["id"], c.get("subject")) for c in previous.get("clocks", []) if c["status"] == "overdue"
    }
    for clock_id, subject, label, due in outcome.overdue:
        if (clock_id, subject) not in before_overdue:
            name = label or clock_id
            if subject:
                name += f" ({subject})"
            when = f"was due {due}" if due else "no due date"
            out.append(Change(case_id, "new_overdue", f"{name} overdue ({when})", None, due))
    before_elig = {e["program"]: e["outcome"] for e in previous.get("eligibility", [])}
    for program, decided in outcome.eligibility:
        old = before_elig.get(program)
        if old != decided:
            out.append(
                Change(case_id, "eligibility_changed", f"{program} eligibility", old, decided)
            )
    return out
