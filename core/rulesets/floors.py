"""A parameter's dated values checked together and against its parent: overlaps, floors.

Two kinds of bound, one place. A federal floor (`floor = "at_most"` or `"at_least"`)
holds a ruleset's value to its parent's: a state may tighten the 45-day timeline, never
loosen it. A `state_choice` parameter is one the rule lets the state set for itself, so
it is not held to the parent's value; where the rule still bounds the state's choice
the declaration says so with `state_bound` (`_bound_problem`: FAPE through at least 17,
300.102(a)(1); a reevaluation at least every 3 years, 300.303(b)(2)), and where it sets
none, `floor = "none"` names the rule that leaves the value to the state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..dates import UNITS
from ..errors import RulesetError, show_toml
from .files import RulesetProblem
from .keys import BOUNDED_FLOORS, CLOCK_REQUIRED
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
    if decl.state_choice and decl.state_bound is not None:
        for entry in ordered:
            problem = _bound_problem(name, decl, entry, parent)
            if problem is not None:
                problems.append(problem)
    if parent is None or decl.state_choice or decl.ruleset == ordered[0].ruleset:
        return
    if decl.type == "clock":
        for entry in ordered:
            problems.extend(_trigger_problems(name, decl, entry, parent))
    if decl.floor not in BOUNDED_FLOORS:
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


def declared_state_bound(reader, sub, path, typ, unit, floor, state_choice):
    """(ok, the declaration's `state_bound` as (length, unit)), its problems reported.

    A `state_choice` parameter with floor at_most or at_least must say how far the rule
    lets a state go: without a bound the floor would be declared and never checked (a
    state setting FAPE through age 15 validated, though 300.102(a)(1) lets it leave out
    only ages 18 through 21). A number in the declaration's unit for an integer or
    number; `{ length, unit }` for a duration or clock."""
    raw, key = sub.get("state_bound"), f"{path}.state_bound"
    bounded = floor in BOUNDED_FLOORS and state_choice is True
    if raw is None:
        if not bounded:
            return True, None
        reader.add(
            key,
            "a state_choice parameter with a floor needs the bound the federal rule sets on "
            "a state's value; found none",
            'add state_bound = N (a clock: { length = N, unit = "years" }) with the rule in '
            'floor_citation, or write floor = "none" when the rule sets no bound',
        )
        return False, None
    if not bounded:
        reader.add(
            key,
            'state_bound applies only with state_choice = true and floor = "at_most" or "at_least"',
            "remove it, or declare the floor and state_choice it bounds",
        )
        return False, None
    if typ in ("integer", "number") and _is_num(raw):
        return True, (float(raw), unit)
    if (
        typ in ("duration", "clock")
        and isinstance(raw, dict)
        and set(raw) == {"length", "unit"}
        and _is_num(raw["length"])
        and raw["unit"] in UNITS
    ):
        return True, (float(raw["length"]), raw["unit"])
    shape = "a number" if typ in ("integer", "number") else "{ length = N, unit = ... }"
    reader.add(key, f"found {show_toml(raw)}; expected {shape}", f"units: {', '.join(UNITS)}")
    return False, None


def _bound_problem(name, decl, entry, parent) -> RulesetProblem | None:
    """A value of a `state_choice` parameter beyond the bound the rule sets on a state.

    Checked for every ruleset that gives a value, the declaring one included, since the
    bound is the rule's own number, not the parent's value. A clock that gives only some
    keys is completed from the parent's value on each day it is in force, as the engine
    completes it. A repeal is not checked here: it leaves no value, which the rules that
    need one report as missing (without a category cycle the 3-year reevaluation runs)."""
    if entry.repealed or decl.state_bound is None:
        return None
    values = [entry.value]
    if (
        decl.type == "clock"
        and parent is not None
        and isinstance(entry.value, dict)
        and not {"length", "unit"} <= entry.value.keys()
    ):
        values = []
        for day in _days_in_force(parent, name, entry):
            try:
                values.append({**parent.param(name, day).value, **entry.value})
            except RulesetError:
                continue
    bound, rule = decl.state_bound, decl.floor_citation
    word = "at most" if decl.floor == "at_most" else "at least"
    for value in values:
        mine = _floor_number(decl, value)
        if mine is None:
            continue
        pair = _comparable(mine, bound)
        if pair is None:
            return _entry_problem(
                entry,
                f"found {_show(mine)}, a unit that cannot be compared with the bound {rule} "
                f"sets on a state's value ({word} {_show(bound)})",
                f"give it in {bound[1]}",
            )
        if pair[0] > pair[1] if decl.floor == "at_most" else pair[0] < pair[1]:
            return _entry_problem(
                entry,
                f"found {_show(mine)}, outside what {rule} lets a state choose: "
                f"{word} {_show(bound)}",
                f"set {name} to {word} {_show(bound)}"
                + (f" ({decl.description})" if decl.description else ""),
            )
    return None


def shadow_problems(local: Ruleset, shipped: Ruleset) -> list[RulesetProblem]:
    """A baseline of the same id as a shipped one (a copy of `us` in --rulesets-dir) has no
    parent to be held to, so it is held to the shipped copy's floors: every federal floor
    the shipped baseline declares applies to the copy's values as to a state's, and so do
    the fixed start and stop events (`_trigger_problems`), and a state-choice value to the
    shipped declaration's `state_bound` (a copy's own declaration may have dropped it).
    Without this a copy could set the 45-day timeline (303.310) to 400 days, or stop it at
    the referral, and validate."""
    problems: list[RulesetProblem] = []
    shipped_decls = shipped.declarations
    for name, entries in local.own_values.items():
        decl = shipped_decls.get(name)
        if decl is None:
            continue
        for entry in entries:
            if decl.state_choice:
                problem = _bound_problem(name, decl, entry, shipped)
            else:
                if decl.type == "clock":
                    problems.extend(_trigger_problems(name, decl, entry, shipped))
                bounded = decl.floor in BOUNDED_FLOORS
                problem = _floor_problem(name, decl, entry, shipped) if bounded else None
            if problem is not None:
                problems.append(problem)
    return problems


def what_is_checked(decl: Declaration) -> list[str]:
    """What loading checks of a ruleset's value for this parameter, in words.

    One wording for `rulesets new` (the template's comments) and `rulesets show`, so
    neither promises a check the loader does not make (`_check_entries`)."""
    rule, clock = decl.floor_citation, decl.type == "clock"
    if decl.state_choice and decl.state_bound is not None:
        beyond = "more" if decl.floor == "at_most" else "less"
        return [
            "The federal rule leaves this to the state within a bound: a value of "
            f"{beyond} than {_show(decl.state_bound)} is rejected ({rule})."
            + (" Its start and stop events are not checked." if clock else "")
        ]
    if decl.state_choice:
        reason = f": {rule}" if decl.floor == "none" else ""
        events = ", nor are its start and stop events" if clock else ""
        return [
            f"The federal rule leaves this to the state and sets no bound on it{reason}. "
            f"The value is not checked against the inherited one{events}."
        ]
    found = []
    if decl.floor in BOUNDED_FLOORS:
        more = "longer/more" if decl.floor == "at_most" else "shorter/fewer"
        also = ", and so are added excuses, another direction, next_business_day or a repeal"
        found.append(
            f"Federal floor ({rule}): a value {more} than the inherited one is rejected"
            + (also if clock else "")
            + "."
        )
    elif decl.floor == "none":
        found.append(f"No federal bound ({rule}).")
    if clock:
        found.append("Its start and stop events must stay those inherited.")
    return found
