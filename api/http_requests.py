"""The parts of an HTTP request the API reads: its body, its query parameters, its log-in.

Each reader refuses bad input as the CLI does (an InputError naming the query
parameter, what was found and what was expected), or with an `HttpError` that
carries its status (a body too large, not UTF-8 or empty; no or a bad token).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from fastapi import Request

from eirules.core.convert import parse_json
from eirules.core.dates import parse_date, parse_period, why_not_a_date
from eirules.core.errors import (
    EirulesError,
    InputError,
    Problem,
    show_value,
)
from eirules.core.text import text_problem

#: Largest request body read (bytes); a caseload batch of a few thousand cases fits.
MAX_BODY = 32 * 1024 * 1024


class HttpError(EirulesError):
    """A request eirules cannot answer as asked (unknown path, method, missing caseload)."""

    def __init__(self, status: int, message: str, problems=(), kind: str | None = None):
        super().__init__(message, problems)
        self.status = status
        self.kind = kind


async def body(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise HttpError(413, "request body too large", [_limit_problem()], "InputError")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise HttpError(413, "request body too large", [_limit_problem()], "InputError")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(
            400,
            "request body is not UTF-8 text",
            [Problem(f"byte {exc.start}", "not UTF-8", "send the JSON as UTF-8")],
            "InputError",
        ) from None
    if not text.strip():
        raise HttpError(
            400,
            "request body is empty",
            [Problem("$", "no JSON", "send a JSON document")],
            "InputError",
        )
    try:
        return parse_json(text, source="request body")
    except InputError as exc:  # not JSON at all: 400; JSON that is not a case file: 422
        raise HttpError(400, exc.message, exc.problems, "InputError") from None


def _limit_problem() -> Problem:
    return Problem("$", f"more than {MAX_BODY} bytes", "send fewer cases per request")


#: Query parameters that may be given more than once (`indicator=C7&indicator=B11`).
REPEATABLE = frozenset({"indicator"})


def each_once(request: Request) -> None:
    """Refuse a query parameter given more than once (but REPEATABLE ones): reading the
    last of two `as_of` or `purpose` values would answer a question not asked. Runs
    before every endpoint (an app-wide dependency), so each reader may use `.get`."""
    given = Counter(name for name, _ in request.query_params.multi_items())
    twice = sorted(n for n, count in given.items() if count > 1 and n not in REPEATABLE)
    if twice:
        raise InputError(
            "a query parameter is given more than once",
            [Problem(n, f"given {given[n]} times", f"give {n} once") for n in twice],
        )


def as_of(request: Request) -> date:
    return date_param(request.query_params, "as_of") or date.today()


def date_param(query, name: str) -> date | None:
    """The one date reader of query parameters: YYYY-MM-DD within the CLI's one date bound."""
    raw = query.get(name)
    if raw is None:
        return None
    day = parse_date(raw)
    if day is None:
        raise InputError(
            f"{name} is not valid", [Problem(name, f"{show_value(raw)} {why_not_a_date(raw)}")]
        )
    return day


def whole(request: Request, name: str, *, low: int = 0, high: int = 100_000) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InputError(
            f"{name} is not valid",
            [
                Problem(
                    name, f"{show_value(raw)} is not a whole number", f"expected {low} to {high}"
                )
            ],
        )
    return int(raw)


def within(request: Request) -> int | None:
    """`within`, read as `eirules due --within` reads it: 14d, 2w, 30 (days) or all."""
    raw = request.query_params.get("within")
    if raw is None or raw == "":
        return None
    try:
        return parse_period(raw)
    except ValueError as exc:
        raise InputError(
            "within is not valid",
            [Problem("within", str(exc), "give days (30 or 14d), weeks (2w) or all")],
        ) from None


def flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise InputError(
            f"{name} is not valid",
            [Problem(name, f"{show_value(raw)} is not true or false", "expected true or false")],
        )
    return raw in ("true", "1")


def purpose(request: Request) -> str | None:
    """The stated purpose of a read (query parameter `purpose`), for the record of access:
    held to the check every way into the caseload applies (`text.text_problem`, as the
    CLI's --purpose is), so the record of access, a legal record, holds plain text."""
    raw = request.query_params.get("purpose")
    if raw is not None and (found := text_problem(raw)) is not None:
        raise InputError("purpose is not valid", [Problem("purpose", *found)])
    return raw


def log_in(store, request: Request) -> None:
    """Act as the staff login the bearer token stands for (`eirules staff token`).

    A caseload with no staff list yet belongs to whoever runs the server (as on
    the command line), so a request without a token is theirs; once it has a
    staff list, every caseload request needs a valid token.
    """
    header = request.headers.get("authorization")
    if header is None:
        if store.conn.execute("SELECT 1 FROM staff LIMIT 1").fetchone() is None:
            return
        raise HttpError(
            401,
            "this caseload needs a log-in",
            [
                Problem(
                    "Authorization",
                    "no bearer token sent",
                    "send Authorization: Bearer TOKEN; a data manager makes one with: "
                    "eirules staff token LOGIN",
                )
            ],
            "AccessDenied",
        )
    scheme, _, token = header.partition(" ")
    login = store.login_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if login is None:
        raise HttpError(
            401,
            "the token is not valid",
            [
                Problem(
                    "Authorization",
                    "not a bearer token this caseload knows (unknown, expired, revoked, or "
                    "its login left the staff list)",
                    "ask a data manager for a new one: eirules staff token LOGIN",
                )
            ],
            "AccessDenied",
        )
    store.as_login(login)
