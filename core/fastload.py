"""The fast structuring path for valid case files (issue 15).

For each attrs model, one small function built once from its fields: exact JSON
types only (a `str` is a str, a date is a `YYYY-MM-DD` string in the core date
bound, a number is a finite int or float), known keys only, then the model's own
constructor (so every attrs validator and `__attrs_post_init__` check still runs).

It never reports anything: on the first thing it does not expect it raises
(`Refused`, or the KeyError of a missing required key, the ValueError of a date
that does not exist), `attempt` answers None, and the caller runs the detailed
converter (`core/convert/`), which reports every problem with its JSON path,
exactly as before. So the fast path
may only ever *accept* what the detailed path accepts, and build the same
object; tests/test_fastload.py checks both on valid and mutated documents.
"""

from __future__ import annotations

import keyword
import math
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from . import dates
from . import fastload_claims as claims

_fromisoformat = date.fromisoformat
_EARLIEST, _LATEST = dates.EARLIEST, dates.LATEST


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
    # As the detailed path's `[0-9]{4}-[0-9]{2}-[0-9]{2}` then fromisoformat, without the
    # regex: on 10 characters fromisoformat reads only ASCII digits, YYYY-MM-DD and the
    # week date YYYY-Www-D, and the dashes at 4 and 7 rule the week date out.
    if type(value) is str and len(value) == 10:
        try:
            day = _fromisoformat(value)
        except ValueError:  # 2026-02-30: the detailed path says what is wrong
            raise Refused from None
        if value[4] == "-" and value[7] == "-" and _EARLIEST <= day <= _LATEST:
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

    leaf.inner = inner  # type: ignore[attr-defined]  # generated code calls it directly
    return leaf


def _tuple_of(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def leaf(value: Any) -> tuple:
        if type(value) is list or type(value) is tuple:
            return tuple(map(inner, value))
        raise Refused

    leaf.makes_tuple = True  # type: ignore[attr-defined]
    leaf.each = inner  # type: ignore[attr-defined]  # generated code loops over it itself
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


#: Models the fast path may build field by field (`fieldwise`): their own constructor
#: would run the converters, every validator and `__attrs_post_init__`; building them
#: field by field runs the same converters, the validators a leaf does not already
#: guarantee, and `__attrs_post_init__`, in attrs' order.
_FIELDWISE: set[type] = set()


def fieldwise(*classes: type) -> None:
    """Let the fast path build these attrs classes field by field (no pre-init, no hash cache)."""
    for cls in classes:
        init = getattr(cls.__init__, "__code__", None)
        if (
            not attrs.has(cls)
            or hasattr(cls, "__attrs_pre_init__")
            or init is None
            or "_attrs_cached_hash" in (*init.co_consts, *init.co_names)
            or settable_twin(cls) is None
        ):
            raise TypeError(f"{cls.__name__} cannot be built field by field")
        _FIELDWISE.add(cls)


_twins: dict[type, type] = {}


def settable_twin(cls: type) -> type | None:
    """A subclass of `cls` that adds nothing but plain attribute setting (a frozen
    class refuses it), or None when an object made as one cannot become a `cls`.

    The generated code makes the object as the twin, sets its fields with plain
    attribute stores (the interpreter writes a slot directly; the same member
    descriptors `object.__setattr__` would use), then makes it a `cls`
    (`obj.__class__ = cls`: same layout, so CPython allows it) before any validator
    or `__attrs_post_init__` sees it. What comes out is a `cls` like any other.
    """
    found = _twins.get(cls)
    if found is None:
        found = type(cls)(
            f"_{cls.__name__}Building",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,  # both, so the type's setattr slot
                "__delattr__": object.__delattr__,  # is the generic one
                "__module__": __name__,
            },
        )
        probe = object.__new__(found)
        try:
            probe.__class__ = cls
        except TypeError:
            return None
        _twins[cls] = found
    return found


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

    if cls in _FIELDWISE:
        structure = _fieldwise(cls, fields, known)
    _built[cls] = structure
    return structure


