"""Rulesets: declarative, inherited, effective-dated parameters with citations.

A ruleset is a folder of TOML files. ``ruleset.toml`` names it::

    [ruleset]
    id = "us-mo"
    title = "Missouri"
    jurisdiction = "US-MO"
    extends = "us"
    version = "2026.1"

Any TOML file in the folder may hold ``[parameters...]`` tables. The baseline
declares each parameter (label, type, federal floor) and gives dated values; a
ruleset that extends it only adds dated values, each with its citation. A
value is looked up by nearest ancestor: the ruleset's own value in force on the
date asked, else its parent's, and so on. See docs/rulesets.md.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import tomllib
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import attrs

from .dates import UNITS, WEEKEND_RULES, BusinessCalendar, SchoolCalendar
from .errors import Problem, RulesetError, did_you_mean

TYPES = (
    "integer",
    "number",
    "boolean",
    "string",
    "enum",
    "strings",
    "date",
    "duration",
    "clock",
    "criteria",
)
DECLARATION_KEYS = (
    "label",
    "description",
    "type",
    "unit",
    "choices",
    "floor",
    "floor_citation",
    "state_choice",
    "values",
)
VALUE_KEYS = ("effective", "until", "value", "citation", "url", "note", "repealed")
RULESET_KEYS = ("id", "title", "jurisdiction", "extends", "version", "description")
TOP_KEYS = ("ruleset", "parameters", "calendar")
CALENDAR_KEYS = ("holidays_country", "holidays_subdivision", "extra_holidays", "school_calendar")
FLOORS = ("at_most", "at_least")
CLOCK_KEYS = (
    "start",
    "stop",
    "length",
    "unit",
    "direction",
    "opens_length",
    "opens_unit",
    "excused_by",
    "excuse_policy",
    "on_weekend",
    "count_start_day_as",
)
CLOCK_REQUIRED = ("start", "stop", "length", "unit")
EXCUSE_POLICIES = ("fixed_with_reason", "pause_and_extend")
CRITERION_KEYS = ("measure", "at_least", "domains", "in", "only", "label")
MEASURES = ("percent_delay", "months_delay", "sd_below_mean")
PARAM_MARKERS = ("values", "type", "label")


@attrs.frozen
class ValueEntry:
    """One dated value of a parameter in one ruleset file."""

    effective: date
    value: Any
    citation: str
    until: date | None = None
    url: str | None = None
    note: str | None = None
    repealed: bool = False
    file: str = ""
    ruleset: str = ""


@attrs.frozen
class Declaration:
    """What a parameter is: label, type, unit and federal floor."""

    name: str
    label: str
    type: str
    unit: str | None = None
    choices: tuple[str, ...] = ()
    floor: str | None = None
    floor_citation: str | None = None
    state_choice: bool = False
    description: str | None = None
    file: str = ""
    ruleset: str = ""


@attrs.frozen
class Param:
    """A parameter's value in force on a date, with where it came from."""

    name: str
    value: Any
    citation: str
    effective: date
    until: date | None
    ruleset: str
    file: str
    url: str | None = None


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


