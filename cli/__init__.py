"""The `eirules` command: one click group; each command calls one or two library functions."""

from __future__ import annotations

import importlib
import sys

import click

from eirules.core.errors import EirulesError

from .errors import handle_errors, show_click_error, show_interrupted
from .output_options import InputPath

#: Command modules shipped with eirules; each defines `register(cli)`.
COMMAND_MODULES = (
    "eirules.cli.check",
    "eirules.cli.serve",
    "eirules.cli.rulesets",
    "eirules.cli.db",
    "eirules.cli.cases",
    "eirules.cli.due",
    "eirules.cli.caseload",
    "eirules.cli.audit",
    "eirules.cli.mtss",
    "eirules.cli.indicators",
    "eirules.cli.calendars",
    "eirules.cli.staff",
    "eirules.cli.plans",
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class EirulesGroup(click.Group):
    """Runs every command inside the one error handler (cli/errors.py): no traceback reaches a user.

    Commands load lazily: a command module (and a plugin's commands) is imported
    only when a command it holds is asked for, so `eirules check` never imports
    the caseload store or the MTSS graphs (start-up time, benchmarks/startup.py).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending = list(COMMAND_MODULES)
        self._plugins_loaded = False

    def _load_next(self) -> bool:
        """Import one more command module (the plugins' commands last); False when none is left."""
        if self._pending:
            importlib.import_module(self._pending.pop(0)).register(self)
            return True
        if not self._plugins_loaded:
            self._plugins_loaded = True
            _register_plugin_commands(self)
            return True
        return False

    def get_command(self, ctx, cmd_name):
        while cmd_name not in self.commands and self._load_next():
            pass
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        while self._load_next():
            pass
        return super().list_commands(ctx)

    def invoke(self, ctx):
        with handle_errors(ctx):
            return super().invoke(ctx)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Click's own usage errors (a missing argument, a bad option value) go through the
        one error printer too (`show_click_error`), so they fit the reader's width.

        Ctrl-C (click makes it an Abort) ends every command the same way, here:
        "Interrupted." and exit status 130 (`show_interrupted`). An Abort of
        another kind (a prompt declined, end of input) stays click's "Aborted!", 1.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            show_click_error(exc)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                show_interrupted()
            show_click_error(None)
            sys.exit(1)
        except KeyboardInterrupt:  # outside click's own catching (shell completion)
            show_interrupted()
        # Without standalone mode click returns a command's ctx.exit(N) as N.
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=EirulesGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="eirules", message="eirules %(version)s")
@click.option(
    "--rulesets-dir",
    "rulesets_dirs",
    multiple=True,
    type=InputPath(file_okay=False, exists=True, folder=()),  # no output replaces a ruleset
    envvar="EIRULES_RULESETS_DIR",
    help="Extra folder of rulesets, searched before the shipped ones (repeatable).",
)
@click.option(
    "--calendars-dir",
    type=InputPath(file_okay=False, folder=(".toml",)),
    envvar="EIRULES_CALENDARS_DIR",
    default=None,
    help="Folder of imported district school calendars (eirules calendars import). "
    "Default: $EIRULES_CALENDARS_DIR, else ~/.local/share/eirules/calendars.",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar="EIRULES_DEBUG",
    help="On an unexpected error, show the Python traceback (for a bug report) "
    "instead of one Error: line. Also $EIRULES_DEBUG=1.",
)
@click.pass_context
def cli(ctx, rulesets_dirs, calendars_dir, debug):
    """Rules engine for early intervention and special education case management.

    \b
    Examples:
        eirules demo
        eirules check examples/mo-0001.json --as-of 2026-02-01
        eirules rulesets show us-mo --resolved
    """
    ctx.ensure_object(dict)
    ctx.obj["rulesets_dirs"] = rulesets_dirs
    ctx.obj["calendars_dir"] = calendars_dir
    ctx.obj["debug"] = debug


def get_engine(ctx: click.Context):
    """The engine for this command, built once per invocation."""
    from eirules.core.engine import Engine

    root = ctx.find_root()
    root.ensure_object(dict)
    engine = root.obj.get("engine")
    if engine is None:
        from eirules.core.calendars import default_calendars_dir

        engine = Engine(
            ruleset_dirs=root.obj.get("rulesets_dirs", ()),
            calendars_dir=root.obj.get("calendars_dir") or default_calendars_dir(),
        )
        root.obj["engine"] = engine
    return engine


def _register_plugin_commands(cli: click.Group) -> None:
    from eirules.core.plugin_manager import get_plugin_manager

    try:
        pm = get_plugin_manager()
    except EirulesError:
        return  # a plugin that cannot load is reported by the command that needs it (exit 1)
    try:
        pm.hook.register_commands(cli=cli)
    except Exception as exc:  # a broken plugin must not take the CLI down
        from eirules.core.engine import _raising_plugin

        name = _raising_plugin(pm.hook.register_commands, exc)
        click.echo(
            f'Error: plugin "{name}" failed in register_commands: {exc.__class__.__name__}: {exc}',
            err=True,
        )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="eirules")
