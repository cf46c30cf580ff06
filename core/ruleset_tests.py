"""Ruleset tests: read NAME.expect.toml files, evaluate their cases and compare.

Used by `eirules rulesets test` and `validate`; outcomes are compared by name, so
nothing here knows a program.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs

from .decisions import CLOCK_STATUSES, ELIGIBILITY_OUTCOMES
from .errors import EirulesError, InputError, Problem, did_you_mean
from .ruleset_tools import EXPECT_SUFFIX, _jsonable, find_tests
from .rulesets import (
    Ruleset,
    _check_keys,
    _FileReader,
    _is_date,
    _kind,
)

EXPECT_FILE_KEYS = ("description", "case", "ruleset", "expect")
EXPECT_KEYS = ("as_of", "eligibility", "clocks", "note")
ELIGIBILITY_KEYS = ("outcome", "basis")
CLOCK_EXPECT_KEYS = ("due", "status", "opens", "met_on")


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