class _FileReader:
    """Collects problems for one TOML file, each with its line where it can be found."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.text = ""
            self.data: dict = {}
            self.add("", f"cannot read the file ({exc})")
            return
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            self.data = {}
            self.add("", f"not valid TOML: {exc}", "fix the syntax at that line")

    def add(self, keypath: str, what: str, fix: str | None = None, needle: str | None = None):
        line = None
        if needle:
            line = _line_of(self.text, needle)
        elif keypath:
            last = keypath.split(".")[-1].split("[")[0]
            line = _line_of(
                self.text, keypath.rsplit(".values", 1)[0].replace("parameters.", "parameters.", 1)
            ) or _line_of(self.text, last)
        where = str(self.path) + (f":{line}" if line else "")
        if keypath:
            where += f": {keypath}"
        self.problems.append(Problem(where, what, fix))


def _check_keys(reader: _FileReader, table: dict, allowed: Iterable[str], keypath: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            hint = did_you_mean(key, allowed)
            reader.add(
                f"{keypath}.{key}" if keypath else key,
                f'unknown key "{key}"',
                hint or f"expected one of: {', '.join(allowed)}",
                needle=key,
            )


class Ruleset:
    """A loaded ruleset, linked to its parent; look values up with `param` and `value`."""

    def __init__(
        self,
        *,
        id: str,
        title: str,
        jurisdiction: str,
        version: str,
        folder: Path,
        parent: Ruleset | None,
        declarations: dict[str, Declaration],
        values: dict[str, list[ValueEntry]],
        calendar: dict[str, Any],
        files: tuple[Path, ...],
        description: str | None = None,
    ):
        self.id = id
        self.title = title
        self.jurisdiction = jurisdiction
        self.version = version
        self.folder = folder
        self.parent = parent
        self.description = description
        self.own_declarations = declarations
        self.own_values = {k: sorted(v, key=lambda e: e.effective) for k, v in values.items()}
        self._starts = {k: [e.effective for e in v] for k, v in self.own_values.items()}
        self.calendar_settings = calendar
        self.files = files
        self._cache: dict[tuple[str, date], Param] = {}

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} {self.version}>"

    @property
    def extends(self) -> str | None:
        return self.parent.id if self.parent else None

    @property
    def lineage(self) -> tuple[Ruleset, ...]:
        """This ruleset and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return tuple(chain)

    @cached_property
    def declarations(self) -> dict[str, Declaration]:
        merged: dict[str, Declaration] = {}
        for node in reversed(self.lineage):
            merged.update(node.own_declarations)
        return merged

    @cached_property
    def digest(self) -> str:
        """A hash of every file in the lineage: same digest, same rules."""
        h = hashlib.sha256()
        for node in reversed(self.lineage):
            for path in node.files:
                h.update(path.name.encode())
                h.update(path.read_bytes())
        return h.hexdigest()[:16]

    @property
    def full_version(self) -> str:
        return f"{self.version}+{self.digest}"

    def own_entry(self, name: str, on: date) -> ValueEntry | None:
        """This ruleset's own value entry in force on a date (not inherited)."""
        entries = self.own_values.get(name)
        if not entries:
            return None
        i = bisect.bisect_right(self._starts[name], on) - 1
        if i < 0:
            return None
        entry = entries[i]
        if entry.until is not None and on > entry.until:
            return None
        return entry

    def param(self, name: str, on: date) -> Param:
        """The parameter in force on a date, by nearest ancestor; RulesetError if none."""
        key = (name, on)
        found = self._cache.get(key)
        if found is not None:
            return found
        if name not in self.declarations:
            hint = did_you_mean(name, self.declarations)
            raise RulesetError(
                f'ruleset "{self.id}" has no parameter "{name}"' + (f"; {hint}" if hint else "")
            )
        found = self._resolve(name, on)
        if found is None:
            raise RulesetError(
                f'ruleset "{self.id}": parameter "{name}" has no value in force on '
                f"{on.isoformat()}; add a value whose effective date is on or before it"
            )
        self._cache[key] = found
        return found

    def _resolve(self, name: str, on: date) -> Param | None:
        decl = self.declarations[name]
        for node in self.lineage:
            entry = node.own_entry(name, on)
            if entry is None:
                continue
            if entry.repealed:
                return None
            value = entry.value
            if decl.type == "clock" and node.parent is not None:
                inherited = node.parent._resolve(name, on)
                if inherited is not None:
                    value = {**inherited.value, **value}
            return Param(
                name=name,
                value=value,
                citation=entry.citation,
                effective=entry.effective,
                until=entry.until,
                ruleset=node.id,
                file=entry.file,
                url=entry.url,
            )
        return None

    def value(self, name: str, on: date) -> Any:
        """The value of a parameter in force on a date."""
        return self.param(name, on).value

    def has(self, name: str) -> bool:
        return name in self.declarations

    def parameter_names(self) -> list[str]:
        return sorted(self.declarations)

    def change_dates(self, name: str) -> list[date]:
        """Every date on which the parameter's value may change, across the lineage."""
        days: set[date] = set()
        for node in self.lineage:
            for entry in node.own_values.get(name, ()):
                days.add(entry.effective)
                if entry.until is not None:
                    days.add(date.fromordinal(entry.until.toordinal() + 1))
        return sorted(days)

    # Calendars -----------------------------------------------------------------
    def _calendar_setting(self, key: str) -> Any:
        for node in self.lineage:
            if key in node.calendar_settings:
                return node.calendar_settings[key]
        return None

    def business_calendar(self, years: Iterable[int]) -> BusinessCalendar:
        """Weekdays less public holidays of the ruleset's jurisdiction for those years."""
        years = tuple(sorted(set(years)))
        key = ("business", years)
        cached = self._calendars.get(key)
        if cached is not None:
            return cached
        country = self._calendar_setting("holidays_country")
        subdivision = self._calendar_setting("holidays_subdivision")
        extra = self._calendar_setting("extra_holidays") or []
        days: list[date] = list(extra)
        if country:
            import holidays as holidays_lib

            days.extend(holidays_lib.country_holidays(country, subdiv=subdivision, years=years))
        calendar = BusinessCalendar(days, name=f"{country or ''}-{subdivision or ''}")
        self._calendars[key] = calendar
        return calendar

    @cached_property
    def _calendars(self) -> dict:
        return {}

    def school_calendar(self) -> SchoolCalendar | None:
        """The school calendar named by the ruleset, or None."""
        cached = self._calendars.get("school")
        if cached is not None:
            return cached
        name = None
        folder = None
        for node in self.lineage:
            if "school_calendar" in node.calendar_settings:
                name = node.calendar_settings["school_calendar"]
                folder = node.folder
                break
        if not name:
            return None
        calendar = load_school_calendar(folder / name)
        self._calendars["school"] = calendar
        return calendar


