"""Commands for this area are added by the issue that builds them."""

import click


def register(cli: click.Group) -> None:
    return None
