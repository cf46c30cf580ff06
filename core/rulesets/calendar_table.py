"""The [calendar] table of ruleset.toml: its holidays and the school calendar it names."""

from __future__ import annotations

import copy
import functools
import tomllib
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, did_you_mean, show_toml
from ..paths import escapes
from .files import _check_keys, _FileReader, _hint, _is_date, _kind, read_toml_text
from .keys import _HOLIDAY_CHECK, CALENDAR_KEYS
from .ruleset import Ruleset
from .school_calendar_file import _read_school_calendar


def _holiday_countries() -> frozenset[str]:
    """Country codes the holidays package knows, without importing every country's module."""
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


def _holiday_subdivisions(country: str) -> list[str]:
    import holidays as holidays_lib

    return list(getattr(holidays_lib, country).subdivisions)


def _check_holidays(reader: _FileReader, ok: dict, country: str | None) -> list[Problem]:
    """Problems with holidays_country and holidays_subdivision, each with its file and line."""
    problems: list[Problem] = []
    reader = copy.copy(reader)
    reader.problems = problems
    supported = _holiday_countries()
    if "holidays_country" in ok and ok["holidays_country"] not in supported:
        reader.add(
            "calendar.holidays_country",
            f'found "{ok["holidays_country"]}"; expected a country code the holidays package knows',
            did_you_mean(ok["holidays_country"], supported) or 'for example "US"',
        )
    elif "holidays_subdivision" in ok:
        subdivisions = _holiday_subdivisions(country) if country in supported else []
        if ok["holidays_subdivision"] not in subdivisions:
            reader.add(
                "calendar.holidays_subdivision",
                f'found "{ok["holidays_subdivision"]}"; expected a subdivision of '
                f"{country or '(no holidays_country set)'}",
                _hint(ok["holidays_subdivision"], subdivisions)
                if subdivisions
                else "set holidays_country first",
            )
    return problems


def _check_calendar(reader: _FileReader, cal: Any, folder: Path, parent: Ruleset | None) -> dict:
    if not isinstance(cal, dict):
        reader.add("calendar", f"found {_kind(cal)}; expected a table")
        return {}
    _check_keys(reader, cal, CALENDAR_KEYS, "calendar")
    ok = {k: v for k, v in cal.items() if k in CALENDAR_KEYS}
    for key in ("holidays_country", "holidays_subdivision", "school_calendar"):
        if key in ok and not isinstance(ok[key], str):
            reader.add(f"calendar.{key}", f"found {_kind(ok[key])}; expected a string")
            ok.pop(key)
    country = ok.get("holidays_country")
    if country is None and parent is not None:
        country = parent._calendar_setting("holidays_country")
    if "holidays_country" in ok or "holidays_subdivision" in ok:
        # Checked when a business calendar is first built or by `rulesets validate`,
        # not at load: the holidays package takes ~100 ms to list its countries.
        ok[_HOLIDAY_CHECK] = functools.partial(_check_holidays, reader, dict(ok), country)
    if "extra_holidays" in ok:
        extra = ok["extra_holidays"]
        if not isinstance(extra, list) or not all(_is_date(d) for d in extra):
            reader.add(
                "calendar.extra_holidays",
                f"found {show_toml(extra)}; expected an array of dates",
                "write extra_holidays = [2026-11-27]",
            )
            ok.pop("extra_holidays")
    if "school_calendar" in ok:
        path = folder / ok["school_calendar"]
        if escapes(folder, ok["school_calendar"]):
            reader.add(
                "calendar.school_calendar",
                f'found "{ok["school_calendar"]}", which is outside the ruleset folder',
                "name a TOML file in the ruleset folder (a ruleset may not read other files)",
            )
            ok.pop("school_calendar")
        elif not path.exists():  # a pipe or a device is refused by name when read
            reader.add(
                "calendar.school_calendar",
                f'found "{ok["school_calendar"]}", but there is no file {path}',
                "name a TOML file in the ruleset folder",
            )
            ok.pop("school_calendar")
        elif _read_school_calendar(path, reader.problems) is None:
            ok.pop("school_calendar")
    return ok


def _school_calendar_path(header_path: Path) -> Path | None:
    """The school calendar file named in ruleset.toml, if any (not a parameter file)."""
    try:
        data = tomllib.loads(read_toml_text(header_path))
        name = data.get("calendar", {}).get("school_calendar")
    except (InputError, UnicodeDecodeError, ValueError, AttributeError):
        return None  # the header's own reading reports why
    if not isinstance(name, str) or escapes(header_path.parent, name):
        return None
    return (header_path.parent / name).resolve()