def load_school_calendar(path: Path) -> SchoolCalendar:
    """Read a school calendar TOML file: terms (first and last day) and closures."""
    problems: list[Problem] = []
    reader = _FileReader(path, problems)
    data = reader.data
    _check_keys(reader, data, ("name", "terms", "closures"), "")
    terms = []
    for i, term in enumerate(data.get("terms", [])):
        if not isinstance(term, dict):
            reader.add(f"terms[{i}]", "expected a table with first_day and last_day")
            continue
        _check_keys(reader, term, ("first_day", "last_day", "name"), f"terms[{i}]")
        first, last = term.get("first_day"), term.get("last_day")
        if not isinstance(first, date) or not isinstance(last, date) or last < first:
            reader.add(
                f"terms[{i}]", "first_day and last_day must be dates, last on or after first"
            )
            continue
        terms.append((first, last))
    closures = data.get("closures", [])
    if not isinstance(closures, list) or not all(isinstance(c, date) for c in closures):
        reader.add("closures", "expected a list of dates")
        closures = []
    if not terms and not problems:
        reader.add("terms", "a school calendar needs at least one term")
    if problems:
        raise RulesetError(f"invalid school calendar {path}", problems)
    return SchoolCalendar.from_terms(terms, closures, name=data.get("name", path.stem))


# Loading ------------------------------------------------------------------------


def builtin_folder() -> Path:
    """Where the shipped rulesets live inside the installed package."""
    from eirules import rulesets as package

    return Path(package.__file__).parent


def ruleset_folders(extra: Iterable[Path] = (), pm=None) -> list[Path]:
    """Folders to search, in priority order: extra, $EIRULES_RULESETS_PATH, plugins, built-in."""
    folders = [Path(p) for p in extra]
    env = os.environ.get("EIRULES_RULESETS_PATH")
    if env:
        folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    if pm is not None:
        for result in pm.hook.register_rulesets():
            for path in result or ():
                folders.append(Path(path))
    folders.append(builtin_folder())
    return folders


def discover(folders: Iterable[Path]) -> dict[str, Path]:
    """Map ruleset id to folder; a folder may be a ruleset or hold ruleset folders."""
    found: dict[str, Path] = {}
    for folder in folders:
        candidates = (
            [folder]
            if (folder / "ruleset.toml").is_file()
            else sorted(p for p in folder.iterdir() if (p / "ruleset.toml").is_file())
            if folder.is_dir()
            else []
        )
        for candidate in candidates:
            try:
                data = tomllib.loads((candidate / "ruleset.toml").read_text(encoding="utf-8"))
                rid = data.get("ruleset", {}).get("id") or candidate.name
            except (OSError, tomllib.TOMLDecodeError, AttributeError):
                rid = candidate.name
            found.setdefault(str(rid), candidate)
    return found


