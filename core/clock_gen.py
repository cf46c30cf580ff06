"""One generated function per clock definition: `simple_clock` with the definition inlined.

`simple_clock` (core/simple_clock.py) reads a `ClockSpec` on every clock it counts: is
it counted back, in which unit, does it have a window, which events stop it, does a
delay excuse it. Those answers are the same for every case counted with one
definition, so `counter(spec, citation, leap_day)` writes them into the source of one
function, once per definition in force (and its citation and leap-day rule), and
`clock_by_position` (core/clocks.py) calls that function instead (issue 15: the first
step to each ruleset's clock arithmetic as generated code).

The generated function is `simple_clock` step for step, for the definitions whose
arithmetic it can write as constants (`generable`); for any other it is None and
`simple_clock` counts as before. It answers None where `simple_clock` does (a delay
that excuses, a closing event, a date the arithmetic cannot reach), and the caller
then calls `compute_clock`. tests/test_clock_gen.py compares the two on generated
definitions; `source(spec)` gives the text for review, as
`python -m eirules.core.clock_gen RULESET PARAMETER [DATE]` prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from . import events
from .clock_compute import DELAY_EVENT, _delays, _window_note
from .clock_spec import ClockSpec
from .dates import DAYS, add_months, days, years_later
from .decisions import _CLOCK_FIELDS, Clock, _ClockBuilding
from .events import index_of
from .simple_clock import _too_early

#: The arguments of every generated function: `simple_clock`'s, less the definition,
#: its citation and leap-day rule (constants in the source).
ARGUMENTS = (
    "case, id, program, start, as_of, due_soon_days, anchor, label, subject, "
    "stop_events, closing, episode"
)

#: Names every generated function may read (its globals), besides its own constants.
_NAMES: dict[str, Any] = {
    "events": events,
    "index_of": index_of,
    "add_months": add_months,
    "years_later": years_later,
    "DAYS": DAYS,
    "days": days,
    "DELAY_EVENT": DELAY_EVENT,
    "DELAYS": (DELAY_EVENT,),
    "_delays": _delays,
    "_too_early": _too_early,
    "_window_note": _window_note,
    "new": object.__new__,
    "Clock": Clock,
    "Building": _ClockBuilding,
}

_UNITS = ("calendar_days", "weeks", "months", "years")


def generable(spec: ClockSpec) -> bool:
    """Whether `counter` writes this definition: `spec.simple` with lengths it can make
    constants (`simple_clock` refuses the others by a ValueError, or counts them
    through `shifted` with its checks)."""
    return (
        spec.simple
        and spec.unit in _UNITS
        and spec.opens_unit in _UNITS
        and spec.length >= 0
        and spec.count_start_day_as in (0, 1)
        and (spec.opens_length is None or spec.opens_length >= 0)
    )


def _moved(base: str, length: int, unit: str, sign: int, consts: dict[str, Any], name: str):
    """The expression for `base` moved `length` units (`sign` 1 forward, -1 back), as
    `dates.shifted` moves it with no calendar, and whether it may raise ValueError."""
    if unit == "calendar_days":
        consts[name] = timedelta(days=length)
        return f"{base} {'+' if sign == 1 else '-'} {name}", False
    if unit == "weeks":
        consts[name] = sign * timedelta(weeks=length)
        return f"{base} + {name}", False
    if unit == "months":
        return f"add_months({base}, {sign * length})", True
    return f"years_later({base}, {sign * length}, LEAP_DAY)", True


def source(spec: ClockSpec, name: str = "count") -> tuple[str, dict[str, Any]]:
    """The generated function's source and the constants it reads (see `counter`)."""
    if not generable(spec):
        raise ValueError("not a definition the generated code counts (see generable)")
    sign = -1 if spec.before else 1
    consts: dict[str, Any] = {"STOP": spec.stop, "EXCUSING": spec.excusing}
    # `simple_clock`'s base: the anchor for a clock counted back from it, else the start.
    base = "base" if spec.before else "start"
    # A calendar-day due date is `start + days` (`spec.calendar_days`), with or without a
    # window: the timedelta `shifted` would make.
    due_days = (
        spec.length - spec.count_start_day_as if spec.unit == "calendar_days" else spec.length
    )
    due, due_raises = _moved(base, due_days, spec.unit, sign, consts, "DUE")
    window = spec.opens_length is not None
    lines = [
        f"def {name}({ARGUMENTS}):",
        f'    """{_describe(spec)}"""',
        "    last = events._last  # index_of's answer for the case asked last, without the call",
        "    index = last[1] if last[0] is case else index_of(case)",
    ]
    if spec.before:
        lines.append("    base = start if anchor is None else anchor")
    if window:
        opens, opens_raises = _moved(
            "anchor", spec.opens_length, spec.opens_unit, -1, consts, "OPENS"
        )
        lines += ["    if anchor is None:", "        opens = None"]
        lines += _due(due, due_raises, "        ")
        lines.append("        earliest = start")
        lines += ["    else:"]
        if due_raises or opens_raises:
            lines += ["        try:", f"            due = {due}", f"            opens = {opens}"]
            lines += ["        except ValueError:", "            return None"]
        else:
            lines += [f"        due = {due}", f"        opens = {opens}"]
        if spec.early_action_counts:
            lines.append("        earliest = start if start < opens else opens")
        else:
            lines.append("        earliest = opens")
    else:
        lines.append("    opens = None")
        lines += _due(due, due_raises, "    ")
    earliest = "earliest" if window else "start"
    lines.append("    by_type = index.by_type")
    lines += _stop_lookup(spec.stop, consts)
    if window and not spec.early_action_counts:
        lines += [
            "    too_early = []",
            "    if opens is not None:",
            "        too_early = _too_early(stop_events, start, earliest, as_of)",
        ]
    lines += [
        "    met_on = None",
        "    for event in stop_events:",
        f"        if event.date >= {earliest}:",
        "            if event.date <= as_of:",
        "                met_on = event.date",
        "            break",
    ]
    if spec.excused_by:
        lines += [
            "    if DELAY_EVENT in by_type and index.of(DELAYS, program):",
            "        end = met_on or as_of",
            "        if _delays(case, start, end if end > start else start, EXCUSING, program):",
            "            return None",
        ]
    lines += [
        "    if closing and not by_type.keys().isdisjoint(closing):",
        "        for event in index.of(closing, program):",
        "            if event.service is not None and event.service != subject:",
        "                continue",
        "            if met_on is None and start <= event.date <= as_of:",
        "                return None",
        # `_status` with a due date and met_on only ever on or before the as-of date.
        "    if met_on is not None:",
        '        status = "met" if met_on <= due else "met_late"',
        "    elif as_of > due:",
        '        status = "overdue"',
        "    else:",
        "        soon = DAYS.get(due_soon_days)",
        "        if soon is None:",
        "            soon = days(due_soon_days)",
        '        status = "due_soon" if as_of >= due - soon else "pending"',
    ]
    if window:
        note = "_window_note(None, opens, met_on, too_early)"
        if spec.early_action_counts:
            note = "_window_note(None, opens, met_on, ())"
        lines.append(f"    reason = None if opens is None else {note}")
    # `made_clock`, inline: every field through its slot's setter, in Clock's order.
    values = {
        "id": "id",
        "program": "program",
        "start": "start",
        "due": "due",
        "status": "status",
        "citation": "CITATION",
        "opens": "opens",
        "met_on": "met_on",
        "reason": "reason" if window else "None",
        "excused_by": "None",
        "label": "label",
        "subject": "subject",
        "closed_on": "None",
        "missing": "()",
        "episode": "episode",
    }
    # `made_clock`'s construction: made as Clock's settable twin (core/decisions.py
    # `_ClockBuilding`), each field a plain slot store, then made a Clock.
    lines.append("    clock = new(Building)")
    lines += [f"    clock.{field} = {values[field]}" for field in _CLOCK_FIELDS]
    lines += ["    clock.__class__ = Clock", "    return clock"]
    return "\n".join(lines) + "\n", consts


