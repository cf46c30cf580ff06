"""The caseload store: cases, caseworkers, determinations and the audit log in one SQLite file.

Opened through sqlite-utils with foreign keys on, WAL (readers run beside a
writer) and a busy timeout (a second writer waits instead of failing). Every
write runs in one ``BEGIN IMMEDIATE`` transaction that also appends its audit
entries, so a crash or a bad record leaves the file exactly as it was.
"""

from __future__ import annotations

import collections
import getpass
import hashlib
import itertools
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override
from sqlite_utils import Database

from . import migrations
from .audit import AuditWriter, now
from .convert import case_to_dict, converter, determination_to_dict
from .decisions import OPEN_STATUSES
from .decisions import is_open as clock_is_open
from .errors import EirulesError, InputError, Problem, StorageError, did_you_mean
from .importing import Assignment, Record, files_in, read_records
from .models import Case

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

DB_ENV = "EIRULES_DB"
USER_ENV = "EIRULES_USER"
#: Seconds a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_SECONDS = 60.0
CHUNK = 1000

#: Case statuses kept in `cases.status`: the most urgent clock of the latest determination.
CASE_STATUSES = (
    "overdue",
    "due_soon",
    "pending",
    "no_open_clocks",
    "not_evaluated",
    "changed_since_evaluation",
    "evaluation_failed",
)


def default_db_path() -> Path:
    """$EIRULES_DB, else $XDG_DATA_HOME/eirules/caseload.db (~/.local/share/eirules/caseload.db)."""
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "eirules" / "caseload.db"


def default_user() -> str:
    """$EIRULES_USER, else the operating-system user name."""
    user = os.environ.get(USER_ENV)
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. in a container): still record something
        return "unknown"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: the same data always gives the same text and hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Results ---------------------------------------------------------------------------


@attrs.frozen
class ImportResult:
    """What an import did: counts, and the rejected records when invalid ones were skipped."""

    created: int
    updated: int
    unchanged: int
    assigned: int
    rejected: tuple[dict[str, Any], ...] = ()


@attrs.frozen
class Change:
    """Something that changed for a case between its previous and new determination."""

    case_id: str
    kind: str  # new_overdue | eligibility_changed
    what: str
    before: str | None = None
    after: str | None = None


@attrs.frozen
class EvaluationReport:
    """What `evaluate` did: the run id, counts, changes since last time and failures."""

    run_id: int
    as_of: date
    evaluated: int
    changes: tuple[Change, ...]
    failures: tuple[tuple[str, str], ...]
    first_evaluations: int


@attrs.frozen
class ReplayResult:
    """Whether re-running a stored determination gives the same answer."""

    case_id: str
    number: int
    same: bool
    differences: tuple[str, ...]
    stored_ruleset_version: str
    current_ruleset_version: str
    stored_engine: str
    current_engine: str
    #: Where the ruleset came from: "stored" (rebuilt from the caseload's copy) or "installed".
    ruleset_source: str = "installed"
    ruleset: str = ""
    #: Why the stored ruleset version was not used (empty when it was).
    ruleset_note: str = ""


def ruleset_files(ruleset) -> list[dict[str, Any]] | None:
    """The text of every file of a ruleset's lineage, nearest first (None if one is unreadable)."""
    lineage = []
    for node in ruleset.lineage:
        files = {}
        for path in node.files:
            try:
                files[path.name] = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                return None
        lineage.append({"id": node.id, "files": files})
    return lineage


# Case rows ---------------------------------------------------------------------------

