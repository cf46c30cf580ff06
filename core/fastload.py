"""The fast structuring path for valid case files (issue 15).

For each attrs model, one small function built once from its fields: exact JSON
types only (a `str` is a str, a date is a `YYYY-MM-DD` string in the core date
bound, a number is a finite int or float), known keys only, then the model's own
constructor (so every attrs validator and `__attrs_post_init__` check still runs).

It never reports anything: on the first thing it does not expect it raises
`Refused`, and the caller runs the detailed converter (`convert.py`), which
reports every problem with its JSON path, exactly as before. So the fast path
may only ever *accept* what the detailed path accepts, and build the same
object; tests/test_fastload.py checks both on valid and mutated documents.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from . import dates

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Refused(Exception):
    """The fast path does not take this document: run the detailed converter."""


def _str(value: Any) -> str:
    if type(value) is str:
        return value
    raise Refused


def _int(value: Any) -> int:
    if type(value) is int:
        return value
    raise Refused


def _bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise Refused


def _float(value: Any) -> float:
    # As the detailed path: ints stay ints, only finite numbers pass.
    if (type(value) is float or type(value) is int) and math.isfinite(value):
        return value
    raise Refused


def _date(value: Any) -> date:
    if type(value) is str and len(value) == 10 and _ISO.fullmatch(value):
        day = date.fromisoformat(value)  # ValueError on 2026-02-30: the caller falls back
        if dates.in_range(day):
            return day
    raise Refused


_LEAVES: dict[Any, Callable[[Any], Any]] = {
    str: _str,
    int: _int,
    bool: _bool,
    float: _float,
    date: _date,
}


def _optional(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def leaf(value: Any) -> Any:
        return None if value is None else inner(value)

    return leaf


def _tuple_of(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def leaf(value: Any) -> tuple:
        if type(value) is list or type(value) is tuple:
            return tuple([inner(item) for item in value])
        raise Refused

    return leaf


_built: dict[type, Callable[[Any], Any]] = {}


def _for_type(type_: Any) -> Callable[[Any], Any] | None:
    """The fast function for one field type, or None when the fast path has none."""
    leaf = _LEAVES.get(type_)
    if leaf is not None:
        return leaf
    origin = typing.get_origin(type_)
    args = typing.get_args(type_)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1 and len(args) == 2:
            inner = _for_type(others[0])
            return None if inner is None else _optional(inner)
        return None
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner = _for_type(args[0])
        return None if inner is None else _tuple_of(inner)
    if isinstance(type_, type) and attrs.has(type_):
        return for_model(type_)
    return None


def for_model(cls: type, *, omit: frozenset[str] = frozenset()) -> Callable[[Any], Any] | None:
    """The fast structuring function of an attrs model (built once), or None."""
    found = _built.get(cls)
    if found is not None:
        return found
    attrs.resolve_types(cls)
    fields = {}
    required = []
    for a in attrs.fields(cls):
        if a.name in omit:
            continue
        if not a.init or a.alias != a.name:
            return None
        leaf = _for_type(a.type)
        if leaf is None:
            return None
        fields[a.name] = leaf
        if a.default is attrs.NOTHING:
            required.append(a.name)
    known = frozenset(fields)
    need = tuple(required)

    def structure(value: Any) -> Any:
        if type(value) is not dict or not known.issuperset(value):
            raise Refused
        for name in need:
            if name not in value:
                raise Refused
        return cls(**{k: fields[k](v) for k, v in value.items()})

    _built[cls] = structure
    return structure


def attempt(structure: Callable[[Any], Any] | None, value: Any) -> Any:
    """The structured object, or None when the fast path refuses (any exception)."""
    if structure is None:
        return None
    try:
        return structure(value)
    except Exception:  # noqa: BLE001 - the detailed path reports it, with its path
        return None
