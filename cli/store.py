"""What the caseload commands share: the --db target, opening the caseload, --purpose.

The commands themselves are in cli/db.py (`eirules db`), cli/cases.py (`eirules cases`
import, list, add-event, assign; `eirules caseworkers`) and cli/case_records.py (one
child's records: show, export, destroy).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from eirules.core.store import Store, default_db_path
from eirules.core.store.targets import display, is_postgres

from . import get_engine
from .errors import remember_db
from .options import TEXT

new_caseworker_option = click.option(
    "--new-caseworker",
    is_flag=True,
    help="Accept caseworker names the caseload does not know yet (they are added).",
)


def db_path_of(db_path: str | None) -> Path | str:
    """The caseload named by --db: a file path, or a postgresql:// URL kept as text."""
    if not db_path:
        return default_db_path()
    return db_path if is_postgres(db_path) else Path(db_path)


#: Said with every export (the file itself must import back unchanged, so it goes to stderr).
PERSONAL_NOTICE = (
    "Notice: case {case} contains a child's personal information (34 CFR 300.610-300.627, "
    "303.401-303.417); this export is on the case's record of access (eirules audit access)."
)

purpose_option = click.option(
    "--purpose",
    envvar="EIRULES_PURPOSE",
    type=TEXT,
    help="Why you are reading the record, kept in its record of access "
    '(34 CFR 300.614, 303.405). Default: $EIRULES_PURPOSE, else "not stated".',
)


def open_store(ctx: click.Context, db_path: str | None, *, engine: bool = False) -> Store:
    """Open the caseload for a command; closed when the command ends."""
    remember_db(ctx, display(db_path_of(db_path)))
    store = Store.open(db_path_of(db_path), get_engine(ctx) if engine else None)
    ctx.call_on_close(store.close)
    return store


def today() -> date:
    return date.today()
