"""One child's records: `eirules cases show`, `export` and `destroy` (commands of the cases group)."""

from __future__ import annotations

import json

import click

from eirules.core.errors import InputError, Problem
from eirules.core.private_files import write_private
from eirules.core.store import Store
from eirules.core.store.determinations import DERIVED_STATUSES

from .options import (
    COUNT,
    TEXT,
    db_option,
    format_option,
)
from .output import echo, echo_json, plural
from .output_options import DASH_IS_STDOUT, LINK_REFUSED, OutputPath
from .store import PERSONAL_NOTICE, open_store, purpose_option, today


@click.command("show")
@click.argument("case_id", metavar="ID")
@click.option(
    "--determination",
    "number",
    type=COUNT,
    help="Show stored determination N (numbered from 1 per case) instead of the summary.",
)
@click.option(
    "--replay",
    is_flag=True,
    help="With --determination: re-run it from its stored inputs and say if the answer is the same.",
)
@format_option("json")
@purpose_option
@db_option
@click.pass_context
def cases_show(ctx, case_id, number, replay, fmt, purpose, db_path):
    """Show a case: child, caseworker, clocks and its stored determinations.

    With --determination N --replay, re-runs determination N from its stored
    case file, as-of date and ruleset version (rebuilt from the copy of its files
    the caseload keeps). Exit status 0 when it gives the same answer, 1 when it
    differs. Each look at a case is on its record of access (who, when, --purpose).

    \b
    Example:
        eirules cases show SYN-C-0001
        eirules cases show SYN-C-0001 --determination 1 --replay
    """
    if replay and number is None:
        raise InputError(
            "--replay needs --determination N", [Problem("--replay", "no determination given")]
        )
    store = open_store(ctx, db_path, engine=replay)
    store.opened(case_id, "replay" if replay else "show", purpose)
    if replay:
        _replay(ctx, store, case_id, number, fmt)
        return
    if number is not None:
        stored = store.determination(case_id, number)
        if fmt == "json":
            echo_json(json.loads(stored["result"]))
            return
        from eirules.core.convert import determination_from_dict

        from .render import render_determination

        echo(
            f"Determination {number} of case {case_id}, stored {stored['created_at']} "
            f"(inputs {stored['inputs_hash'][:12]})"
        )
        echo(render_determination(determination_from_dict(json.loads(stored["result"]))))
        return
    summary = store.case_summary(case_id)
    if fmt == "json":
        summary["document"] = store.case_document(case_id)
        echo_json(summary)
        return
    basis = evaluation_basis(summary)
    echo(f"Case {summary['id']}  {summary['child'] or ''} (born {summary['birth_date']})")
    echo(
        f"  programs: {summary['programs'] or '-'}   ruleset: {summary['ruleset']}"
        f"   caseworker: {summary['caseworker'] or '-'}   status: {summary['status']}"
        + (
            f" as of {summary['evaluated_as_of']}"
            if basis and summary["status"] in DERIVED_STATUSES
            else ""
        )
    )
    if summary["status"] == "evaluation_failed":
        echo(f"The last evaluation failed; see why with: eirules evaluate --case {case_id}")
    ahead = summary.get("evaluated_as_of")
    if basis and ahead and ahead > today().isoformat():
        # A planning run (`evaluate --as-of` a later day) stored it: say so, or a clock
        # with days left reads as overdue today (`due` counts its days from today).
        note = (
            f"Note: the status and clocks below are as of {ahead}, after today "
            f"({today().isoformat()}); `due` counts days from today; evaluate as of today "
            f"with: eirules evaluate --case {case_id}"
        )
        echo(note)
    if summary["clocks"]:
        echo(f"Clocks {basis or '(latest determination)'}:")
        if summary["status"] == "changed_since_evaluation":
            echo(
                f"  (the case changed since; evaluate it again: eirules evaluate --case {case_id})"
            )
        for c in summary["clocks"]:
            name = c["label"] or c["clock"]
            if c["subject"]:
                name += f" ({c['subject']})"
            echo(f"  {c['due'] or '-':10}  {c['status']:14}  {name}  [{c['citation']}]")
    contacts = (store.case_document(case_id).get("plans") or {}).get("contacts") or []
    if contacts:
        echo("Parent contacts (latest 5; all with `eirules contacts list`):")
        for c in contacts[-5:]:
            outcome = f": {c['outcome']}" if c.get("outcome") else ""
            echo(f"  {c['date']}  {c['method']:8}  {c['person']}  {c['topic']}{outcome}")
    if summary["determinations"]:
        echo("Determinations:")
        for d in summary["determinations"]:
            echo(
                f"  {d['number']:>3}  as of {d['as_of']}  {d['ruleset']} {d['ruleset_version']}"
                f"  {d['engine']}  stored {d['created_at']}"
            )
    elif summary["status"] != "evaluation_failed":
        echo("Not evaluated yet: run eirules evaluate --all")
    if summary["assignments"]:
        echo("Caseworkers:")
        for a in summary["assignments"]:
            echo(
                f"  {a['caseworker']}  from {a['assigned_at']}"
                + (f" to {a['ended_at']}" if a["ended_at"] else " (current)")
            )


