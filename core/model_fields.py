"""The field validators of the case models (core/models.py): dates, text, numbers, choices.

Each is an attrs validator that never reads the instance, so the detailed converter
can run them field by field and report every bad field of an object at once; the
fast loader (core/fastload.py) is told which checks its own leaves already make.

Every text field of a model gets the one text check (core/text.py `text_problem`):
the string validators here all make it (`_opt_str` and `_text` are the plain ones, a
note's may break lines), and `unchecked_text` lists any str field of a model, however
deep, whose validator does not (tests/test_models.py asks it of every model, so a new
str field without the check fails a test).
"""

from __future__ import annotations

import math
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import attrs
from attrs.validators import optional

from . import fastload_claims
from .errors import ValueProblem, did_you_mean, show_value
from .text import MAX_TEXT, code_point, invisible, text_problem

# Validators never read the instance, so the converter can run them field by
# field and report every bad field of an object at once.


def _date(instance, attribute, value):
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValueProblem(f"{show_value(value)} is not a date (YYYY-MM-DD)")


_opt_date = optional(_date)


#: The validators that make the one text check (`text_problem`) on a str field's value
#: (or on each str of a tuple), or allow only given words: what `unchecked_text` accepts.
TEXT_CHECKS: set[Any] = set()


def text_check(validator):
    """Declare a field validator that makes the text check (a plugin's own, for instance)."""
    TEXT_CHECKS.add(validator)
    return validator


def _string(instance, attribute, value):
    """The type only: a str. Not a field's validator (it is no text check): see `_opt_str`."""
    if not isinstance(value, str):
        raise ValueProblem(f"{show_value(value)} is not a string")


def _blank(value) -> None:
    if not value.strip():
        raise ValueProblem(f"{show_value(value)} is empty", "expected some text")


def _plain(instance, attribute, value):
    """Plain text on one line (an id, a name, a county, a citation): no control, bidi or
    invisible character (it could forge or hide output), and not longer than
    `text.MAX_TEXT`."""
    if isinstance(value, str) and (found := text_problem(value)) is not None:
        raise ValueProblem(*found)


@text_check
def _opt_note(instance, attribute, value):
    """Free text: a string that may break lines, otherwise as `_plain`."""
    if value is None:
        return
    _string(instance, attribute, value)
    if (found := text_problem(value, note=True)) is not None:
        raise ValueProblem(*found)


@text_check
def _plain_text(instance, attribute, value):
    """Required plain text with something in it."""
    _string(instance, attribute, value)
    _blank(value)
    _plain(instance, attribute, value)


@text_check
def _opt_plain(instance, attribute, value):
    """Optional plain text: None, or as `_plain`."""
    if value is None:
        return
    _string(instance, attribute, value)
    _plain(instance, attribute, value)


_plain_text.json_schema = {"minLength": 1}  # type: ignore[attr-defined]  # and not only spaces
#: The ordinary names: every optional or required str field is plain text.
_opt_str = _opt_plain
_text = _plain_text


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
    nfc = unicodedata.normalize("NFC", value)
    if nfc != value:
        # "IDé" as e + U+0301 is another id than "IDé" as one letter, though the two look
        # the same: one would be stored beside the other, and never found by it.
        raise ValueProblem(
            f"{show_value(value)} is not in Unicode NFC form (it looks the same as "
            f"{show_value(nfc)}, a different id)",
            f"write the id in Unicode NFC form, {show_value(nfc)} (an accented letter as one "
            "character), as the case's other records spell it",
        )


_id_text.json_schema = _text.json_schema  # type: ignore[attr-defined]
text_check(_id_text)
# The usual id, as _id_text's own first test.
fastload_claims.text_shortcut(
    _id_text, ascii=True, printable=True, stripped=True, nonblank=True, longest=MAX_TEXT
)


