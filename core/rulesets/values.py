"""Whether a value fits its parameter's type: numbers, choices, durations, clocks, criteria."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, TypeGuard

from .. import school_rules
from ..dates import UNITS, WEEKEND_RULES, in_range, range_text
from ..errors import show_toml
from ..models import DOMAINS, SUBDOMAINS
from .files import _hint, _is_date, _kind
from .keys import CLOCK_KEYS, CLOCK_REQUIRED, CRITERION_KEYS, EXCUSE_POLICIES, MEASURES
from .params import Declaration


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def value_problems(
    decl: Declaration, value: Any, *, partial: bool = False
) -> list[tuple[str, str | None]]:
    """Every (what was found and expected, how to fix) of a value that does not fit: a
    clock's or criteria's each key, so fixing one bad key never uncovers another."""
    if decl.type == "clock":
        return list(_clock_problems(value, partial))
    if decl.type == "criteria":
        return list(_criteria_problems(value, decl.choices or DOMAINS))
    problem = check_value(decl, value, partial=partial)
    return [] if problem is None else [problem]


def check_value(
    decl: Declaration, value: Any, *, partial: bool = False
) -> tuple[str, str | None] | None:
    """Return (what was found and expected, how to fix) if the value does not fit (the
    first problem; `value_problems` gives them all)."""
    t = decl.type
    found = f"found {_kind(value)} {show_toml(value)}"
    if t == "integer" and not _is_int(value):
        return f"{found}; expected a whole number" + (f" of {decl.unit}" if decl.unit else ""), None
    if t == "number" and not _is_num(value):
        return f"{found}; expected a finite number", None
    if t == "boolean" and not isinstance(value, bool):
        return f"{found}; expected true or false", None
    if t == "string" and not isinstance(value, str):
        return f"{found}; expected a string", None
    if t == "date" and not _is_date(value):
        return f"{found}; expected a date", "write it as a TOML date: 2026-07-01"
    if t == "date" and not in_range(value):
        return f"found {value}; {range_text()}", None
    if t == "enum" and (not isinstance(value, str) or value not in decl.choices):
        return f"{found}; expected one of the choices", _hint(value, decl.choices)
    if t == "strings":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{found}; expected an array of strings", None
        if decl.choices:
            for v in value:
                if v not in decl.choices:
                    return f'found "{v}"; expected one of the choices', _hint(v, decl.choices)
    if t == "duration":
        if isinstance(value, dict) and set(value) - {"length", "unit"}:
            stray = sorted(set(value) - {"length", "unit"})[0]
            return f"unknown key {show_toml(stray)}", "a duration has length and unit only"
        if not isinstance(value, dict) or set(value) != {"length", "unit"}:
            return (
                f"{found}; expected a duration table with length and unit",
                'write it as { length = 45, unit = "calendar_days" }',
            )
        if not _is_int(value["length"]) or value["length"] < 0:
            return (
                f"length {show_toml(value['length'])}; expected a whole number of units, 0 or more",
                None,
            )
        if value["unit"] not in UNITS:
            return f"unit {show_toml(value['unit'])}; expected a unit", _hint(value["unit"], UNITS)
    if t == "clock":
        return next(_clock_problems(value, partial), None)
    if t == "criteria":
        return next(_criteria_problems(value, decl.choices or DOMAINS), None)
    return None


def _clock_problems(value: Any, partial: bool) -> Iterator[tuple[str, str | None]]:
    """Every problem of a clock table, key by key (one bad key hides no other)."""
    if not isinstance(value, dict):
        yield (
            f"found {_kind(value)} {show_toml(value)}; expected a clock table",
            (
                'write it as { start = ["..."], length = 45, unit = "calendar_days", stop = ["..."] }'
            ),
        )
        return
    for key in value:
        if key not in CLOCK_KEYS:
            yield f'unknown clock key "{key}"', _hint(key, CLOCK_KEYS)
    if not partial:
        missing = [k for k in CLOCK_REQUIRED if k not in value]
        if missing:
            yield (
                f"the clock has no {', '.join(missing)}; expected all of "
                + ", ".join(CLOCK_REQUIRED),
                None,
            )
    for key in ("start", "stop", "excused_by", "agreed_date_reasons"):
        if key in value and (
            not isinstance(value[key], list) or not all(isinstance(v, str) for v in value[key])
        ):
            yield f"{key}: found {show_toml(value[key])}; expected an array of event names", None
    for key in ("start", "stop"):
        if key in value and isinstance(value[key], list) and not value[key]:
            yield f"{key}: found an empty array; expected at least one event name", None
    for key in ("length", "opens_length"):
        if key in value and (not _is_int(value[key]) or value[key] < 0):
            yield (
                f"{key}: found {show_toml(value[key])}; expected a whole number of units, 0 or more",
                None,
            )
    for key in ("unit", "opens_unit"):
        if key in value and value[key] not in UNITS:
            yield f"{key}: found {show_toml(value[key])}; expected a unit", _hint(value[key], UNITS)
    if "direction" in value and value["direction"] not in ("after", "before"):
        yield f"direction: found {show_toml(value['direction'])}; expected after or before", None
    if "on_weekend" in value and value["on_weekend"] not in WEEKEND_RULES:
        yield (
            f"on_weekend: found {show_toml(value['on_weekend'])}; expected a weekend rule",
            _hint(value["on_weekend"], WEEKEND_RULES),
        )
    if "early_action_counts" in value and not isinstance(value["early_action_counts"], bool):
        yield (
            f"early_action_counts: found {show_toml(value['early_action_counts'])}; expected true or false",
            None,
        )
    if "excuse_policy" in value and value["excuse_policy"] not in EXCUSE_POLICIES:
        yield (
            f"excuse_policy: found {show_toml(value['excuse_policy'])}; expected a policy",
            _hint(value["excuse_policy"], EXCUSE_POLICIES),
        )
    if "count_start_day_as" in value and (
        not _is_int(value["count_start_day_as"]) or value["count_start_day_as"] not in (0, 1)
    ):
        yield (
            f"count_start_day_as: found {show_toml(value['count_start_day_as'])}; expected 0 or 1",
            None,
        )
    problem = school_rules.check(value)
    if problem is not None:
        yield problem
    unit = value.get("unit")
    if value.get("direction") == "before" and unit in ("business_days", "school_days"):
        yield (
            f"a clock counted back (direction before) cannot use {unit}",
            ("use calendar_days, weeks, months or years"),
        )


def _area_problem(
    name: str, domain: str, sub: str | None, domains: tuple[str, ...]
) -> tuple[str, str | None] | None:
    """Why `name` (a domain, a subdomain or "domain.subdomain") is not an area, else None.

    A misspelt area would never match a score: an eligible child would read as not
    eligible, so every name must be a known domain or subdomain.
    """
    known_subs = sorted({s for subs in SUBDOMAINS.values() for s in subs})
    if sub is not None:
        if domain not in domains:
            return f'found "{name}"; "{domain}" is not a domain', _hint(domain, domains)
        if sub not in SUBDOMAINS.get(domain, ()):
            subs = SUBDOMAINS.get(domain, ())
            return f'found "{name}"; "{sub}" is not a subdomain of {domain}', (
                _hint(sub, subs) or (f"subdomains of {domain}: {', '.join(subs)}" if subs else None)
            )
        return None
    if name in domains or name in known_subs:
        return None
    return f'found "{name}"; expected a domain or subdomain', _hint(
        name, (*domains, *known_subs)
    ) or f"domains: {', '.join(domains)}"


def _criteria_problems(
    value: Any, domains: tuple[str, ...] = ()
) -> Iterator[tuple[str, str | None]]:
    """Every problem of a criteria array: each criterion's, and in one criterion each key's
    (a check that needs another key valid runs only when it is)."""
    if not isinstance(value, list) or not value:
        yield (
            f"found {_kind(value)} {show_toml(value)}; expected a non-empty array of criterion tables",
            ('write it as [{ measure = "percent_delay", at_least = 25, domains = 1 }]'),
        )
        return
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            yield f"criterion {i}: found {_kind(item)}; expected a table", None
            continue
        for key in item:
            if key not in CRITERION_KEYS:
                yield f'criterion {i}: unknown key "{key}"', _hint(key, CRITERION_KEYS)
        if item.get("measure") not in MEASURES:
            yield (
                f"criterion {i}: measure {show_toml(item.get('measure'))}; expected a measure",
                _hint(item.get("measure"), MEASURES),
            )
        at_least = item.get("at_least")
        if not _is_num(at_least) or at_least < 0:
            yield (
                f"criterion {i}: at_least {show_toml(at_least)}; expected a number, 0 or more",
                None,
            )
        elif item.get("measure") == "percent_delay" and at_least > 100:
            yield (
                f"criterion {i}: at_least {show_toml(at_least)}; a percent delay is at most 100",
                None,
            )
        count = item.get("domains", 1)
        count_ok = _is_int(count) and count >= 1
        if not count_ok:
            yield (
                f"criterion {i}: domains {show_toml(count)}; expected a whole number, 1 or more",
                None,
            )
        lists_ok = True
        for key in ("in", "only", "unless_only"):
            if key not in item:
                continue
            names = item[key]
            if (
                not isinstance(names, list)
                or not names
                or not all(isinstance(v, str) and v for v in names)
            ):
                lists_ok = False
                yield (
                    f"criterion {i}: {key} {show_toml(names)}; expected an array of domain names",
                    None,
                )
                continue
            for v in names:
                # "communication.expressive" names a subdomain of a domain: check the domain.
                domain, dot, sub = v.partition(".")
                if dot and not sub:
                    yield f'criterion {i}: {key}: found "{v}"; expected domain.subdomain', None
                    continue
                problem = _area_problem(v, domain, sub if dot else None, domains)
                if problem is not None:
                    yield f"criterion {i}: {key}: {problem[0]}", problem[1]
        if "only" in item and "unless_only" in item:
            yield (
                f"criterion {i}: has both only and unless_only",
                "only: the criterion applies just when these are the only delays; "
                "unless_only: it does not apply then. Keep one",
            )
        if "in" in item and count_ok and lists_ok and count > len(item["in"]):
            yield (
                f"criterion {i}: domains {count} but only {len(item['in'])} listed under in",
                "a child cannot meet it; lower domains or list more",
            )
        if "label" in item and not isinstance(item["label"], str):
            yield f"criterion {i}: label: found {_kind(item['label'])}; expected a string", None