def evaluation_basis(summary: dict) -> str | None:
    """ "as of D (determination N ...), ruleset R (VERSION), ENGINE": the evaluation a case's
    status and clock rows are, from the case row (`evaluated_as_of`, `evaluated_with`,
    `clocks_from`); None before any."""
    as_of, made_by = summary.get("evaluated_as_of"), summary.get("evaluated_with")
    if not as_of or not made_by:
        return None
    engine, _, rest = made_by.partition("|")
    ruleset, _, rest = rest.partition("|")
    version = rest.partition("|")[0]  # then, with imported calendars, when they last changed
    which = _which(summary.get("clocks_from"))
    return f"as of {as_of}{which}, ruleset {ruleset} ({version}), {engine}"


def _which(source: dict | None) -> str:
    """ " (determination N ...)": the stored determination the clocks are, and, when it was
    made as of another date, the dates it holds for (`evaluate` moved it without storing)."""
    if not source:
        return ""
    number, made = source["determination"], source["made_as_of"]
    if made == source["as_of"]:
        return f" (determination {number})"
    start, through = source["holds_from"], source["holds_through"]
    if not start:
        return f" (determination {number}, made as of {made}, the same when evaluated again)"
    held = f"from {start} through {through}" if through else f"from {start} on, no end known"
    return f" (determination {number}, made as of {made}, which holds {held})"


def _replay(ctx, store: Store, case_id: str, number: int, fmt: str) -> None:
    result = store.replay(case_id, number)
    if fmt == "json":
        import attrs

        echo_json(attrs.asdict(result))
    else:
        verdict = "the same answer" if result.same else "a DIFFERENT answer"
        echo(f"Replayed determination {number} of case {case_id}: {verdict}.")
        if result.ruleset_source == "stored":
            echo(
                f"  Ruleset {result.ruleset} {result.stored_ruleset_version} rebuilt from the "
                "copy stored in the caseload."
            )
        elif result.stored_ruleset_version != result.current_ruleset_version:
            echo(
                f"  Note: ruleset version {result.stored_ruleset_version} "
                f"{result.ruleset_note}; replayed with the installed version "
                f"{result.current_ruleset_version}."
            )
        if result.stored_engine != result.current_engine:
            echo(
                f"  Note: stored by {result.stored_engine}; replayed with {result.current_engine}."
            )
        for line in result.differences:
            echo(f"  {line}")
    if not result.same:
        ctx.exit(1)