class RulesetRegistry:
    """Finds and loads rulesets by id, caching each one."""

    def __init__(self, folders: Iterable[Path]):
        self.folders = list(folders)
        self._index: dict[str, Path] | None = None
        self._loaded: dict[str, Ruleset] = {}

    @property
    def index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = discover(self.folders)
        return self._index

    def ids(self) -> list[str]:
        return sorted(self.index)

    def get(self, ruleset_id: str) -> Ruleset:
        loaded = self._loaded.get(ruleset_id)
        if loaded is not None:
            return loaded
        ruleset = self._load(ruleset_id, ())
        return ruleset

    def _load(self, ruleset_id: str, seen: tuple[str, ...]) -> Ruleset:
        if ruleset_id in self._loaded:
            return self._loaded[ruleset_id]
        if ruleset_id in seen:
            cycle = " -> ".join((*seen, ruleset_id))
            raise RulesetError(f"rulesets extend each other in a cycle: {cycle}")
        folder = self.index.get(ruleset_id)
        if folder is None:
            hint = did_you_mean(ruleset_id, self.index)
            raise RulesetError(
                f'no ruleset "{ruleset_id}"'
                + (f"; {hint}" if hint else f"; known rulesets: {', '.join(self.ids())}")
            )
        header = read_header(folder)
        parent = None
        if header.get("extends"):
            parent = self._load(header["extends"], (*seen, ruleset_id))
        ruleset = load_folder(folder, parent)
        self._loaded[ruleset_id] = ruleset
        return ruleset


def read_header(folder: Path) -> dict[str, Any]:
    path = folder / "ruleset.toml"
    problems: list[Problem] = []
    reader = _FileReader(path, problems)
    header = reader.data.get("ruleset")
    if problems:
        raise RulesetError(f"invalid ruleset {folder}", problems)
    if not isinstance(header, dict):
        raise RulesetError(
            f"invalid ruleset {folder}",
            [Problem(str(path), "missing the [ruleset] table", "add [ruleset] with id and title")],
        )
    return header


def load_folder(folder: Path, parent: Ruleset | None) -> Ruleset:
    """Load and validate one ruleset folder on top of its already loaded parent."""
    problems: list[Problem] = []
    files = sorted(p for p in folder.glob("*.toml") if p.is_file())
    header_path = folder / "ruleset.toml"
    header: dict[str, Any] = {}
    declarations: dict[str, Declaration] = {}
    values: dict[str, list[ValueEntry]] = {}
    calendar: dict[str, Any] = {}
    inherited = parent.declarations if parent else {}
    for path in files:
        reader = _FileReader(path, problems)
        data = reader.data
        _check_keys(reader, data, TOP_KEYS, "")
        if path == header_path:
            header = data.get("ruleset") or {}
            if not isinstance(header, dict):
                reader.add("ruleset", "expected a table")
                header = {}
            _check_keys(reader, header, RULESET_KEYS, "ruleset")
            for key in ("id", "title"):
                if not isinstance(header.get(key), str) or not header.get(key):
                    reader.add(f"ruleset.{key}", "missing or not a string", f'add {key} = "..."')
            cal = data.get("calendar") or {}
            if not isinstance(cal, dict):
                reader.add("calendar", "expected a table")
                cal = {}
            _check_keys(reader, cal, CALENDAR_KEYS, "calendar")
            calendar = cal
        elif "ruleset" in data or "calendar" in data:
            reader.add("ruleset", "[ruleset] and [calendar] belong in ruleset.toml only")
        params = data.get("parameters")
        if params is None:
            continue
        if not isinstance(params, dict):
            reader.add("parameters", "expected a table")
            continue
        rid = str(header.get("id") or folder.name)
        _walk(reader, params, "", rid, declarations, values, inherited, parent)
    rid = str(header.get("id") or folder.name)
    if parent is None and header.get("extends"):
        problems.append(Problem(str(header_path), "extends a ruleset that was not loaded"))
    all_decls = {**inherited, **declarations}
    for name, entries in values.items():
        decl = all_decls.get(name)
        if decl is None:
            continue
        _check_entries(name, decl, entries, problems, parent)
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


