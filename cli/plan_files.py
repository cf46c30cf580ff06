"""The case file the plans, meetings and contacts commands read and rewrite, and their options."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from eirules.core.errors import InputError, Problem
from eirules.core.jsonio import read_json
from eirules.core.private_files import write_private

from . import get_engine
from .output import csv_text, echo, echo_json
from .output_options import LINK_REFUSED, InputPath, OutputPath
from .output_tables import print_table

#: Commands that record something take a case file (they rewrite it whole or not at all).
case_file_arg = click.argument("case_file", type=InputPath(exists=True, dir_okay=False))


def read_case_options(fn):
    """CASE is a case file or a stored case's id (read from --db, on its record of access)."""
    from .options import db_option
    from .store import purpose_option

    fn = click.argument("case_file", metavar="CASE", type=InputPath())(
        db_option(purpose_option(fn))
    )
    return fn


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "es"]),
    default="en",
    show_default=True,
    help="Language of the page for the family: en (English) or es (Spanish).",
)
out_option = click.option(
    "--out",
    "out",
    type=OutputPath(),
    required=True,
    help="HTML file to write (its folder must exist). " + LINK_REFUSED,
)
pdf_option = click.option(
    "--pdf",
    "pdf",
    type=OutputPath(),
    default=None,
    help="Also write a PDF, printed by headless Chromium from the same page.",
)


def _load(
    ctx,
    case_file: str,
    db_path: str | None = None,
    purpose: str | None = None,
    action: str = "plans",
):
    """A case from a file, or from the caseload by id (the read is on its record of access)."""
    engine = get_engine(ctx)
    if Path(case_file).is_file() or not _looks_like_id(case_file):
        return engine, engine.load_case(case_file)
    from .store import open_store

    store = open_store(ctx, db_path)
    store.opened(case_file, action, purpose)
    return engine, engine.case_from_dict(store.case_document(case_file), source=f"case {case_file}")


def _looks_like_id(text: str) -> bool:
    return not text.endswith(".json") and "/" not in text


def _record(case):
    from eirules.plugins.plans import record_of
    from eirules.plugins.plans.models import PlansRecord

    return record_of(case) or PlansRecord()


def today() -> date:
    """The date a command that records what happened checks against ("nothing dated
    after today"), read once per command: two reads can straddle midnight."""
    return date.today()


def _update(ctx, case_file: str, change, on: date | None = None, check=None) -> Any:
    """Apply `change(plans_dict)` to the file's `plans` section, check (nothing dated
    after `on`, the command's `today()`; then `check(case)`, when given), then replace
    the file. Returns what `change` returned and the changed case."""
    result, data, case = _changed(ctx, case_file, change, on, check)
    write_case_file(case_file, data)
    return result, case


def _changed(ctx, case_file: str, change, on: date | None = None, check=None):
    """`_update` without the writing: what `change` returned, the changed document and
    its case, for a command that makes its other outputs first (`write_case_file` last)."""
    on = on or today()
    engine = get_engine(ctx)
    data = read_json(case_file)
    if not isinstance(data, dict):
        raise InputError(f"{case_file} is not a case file", [Problem("", "expected a JSON object")])
    plans = data.setdefault("plans", {})
    if not isinstance(plans, dict):
        raise InputError(
            f"{case_file} is not valid",
            [Problem("plans", "expected an object (docs/case-file.md)")],
        )
    result = change(plans)
    # Refuses a bad change (as every way into a caseload would: nothing dated after today
    # that records what happened); the file is untouched.
    case = engine.case_from_dict(data, source=case_file, today=on)
    if check is not None:
        check(case)  # raises InputError: nothing written
    return result, data, case


def write_case_file(case_file: str, data: dict) -> None:
    """Replace the case file with `data` (whole, owner-only)."""
    write_private(case_file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _list(
    rows: list[dict],
    fmt: str,
    empty: str,
    title: str,
    table: tuple[str, ...] | None = None,
    drop: tuple[str, ...] = (),
) -> None:
    """json and csv carry every column; the table only the short ones (`table`), so it fits
    an 80-column terminal (the long text is in `plans report`, json and csv); the `drop`
    columns are left out, least useful first and said so, when the table does not fit
    even with its text wrapped (`print_table`)."""
    if fmt == "json":
        echo_json(rows)
        return
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        click.echo(csv_text(rows, columns), nl=False)
        return
    if not rows:
        echo(empty)
        return
    shown = [c for c in columns if table is None or c in table]
    print_table(
        [c.replace("_", " ") for c in shown],
        [["" if r[c] is None else str(r[c]) for c in shown] for r in rows],
        title=title,
        drop=tuple(shown.index(c) for c in drop if c in shown),
    )
