"""What the models tell the fast loader (core/fastload.py) about their validators,
converters and post-init checks, so its generated code can skip a call that surely
passes; tests/test_fastload*.py check every declaration against what it stands for.

Each registry is read when a model's structuring function is generated; declare
before the first `fastload.for_model` of the model (core/models.py does, at import).
Imports nothing of eirules: core/fastload.py re-exports every name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

#: Field validators that check only what the fast path's exact-type leaves already
#: guarantee (a str is a str, a date a date), registered by the models (`type_checks`).
_TYPE_ONLY: set[Any] = set()


#: Validators that pass on None (`none_passes`): the fast path does not call them on one.
_NONE_PASSES: set[Any] = set()
#: Per validator of a str field, an expression of `{x}` that is true only of text the
#: validator passes (`text_shortcut`); the fast path calls the validator on other text.
_SHORTCUTS: dict[Any, str] = {}


#: Validators of a str field that pass any of the given strings (`choices`).
_CHOICES: dict[Any, frozenset[str]] = {}
#: Converters that return a tuple unchanged (`tuple_converters`): not called on a
#: tuple leaf's result or a tuple default.
_TUPLE_SAME: set[Any] = set()


def type_checks(*validators: Any) -> None:
    """Declare validators that check a field's type only (a leaf of this module implies them)."""
    _TYPE_ONLY.update(validators)


#: Per model, the text fields whose passed values are remembered (`remembered`).
_REMEMBERED: dict[type, frozenset[str]] = {}
#: Per (model, field): the text its validator has passed; at most _PASSED_MAX each.
_PASSED: dict[tuple[type, str], set[str]] = {}
_PASSED_MAX, _PASSED_LONGEST = 1024, 100


def remembered(cls: type, *fields: str) -> None:
    """Declare text fields of a model whose values repeat (a vocabulary: event types,
    outcomes): text that passed the field's validator is remembered (at most
    _PASSED_MAX values of at most _PASSED_LONGEST characters, each once it passed),
    and the generated code then tests only that it is remembered. Never declare a field that can hold personal data:
    what is remembered stays for the process's lifetime."""
    names = {a.name for a in attrs.fields(cls)}
    personal = {a.name for a in attrs.fields(cls) if a.metadata.get("personal")}
    if not fields or not names.issuperset(fields) or personal.intersection(fields):
        raise TypeError(f"{cls.__name__}: not fields to remember: {fields}")
    _REMEMBERED[cls] = frozenset(fields)


#: Validators that pass an empty tuple (`empty_passes`): not called on one.
_EMPTY_PASSES: set[Any] = set()


def empty_passes(*validators: Any) -> None:
    """Declare validators of a tuple field that never refuse an empty tuple."""
    _EMPTY_PASSES.update(validators)


def none_passes(*validators: Any) -> None:
    """Declare validators that never refuse None (an absent optional field)."""
    _NONE_PASSES.update(validators)


def text_shortcut(
    *validators: Any,
    printable: bool = False,
    longest: int | None = None,
    nonblank: bool = False,
    ascii: bool = False,
    stripped: bool = False,
) -> None:
    """Declare validators that pass every str that is `printable` (str.isprintable: no
    control, format, separator, private-use or unassigned character but the space), of
    at most `longest` characters, (`nonblank`) not only whitespace, (`ascii`) ASCII
    only and (`stripped`) without whitespace at either end, as asked.

    On a str field the fast path tests that in one expression and calls the validator
    only on text that fails it (a note's line break, a no-break space, a bidi mark), so
    what the validator refuses is still refused. tests/test_fastload.py checks each
    declaration against its validator on arbitrary text.
    """
    parts = ["{x}.isascii()"] if ascii else []
    if printable:
        parts.append("{x}.isprintable()")
    if stripped:
        parts.append("{x}.strip() == {x}")
    if longest is not None:
        parts.append(f"len({{x}}) <= {int(longest)}")
    if nonblank:  # stripped text is blank only when empty
        parts.append("{x}" if stripped else "{x}.strip()")
    if not parts:
        raise TypeError("a text shortcut that tests nothing")
    for validator in validators:
        _SHORTCUTS[validator] = " and ".join(parts)


#: Per validator of a number field, an expression of `{x}` true only of numbers it
#: passes, and whether it asks for a whole number (`number_shortcut`).
_NUMBER_SHORTCUTS: dict[Any, tuple[str, bool]] = {}


def number_shortcut(
    validator: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    whole: bool = False,
) -> None:
    """Declare a validator that passes every number a number leaf gives (a finite int or
    float; an int, if `whole`) within these bounds (`low <= x <= high`, `above < x`).

    The generated code tests the bounds itself and calls the validator only on a
    number outside them (or not whole), which it then refuses as before.
    tests/test_fastload.py checks each declaration against its validator.
    """
    parts = ["type({x}) is int"] if whole else []
    if low is not None:
        parts.append(f"{low!r} <= {{x}}")
    if high is not None:
        parts.append(f"{{x}} <= {high!r}")
    if above is not None:
        parts.append(f"{above!r} < {{x}}")
    _NUMBER_SHORTCUTS[validator] = (" and ".join(parts) or "True", whole)


def choices(validator: Any, given: tuple[str, ...]) -> None:
    """Declare a validator that passes each of these strings (a choice of words)."""
    _CHOICES[validator] = frozenset(given)


#: Per model, fields any one of which None makes its `__attrs_post_init__` do nothing
#: (`post_init_passes_none`).
_POST_INIT_NONE: dict[type, tuple[str, ...]] = {}


def post_init_passes_none(cls: type, *fields: str) -> None:
    """Declare that `cls.__attrs_post_init__` checks only these fields together and
    passes (does nothing) whenever any of them is None: the generated code calls it
    only when none is. tests/test_fastload.py checks each declaration."""
    names = {a.name for a in attrs.fields(cls)}
    if not fields or not names.issuperset(fields):
        raise TypeError(f"{cls.__name__}: not fields of it: {fields}")
    _POST_INIT_NONE[cls] = fields


#: Converters that only put a tuple's items in an order (`order_converters`).
_ORDERING: set[Any] = set()


def order_converters(*converters: Any) -> None:
    """Declare converters that return a tuple of the same items in some order: on a
    tuple of at most one item the generated code does not call them (an equal tuple)."""
    _ORDERING.update(converters)


def tuple_converters(*converters: Any) -> None:
    """Declare converters that return a tuple they are given unchanged (`tuple(t) is t`)."""
    _TUPLE_SAME.update(converters)


def shortcut(validator: Any) -> Callable[[str], bool] | None:
    """The declared shortcut of a validator as a function of the text, or None (for tests)."""
    expr = _SHORTCUTS.get(validator)
    return None if expr is None else eval(f"lambda x: bool({expr.format(x='x')})")  # noqa: S307
