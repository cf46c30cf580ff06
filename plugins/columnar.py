"""A columnar evaluation of the commonest clocks over a whole caseload, with numpy.

The per-case engine evaluates one case at a time: every rule, every explanation.
For a statewide nightly run or a compliance count, most cases have the plainest
shape a clock can have (one trigger, calendar days, no documented delay, no exit),
and their dates are one array sum. This module reads case documents once into
columns (`columns_of`), and each program's `columnar` module (`part_c.columnar`,
`part_b.columnar`) computes its clocks over the columns for the cases whose shape it
covers, with the day counts of the ruleset the engine reads (`param_periods`: the
ruleset's values in force on each trigger date, one lookup per change date, never a
number written here). Every other case falls back to the per-case engine, whose
rows are merged in at their place: a correct fallback beats a wrong fast answer.
`clock_table` (`eirules.bulk.clock_table`) is the entry point; tests compare it,
case by case, with the per-case engine on the golden sample.

A clock row is what `clocks[]` of a determination says of the clock: its id,
program, start, due date, the day it was met and its status.

This module holds the columns, the clocks counted over them (`counted_from`), and the
table with its fallback; the date arithmetic and the reading of a parameter's periods
and clock definitions are in `plugins.columnar_dates` (re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

import attrs
import numpy as np

from eirules.core.convert import determination_to_dict
from eirules.core.errors import EirulesError

# The date arithmetic and clock definitions are columnar_dates'; importable from here too
# (the programs' columnar modules and benchmarks/columnar.py use NAT and add_months).
from .columnar_dates import (  # noqa: F401
    NAT,
    _dates,
    add_months,
    add_years,
    due_dates,
    param_periods,
    plain_definitions,
    value_on,
)

#: The statuses a columnar clock can have (the others need delays, closings or calendars).
STATUSES = ("pending", "due_soon", "overdue", "met", "met_late", "not_applicable")
#: Plugins whose clocks the columnar modules reproduce; another plugin could add or change
#: clocks, so an engine with any other registered makes every case fall back.
KNOWN_PLUGINS = frozenset(
    (
        "eirules.plugins.vocabulary",
        "eirules.plugins.part_c",
        "eirules.plugins.part_b",
        "eirules.plugins.mtss",
        "eirules.plugins.plans",
        "eirules.plugins.us_mo",
    )
)


@attrs.define
class Columns:
    """A caseload's documents as columns: one entry per case, in the order given.

    `first[t]`, `last[t]` and `count[t]` are the first and last date and the number of
    events of type t (and of ``t:outcome`` for events with an outcome; evaluations are
    type ``evaluation``); `events` counts every event and evaluation; `shape_ok` is False for a document the
    columns cannot describe (tagged events, enrolments, plugin sections, a date that
    does not parse), which every program leaves to the per-case engine.
    """

    ids: list[str]
    birth: np.ndarray
    first: dict[str, np.ndarray]
    last: dict[str, np.ndarray]
    count: dict[str, np.ndarray]
    events: np.ndarray
    shape_ok: np.ndarray
    #: Documents the columns could not read at all (a missing key, a date that does not
    #: parse): the per-case engine reads them, and says what is wrong.
    broken: np.ndarray
    #: What the programs derive from the columns once (the third birthdays).
    cache: dict = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def types_only(self, allowed: Iterable[str]) -> np.ndarray:
        """True where every event of the case is of one of the `allowed` types."""
        total = np.zeros(len(self), dtype=np.int64)
        for name in allowed:
            total += self.count[name]
        return self.shape_ok & (total == self.events)


#: Keys of a case document the columns describe; any other (plugin sections) falls back.
_PLAIN_KEYS = frozenset(
    (
        "schema",
        "id",
        "ruleset",
        "child",
        "events",
        "evaluations",
        "conditions",
        "district",
        "county",
        "provider",
    )
)
_PLAIN_EVENT_KEYS = frozenset(
    ("type", "date", "outcome", "category", "note", "service", "reason", "until")
)


def columns_of(docs: Sequence[dict[str, Any]], types: Iterable[str]) -> Columns:
    """Read each document once into the columns the programs ask for (`types`)."""
    wanted = set(types)
    n = len(docs)
    first: dict[str, list[str]] = {t: [""] * n for t in wanted}
    last: dict[str, list[str]] = {t: [""] * n for t in wanted}
    count: dict[str, list[int]] = {t: [0] * n for t in wanted}
    ids, births, events, ok = [""] * n, [""] * n, [0] * n, [True] * n
    earliest = [""] * n
    broken = np.zeros(n, dtype=bool)
    for i, doc in enumerate(docs):
        try:
            ids[i] = doc["id"]
            births[i] = doc["child"]["birth_date"]
            if not _PLAIN_KEYS.issuperset(doc) or doc.get("enrolments"):
                ok[i] = False
            found = doc.get("events", ())
            events[i] = len(found) + len(doc.get("evaluations", ()))
            seen = [(e["type"], e["date"], e.get("outcome")) for e in found]
            if any(not _PLAIN_EVENT_KEYS.issuperset(e) for e in found):
                ok[i] = False  # a program tag, an `until`, a reason: the engine reads those
            dated = [("evaluation", v["date"], None) for v in doc.get("evaluations", ())]
            if any("program" in v for v in doc.get("evaluations", ())):
                ok[i] = False
        except (KeyError, TypeError, AttributeError):
            ok[i] = False
            broken[i] = True
            continue
        for kind, day, outcome in seen + dated:
            if type(day) is not str or len(day) != 10:
                ok[i] = False
                broken[i] = True
                continue
            if not earliest[i] or day < earliest[i]:
                earliest[i] = day
            for key in (kind, f"{kind}:{outcome}") if outcome else (kind,):
                if key in wanted:
                    count[key][i] += 1
                    if not first[key][i] or day < first[key][i]:
                        first[key][i] = day
                    if day > last[key][i]:
                        last[key][i] = day
    cols = Columns(
        ids=ids,
        birth=_dates(births, broken),
        first={t: _dates(v, broken) for t, v in first.items()},
        last={t: _dates(v, broken) for t, v in last.items()},
        count={t: np.array(v, dtype=np.int64) for t, v in count.items()},
        events=np.array(events, dtype=np.int64),
        shape_ok=np.array(ok, dtype=bool),
        broken=broken,
    )
    # A case dated before the child's birth is refused by the case model: the engine says so.
    first_day = _dates(earliest, broken)
    cols.broken |= np.isnat(cols.birth) | (~np.isnat(first_day) & (first_day < cols.birth))
    cols.shape_ok &= ~cols.broken
    return cols


def third_birthdays(cols: Columns, ruleset: Any, as_of: date) -> np.ndarray:
    """`vocabulary.third_birthday` of every case (303.21(a)), read as of `as_of`: the day
    untagged shared events pass from Part C to Part B ("Which program")."""
    key = (
        "third_birthday",
        ruleset.value("part_c.age_limit_years", as_of),
        ruleset.value("dates.leap_day_birthday", as_of),
    )
    found = cols.cache.get(key)
    if found is None:
        found = cols.cache[key] = add_years(cols.birth, key[1], key[2])
    return found


def first_stop(cols: Columns, stop: tuple[str, ...]) -> np.ndarray:
    """The first date of any of the stop event types (NaT when none)."""
    out = np.full(len(cols), NAT)
    for name in stop:
        day = cols.first[name]
        out = np.where(np.isnat(out) | (~np.isnat(day) & (day < out)), day, out)
    return out


def statuses(
    due: np.ndarray, met_on: np.ndarray, as_of: np.datetime64, due_soon: int
) -> np.ndarray:
    """`core.clocks.status_of` over arrays, as codes into STATUSES (no excuses: none covered)."""
    met = ~np.isnat(met_on) & (met_on <= as_of)
    left = (due - as_of).astype(np.int64)
    code = np.where(left < 0, 2, np.where(left <= due_soon, 1, 0))
    return np.where(met, np.where(met_on <= due, 3, 4), code)


@attrs.define
class ClockRows:
    """One program clock's rows for the covered cases: arrays of equal length."""

    clock: str
    program: str
    case: np.ndarray  # index into the documents
    start: np.ndarray
    due: np.ndarray
    met_on: np.ndarray
    status: np.ndarray  # codes into STATUSES
    #: Cases whose clock the columns cannot decide: the per-case engine does.
    fallback: np.ndarray


