"""Cases and their events: the stored case files, their table rows, reading and adding events.

A case's current file is a row of `case_documents` (by the SHA-256 of its
canonical JSON) that `cases.document_hash` points at; its child, events,
evaluations, conditions, enrolments and plans are also kept as rows of their
own tables so the file reads well in Datasette or the sqlite3 shell.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ..chunks import CaseRows as CaseRows  # built in the workers
from ..chunks import case_rows as case_rows
from ..convert import case_to_dict
from ..errors import InputError, Problem, did_you_mean
from ..models import Case
from ..rulesets import DEFAULT_RULESET
from ..text import an
from .audit import now
from .base import StoreBase, canonical_json, sha256
from .lines import refresh_shown
from .listing_scope import Unassigned, unassigned_sql

if TYPE_CHECKING:
    from .evaluation_runs import EvaluationReport

_PART_TABLES = ("events", "evaluations", "conditions", "enrolments", "service_plans", "children")
#: The columns of each part table, in the order `case_rows` gives them.
_PART_COLUMNS = {
    "children": ("case_id", "name", "birth_date", "gestational_age_weeks", "risk_factors"),
    "events": ("case_id", "position", "type", "date", "program", "reason", "outcome",
               "category", "service", "until", "note"),
    "evaluations": ("case_id", "position", "date", "instrument", "program",
                    "informed_clinical_opinion", "note", "scores"),
    "conditions": ("case_id", "name", "code", "diagnosed"),
    "enrolments": ("case_id", "program", "start", "end"),
    "service_plans": ("case_id", "position", "kind", "meetings", "services"),
}  # fmt: skip


def like_literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its %, _ and \\ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class CasesMixin(StoreBase):
    """Reading cases and adding events to them."""

    def _write_parts(self, cases: list[CaseRows], replace: Sequence[str] = ()) -> None:
        """Rows of children, events, evaluations, conditions, enrolments and plans."""
        conn = self.conn
        if replace:
            for table in _PART_TABLES:
                conn.execute_for(f"DELETE FROM {table} WHERE case_id IN ({{ids}})", list(replace))
        for table, columns in _PART_COLUMNS.items():
            # COPY on PostgreSQL: an import's hundreds of thousands of rows in one stream.
            conn.insert_rows(table, columns, [row for c in cases for row in c.parts.get(table, ())])
        if replace:  # the clock rows show the child's name (revision 0014): changed with it
            refresh_shown(conn, list(replace))

    def require_case(self, case_id: str, *, where: str = "ID") -> None:
        """InputError unless the case is stored; `where` names the argument or option
        (`ID`, `--case`) the user gave the id in, for the problem line."""
        if self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM cases WHERE id LIKE ? ESCAPE '\\' LIMIT 200",
                    (like_literal(case_id[:3]) + "%",),
                )
            ]
            hint = did_you_mean(case_id, ids)
            raise InputError(
                f'no case "{case_id}" in the caseload',
                [Problem(where, "not found", hint or "list cases with: eirules cases list")],
            )

    def programs(self) -> list[str]:
        """The programs the stored cases are in, sorted."""
        found: set[str] = set()
        for (text,) in self.conn.execute("SELECT DISTINCT programs FROM cases"):
            found.update(p for p in (text or "").split(",") if p)
        return sorted(found)

    def case_document(self, case_id: str) -> dict[str, Any]:
        """The current case file of a case, as stored (schema eirules/case@1)."""
        self.require_case(case_id)
        row = self.conn.execute(
            "SELECT d.document FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
            "WHERE c.id = ?",
            (case_id,),
        ).fetchone()
        return json.loads(row[0])

    def list_cases(
        self,
        *,
        caseworker: str | Unassigned | None = None,
        program: str | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        """Cases with child, programs, caseworker and status, filtered in SQL.

        Only the cases of the person's caseload (see `people`); `caseworker=UNASSIGNED`:
        only those no caseworker holds.
        """
        return list(self.iter_cases(caseworker=caseworker, program=program, status=status))

    def iter_cases(
        self,
        *,
        caseworker: str | Unassigned | None = None,
        program: str | None = None,
        status: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """`list_cases` one row at a time as the database gives them (a whole state's caseload)."""
        scope, args = self.scope_sql("c.id")
        where = [scope] if scope else []
        where += unassigned_sql(caseworker, "a.caseworker")  # caseworker=UNASSIGNED
        if isinstance(caseworker, str) and caseworker:
            # Every stored name with its identity key (shared only by look-alikes stored
            # before they were refused): one caseworker.
            names = self.resolve_caseworker(caseworker)
            self.require_caseworker_in_scope(names)
            where.append(f"a.caseworker IN ({','.join('?' * len(names))})")
            args.extend(names)
        if program:
            # A first cut in SQL (% and _ literal), then an exact, case-sensitive match below.
            where.append("(',' || c.programs || ',') LIKE ? ESCAPE '\\'")
            args.append(f"%,{like_literal(program)},%")
        if status:
            where.append("c.status = ?")
            args.append(status)
        sql = (
            "SELECT c.id AS case_id, ch.name AS child, ch.birth_date, c.programs, "
            # the ruleset the case is evaluated under: its file's, else the default
            f"COALESCE(c.ruleset, '{DEFAULT_RULESET}'), "
            "a.caseworker, c.status, c.updated_at FROM cases c "
            "JOIN children ch ON ch.case_id = c.id "
            "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY c.id"
        )
        names = ("case_id", "child", "birth_date", "programs", "ruleset", "caseworker", "status")
        for values in self.conn.stream(sql, args):
            row = dict(zip((*names, "updated_at"), values, strict=True))
            if not program or program in (row["programs"] or "").split(","):
                yield row

    def show_case(self, case_id: str, purpose: str | None = None) -> dict[str, Any]:
        """`case_summary`, checked against the person's role and on the record of access."""
        self.opened(case_id, "show", purpose)
        return self.case_summary(case_id)

    def export_case(self, case_id: str, purpose: str | None = None) -> dict[str, Any]:
        """The case file, checked against the person's role and on the record of access."""
        self.opened(case_id, "export", purpose)
        return self.case_document(case_id)

    def case_summary(self, case_id: str) -> dict[str, Any]:
        """Case row, current caseworker, determinations (newest last) and assignment history."""
        self.require_case(case_id)
        row = next(
            self.conn.query(
                "SELECT c.*, ch.name AS child, ch.birth_date, a.caseworker FROM cases c "
                "JOIN children ch ON ch.case_id = c.id "
                "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL WHERE c.id = ?",
                [case_id],
            )
        )
        row["ruleset"] = row["ruleset"] or DEFAULT_RULESET  # as the case is evaluated
        row["determinations"] = list(
            self.conn.query(
                "SELECT number, as_of, ruleset, ruleset_version, engine, inputs_hash, created_at "
                "FROM determinations WHERE case_id = ? ORDER BY number",
                [case_id],
            )
        )
        row["assignments"] = list(
            self.conn.query(
                "SELECT caseworker, assigned_at, ended_at FROM assignments WHERE case_id = ? ORDER BY id",
                [case_id],
            )
        )
        row["clocks"] = list(
            self.conn.query(
                "SELECT clock, program, label, subject, start, due, status, met_on, excused_by, "
                "citation FROM clocks WHERE case_id = ? ORDER BY due IS NULL, due, clock",
                [case_id],
            )
        )
        last = self.conn.execute(
            "SELECT number, as_of FROM determinations WHERE id = ?", [row["last_determination_id"]]
        ).fetchone()
        row["clocks_from"] = _clocks_from(row, last)
        return row

    def add_event(
        self,
        case_id: str,
        event_type: str,
        on: date,
        *,
        user: str | None = None,
        reason: str | None = None,
        note: str | None = None,
        program: str | None = None,
        until: date | None = None,
        today: date | None = None,
    ) -> EvaluationReport:
        """Validate and append one event to a case (audited), and evaluate the case again
        in the same transaction; returns that evaluation's report (its `warnings` are
        those the event brought). `until` (the last day of the period the event covers)
        only on a type that takes one (`EventType.takes_until`); the case model checks
        it as in a case file (a date, not before the event's)."""
        self.require_case(case_id)
        person = self.require("change_case", case_id)
        user = person.login if user is None else user
        engine = self._need_engine()
        today = today or date.today()
        types = engine.event_types
        problems = []
        if event_type not in types:
            problems.append(
                Problem(
                    "TYPE",
                    f'"{event_type}" is not a known event type',
                    did_you_mean(event_type, types) or f"known types: {', '.join(sorted(types))}",
                )
            )
        elif program is not None and types[event_type].programs:
            allowed = types[event_type].programs
            if program not in allowed:
                problems.append(
                    Problem(
                        "--program",
                        f'"{program}" is not a program of {an(event_type)} "{event_type}" event',
                        f"expected one of: {', '.join(allowed)}",
                    )
                )
        if until is not None and event_type in types and not types[event_type].takes_until:
            takes = sorted(name for name, spec in types.items() if spec.takes_until)
            problems.append(
                Problem(
                    "--until",
                    f'{an(event_type)} "{event_type}" event takes no `until` (it is one day)',
                    f"leave out --until; only these types cover a period: {', '.join(takes)}",
                )
            )
        if on > today:
            problems.append(
                Problem(
                    "DATE",
                    f"{on.isoformat()} is in the future (today is {today.isoformat()})",
                    "record events on or after the day they happen",
                )
            )
        self.require_case(case_id)
        if problems:
            raise InputError(f"event not added to case {case_id}", problems)
        event = {"type": event_type, "date": on.isoformat()}
        for key, value in (("program", program), ("reason", reason), ("note", note)):
            if value is not None:
                event[key] = value
        if until is not None:
            event["until"] = until.isoformat()
        # Read, check and write the case inside one write transaction: a document read
        # before taking the lock would overwrite another writer's event (a lost update).
        with self.write(user) as audit:
            case = self._append_event(case_id, event, on, today)
            conn = self.conn
            text = canonical_json(case_to_dict(case))
            digest = sha256(text)
            old_hash, old_status = conn.execute(
                "SELECT document_hash, status FROM cases WHERE id = ?", (case_id,)
            ).fetchone()
            conn.execute(
                "INSERT INTO case_documents (hash, document) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (digest, text),
            )
            status = (
                "not_evaluated" if old_status == "not_evaluated" else "changed_since_evaluation"
            )
            conn.execute(
                "UPDATE cases SET document_hash = ?, status = ?, updated_at = ? WHERE id = ?",
                (digest, status, now(), case_id),
            )
            self._write_parts([case_rows(case)], replace=[case_id])
            audit.append(
                "event.added",
                f"added {event_type} on {on.isoformat()} to case {case_id}",
                case_id=case_id,
                before={"document_hash": old_hash},
                after={"document_hash": digest, "event": event},
            )
            # The case's clocks are recomputed in the same transaction: due is right at once.
            return self._evaluate_in(audit, as_of=today, user=user, case_ids=[case_id])  # type: ignore[attr-defined]

    def _append_event(self, case_id: str, event: dict, on: date, today: date) -> Case:
        """The case with `event` added, read inside the caller's write transaction, and
        checked as every way into a caseload checks a case file (`entry_problems`, as of
        `today`): e.g. an event in a program the case has no enrolment in."""
        document = self.case_document(case_id)
        birth = date.fromisoformat(document["child"]["birth_date"])
        if on < birth:
            raise InputError(
                f"event not added to case {case_id}",
                [
                    Problem(
                        "DATE", f"{on.isoformat()} is before the child's birth", "check the date"
                    )
                ],
            )
        if event in document.get("events", []):
            raise InputError(
                f"event not added to case {case_id}",
                [
                    Problem(
                        "TYPE",
                        f"the case already has this {event['type']} event on {on.isoformat()}",
                        f"see it with: eirules cases export {case_id}",
                    )
                ],
            )
        new_document = dict(document)
        new_document["events"] = [*document.get("events", []), event]
        try:
            return self._need_engine().case_from_dict(
                new_document, source=f"case {case_id}", today=today
            )
        except InputError as exc:
            raise InputError(
                f"event not added to case {case_id}",
                [Problem(_option_for(p.where), p.what, p.fix) for p in exc.problems],
            ) from None

    def case_count(self, status: str | None = None) -> int:
        if status:
            return self.conn.execute(
                "SELECT count(*) FROM cases WHERE status = ?", (status,)
            ).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM cases").fetchone()[0]


def _option_for(where: str) -> str:
    field = where.rpartition(".")[2] if where.startswith("events[") else where
    return {
        "reason": "--reason",
        "note": "--note",
        "program": "--program",
        "type": "TYPE",
        "date": "DATE",
        "until": "--until",
    }.get(field, where)


def _clocks_from(summary: dict[str, Any], last: tuple | None) -> dict[str, Any] | None:
    """Which stored determination the case's clock rows are, and the as-of dates it holds
    for: `evaluate` moves `evaluated_as_of` without storing a new determination when the
    answer is the same (its stability interval holds the new date, or a re-run gave the
    same), so the date the clocks are as of need not be one the history lists."""
    if last is None:
        return None
    start, until = summary.get("stable_from"), summary.get("stable_until")
    return {
        "determination": last[0],
        "made_as_of": last[1],
        "as_of": summary["evaluated_as_of"],
        # The interval is [stable_from, stable_until): the last day it holds is the day before.
        "holds_from": start,
        "holds_through": (date.fromisoformat(until) - timedelta(days=1)).isoformat()
        if start and until
        else None,
    }
