"""`eirules serve`: the HTTP JSON API (docs/http-api.md) on uvicorn."""

from __future__ import annotations

import ipaddress
import socket

import click

from eirules.core.errors import InputError, Problem

from . import get_engine
from .options import TEXT


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one (the URL printed says which)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it a keep-alive client waits ~40 ms per request (Nagle with delayed ACKs).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"cannot listen on {host}:{port}",
            [
                Problem(
                    "--host/--port", exc.strerror or str(exc), "choose another port (0: any free)"
                )
            ],
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Only this machine can connect unless you name another "
    "address (e.g. 0.0.0.0); traffic is not encrypted, so put it behind an HTTPS proxy.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one (the URL printed says which).",
)
@click.option(
    "--db",
    "db_path",
    envvar="EIRULES_DB",
    default=None,
    help="Caseload database (an SQLite file or a postgresql:// URL) for /v1/due, /v1/overdue, "
    "/v1/indicators and /v1/cases/ID/history. Default: $EIRULES_DB; without it those answer "
    "404. Requests to them need a staff token (eirules staff token LOGIN) once the caseload "
    "has a staff list.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    type=TEXT,
    help="A host name the server answers besides its IP addresses and localhost "
    "(repeatable), e.g. the name an HTTPS proxy forwards. Requests naming any other host "
    "get 421: a web page that points its own domain at this server (DNS rebinding) "
    "cannot read the caseload.",
)
@click.pass_context
def serve(ctx, host, port, db_path, allowed_hosts):
    """Serve the HTTP JSON API: check cases, evaluate batches, read rulesets and the caseload.

    The OpenAPI 3.1 description is at /v1/openapi.json; docs/http-api.md lists the
    endpoints. Errors are {"error", "kind", "problems": [{"where", "what", "fix"}]}
    as in the CLI, with 4xx status codes for bad input. The caseload endpoints act
    as the staff login of the request's bearer token (Authorization: Bearer TOKEN,
    made by `eirules staff token`), and each read is on the record of access
    (purpose= in the query). Stop it with Ctrl+C.

    \b
    Examples:
        eirules serve
        eirules serve --port 8080 --db caseload.db
        curl -s -X POST --data @examples/mo-0001.json \\
            'http://127.0.0.1:8000/v1/check?as_of=2026-02-01'
    """
    import uvicorn

    from eirules.http_api import create_app

    if db_path:
        from eirules.core.store import Store

        from .store import db_path_of

        db = db_path_of(db_path)
        Store.open(db, None).close()  # a missing or unreadable caseload fails now, not per request
    else:
        db = None
    engine = get_engine(ctx)
    engine.rulesets.ids()  # a broken ruleset folder or plugin fails now, not on a request
    names = [*allowed_hosts]
    if not _is_ip(host):
        names.append(host)  # --host my-server.lan: its own name is answered
    app = create_app(engine, db=db, allowed_hosts=names)
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    if not _is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, reachable from other machines; eirules serve "
            "does not encrypt traffic: put it behind an HTTPS proxy.",
            err=True,
        )
    click.echo(f"eirules serve: listening on http://{shown}:{bound}  (Ctrl+C stops it)", err=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


def register(cli: click.Group) -> None:
    cli.add_command(serve)