def _fieldwise(cls: type, leaves: dict[str, Callable[[Any], Any]], known: frozenset[str]):
    """`structure` for a model built field by field (see `fieldwise`), as generated code.

    One function per model, like attrs' own `__init__` and cattrs' generated hooks:
    per field, the given value through its leaf (a missing required one refuses),
    or the default; then the converter; then the validators no leaf implies, in
    field order, and `__attrs_post_init__`.
    """
    names: dict[str, Any] = {
        "Refused": Refused,
        "cls": cls,
        "new": object.__new__,
        "twin": settable_twin(cls),
        "put": object.__setattr__,
        "nothing": attrs.NOTHING,
        "known": known,
        "fromisoformat": _fromisoformat,
        "isfinite": math.isfinite,
        "EARLIEST": _EARLIEST,
        "LATEST": _LATEST,
    }
    fields = attrs.fields(cls)
    required = [a for a in fields if a.default is attrs.NOTHING and a.name in leaves]
    optional = [a for a in fields if a.default is not attrs.NOTHING and a.name in leaves]
    lines = [
        "def structure(value):",
        "    if type(value) is not dict:",
        "        raise Refused",
        "    obj = new(twin)",
    ]
    if optional:
        # Only the required keys given (an event with a type and a date): every optional
        # field takes its default without a look-up. A required key missing still refuses,
        # so with as many keys as required fields there is no room for an unknown key.
        lines.append(f"    if len(value) == {len(required)}:")
        lines.extend("    " + line for line in _body(cls, leaves, names, only_required=True))
    lines.append("    if not known.issuperset(value):\n        raise Refused")
    body = _body(cls, leaves, names, only_required=False)
    if any("get(" in line for line in body):
        lines.append("    get = value.get")
    lines.extend(body)
    source = "\n".join(lines)
    exec(compile(source, f"<fastload {cls.__qualname__}>", "exec"), names)  # noqa: S102 - code generated from the model's fields
    return names["structure"]


