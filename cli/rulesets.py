"""`eirules rulesets`: list, show, validate, diff, new and test rulesets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from eirules.core import ruleset_tools as tools
from eirules.core.errors import InputError, Problem, RulesetError, did_you_mean
from eirules.core.ruleset_new import write_new
from eirules.core.ruleset_tests import run_tests
from eirules.core.ruleset_validate import validate_paths
from eirules.core.rulesets import declared_header, ruleset_folders

from . import get_engine
from .options import DATE, TEXT, as_of_option, format_option
from .output import echo, echo_json, plural
from .output_rows import emit, write_csv
from .output_tables import print_table

_format_option = format_option("json", help="table for people, json for other programs (CI).")


@click.group("rulesets")
def rulesets():
    """Rulesets: the state and federal parameters the rules read.

    \b
    Examples:
        eirules rulesets list
        eirules rulesets show us-mo --resolved
        eirules rulesets diff us us-mo
    """


@rulesets.command("list")
@format_option("json", "csv", help="table for people, json (CI) or csv for other programs.")
@click.pass_context
def list_command(ctx, fmt):
    """List every ruleset found, with what it extends and whether it loads.

    \b
    Example:
        eirules rulesets list --format json
    """
    engine = get_engine(ctx)
    rows = []
    for rid in engine.rulesets.ids():
        folder = engine.rulesets.index[rid]
        try:
            rs = engine.rulesets.get(rid)
            rows.append(
                {
                    "id": rid,
                    "title": rs.title,
                    "extends": rs.extends,
                    "version": rs.full_version,
                    "folder": str(folder),
                    "valid": True,
                    "error": None,
                }
            )
        except RulesetError as exc:
            rows.append(
                {
                    "id": rid,
                    "title": None,
                    "extends": None,
                    "version": None,
                    "folder": str(folder),
                    "valid": False,
                    "error": str(exc),
                }
            )

    def table():
        cells = []
        for r in rows:
            if r["valid"]:
                cells.append([r["id"], r["title"], r["extends"] or "(baseline)", r["version"]])
            else:
                first = r["error"].splitlines()[0]
                fix = f"INVALID: {first} (run: eirules rulesets validate {r['folder']})"
                cells.append([r["id"], fix, "", ""])
        print_table(["id", "title", "extends", "version"], cells, keep=(0,))

    emit(fmt, rows, ("id", "title", "extends", "version", "folder", "valid", "error"), table)


@rulesets.command("show")
@click.argument("ruleset_id")
@click.option(
    "--resolved",
    is_flag=True,
    help="Every parameter, inherited ones too, with value, citation, file and ancestor.",
)
@as_of_option("Show the values in force on this date (YYYY-MM-DD). Default: today.")
@format_option("json", "csv", help="table for people, json (CI) or csv (one row per parameter).")
@click.pass_context
def show(ctx, ruleset_id, resolved, as_of, fmt):
    """Show a ruleset: identity, lineage, and its parameters in force on a date.

    RULESET_ID may also be the path of a ruleset folder (one holding ruleset.toml).
    Without --resolved only the parameters this ruleset declares or sets are shown.

    \b
    Examples:
        eirules rulesets show us-mo
        eirules rulesets show us-mo --resolved --as-of 2026-02-01
    """
    rs = load_ruleset(ctx, ruleset_id)
    on = as_of or date.today()
    info = tools.summary(rs)
    rows = tools.resolved(rs, on, own_only=not resolved)
    if fmt == "json":
        echo_json({**info, "as_of": on.isoformat(), "parameters": rows})
        return
    if fmt == "csv":
        write_csv(rows, SHOW_COLUMNS)
        return
    echo(f"{info['id']}: {info['title']}")
    echo(f"  jurisdiction: {info['jurisdiction'] or '-'}   version: {info['version']}")
    echo(f"  lineage: {' -> '.join(info['lineage'])}")
    echo(f"  folder: {_rel(info['folder'])}")
    if info["calendar"]:
        cal = ", ".join(f"{k}={v}" for k, v in info["calendar"].items())
        echo(f"  calendar: {cal}")
    echo(f"  tests: {info['tests']}")
    scope = "all parameters" if resolved else "parameters set or declared here"
    echo(f"\n{scope.capitalize()}, in force on {on.isoformat()}:")
    for row in rows:
        echo(f"\n  {row['name']}  [{row['type']}{', ' + row['unit'] if row['unit'] else ''}]")
        echo(f"    {row['label']}")
        if row["value"] is None and row.get("text") is None:
            echo(f"    (no value in force; declared by {row['declared_by']})")
            continue
        echo(f"    value: {row['text']}")
        echo(f"    citation: {row['citation']}" + (f"  {row['url']}" if row.get("url") else ""))
        origin = "this ruleset" if row["ruleset"] == rs.id else f"inherited from {row['ruleset']}"
        echo(
            f"    from: {origin}, {_rel(row['file'])} (effective {row['effective']}"
            + (f" until {row['until']}" if row.get("until") else "")
            + ")"
        )
        if row["checked"]:
            echo(f"    checked: {row['checked']}")
        if row.get("note"):
            echo(f"    note: {row['note']}")


@rulesets.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="FOLDER_OR_ID...")
@_format_option
@click.pass_context
def validate(ctx, paths, fmt):
    """Validate ruleset folders: every problem with file, line, key, found and expected.

    Each argument is a ruleset folder (or a folder of them) or the id of an
    installed ruleset (as `rulesets list` shows it), which validates the
    ruleset and every ruleset it extends. Exit status 0 when every ruleset is
    valid, 2 otherwise. Ancestors named by `extends` are found among the given
    folders first, then the usual places.

    \b
    Examples:
        eirules rulesets validate rulesets/us-mo
        eirules rulesets validate us-mo
        eirules rulesets validate my-county/ --format json
    """
    engine = get_engine(ctx)
    results = validate_paths(
        _folders_or_ids(engine, paths),
        engine.rulesets.folders or ruleset_folders(),
        load_case=engine.load_case,
        event_types=engine.event_types,
    )
    ok = all(r.valid for r in results)
    if fmt == "json":
        echo_json({"valid": ok, "rulesets": [r.to_dict() for r in results]})
    else:
        for r in results:
            if r.valid:
                echo(f"valid: {r.id} ({r.path})")
            else:
                echo(
                    f"INVALID: {r.id or r.path} ({plural(len(r.problems), 'problem')})",
                    err=True,
                )
                for p in r.problems:
                    echo(f"  {p}", err=True)
    ctx.exit(0 if ok else 2)


@rulesets.command("diff")
@click.argument("id_a")
@click.argument("id_b")
@as_of_option("Compare the values in force on this date (YYYY-MM-DD). Default: today.")
@click.option(
    "--as-of-b",
    type=DATE,
    default=None,
    help="Date for ID_B when it differs, e.g. to compare one year with the next.",
)
@click.option(
    "--all",
    "include_same",
    is_flag=True,
    help="Also list parameters ID_B sets itself to the same value as ID_A.",
)
@format_option("json", "csv", help="table for people, json (CI) or csv (one row per parameter).")
@click.pass_context
def diff_command(ctx, id_a, id_b, as_of, as_of_b, include_same, fmt):
    """Parameter-by-parameter differences between two rulesets, with citations.

    ID_A and ID_B are ruleset ids or paths of ruleset folders.

    \b
    Examples:
        eirules rulesets diff us us-mo
        eirules rulesets diff us-ca us-ca --as-of 2022-06-30 --as-of-b 2022-07-01
    """
    a, b = load_ruleset(ctx, id_a), load_ruleset(ctx, id_b)
    on_a = as_of or date.today()
    on_b = as_of_b or on_a
    rows = tools.diff(a, b, on_a, on_b, include_same=include_same)
    if fmt == "json":
        echo_json(
            {
                "a": id_a,
                "b": id_b,
                "as_of_a": on_a.isoformat(),
                "as_of_b": on_b.isoformat(),
                "differences": rows,
            }
        )
        return
    if fmt == "csv":
        flat = [
            {
                "name": row["name"],
                "label": row["label"],
                "change": row["change"],
                **{
                    f"{side}_{key}": (row[side] or {}).get(key)
                    for side in ("a", "b")
                    for key in ("text", "citation", "ruleset", "effective")
                },
            }
            for row in rows
        ]
        write_csv(flat, DIFF_COLUMNS)
        return
    label_a = f"{id_a} ({on_a.isoformat()})"
    label_b = f"{id_b} ({on_b.isoformat()})"
    echo(
        f"{label_a} -> {label_b}: {len(rows)} parameter"
        f"{'s differ' if len(rows) != 1 else ' differs'}"
    )
    width = max(len(label_a), len(label_b))
    for row in rows:
        note = " (same value, own source)" if row["change"] == "same_value" else ""
        echo(f"\n{row['name']}{note}\n  {row['label']}")
        for label, side in ((label_a, row["a"]), (label_b, row["b"])):
            if side is None:
                echo(f"  {label:<{width}}  (not declared)")
            elif side["value"] is None and side.get("text") is None:
                echo(f"  {label:<{width}}  (no value)")
            else:
                echo(f"  {label:<{width}}  {side['text']}")
                echo(
                    f"  {'':<{width}}  citation: {side['citation']} "
                    f"[{side['ruleset']}, effective {side['effective']}]"
                )


@rulesets.command("new")
@click.argument("ruleset_id")
@click.option(
    "--extends",
    "parent_id",
    default="us",
    show_default=True,
    help="The ruleset the new one extends.",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder in which to create the ruleset's folder.",
)
@click.option(
    "--title", type=TEXT, default=None, help="Title of the new ruleset (one line of plain text)."
)
@click.pass_context
def new(ctx, ruleset_id, parent_id, folder, title):
    """Write a commented starting ruleset that extends another and validates as written.

    \b
    Example:
        eirules rulesets new us-mo-stl-pilot --extends us-mo --dir ./my-rulesets
    """
    parent = load_ruleset(ctx, parent_id)
    paths = write_new(ruleset_id, parent, Path(folder), title=title)
    for path in paths:
        echo(f"wrote {path}")
    target = paths[0].parent
    echo(f"next: edit {paths[1]}, then run `eirules rulesets validate {target}`")


@rulesets.command("test")
@click.argument("ruleset_id")
@click.option("--verbose", "-v", is_flag=True, help="Also list the expectations that hold.")
@_format_option
@click.pass_context
def test_command(ctx, ruleset_id, verbose, fmt):
    """Run a ruleset's tests/ folder: case files with expected outcomes; report changes.

    RULESET_ID may also be the path of a ruleset folder, such as the one
    `eirules rulesets new` wrote. Exit status 0 when every expectation holds, 1
    when any changed.

    \b
    Examples:
        eirules rulesets test us-mo
        eirules rulesets test ./us-mo-stl-pilot
        eirules --rulesets-dir ./my-rulesets rulesets test us-mo-stl-pilot -v
    """
    engine = get_engine(ctx)
    rs = load_ruleset(ctx, ruleset_id)
    outcomes = run_tests(engine, rs)
    failed = [o for o in outcomes if not o.passed]
    if fmt == "json":
        echo_json(
            {
                "ruleset": rs.id,
                "expectations": len(outcomes),
                "changed": len(failed),
                "results": [o.to_dict() for o in outcomes],
            }
        )
    else:
        for o in outcomes:
            e = o.expectation
            what = f"{e.kind} {e.subject} {e.field}"
            if o.passed:
                if verbose:
                    echo(f"ok       {e.test}  {e.as_of}  {what} = {_show(e.expected)}")
            else:
                echo(
                    f"CHANGED  {e.test}  {e.as_of}  {what}: expected {_show(e.expected)}, "
                    f"got {_show(o.actual)}" + (f" ({o.reason})" if o.reason else "")
                )
        tests = len({o.expectation.test for o in outcomes})
        if not outcomes:
            echo(f"no tests in {rs.folder / tools.TESTS_FOLDER}")
        else:
            echo(
                f"{rs.id}: {plural(tests, 'test')}, {plural(len(outcomes), 'expectation')}, "
                f"{len(failed)} changed"
            )
    ctx.exit(1 if failed else 0)


#: `rulesets show --format csv`: one row per parameter (the value as text, as shown).
SHOW_COLUMNS = (
    "name", "label", "type", "unit", "text", "citation", "url", "effective", "until",
    "ruleset", "file", "declared_by", "floor", "floor_citation", "state_choice", "checked", "note",
)  # fmt: skip
#: `rulesets diff --format csv`: each side's value, citation, ruleset and date.
DIFF_COLUMNS = (
    "name", "label", "change", "a_text", "a_citation", "a_ruleset", "a_effective",
    "b_text", "b_citation", "b_ruleset", "b_effective",
)  # fmt: skip


def _folders_or_ids(engine, args) -> list[str]:
    """Each argument as folders: a path as given, an installed id as its lineage's folders."""
    index = engine.rulesets.index
    out: list[str] = []
    problems = []
    for raw in args:
        if Path(raw).exists():
            out.append(raw)
            continue
        if raw not in index:
            hint = did_you_mean(raw, index)
            problems.append(
                Problem(
                    raw,
                    "is neither an existing folder nor the id of an installed ruleset",
                    (f"{hint[0].upper()}{hint[1:]} Otherwise give" if hint else "Give")
                    + " a ruleset folder, or an id from `eirules rulesets list`",
                )
            )
            continue
        seen: set[str] = set()
        rid: str | None = raw
        while rid is not None and rid in index and rid not in seen:
            seen.add(rid)
            folder = index[rid]
            out.append(_rel(str(folder)))
            parent = declared_header(folder).get("extends")  # {}: validation says why
            rid = parent if isinstance(parent, str) else None
    if problems:
        raise InputError("cannot validate: no such ruleset folder or id", problems)
    return out


def load_ruleset(ctx: click.Context, id_or_folder: str):
    """A ruleset by id, or by the path of its folder (one holding ruleset.toml)."""
    engine = get_engine(ctx)
    folder = Path(id_or_folder)
    if (folder / "ruleset.toml").exists():  # a pipe or a device is refused by name
        return engine.rulesets.load_path(folder)
    try:
        return engine.rulesets.get(id_or_folder)
    except RulesetError as exc:
        if exc.problems or id_or_folder in engine.rulesets.index:
            raise
        raise RulesetError(
            exc.message,
            [
                Problem(
                    id_or_folder,
                    "not a known ruleset id nor a folder holding ruleset.toml",
                    "give the path of its folder, or add its parent folder with --rulesets-dir",
                )
            ],
        ) from None


def _rel(path: str) -> str:
    """A path relative to the current folder when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


def _show(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def register(cli: click.Group) -> None:
    cli.add_command(rulesets)
