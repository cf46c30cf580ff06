"""`eirules check` and `eirules plugins`: one case, and what is loaded."""

from __future__ import annotations

from datetime import date

import click

from eirules.core.convert import determination_to_dict, parse_json
from eirules.core.errors import EirulesError, error_to_dict
from eirules.core.input_files import check_input, read_stdin
from eirules.core.plugin_manager import plugin_info

from . import get_engine
from .options import DATE as DATE
from .options import DateType as DateType
from .options import as_of_option as _as_of_option
from .options import format_option
from .output import echo, echo_json
from .output_options import InputPath
from .output_rows import emit
from .output_tables import print_table
from .render import render_determination

# DATE and as_of_option stay importable from here for plugins' commands that used them.
as_of_option = _as_of_option()


@click.command()
@click.argument("case_file", type=InputPath(dir_okay=False, allow_dash=True))
@click.option(
    "--ruleset",
    "ruleset_id",
    help="Ruleset id (see `eirules rulesets list`); overrides the case file's `ruleset`.",
)
@as_of_option
@format_option("json", help="table for case managers, json for other programs.")
@click.pass_context
def check(ctx, case_file, ruleset_id, as_of, fmt):
    """Check one case file: eligibility, clocks, referrals, with reasons and citations.

    CASE_FILE is a case file (docs/case-file.md), or - to read one from standard
    input: an ordinary file (not a device or a pipe) of at most 32 MiB. The table output says what is due next, each program's eligibility and
    why, every clock with its due date and citation, referrals to make and the
    findings behind them; the JSON output is the stable determination
    (docs/determination.md). The same file, ruleset version and as-of date always
    give the same output.

    Exit status: 0 when the case was evaluated, 2 when the file is not valid
    or --as-of is before the dates the ruleset covers, 1 when a ruleset or
    plugin problem stopped the evaluation. An --as-of before the child's birth
    is answered with a warning on stderr (and a finding in the JSON). With --format json
    a problem is also written to stdout as {"error": ..., "problems": [{"where",
    "what", "fix"}]}.

    \b
    Examples:
        eirules check examples/mo-0001.json --as-of 2026-02-01
        eirules check examples/mo-0001.json --ruleset us-mo --format json
        cat examples/mo-0001.json | eirules check - --as-of 2026-02-01
    """
    engine = get_engine(ctx)
    try:
        if case_file == "-":
            data = read_stdin()  # bytes, bounded: the one JSON reader checks the encoding
            case = engine.case_from_dict(
                parse_json(data, source="stdin"), source="stdin", today=date.today()
            )
        else:
            check_input(case_file, expected="a case file", dash=True)
            case = engine.load_case(case_file, today=date.today())
        determination = engine.evaluate(case, ruleset_id, as_of or date.today())
        data = determination_to_dict(determination) if fmt == "json" else None
    except EirulesError as exc:
        if fmt == "json":  # other programs get the problems as data too
            echo_json(error_to_dict(exc))
        raise
    for finding in determination.findings:
        if finding.outcome == "warning":  # e.g. an as-of date before the child's birth
            echo(f"Warning: {finding.reason}", err=True)
    if data is not None:
        echo_json(data)
    else:
        echo(render_determination(determination, case))


@click.command("plugins")
@format_option("json", "csv")
@click.pass_context
def plugins_command(ctx, fmt):
    """List loaded plugins with their versions and the hooks they implement.

    Built-in plugins show the eirules version; installed ones (entry-point group
    `eirules`) show their own package and version. Set EIRULES_TRACE_PLUGINS=1 on
    any command to print every hook call on stderr.

    \b
    Examples:
        eirules plugins
        eirules plugins --format json
    """
    info = plugin_info(get_engine(ctx).pm)
    if fmt == "json":
        echo_json(info)
        return
    rows = [{**item, "hooks": " ".join(item["hooks"])} for item in info]

    def table():
        print_table(
            ["plugin", "package", "version", "hooks"],
            [[r["name"], r["package"], r["version"], r["hooks"] or "(none)"] for r in rows],
            keep=(0,),
        )

    emit(fmt, rows, ("name", "package", "version", "hooks"), table)


def register(cli: click.Group) -> None:
    cli.add_command(check)
    cli.add_command(plugins_command)
