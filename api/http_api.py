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
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from eirules.core.convert import determination_to_dict
from eirules.core.engine import Engine
from eirules.core.errors import (
    EirulesError,
    InputError,
    Problem,
    RulesetError,
    UnknownRuleset,
    error_to_dict,
    show_value,
)

from . import http_requests as req
from .http_requests import HttpError

# The paths and the batch limit are the API's contract: its OpenAPI document states them.
from .openapi import MAX_BATCH, OPENAPI_PATH, PREFIX, openapi_document


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status, media_type="application/json")


def _status(exc: EirulesError) -> int:
    from eirules.core.store.people import AccessDenied

    if isinstance(exc, HttpError):
        return exc.status
    if isinstance(exc, AccessDenied):
        return 403  # the token's login may not do this (its role or caseload)
    if isinstance(exc, InputError | UnknownRuleset):
        return 422  # a document that parsed but is not a valid case file, a bad query value
    return 500  # PluginError, RulesetError, StorageError: the server's set-up, not the request


#: The CLI options whose names shared code puts in its problems, and the query parameter
#: each one is over HTTP.
QUERY_NAMES = {
    "--as-of": "as_of",
    "--caseworker": "caseworker",
    "--unassigned": "unassigned",
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


INDICATOR_CODES = ("C1", "C7", "C8A", "C8B", "C8C", "B11", "B12", "B13")
INDICATOR_UNITS = ("caseworker", "district", "county", "provider")


# The application ------------------------------------------------------------------------


def create_app(
    engine: Engine | None = None,
    *,
    db: str | Path | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """The HTTP API for one engine and, when `db` is given, one caseload database.

    `allowed_hosts` turns on the Host check against DNS rebinding (api/http_hosts.py):
    only an IP address, localhost or one of these names is answered. `eirules serve`
    always passes it (its --allowed-host names); an application that serves this app
    itself should too (None: no check, e.g. behind a proxy that does its own).
    """
    from eirules import __version__

    engine = engine or Engine()
    app = FastAPI(
        title="eirules",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(req.each_once)],
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
            req.log_in(s, request)
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
        rid, as_of = ruleset_id(request), req.as_of(request)
        case = engine.case_from_dict(
            await req.body(request), source="request body", today=date.today()
        )
        return _json(determination_to_dict(engine.evaluate(case, rid, as_of)))

    @app.post(f"{PREFIX}/evaluate")
    async def evaluate(request: Request) -> Response:
        rid, as_of = ruleset_id(request), req.as_of(request)
        data = await req.body(request)
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
        on = req.as_of(request)
        rs = engine.rulesets.get(rid)
        rows = tools.resolved(rs, on, own_only=not req.flag(request, "resolved"))
        return _json({**tools.summary(rs), "as_of": on.isoformat(), "parameters": rows})

    def open_clocks(request: Request, action: str, **query) -> Response:
        as_of = req.as_of(request)
        from eirules.core.store.listing_scope import listing_caseworker

        caseworker = listing_caseworker(
            request.query_params.get("caseworker") or None, req.flag(request, "unassigned")
        )
        s = store(request)
        try:
            # Every owed clock and referral as of the date, failed cases as rows (kind).
            listing = s.due_stream(as_of=as_of, caseworker=caseworker, **query)
            rows = list(s.recorded(listing.rows, f"http {action}", req.purpose(request)))
        finally:
            s.close()
        return _json({"as_of": as_of.isoformat(), "clocks": rows})

    @app.get(f"{PREFIX}/due")
    async def due(request: Request) -> Response:
        return open_clocks(request, "due", within_days=req.within(request))

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
        period = period_of(
            q.get("year"), req.date_param(q, "from"), req.date_param(q, "to"), HTTP_NAMES
        )
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
        children = req.flag(request, "children")
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
                s.record_reads(
                    report.named_cases(), "http indicators drill-down", req.purpose(request)
                )
        finally:
            s.close()
        return _json(report.as_dict(children=children))

    # `:path`: a case id may hold "/" (sent as %2F, which the server decodes before routing).
    @app.get(PREFIX + "/cases/{case_id:path}/history")
    async def history(case_id: str, request: Request) -> Response:
        purpose = req.purpose(request)  # a bad purpose is 422, before the case is looked up
        s = store(request)
        try:
            try:
                s.opened(case_id, "http history", purpose)
                summary = s.case_summary(case_id)
            except InputError as exc:
                raise HttpError(404, exc.message, exc.problems, "InputError") from None
            # The audit log is for data managers and auditors (`people.ACTIONS`): null otherwise.
            summary["audit"] = s.audit_log(case_id) if s.allowed("audit") else None
        finally:
            s.close()
        return _json(summary)

    if allowed_hosts is not None:
        from .http_hosts import HostCheck, allowed_names

        app.add_middleware(HostCheck, allowed=allowed_names(allowed_hosts))
    return app
