"""JSON Schemas (draft 2020-12) generated from the attrs models, so they cannot drift.

`case_schema` describes the case file v1 (`eirules/case@1`) as an engine reads it:
the core model, the event vocabulary and the case-file sections its plugins
registered. `determination_schema` describes `determination_to_dict`'s output.
Both are derived from the attrs classes and the validators on their fields; a
schema never refuses what the loader accepts (the loader also checks what a
schema cannot say well: dates in order, one kind of score, an event's reason).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from .decisions import Clock, Determination, Eligibility, Finding, Referral
from .models import Case

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: Names, not addresses: the files ship in the package (eirules/schemas/) and docs/schemas/.
CASE_ID = "urn:eirules:schema:case-1"
DETERMINATION_ID = "urn:eirules:schema:determination-1"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _validator_schema(validator: Any) -> dict[str, Any]:
    """What a field validator allows, as JSON Schema keywords ({} when it cannot be said)."""
    if validator is None:
        return {}
    own = getattr(validator, "json_schema", None)  # eirules' validators describe themselves
    if own is not None:
        return dict(own)
    inner = getattr(validator, "validator", None)  # attrs.validators.optional
    if inner is not None and type(validator).__name__ == "_OptionalValidator":
        if isinstance(inner, list | tuple):
            return _all_of(inner)
        return _validator_schema(inner)
    parts = getattr(validator, "_validators", None)  # attrs.validators.and_
    if parts is not None:
        return _all_of(parts)
    options = getattr(validator, "options", None)  # attrs.validators.in_
    if options is not None and type(validator).__name__ == "_InValidator":
        return {"enum": list(options)}
    bound = getattr(validator, "bound", None)  # attrs.validators.ge / le / gt / lt
    op = getattr(validator, "compare_op", None)
    if bound is not None and op in (">=", "<=", ">", "<"):
        key = {">=": "minimum", "<=": "maximum", ">": "exclusiveMinimum", "<": "exclusiveMaximum"}
        return {key[op]: bound}
    return {}


def _all_of(validators: Iterable[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for v in validators:
        merged.update(_validator_schema(v))
    return merged


class _Builder:
    def __init__(self, *, all_required: bool = False, extra: Mapping[type, dict] | None = None):
        self.defs: dict[str, dict[str, Any]] = {}
        self.names: dict[type, str] = {}
        self.all_required = all_required  # output documents always carry every key
        self.extra = dict(extra or {})

    def type_schema(self, type_: Any) -> dict[str, Any]:
        origin = typing.get_origin(type_)
        if origin in (typing.Union, types.UnionType):
            args = typing.get_args(type_)
            others = [self.type_schema(a) for a in args if a is not type(None)]
            options = others + ([{"type": "null"}] if type(None) in args else [])
            return options[0] if len(options) == 1 else {"anyOf": options}
        if origin is tuple:
            args = typing.get_args(type_)
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.type_schema(args[0])}
            return {"type": "array", "prefixItems": [self.type_schema(a) for a in args]}
        if origin is dict:
            args = typing.get_args(type_)
            value = self.type_schema(args[1]) if len(args) == 2 else {}
            return {"type": "object", "additionalProperties": value}
        if attrs.has(type_):
            return {"$ref": f"#/$defs/{self.define(type_)}"}
        if type_ is date:
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if type_ is bool:
            return {"type": "boolean"}
        if type_ is int:
            return {"type": "integer"}
        if type_ is float:
            return {"type": "number"}
        if type_ is str:
            return {"type": "string"}
        return {}  # Any: any JSON value

    def define(self, cls: type) -> str:
        name = self.names.get(cls)
        if name is not None:
            return name
        name = cls.__name__
        if name in self.defs:  # two classes of one name (a plugin's Enrolment): qualify it
            name = f"{cls.__module__.split('.')[-2 if cls.__module__.count('.') else -1]}.{name}"
            name = name.replace("_", "-")
        self.names[cls] = name
        self.defs[name] = {}  # reserve first: classes may refer to each other
        self.defs[name] = self.object_schema(cls)
        return name

    def object_schema(self, cls: type, *, skip: Iterable[str] = ()) -> dict[str, Any]:
        attrs.resolve_types(cls)
        skip = set(skip)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(cls):
            if not field.init or field.name in skip:
                continue
            schema = self.type_schema(field.type)
            checks = _validator_schema(field.validator)
            if checks:
                schema = _constrain(schema, checks)
            doc = field.metadata.get("description")
            if doc:
                schema = {"description": doc, **schema}
            properties[field.name] = schema
            if self.all_required or field.default is attrs.NOTHING:
                required.append(field.name)
        out: dict[str, Any] = {"type": "object"}
        if cls.__doc__:
            out["description"] = cls.__doc__.strip().splitlines()[0]
        out["properties"] = properties
        if required:
            out["required"] = required
        out["additionalProperties"] = False
        out.update(self.extra.get(cls, {}))
        return out


def _constrain(schema: dict[str, Any], checks: dict[str, Any]) -> dict[str, Any]:
    """Add a validator's keywords to a type's schema, to the non-null branch of an optional."""
    if "anyOf" in schema:
        branches = [
            b if b.get("type") == "null" else _constrain(b, checks) for b in schema["anyOf"]
        ]
        return {"anyOf": branches}
    if "enum" in checks:  # an enum already says the type (and may hold null)
        return {**{k: v for k, v in schema.items() if k != "type"}, **checks}
    if checks.get("type") == "integer" and schema.get("type") == "number":
        schema = {**schema, "type": "integer"}
    return {**schema, **{k: v for k, v in checks.items() if k != "type"}}


def case_schema(
    event_types: Iterable[str] = (), sections: Mapping[str, type] | None = None
) -> dict[str, Any]:
    """The case file v1 as read with this event vocabulary and these plugin sections."""
    from .convert import SCHEMA

    builder = _Builder()
    root = builder.object_schema(Case, skip={"sections"})
    properties = {
        "schema": {
            "description": "The case-file format; optional, and only this value.",
            "const": SCHEMA,
        },
        **root["properties"],
    }
    for name, cls in sorted((sections or {}).items()):
        properties[name] = {
            "description": f"A case-file section a plugin registered ({cls.__name__}).",
            "$ref": f"#/$defs/{builder.define(cls)}",
        }
    names = sorted(event_types)
    if names:
        event = builder.defs["Event"]
        event["properties"]["type"] = {
            "description": "An event type of the vocabulary (docs/case-file.md).",
            "enum": names,
        }
    return {
        "$schema": DRAFT,
        "$id": CASE_ID,
        "title": "eirules case file (eirules/case@1)",
        "description": "One child's case: who, what happened when, and what was measured. "
        "See docs/case-file.md.",
        "type": "object",
        "properties": properties,
        "required": root.get("required", []),
        "additionalProperties": False,
        "$defs": dict(sorted(builder.defs.items())),
    }


def determination_schema() -> dict[str, Any]:
    """The determination as `determination_to_dict` writes it (docs/determination.md)."""
    from .decisions import CLOCK_STATUSES

    # Clock checks its status in one pass (decisions.py), not with a field validator.
    builder = _Builder(all_required=True)
    builder.define(Clock)
    builder.defs["Clock"]["properties"]["status"] = {"enum": list(CLOCK_STATUSES)}
    for cls in (Eligibility, Referral, Finding):
        builder.define(cls)
    root = builder.object_schema(Determination)
    root["properties"]["as_of"] = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    return {
        "$schema": DRAFT,
        "$id": DETERMINATION_ID,
        "title": "eirules determination",
        "description": "Everything the engine decided for one case as of one date. "
        "See docs/determination.md.",
        **{k: v for k, v in root.items() if k != "description"},
        "$defs": dict(sorted(builder.defs.items())),
    }


#: The shipped schema files (eirules/schemas/ in the package, docs/schemas/ in the docs).
FILES = {"case": "case-1.schema.json", "determination": "determination-1.schema.json"}


def json_schema(kind: str, engine: Any = None) -> dict[str, Any]:
    """The JSON Schema of `kind` ("case" or "determination"); the case schema with the
    event vocabulary and sections of `engine`'s plugins (the shared engine by default)."""
    if kind == "determination":
        return determination_schema()
    if kind == "case":
        if engine is None:
            from .engine import get_engine

            engine = get_engine()
        return case_schema(engine.event_types, engine.case_sections)
    from .errors import InputError, Problem

    raise InputError(
        f'no schema "{kind}"',
        [Problem("kind", f'"{kind}" is not known', "expected case or determination")],
    )
