"""Which Host headers `eirules serve` answers: the defence against DNS rebinding.

A web page the user opens can make its own domain name resolve to 127.0.0.1 after
it loaded (DNS rebinding); the browser then sends the page's requests to the local
server as same-origin requests, and the page reads the answers: the caseload's
children, by name. Every such request carries the attacker's name in its Host
header. So the server answers only a Host that is an IP address (a browser that
typed the address has that address as its origin), `localhost`, or a name the
operator allowed (`eirules serve --allowed-host NAME`, e.g. the name an HTTPS proxy
forwards); any other Host gets 421 Misdirected Request in the API's error shape,
before any endpoint runs. A request with no Host header (HTTP/1.0) cannot come
from a browser page and is answered.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from eirules.core.errors import Problem, error_to_dict, show_value

from .http_requests import HttpError

Scope = dict[str, Any]
#: A host name as DNS spells one (letters, digits, hyphens, dots): safe to suggest back.
_PLAIN_NAME = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]


def host_name(header: str) -> str:
    """The name or address of a Host header, without its port, lower case, no final dot:
    "Example.ORG.:8000" -> "example.org", "[::1]:8000" -> "::1"."""
    header = header.strip()
    if header.startswith("["):  # an IPv6 literal, "[::1]" or "[::1]:8000"
        return header[1 : header.find("]")] if "]" in header else header
    name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    return name.rstrip(".").lower()


def is_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """True when a request with this Host header is answered (see the module's doc)."""
    if header is None:
        return True
    name = host_name(header)
    if name == "localhost" or name in allowed:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def allowed_names(names: Iterable[str]) -> frozenset[str]:
    """Operator-given names as `is_allowed` compares them."""
    return frozenset(host_name(n) for n in names if n.strip())


class HostCheck:
    """ASGI middleware: refuse a request whose Host header `is_allowed` refuses."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next(
            (v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None
        )
        if is_allowed(header, self.allowed):
            await self.app(scope, receive, send)
            return
        await _refuse(header or "", send)


async def _refuse(header: str, send: Callable) -> None:
    name = host_name(header)
    error = HttpError(
        421,
        f"this server does not answer for the host name {show_value(header, 80)}",
        [
            Problem(
                "Host",
                "not this machine's address, localhost or an allowed name (a web page "
                "pointing its own domain at this server is refused: DNS rebinding)",
                "connect by address or as localhost, or start the server with "
                f"eirules serve --allowed-host {name if _PLAIN_NAME.fullmatch(name) else 'NAME'}",
            )
        ],
        "HttpError",
    )
    body = json.dumps(error_to_dict(error)).encode("ascii")
    await send(
        {
            "type": "http.response.start",
            "status": 421,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
