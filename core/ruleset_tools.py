"""Tools for ruleset authors: show a ruleset's values, summary and differences.

Each function returns plain data (lists of dicts and attrs objects) that the
`eirules rulesets` commands print as text or JSON. Nothing here knows a program:
parameters, clocks and outcomes are compared by name. The other tools are beside
this one: ruleset_validate.py (validate folders), ruleset_new.py (scaffold a new
ruleset) and ruleset_tests.py (run a ruleset's tests).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from .errors import RulesetError
from .rulesets import (
    Declaration,
    Param,
    Ruleset,
    iter_resolved,
    what_is_checked,
)

TESTS_FOLDER = "tests"
EXPECT_SUFFIX = ".expect.toml"


# Values as text -------------------------------------------------------------------------


def format_value(value: Any, decl: Declaration | None = None) -> str:
    """A compact, readable rendering of a parameter value."""
    kind = decl.type if decl else None
    if value is None:
        return "(no value)"
    if kind == "criteria" and isinstance(value, list | tuple):
        parts = []
        for c in value:
            text = (
                f"{c.get('measure')} >= {c.get('at_least'):g}"
                if isinstance(c.get("at_least"), int | float)
                else str(c)
            )
            n = c.get("domains", 1)
            text += f" in {n} domain{'s' if n != 1 else ''}"
            if c.get("in"):
                text += f" of {'/'.join(c['in'])}"
            if c.get("only"):
                text += f" (only when the delay is only in {'/'.join(c['only'])})"
            parts.append(text)
        return "any of: " + "; ".join(parts)
    if kind == "clock" and isinstance(value, dict):
        direction = value.get("direction", "after")
        text = f"{value.get('length')} {value.get('unit')} {direction} {'/'.join(value.get('start', ()))}"
        if "opens_length" in value:
            text += f", window opens {value['opens_length']} {value.get('opens_unit', value.get('unit'))} before"
        text += f"; stops at {'/'.join(value.get('stop', ()))}"
        if value.get("excused_by"):
            text += f"; excused by {'/'.join(value['excused_by'])}"
            text += f" ({value.get('excuse_policy', 'fixed_with_reason')})"
        if value.get("on_weekend", "keep") != "keep":
            text += f"; weekend: {value['on_weekend']}"
        return text
    if kind == "duration" and isinstance(value, dict):
        return f"{value.get('length')} {value.get('unit')}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value) or "(empty list)"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(_jsonable(value), sort_keys=True)
    unit = f" {decl.unit}" if decl and decl.unit and isinstance(value, int | float) else ""
    return f"{value}{unit}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _bound_dict(decl: Declaration) -> dict[str, Any] | None:
    """A declaration's `state_bound` as JSON: the direction, the number and its unit."""
    if decl.state_bound is None:
        return None
    length, unit = decl.state_bound
    return {decl.floor: int(length) if length.is_integer() else length, "unit": unit}


def param_dict(decl: Declaration, param: Param | None) -> dict[str, Any]:
    """One resolved parameter as JSON-ready data, with where its value came from."""
    row: dict[str, Any] = {
        "name": decl.name,
        "label": decl.label,
        "type": decl.type,
        "unit": decl.unit,
        "declared_by": decl.ruleset,
        "floor": decl.floor,
        "floor_citation": decl.floor_citation,
        "state_choice": decl.state_choice,
        "state_bound": _bound_dict(decl),
        "checked": " ".join(what_is_checked(decl)) or None,
    }
    if param is None:
        row.update(value=None, citation=None, ruleset=None, file=None, effective=None)
    else:
        row.update(
            value=_jsonable(param.value),
            text=format_value(param.value, decl),
            citation=param.citation,
            url=param.url,
            note=param.note,
            effective=param.effective.isoformat(),
            until=param.until.isoformat() if param.until else None,
            ruleset=param.ruleset,
            file=param.file,
        )
    return row


def resolved(ruleset: Ruleset, on: date, *, own_only: bool = False) -> list[dict[str, Any]]:
    """Every parameter in force on a date with value, citation, file and ancestor."""
    rows = []
    for decl, param in iter_resolved(ruleset, on):
        if own_only and decl.ruleset != ruleset.id and decl.name not in ruleset.own_values:
            continue
        rows.append(param_dict(decl, param))
    return rows


def summary(ruleset: Ruleset) -> dict[str, Any]:
    """Identity, lineage, files and calendar of a ruleset."""
    return {
        "id": ruleset.id,
        "title": ruleset.title,
        "jurisdiction": ruleset.jurisdiction,
        "version": ruleset.full_version,
        "extends": ruleset.extends,
        "lineage": [node.id for node in ruleset.lineage],
        "folder": str(ruleset.folder),
        "files": [str(p) for p in ruleset.files],
        "description": ruleset.description,
        "calendar": {
            key: _jsonable(ruleset._calendar_setting(key))
            for key in ("holidays_country", "holidays_subdivision", "school_calendar")
            if ruleset._calendar_setting(key) is not None
        },
        "parameters_declared": len(ruleset.own_declarations),
        "parameters_set": len(ruleset.own_values),
        "tests": len(find_tests(ruleset.folder)),
    }


def find_tests(folder: Path) -> list[Path]:
    tests = Path(folder) / TESTS_FOLDER
    return sorted(tests.glob(f"*{EXPECT_SUFFIX}")) if tests.is_dir() else []


# Diff ------------------------------------------------------------------------------------


def diff(
    a: Ruleset, b: Ruleset, on_a: date, on_b: date | None = None, *, include_same: bool = False
) -> list[dict[str, Any]]:
    """Parameter-by-parameter differences between two rulesets (or dates), with citations."""
    on_b = on_b or on_a
    names = sorted(set(a.declarations) | set(b.declarations))
    rows = []
    for name in names:
        da, db = a.declarations.get(name), b.declarations.get(name)
        pa = _maybe(a, name, on_a) if da else None
        pb = _maybe(b, name, on_b) if db else None
        va = pa.value if pa else None
        vb = pb.value if pb else None
        same_value = va == vb and (da is None) == (db is None)
        if same_value and not (include_same and pa and pb and pa.ruleset != pb.ruleset):
            continue
        decl = db or da
        assert decl is not None  # name was declared in a or in b
        rows.append(
            {
                "name": name,
                "label": decl.label,
                "change": "same_value" if same_value else _change(pa, pb, da, db),
                "a": param_dict(da, pa) if da else None,
                "b": param_dict(db, pb) if db else None,
            }
        )
    return rows


def _change(pa, pb, da, db) -> str:
    if da is None:
        return "declared_only_in_b"
    if db is None:
        return "declared_only_in_a"
    if pa is None:
        return "set_only_in_b"
    if pb is None:
        return "set_only_in_a"
    return "changed"


def _maybe(ruleset: Ruleset, name: str, on: date) -> Param | None:
    try:
        return ruleset.param(name, on)
    except RulesetError:
        return None
