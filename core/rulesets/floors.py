"""A parameter's dated values checked together and against its parent: overlaps, floors."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import RulesetError, show_toml
from .files import RulesetProblem
from .keys import CLOCK_REQUIRED
from .params import Declaration, ValueEntry
from .ruleset import Ruleset
from .values import _is_num


def _floor_number(decl: Declaration, value: Any) -> tuple[float, str | None] | None:
    if decl.type in ("integer", "number") and _is_num(value):
        return float(value), decl.unit
    if decl.type in ("duration", "clock") and isinstance(value, dict) and "length" in value:
        return float(value["length"]), value.get("unit")
    return None


_MONTHS = {"months": 1, "years": 12}
_DAYS = {"calendar_days": 1, "weeks": 7}


def _comparable(
    a: tuple[float, str | None], b: tuple[float, str | None]
) -> tuple[float, float] | None:
    if a[1] == b[1]:
        return a[0], b[0]
    if a[1] in _MONTHS and b[1] in _MONTHS:
        return a[0] * _MONTHS[a[1]], b[0] * _MONTHS[b[1]]
    if a[1] in _DAYS and b[1] in _DAYS:
        return a[0] * _DAYS[a[1]], b[0] * _DAYS[b[1]]
    return None


def _entry_problem(entry: ValueEntry, what: str, fix: str | None = None) -> RulesetProblem:
    where = entry.file + (f":{entry.line}" if entry.line else "") + f": {entry.key}"
    return RulesetProblem(where, what, fix, file=entry.file, line=entry.line, key=entry.key)


def _show(number: tuple[float, str | None]) -> str:
    return f"{number[0]:g} {number[1] or ''}".strip()


def _check_entries(name, decl, entries, problems, parent) -> None:
    ordered = sorted(entries, key=lambda e: e.effective)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.effective == after.effective or (
            before.until is not None and before.until >= after.effective
        ):
            problems.append(
                _entry_problem(
                    after,
                    f"effective periods overlap: {before.effective} to "
                    f"{before.until or 'open'} ({before.key}) and from {after.effective}",
                    "end the earlier one (until) before the later one starts",
                )
            )
    if decl.type == "clock" and parent is not None and decl.ruleset != ordered[0].ruleset:
        for entry in ordered:
            if entry.repealed:
                continue
            missing = [k for k in CLOCK_REQUIRED if k not in entry.value]
            if missing and _first_gap(parent, name, entry) is not None:
                problems.append(
                    _entry_problem(
                        entry,
                        f"the clock has no {', '.join(missing)} and the ruleset it extends has "
                        f"no value to complete it on {_first_gap(parent, name, entry)}",
                        "give the whole clock: start, stop, length and unit",
                    )
                )
    if parent is None or decl.state_choice or decl.ruleset == ordered[0].ruleset:
        return
    if decl.type == "clock":
        for entry in ordered:
            problems.extend(_trigger_problems(name, decl, entry, parent))
    if decl.floor is None:
        return
    for entry in ordered:
        problem = _floor_problem(name, decl, entry, parent)
        if problem is not None:
            problems.append(problem)


#: What each of a clock's event lists decides, for the message.
_TRIGGERS = {"start": "what starts this clock", "stop": "what meets this clock"}


def _trigger_problems(name, decl, entry, parent) -> list[RulesetProblem]:
    """An inherited clock's start or stop events changed where the rule fixes them.

    A ruleset may vary a clock's length, unit, weekend handling and excuses (within a
    floor); its start and stop events only where the federal rule leaves the timeline
    to the state (`state_choice`). Elsewhere the regulation names both the trigger and
    what meets the clock (303.310(a): from the referral to the initial IFSP meeting): a
    later start loosens it, and another stop (the referral itself, a consent) would
    count a child as served on time who was not.
    """
    if entry.repealed or not isinstance(entry.value, dict):
        return []
    found: list[RulesetProblem] = []
    rule = decl.floor_citation or f"the rule behind {name}"
    for key, what in _TRIGGERS.items():
        given = entry.value.get(key)
        if given is None:
            continue
        for day in _days_in_force(parent, name, entry):
            try:
                base = parent.param(name, day).value
            except RulesetError:
                continue
            theirs = base.get(key) if isinstance(base, dict) else None
            if theirs is None or set(given) == set(theirs):
                continue
            where = entry.file + (f":{entry.line}" if entry.line else "")
            found.append(
                RulesetProblem(
                    f"{where}: {entry.key or name}.{key}",
                    f"{key} = {show_toml(list(given))} changes {what} ({parent.id} has "
                    f"{key} = {show_toml(list(theirs))}), but the rule fixes it ({rule})",
                    f"keep {key} = {show_toml(theirs)}; vary the length or unit instead "
                    "(docs/plugins.md, Clock variants)",
                    file=entry.file,
                    line=entry.line,
                    key=f"{entry.key or name}.{key}",
                )
            )
            break
    return found


def _days_in_force(parent: Ruleset, name: str, entry: ValueEntry) -> list[date]:
    return [entry.effective] + [
        d
        for d in parent.change_dates(name)
        if d > entry.effective and (entry.until is None or d <= entry.until)
    ]


def _first_gap(parent: Ruleset, name: str, entry: ValueEntry) -> date | None:
    for day in _days_in_force(parent, name, entry):
        try:
            parent.param(name, day)
        except RulesetError:
            return day
    return None


def _floor_problem(name, decl, entry, parent) -> RulesetProblem | None:
    rule = decl.floor_citation
    for day in _days_in_force(parent, name, entry):
        try:
            base = parent.param(name, day)
        except RulesetError:
            continue
        if entry.repealed:
            return _entry_problem(
                entry,
                f"repeals a federal requirement that {rule} sets "
                f"({_show(_floor_number(decl, base.value) or (0, None))})",
                "a state may tighten a federal floor, never remove it",
            )
        value = entry.value
        if decl.type == "clock":
            value = {**base.value, **value}
        mine, theirs = _floor_number(decl, value), _floor_number(decl, base.value)
        if mine is None or theirs is None:
            continue
        pair = _comparable(mine, theirs)
        if pair is None:
            return _entry_problem(
                entry,
                f"found {_show(mine)}, a different unit from the federal floor of {_show(theirs)}, "
                f"so it cannot be checked against {rule}",
                f"keep the federal unit ({theirs[1]})",
            )
        loosened = pair[0] > pair[1] if decl.floor == "at_most" else pair[0] < pair[1]
        if loosened:
            bound = "at most" if decl.floor == "at_most" else "at least"
            return _entry_problem(
                entry,
                f"found {_show(mine)}, which loosens the federal floor: {rule} requires "
                f"{bound} {_show(theirs)}",
                f"set {bound} {_show(theirs)}; a state may tighten a federal floor, never loosen it",
            )
        if decl.type == "clock":
            extra = sorted(set(value.get("excused_by", ())) - set(base.value.get("excused_by", ())))
            if extra:
                return _entry_problem(
                    entry,
                    f"excused_by adds {', '.join(extra)}, which loosens the federal floor: "
                    f"{rule} allows only {', '.join(base.value.get('excused_by', ())) or 'none'}",
                    "a state may not excuse more delays than the federal rule",
                )
            if value.get("direction", "after") != base.value.get("direction", "after"):
                return _entry_problem(
                    entry,
                    f"direction: found {show_toml(value.get('direction'))}; {rule} counts "
                    f"{base.value.get('direction', 'after')}",
                    "keep the federal direction",
                )
            if (
                value.get("on_weekend") == "next_business_day"
                and base.value.get("on_weekend", "keep") != "next_business_day"
            ):
                return _entry_problem(
                    entry,
                    f"on_weekend next_business_day moves due dates later than {rule} allows",
                    "use keep or previous_business_day",
                )
    return None


def shadow_problems(local: Ruleset, shipped: Ruleset) -> list[RulesetProblem]:
    """A baseline of the same id as a shipped one (a copy of `us` in --rulesets-dir) has no
    parent to be held to, so it is held to the shipped copy's floors: every federal floor
    the shipped baseline declares applies to the copy's values as to a state's, and so do
    the fixed start and stop events (`_trigger_problems`). Without this a copy could set
    the 45-day timeline (303.310) to 400 days, or stop it at the referral, and validate."""
    problems: list[RulesetProblem] = []
    shipped_decls = shipped.declarations
    for name, entries in local.own_values.items():
        decl = shipped_decls.get(name)
        if decl is None or decl.state_choice:
            continue
        for entry in entries:
            if decl.type == "clock":
                problems.extend(_trigger_problems(name, decl, entry, shipped))
            problem = None if decl.floor is None else _floor_problem(name, decl, entry, shipped)
            if problem is not None:
                problems.append(problem)
    return problems