def _walk(reader, table, prefix, rid, declarations, values, inherited, parent) -> None:
    for key, sub in table.items():
        name = f"{prefix}.{key}" if prefix else key
        path = f"parameters.{name}"
        if not isinstance(sub, dict):
            known = [k for k in (*inherited, *declarations) if k.startswith(prefix)]
            hint = did_you_mean(name, known) or did_you_mean(key, PARAM_MARKERS)
            reader.add(
                path,
                f"unexpected {type(sub).__name__}; expected a parameter table or a group of them",
                hint,
            )
            continue
        if not _is_param(sub):
            _walk(reader, sub, name, rid, declarations, values, inherited, parent)
            continue
        declaring = any(k in sub for k in ("type", "label"))
        if declaring:
            if name in inherited:
                reader.add(
                    path,
                    f'"{name}" is already declared by ruleset "{inherited[name].ruleset}"',
                    "give only dated values here, under .values",
                )
                continue
            _check_keys(reader, sub, DECLARATION_KEYS, path)
            decl = _declaration(reader, sub, name, path, rid)
            if decl is None:
                continue
            declarations[name] = decl
        else:
            if name not in inherited:
                hint = did_you_mean(name, inherited)
                reader.add(
                    path,
                    f'"{name}" is not a parameter of the ruleset this one extends',
                    hint or "declare it with a label and type in a baseline ruleset",
                )
                continue
            _check_keys(reader, sub, ("values",), path)
        decl = declarations.get(name) or inherited[name]
        entries = sub.get("values", [])
        if not isinstance(entries, list):
            reader.add(f"{path}.values", "expected an array of tables ([[...values]])")
            continue
        for i, raw in enumerate(entries):
            entry = _entry(reader, raw, f"{path}.values[{i}]", decl, rid, parent)
            if entry is not None:
                values.setdefault(name, []).append(entry)


def _declaration(reader, sub, name, path, rid) -> Declaration | None:
    label, typ = sub.get("label"), sub.get("type")
    ok = True
    if not isinstance(label, str) or not label.strip():
        reader.add(f"{path}.label", "missing or empty", "add a label a case manager can read")
        ok = False
    if typ not in TYPES:
        hint = did_you_mean(str(typ), TYPES)
        reader.add(
            f"{path}.type",
            f"{typ!r} is not a parameter type",
            hint or f"expected one of: {', '.join(TYPES)}",
        )
        ok = False
    floor = sub.get("floor")
    if floor is not None and floor not in FLOORS:
        reader.add(
            f"{path}.floor", f"{floor!r} is not a floor", f"expected one of: {', '.join(FLOORS)}"
        )
        ok = False
    if floor is not None and not sub.get("floor_citation"):
        reader.add(
            f"{path}.floor_citation", "a federal floor needs the citation of the federal rule"
        )
        ok = False
    unit = sub.get("unit")
    if unit is not None and not isinstance(unit, str):
        reader.add(f"{path}.unit", "expected a string")
        ok = False
    choices = sub.get("choices", [])
    if typ == "enum" and (not isinstance(choices, list) or not choices):
        reader.add(f"{path}.choices", "an enum needs a list of choices")
        ok = False
    state_choice = sub.get("state_choice", False)
    if not isinstance(state_choice, bool):
        reader.add(f"{path}.state_choice", "expected true or false")
        ok = False
    if not ok:
        return None
    return Declaration(
        name=name,
        label=label,
        type=typ,
        unit=unit,
        choices=tuple(choices) if isinstance(choices, list) else (),
        floor=floor,
        floor_citation=sub.get("floor_citation"),
        state_choice=state_choice,
        description=sub.get("description"),
        file=str(reader.path),
        ruleset=rid,
    )