_PART_TABLES = ("events", "evaluations", "conditions", "enrolments", "service_plans", "children")
_PART_INSERTS = {
    "children": "INSERT INTO children (case_id, name, birth_date, gestational_age_weeks, "
    "risk_factors) VALUES (?, ?, ?, ?, ?)",
    "events": "INSERT INTO events (case_id, position, type, date, program, reason, outcome, "
    "category, service, until, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "evaluations": "INSERT INTO evaluations (case_id, position, date, instrument, program, "
    "informed_clinical_opinion, note, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "conditions": "INSERT INTO conditions (case_id, name, code, diagnosed) VALUES (?, ?, ?, ?)",
    "enrolments": 'INSERT INTO enrolments (case_id, program, start, "end") VALUES (?, ?, ?, ?)',
    "service_plans": "INSERT INTO service_plans (case_id, position, kind, meetings, services) "
    "VALUES (?, ?, ?, ?, ?)",
}


class CaseRows(NamedTuple):
    """A case flattened to table rows (built in a worker, written by the parent)."""

    id: str
    ruleset: str | None
    district: str | None
    programs: tuple[str, ...]
    parts: dict[str, list[tuple]]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_rows(case: Case) -> CaseRows:
    """The rows of children, events, evaluations, conditions, enrolments and plans for a case."""
    cid = case.id
    child = case.child
    parts: dict[str, list[tuple]] = {
        "children": [
            (cid, child.name, child.birth_date.isoformat(), child.gestational_age_weeks,
             json.dumps(list(child.risk_factors)))
        ],
        "events": [
            (cid, i, e.type, e.date.isoformat(), e.program, e.reason, e.outcome, e.category,
             e.service, _iso(e.until), e.note)
            for i, e in enumerate(case.events)
        ],
        "evaluations": [
            (cid, i, v.date.isoformat(), v.instrument, v.program, v.informed_clinical_opinion,
             v.note, json.dumps(converter.unstructure(v.scores)))
            for i, v in enumerate(case.evaluations)
        ],
        "conditions": [(cid, k.name, k.code, _iso(k.diagnosed)) for k in case.conditions],
        "enrolments": [(cid, n.program, _iso(n.start), _iso(n.end)) for n in case.enrolments],
        "service_plans": [
            (cid, i, p.kind, json.dumps(converter.unstructure(p.meetings)),
             json.dumps(converter.unstructure(p.services)))
            for i, p in enumerate(case.service_plans)
        ],
    }  # fmt: skip
    return CaseRows(cid, case.ruleset, case.district, case.programs, parts)


# Opening ---------------------------------------------------------------------------


def open_db(path: str | Path, *, create: bool = False) -> Database:
    """Open (or with create=True, create) a caseload file with the store's pragmas set."""
    path = Path(path)
    if not create and not path.exists():
        raise StorageError(
            f"no caseload database at {path}",
            [Problem("", "the file does not exist", f"create it with: eirules db init {path}")],
        )
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StorageError(
            f"{path} cannot be opened as a caseload database",
            [
                Problem(
                    "",
                    str(exc),
                    "check the path (--db, $EIRULES_DB), or create a new caseload with: "
                    "eirules db init NEW.db",
                )
            ],
        ) from None
    return db


def _foreign_tables(path: Path) -> list[str]:
    """Tables of another program in an existing SQLite file (none for a caseload or a new file)."""
    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            if (
                "_sqlite_migrations" in names
                and conn.execute(
                    "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ?",
                    (migrations.migrations.name,),
                ).fetchone()
            ):
                return []
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return []  # not an SQLite file at all: open_db says so
    return [n for n in names if n != "_sqlite_migrations"]


class Store:
    """One caseload database; `engine` is needed for imports, events and evaluation."""

    def __init__(
        self, db: Database, engine=None, *, path: str | Path | None = None, jobs: int | None = None
    ):
        #: Worker processes for bulk imports and evaluations (1 = in this process).
        self.jobs = jobs or default_jobs()
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.engine = engine
        self.path = Path(path) if path else None

    # Lifecycle ---------------------------------------------------------------------

    @classmethod
    def init(cls, path: str | Path, engine=None) -> tuple[Store, list[str]]:
        """Create the file if needed and apply every migration; returns the store and names applied."""
        foreign = _foreign_tables(Path(path))
        if foreign:
            raise StorageError(
                f"{path} is not an eirules caseload: it holds other tables "
                f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''})",
                [
                    Problem(
                        "PATH",
                        "refusing to add the caseload's tables to another program's database",
                        "choose a new file name",
                    )
                ],
            )
        db = open_db(path, create=True)
        try:
            applied = _apply_migrations(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path} cannot be initialised ({exc})") from None
        return cls(db, engine, path=path), applied

    @classmethod
    def open(cls, path: str | Path, engine=None) -> Store:
        """Open an initialised, up-to-date caseload, or raise StorageError saying what to run."""
        db = open_db(path)
        try:
            pending = migrations.pending(db)
            applied = migrations.applied(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path} is not a caseload database ({exc})") from None
        if not applied:
            raise StorageError(
                f"{path} is not an eirules caseload",
                [Problem("", "no schema", f"run: eirules db init {path}")],
            )
        if pending:
            raise StorageError(
                f"{path} needs upgrading",
                [
                    Problem(
                        "",
                        f"migrations not applied: {', '.join(pending)}",
                        "run: eirules db upgrade",
                    )
                ],
            )
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in migrations.tables() if t not in present]
        if missing:
            raise StorageError(
                f"{path} is damaged: tables missing",
                [
                    Problem(
                        "",
                        f"{', '.join(missing)} not found (dropped outside eirules?)",
                        "restore the file from a backup",
                    )
                ],
            )
        return cls(db, engine, path=path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self, user: str) -> Iterator[AuditWriter]:
        """One write transaction with its audit writer; rolled back on any error."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StorageError(
                f"the caseload is busy ({exc})",
                [
                    Problem(
                        "",
                        f"another process held the write lock for {BUSY_TIMEOUT_SECONDS:g} s",
                        "try again",
                    )
                ],
            ) from None
        audit = AuditWriter(self.conn, user)
        try:
            yield audit
            audit.flush()
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _need_engine(self):
        if self.engine is None:
            from .engine import Engine

            self.engine = Engine()
        return self.engine

    # Import ------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str],
        *,
        user: str,
        skip_invalid: bool = False,
        source_name: str | None = None,
    ) -> ImportResult:
        """Import case files, folders and CSV files; all or nothing unless skip_invalid."""
        files = files_in(list(paths))
        return self.import_records(read_records(files), user=user, skip_invalid=skip_invalid)

    def import_records(
        self,
        records: Iterable[Record | Assignment],
        *,
        user: str,
        skip_invalid: bool = False,
    ) -> ImportResult:
        """Validate and store records in one transaction, reporting every problem at once."""
        engine = self._need_engine()
        problems: list[Problem] = []
        rejected: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        counts = {"created": 0, "updated": 0, "unchanged": 0, "assigned": 0}
        assignments: list[Assignment] = []

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

        def chunks() -> Iterator[list[Record]]:
            chunk: list[Record] = []
            for record in records:
                if isinstance(record, Assignment):
                    assignments.append(record)
                    continue
                chunk.append(record)
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

        with self.write(user) as audit, _Workers(engine, self.jobs) as workers:
            batch: list[tuple[Record, CaseRows, str, str]] = []
            for chunk, checked in workers.map(_validate_chunk, chunks()):
                for record, (case, found, text, digest) in zip(chunk, checked, strict=True):
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
                    if found:
                        reject(record, found)
                        continue
                    batch.append((record, case, text, digest))
                if skip_invalid or not problems:
                    self._store_cases(batch, audit, counts)
                batch = []
            for assignment in assignments:
                found = (
                    None
                    if assignment.case_id in seen
                    else self._check_assignment(assignment.case_id, assignment.caseworker)
                )
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
        return ImportResult(rejected=tuple(rejected), **counts)

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
            elif old is not None:
                changed.append((record, case, text, digest, old))
            else:
                new_rows.append((record, case, text, digest))
            if record.caseworker:
                counts.setdefault("_assign", []).append((case.id, record.caseworker))
        conn.executemany(
            "INSERT OR IGNORE INTO case_documents (hash, document) VALUES (?, ?)",
            [(d, t) for _, _, t, d in new_rows] + [(d, t) for _, _, t, d, _ in changed],
        )
        conn.executemany(
            "INSERT INTO cases (id, ruleset, district, programs, document_hash, status, source, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'not_evaluated', ?, ?, ?)",
            [
                (
                    c.id,
                    c.ruleset,
                    c.district,
                    ",".join(c.programs),
                    d,
                    f"{r.source}, {r.label}",
                    stamp,
                    stamp,
                )
                for r, c, _, d in new_rows
            ],
        )
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
        counts["created"] += len(new_rows)
        counts["updated"] += len(changed)
        counts["assigned"] += self._assign_many(counts.pop("_assign", []), audit)

    def _write_parts(self, cases: list[CaseRows], replace: Sequence[str] = ()) -> None:
        """Rows of children, events, evaluations, conditions, enrolments and plans."""
        conn = self.conn
        for case_id in replace:
            for table in _PART_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))
        for table, sql in _PART_INSERTS.items():
            conn.executemany(sql, [row for c in cases for row in c.parts.get(table, ())])

    # Caseworkers -------------------------------------------------------------------

    def _check_assignment(self, case_id: str, caseworker: str) -> str | None:
        if not caseworker.strip():
            return "the caseworker name is empty"
        if self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
            return f'no case "{case_id}" in the caseload'
        return None

    def caseworker_name(self, raw: str) -> str:
        """A caseworker name with spaces tidied, spelt as already stored when it differs only in case."""
        name = " ".join(raw.split())
        row = self.conn.execute(
            "SELECT name FROM caseworkers WHERE name = ? COLLATE NOCASE ORDER BY added_at LIMIT 1",
            (name,),
        ).fetchone()
        return row[0] if row else name

    def _assign(self, case_id: str, caseworker: str, audit: AuditWriter) -> int:
        return self._assign_many([(case_id, caseworker)], audit)

    def _assign_many(self, pairs: list[tuple[str, str]], audit: AuditWriter) -> int:
        """Make each caseworker the current one for its case; returns how many changed."""
        if not pairs:
            return 0
        conn = self.conn
        names: dict[str, str] = {}
        by_fold: dict[str, str] = {}  # names new in this batch, by case-folded spelling
        for _, raw in pairs:
            if raw not in names:
                name = self.caseworker_name(raw)
                names[raw] = by_fold.setdefault(name.casefold(), name)
        # The last assignment of a case in one batch wins.
        wanted = {case_id: names[raw] for case_id, raw in pairs}
        current: dict[str, str] = {}
        ids = list(wanted)
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            marks = ",".join("?" * len(part))
            current.update(
                conn.execute(
                    f"SELECT case_id, caseworker FROM assignments "
                    f"WHERE ended_at IS NULL AND case_id IN ({marks})",
                    part,
                ).fetchall()
            )
        changed = [(c, w) for c, w in wanted.items() if current.get(c) != w]
        if not changed:
            return 0
        stamp = now()
        conn.executemany(
            "INSERT OR IGNORE INTO caseworkers (name, added_at) VALUES (?, ?)",
            [(w, stamp) for w in sorted({w for _, w in changed})],
        )
        conn.executemany(
            "UPDATE assignments SET ended_at = ? WHERE case_id = ? AND ended_at IS NULL",
            [(stamp, c) for c, _ in changed if c in current],
        )
        conn.executemany(
            "INSERT INTO assignments (case_id, caseworker, assigned_at) VALUES (?, ?, ?)",
            [(c, w, stamp) for c, w in changed],
        )
        for case_id, caseworker in changed:
            was = current.get(case_id)
            audit.append(
                "case.assigned",
                f"assigned case {case_id} to {caseworker}" + (f" (was {was})" if was else ""),
                case_id=case_id,
                before={"caseworker": was} if was else None,
                after={"caseworker": caseworker},
            )
        return len(changed)

    def assign(self, case_id: str, caseworker: str, *, user: str) -> bool:
        """Make `caseworker` the case's current caseworker; False when already so."""
        self.require_case(case_id)
        if not caseworker.strip():
            raise InputError("the caseworker name is empty", [Problem("CASEWORKER", "give a name")])
        with self.write(user) as audit:
            return bool(self._assign(case_id, caseworker.strip(), audit))

    # Reading -----------------------------------------------------------------------

    def require_case(self, case_id: str) -> None:
        if self.conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone() is None:
            ids = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM cases WHERE id LIKE ? LIMIT 200", (case_id[:3] + "%",)
                )
            ]
            hint = did_you_mean(case_id, ids)
            raise InputError(
                f'no case "{case_id}" in the caseload',
                [Problem("ID", "not found", hint or "list cases with: eirules cases list")],
            )

    def require_caseworker(self, name: str) -> None:
        """A caseworker filter must name a known caseworker: a typo would look like no work."""
        if self.conn.execute("SELECT 1 FROM caseworkers WHERE name = ?", (name,)).fetchone():
            return
        names = [r[0] for r in self.conn.execute("SELECT name FROM caseworkers ORDER BY name")]
        hint = did_you_mean(name, names) or (
            f"caseworkers: {', '.join(names[:20])}{', ...' if len(names) > 20 else ''}"
            if names
            else "assign one with: eirules cases assign ID NAME"
        )
        raise InputError(
            f'no caseworker "{name}" in the caseload', [Problem("--caseworker", "not found", hint)]
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
        caseworker: str | None = None,
        program: str | None = None,
        status: str | None = None,
    ) -> list[dict[str, Any]]:
        """Cases with child, programs, caseworker and status, filtered in SQL."""
        where, args = [], []
        if caseworker:
            caseworker = self.caseworker_name(caseworker)
            self.require_caseworker(caseworker)
            where.append("a.caseworker = ?")
            args.append(caseworker)
        if program:
            where.append("(',' || c.programs || ',') LIKE ?")
            args.append(f"%,{program},%")
        if status:
            where.append("c.status = ?")
            args.append(status)
        sql = (
            "SELECT c.id AS case_id, ch.name AS child, ch.birth_date, c.programs, c.ruleset, "
            "a.caseworker, c.status, c.updated_at FROM cases c "
            "JOIN children ch ON ch.case_id = c.id "
            "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY c.id"
        )
        return [dict(r) for r in self.db.query(sql, args)]

    def case_summary(self, case_id: str) -> dict[str, Any]:
        """Case row, current caseworker, determinations (newest last) and assignment history."""
        self.require_case(case_id)
        row = next(
            self.db.query(
                "SELECT c.*, ch.name AS child, ch.birth_date, a.caseworker FROM cases c "
                "JOIN children ch ON ch.case_id = c.id "
                "LEFT JOIN assignments a ON a.case_id = c.id AND a.ended_at IS NULL WHERE c.id = ?",
                [case_id],
            )
        )
        row["determinations"] = list(
            self.db.query(
                "SELECT number, as_of, ruleset, ruleset_version, engine, inputs_hash, created_at "
                "FROM determinations WHERE case_id = ? ORDER BY number",
                [case_id],
            )
        )
        row["assignments"] = list(
            self.db.query(
                "SELECT caseworker, assigned_at, ended_at FROM assignments WHERE case_id = ? ORDER BY id",
                [case_id],
            )
        )
        row["clocks"] = list(
            self.db.query(
                "SELECT clock, program, label, subject, start, due, status, met_on, excused_by, "
                "citation FROM clocks WHERE case_id = ? ORDER BY due IS NULL, due, clock",
                [case_id],
            )
        )
        return row

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
            self.db.query(
                "SELECT d.*, doc.document FROM determinations d "
                "JOIN case_documents doc ON doc.hash = d.inputs_hash "
                "WHERE d.case_id = ? AND d.number = ?",
                [case_id, number],
            )
        )
        if not rows:
            count = self.conn.execute(
                "SELECT count(*) FROM determinations WHERE case_id = ?", (case_id,)
            ).fetchone()[0]
            raise InputError(
                f'case "{case_id}" has no determination {number}',
                [Problem("--determination", f"the case has {count} (numbered 1 to {count})")],
            )
        return rows[0]

    # Events ------------------------------------------------------------------------

    def add_event(
        self,
        case_id: str,
        event_type: str,
        on: date,
        *,
        user: str,
        reason: str | None = None,
        note: str | None = None,
        program: str | None = None,
        today: date | None = None,
    ) -> Case:
        """Validate and append one event to a case (audited); returns the updated case."""
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
                        f'"{program}" is not a program of a "{event_type}" event',
                        f"expected one of: {', '.join(allowed)}",
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
        document = self.case_document(case_id)
        birth = date.fromisoformat(document["child"]["birth_date"])
        if on < birth:
            problems.append(
                Problem(
                    "DATE",
                    f"{on.isoformat()} is before the child's birth ({birth.isoformat()})",
                    "check the date",
                )
            )
        if problems:
            raise InputError(f"event not added to case {case_id}", problems)
        event = {"type": event_type, "date": on.isoformat()}
        for key, value in (("program", program), ("reason", reason), ("note", note)):
            if value is not None:
                event[key] = value
        if event in document.get("events", []):
            raise InputError(
                f"event not added to case {case_id}",
                [
                    Problem(
                        "TYPE",
                        f"the case already has this {event_type} event on {on.isoformat()}",
                        f"see it with: eirules cases export {case_id}",
                    )
                ],
            )
        new_document = dict(document)
        new_document["events"] = [*document.get("events", []), event]
        try:
            case = engine.case_from_dict(new_document, source=f"case {case_id}")
        except InputError as exc:
            raise InputError(
                f"event not added to case {case_id}",
                [Problem(_option_for(p.where), p.what, p.fix) for p in exc.problems],
            ) from None
        with self.write(user) as audit:
            conn = self.conn
            text = canonical_json(case_to_dict(case))
            digest = sha256(text)
            old_hash, old_status = conn.execute(
                "SELECT document_hash, status FROM cases WHERE id = ?", (case_id,)
            ).fetchone()
            conn.execute(
                "INSERT OR IGNORE INTO case_documents (hash, document) VALUES (?, ?)",
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
        return case

    # Evaluation --------------------------------------------------------------------

    def evaluate(
        self,
        *,
        as_of: date,
        user: str,
        case_ids: list[str] | None = None,
        progress: Callable[[int], None] | None = None,
        chunk: int = CHUNK,
    ) -> EvaluationReport:
        """Re-evaluate cases in chunks inside one transaction, storing every determination.

        Cases are read in chunks, evaluated (in worker processes when there are
        many and more than one CPU), and written chunk by chunk; the whole run
        commits at the end, so an interrupted run leaves nothing behind.
        """
        engine = self._need_engine()
        conn = self.conn
        changes: list[Change] = []
        failures: list[tuple[str, str]] = []
        evaluated = first = 0
        wanted = set(case_ids) if case_ids is not None else None
        total = len(wanted) if wanted is not None else self.case_count()
        jobs = self.jobs if total > chunk else 1
        meta: dict[str, tuple] = {}
        versions_kept: set[str] = set()

        def chunks() -> Iterator[tuple[date, list[tuple[str, str]]]]:
            last_rowid = 0
            while True:
                rows = conn.execute(
                    "SELECT c.rowid, c.id, c.document_hash, d.document, p.number, p.result "
                    "FROM cases c JOIN case_documents d ON d.hash = c.document_hash "
                    "LEFT JOIN determinations p ON p.id = c.last_determination_id "
                    "WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?",
                    (last_rowid, chunk),
                ).fetchall()
                if not rows:
                    return
                last_rowid = rows[-1][0]
                items = []
                for _, case_id, doc_hash, document, number, previous in rows:
                    if wanted is not None and case_id not in wanted:
                        continue
                    meta[case_id] = (doc_hash, number, previous)
                    items.append((case_id, document))
                if items:
                    yield as_of, items

        with self.write(user) as audit, _Workers(engine, jobs) as workers:
            cur = conn.execute(
                "INSERT INTO evaluation_runs (started_at, as_of, user) VALUES (?, ?, ?)",
                (now(), as_of.isoformat(), user),
            )
            run_id = cur.lastrowid
            assert run_id is not None  # set by the INSERT just made
            next_id = (
                conn.execute("SELECT coalesce(max(id), 0) FROM determinations").fetchone()[0] + 1
            )
            first_id = next_id
            stamp = now()
            for _, results in workers.map(_evaluate_chunk, chunks()):
                det_rows, clock_rows, case_rows = [], [], []
                for case_id, error, result, result_text in results:
                    doc_hash, number, previous = meta.pop(case_id)
                    if error is not None:
                        failures.append((case_id, error))
                        case_rows.append(("evaluation_failed", None, case_id))
                        continue
                    det_id = next_id
                    next_id += 1
                    det_rows.append(
                        (det_id, case_id, (number or 0) + 1, run_id, as_of.isoformat(),
                         result["ruleset"], result["ruleset_version"], result["engine"], doc_hash,
                         result_text, stamp)
                    )  # fmt: skip
                    status = "no_open_clocks"
                    for clock in result["clocks"]:
                        # Closed after its due date: the late status stands, nothing is owed.
                        is_open = clock.get("closed_on") is None and clock_is_open(
                            clock["status"], clock["met_on"]
                        )
                        if clock["status"] in OPEN_STATUSES and (
                            status == "no_open_clocks"
                            or OPEN_STATUSES.index(clock["status"]) < OPEN_STATUSES.index(status)
                        ):
                            status = clock["status"]
                        clock_rows.append(
                            (case_id, det_id, clock["id"], clock["program"], clock["label"],
                             clock["subject"], clock["start"], clock["opens"], clock["due"],
                             clock["status"], int(is_open), clock["met_on"], clock["excused_by"],
                             clock["reason"], clock["citation"])
                        )  # fmt: skip
                    case_rows.append((status, det_id, case_id))
                    if previous is None:
                        first += 1
                    else:
                        changes.extend(_changes(case_id, json.loads(previous), result))
                    evaluated += 1
                conn.executemany(
                    "INSERT INTO determinations (id, case_id, number, run_id, as_of, ruleset, "
                    "ruleset_version, engine, inputs_hash, result, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    det_rows,
                )
                conn.executemany(
                    "DELETE FROM clocks WHERE case_id = ?", [(r[2],) for r in case_rows]
                )
                conn.executemany(
                    "INSERT INTO clocks (case_id, determination_id, clock, program, label, subject, "
                    "start, opens, due, status, is_open, met_on, excused_by, reason, citation) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    clock_rows,
                )
                conn.executemany(
                    "UPDATE cases SET status = ?, "
                    "last_determination_id = coalesce(?, last_determination_id) WHERE id = ?",
                    case_rows,
                )
                for row in det_rows:
                    if row[6] not in versions_kept:
                        versions_kept.add(row[6])
                        self._keep_ruleset_version(row[5], row[6])
                if progress:
                    progress(len(results))
            conn.execute(
                "UPDATE evaluation_runs SET finished_at = ?, cases = ?, changes = ? WHERE id = ?",
                (now(), evaluated, len(changes), run_id),
            )
            audit.append(
                "evaluation.run",
                f"run {run_id}: evaluated {evaluated} case{'s' if evaluated != 1 else ''} as of "
                f"{as_of.isoformat()}; {len(changes)} change{'s' if len(changes) != 1 else ''}"
                + (f"; {len(failures)} failed" if failures else ""),
                case_id=case_ids[0] if case_ids is not None and len(case_ids) == 1 else None,
                after={
                    "run": run_id,
                    "as_of": as_of.isoformat(),
                    "cases": evaluated,
                    "determination_ids": [first_id, next_id - 1] if evaluated else [],
                    "changes": [attrs.asdict(c) for c in changes[:1000]],
                    "failures": [list(f) for f in failures[:1000]],
                },
            )
        return EvaluationReport(run_id, as_of, evaluated, tuple(changes), tuple(failures), first)

    def case_count(self, status: str | None = None) -> int:
        if status:
            return self.conn.execute(
                "SELECT count(*) FROM cases WHERE status = ?", (status,)
            ).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM cases").fetchone()[0]

    def _keep_ruleset_version(self, ruleset_id: str, full_version: str) -> None:
        """Store the files of a ruleset version once, so replay can rebuild it later."""
        if self.conn.execute(
            "SELECT 1 FROM ruleset_versions WHERE full_version = ?", (full_version,)
        ).fetchone():
            return
        try:
            ruleset = self._need_engine().rulesets.get(ruleset_id)
        except EirulesError:
            return
        lineage = ruleset_files(ruleset)
        if lineage is None or ruleset.full_version != full_version:
            return  # unreadable, or changed on disk since: replay says it uses the installed one
        self.conn.execute(
            "INSERT OR IGNORE INTO ruleset_versions (full_version, ruleset, files, stored_at) "
            "VALUES (?, ?, ?, ?)",
            (full_version, ruleset_id, canonical_json(lineage), now()),
        )

    @contextmanager
    def _stored_ruleset(self, ruleset_id: str, full_version: str) -> Iterator[tuple[Any, str]]:
        """(the ruleset version rebuilt from its stored files, "") or (None, why not).

        The files are written to a temporary folder that lives while the block runs
        (a school calendar is read during evaluation).
        """
        row = self.conn.execute(
            "SELECT files FROM ruleset_versions WHERE full_version = ?", (full_version,)
        ).fetchone()
        if row is None:
            yield None, "is not stored in this caseload"
            return
        import tempfile

        from .rulesets import RulesetRegistry

        with tempfile.TemporaryDirectory(prefix="eirules-replay-") as tmp:
            try:
                for node in json.loads(row[0]):
                    folder = Path(tmp) / node["id"]
                    folder.mkdir()
                    for name, text in node["files"].items():
                        (folder / Path(name).name).write_bytes(text.encode("utf-8"))
                ruleset = RulesetRegistry([Path(tmp)]).get(ruleset_id)
                rebuilt = ruleset.full_version
            except (EirulesError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                yield None, f"could not be rebuilt from its stored copy ({first})"
                return
            if rebuilt != full_version:
                yield None, f"could not be rebuilt from its stored copy (it gives {rebuilt})"
                return
            yield ruleset, ""

    def replay(self, case_id: str, number: int) -> ReplayResult:
        """Re-run a stored determination from its stored inputs, ruleset version and as-of date.

        The ruleset is rebuilt from the copy of its files stored with the caseload
        when there is one; otherwise the installed version is used (and said).
        """
        engine = self._need_engine()
        stored = self.determination(case_id, number)
        case = engine.case_from_dict(json.loads(stored["document"]), source=f"case {case_id}")
        with self._stored_ruleset(stored["ruleset"], stored["ruleset_version"]) as (kept, why):
            det = engine.evaluate(
                case, kept if kept is not None else stored["ruleset"],
                date.fromisoformat(stored["as_of"]),
            )  # fmt: skip
        fresh = determination_to_dict(det)
        old = json.loads(stored["result"])
        differences = []
        for key in sorted(set(old) | set(fresh)):
            if key in ("engine", "ruleset_version"):
                continue
            if canonical_json(old.get(key)) != canonical_json(fresh.get(key)):
                differences.append(
                    f"{key}: stored {canonical_json(old.get(key))} / now {canonical_json(fresh.get(key))}"
                )
        return ReplayResult(
            case_id,
            number,
            not differences,
            tuple(differences),
            stored["ruleset_version"],
            det.ruleset_version,
            stored["engine"],
            det.engine,
            "stored" if kept is not None else "installed",
            stored["ruleset"],
            why,
        )

    # Due ---------------------------------------------------------------------------

    def due(
        self,
        *,
        as_of: date,
        within_days: int | None = None,
        caseworker: str | None = None,
        overdue_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Open clocks of every case's latest determination, by due date, from the index."""
        where = ["k.is_open = 1", "k.due IS NOT NULL"]
        args: list[Any] = []
        if overdue_only:
            where.append("k.due < ?")
            args.append(as_of.isoformat())
        if within_days is not None:
            where.append("k.due <= ?")
            args.append((as_of + timedelta(days=within_days)).isoformat())
        if caseworker:
            caseworker = self.caseworker_name(caseworker)
            self.require_caseworker(caseworker)
            where.append("a.caseworker = ?")
            args.append(caseworker)
        sql = (
            "SELECT k.due, CAST(julianday(k.due) - julianday(?) AS INTEGER) AS days_left, "
            "k.case_id, ch.name AS child, k.program, k.clock, k.label, k.subject, k.status, "
            "k.citation, a.caseworker, d.as_of AS evaluated_as_of "
            "FROM clocks k JOIN children ch ON ch.case_id = k.case_id "
            "JOIN determinations d ON d.id = k.determination_id "
            "LEFT JOIN assignments a ON a.case_id = k.case_id AND a.ended_at IS NULL "
            "WHERE " + " AND ".join(where) + " ORDER BY k.due, k.case_id, k.clock"
        )
        return [dict(r) for r in self.db.query(sql, [as_of.isoformat(), *args])]

    # Audit -------------------------------------------------------------------------

    def audit_log(
        self, case_id: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Audit entries, oldest first, optionally for one case (with the runs that evaluated it)."""
        sql = "SELECT id, at, user, action, case_id, summary, before, after, hash FROM audit_log"
        args: list[Any] = []
        if case_id:
            sql += (
                " WHERE case_id = ? OR (action = 'evaluation.run' AND case_id IS NULL AND "
                "json_extract(after, '$.run') IN "
                "(SELECT run_id FROM determinations WHERE case_id = ?))"
            )
            args.extend([case_id, case_id])
        sql += " ORDER BY id"
        if limit:
            sql = f"SELECT * FROM ({sql[: -len(' ORDER BY id')]} ORDER BY id DESC LIMIT {int(limit)}) ORDER BY id"
        return [dict(r) for r in self.db.query(sql, args)]

    def verify_audit(self):
        from .audit import verify

        return verify(self.conn)


# Worker processes ------------------------------------------------------------------------

#: The engine a forked worker uses (inherited from the parent at fork time).
_WORKER_ENGINE = None


def default_jobs() -> int:
    """Worker processes for bulk work: $EIRULES_JOBS, else the CPU count (at most 4)."""
    text = os.environ.get("EIRULES_JOBS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, min(os.cpu_count() or 1, 4))


class _Workers:
    """Maps a chunk function over chunks, in order, in forked workers or in-process.

    At most 2 chunks per worker are in flight, so memory stays flat at any
    caseload size; chunks are produced in the calling thread (it owns the
    database connection).
    """

    def __init__(self, engine, jobs: int):
        self.engine = engine
        self.jobs = jobs
        self.pool: Pool | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def _start(self) -> bool:
        if self.jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return False
        global _WORKER_ENGINE
        _WORKER_ENGINE = self.engine
        self.pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return True

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        it = iter(chunks)
        head = [c for c in (next(it, None), next(it, None)) if c is not None]
        # One chunk is not worth starting processes for.
        if len(head) < 2 or not self._start():
            for chunk in itertools.chain(head, it):
                yield chunk, fn(self.engine, chunk)
            return
        pool = self.pool
        assert pool is not None  # _start() made it
        pending: collections.deque = collections.deque()
        for chunk in itertools.chain(head, it):
            pending.append((chunk, pool.apply_async(_in_worker, (fn, chunk))))
            if len(pending) >= 2 * self.jobs:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def _in_worker(fn: Callable, chunk):
    return fn(_WORKER_ENGINE, chunk)


def _validate_chunk(engine, records: list[Record]) -> list[tuple]:
    """Check records against the models and vocabulary: (rows, problems, text, hash) each."""
    out = []
    for record in records:
        found = [
            Problem(
                ", ".join(x for x in (record.source, record.label, p.where) if x), p.what, p.fix
            )
            for p in record.problems
        ]
        rows = text = digest = None
        if not found:
            try:
                case = engine.case_from_dict(record.data, source=record.source)
            except InputError as exc:
                found = [Problem(record.where(p.where), p.what, p.fix) for p in exc.problems] or [
                    Problem(record.where(""), exc.message)
                ]
            else:
                text = canonical_json(case_to_dict(case))
                digest = sha256(text)
                rows = case_rows(case)
        out.append((rows, found, text, digest))
    return out


def _evaluate_chunk(engine, job: tuple[date, list[tuple[str, str]]]) -> list[tuple]:
    """Evaluate stored cases: (case id, error or None, result dict, result JSON)."""
    as_of, items = job
    out: list[tuple[str, str | None, dict[str, Any] | None, str | None]] = []
    for case_id, document in items:
        try:
            case = stored_case(engine, json.loads(document))
            result = determination_to_dict(engine.evaluate(case, None, as_of))
        except EirulesError as exc:
            out.append((case_id, str(exc), None, None))
            continue
        except Exception as exc:  # a plugin bug must not lose the whole run
            out.append((case_id, f"{exc.__class__.__name__}: {exc}", None, None))
            continue
        # determination_to_dict has a fixed key order: no need to sort keys (it is the hot path)
        text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
        out.append((case_id, None, result, text))
    return out


_fast = cattrs.Converter(detailed_validation=False)
_fast.register_structure_hook(
    date, lambda v, _: v if isinstance(v, date) else date.fromisoformat(v)
)
_fast.register_structure_hook(
    Case,
    make_dict_structure_fn(
        Case, _fast, sections=override(omit=True), _cattrs_detailed_validation=False
    ),
)


def stored_case(engine, document: dict[str, Any]) -> Case:
    """A case from a stored document, which was fully checked when it was imported.

    Skips the detailed, every-problem validation of `case_from_dict` (about twice
    as fast); anything unexpected falls back to it, so errors read the same.
    """
    sections = engine.case_sections
    try:
        core = {k: v for k, v in document.items() if k != "schema" and k not in sections}
        case = _fast.structure(core, Case)
        extra = {
            k: converter.structure(v, sections[k]) for k, v in document.items() if k in sections
        }
    except Exception:
        return engine.case_from_dict(document)
    return attrs.evolve(case, sections=extra) if extra else case


def _apply_migrations(db: Database) -> list[str]:
    # Two processes may initialise at once: take the write lock first so the second waits,
    # then sees the migrations applied.
    names = migrations.pending(db)
    if names:
        migrations.apply(db)
    return names


def _option_for(where: str) -> str:
    field = where.rpartition(".")[2] if where.startswith("events[") else where
    return {
        "reason": "--reason",
        "note": "--note",
        "program": "--program",
        "type": "TYPE",
        "date": "DATE",
    }.get(field, where)


def _diff(old: dict, new: dict) -> tuple[dict, dict]:
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def _changes(case_id: str, previous: dict, result: dict) -> list[Change]:
    out = []
    before_overdue = {
        (c["id"], c.get("subject")) for c in previous.get("clocks", []) if c["status"] == "overdue"
    }
    for clock in result["clocks"]:
        if clock["status"] == "overdue" and (clock["id"], clock["subject"]) not in before_overdue:
            name = clock["label"] or clock["id"]
            if clock["subject"]:
                name += f" ({clock['subject']})"
            out.append(
                Change(
                    case_id,
                    "new_overdue",
                    f"{name} overdue (was due {clock['due']})",
                    None,
                    clock["due"],
                )
            )
    before_elig = {e["program"]: e["outcome"] for e in previous.get("eligibility", [])}
    for elig in result["eligibility"]:
        old = before_elig.get(elig["program"])
        if old != elig["outcome"]:
            out.append(
                Change(
                    case_id,
                    "eligibility_changed",
                    f"{elig['program']} eligibility",
                    old,
                    elig["outcome"],
                )
            )
    return out
