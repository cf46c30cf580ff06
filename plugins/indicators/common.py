"""What every indicator shares: the reporting period, one case's facts, and counted items.

An indicator never re-decides a clock. It reads the clocks of a stored (or
fresh) determination and the case file the determination was made from, so a
figure in a report and a date on a case cannot disagree. Each indicator module
turns one case's `Facts` into `Item`s: one counted unit (a child, a consent, a
youth) with whether it is in the denominator and the numerator, and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

import attrs
import msgspec

from eirules.core.dates import EARLIEST, LATEST, birthday, in_range

#: Why a unit is left out of an indicator, or counted as timely, by the measurement's words.
EFC = "exceptional_family_circumstances"

#: Statuses of a clock whose outcome is known (the thing was done, or its day has passed).
DECIDED = ("met", "met_late", "late_excused", "overdue")


@attrs.frozen
class Period:
    """A reporting period, both ends inclusive (the federal fiscal year data period by default)."""

    start: date
    end: date

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (7, 1, 6, 30) and (
            self.end.year == self.start.year + 1
        ):
            return f"{self.start.year}-{str(self.end.year)[2:]}"
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


_YEAR = re.compile(r"^(\d{4})-(\d{2}|\d{4})$")


def parse_year(text: str) -> Period:
    """'2025-26' (or '2025-2026'): July 1, 2025 to June 30, 2026. ValueError when not."""
    found = _YEAR.match(text.strip())
    if not found:
        raise ValueError(f'"{text}" is not a reporting year such as 2025-26')
    first = int(found.group(1))
    second = found.group(2)
    # Two digits name the next year with those last digits: 1999-00 is 1999 to 2000.
    following = int(second) if len(second) == 4 else first + (int(second) - first) % 100
    if following != first + 1:
        raise ValueError(
            f'"{text}": the second year must follow the first (e.g. {first}-{(first + 1) % 100:02d})'
        )
    # The years first, so a year past date's own (9999-00) gets this message too.
    fits = EARLIEST.year <= first < LATEST.year
    period = Period(date(first, 7, 1), date(first + 1, 6, 30)) if fits else None
    if period is None or not (in_range(period.start) and in_range(period.end)):
        raise ValueError(
            f'"{text}" is out of range: a reporting year from {EARLIEST.year}-'
            f"{(EARLIEST.year + 1) % 100:02d} to {LATEST.year - 1}-{LATEST.year % 100:02d}"
        )
    return period


def fix_date(period_end: date, today: date | None = None) -> date:
    """The as-of date that brings a report's determinations up to its period: the day after
    its end, or today while the period lasts. As of the period's last day a clock due that
    day and not done is still "due today", neither late nor counted: only the next day's
    determination says it went late."""
    return min(period_end + timedelta(days=1), today or date.today())


def year_of(day: date) -> Period:
    """The July-June reporting year a date falls in."""
    first = day.year if day.month >= 7 else day.year - 1
    return Period(date(first, 7, 1), date(first + 1, 6, 30))


class Clock(msgspec.Struct, frozen=True):
    """A clock as a determination shows it (the JSON shape of docs/determination.md)."""

    id: str
    program: str
    status: str
    start: date | None = None
    due: date | None = None
    met_on: date | None = None
    closed_on: date | None = None
    excused_by: str | None = None
    reason: str | None = None
    subject: str | None = None
    label: str = ""
    citation: str = ""
    #: Which episode of care the clock belongs to (None: the current one).
    episode: Any = None
    #: What the engine needs to compute the due date (`needs_information`).
    missing: list[str] = []

    def days_late(self, as_of: date) -> int | None:
        """Days past the due date: to the day it was done, or to as_of while still undone."""
        if self.due is None:
            return None
        end = self.met_on or self.closed_on or as_of
        return max(0, (end - self.due).days)


class Event(msgspec.Struct, frozen=True):
    type: str
    date: date
    program: str | None = None
    reason: str | None = None
    outcome: str | None = None
    service: str | None = None


class _Child(msgspec.Struct):
    birth_date: date
    name: str | None = None


class Document(msgspec.Struct):
    """The parts of a case file the indicators read (everything else is skipped unread)."""

    id: str
    child: _Child
    ruleset: str | None = None
    events: list[Event] = []
    service_plans: list[Any] = []
    district: str | None = None
    county: str | None = None
    provider: str | None = None


class Result(msgspec.Struct):
    """The parts of a determination the indicators read."""

    as_of: date
    ruleset: str | None = None
    clocks: list[Clock] = []
    #: Earlier episodes' clocks, each with its episode (docs/determination.md).
    history: list[Clock] = []


_documents = msgspec.json.Decoder(Document)
_results = msgspec.json.Decoder(Result)


def decode(document: str | bytes, result: str | bytes) -> tuple[Document, Result]:
    """A stored case file and determination (JSON text), read straight into the parts used."""
    return _documents.decode(document), _results.decode(result)


def convert(document: dict[str, Any], result: dict[str, Any]) -> tuple[Document, Result]:
    """The same from the plain JSON-shaped dicts of `case_to_dict` / `determination_to_dict`."""
    return msgspec.convert(document, Document), msgspec.convert(result, Result)


#: The clocks some indicator reads; the others are not looked at.
READ_CLOCKS = frozenset(
    (
        "service_start", "initial_ifsp_meeting", "transition_plan", "transition_notification",
        "transition_conference", "initial_evaluation", "iep_by_third_birthday",
    )
)  # fmt: skip


def all_clocks(result: Result) -> list[Clock]:
    """Every clock of a determination that an indicator reads: the current episodes' clocks
    and the earlier episodes' (`history`), each with its episode.

    The one place that knows where a determination keeps its clocks.
    """
    return [c for c in (*result.history, *result.clocks) if c.id in READ_CLOCKS]


@attrs.define
class Facts:
    """What the indicators read about one case: the determination's clocks and the case file."""

    case_id: str
    child: str | None
    birth_date: date
    as_of: date
    ruleset: str
    clocks: list[Clock]
    events: list[Event]
    plans: list[Any]
    units: dict[str, str | None]
    leap_day: str = "feb28"

    @classmethod
    def build(
        cls,
        document: Document,
        result: Result,
        *,
        caseworker: str | None = None,
        as_of: date | None = None,
    ) -> Facts:
        """`as_of`: the date the result answers for, when not its own (a stored
        determination whose date `evaluate` moved: `sources.stored_facts`)."""
        events = sorted(document.events, key=lambda e: e.date)
        return cls(
            case_id=document.id,
            child=document.child.name,
            birth_date=document.child.birth_date,
            as_of=as_of or result.as_of,
            ruleset=result.ruleset or document.ruleset or "us",
            clocks=all_clocks(result),
            events=events,
            plans=document.service_plans,
            units={
                "caseworker": caseworker,
                "district": document.district,
                "county": document.county,
                "provider": document.provider,
            },
        )

    def clocks_named(self, clock_id: str) -> Iterator[Clock]:
        return (c for c in self.clocks if c.id == clock_id)

    def events_of(self, *types: str, program: str | None = None) -> list[Event]:
        return [
            e
            for e in self.events
            if e.type in types and (program is None or e.program in (None, program))
        ]

    def birthday(self, years: int) -> date:
        return birthday(self.birth_date, years, leap_day=self.leap_day)


