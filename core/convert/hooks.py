"""The one cattrs converter and its hooks: strict types, lenient dates, every bad field."""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .. import dates, models
from ..errors import ValueProblem, did_you_mean, show_value
from ..models import Case

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

#: The case model: their validators read only the value, so the converter runs
#: them field by field and every bad field of an object is reported at once.
MODELS = (
    models.Case,
    models.Child,
    models.Event,
    models.Score,
    models.Evaluation,
    models.Condition,
    models.Enrolment,
    models.Service,
    models.TransitionReview,  # before ServicePlan, whose unstructure hook uses its hook
    models.ServicePlan,
)


# Leaves: strict types, lenient dates ------------------------------------------


def _structure_date(value: Any, _type: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        if dates.in_range(value):
            return value
        raise ValueProblem(f"{value.isoformat()} is out of range", dates.range_text())
    if isinstance(value, str) and _ISO.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if dates.in_range(day):
                return day
            raise ValueProblem(f"{show_value(value)} is out of range", dates.range_text())
    if isinstance(value, str) and not value.strip():
        raise ValueProblem(f"{show_value(value)} is empty", "expected a date (YYYY-MM-DD)")
    raise ValueProblem(f"{show_value(value)} is not a date (YYYY-MM-DD)")


#: Characters a date's form keeps as they are (its separators); digits show as 9,
#: letters as x and anything else as ?.
_FORM_KEPT = frozenset(" -/.,:")


def _written(value: Any) -> str:
    """A personal value in a message: "the value", and for a text that is not written
    YYYY-MM-DD its form with no digit or letter of it ("2024/01/01": 9999/99/99), so
    the message says what was found without the child's birth date."""
    if not isinstance(value, str):
        return "the value"
    form = "".join(
        "9" if c.isdigit() else "x" if c.isalpha() else c if c in _FORM_KEPT else "?"
        for c in value[:20]
    ) + ("..." if len(value) > 20 else "")
    return "the value" if form == "9999-99-99" else f"the value, written {show_value(form)},"


def _structure_float(value: Any, _type: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            finite = math.isfinite(value)
        except OverflowError:
            finite = False
        if finite:
            return value
        raise ValueProblem(f"{show_value(value)} is not a finite number")
    raise ValueProblem(f"{show_value(value)} is not a number")


def _strict(kind: type, label: str):
    def hook(value: Any, _type: Any):
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        raise ValueProblem(f"{show_value(value)} is not {label}")

    return hook


converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(int, _strict(int, "a whole number"))
converter.register_structure_hook(str, _strict(str, "a string"))
converter.register_structure_hook(bool, _strict(bool, "true or false"))


# Lists: a JSON array, never a string or an object iterated by accident -------


def _is_tuple(type_: Any) -> bool:
    return typing.get_origin(type_) is tuple


def _tuple_hook(type_: Any):
    args = typing.get_args(type_)
    fixed = bool(args) and args[-1] is not Ellipsis  # tuple[int, str] rather than tuple[int, ...]
    item_hooks: dict[Any, Any] = {}  # filled on first use, as in _field_hook

    def hook(value: Any, _type: Any) -> tuple:
        if not isinstance(value, list | tuple):
            raise ValueProblem(f"{show_value(value)} is not a list")
        if fixed and len(value) != len(args):
            raise ValueProblem(
                f"{show_value(value)} has {len(value)} item{'' if len(value) == 1 else 's'}",
                f"expected {len(args)}",
            )
        items, errors = [], []
        for index, item in enumerate(value):
            item_type = args[index] if fixed else (args[0] if args else Any)
            try:
                structure_item = item_hooks.get(item_type)
                if structure_item is None:
                    structure_item = item_hooks[item_type] = _hook_for(item_type)
                items.append(structure_item(item, item_type))
            except Exception as exc:  # collected: every bad item is reported
                exc.__notes__ = [
                    *getattr(exc, "__notes__", []),
                    IterableValidationNote(f"Structuring @ index {index}", index, item_type),
                ]
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_}", errors, type_)
        return tuple(items)

    return hook


converter.register_structure_hook_factory(_is_tuple, _tuple_hook)


# Objects: a JSON object with known keys; every bad field reported --------------


def _hook_for(type_: Any) -> Any:
    """The converter's structure hook for a type, with `X | None` resolved to X's own hook.

    cattrs's hook for an optional type looks X's hook up again for every value;
    this does it once and lets None through, exactly as that hook does.
    """
    inner = converter.get_structure_hook(type_)
    if inner != converter._structure_optional:
        return inner
    other = next(a for a in typing.get_args(type_) if a is not type(None))
    structure_other = converter.get_structure_hook(other)

    def optional(value: Any, _type: Any) -> Any:
        return None if value is None else structure_other(value, other)

    return optional


def _field_hook(attribute: attrs.Attribute, run_validator: bool):
    type_ = attribute.type
    validator = attribute.validator if run_validator else None
    inner = None  # looked up on first use: the field's type may not have its hook yet

    personal = attribute.metadata.get("personal", False)
    required = attribute.default is attrs.NOTHING
    dated = date in (type_, *typing.get_args(type_))

    def hook(value: Any, _type: Any) -> Any:
        nonlocal inner
        if inner is None:
            inner = _hook_for(type_)
        try:
            result = inner(value, type_)
            if validator is not None:
                validator(None, attribute, result)
        except ValueProblem as exc:
            if required and isinstance(value, str) and not value.strip():
                # Empty (an empty CSV cell, say) where a value is required, of any type.
                raise ValueProblem("required but empty", exc.fix, field=exc.field) from None
            if not personal:
                raise
            # A child's name or birth date never appears in a message: name the field, and
            # for a date the form it is written in (`_written`).
            shown = _written(value) if dated else "the value"
            raise ValueProblem(
                exc.what.replace(show_value(value), shown), exc.fix, field=exc.field
            ) from None
        return result

    return hook


def _object_hook(cls: type):
    attrs.resolve_types(cls)
    own = cls in MODELS
    fields = [a for a in attrs.fields(cls) if a.init and not (cls is Case and a.name == "sections")]
    names = tuple(a.name for a in fields)
    known = frozenset(names)
    required = [f'"{a.name}"' for a in fields if a.default is attrs.NOTHING]
    expected = (
        f"expected an object with {' and '.join(required)}" if required else "expected an object"
    )
    overrides = {a.name: override(struct_hook=_field_hook(a, own)) for a in fields}
    if cls is Case:
        overrides["sections"] = override(omit=True)
    inner: Any = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=False,
        **overrides,  # type: ignore[arg-type]
    )

    def hook(value: Any, _type: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValueProblem(f"{show_value(value)} is not an object", expected)
        if known.issuperset(value):  # the usual case: no unknown keys
            try:
                return inner(value, _type)
            except ClassValidationError:
                raise
            except Exception as exc:  # an object-level check (e.g. Score: one kind of score)
                raise ClassValidationError(
                    f"While structuring {cls.__name__}", [exc], cls
                ) from None
        errors: list[Exception] = []
        for key in value:
            if key in known:
                continue
            shown = show_value(key)
            hint = did_you_mean(key, names) if isinstance(key, str) else None
            unknown = ValueProblem(
                f"unknown key {shown}", hint or f"expected one of: {', '.join(names)}"
            )
            unknown.__notes__ = [AttributeValidationNote(f"Unknown key {shown}", str(key), None)]
            errors.append(unknown)
        try:
            result = inner({k: v for k, v in value.items() if k in known}, _type)
        except ClassValidationError as exc:
            errors.extend(exc.exceptions)
        except Exception as exc:  # an object-level check (e.g. Score: one kind of score)
            errors.append(exc)
        if errors:
            raise ClassValidationError(f"While structuring {cls.__name__}", errors, cls)
        return result

    return hook


converter.register_structure_hook_factory(attrs.has, _object_hook)


def _omit_defaults(cls: type) -> None:
    converter.register_unstructure_hook(
        cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
    )


def _register_unstructure_hooks() -> None:
    for cls in MODELS:
        if cls is not Case:
            _omit_defaults(cls)
    converter.register_unstructure_hook(
        Case,
        make_dict_unstructure_fn(
            Case, converter, _cattrs_omit_if_default=True, sections=override(omit=True)
        ),
    )


_register_unstructure_hooks()