def counted_from(
    cols: Columns,
    ruleset: Any,
    as_of: date,
    *,
    name: str,
    clock: str,
    program: str,
    start: np.ndarray,
    candidates: np.ndarray,
    shape: np.ndarray,
    allowed: Iterable[str],
    stop: tuple[str, ...] | None = None,
    started_by: str | None = None,
    delays: np.ndarray | None = None,
    inclusive: bool = True,
    met: np.ndarray | None = None,
    ends: np.ndarray | None = None,
) -> ClockRows:
    """A clock counted in calendar days from `start` by the ruleset parameter `name`.

    `candidates`: the cases that may have the clock at all; `shape`: those whose case
    the program's rules reduce to this arithmetic. A covered case also needs a plain
    definition in force on its start date (calendar days, no variant start, no school
    calendar) and no stop event before its start; a case not covered is the engine's.
    `stop` replaces the definition's stop events (a rule that names its own);
    `started_by` is what the rule passes `clock_from_param` (see `plain_definitions`).
    `inclusive`: a stop event on the start day itself counts (False: only later ones, as
    for a recurring review counted from the last one held). `met`: the stop event's date
    when the program knows it (else the first stop event). `ends`: the day the program
    ends; a clock not met that falls due on or after it is not applicable
    (`plugins.recurring.recurring_clock`).

    `delays` counts each case's documented delays. A delay changes the clock only when
    the clock is late (it may excuse the lateness: 303.310(b), 300.301(d)) or when the
    definition extends the due date by it; a case with delays is covered only when
    neither is so, and its row is then the one without them.
    """
    day = np.datetime64(as_of, "D")
    periods = param_periods(ruleset, name)
    defs = plain_definitions(periods, started_by)
    stop = stop or defs.stop
    if stop is None or not set(stop) <= set(allowed):
        nothing = np.zeros(len(cols), dtype=bool)
        return _clock_rows(clock, program, nothing, candidates, start, start, start, day, 0)
    period = value_on(periods, start)
    met = first_stop(cols, stop) if met is None else met
    shape = shape & ~np.isnat(start) & (defs.length[period] >= 0)
    shape &= np.isnat(met) | (met >= start) if inclusive else np.isnat(met) | (met > start)

    def leap_day() -> np.ndarray:
        # The leap-day rule in force on the start date counts years (core.clocks._compiled).
        leap = param_periods(ruleset, "dates.leap_day_birthday")
        rules = np.array([p.value.value if p.value else "feb28" for p in leap])
        return rules[value_on(leap, start)]

    due = np.where(shape, due_dates(start, defs, period, leap_day), NAT)
    met_on = np.where(~np.isnat(met) & (met <= day), met, NAT)
    if delays is not None:
        late = np.where(np.isnat(met_on), day, met_on) > due
        shape &= (delays == 0) | (~late & ~defs.pauses[period])
    covered = shape & (start <= day)
    soon = int(ruleset.value("clocks.due_soon_days", as_of))
    return _clock_rows(
        clock, program, covered, candidates & ~shape, start, due, met_on, day, soon, ends
    )