@attrs.frozen
class Item:
    """One counted unit of an indicator, with the clock and dates a monitor checks by hand."""

    indicator: str
    case_id: str
    child: str | None
    #: True when counted in the denominator; False when excluded (then `category` says why).
    counted: bool
    #: True when counted in the numerator (timely, or counted as timely by the instructions).
    timely: bool
    #: The measurement's category (e.g. B12 "c"), or why an excluded unit is out.
    category: str
    #: The day that places the unit in the period (a due date, an exit, a meeting).
    on: date
    clock: str | None = None
    subject: str | None = None
    #: The clock's label, as `check` and `due` show it.
    label: str | None = None
    #: The program episode the clock belongs to (e.g. "part_c.2"), when the program has them.
    episode: str | None = None
    start: date | None = None
    due: date | None = None
    done: date | None = None
    status: str | None = None
    days_late: int | None = None
    #: The reason for the delay, or what the timely-by-instruction unit rests on.
    reason: str | None = None
    citation: str = ""
    units: dict[str, str | None] = attrs.field(factory=dict, eq=False)
    #: What the determination says it needs to compute the clock (its `missing`).
    missing: tuple[str, ...] = ()

    @property
    def late(self) -> bool:
        """In the denominator and not in the numerator: a unit the accounting must explain."""
        return self.counted and not self.timely

    @property
    def unmeasured(self) -> bool:
        """Left out of the denominator because the case's data is missing (not by the
        measurement's rules, nor because the ruleset sets no criterion): the drill-down
        names it and `indicators --check` lists it with the fix."""
        return (
            not self.counted
            and self.category.startswith(NOT_MEASURABLE)
            and self.category != NO_CRITERION
        )

    @property
    def group(self) -> str:
        """The reason for the delay, without dates, for grouping late units."""
        return reason_group(self.reason)


