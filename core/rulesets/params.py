"""A parameter's declaration, its dated values, and the value in force on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs


@attrs.frozen
class ValueEntry:
    """One dated value of a parameter in one ruleset file."""

    effective: date
    value: Any
    citation: str
    until: date | None = None
    url: str | None = None
    note: str | None = None
    repealed: bool = False
    file: str = ""
    ruleset: str = ""
    #: Where the entry is written: key path and line, for error messages.
    key: str = ""
    line: int | None = None


@attrs.frozen
class Declaration:
    """What a parameter is: label, type, unit and federal floor."""

    name: str
    label: str
    type: str
    unit: str | None = None
    choices: tuple[str, ...] = ()
    floor: str | None = None
    floor_citation: str | None = None
    state_choice: bool = False
    #: For a state_choice parameter with a floor: the bound the regulation itself sets
    #: on a state's value (length, unit), in place of the federal value (floors.py).
    state_bound: tuple[float, str | None] | None = None
    description: str | None = None
    file: str = ""
    ruleset: str = ""


@attrs.frozen
class Param:
    """A parameter's value in force on a date, with where it came from."""

    name: str
    value: Any
    citation: str
    effective: date
    until: date | None
    ruleset: str
    file: str
    url: str | None = None
    note: str | None = None
