"""Reading and validating one ruleset folder: its header, declarations and dated values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from .. import dates
from ..errors import Problem, RulesetError, did_you_mean, show_toml
from .calendar_table import _check_calendar, _school_calendar_path
from .files import RulesetProblem, _check_keys, _FileReader, _hint, _is_date, _kind
from .floors import _check_entries, declared_state_bound
from .keys import (
    BOUNDED_FLOORS,
    DECLARATION_KEYS,
    DECLARATION_UNITS,
    FLOORS,
    ID_PATTERN,
    PARAM_MARKERS,
    RULESET_KEYS,
    TOP_KEYS,
    TYPES,
    VALUE_KEYS,
)
from .params import Declaration, ValueEntry
from .ruleset import Ruleset
from .values import value_problems


def read_header(folder: Path) -> dict[str, Any]:
    """The [ruleset] table of a folder, checked enough to follow `extends` safely."""
    path = Path(folder) / "ruleset.toml"
    problems: list[Problem] = []
    reader = _FileReader(path, problems)
    if problems:
        raise RulesetError(f"invalid ruleset {folder}", problems)
    header = reader.data.get("ruleset")
    if not isinstance(header, dict):
        reader.add(
            "ruleset",
            f"found {_kind(header) if header is not None else 'no [ruleset] table'}; "
            "expected a [ruleset] table",
            'add [ruleset] with id = "..." and title = "..."',
            line=1 if header is None else None,
        )
        raise RulesetError(f"invalid ruleset {folder}", problems)
    rid = header.get("id")
    if not isinstance(rid, str) or not rid:
        reader.add(
            "ruleset.id",
            f"found {_kind(rid) if rid is not None else 'nothing'}; expected a string",
            'add id = "us-xx"',
        )
    extends = header.get("extends")
    if extends is not None and (not isinstance(extends, str) or not extends):
        reader.add(
            "ruleset.extends",
            f"found {_kind(extends)}; expected a ruleset id string",
            'write extends = "us"',
        )
    elif isinstance(rid, str) and extends == rid:
        reader.add(
            "ruleset.extends", f'the ruleset extends itself ("{rid}")', "extend its parent, e.g. us"
        )
    if problems:
        raise RulesetError(f"invalid ruleset {folder}", problems)
    return header


def _check_header(reader: _FileReader, header: Any) -> dict[str, Any]:
    if not isinstance(header, dict):
        reader.add(
            "ruleset",
            f"found {_kind(header)}; expected a table",
            'add [ruleset] with id = "..." and title = "..."',
        )
        return {}
    _check_keys(reader, header, RULESET_KEYS, "ruleset")
    for key in ("id", "title"):
        if not isinstance(header.get(key), str) or not header.get(key):
            found = header.get(key)
            reader.add(
                f"ruleset.{key}",
                f"found {_kind(found) if found is not None else 'nothing'}; expected a string",
                f'add {key} = "..."',
            )
    rid = header.get("id")
    if isinstance(rid, str) and rid and not ID_PATTERN.fullmatch(rid):
        reader.add(
            "ruleset.id",
            f'found "{rid}"; expected lower-case letters and digits joined by hyphens',
            'for example "us-mo" or "us-mo-stl-pilot"',
        )
    for key in ("jurisdiction", "extends", "version", "description"):
        if key in header and not isinstance(header[key], str):
            reader.add(f"ruleset.{key}", f"found {_kind(header[key])}; expected a string")
    return header


@attrs.define
class _Item:
    reader: _FileReader
    name: str
    path: str
    table: dict


def load_folder(folder: Path, parent: Ruleset | None) -> Ruleset:
    """Load and validate one ruleset folder on top of its already loaded parent."""
    folder = Path(folder)
    problems: list[Problem] = []
    # Every *.toml that exists: a device, a named pipe or a folder among them is refused
    # by name when read (files.read_toml_text); a dangling link (an editor's lock file,
    # .#ruleset.toml) is passed over, as before.
    files = sorted(p for p in folder.glob("*.toml") if p.exists())
    header_path = folder / "ruleset.toml"
    header: dict[str, Any] = {}
    calendar: dict[str, Any] = {}
    items: list[_Item] = []
    school = _school_calendar_path(header_path)
    if header_path not in files:
        problems.append(
            RulesetProblem(
                str(header_path),
                "missing",
                "add ruleset.toml with a [ruleset] table",
                file=str(header_path),
            )
        )
    for path in files:
        if school is not None and path.resolve() == school:
            continue  # the school calendar named in [calendar], checked there
        reader = _FileReader(path, problems)
        data = reader.data
        _check_keys(reader, data, TOP_KEYS, "")
        if path == header_path:
            header = _check_header(reader, data.get("ruleset"))
            calendar = _check_calendar(reader, data.get("calendar", {}), folder, parent)
        else:
            for key in ("ruleset", "calendar"):
                if key in data:
                    reader.add(
                        key,
                        f"[{key}] found in {path.name}",
                        f"[{key}] belongs in ruleset.toml only",
                    )
        params = data.get("parameters")
        if params is None:
            continue
        if not isinstance(params, dict):
            reader.add("parameters", f"found {_kind(params)}; expected a table")
            continue
        _collect(reader, params, "", items)
    rid = str(header.get("id") or folder.name)
    inherited = parent.declarations if parent else {}
    if header.get("extends") and parent is None:
        problems.append(
            RulesetProblem(
                f"{header_path}: ruleset.extends",
                "extends a ruleset that was not loaded",
                file=str(header_path),
                key="ruleset.extends",
            )
        )
    if parent is not None and header.get("extends") not in (None, parent.id):
        problems.append(
            RulesetProblem(
                f"{header_path}: ruleset.extends",
                f'found "{header.get("extends")}", but it was loaded on top of "{parent.id}"',
                file=str(header_path),
                key="ruleset.extends",
            )
        )
    declarations: dict[str, Declaration] = {}
    for item in items:
        if not any(k in item.table for k in ("type", "label")):
            continue
        if item.name in inherited:
            item.reader.add(
                item.path,
                f'"{item.name}" is already declared by ruleset "{inherited[item.name].ruleset}"',
                "give only dated values here, under .values",
            )
            continue
        if item.name in declarations:
            item.reader.add(
                item.path,
                f'"{item.name}" is declared twice in this ruleset',
                f"it is also declared in {declarations[item.name].file}",
            )
            continue
        _check_keys(item.reader, item.table, DECLARATION_KEYS, item.path)
        decl = _declaration(item.reader, item.table, item.name, item.path, rid)
        if decl is not None:
            declarations[item.name] = decl
    known = {**inherited, **declarations}
    values: dict[str, list[ValueEntry]] = {}
    for item in items:
        declaring = any(k in item.table for k in ("type", "label"))
        if not declaring:
            if item.name not in known:
                hint = did_you_mean(item.name, known)
                item.reader.add(
                    item.path,
                    f'"{item.name}" is not a parameter declared by this ruleset or one it extends',
                    hint or "check the name, or declare it with a label and type",
                )
                continue
            _check_keys(item.reader, item.table, ("values",), item.path)
        decl = known.get(item.name)
        if decl is None:  # its declaration was invalid and is reported already
            continue
        entries = item.table.get("values", [])
        if not isinstance(entries, list):
            item.reader.add(
                f"{item.path}.values",
                f"found {_kind(entries)}; expected an array of tables ([[...values]])",
            )
            continue
        for i, raw in enumerate(entries):
            entry = _entry(item.reader, raw, f"{item.path}.values[{i}]", decl, rid, parent)
            if entry is not None:
                values.setdefault(item.name, []).append(entry)
    for name, entries in values.items():
        _check_entries(name, known[name], entries, problems, parent)
    # A baseline may declare a parameter without a value: the federal rule leaves
    # it to the state (e.g. the Part C timely-services timeline), and rules that
    # need it say so instead of guessing.
    if problems:
        raise RulesetError(f'ruleset "{rid}" ({folder}) is not valid', problems)
    return Ruleset(
        id=rid,
        title=str(header.get("title", rid)),
        jurisdiction=str(header.get("jurisdiction", "")),
        version=str(header.get("version", "0")),
        folder=folder,
        parent=parent,
        declarations=declarations,
        values=values,
        calendar=calendar,
        files=tuple(files),
        description=header.get("description"),
    )


def _is_param(table: dict) -> bool:
    return any(k in table for k in PARAM_MARKERS)


def _collect(reader: _FileReader, table: dict, prefix: str, items: list[_Item]) -> None:
    """Find the parameter tables under [parameters]; anything else is reported."""
    for key, sub in table.items():
        name = f"{prefix}.{key}" if prefix else key
        path = f"parameters.{name}"
        if not isinstance(sub, dict):
            reader.add(
                path,
                f"found {_kind(sub)}; expected a parameter table or a group of them",
                did_you_mean(key, (*PARAM_MARKERS, *DECLARATION_KEYS))
                or "a parameter table has label and type, or values",
            )
            continue
        if _is_param(sub):
            items.append(_Item(reader, name, path, sub))
        elif not sub:
            reader.add(
                path,
                "found an empty table; expected a parameter (label, type, values) "
                "or a group of parameters",
                "remove it or add the parameter's keys",
            )
        else:
            _collect(reader, sub, name, items)


def _declaration(reader, sub, name, path, rid) -> Declaration | None:
    label, typ = sub.get("label"), sub.get("type")
    ok = True
    if not isinstance(label, str) or not label.strip():
        reader.add(
            f"{path}.label",
            f"found {_kind(label) if label is not None else 'nothing'}; expected a label",
            "add a label a case manager can read",
        )
        ok = False
    if typ not in TYPES:
        reader.add(
            f"{path}.type", f"found {show_toml(typ)}; expected a parameter type", _hint(typ, TYPES)
        )
        ok = False
    floor = sub.get("floor")
    if floor is not None and floor not in FLOORS:
        reader.add(
            f"{path}.floor", f"found {show_toml(floor)}; expected a floor", _hint(floor, FLOORS)
        )
        ok = False
    if floor in BOUNDED_FLOORS and typ not in ("integer", "number", "duration", "clock"):
        reader.add(
            f"{path}.floor",
            f"a floor on a {typ} parameter cannot be checked",
            'floors apply to integer, number, duration and clock parameters; floor = "none" to any',
        )
        ok = False
    citation = sub.get("floor_citation")
    if floor is not None and (not isinstance(citation, str) or not citation.strip()):
        reader.add(
            f"{path}.floor_citation",
            'a federal floor needs the citation of the federal rule (for floor = "none", '
            "the rule that leaves the value to the state); found none",
            'add floor_citation = "34 CFR ..."',
        )
        ok = False
    elif citation is not None and floor is None:
        reader.add(
            f"{path}.floor_citation",
            "found a floor_citation but no floor",
            'add floor = "at_most", "at_least" or "none", or remove it',
        )
        ok = False
    unit = sub.get("unit")
    if unit is not None and unit not in DECLARATION_UNITS:
        reader.add(
            f"{path}.unit",
            f"found {show_toml(unit)}; expected a unit",
            _hint(unit, DECLARATION_UNITS),
        )
        ok = False
    choices = sub.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        reader.add(f"{path}.choices", f"found {show_toml(choices)}; expected an array of strings")
        ok = False
        choices = []
    elif typ == "enum" and not choices:
        reader.add(
            f"{path}.choices",
            "an enum needs a list of choices; found none",
            'add choices = ["a", "b"]',
        )
        ok = False
    state_choice = sub.get("state_choice", False)
    if not isinstance(state_choice, bool):
        reader.add(f"{path}.state_choice", f"found {_kind(state_choice)}; expected true or false")
        ok = False
    bounded, state_bound = declared_state_bound(reader, sub, path, typ, unit, floor, state_choice)
    ok = ok and bounded
    description = sub.get("description")
    if description is not None and not isinstance(description, str):
        reader.add(f"{path}.description", f"found {_kind(description)}; expected a string")
        ok = False
    if not ok:
        return None
    return Declaration(
        name=name,
        label=label,
        type=typ,
        unit=unit,
        choices=tuple(choices),
        floor=floor,
        floor_citation=citation,
        state_choice=state_choice,
        state_bound=state_bound,
        description=description,
        file=str(reader.path),
        ruleset=rid,
    )


#: How to fix a date past the one date bound every date in eirules keeps (core/dates.py).
_BOUND_FIX = "write the day the rule takes effect or ends; a value with no end leaves until out"


def _entry(reader, raw, path, decl: Declaration, rid, parent) -> ValueEntry | None:
    if not isinstance(raw, dict):
        reader.add(path, f"found {_kind(raw)}; expected a table with effective, value and citation")
        return None
    _check_keys(reader, raw, VALUE_KEYS, path)
    ok = True
    effective = raw.get("effective")
    if not _is_date(effective):
        reader.add(
            f"{path}.effective",
            f"found {_kind(effective) if effective is not None else 'nothing'}"
            f"{f' {show_toml(effective)}' if effective is not None else ''}; expected a date",
            "write it as a TOML date: effective = 2011-10-28",
        )
        ok = False
    elif not dates.in_range(effective):
        reader.add(f"{path}.effective", f"found {effective}; {dates.range_text()}", _BOUND_FIX)
        ok = False
    until = raw.get("until")
    if until is not None and not _is_date(until):
        reader.add(f"{path}.until", f"found {_kind(until)} {show_toml(until)}; expected a date")
        ok = False
    elif until is not None and not dates.in_range(until):
        reader.add(f"{path}.until", f"found {until}; {dates.range_text()}", _BOUND_FIX)
        ok = False
    elif until is not None and _is_date(effective) and until < effective:
        reader.add(
            f"{path}.until",
            f"found {until}, which is before effective {effective}",
            "a value ends on or after the day it takes effect",
        )
        ok = False
    citation = raw.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        if citation is None:
            found = "no citation"
        elif isinstance(citation, str):
            found = "an empty string" if not citation else "a string of only spaces"
        else:
            found = _kind(citation)
        reader.add(
            f"{path}.citation",
            f"found {found}; every value needs a citation",
            'add citation = "34 CFR ..." or the state rule',
        )
        ok = False
    repealed = raw.get("repealed", False)
    if not isinstance(repealed, bool):
        reader.add(f"{path}.repealed", f"found {_kind(repealed)}; expected true or false")
        ok = False
        repealed = False
    if "value" not in raw and not repealed:
        reader.add(f"{path}.value", "missing", "add value = ... or repealed = true")
        ok = False
    if "value" in raw and repealed:
        reader.add(
            f"{path}.repealed",
            "found both a value and repealed = true",
            "a repeal has no value: remove one of them",
        )
        ok = False
    value = raw.get("value")
    if "value" in raw and not repealed:
        partial = decl.type == "clock" and parent is not None and decl.ruleset != rid
        for found, fix in value_problems(decl, value, partial=partial):
            reader.add(f"{path}.value", found, fix)
            ok = False
    for key in ("url", "note"):
        if key in raw and not isinstance(raw[key], str):
            reader.add(f"{path}.{key}", f"found {_kind(raw[key])}; expected a string")
            ok = False
    if not ok:
        return None
    # ok stays True only when effective is a date and citation a non-empty string
    assert _is_date(effective) and isinstance(citation, str)
    return ValueEntry(
        effective=effective,
        value=_freeze(value),
        citation=citation,
        until=until,
        url=raw.get("url"),
        note=raw.get("note"),
        repealed=repealed,
        file=str(reader.path),
        ruleset=rid,
        key=path,
        line=reader.line(path),
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value