@click.command("export")
@click.argument("case_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=OutputPath(stdout=True),
    help="Write to this file instead of standard output. " + DASH_IS_STDOUT + " " + LINK_REFUSED,
)
@purpose_option
@db_option
@click.pass_context
def cases_export(ctx, case_id, output, purpose, db_path):
    """Print a case as a case file (schema eirules/case@1) that imports back unchanged.

    The file holds the child's personal information (34 CFR 300.610-300.627,
    303.401-303.417): the export is on the case's record of access, with who,
    when and --purpose, and a notice saying so goes to standard error.

    \b
    Example:
        eirules cases export SYN-C-0001 -o SYN-C-0001.json
    """
    document = open_store(ctx, db_path).export_case(case_id, purpose)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    echo(PERSONAL_NOTICE.format(case=case_id), err=True)
    if output:
        write_private(output, text)  # a child's record: owner only, like the rejects file
        echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)  # a case file (JSON escapes controls)


@click.command("destroy")
@click.argument("case_id", metavar="ID")
@click.option(
    "--reason", required=True, type=TEXT, help="Why (no names: the reason stays in the audit log)."
)
@click.option(
    "--permanent-record",
    "record_path",
    type=OutputPath(),
    help="First write the permanent record IDEA lets the agency keep (34 CFR 300.624(b), "
    "303.416(b)) to this JSON file (readable by you only); nothing is destroyed if it "
    "cannot be written.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
@click.pass_context
def cases_destroy(ctx, case_id, reason, record_path, yes, db_path):
    """Destroy a child's records: remove their personal information everywhere, for good.

    For when the parents ask and the information is no longer needed to provide
    services (34 CFR 300.624, 303.416; keep what your state requires first).
    Removes the case, every version of its file, its determinations and clock
    rows, assignments and the content of its audit entries; the audit chain
    stays verifiable (digests and a case.destroyed entry with the reason) and
    the record of access stays. On SQLite the file is vacuumed so the bytes are
    gone. Needs a data manager. Asks for confirmation unless --yes.

    With --permanent-record FILE, the items a permanent record may keep without
    time limit are written to FILE first (Part C: name, date of birth, service
    coordinators, exit data; Part B: name; the items the caseload does not hold
    are listed as such). The read is on the case's record of access.

    \b
    Example:
        eirules cases destroy SYN-C-0001 --reason "parents' request; services ended 2026-01-31"
        eirules cases destroy SYN-C-0001 --reason "..." --permanent-record SYN-C-0001.keep.json
    """
    store = open_store(ctx, db_path)
    store.require_case(case_id)
    store.require("destroy", case_id)
    if not yes and not click.confirm(
        f"Destroy every record of case {case_id}? This cannot be undone", default=False
    ):
        echo("Nothing destroyed.")
        ctx.exit(1)
    if record_path:
        from eirules.core.store.audit import now
        from eirules.plugins.permanent_record import permanent_record

        document = store.export_case(case_id, "permanent record before destruction")
        summary = store.case_summary(case_id)
        coordinators = list(dict.fromkeys(a["caseworker"] for a in summary["assignments"]))
        record = permanent_record(
            document,
            (summary["programs"] or "").split(","),
            coordinators,
            made_at=now(),
            made_by=store.person.login,
        )
        write_private(record_path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        echo(f"Wrote the permanent record of case {case_id} to {record_path}")
    removed = store.destroy_case(case_id, reason)
    echo(
        f"Destroyed case {case_id}: {plural(removed['case_file_versions'], 'case file version')}, "
        f"{plural(removed['determinations'], 'determination')}, "
        f"content of {plural(removed['audit_entries_erased'], 'audit entry')} erased"
    )
    if removed["audit_entries_inline"]:
        echo(
            f"Warning: {plural(removed['audit_entries_inline'], 'audit entry')} written before "
            "eirules kept audit content apart still hold this case's data inside the hash "
            "chain; they cannot be erased without breaking it",
            err=True,
        )


#: The commands cli/cases.py adds to `eirules cases`.
COMMANDS = (cases_show, cases_export, cases_destroy)
