"""Converter errors as problems with JSON paths (`events[2].type`); structure, unstructure."""

from __future__ import annotations

import json
import re
import types
import typing
from datetime import date
from typing import Any

import attrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)

from ..errors import InputError, Problem, ValueProblem
from .hooks import _is_tuple, converter

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _iso_day(value: Any) -> date | None:
    """A date from an ISO string (or a date), else None (the converter says what is wrong)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _join(path: str, key: Any) -> str:
    """`child.birth_date`, or `child["odd key"]` when the key is not a plain name."""
    if isinstance(key, str) and _NAME.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(str(key))}]"


def _problems_from(exc: BaseException, root: str = "") -> list[Problem]:
    """One Problem per leaf error, each with its JSON path (`events[2].type`)."""
    out: list[Problem] = []
    _walk(exc, root, out)
    return out


def _field(exc: BaseException, name: str) -> attrs.Attribute | None:
    cls = getattr(exc, "cl", None)
    if cls is not None and attrs.has(cls):
        return attrs.fields_dict(cls).get(name)
    return None


def _expected(type_: Any) -> str | None:
    """What a value of this type looks like, in the words the messages use."""
    if isinstance(type_, str):  # a field's own words, from its `expected` metadata
        return type_
    if typing.get_origin(type_) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(type_) if a is not type(None)]
        return _expected(args[0]) if len(args) == 1 else None
    if _is_tuple(type_):
        return "a list"
    if attrs.has(type_):
        return "an object"
    return {date: "a date (YYYY-MM-DD)", str: "a string", int: "a whole number"}.get(
        type_, {float: "a number", bool: "true or false"}.get(type_)
    )


def _walk(exc: BaseException, path: str, out: list[Problem], type_: Any = None) -> None:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        for sub in exc.exceptions:
            sub_path, sub_type = path, None
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path, sub_type = _join(path, note.name), note.type
                    field = _field(exc, note.name)
                    if field is not None and "expected" in field.metadata:
                        sub_type = field.metadata["expected"]
                elif isinstance(note, IterableValidationNote):
                    sub_path, sub_type = f"{path}[{note.index}]", note.type
            _walk(sub, sub_path, out, sub_type)
    elif isinstance(exc, ValueProblem):
        where = _join(path, exc.field) if exc.field else path
        out.append(Problem(where, exc.what, exc.fix))
    elif isinstance(exc, KeyError):
        expected = _expected(type_)
        out.append(
            Problem(path, "required but missing", f"expected {expected}" if expected else None)
        )
    elif isinstance(exc, ValueError | TypeError):
        out.append(Problem(path, str(exc)))
    else:  # a bug in a hook, never a traceback for a user
        out.append(Problem(path, f"cannot be read ({exc.__class__.__name__}: {exc})"))


def structure(data: Any, cls: type, *, source: str = "input") -> Any:
    """Turn plain data into a model, or raise InputError listing every problem."""
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every failure becomes problems with paths
        raise InputError(f"{source} is not valid", _problems_from(exc)) from None


def unstructure(obj: Any) -> Any:
    """Turn a model into plain, JSON-ready data."""
    return converter.unstructure(obj)