def _entry(reader, raw, path, decl: Declaration, rid, parent) -> ValueEntry | None:
    if not isinstance(raw, dict):
        reader.add(path, "expected a table with effective, value and citation")
        return None
    _check_keys(reader, raw, VALUE_KEYS, path)
    ok = True
    effective = raw.get("effective")
    if not isinstance(effective, date) or hasattr(effective, "hour"):
        reader.add(
            f"{path}.effective",
            f"{effective!r} is not a date",
            "write it as a TOML date: effective = 2011-10-28",
        )
        ok = False
    until = raw.get("until")
    if until is not None and (not isinstance(until, date) or hasattr(until, "hour")):
        reader.add(f"{path}.until", f"{until!r} is not a date")
        ok = False
    elif until is not None and isinstance(effective, date) and until < effective:
        reader.add(f"{path}.until", f"{until} is before effective {effective}")
        ok = False
    citation = raw.get("citation")
    if not isinstance(citation, str) or not citation.strip():
        reader.add(
            f"{path}.citation",
            "every value needs a citation",
            'add citation = "34 CFR ..." or the state rule',
        )
        ok = False
    repealed = raw.get("repealed", False)
    if not isinstance(repealed, bool):
        reader.add(f"{path}.repealed", "expected true or false")
        ok = False
    if "value" not in raw and not repealed:
        reader.add(f"{path}.value", "missing", "add value = ... or repealed = true")
        ok = False
    value = raw.get("value")
    if "value" in raw and ok:
        partial = decl.type == "clock" and parent is not None and decl.ruleset != rid
        problem = check_value(decl, value, partial=partial)
        if problem:
            reader.add(f"{path}.value", problem[0], problem[1])
            ok = False
    for key in ("url", "note"):
        if key in raw and not isinstance(raw[key], str):
            reader.add(f"{path}.{key}", "expected a string")
            ok = False
    if not ok:
        return None
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
    )


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_value(
    decl: Declaration, value: Any, *, partial: bool = False
) -> tuple[str, str | None] | None:
    """Return (what is wrong, how to fix) if the value does not fit the declaration."""
    t = decl.type
    if t == "integer" and not _is_int(value):
        return f"{value!r} is not a whole number", None
    if t == "number" and not _is_num(value):
        return f"{value!r} is not a number", None
    if t == "boolean" and not isinstance(value, bool):
        return f"{value!r} is not true or false", None
    if t == "string" and not isinstance(value, str):
        return f"{value!r} is not a string", None
    if t == "date" and (not isinstance(value, date) or hasattr(value, "hour")):
        return f"{value!r} is not a date", "write it as a TOML date: 2026-07-01"
    if t == "enum" and value not in decl.choices:
        return f"{value!r} is not allowed", did_you_mean(
            str(value), decl.choices
        ) or f"expected one of: {', '.join(decl.choices)}"
    if t == "strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{value!r} is not a list of strings", None
        if decl.choices:
            for v in value:
                if v not in decl.choices:
                    return f'"{v}" is not allowed', did_you_mean(
                        v, decl.choices
                    ) or f"expected one of: {', '.join(decl.choices)}"
    if t == "duration":
        if (
            not isinstance(value, dict)
            or set(value) - {"length", "unit"}
            or not {"length", "unit"} <= set(value)
        ):
            return (
                f"{value!r} is not a duration",
                'write it as { length = 45, unit = "calendar_days" }',
            )
        if not _is_int(value["length"]) or value["length"] < 0:
            return f"length {value['length']!r} is not a whole number of units", None
        if value["unit"] not in UNITS:
            return f"unit {value['unit']!r} is not known", did_you_mean(
                value["unit"], UNITS
            ) or f"expected one of: {', '.join(UNITS)}"
    if t == "clock":
        return _check_clock(value, partial)
    if t == "criteria":
        return _check_criteria(value)
    return None


def _check_clock(value: Any, partial: bool) -> tuple[str, str | None] | None:
    if not isinstance(value, dict):
        return f"{value!r} is not a clock table", None
    for key in value:
        if key not in CLOCK_KEYS:
            return f'unknown clock key "{key}"', did_you_mean(
                key, CLOCK_KEYS
            ) or f"expected one of: {', '.join(CLOCK_KEYS)}"
    if not partial:
        missing = [k for k in CLOCK_REQUIRED if k not in value]
        if missing:
            return f"clock is missing {', '.join(missing)}", None
    for key in ("start", "stop", "excused_by"):
        if key in value and (
            not isinstance(value[key], list) or not all(isinstance(v, str) for v in value[key])
        ):
            return f"{key} must be a list of strings", None
    for key in ("length", "opens_length"):
        if key in value and (not _is_int(value[key]) or value[key] < 0):
            return f"{key} {value[key]!r} is not a whole number of units", None
    for key in ("unit", "opens_unit"):
        if key in value and value[key] not in UNITS:
            return f"{key} {value[key]!r} is not known", did_you_mean(
                str(value[key]), UNITS
            ) or f"expected one of: {', '.join(UNITS)}"
    if "direction" in value and value["direction"] not in ("after", "before"):
        return f"direction {value['direction']!r} must be after or before", None
    if "on_weekend" in value and value["on_weekend"] not in WEEKEND_RULES:
        return f"on_weekend {value['on_weekend']!r} is not known", did_you_mean(
            str(value["on_weekend"]), WEEKEND_RULES
        ) or f"expected one of: {', '.join(WEEKEND_RULES)}"
    if "excuse_policy" in value and value["excuse_policy"] not in EXCUSE_POLICIES:
        return (
            f"excuse_policy {value['excuse_policy']!r} is not known",
            f"expected one of: {', '.join(EXCUSE_POLICIES)}",
        )
    if "count_start_day_as" in value and value["count_start_day_as"] not in (0, 1):
        return "count_start_day_as must be 0 or 1", None
    return None