def _body(cls: type, leaves: dict[str, Any], names: dict[str, Any], *, only_required: bool):
    """The generated lines that build and return `obj` from `value` (see `_fieldwise`);
    with `only_required`, for a `value` that holds no optional field."""
    lines, checks = [], []
    fixed: dict[int, Any] = {}  # fields surely None here: absent, default None
    for i, a in enumerate(attrs.fields(cls)):
        leaf = leaves.get(a.name)
        default, converter = a.default, a.converter
        names[f"leaf{i}"], names[f"conv{i}"], names[f"default{i}"] = leaf, converter, default
        x = f"x{i}"
        if isinstance(default, attrs.Factory) and default.takes_self:  # type: ignore[arg-type,union-attr]
            raise TypeError(f"{cls.__name__}.{a.name}: a default that takes self")
        inner = getattr(leaf, "inner", None)
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            names[f"default{i}"] = default.factory  # type: ignore[union-attr]
            fallback = f"default{i}()"
        else:
            fallback = f"default{i}"
        if default is None or (type(default) is tuple and not default):
            fallback = repr(default)  # None or (): a constant, no look-up
        absent = leaf is None or (only_required and default is not attrs.NOTHING)
        each = getattr(leaf, "each", None)
        if converter in claims._TUPLE_SAME and _gives_tuple(leaf, default):
            converter = None  # as_tuple of a tuple: the same tuple
        factory = getattr(default, "factory", None)
        if factory in (dict, list) and converter is factory:
            fallback, converter = ("{}" if factory is dict else "[]"), None  # a new empty one
        constant = fallback in ("None", "()") and converter is None
        if absent and constant:  # stored as it is (x{i} only for a validator, below)
            if default is None:
                fixed[i] = None
        elif absent:  # omitted (never a known key) or not given: always the default
            lines.append(f"    {x} = {fallback}")
        elif each is not None and default is not attrs.NOTHING:  # a tuple, looped here
            names[f"each{i}"] = each
            # `in`, then the item: cheaper than a get call when (as mostly) absent.
            lines.append(f"    if {a.name!r} in value:\n        {x} = value[{a.name!r}]")
            lines.append(f"        if type({x}) is list or type({x}) is tuple:")
            lines.append(f"            items = []\n            for item in {x}:")
            lines.append(f"                items.append(each{i}(item))")
            lines.append(f"            {x} = tuple(items)")
            lines.append("        else:\n            raise Refused")
            lines.append(f"    else:\n        {x} = {fallback}")
        elif default is None and inner is not None:  # optional, default None
            names[f"inner{i}"] = inner
            lines.append(f"    if {a.name!r} in value:\n        {x} = value[{a.name!r}]")
            lines.append(f"        if {x} is not None:")
            lines.append(_inline(inner, x, "            ") or f"            {x} = inner{i}({x})")
            lines.append(f"    else:\n        {x} = None")
        elif default is attrs.NOTHING:
            # A missing required key: KeyError, which refuses as Refused does (`attempt`).
            lines.append(f"    {x} = value[{a.name!r}]")
            lines.append(_inline(leaf, x, "    ") or f"    {x} = leaf{i}({x})")
        else:
            lines.append(f"    {x} = get({a.name!r}, nothing)")
            lines.append(f"    {x} = {fallback} if {x} is nothing else leaf{i}({x})")
        if converter in claims._ORDERING and _gives_tuple(leaf, default):
            if not absent:  # the default () needs no order
                lines.append(f"    if len({x}) > 1:\n        {x} = conv{i}({x})")
        elif converter is not None:
            lines.append(f"    {x} = conv{i}({x})")
        stored = fallback if absent and constant else x
        if a.name.isidentifier() and not keyword.iskeyword(a.name):
            lines.append(f"    obj.{a.name} = {stored}")  # on the twin: a plain slot store
        else:
            lines.append(f"    put(obj, {a.name!r}, {stored})")
        if a.validator is not None and not _implied(a.validator, a.type):
            names[f"attr{i}"], names[f"check{i}"] = a, a.validator
            if not absent or not (
                (default is None and a.validator in claims._NONE_PASSES)
                or (default == () and a.validator in claims._EMPTY_PASSES)
            ):
                passed = (
                    claims._PASSED.setdefault((cls, a.name), set())
                    if a.name in claims._REMEMBERED.get(cls, ())
                    else None
                )
                check = _check(i, a.validator, leaf, default, converter, names, passed)
                if check:
                    checks.append(check)
                    if stored != x:
                        lines.append(f"    {x} = {stored}")
    # As attrs' own __init__: every field set, then the validators in field order, then
    # __attrs_post_init__. Validators run even when attrs' are disabled: the fast path
    # then refuses more, and the detailed path builds what it accepts. The object is a
    # `cls` before they see it (`settable_twin`).
    lines.append("    obj.__class__ = cls")
    lines.extend(checks)
    if getattr(cls, "__attrs_post_init__", None) is not None:
        tests = []  # when it can do something (`post_init_passes_none`)
        for i, a in enumerate(attrs.fields(cls)):
            if a.name in claims._POST_INIT_NONE.get(cls, ()):
                if fixed.get(i, False) is None:
                    tests = None  # absent here, so None: it passes
                    break
                tests.append(f"x{i} is not None")
        if tests is not None and tests:
            lines.append(f"    if {' and '.join(tests)}:\n        obj.__attrs_post_init__()")
        elif tests is not None:
            lines.append("    obj.__attrs_post_init__()")
    lines.append("    return obj")
    return "\n".join(lines).split("\n")


def _inline(leaf: Any, x: str, indent: str) -> str | None:
    """A str, int, bool, float or date leaf as generated lines on `x` (the same tests as
    `_str`, `_int`, `_bool`, `_float` and `_date`)."""
    if leaf is _str or leaf is _int or leaf is _bool:
        kind = {_str: "str", _int: "int", _bool: "bool"}[leaf]
        return f"{indent}if type({x}) is not {kind}:\n{indent}    raise Refused"
    if leaf is _float:  # as _float: an int or a float, finite (OverflowError: refused)
        return (
            f"{indent}if type({x}) is not float and type({x}) is not int or not isfinite({x}):"
            f"\n{indent}    raise Refused"
        )
    if leaf is _date:
        return "\n".join(
            f"{indent}{line}"
            for line in (
                f"if type({x}) is not str or len({x}) != 10:",
                "    raise Refused",
                f"day = fromisoformat({x})  # ValueError: refused, as by _date",
                f"if {x}[4] != '-' or {x}[7] != '-' or not EARLIEST <= day <= LATEST:",
                "    raise Refused",
                f"{x} = day",
            )
        )
    return None


