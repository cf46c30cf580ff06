"""The MTSS data folder as the MTSS commands take it: the --dir option, loading, parameters.

Shared by cli/mtss.py (groups, progress, mtss import and screening) and
cli/mtss_pages.py (the printed pages), so neither imports the other's commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import get_engine
from .options import as_of_option, format_option

FORMAT = format_option("json")
AS_OF = as_of_option("Decide as of this date (YYYY-MM-DD). Default: today.")


def _dir_option(f):
    return click.option(
        "--dir",
        "data_dir",
        type=click.Path(file_okay=False),
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
