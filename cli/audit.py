"""`eirules audit`: show and verify the hash-chained audit log, and the record of access."""

from __future__ import annotations

import json

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import write_private

from .options import (
    COUNT,
    HASH,
    db_option,
    format_option,
)
from .output import csv_text, echo, echo_json, plural
from .output_options import OutputPath
from .output_rows import emit
from .output_tables import print_table
from .store import db_path_of, open_store


@click.group("audit")
def audit_group():
    """Show and verify the hash-chained audit log of every write.

    \b
    Example:
        eirules audit verify --db caseload.db
    """


@audit_group.command("verify")
@click.option(
    "--anchor",
    type=HASH,
    help="A last hash printed by an earlier verify and kept elsewhere: check it is still there.",
)
@db_option
@click.pass_context
def audit_verify(ctx, anchor, db_path):
    """Check the audit log's hash chain, and the caseload's tables against the log.

    The chain: every entry's hash and link, so an edited or deleted entry is
    named. The data: every case, run and assignment has its entry; every
    stored case document matches its hash and the hash of its latest entry;
    each case's rows are the ones its document gives; each evaluation's
    determinations match the digest its entry recorded, and the clock rows
    and statuses `due` and `overdue` read match the latest determination. So
    a deleted or truncated log, a clock row deleted or moved, a document,
    status or assignment changed outside eirules all show.

    Prints the last entry's hash. Whoever can write the file could rewrite
    log and tables consistently; keep the head elsewhere with `eirules audit
    anchor --write` and check it later (docs/threat-model.md). Exit status 0
    when everything agrees, 1 when something does not.

    \b
    Examples:
        eirules audit verify
        eirules audit verify --anchor 3f1c...e9 (the full 64-character hash)
    """
    store = open_store(ctx, db_path, engine=True)
    count, problems = store.verify_audit()
    problems = [*problems, *store.verify_data()]
    anchored = None
    if anchor:
        anchored = store.conn.execute(
            "SELECT id FROM audit_log WHERE hash = ?", (anchor,)
        ).fetchone()
        if anchored is None:
            problems = [
                *problems,
                f"anchor {anchor[:12]}: no entry has this hash; the log was rewritten at or "
                "before the entry it was noted at",
            ]
    if not problems:
        cases = store.case_count()
        echo(
            f"Audit log intact: {count} entr{'ies' if count != 1 else 'y'} verified; "
            f"the caseload's {plural(cases, 'case')} match{'es' if cases == 1 else ''} it."
        )
        head = store.audit_head()
        if head:
            echo(f"Last hash: {head[2]}")
        if anchored:
            echo(
                f"Anchor found at entry {anchored[0]}: entries 1 to {anchored[0]} are unchanged "
                "since it was noted."
            )
        return
    echo(f"Audit log BROKEN: {plural(len(problems), 'problem')} in {count} entries:")
    for problem in problems:
        echo(f"  {problem}")
    ctx.exit(1)


@audit_group.command("anchor")
@click.option(
    "--write",
    "write_to",
    type=OutputPath(),
    help="Also write the head to this file (JSON). Keep it where the caseload's users cannot "
    "write: another machine, a ticket, a signed e-mail.",
)
@click.option(
    "--check",
    "check_against",
    metavar="FILE|HASH",
    help="Check the log against an anchor kept earlier: a file written by --write, or its hash.",
)
@db_option
@click.pass_context
def audit_anchor(ctx, write_to, check_against, db_path):
    """Print the head of the audit chain, write it to a file, or check the log against one.

    The audit log is a hash chain: each entry's hash covers the one before, so
    the newest hash vouches for every entry up to it. Someone who can write the
    caseload file can rewrite the whole log and recompute the chain, and
    `audit verify` alone cannot tell. A head kept outside the caseload can:
    --check later says whether the entry it names still has that hash, so no
    entry up to it was changed or removed since. Exit status 0 when the anchor
    holds (or was printed or written), 1 when it does not.

    \b
    Examples:
        eirules audit anchor
        eirules audit anchor --write /mnt/audit/caseload-2026-03-02.anchor
        eirules audit anchor --check /mnt/audit/caseload-2026-03-02.anchor
    """
    store = open_store(ctx, db_path)
    if check_against:
        _check_anchor(ctx, store, check_against)
        return
    head = store.audit_head()
    if head is None:
        raise InputError(
            "the audit log is empty: nothing to anchor",
            [Problem("", "no write has been recorded yet", "anchor after the first import")],
        )
    entries, last_id, last_hash = head
    anchor = {
        "schema": "eirules/audit-anchor@1",
        "caseload": str(db_path_of(db_path)),
        "entry": last_id,
        "entries": entries,
        "hash": last_hash,
        "written_at": _now(),
    }
    if write_to:
        # Owner-only and all or nothing, like every other file eirules writes: a
        # half-written anchor would later "fail" a log that is intact.
        write_private(write_to, json.dumps(anchor, indent=2) + "\n")
    echo(f"Audit head: entry {last_id} of {entries}, hash {last_hash}")
    if write_to:
        echo(f"Wrote {write_to}; check it later with: eirules audit anchor --check {write_to}")


