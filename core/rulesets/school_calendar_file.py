"""A school calendar TOML file named by a ruleset: its terms, school years and closures."""

from __future__ import annotations

from pathlib import Path

from ..dates import SchoolCalendar
from ..errors import Problem, RulesetError, show_toml
from .files import _check_keys, _FileReader, _is_date, _kind
from .keys import SCHOOL_CALENDAR_KEYS, TERM_KEYS


def load_school_calendar(path: Path) -> SchoolCalendar:
    """Read a school calendar TOML file: terms (first and last day) and closures."""
    problems: list[Problem] = []
    calendar = _read_school_calendar(path, problems)
    if problems or calendar is None:
        raise RulesetError(f"invalid school calendar {path}", problems)
    return calendar


def _read_school_calendar(path: Path, problems: list[Problem]) -> SchoolCalendar | None:
    before = len(problems)
    reader = _FileReader(path, problems)
    data = reader.data
    if len(problems) > before:
        return None
    _check_keys(reader, data, SCHOOL_CALENDAR_KEYS, "")
    if "name" in data and not isinstance(data["name"], str):
        reader.add("name", f"found {_kind(data['name'])}; expected a string")
    raw_terms = data.get("terms", [])
    if not isinstance(raw_terms, list):
        reader.add("terms", f"found {_kind(raw_terms)}; expected an array of tables ([[terms]])")
        raw_terms = []
    terms = []
    for i, term in enumerate(raw_terms):
        key = f"terms[{i}]"
        if not isinstance(term, dict):
            reader.add(key, f"found {_kind(term)}; expected a table with first_day and last_day")
            continue
        _check_keys(reader, term, TERM_KEYS, key)
        first, last = term.get("first_day"), term.get("last_day")
        if not _is_date(first) or not _is_date(last):
            reader.add(
                key,
                f"first_day {show_toml(first)} and last_day {show_toml(last)}: expected two dates",
                "write them as TOML dates: first_day = 2025-08-18",
            )
            continue
        if last < first:
            reader.add(f"{key}.last_day", f"{last} is before first_day {first}")
            continue
        terms.append((first, last))
    years = []
    for i, year in enumerate(data.get("years", []) if isinstance(data.get("years"), list) else []):
        key = f"years[{i}]"
        if not isinstance(year, dict) or not (
            _is_date(year.get("first_day")) and _is_date(year.get("last_day"))
        ):
            reader.add(key, "expected a table with first_day and last_day dates")
            continue
        _check_keys(reader, year, TERM_KEYS, key)
        years.append((year["first_day"], year["last_day"], str(year.get("name", ""))))
    closures = data.get("closures", [])
    if not isinstance(closures, list) or not all(_is_date(c) for c in closures):
        reader.add("closures", f"found {show_toml(closures)}; expected an array of dates")
        closures = []
    if not terms and len(problems) == before:
        reader.add("terms", "a school calendar needs at least one term", "add [[terms]]")
    if len(problems) > before:
        return None
    try:
        return SchoolCalendar.from_terms(
            terms, closures, name=str(data.get("name", path.stem)), years=years
        )
    except ValueError as exc:
        reader.add("terms", str(exc), "check that the terms contain weekdays that are not closed")
        return None