def _clock_rows(
    clock, program, covered, fallback, start, due, met_on, day, soon, ends=None
) -> ClockRows:
    at = np.flatnonzero(covered)
    status = statuses(due[at], met_on[at], day, soon)
    if ends is not None:
        status = np.where((due[at] >= ends[at]) & (status != 3), 5, status)
    return ClockRows(
        clock=clock,
        program=program,
        case=at,
        start=start[at],
        due=due[at],
        met_on=met_on[at],
        status=status,
        fallback=np.flatnonzero(fallback),
    )


def latest(cols: Columns, types: Iterable[str], as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """The date of the latest event of these types, and whether every one of them is on or
    before `as_of` (so that it is the latest on or before it: `latest_on_or_before`)."""
    day = np.datetime64(as_of, "D")
    out = np.full(len(cols), NAT)
    known = np.ones(len(cols), dtype=bool)
    for name in types:
        last = cols.last[name]
        known &= np.isnat(last) | (last <= day)
        out = np.where(np.isnat(out) | (~np.isnat(last) & (last > out)), last, out)
    return out, known


@attrs.define
class ProgramRows:
    """A program's columnar clocks, and the cases certainly in that program alone (whose
    other programs' clocks, if any could start, are known not to exist)."""

    parts: list[ClockRows]
    alone: np.ndarray


#: A program's columnar clocks: (columns, ruleset, as_of) -> ProgramRows.
ClockFunction = Callable[[Columns, Any, date], ProgramRows]


@attrs.frozen
class ClockTable:
    """Every covered clock's row of a caseload, from the columns or the per-case engine.

    `rows()` gives (case id, clock, program, start, due, met_on, status) in case order,
    then clock order; `columnar` and `fallback` count the rows each path gave.
    """

    ids: list[str]
    clocks: tuple[str, ...]
    parts: tuple[ClockRows, ...]
    engine_rows: dict[int, list[tuple]]
    failures: dict[int, str]

    @property
    def columnar(self) -> int:
        return sum(len(p.case) for p in self.parts)

    @property
    def fallback(self) -> int:
        return sum(len(v) for v in self.engine_rows.values())

    def rows(self) -> list[tuple]:
        found: dict[int, list[tuple]] = {i: list(v) for i, v in self.engine_rows.items()}
        for part in self.parts:
            for k, i in enumerate(part.case.tolist()):
                found.setdefault(i, []).append(
                    (
                        self.ids[i],
                        part.clock,
                        part.program,
                        _iso(part.start[k]),
                        _iso(part.due[k]),
                        _iso(part.met_on[k]),
                        STATUSES[part.status[k]],
                    )
                )
        order = {name: n for n, name in enumerate(self.clocks)}
        return [
            row
            for i in sorted(found)
            for row in sorted(found[i], key=lambda r: (order[r[1]], r[3] or ""))
        ]


def _iso(day: np.datetime64) -> str | None:
    return None if np.isnat(day) else str(day)


def engine_rows(det: dict[str, Any], clocks: Iterable[str]) -> list[tuple]:
    """A determination's rows of the given clocks, as ClockTable rows."""
    wanted = set(clocks)
    return [
        (
            det["case"],
            c["id"],
            c["program"],
            c["start"],
            c["due"],
            c["met_on"],
            c["status"],
        )
        for c in det["clocks"]
        if c["id"] in wanted
    ]


def clock_table(
    docs: Sequence[dict[str, Any]],
    *,
    engine: Any,
    ruleset: str,
    as_of: date,
    programs: Sequence[tuple[frozenset[str], ClockFunction, tuple[str, ...]]],
) -> ClockTable:
    """The covered clocks of every case under one ruleset as of a date.

    `programs`: for each program, the event types its columns need, its clock function
    and the clock ids it covers. Cases a program's function cannot decide are
    evaluated by `engine` (their rows are the determination's own).
    """
    rs = engine.rulesets.get(ruleset)
    clocks = tuple(c for _, _, ids in programs for c in ids)
    types = set().union(*(t for t, _, _ in programs))
    cols = columns_of(docs, types)
    parts: list[ClockRows] = []
    back: set[int] = set()
    names = {name for name, plugin in engine.pm.list_name_plugin() if plugin is not None}
    if not names <= KNOWN_PLUGINS:
        back = set(range(len(docs)))
    else:
        found: list[ProgramRows] = []
        try:
            found = [fn(cols, rs, as_of) for _, fn, _ in programs]
        except EirulesError:  # a parameter the ruleset does not declare: the engine says
            back = set(range(len(docs)))
        for k, program in enumerate(found):
            parts.extend(program.parts)
            # A case in another program alone has none of this program's clocks.
            elsewhere = np.zeros(len(docs), dtype=bool)
            for j, other in enumerate(found):
                if j != k:
                    elsewhere |= other.alone
            for part in program.parts:
                back.update(part.fallback[~elsewhere[part.fallback]].tolist())
        back.update(np.flatnonzero(cols.broken).tolist())
    if back:
        covered = set()
        for part in parts:  # a case any clock falls back for is the engine's, whole
            keep = ~np.isin(part.case, np.fromiter(back, dtype=np.int64))
            covered.update(part.case[keep].tolist())
            part.case, part.start, part.due = part.case[keep], part.start[keep], part.due[keep]
            part.met_on, part.status = part.met_on[keep], part.status[keep]
    rows: dict[int, list[tuple]] = {}
    failures: dict[int, str] = {}
    for i in sorted(back):
        try:
            det = determination_to_dict(engine.evaluate(engine.case_from_dict(docs[i]), rs, as_of))
        except EirulesError as exc:
            failures[i] = str(exc)
            continue
        rows[i] = engine_rows(det, clocks)
    return ClockTable(cols.ids, clocks, tuple(parts), rows, failures)


def dumps_rows(rows: Iterable[tuple]) -> str:
    """Rows as JSON Lines (for files and for comparing runs)."""
    return "".join(json.dumps(list(r)) + "\n" for r in rows)