def _check_anchor(ctx, store, given: str) -> None:
    """Exit 1 unless the entry the anchor names still has its hash and the chain is intact."""
    from eirules.core.jsonio import read_json

    text = given.strip().lower()
    entry = None
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        digest = text
    else:
        data = read_json(given)
        if not isinstance(data, dict) or not isinstance(data.get("hash"), str):
            raise InputError(
                f"{given} is not an audit anchor",
                [Problem("hash", "missing", "write one with: eirules audit anchor --write FILE")],
            )
        digest, entry = data["hash"].lower(), data.get("entry")
    row = store.conn.execute("SELECT id FROM audit_log WHERE hash = ?", (digest,)).fetchone()
    _, chain = store.verify_audit()
    if row is None or (isinstance(entry, int) and row[0] != entry):
        echo(
            f"Anchor does NOT hold: no entry {entry if entry else ''} has hash {digest[:12]}; "
            "the log was rewritten or cut at or before the anchored entry."
        )
        ctx.exit(1)
    if chain:
        echo(f"Anchor found at entry {row[0]}, but the chain is broken:")
        for problem in chain:
            echo(f"  {problem}")
        ctx.exit(1)
    echo(f"Anchor holds: entries 1 to {row[0]} are unchanged since the anchor was taken.")


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0).isoformat()


@audit_group.command("log")
@click.option("--case", "case_id", metavar="ID", help="Only entries about this case.")
@click.option("--last", type=COUNT, help="Only the newest N entries.")
@format_option("json", "csv", out=True)
@db_option
@click.pass_context
def audit_log(ctx, case_id, last, fmt, db_path):
    """Show the history of writes: when, who, what, before and after.

    The table shows each write's summary; --format json or csv adds what the
    entry held before and after the write (JSON in CSV cells), and its hash.

    \b
    Example:
        eirules audit log --case SYN-C-0001
        eirules audit log --last 20 --format csv --out audit.csv
    """
    store = open_store(ctx, db_path)
    if case_id:
        store.require_case(case_id, where="--case")
    rows = store.audit_log(case_id, limit=last)
    if fmt == "json":
        for r in rows:
            r["before"] = json.loads(r["before"]) if r["before"] else None
            r["after"] = json.loads(r["after"]) if r["after"] else None
    if not rows and fmt == "table":
        echo("No audit entries.")
        return

    def table():
        print_table(
            ["#", "at", "user", "action", "summary"],
            [[str(r["id"]), r["at"], r["user"], r["action"], r["summary"]] for r in rows],
            keep=(0, 1, 3),
        )
        echo("Before and after of each write: --format json or --format csv.")

    emit(fmt, rows, AUDIT_COLUMNS, table)


#: The audit log's columns in JSON and CSV (every field of an entry).
AUDIT_COLUMNS = ("id", "at", "user", "action", "case_id", "summary", "before", "after", "hash")


@audit_group.command("access")
@click.option(
    "--case", "case_id", metavar="ID", required=True, help="The case whose record to print."
)
@format_option("json", "csv", out=True)
@db_option
@click.pass_context
def audit_access(ctx, case_id, fmt, db_path):
    """Print a case's record of access: who read or exported it, when, and why.

    Every show, export and replay of a case is recorded with the reader's
    login and role, the time (UTC) and the purpose they stated (--purpose); this
    is the record a parent may ask to see (34 CFR 300.614, 303.405). Needs an
    auditor's or a data manager's role. A destroyed case's record stays.

    \b
    Example:
        eirules audit access --case SYN-C-0001
    """
    store = open_store(ctx, db_path)
    rows = store.access_record(case_id)
    if fmt == "json":
        echo_json(rows)
        return
    columns = ["at", "login", "role", "action", "purpose"]
    if fmt == "csv":
        click.echo(csv_text(rows, columns), nl=False)
        return
    if not rows:
        echo(f"No recorded access to case {case_id}.")
        return
    print_table(
        columns,
        [[str(r[c] or "") for c in columns] for r in rows],
        title=f"Record of access to case {case_id}",
    )


def register(cli: click.Group) -> None:
    cli.add_command(audit_group)
