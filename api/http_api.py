"""The HTTP JSON API behind `eirules serve`: the engine and the caseload for other systems.

Built on FastAPI (on uvicorn, an ASGI server). Bodies are read by eirules' own
JSON reader and case-file converter, so a case posted over HTTP is checked
exactly as `eirules check` checks a file, and the OpenAPI 3.1 description is
assembled from the JSON Schemas generated from the models (core/schemas.py),
not from a second set of models. Every error is the CLI's
`{"error", "kind", "problems": [{"where", "what", "fix"}]}`; bad input is 4xx.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from eirules.core.convert import determination_to_dict, parse_json
from eirules.core.dates import parse_date, parse_period, range_text
from eirules.core.engine import Engine
from eirules.core.errors import (
    EirulesError,
    InputError,
    Problem,
    RulesetError,
    error_to_dict,
    show_value,
)

# The paths and the batch limit are the API's contract: its OpenAPI document states them.
from .openapi import MAX_BATCH, OPENAPI_PATH, PREFIX, openapi_document

#: Largest request body read (bytes); a caseload batch of a few thousand cases fits.
MAX_BODY = 32 * 1024 * 1024


class HttpError(EirulesError):
    """A request eirules cannot answer as asked (unknown path, method, missing caseload)."""

    def __init__(self, status: int, message: str, problems=(), kind: str | None = None):
        super().__init__(message, problems)
        self.status = status
        self.kind = kind


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _status(exc: EirulesError) -> int:
    from eirules.core.store.people import AccessDenied

    if isinstance(exc, HttpError):
        return exc.status
    if isinstance(exc, AccessDenied):
        return 403  # the token's login may not do this (its role or caseload)
    if isinstance(exc, InputError):
        return 422  # a document that parsed but is not a valid case file, a bad query value
    return 500  # PluginError, RulesetError, StorageError: the server's set-up, not the request


#: The CLI options whose names shared code puts in its problems, and the query parameter
#: each one is over HTTP.
QUERY_NAMES = {
    "--as-of": "as_of",
    "--caseworker": "caseworker",
    "--year": "year",
    "--from": "from",
    "--to": "to",
    "--within": "within",
    "--indicator": "indicator",
    "--by": "by",
    "--children": "children",
    "--ruleset": "ruleset",
}
_OPTION = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, QUERY_NAMES)) + r")(?![\w-])( (?=[0-9\"']))?"
)


def _query_words(text: Any) -> Any:
    """A message naming `--year 2025-26` as the query parameter `year=2025-26`.

    Only the options in QUERY_NAMES are renamed (`eirules serve --db PATH` stays), and
    only a value that follows (a number or a quoted text) becomes `name=value`.
    """
    if not isinstance(text, str) or "--" not in text:
        return text
    return _OPTION.sub(lambda m: QUERY_NAMES[m.group(1)] + ("=" if m.group(2) else ""), text)


def _error_response(exc: EirulesError) -> Response:
    data = error_to_dict(exc)
    # The library's errors name CLI options; over HTTP the same input is a query parameter.
    data["error"] = _query_words(data.get("error"))
    for problem in data.get("problems", ()):
        for key in ("where", "what", "fix"):
            problem[key] = _query_words(problem.get(key))
    if isinstance(exc, HttpError) and exc.kind:
        data["kind"] = exc.kind
    response = _json(data, _status(exc))
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eirules"'
    return response


# Request parts ---------------------------------------------------------------------------


async def _body(request: Request) -> Any:
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


def _as_of(request: Request) -> date:
    return _date_param(request.query_params, "as_of") or date.today()


INDICATOR_CODES = ("C1", "C7", "C8A", "C8B", "C8C", "B11", "B12", "B13")
INDICATOR_UNITS = ("caseworker", "district", "county", "provider")


def _date_param(query, name: str) -> date | None:
    """The one date reader of query parameters: YYYY-MM-DD within the CLI's one date bound."""
    raw = query.get(name)
    if raw is None:
        return None
    day = parse_date(raw)
    if day is None:
        raise InputError(
            f"{name} is not valid",
            [Problem(name, f"{show_value(raw)} is not a date", f"YYYY-MM-DD; {range_text()}")],
        )
    return day


def _whole(request: Request, name: str, *, low: int = 0, high: int = 100_000) -> int | None:
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


def _within(request: Request) -> int | None:
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


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise InputError(
            f"{name} is not valid",
            [Problem(name, f"{show_value(raw)} is not true or false", "expected true or false")],
        )
    return raw in ("true", "1")