def item_from_clock(
    indicator: str,
    facts: Facts,
    clock: Clock,
    *,
    counted: bool,
    timely: bool,
    category: str,
    on: date,
    reason: str | None = None,
) -> Item:
    late = None if timely or not counted else clock.days_late(facts.as_of)
    return Item(
        indicator=indicator,
        case_id=facts.case_id,
        child=facts.child,
        counted=counted,
        timely=timely,
        category=category,
        on=on,
        clock=clock.id,
        subject=clock.subject,
        label=clock.label,
        episode=clock.episode,
        start=clock.start,
        due=clock.due,
        done=clock.met_on,
        status=clock.status,
        days_late=late,
        reason=reason if reason is not None else delay_reason(clock, facts.as_of),
        citation=clock.citation,
        units=facts.units,
        missing=tuple(clock.missing),
    )


def delay_reason(clock: Clock, as_of: date) -> str | None:
    """The reason for a delay as the determination gives it."""
    if clock.status == "met":
        return None
    if clock.excused_by:
        return clock.excused_by
    partly = partly_excused(clock.reason, late=_days_late_open(clock, as_of))
    if clock.status == "overdue":
        if clock.closed_on is not None:
            base = f"not done before the clock closed ({clock.closed_on.isoformat()})"
        else:
            base = f"not done as of {as_of.isoformat()}"
        return f"{base}; {partly}" if partly else base
    if clock.status == "met_late":
        return f"done late; {partly}" if partly else "done late, no documented reason"
    return clock.reason


#: How a determination says documented delays excused only part of a clock's lateness
#: (`core.clocks`, the "for_the_period" excuse policy of the 45-day timeline: 303.310(b)
#: suspends it "for any period when" the circumstances exist, (c)(2) asks for the rest
#: "as soon as possible after"): "22 day(s) late: 17 excused by the documented delay, 5 the
#: agency's: the documented exceptional family circumstances (from 2025-12-22 to
#: 2026-01-07) covers 17 day(s), ..." (docs/clocks.md, "Excuse policies").
_PARTLY_EXCUSED = re.compile(
    r"(?P<late>\d+) day\(s\) late: (?P<excused>\d+) excused by the documented delay, "
    r"(?P<agency>\d+) the agency's: the documented (?P<what>.+?) \((?P<period>from [^)]*)\)"
)
#: The same for a clock not done (core.clocks words it without counts, so that it reads the
#: same on every day): "not done: the documented exceptional family circumstances (from
#: 2026-02-10) covers 1 day(s), so lateness is excused only through 2026-02-20; ...".
_PARTLY_OPEN = re.compile(
    r"not done: the documented (?P<what>.+?) \((?P<period>from [^)]*)\) "
    r"covers (?P<covered>\d+) day\(s\)"
)
#: The same, as `partly_excused` words it, for grouping (counts and dates left out).
_PARTLY_SHOWN = re.compile(
    r"\d+ of the \d+ days excused by the documented (?P<what>.+?) \(from [^)]*\), "
    r"\d+ the agency's"
)