def _check_criteria(value: Any) -> tuple[str, str | None] | None:
    if not isinstance(value, list):
        return "criteria must be an array of tables", None
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return f"criterion {i} is not a table", None
        for key in item:
            if key not in CRITERION_KEYS:
                return f'criterion {i}: unknown key "{key}"', did_you_mean(
                    key, CRITERION_KEYS
                ) or f"expected one of: {', '.join(CRITERION_KEYS)}"
        if item.get("measure") not in MEASURES:
            return (
                f"criterion {i}: measure {item.get('measure')!r} is not known",
                f"expected one of: {', '.join(MEASURES)}",
            )
        if not _is_num(item.get("at_least")) or item["at_least"] < 0:
            return f"criterion {i}: at_least must be a non-negative number", None
        if not _is_int(item.get("domains", 1)) or item.get("domains", 1) < 1:
            return f"criterion {i}: domains must be a whole number of at least 1", None
        for key in ("in", "only"):
            if key in item and (
                not isinstance(item[key], list) or not all(isinstance(v, str) for v in item[key])
            ):
                return f"criterion {i}: {key} must be a list of domain names", None
    return None


def _floor_number(decl: Declaration, value: Any) -> tuple[float, str | None] | None:
    if decl.type in ("integer", "number") and _is_num(value):
        return float(value), decl.unit
    if decl.type in ("duration", "clock") and isinstance(value, dict) and "length" in value:
        return float(value["length"]), value.get("unit")
    return None


_MONTHS = {"months": 1, "years": 12}


def _comparable(
    a: tuple[float, str | None], b: tuple[float, str | None]
) -> tuple[float, float] | None:
    if a[1] == b[1]:
        return a[0], b[0]
    if a[1] in _MONTHS and b[1] in _MONTHS:
        return a[0] * _MONTHS[a[1]], b[0] * _MONTHS[b[1]]
    return None


def _check_entries(name, decl, entries, problems, parent) -> None:
    ordered = sorted(entries, key=lambda e: e.effective)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.effective == after.effective or (
            before.until is not None and before.until >= after.effective
        ):
            problems.append(
                Problem(
                    f"{after.file}: parameters.{name}.values",
                    f"effective periods overlap: {before.effective} to {before.until or 'open'} and from {after.effective}",
                    "end the earlier one (until) before the later one starts",
                )
            )
    if parent is None or decl.floor is None or decl.state_choice:
        return
    for entry in ordered:
        if entry.repealed:
            continue
        dates = [entry.effective] + [
            d
            for d in parent.change_dates(name)
            if d > entry.effective and (entry.until is None or d <= entry.until)
        ]
        for day in dates:
            try:
                base = parent.param(name, day)
            except RulesetError:
                continue
            value = entry.value
            if decl.type == "clock":
                value = {**base.value, **value}
            mine, theirs = _floor_number(decl, value), _floor_number(decl, base.value)
            if mine is None or theirs is None:
                continue
            pair = _comparable(mine, theirs)
            if pair is None:
                problems.append(
                    Problem(
                        f"{entry.file}: parameters.{name}.values (effective {entry.effective})",
                        f"changes the unit of a federal floor ({theirs[1]} to {mine[1]}), which cannot be checked against {decl.floor_citation}",
                        "keep the federal unit",
                    )
                )
                break
            loosened = pair[0] > pair[1] if decl.floor == "at_most" else pair[0] < pair[1]
            if loosened:
                word = "more" if decl.floor == "at_most" else "fewer"
                problems.append(
                    Problem(
                        f"{entry.file}: parameters.{name}.values (effective {entry.effective})",
                        f"{mine[0]:g} {mine[1] or ''} loosens the federal floor of {theirs[0]:g} {theirs[1] or ''}: "
                        f"a state may not allow {word} than {decl.floor_citation} does",
                        "set a value that is the same or stricter",
                    )
                )
                break


def iter_resolved(ruleset: Ruleset, on: date) -> Iterator[tuple[Declaration, Param | None]]:
    """Every declared parameter with its value in force on a date (None if none)."""
    for name in ruleset.parameter_names():
        decl = ruleset.declarations[name]
        try:
            yield decl, ruleset.param(name, on)
        except RulesetError:
            yield decl, None
