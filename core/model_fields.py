"""The field validators of the case models (core/models.py): dates, text, numbers, choices.

Each is an attrs validator that never reads the instance, so the detailed converter
can run them field by field and report every bad field of an object at once; the
fast loader (core/fastload.py) is told which checks its own leaves already make.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from attrs.validators import optional

from . import fastload
from .errors import ValueProblem, did_you_mean, show_value
from .text import MAX_TEXT, code_point, invisible, text_problem

# Validators never read the instance, so the converter can run them field by
# field and report every bad field of an object at once.


def _date(instance, attribute, value):
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValueProblem(f"{show_value(value)} is not a date (YYYY-MM-DD)")


_opt_date = optional(_date)


def _string(instance, attribute, value):
    if not isinstance(value, str):
        raise ValueProblem(f"{show_value(value)} is not a string")


_opt_str = optional(_string)


def _text(instance, attribute, value):
    """A required string with something in it."""
    _string(instance, attribute, value)
    if not value.strip():
        raise ValueProblem(f"{show_value(value)} is empty", "expected some text")


_text.json_schema = {"minLength": 1}  # type: ignore[attr-defined]  # and not only spaces


def _plain(instance, attribute, value):
    """An id or a name: no control or bidi character (it could forge or hide output), and
    not longer than `text.MAX_TEXT`."""
    if isinstance(value, str) and (found := text_problem(value)) is not None:
        raise ValueProblem(*found)


def _opt_note(instance, attribute, value):
    """Free text: a string that may break lines, otherwise as `_plain`."""
    _opt_str(instance, attribute, value)
    if isinstance(value, str) and (found := text_problem(value, note=True)) is not None:
        raise ValueProblem(*found)


def _plain_text(instance, attribute, value):
    _text(instance, attribute, value)
    _plain(instance, attribute, value)


def _opt_plain(instance, attribute, value):
    _opt_str(instance, attribute, value)
    _plain(instance, attribute, value)


_plain_text.json_schema = _text.json_schema  # type: ignore[attr-defined]


def _id_text(instance, attribute, value):
    """An id (a case's, a goal's, a meeting's): as `_plain_text`, and with no space at
    either end and no invisible character at all, not even a joiner a name may hold:
    "MO-0001 " or "MO-0001" with a zero-width joiner would be another case that looks
    the same, which `cases show MO-0001` could never find."""
    if type(value) is str and value.isascii() and value.isprintable() and value.strip() == value:
        if value and len(value) <= MAX_TEXT:
            return  # the usual id: printable ASCII, no space at the ends
    _plain_text(instance, attribute, value)
    if value != value.lstrip():
        raise ValueProblem(
            f"{show_value(value)} starts with a space ({code_point(value[0])})",
            "remove the space at the start of the id",
        )
    if value != value.rstrip():
        raise ValueProblem(
            f"{show_value(value)} ends with a space ({code_point(value[-1])})",
            "remove the space at the end of the id",
        )
    if (found := invisible(value)) is not None:
        raise ValueProblem(
            f"contains the invisible character {found}",
            "remove it: an id is plain text that looks like what it is",
        )


_id_text.json_schema = _text.json_schema  # type: ignore[attr-defined]


def _strings(instance, attribute, value):
    for item in value:
        _string(instance, attribute, item)


def _plain_strings(instance, attribute, value):
    """A list of names (services, people): each a string as `_plain`."""
    for item in value:
        _string(instance, attribute, item)
        _plain(instance, attribute, item)


def _note_text(instance, attribute, value):
    """Required free text (a goal's statement, a progress note): `_text` and `_opt_note`."""
    _text(instance, attribute, value)
    _opt_note(instance, attribute, value)


_note_text.json_schema = _text.json_schema  # type: ignore[attr-defined]


def _one_of(choices: tuple[str, ...], noun: str):
    def check(instance, attribute, value):
        if value is None:
            return
        if not isinstance(value, str) or value not in choices:
            hint = did_you_mean(value, choices) if isinstance(value, str) else None
            raise ValueProblem(
                f"{show_value(value)} is not a known {noun}",
                hint or f"expected one of: {', '.join(choices)}",
            )

    check.json_schema = {"enum": list(choices)}  # type: ignore[attr-defined]  # core/schemas.py
    fastload.none_passes(check)
    fastload.choices(check, choices)
    return check


def _number(
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    whole: bool = False,
) -> Callable[[Any, Any, Any], None]:
    """An optional finite number (a whole one if `whole`) within the given bounds."""
    expected: str | None
    if low is not None and high is not None:
        expected = f"expected {low} to {high}"
    elif above is not None:
        expected = f"expected more than {above}"
    else:
        expected = f"expected {low} or more" if low is not None else None

    def check(instance, attribute, value):
        if value is None:
            return
        kinds = int if whole else int | float
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ValueProblem(
                f"{show_value(value)} is not {'a whole number' if whole else 'a number'}"
            )
        try:
            finite = whole or math.isfinite(value)
        except OverflowError:  # an int too large for a float: no rule can use it
            finite = False
        if not finite:
            raise ValueProblem(f"{show_value(value)} is not a finite number")
        if (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (above is not None and value <= above)
        ):
            raise ValueProblem(f"{show_value(value)} is out of range", expected)

    # The same bounds for the JSON Schemas (core/schemas.py).
    bounds = {"minimum": low, "maximum": high, "exclusiveMinimum": above}
    check.json_schema = {  # type: ignore[attr-defined]
        **({"type": "integer"} if whole else {}),
        **{k: v for k, v in bounds.items() if v is not None},
    }
    fastload.none_passes(check)
    return check


def _not_before(obj, later: str, earlier: str, label: str | None = None) -> None:
    """Refuse a period that ends before it starts, blaming the `later` field."""
    end, start = getattr(obj, later), getattr(obj, earlier)
    label = label or f"{earlier} date"
    if end is not None and start is not None and end < start:
        raise ValueProblem(
            f"{end.isoformat()} is before the {label} {start.isoformat()}",
            f"expected the {label} or later",
            field=later,
        )


def as_tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter for collection fields (typed, so mypy can check callers)."""
    return tuple(items)