@text_check
def _plain_strings(instance, attribute, value):
    """A list of names (services, people, risk factors): each a string as `_plain`."""
    for item in value:
        _string(instance, attribute, item)
        _plain(instance, attribute, item)


_strings = _plain_strings


@text_check
def _note_text(instance, attribute, value):
    """Required free text (a goal's statement, a progress note): `_text` and `_opt_note`."""
    _string(instance, attribute, value)
    _blank(value)
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
    text_check(check)  # only the given words pass
    fastload_claims.none_passes(check)
    fastload_claims.choices(check, choices)
    return check


def _number(
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    whole: bool = False,
    why: str | None = None,
) -> Callable[[Any, Any, Any], None]:
    """An optional finite number (a whole one if `whole`) within the given bounds; `why`
    says where a bound comes from ("the minutes in one day")."""
    expected: str | None
    if low is not None and high is not None:
        expected = f"expected {low:,} to {high:,}"
    elif above is not None:
        expected = f"expected more than {above:,}"
    else:
        expected = f"expected {low:,} or more" if low is not None else None
    if expected is not None and why:
        expected += f" ({why})"

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
            raise ValueProblem(
                f"{show_value(value)} is not a finite number", expected or "expected a number"
            )
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
    fastload_claims.none_passes(check)
    fastload_claims.number_shortcut(check, low=low, high=high, above=above, whole=whole)
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


def _makes_text_check(validator: Any) -> bool:
    """True when `validator` (or a part of an `and_`, or the inner one of `optional`) makes
    the text check, or allows only given words (`attrs.validators.in_`)."""
    if validator in TEXT_CHECKS:
        return True
    parts = getattr(validator, "_validators", None)  # attrs.validators.and_
    if parts is not None:
        return any(_makes_text_check(v) for v in parts)
    inner = getattr(validator, "validator", None)  # attrs.validators.optional
    if inner is not None:
        return any(_makes_text_check(v) for v in (inner if isinstance(inner, list) else [inner]))
    options = getattr(validator, "options", None)  # attrs.validators.in_
    return options is not None and all(
        not isinstance(o, str) or text_problem(o) is None for o in options
    )


def _holds_text(kind: Any) -> bool:
    """True for str, str | None, tuple[str, ...] and the like."""
    if kind is str:
        return True
    return any(_holds_text(arg) for arg in typing.get_args(kind) if arg is not Ellipsis)


def _models_in(kind: Any) -> list[type]:
    """The attrs classes a field's type names (Score in tuple[Score, ...])."""
    if isinstance(kind, type) and attrs.has(kind):
        return [kind]
    return [m for arg in typing.get_args(kind) for m in _models_in(arg)]


def text_fields(
    cls: type, *, path: str = "", seen: frozenset[type] = frozenset()
) -> Iterator[tuple[str, attrs.Attribute]]:
    """Every str field of the attrs class `cls` and of the classes its fields hold, however
    deep, as (path, attribute): "county", "conditions[].code", "child.risk_factors" (a
    tuple of str). Enumerated from the models themselves, so a new field is never
    missed. (A dict field, such as the case's plugin sections, is left to the classes
    registered for it.)"""
    if cls in seen:
        return
    seen = seen | {cls}
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        kind = hints.get(field.name, field.type)
        where = f"{path}{field.name}"
        origin = typing.get_origin(kind)
        if origin is dict:
            continue
        if _holds_text(kind):
            yield where, field
        many = origin in (tuple, list) or (
            origin in (typing.Union, types.UnionType)
            and any(typing.get_origin(a) in (tuple, list) for a in typing.get_args(kind))
        )
        for model in _models_in(kind):
            yield from text_fields(model, path=f"{where}{'[]' if many else ''}.", seen=seen)


def unchecked_text(cls: type) -> list[str]:
    """The paths of `text_fields` whose validator makes no text check: what must be empty
    for every model a caseload is read into (tests/test_text_fields.py)."""
    return [where for where, field in text_fields(cls) if not _makes_text_check(field.validator)]