def _stop_lookup(stop: tuple[str, ...], consts: dict[str, Any]) -> list[str]:
    """The lines giving `stop_events` when the caller gave none: `EventIndex.of(STOP,
    program)`, written out for one type (its events, filtered only when some are tagged
    with a program, as `of` filters them) and for none."""
    if len(stop) > 1:
        return ["    if stop_events is None:", "        stop_events = index.of(STOP, program)"]
    if not stop:
        return ["    if stop_events is None:", "        stop_events = ()"]
    consts["STOP_TYPE"] = stop[0]
    return [
        "    if stop_events is None:",
        "        stop_events = by_type.get(STOP_TYPE, ())",
        "        if stop_events and program is not None and STOP_TYPE in index.tagged:",
        "            stop_events = index.of(STOP, program)",
    ]


def _due(due: str, raises: bool, indent: str) -> list[str]:
    if not raises:
        return [f"{indent}due = {due}"]
    return [
        f"{indent}try:",
        f"{indent}    due = {due}",
        f"{indent}except ValueError:",
        f"{indent}    return None",
    ]


def _describe(spec: ClockSpec) -> str:
    """One line on the definition, the generated function's docstring."""
    text = f"{spec.length} {spec.unit} {'before' if spec.before else 'after'}"
    if spec.opens_length is not None:
        text += f", opens {spec.opens_length} {spec.opens_unit} before the anchor"
    text += f"; stopped by {', '.join(spec.stop) or 'nothing'}"
    if spec.excused_by:
        text += f"; excused by {', '.join(spec.excused_by)}"
    return text.replace('"', "'").replace("\\", "/")


