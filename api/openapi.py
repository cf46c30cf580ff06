"""The OpenAPI 3.1 description of `eirules serve`, assembled from the generated JSON Schemas.

OpenAPI 3.1 uses JSON Schema draft 2020-12, so the case-file and determination
schemas (core/schemas.py) go in as they are; only their `$defs` move to
`components/schemas`. A client generated from this document sends exactly the
case files `eirules check` reads.
"""

from __future__ import annotations

import json
from typing import Any

from eirules.core.schemas import case_schema, determination_schema

#: The API's paths begin with its version; the document itself is served at OPENAPI_PATH.
PREFIX = "/v1"
OPENAPI_PATH = f"{PREFIX}/openapi.json"
#: Most case files in one POST /v1/evaluate (the document states it as maxItems).
MAX_BATCH = 5000

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

ERROR = {
    "description": "Every error: the message, its kind, and one entry per problem (as the CLI).",
    "type": "object",
    "properties": {
        "error": _TEXT,
        "kind": {
            "description": "InputError (bad input), RulesetError, StorageError, PluginError, "
            "HttpError (unknown path or method) or InternalError.",
            "type": "string",
        },
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"where": _TEXT, "what": _TEXT, "fix": _NULLABLE_TEXT},
                "required": ["where", "what", "fix"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["error", "kind", "problems"],
    "additionalProperties": False,
}

_RULESET_ROW = {
    "type": "object",
    "properties": {
        "id": _TEXT,
        "title": _NULLABLE_TEXT,
        "extends": _NULLABLE_TEXT,
        "version": _NULLABLE_TEXT,
        "valid": {"type": "boolean"},
        "error": {"anyOf": [{"$ref": "#/components/schemas/Error"}, {"type": "null"}]},
    },
    "required": ["id", "title", "extends", "version", "valid", "error"],
}

_NULLABLE_DATE = {**_DATE, "type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
#: One row of `due`/`overdue`, as the store lists it (core/store/listing.py). Every key is
#: always present; a value is null where the row has none (tests/test_openapi_rows.py holds
#: the schema to every kind of row a caseload lists).
_OPEN_CLOCK = {
    "description": "An open clock, a referral to make, or a case whose evaluation failed, "
    "from a case's latest determination.",
    "type": "object",
    "properties": {
        "kind": {"enum": ["clock", "referral", "evaluation_failed"]},
        "due": {
            **_NULLABLE_DATE,
            "description": "Null for a clock due as soon as possible, one the ruleset "
            "cannot date (status needs_information), and a failed evaluation.",
        },
        "days_left": {**_NULLABLE_INT, "description": "Negative when overdue; null with due."},
        "case_id": _TEXT,
        "child": _NULLABLE_TEXT,
        "program": {**_NULLABLE_TEXT, "description": "Null for a failed evaluation."},
        "clock": {**_NULLABLE_TEXT, "description": "Null for a failed evaluation."},
        "label": _NULLABLE_TEXT,
        "subject": _NULLABLE_TEXT,
        "status": _TEXT,
        "citation": {**_NULLABLE_TEXT, "description": "Null for a failed evaluation."},
        "caseworker": _NULLABLE_TEXT,
        "reason": _NULLABLE_TEXT,
        "fix": {**_NULLABLE_TEXT, "description": "What to do, for a failed evaluation."},
        "evaluated_as_of": {**_NULLABLE_DATE, "description": "Null for a failed evaluation."},
        # The day a clock closed unmet and late, or a referral closed not made (still listed:
        # decisions.is_outstanding, referral_is_outstanding); days_left stops there.
        "closed_on": _NULLABLE_DATE,
    },
    "required": ["kind", "due", "case_id", "program", "clock", "status", "citation"],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _moved(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema with its $defs moved into components (refs rewritten to match)."""
    schema = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    text = json.dumps(schema).replace('"#/$defs/', '"#/components/schemas/')
    moved = json.loads(text)
    for name, sub in moved.pop("$defs", {}).items():
        if name in components and components[name] != sub:
            raise ValueError(f"two schemas named {name}")
        components[name] = sub
    return moved


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _json_body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {
        400: "The body is not JSON (or not UTF-8, or empty).",
        404: "Unknown ruleset, case or path, or no caseload database configured.",
        401: "The caseload has a staff list and the request has no valid bearer token "
        "(`Authorization: Bearer TOKEN`, made by `eirules staff token LOGIN`).",
        403: "The token's login may not do this (their role or caseload).",
        413: "The body is too large.",
        422: "The JSON is not a valid case file or a query value is not valid; "
        "every problem is listed.",
        500: "A problem in the server's rulesets, plugins or database.",
    }
    return {str(c): _json_body(_ref("Error"), words[c]) for c in codes}


def openapi_document(engine: Any, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document for this engine's vocabulary and plugins."""
    components: dict[str, Any] = {"Error": ERROR}
    components["CaseFile"] = _moved(
        case_schema(engine.event_types, engine.case_sections), components
    )
    components["Determination"] = _moved(determination_schema(), components)
    components["RulesetSummary"] = _RULESET_ROW
    components["OpenClock"] = _OPEN_CLOCK
    as_of = _query(
        "as_of", _DATE, "The date to evaluate or look from (YYYY-MM-DD); today if left out."
    )
    ruleset = _query("ruleset", _TEXT, "Ruleset id; overrides each case file's own `ruleset`.")
    caseworker = _query("caseworker", _TEXT, "Only this caseworker's cases.")
    unassigned = _query(
        "unassigned",
        {"type": "boolean"},
        "Only the cases no caseworker holds now (on no caseworker's list); not with caseworker.",
    )
    purpose = _query(
        "purpose",
        _TEXT,
        "Why the records are read, kept in each case's record of access "
        "(34 CFR 300.614, 303.405); `not stated` if left out. Plain text on one line, at "
        "most 4,000 characters (as the CLI's --purpose): otherwise 422.",
    )
    paths: dict[str, Any] = {
        f"{PREFIX}/check": {
            "post": {
                "operationId": "check",
                "summary": "Check one case file: eligibility, clocks, referrals and findings.",
                "parameters": [as_of, ruleset],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("CaseFile")}},
                },
                "responses": {
                    "200": _json_body(_ref("Determination"), "The determination."),
                    **_errors(400, 404, 413, 422, 500),
                },
            }
        },
        f"{PREFIX}/evaluate": {
            "post": {
                "operationId": "evaluateBatch",
                "summary": "Evaluate a batch of case files; each is answered or refused on its own.",
                "parameters": [as_of, ruleset],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "cases": {
                                        "type": "array",
                                        "items": _ref("CaseFile"),
                                        "maxItems": MAX_BATCH,
                                    }
                                },
                                "required": ["cases"],
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "evaluated": {"type": "integer"},
                                "refused": {"type": "integer"},
                                "results": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "index": {"type": "integer"},
                                            "case": _NULLABLE_TEXT,
                                            "determination": {
                                                "anyOf": [_ref("Determination"), {"type": "null"}]
                                            },
                                            "error": {"anyOf": [_ref("Error"), {"type": "null"}]},
                                        },
                                        "required": ["index", "case", "determination", "error"],
                                    },
                                },
                            },
                            "required": ["evaluated", "refused", "results"],
                        },
                        "One result per case file, in order.",
                    ),
                    **_errors(400, 404, 413, 422, 500),
                },
            }
        },
        f"{PREFIX}/rulesets": {
            "get": {
                "operationId": "listRulesets",
                "summary": "Every ruleset found, with what it extends and whether it loads.",
                "responses": {
                    "200": _json_body(
                        {"type": "array", "items": _ref("RulesetSummary")}, "The rulesets."
                    ),
                    **_errors(500),
                },
            }
        },
        PREFIX + "/rulesets/{id}": {
            "get": {
                "operationId": "showRuleset",
                "summary": "A ruleset and its parameters in force on a date, with citations.",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": _TEXT,
                        "description": "The case id; a '/' in it is sent as %2F.",
                    },
                    as_of,
                    _query(
                        "resolved",
                        {"type": "boolean"},
                        "Every parameter, inherited ones too (default: only its own).",
                    ),
                ],
                "responses": {
                    "200": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "id": _TEXT,
                                "title": _TEXT,
                                "as_of": _DATE,
                                "parameters": {"type": "array", "items": {"type": "object"}},
                            },
                            "required": ["id", "as_of", "parameters"],
                        },
                        "The ruleset.",
                    ),
                    **_errors(404, 422, 500),
                },
            }
        },
        f"{PREFIX}/due": {
            "get": {
                "operationId": "due",
                "summary": "Open clocks across the caseload by due date (needs a caseload).",
                "parameters": [
                    as_of,
                    _query(
                        "within",
                        {"type": "string", "pattern": "^\\s*(all|[0-9]{1,7}\\s*[dw]?)\\s*$"},
                        "Only items due within this period from as_of, read as `eirules due "
                        "--within` reads it: days (30 or 14d), weeks (2w) or all (the default). "
                        "Overdue items, items without a date and cases that could not be "
                        "evaluated are always included.",
                    ),
                    caseworker,
                    unassigned,
                    purpose,
                ],
                "security": _CASELOAD_LOGIN,
                "responses": {
                    "200": _json_body(_due_list(), "The open clocks."),
                    **_errors(401, 403, 404, 422, 500),
                },
            }
        },
        f"{PREFIX}/overdue": {
            "get": {
                "operationId": "overdue",
                "summary": "Open clocks whose due date has passed (needs a caseload).",
                "parameters": [as_of, caseworker, unassigned, purpose],
                "security": _CASELOAD_LOGIN,
                "responses": {
                    "200": _json_body(_due_list(), "The overdue clocks."),
                    **_errors(401, 403, 404, 422, 500),
                },
            }
        },
        f"{PREFIX}/indicators": {
            "get": {
                "operationId": "indicators",
                "summary": "The SPP/APR compliance indicators C1, C7, C8A-C, B11, B12, B13 over "
                "the caseload's stored determinations (needs a caseload; docs/indicators.md).",
                "parameters": [
                    _query("year", _TEXT, "Reporting year July 1 to June 30, e.g. 2025-26."),
                    _query("from", _DATE, "Start of a custom period (with `to`)."),
                    _query("to", _DATE, "End of a custom period (with `from`)."),
                    _query(
                        "indicator",
                        {
                            "type": "string",
                            "enum": ["C1", "C7", "C8A", "C8B", "C8C", "B11", "B12", "B13"],
                        },
                        "Only this indicator (repeatable).",
                    ),
                    _query(
                        "by",
                        {
                            "type": "string",
                            "enum": ["caseworker", "district", "county", "provider"],
                        },
                        "Break each indicator down by this unit.",
                    ),
                    _query(
                        "children",
                        {"type": "string", "enum": ["true", "false", "1", "0"]},
                        "Include the drill-down: every child counted, with clock, dates, status and "
                        "reason (each child's record of access notes the read).",
                    ),
                    purpose,
                ],
                "security": _CASELOAD_LOGIN,
                "responses": {
                    "200": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "period": {"type": "object"},
                                "cases": {"type": "integer"},
                                "indicators": {"type": "array", "items": {"type": "object"}},
                            },
                            "required": ["indicators"],
                        },
                        "Each indicator: numerator, denominator, percent, target, late units.",
                    ),
                    **_errors(401, 403, 404, 422, 500),
                },
            }
        },
        PREFIX + "/cases/{id}/history": {
            "get": {
                "operationId": "caseHistory",
                "summary": "A stored case: its determinations, assignments, clocks and audit "
                "entries (needs a caseload).",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": _TEXT},
                    purpose,
                ],
                "security": _CASELOAD_LOGIN,
                "responses": {
                    "200": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "id": _TEXT,
                                "determinations": {"type": "array", "items": {"type": "object"}},
                                "assignments": {"type": "array", "items": {"type": "object"}},
                                "clocks": {"type": "array", "items": {"type": "object"}},
                                "audit": {
                                    "type": ["array", "null"],
                                    "items": {"type": "object"},
                                    "description": "The case's audit entries; null when the "
                                    "token's role may not read the audit log.",
                                },
                            },
                            "required": ["id", "determinations", "assignments", "clocks", "audit"],
                        },
                        "The case's history (the read is on its record of access).",
                    ),
                    **_errors(401, 403, 404, 500),
                },
            }
        },
        PREFIX + "/schemas/{kind}": {
            "get": {
                "operationId": "jsonSchema",
                "summary": "The JSON Schema (draft 2020-12) of the case file or the determination.",
                "parameters": [
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["case", "determination"]},
                    }
                ],
                "responses": {"200": _json_body({"type": "object"}, "The schema."), **_errors(404)},
            }
        },
        f"{PREFIX}/health": {
            "get": {
                "operationId": "health",
                "summary": "The engine version and whether a caseload is configured.",
                "responses": {
                    "200": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "status": {"const": "ok"},
                                "engine": _TEXT,
                                "caseload": {"type": "boolean"},
                            },
                            "required": ["status", "engine", "caseload"],
                        },
                        "Up.",
                    )
                },
            }
        },
        OPENAPI_PATH: {
            "get": {
                "operationId": "openapi",
                "summary": "This description.",
                "responses": {"200": _json_body({"type": "object"}, "OpenAPI 3.1.")},
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "eirules",
            "version": version,
            "description": "Early-intervention and special-education rules engine: check case "
            "files, evaluate batches, read rulesets and the caseload. Errors are "
            '{"error", "kind", "problems": [{"where", "what", "fix"}]}. See docs/http-api.md.',
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "staffToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made by `eirules staff token LOGIN`: the request "
                    "acts as that staff login, with its role and caseload. Needed once the "
                    "caseload has a staff list.",
                }
            },
        },
    }


#: Caseload endpoints: a staff token, or none on a caseload without a staff list.
_CASELOAD_LOGIN = [{"staffToken": []}, {}]


def _due_list() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"as_of": _DATE, "clocks": {"type": "array", "items": _ref("OpenClock")}},
        "required": ["as_of", "clocks"],
    }