def partly_excused(reason: str | None, *, late: int | None = None) -> str | None:
    """How many of a late clock's days documented delays excused and how many were the
    agency's, when they excused some but not all (None otherwise): "17 of the 22 days
    excused by the documented exceptional family circumstances (from 2025-12-22 to
    2026-01-07), 5 the agency's". Such a clock is late, not excused: the days beyond
    those the circumstances cover are the agency's (303.310(b), (c)(2)). A clock not
    done gives only the days covered; `late` is its days late on the report's date."""
    found = _PARTLY_EXCUSED.search(reason or "")
    if found is not None:
        late, excused, agency = found["late"], found["excused"], found["agency"]
    else:
        found = _PARTLY_OPEN.search(reason or "")
        if found is None or late is None:
            return None
        covered = int(found["covered"])
        excused = min(covered, late)
        agency = late - excused
    return (
        f"{excused} of the {late} days excused by the documented "
        f"{found['what']} ({found['period']}), {agency} the agency's"
    )


def _days_late_open(clock: Clock, as_of: date) -> int | None:
    """A clock not done: its days late on `as_of`, or on the day it closed."""
    if clock.met_on is not None or clock.due is None:
        return None
    return ((clock.closed_on or as_of) - clock.due).days


_DATED = re.compile(r"\s*\(?(on|as of|from)?\s*\d{4}-\d{2}-\d{2}\)?")


def reason_group(reason: str | None) -> str:
    """A reason without its dates ("not done as of 2026-03-02" -> "not done") or counts
    ("17 of the 22 days excused by ..." -> "partly excused by ..., the rest the agency's")."""
    if not reason:
        return "no reason recorded"
    reason = _PARTLY_SHOWN.sub(
        r"partly excused by the documented \g<what>, the rest the agency's", reason
    )
    parts = (_DATED.sub("", part).strip().replace("_", " ") for part in reason.split("; "))
    return "; ".join(dict.fromkeys(p for p in parts if p)) or "no reason recorded"


def decided_in(clock: Clock, period: Period) -> bool:
    """A clock is measured in the period its due date falls in, once its outcome is known."""
    return clock.status in DECIDED and period.holds(clock.due)


#: How every category of a unit left out for lack of data begins (`Item.unmeasured`).
NOT_MEASURABLE = "not measurable"
#: Why C1 counts no child under a ruleset that sets no timeliness criterion (a fact of the
#: ruleset, said once by the report, not a gap in any case's data).
NO_CRITERION = "not measurable: no state timeliness criterion"
#: Why a clock whose due date cannot be computed is not counted.
UNMEASURABLE = "not measurable: the due date cannot be computed (needs information)"


def unmeasurable(indicator: str, facts: Facts, clock: Clock, period: Period) -> Item | None:
    """A `needs_information` clock started in the period: still owed, but no figure can count it."""
    if clock.status != "needs_information" or not period.holds(clock.start):
        return None
    assert clock.start is not None
    return item_from_clock(
        indicator, facts, clock, counted=False, timely=False, category=UNMEASURABLE,
        on=clock.start, reason=clock.reason,
    )  # fmt: skip


def flatten(groups: Iterable[Iterable[Item]]) -> Iterator[Item]:
    for group in groups:
        yield from group