def _purpose(request: Request) -> str | None:
    """The stated purpose of a read (query parameter `purpose`), for the record of access."""
    return request.query_params.get("purpose")


def _log_in(store, request: Request) -> None:
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


# The application ------------------------------------------------------------------------


def create_app(engine: Engine | None = None, *, db: str | Path | None = None) -> FastAPI:
    """The HTTP API for one engine and, when `db` is given, one caseload database."""
    from eirules import __version__

    engine = engine or Engine()
    app = FastAPI(
        title="eirules", version=__version__, openapi_url=None, docs_url=None, redoc_url=None
    )

    def ruleset_id(request: Request) -> str | None:
        rid = request.query_params.get("ruleset")
        if rid is not None and rid not in engine.rulesets.ids():
            from eirules.core.errors import did_you_mean

            raise HttpError(
                404,
                f'no ruleset "{rid}"',
                [Problem("ruleset", "not found", did_you_mean(rid, engine.rulesets.ids()))],
                "RulesetError",
            )
        return rid

    def store(request: Request):
        """The caseload, acting as the login the request's bearer token stands for."""
        if db is None:
            raise HttpError(
                404,
                "no caseload database is configured",
                [
                    Problem(
                        "", "this server has no caseload", "start it with eirules serve --db PATH"
                    )
                ],
                "StorageError",
            )
        from eirules.core.store import Store

        s = Store.open(db, engine)
        try:
            _log_in(s, request)
        except BaseException:
            s.close()
            raise
        return s

    @app.exception_handler(EirulesError)
    async def eirules_error(request: Request, exc: EirulesError) -> Response:
        return _error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        what = "no such endpoint" if exc.status_code == 404 else str(exc.detail)
        fix = f"see {OPENAPI_PATH}"
        return _error_response(
            HttpError(
                exc.status_code,
                f"{request.method} {request.url.path}: {what}",
                [Problem("", what, fix)],
                "HttpError",
            )
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return _error_response(
            HttpError(
                500,
                f"internal error: {exc.__class__.__name__}: {exc}",
                [Problem("", "a bug in eirules or a plugin", "report it with the request")],
                "InternalError",
            )
        )

    @app.get(f"{PREFIX}/health")
    async def health() -> Response:
        return _json({"status": "ok", "engine": engine.version, "caseload": db is not None})

    @app.get(OPENAPI_PATH)
    async def openapi() -> Response:
        return _json(openapi_document(engine, __version__))

    @app.get(PREFIX + "/schemas/{kind}")
    async def schema(kind: str) -> Response:
        from eirules.core.schemas import FILES, json_schema

        if kind not in FILES:
            raise HttpError(
                404,
                f'no schema "{kind}"',
                [Problem("kind", "not found", "expected case or determination")],
                "InputError",
            )
        return _json(json_schema(kind, engine))

    @app.post(f"{PREFIX}/check")
    async def check(request: Request) -> Response:
        rid, as_of = ruleset_id(request), _as_of(request)
        case = engine.case_from_dict(
            await _body(request), source="request body", today=date.today()
        )
        return _json(determination_to_dict(engine.evaluate(case, rid, as_of)))

    @app.post(f"{PREFIX}/evaluate")
    async def evaluate(request: Request) -> Response:
        rid, as_of = ruleset_id(request), _as_of(request)
        data = await _body(request)
        cases = data.get("cases") if isinstance(data, dict) else None
        if not isinstance(cases, list) or set(data) - {"cases"}:
            raise InputError(
                "request body is not valid",
                [
                    Problem(
                        "$",
                        f"{show_value(data)} is not a batch",
                        'expected {"cases": [case file, ...]}',
                    )
                ],
            )
        if len(cases) > MAX_BATCH:
            raise InputError(
                "request body is not valid",
                [Problem("cases", f"{len(cases)} cases", f"send at most {MAX_BATCH} per request")],
            )
        results = []
        for i, doc in enumerate(cases):
            cid = (
                doc.get("id") if isinstance(doc, dict) and isinstance(doc.get("id"), str) else None
            )
            try:
                case = engine.case_from_dict(doc, source=f"cases[{i}]", today=date.today())
                det = determination_to_dict(engine.evaluate(case, rid, as_of))
                results.append({"index": i, "case": case.id, "determination": det, "error": None})
            except (InputError, RulesetError) as exc:
                results.append(
                    {"index": i, "case": cid, "determination": None, "error": error_to_dict(exc)}
                )
        refused = sum(r["error"] is not None for r in results)
        return _json({"evaluated": len(results) - refused, "refused": refused, "results": results})

    @app.get(f"{PREFIX}/rulesets")
    async def rulesets() -> Response:
        rows = []
        for rid in engine.rulesets.ids():
            try:
                rs = engine.rulesets.get(rid)
                rows.append(
                    {
                        "id": rid,
                        "title": rs.title,
                        "extends": rs.extends,
                        "version": rs.full_version,
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
                        "valid": False,
                        "error": error_to_dict(exc),
                    }
                )
        return _json(rows)

    @app.get(PREFIX + "/rulesets/{rid}")
    async def ruleset(rid: str, request: Request) -> Response:
        from eirules.core import ruleset_tools as tools

        if rid not in engine.rulesets.ids():
            from eirules.core.errors import did_you_mean

            raise HttpError(
                404,
                f'no ruleset "{rid}"',
                [Problem("id", "not found", did_you_mean(rid, engine.rulesets.ids()))],
                "RulesetError",
            )
        on = _as_of(request)
        rs = engine.rulesets.get(rid)
        rows = tools.resolved(rs, on, own_only=not _flag(request, "resolved"))
        return _json({**tools.summary(rs), "as_of": on.isoformat(), "parameters": rows})

    def open_clocks(request: Request, action: str, **query) -> Response:
        as_of = _as_of(request)
        caseworker = request.query_params.get("caseworker") or None
        s = store(request)
        try:
            # Every owed clock and referral as of the date, failed cases as rows (kind).
            listing = s.due_stream(as_of=as_of, caseworker=caseworker, **query)
            rows = list(s.recorded(listing.rows, f"http {action}", _purpose(request)))
        finally:
            s.close()
        return _json({"as_of": as_of.isoformat(), "clocks": rows})

    @app.get(f"{PREFIX}/due")
    async def due(request: Request) -> Response:
        return open_clocks(request, "due", within_days=_within(request))

    @app.get(f"{PREFIX}/overdue")
    async def overdue(request: Request) -> Response:
        return open_clocks(request, "overdue", overdue_only=True)

    @app.get(f"{PREFIX}/indicators")
    async def indicators(request: Request) -> Response:
        """The SPP/APR indicators over the caseload, as `eirules indicators --format json`."""
        from eirules.plugins.indicators.api import HTTP_NAMES, period_of, settings_lookup
        from eirules.plugins.indicators.registry import compute
        from eirules.plugins.indicators.sources import store_scope, stored_facts

        q = request.query_params
        period = period_of(q.get("year"), _date_param(q, "from"), _date_param(q, "to"), HTTP_NAMES)
        codes = [c.upper() for c in q.getlist("indicator")]
        unknown = [c for c in codes if c not in INDICATOR_CODES]
        by = q.get("by")
        if unknown or (by is not None and by not in INDICATOR_UNITS):
            where, found, choices = (
                ("indicator", unknown[0], INDICATOR_CODES)
                if unknown
                else ("by", by, INDICATOR_UNITS)
            )
            raise InputError(
                f"{where} is not valid",
                [
                    Problem(
                        where,
                        f"{show_value(found)} is not known",
                        f"expected one of: {', '.join(choices)}",
                    )
                ],
            )
        children = _flag(request, "children")
        s = store(request)
        try:
            s.require("report")
            report = compute(
                stored_facts(s.conn, scope=store_scope(s)),
                period,
                settings_lookup(engine, period.end),
                codes=codes or None,
                by=by,
                children=children,
            )
            if children:  # the list of children is a read of their records
                late = [i.case_id for r in report.indicators for i in r.late]
                s.record_reads(late, "http indicators drill-down", _purpose(request))
        finally:
            s.close()
        return _json(report.as_dict(children=children))

    @app.get(PREFIX + "/cases/{case_id}/history")
    async def history(case_id: str, request: Request) -> Response:
        s = store(request)
        try:
            try:
                s.opened(case_id, "http history", _purpose(request))
                summary = s.case_summary(case_id)
            except InputError as exc:
                raise HttpError(404, exc.message, exc.problems, "InputError") from None
            # The audit log is for data managers and auditors (`people.ACTIONS`): null otherwise.
            summary["audit"] = s.audit_log(case_id) if s.allowed("audit") else None
        finally:
            s.close()
        return _json(summary)

    return app
