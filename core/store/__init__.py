"""The caseload store: cases, caseworkers, determinations and the audit log in one database.

One module per thing the caseload holds, each a part (mixin) of `Store`:

* `base`: opening the file, its pragmas and migrations, one write transaction;
* `cases`: cases and their events (case files, their table rows, `add_event`);
* `imports`: importing case files, folders and CSV files, all or nothing;
* `caseworkers`: caseworkers and assignments;
* `determinations`: stored determinations, the due index; `evaluation_runs` the runs
  of `evaluate` that write them;
* `listing`: what is owed as of a date (`due`, `cases list`), never hiding a case;
  `listing_scope` the cases in scope and those re-evaluated for the answer,
  `listing_rows` the rows' fields, urgency and filters, `listing_lines` the same
  rows as JSON text read whole (`lines`: the text kept on them);
* `ruleset_versions`: the stored copy of each ruleset version, and replay;
* `audit` (the hash chain) and `audit_log` (reading and verifying it);
* `people` (who is using it, roles and what each may do), `staff` (the staff list and
  its tokens) and `access` (the record of access);
* `retention`: destroying a child's records, and pruning determination history;
* `migrations`: the schema; `workers`: worker processes for bulk work.
"""

from __future__ import annotations

from .access import AccessMixin
from .audit_log import AuditLogMixin
from .base import (
    BUSY_TIMEOUT_SECONDS,
    CASE_STATUSES,
    CHUNK,
    DB_ENV,
    StoreBase,
    canonical_json,
    connect,
    default_db_path,
    default_user,
    open_db,
    sha256,
)
from .cases import CaseRows, CasesMixin, case_rows
from .caseworkers import CaseworkersMixin
from .determinations import Change, stored_case
from .evaluation_runs import EvaluationReport, EvaluationRunsMixin
from .imports import ImportResult, ImportsMixin
from .listing import ROW_FIELDS, DueAnswer, DueStream
from .listing_lines import DueLines, LinesListingMixin
from .listing_scope import UNASSIGNED
from .people import ROLES, AccessDenied, Person
from .retention import PruneMixin, RetentionMixin
from .ruleset_versions import ReplayResult, RulesetVersionsMixin, ruleset_files
from .staff import StaffMixin
from .workers import default_jobs


class Store(
    LinesListingMixin,
    ImportsMixin,
    CasesMixin,
    CaseworkersMixin,
    EvaluationRunsMixin,
    RulesetVersionsMixin,
    AuditLogMixin,
    AccessMixin,
    StaffMixin,
    RetentionMixin,
    PruneMixin,
    StoreBase,
):
    """One caseload database; `engine` is needed for imports, events and evaluation."""


__all__ = [
    "ROW_FIELDS",
    "UNASSIGNED",
    "DueAnswer",
    "DueLines",
    "DueStream",
    "BUSY_TIMEOUT_SECONDS",
    "ROLES",
    "AccessDenied",
    "Person",
    "CASE_STATUSES",
    "CHUNK",
    "DB_ENV",
    "CaseRows",
    "Change",
    "EvaluationReport",
    "ImportResult",
    "ReplayResult",
    "Store",
    "canonical_json",
    "connect",
    "case_rows",
    "default_db_path",
    "default_jobs",
    "default_user",
    "open_db",
    "ruleset_files",
    "sha256",
    "stored_case",
]
