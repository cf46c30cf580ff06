"""Tools for ruleset authors: validate folders, resolve, diff, scaffold and run ruleset tests.

Each function returns plain data (lists of dicts and attrs objects) that the
`eirules rulesets` commands print as text or JSON. Nothing here knows a program:
parameters, clocks and outcomes are compared by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from .decisions import CLOCK_STATUSES, ELIGIBILITY_OUTCOMES
from .errors import EirulesError, InputError, Problem, RulesetError, did_you_mean
from .rulesets import (
    Declaration,
    Param,
    Ruleset,
    RulesetProblem,
    RulesetRegistry,
    _check_keys,
    _declared_id,
    _FileReader,
    _is_date,
    _kind,
    _ruleset_dirs,
    iter_resolved,
)

TESTS_FOLDER = "tests"
EXPECT_SUFFIX = ".expect.toml"
EXPECT_FILE_KEYS = ("description", "case", "ruleset", "expect")
EXPECT_KEYS = ("as_of", "eligibility", "clocks", "note")
ELIGIBILITY_KEYS = ("outcome", "basis")
CLOCK_EXPECT_KEYS = ("due", "status", "opens", "met_on")


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


# Validate --------------------------------------------------------------------------------


@attrs.frozen
class Validation:
    """The outcome of validating one ruleset folder."""

    path: str
    id: str | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "id": self.id,
            "valid": self.valid,
            "problems": [problem_dict(p) for p in self.problems],
        }


def problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "file": getattr(problem, "file", "") or None,
        "line": getattr(problem, "line", None),
        "key": getattr(problem, "key", "") or None,
        "what": problem.what,
        "fix": problem.fix,
        "message": str(problem),
    }


def clock_event_problems(ruleset: Ruleset, event_types: Iterable[str]) -> list[Problem]:
    """Start and stop events of the ruleset's own clock values that no plugin registered.

    A clock that starts or stops on an unknown event would never start or never stop.
    """
    known = sorted(event_types)
    problems: list[Problem] = []
    for name, entries in sorted(ruleset.own_values.items()):
        declaration = ruleset.declarations.get(name)
        if declaration is None or declaration.type != "clock":
            continue
        for entry in entries:
            if not isinstance(entry.value, dict):
                continue
            for key in ("start", "stop"):
                for event in entry.value.get(key) or ():
                    if event in known:
                        continue
                    where = entry.file + (f":{entry.line}" if entry.line else "")
                    problems.append(
                        RulesetProblem(
                            f"{where}: {entry.key or name}.{key}",
                            f'"{event}" is not a registered event type',
                            did_you_mean(event, known)
                            or "register it with the register_event_types hook (docs/plugins.md), "
                            "or name an event type listed in docs/case-file.md",
                            file=entry.file,
                            line=entry.line,
                            key=f"{entry.key or name}.{key}",
                        )
                    )
    return problems


def clock_start_problems(ruleset: Ruleset) -> list[Problem]:
    """Clock values that change what starts a clock whose trigger the federal rule fixes.

    A ruleset may vary any key of a clock it inherits (its day count, unit, stop events,
    excuses); the start events only where the rule leaves the timeline to the state
    (`state_choice = true`). Elsewhere the regulation names the trigger, and a later
    start would loosen it.
    """
    problems: list[Problem] = []
    parent = ruleset.parent
    if parent is None:
        return problems
    for name, entries in sorted(ruleset.own_values.items()):
        declaration = ruleset.declarations.get(name)
        if declaration is None or declaration.type != "clock" or declaration.state_choice:
            continue
        for entry in entries:
            start = entry.value.get("start") if isinstance(entry.value, dict) else None
            if start is None:
                continue
            try:
                base = parent.param(name, entry.effective)
            except RulesetError:
                continue
            base_start = base.value.get("start") if isinstance(base.value, dict) else None
            if base_start is None or set(start) == set(base_start):
                continue
            where = entry.file + (f":{entry.line}" if entry.line else "")
            rule = declaration.floor_citation or f"the rule behind {name}"
            problems.append(
                RulesetProblem(
                    f"{where}: {entry.key or name}.start",
                    f"{start} changes what starts this clock ({parent.id} starts it on "
                    f"{base_start}), but the rule fixes its trigger ({rule})",
                    f"keep start = {base_start!r}; vary the length, unit or stop events instead "
                    "(docs/plugins.md, Clock variants)",
                    file=entry.file,
                    line=entry.line,
                    key=f"{entry.key or name}.start",
                )
            )
    return problems


def validate_paths(
    paths: Iterable[str | Path], search: Iterable[Path], load_case=None, event_types=None
) -> list[Validation]:
    """Validate ruleset folders (or files in them, or folders of them) and their tests' format.

    `search` is where ancestors named by `extends` are found; the given folders
    come first, so a ruleset and the one it extends can be validated together.
    `load_case` (e.g. `Engine.load_case`), when given, checks each test's case file;
    `event_types` (e.g. `Engine.event_types`), every clock's start and stop events.
    """
    folders: list[Path] = []
    results: list[Validation] = []
    # Files outside any ruleset folder: an error when nothing else was named, else
    # skipped (so `validate rulesets/*` passes over a README beside the rulesets).
    strays: list[Validation] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if not (path.parent / "ruleset.toml").is_file():
                problem = RulesetProblem(
                    str(path),
                    "is not a file of a ruleset folder (no ruleset.toml beside it)",
                    "point at a ruleset folder (one holding ruleset.toml)",
                    file=str(path),
                )
                strays.append(Validation(str(path), None, (problem,)))
                continue
            path = path.parent
        found = _ruleset_dirs(path)
        if not found and path.name == "__pycache__":  # Python's, beside rulesets/__init__.py
            problem = RulesetProblem(str(path), "is a Python cache folder", None, file=str(path))
            strays.append(Validation(str(path), None, (problem,)))
            continue
        if not found:
            problem = RulesetProblem(
                str(path),
                "found no ruleset.toml here or in the folders directly inside",
                "point at a ruleset folder (one holding ruleset.toml)",
                file=str(path),
            )
            results.append(Validation(str(path), None, (problem,)))
        folders.extend(found)
    if not folders:
        results.extend(strays)
    registry = RulesetRegistry([*folders, *search])
    for folder in dict.fromkeys(folders):
        rid = _declared_id(folder)
        problems: list[Problem] = []
        try:
            ruleset = registry.load_path(folder)
            rid = ruleset.id
            problems.extend(ruleset.holiday_problems())
            problems.extend(clock_start_problems(ruleset))
            if event_types is not None:
                problems.extend(clock_event_problems(ruleset, event_types))
        except RulesetError as exc:
            problems.extend(exc.problems or (Problem(str(folder), exc.message),))
        for test in find_tests(folder):
            try:
                parsed = read_expectations(test)
                if load_case is not None:
                    load_case(parsed.case_path)
            except EirulesError as exc:
                problems.extend(exc.problems or (Problem(str(test), exc.message),))
        results.append(Validation(str(folder), rid, tuple(problems)))
    return results


# New ---------------------------------------------------------------------------------------

# Placeholders are not valid TOML on purpose: a block uncommented but not filled in
# fails validation at its line instead of loading a made-up value or citation.
_PLACEHOLDER = {
    "integer": "<a whole number>",
    "number": "<a number>",
    "boolean": "<true or false>",
    "string": "<a quoted string>",
    "enum": "<one of the choices, quoted>",
    "strings": "<an array of quoted strings>",
    "date": "<a date, e.g. 2026-07-01>",
    "duration": '<{ length = N, unit = "calendar_days" }>',
    "clock": "<a table of only the clock keys you change, e.g. { length = N }>",
    "criteria": '<[{ measure = "percent_delay", at_least = N, domains = 1 }]>',
}


def _ruleset_table(rid: str, title: str, jurisdiction: str, extends: str) -> str:
    """The [ruleset] table, written by a TOML encoder: any title is quoted correctly."""
    import tomli_w

    return tomli_w.dumps(
        {
            "ruleset": {
                "id": rid,
                "title": title,
                "jurisdiction": jurisdiction,
                "extends": extends,
                "version": f"{date.today().year}.1",
            }
        }
    )


def write_new(rid: str, parent: Ruleset, folder: Path, *, title: str | None = None) -> list[Path]:
    """Write a commented starting ruleset extending `parent`; it validates as written."""
    from .rulesets import ID_PATTERN

    if not isinstance(rid, str) or not ID_PATTERN.fullmatch(rid):
        raise InputError(
            f'"{rid}" is not a ruleset id',
            [
                Problem(
                    "ID", "expected lower-case letters and digits joined by hyphens", 'e.g. "us-mo"'
                )
            ],
        )
    target = Path(folder) / rid
    if target.exists() and any(target.iterdir()):
        raise InputError(
            f"{target} already exists and is not empty",
            [Problem(str(target), "refusing to overwrite a ruleset", "choose another --dir or id")],
        )
    (target / TESTS_FOLDER).mkdir(parents=True, exist_ok=True)
    jurisdiction = rid.upper()
    header = f'''# Ruleset "{rid}", extending "{parent.id}" ({parent.title}).
# Written by `eirules rulesets new`. Read docs/rulesets.md, then:
#   1. set the values your state's rules give in parameters.toml, each with its citation;
#   2. run `eirules rulesets validate {target}`;
#   3. add case files and expectations under tests/ and run `eirules rulesets test {target}`.
# Every value you do not set is inherited from "{parent.id}".

{_ruleset_table(rid, title or rid, jurisdiction, parent.id)}
[calendar]
# Public holidays for business-day clocks come from the `holidays` package.
# The country is inherited; name your subdivision (state) if it has its own holidays:
# holidays_subdivision = "MO"
# A district's school calendar (first and last days, closures) for school-day clocks:
# school_calendar = "school_calendar.toml"
'''
    lines = [
        f'# Parameters of "{rid}". Uncomment a block, fill in the value, the date it takes',
        "# effect and the citation of the rule that sets it. A value without a source stays out.",
        "",
    ]
    today = date.today()
    for decl, param in iter_resolved(parent, today):
        if param is not None and not decl.state_choice and decl.floor is None:
            continue
        lines.append(f"# --- {decl.name} ({decl.type}{', ' + decl.unit if decl.unit else ''})")
        lines.append(f"# {decl.label}")
        if param is None:
            lines.append(f'# Not set by "{parent.id}": rules that need it report it as missing.')
        else:
            lines.append(f"# Inherited: {format_value(param.value, decl)} ({param.citation})")
        if decl.floor:
            bound = "longer/more" if decl.floor == "at_most" else "shorter/fewer"
            lines.append(
                f"# Federal floor ({decl.floor_citation}): a value {bound} than the federal one"
                " is rejected."
            )
        if decl.state_choice:
            lines.append("# The federal rule leaves this to the state.")
        lines.append(f"# [[parameters.{decl.name}.values]]")
        lines.append(f"# effective = {today.isoformat()}")
        lines.append(f"# value = {_PLACEHOLDER.get(decl.type, '...')}")
        lines.append("# citation = <the state rule, manual section or statute, quoted>")
        lines.append('# url = "https://..."')
        lines.append("")
    readme = f'''# Tests for ruleset "{rid}"

Each test is a case file (NAME.json, the same format `eirules check` reads) and
an expectation file NAME{EXPECT_SUFFIX}:

    description = "Why this case matters, with the rule that decides it"
    # case = "other-name.json"   # optional; default NAME.json

    [[expect]]
    as_of = 2026-02-01
    [expect.eligibility]
    part_c = "eligible"
    [expect.clocks.initial_ifsp_meeting]
    due = 2026-02-19
    status = "pending"

Run them with `eirules rulesets test {target}`. Only synthetic, fictional children.
'''
    paths = [
        target / "ruleset.toml",
        target / "parameters.toml",
        target / TESTS_FOLDER / "README.md",
    ]
    paths[0].write_text(header, encoding="utf-8")
    paths[1].write_text("\n".join(lines), encoding="utf-8")
    paths[2].write_text(readme, encoding="utf-8")
    return paths


# Ruleset tests ------------------------------------------------------------------------------


@attrs.frozen
class Expectation:
    """One expected outcome: an eligibility or a clock field on an as-of date."""

    test: str
    as_of: date
    kind: str  # "eligibility" or "clock"
    subject: str  # program or clock id
    field: str  # outcome, basis, due, status, opens, met_on
    expected: Any


@attrs.frozen
class Outcome:
    """An expectation with what the engine said."""

    expectation: Expectation
    actual: Any
    reason: str | None = None

    @property
    def passed(self) -> bool:
        return self.actual == self.expectation.expected

    def to_dict(self) -> dict[str, Any]:
        e = self.expectation
        return {
            "test": e.test,
            "as_of": e.as_of.isoformat(),
            "kind": e.kind,
            "subject": e.subject,
            "field": e.field,
            "expected": _jsonable(e.expected),
            "actual": _jsonable(self.actual),
            "passed": self.passed,
            "reason": self.reason,
        }


@attrs.frozen
class TestFile:
    """A parsed expectation file and the case it names."""

    name: str
    path: Path
    case_path: Path
    description: str | None
    ruleset: str | None
    expectations: tuple[Expectation, ...]


def find_tests(folder: Path) -> list[Path]:
    tests = Path(folder) / TESTS_FOLDER
    return sorted(tests.glob(f"*{EXPECT_SUFFIX}")) if tests.is_dir() else []


def read_expectations(path: Path) -> TestFile:
    """Read and check one NAME.expect.toml; InputError lists every problem."""
    problems: list[Problem] = []
    reader = _FileReader(Path(path), problems)
    data = reader.data
    name = Path(path).name[: -len(EXPECT_SUFFIX)]
    _check_keys(reader, data, EXPECT_FILE_KEYS, "")
    case_name = data.get("case", f"{name}.json")
    if not isinstance(case_name, str):
        reader.add("case", f"found {_kind(case_name)}; expected a file name")
        case_name = f"{name}.json"
    case_path = Path(path).parent / case_name
    if not problems and not case_path.is_file():
        reader.add("case", f"there is no case file {case_path}", f"add {case_path.name}")
    for key in ("description", "ruleset"):
        if key in data and not isinstance(data[key], str):
            reader.add(key, f"found {_kind(data[key])}; expected a string")
    blocks = data.get("expect", [])
    if not isinstance(blocks, list) or (not blocks and not problems):
        reader.add("expect", "found no [[expect]] blocks", "add [[expect]] with as_of")
        blocks = []
    expectations: list[Expectation] = []
    for i, block in enumerate(blocks):
        key = f"expect[{i}]"
        if not isinstance(block, dict):
            reader.add(key, f"found {_kind(block)}; expected a table")
            continue
        _check_keys(reader, block, EXPECT_KEYS, key)
        as_of = block.get("as_of")
        if not _is_date(as_of):
            reader.add(f"{key}.as_of", f"found {as_of!r}; expected a date", "as_of = 2026-02-01")
            continue
        elig = block.get("eligibility", {})
        if not isinstance(elig, dict):
            reader.add(f"{key}.eligibility", f"found {_kind(elig)}; expected a table of programs")
            elig = {}
        for program, want in elig.items():
            where = f"{key}.eligibility.{program}"
            if isinstance(want, str):
                want = {"outcome": want}
            if not isinstance(want, dict):
                reader.add(where, f"found {_kind(want)}; expected an outcome string or a table")
                continue
            _check_keys(reader, want, ELIGIBILITY_KEYS, where)
            for field, value in want.items():
                if field == "basis" and (
                    not isinstance(value, list) or not all(isinstance(v, str) for v in value)
                ):
                    reader.add(f"{where}.basis", f"found {value!r}; expected an array of strings")
                    continue
                if field == "outcome" and not isinstance(value, str):
                    reader.add(f"{where}.outcome", f"found {_kind(value)}; expected a string")
                    continue
                if field == "outcome" and value not in ELIGIBILITY_OUTCOMES:
                    reader.add(
                        f"{where}.outcome",
                        f'found "{value}"; expected one of: {", ".join(ELIGIBILITY_OUTCOMES)}',
                        did_you_mean(value, ELIGIBILITY_OUTCOMES),
                    )
                    continue
                if field in ELIGIBILITY_KEYS:
                    expectations.append(
                        Expectation(
                            name,
                            as_of,
                            "eligibility",
                            program,
                            field,
                            tuple(value) if isinstance(value, list) else value,
                        )
                    )
        clocks = block.get("clocks", {})
        if not isinstance(clocks, dict):
            reader.add(f"{key}.clocks", f"found {_kind(clocks)}; expected a table of clock ids")
            clocks = {}
        for clock_id, want in clocks.items():
            where = f"{key}.clocks.{clock_id}"
            if not isinstance(want, dict) or not want:
                reader.add(
                    where,
                    f"found {_kind(want)}; expected a table such as "
                    '{ due = 2026-02-19, status = "pending" }',
                )
                continue
            _check_keys(reader, want, CLOCK_EXPECT_KEYS, where)
            for field, value in want.items():
                if field not in CLOCK_EXPECT_KEYS:
                    continue
                if field == "status" and not isinstance(value, str):
                    reader.add(f"{where}.status", f"found {_kind(value)}; expected a status")
                    continue
                if field == "status" and value not in CLOCK_STATUSES:
                    reader.add(
                        f"{where}.status",
                        f'found "{value}"; expected one of: {", ".join(CLOCK_STATUSES)}',
                        did_you_mean(value, CLOCK_STATUSES),
                    )
                    continue
                if field != "status" and not (_is_date(value) or value == "none"):
                    reader.add(f"{where}.{field}", f'found {value!r}; expected a date or "none"')
                    continue
                expectations.append(
                    Expectation(
                        name, as_of, "clock", clock_id, field, None if value == "none" else value
                    )
                )
    if problems:
        raise InputError(f"invalid ruleset test {path}", problems)
    return TestFile(
        name=name,
        path=Path(path),
        case_path=case_path,
        description=data.get("description"),
        ruleset=data.get("ruleset"),
        expectations=tuple(expectations),
    )


def run_tests(engine, ruleset: Ruleset) -> list[Outcome]:
    """Evaluate every test case of a ruleset and compare with its expectations."""
    outcomes: list[Outcome] = []
    for path in find_tests(ruleset.folder):
        test = read_expectations(path)
        case = engine.load_case(test.case_path)
        target = engine.rulesets.get(test.ruleset) if test.ruleset else ruleset
        by_date: dict[date, list[Expectation]] = {}
        for e in test.expectations:
            by_date.setdefault(e.as_of, []).append(e)
        for as_of, expectations in sorted(by_date.items()):
            try:
                det = engine.evaluate(case, target, as_of)
            except EirulesError as exc:
                outcomes.extend(Outcome(e, "error", str(exc)) for e in expectations)
                continue
            for e in expectations:
                outcomes.append(_compare(e, det))
    return outcomes


def _compare(e: Expectation, det) -> Outcome:
    if e.kind == "eligibility":
        found = [x for x in det.eligibility if x.program == e.subject]
        if not found:
            return Outcome(e, "absent", f"no eligibility for {e.subject}")
        item = found[-1]
        actual = item.outcome if e.field == "outcome" else tuple(item.basis)
        return Outcome(e, actual, item.reason)
    clock_id, _, subject = e.subject.partition("/")
    found = [c for c in det.clocks if c.id == clock_id and (not subject or c.subject == subject)]
    if not found:
        hint = did_you_mean(clock_id, sorted({c.id for c in det.clocks}))
        return Outcome(e, "absent", f"no clock {e.subject}" + (f"; {hint}" if hint else ""))
    clock = found[0]
    return Outcome(e, getattr(clock, e.field), clock.reason)