def _gives_tuple(leaf: Any, default: Any) -> bool:
    """True when a field's value before its converter is always a tuple."""
    return getattr(leaf, "makes_tuple", False) and type(default) is tuple


def _check(
    i: int,
    validator: Any,
    leaf: Any,
    default: Any,
    converter: Any,
    names: dict[str, Any],
    passed: set[str] | None = None,
) -> str:
    """The generated line that runs field i's validator (on x{i}) where it could refuse,
    or "" when it never could; with `passed` (`remembered`), not on text it has passed."""
    x, call = f"x{i}", f"check{i}(obj, attr{i}, x{i})"
    expr = claims._SHORTCUTS.get(validator)
    is_text = converter is None and (
        (leaf is _str and default is attrs.NOTHING)
        or (getattr(leaf, "inner", None) is _str and default is None)
    )
    skip = []  # conditions under which the validator surely passes
    if validator in claims._NONE_PASSES:
        skip.append(f"{x} is None")
    if validator in claims._EMPTY_PASSES and converter is None and _gives_tuple(leaf, default):
        skip.append(f"not {x}")  # an empty tuple
    if expr is not None and is_text:
        test = expr.format(x=x)
        if default is None and validator not in claims._NONE_PASSES:
            test = f"{x} is not None and {test}"  # None goes to the validator
        skip.append(f"({test})")
    number = claims._NUMBER_SHORTCUTS.get(validator)
    core = leaf if default is attrs.NOTHING else getattr(leaf, "inner", None)
    # A _float leaf gives finite numbers only; an _int leaf any int (a whole validator's).
    if (
        number is not None
        and converter is None
        and (core is _float or (core is _int and number[1]))
    ):
        if default is attrs.NOTHING or validator in claims._NONE_PASSES:
            if number[0] == "True":
                return ""  # every number the leaf gives passes
            skip.append(f"({number[0].format(x=x)})")
    given = claims._CHOICES.get(validator)
    if given is not None and is_text:
        names[f"choices{i}"] = given
        skip.append(f"{x} in choices{i}")
    if not skip:
        return f"    {call}"
    if (
        passed is not None
        and is_text
        and (default is attrs.NOTHING or validator in claims._NONE_PASSES)
    ):
        names[f"passed{i}"] = passed
        known = [f"{x} is None"] if default is None else []
        rest = [part for part in skip if part not in known]
        return "\n".join(
            (
                f"    if not ({' or '.join([*known, f'{x} in passed{i}'])}):",
                f"        if not ({' or '.join(rest)}):\n            {call}",
                f"        if len(passed{i}) < {claims._PASSED_MAX} and len({x}) <= {claims._PASSED_LONGEST}:",
                f"            passed{i}.add({x})",
            )
        )
    return f"    if not ({' or '.join(skip)}):\n        {call}"


def _implied(validator: Any, field_type: Any) -> bool:
    """True when the fast path's leaves already guarantee what the validator checks."""
    if validator in claims._TYPE_ONLY:
        return True
    # instance_of(Model) on a field of that model's type: its leaf built one.
    return (
        type(validator).__name__ == "_InstanceOfValidator"
        and isinstance(field_type, type)
        and attrs.has(field_type)
        and issubclass(field_type, validator.type)
    )


def attempt(structure: Callable[[Any], Any] | None, value: Any) -> Any:
    """The structured object, or None when the fast path refuses (any exception)."""
    if structure is None:
        return None
    try:
        return structure(value)
    except Exception:  # noqa: BLE001 - the detailed path reports it, with its path
        return None