def counter(spec: ClockSpec, citation: str, leap_day: str) -> Callable[..., Clock | None] | None:
    """The generated function for a definition with its citation and leap-day rule (made
    once, kept on the spec), or None when `simple_clock` counts it (`generable`)."""
    key = (citation, leap_day)
    made = spec.counters.get(key)
    if made is not None or key in spec.counters:
        return made
    if not generable(spec):
        spec.counters[key] = None
        return None
    text, consts = source(spec)
    names = {**_NAMES, **consts, "CITATION": citation, "LEAP_DAY": leap_day}
    filename = f"<clock_gen {spec.length} {spec.unit} {' '.join(spec.stop)}>"
    exec(compile(text, filename, "exec"), names)  # noqa: S102 - code generated from a clock definition
    made = names["count"]
    made.__source__ = text  # type: ignore[attr-defined]
    spec.counters[key] = made
    return made


def ruleset_source(ruleset: Any, parameter: str, on: date) -> str:
    """The generated source for a ruleset's clock parameter in force on a date."""
    param = ruleset.find(parameter, on)  # RulesetError when it is not declared
    if ruleset.declarations[parameter].type != "clock":
        raise ValueError(f"{parameter} is not a clock parameter")
    if param is None:
        raise ValueError(f"{parameter} has no value in force on {on.isoformat()}")
    spec = ClockSpec.of(param.value)
    if not generable(spec):
        raise ValueError(
            f"{parameter} in force on {on.isoformat()} ({spec.length} {spec.unit}) is counted "
            "by the general clock code (core/clock_compute.py), not by generated code"
        )
    text, consts = source(spec)
    shown = {
        **consts,
        "CITATION": param.citation,
        "LEAP_DAY": ruleset.value("dates.leap_day_birthday", on),
    }
    header = "".join(f"# {k} = {_shown(v)}\n" for k, v in sorted(shown.items()))
    return f"# {parameter} in force on {on.isoformat()}\n{header}{text}"


def _shown(value: Any) -> str:
    """A constant as the source reads it; a set in sorted order (the same text every run)."""
    if isinstance(value, frozenset):
        return f"frozenset({sorted(value)!r})"
    return repr(value)


def main(argv: list[str] | None = None) -> int:
    """Print the generated source of a ruleset's clock parameter (for review)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print(
            "usage: python -m eirules.core.clock_gen RULESET PARAMETER [YYYY-MM-DD]",
            file=sys.stderr,
        )
        return 2
    from .engine import Engine
    from .errors import EirulesError

    try:
        on = date.fromisoformat(args[2]) if len(args) == 3 else date.today()
        engine = Engine(entry_points=False)
        print(ruleset_source(engine.rulesets.get(args[0]), args[1], on), end="")
    except (ValueError, EirulesError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
