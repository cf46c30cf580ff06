"""The MTSS data folder as the MTSS commands take it: the --dir option, loading, parameters.

Shared by cli/mtss.py (groups, progress, mtss import and screening) and
cli/mtss_pages.py (the printed pages), so neither imports the other's commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import get_engine
from .options import as_of_option, format_option
from .output_options import InputPath, note_input

FORMAT = format_option("json")
AS_OF = as_of_option("Decide as of this date (YYYY-MM-DD). Default: today.")


def _default_dir_read(ctx: click.Context, param: click.Parameter, value: str | None):
    """Without --dir, the folder read ($EIRULES_MTSS_DIR or the bundled school) is noted
    too, so no page or file the command writes replaces one of its files."""
    if value is None and not ctx.resilient_parsing:
        from eirules.plugins.mtss import datadir

        note_input(ctx, datadir.default_dir(), "--dir", folder=())
    return value


def _dir_option(f):
    return click.option(
        "--dir",
        "data_dir",
        type=InputPath(file_okay=False, folder=()),  # every file in it is the school's data
        callback=_default_dir_read,
        default=None,
        help="MTSS data folder (school.json + students/). Default: $EIRULES_MTSS_DIR, else the bundled fictional school.",
    )(f)


def _load(ctx, data_dir):
    from eirules.plugins.mtss import datadir

    engine = get_engine(ctx)
    data = datadir.load(Path(data_dir) if data_dir else datadir.default_dir(), engine)
    return engine, data


def _params(engine, data, as_of):
    from eirules.plugins.mtss.params import params_for

    return params_for(engine.rulesets.get(data.school.ruleset), as_of)
