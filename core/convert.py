"""The one cattrs converter: case files (JSON) to models and back.

Lenient at the edge (a date may be an ISO string), strict inside: numbers are
not strings, strings are not numbers, and unknown keys are errors. Every
problem is reported at once with its JSON path.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import types
import typing
from collections.abc import Iterator, Mapping
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

from . import dates, fastload, jsontext, models
from .decisions import Clock, Determination
from .errors import InputError, PluginError, Problem, ValueProblem, did_you_mean, show_value
from .jsonio import parse_json as parse_json  # the one JSON reader, re-exported
from .jsonio import read_json as read_json
from .models import Case
from .text import an

SCHEMA = "eirules/case@1"
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
    raise ValueProblem(f"{show_value(value)} is not a date (YYYY-MM-DD)")


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

    def hook(value: Any, _type: Any) -> Any:
        nonlocal inner
        if inner is None:
            inner = _hook_for(type_)
        try:
            result = inner(value, type_)
            if validator is not None:
                validator(None, attribute, result)
        except ValueProblem as exc:
            if not personal:
                raise
            # A child's name or birth date never appears in a message: name the field only.
            raise ValueProblem(
                exc.what.replace(show_value(value), "the value"), exc.fix, field=exc.field
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


# Errors to problems ------------------------------------------------------------


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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


# Case files ------------------------------------------------------------------


class Sections(Mapping[str, type]):
    """Case-file sections by name, each class imported the first time it is needed.

    A plugin may name its section's class by an import string ("package.module:Class")
    instead of importing it, so a command that reads no such section never pays for
    the module (start-up time, benchmarks/startup.py).
    """

    PATTERN = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")

    def __init__(self, entries: Mapping[str, type | str]):
        self._entries = dict(entries)

    @classmethod
    def is_reference(cls, value: Any) -> bool:
        return isinstance(value, str) and cls.PATTERN.fullmatch(value) is not None

    def __getitem__(self, name: str) -> type:
        value = self._entries[name]
        if isinstance(value, str):
            module, _, qualname = value.partition(":")
            try:
                found: Any = importlib.import_module(module)
                for part in qualname.split("."):
                    found = getattr(found, part)
            except (ImportError, AttributeError) as exc:
                found = exc
            if not attrs.has(found):
                raise PluginError(
                    f'case-file section "{name}": {value} is not an attrs class'
                    + (
                        f" ({found.__class__.__name__}: {found})"
                        if isinstance(found, Exception)
                        else ""
                    ),
                    [
                        Problem(
                            "register_case_sections",
                            "fix or uninstall the plugin that registers it",
                        )
                    ],
                )
            value = self._entries[name] = found
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


CASE_KEYS = tuple(a.name for a in attrs.fields(Case) if a.name != "sections")
CHILD_KEYS = frozenset(a.name for a in attrs.fields(models.Child))
#: The fast loader's structuring function for the core of a case file (no sections).
FAST_CASE = fastload.for_model(Case, omit=frozenset({"sections"}))


def case_from_dict(
    data: Any,
    *,
    source: str = "case file",
    event_types: Mapping[str, Any] | None = None,
    sections: Mapping[str, type] | None = None,
    today: date | None = None,
    programs: frozenset[str] | None = None,
) -> Case:
    """Check and convert one case-file document; InputError lists every problem.

    With `today`, also the checks every way into a caseload applies (`entry_problems`).
    `programs` are the programs `event_types` name (`event_programs`): a caller
    loading many cases with the same event types passes them, made once.
    """
    sections = sections if sections is not None else {}
    if not isinstance(data, Mapping):
        raise InputError(
            f"{source} is not valid",
            [
                Problem(
                    "$",
                    f"{show_value(data)} is not an object",
                    'expected {"schema": "eirules/case@1", "id": ..., "child": ..., "events": [...]}',
                )
            ],
        )
    problems: list[Problem] = []
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        problems.append(
            Problem("schema", f"{show_value(schema)} is not supported", f'expected "{SCHEMA}"')
        )
    known_top = (*CASE_KEYS, "schema", *sections)
    core_data, section_data = {}, {}
    for key, value in data.items():
        if key in CASE_KEYS:
            core_data[key] = value
        elif key in sections:
            section_data[key] = value
        elif key != "schema":
            shown = show_value(key)
            hint = did_you_mean(key, known_top) if isinstance(key, str) else None
            if hint is None and key in CHILD_KEYS:
                hint = f'it belongs inside "child": {{"{key}": ...}}'

            problems.append(
                Problem(
                    _join("", key),
                    f"unknown key {shown}",
                    hint or f"expected one of: {', '.join(known_top)}",
                )
            )
    if event_types is not None:
        problems.extend(_check_event_types(core_data.get("events"), event_types))
    # The fast path for a valid document; the detailed converter (every problem with
    # its path) only when the fast path refuses it.
    case = fastload.attempt(FAST_CASE, core_data)
    if case is None:
        try:
            case = converter.structure(core_data, Case)
        except Exception as exc:  # noqa: BLE001 - every failure becomes problems with paths
            problems.extend(_problems_from(exc))
    structured_sections: dict[str, Any] = {}
    for name, value in section_data.items():
        cls = sections[name]  # a plugin's class that cannot be imported is its PluginError
        try:
            structured_sections[name] = converter.structure(value, cls)
        except Exception as exc:  # noqa: BLE001
            problems.extend(_problems_from(exc, root=name))
    if today is not None:  # also when the model refused the case: every problem at once
        if programs is None:
            programs = event_programs(event_types)
        problems.extend(entry_problems(core_data, case, today, programs))
    if problems:
        raise InputError(f"{source} is not valid", _dedupe(problems))
    assert case is not None
    if structured_sections:
        case = attrs.evolve(case, sections=structured_sections)
    return case


def event_programs(event_types: Mapping[str, Any] | None) -> frozenset[str]:
    """The programs any of these event types names: the known enrolment programs."""
    return frozenset(
        p for spec in (event_types or {}).values() for p in getattr(spec, "programs", ())
    )


def entry_problems(
    data: Mapping[str, Any],
    case: Case,
    today: date,
    programs: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    """What `cases add-event` refuses, for a whole case file: the same rules on every way in.

    An event dated after `today`, an exact copy of an earlier event (the model
    itself refuses one before the child's birth), and (when `programs` is known) an
    enrolment in an unknown program.
    `data` is the structured document's raw form, so paths match the file.
    """
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    events = data.get("events")
    for i, event in enumerate(events if isinstance(events, list) else ()):
        day = _iso_day(event.get("date") if isinstance(event, Mapping) else None)
        if day is not None and day > today:  # None: the converter has said what is wrong
            problems.append(
                Problem(
                    f"events[{i}].date",
                    f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                    "record events on or after the day they happen",
                )
            )
        key = canonical_text(event)
        if key in seen:
            problems.append(
                Problem(
                    f"events[{i}]",
                    f"an exact copy of events[{seen[key]}]",
                    "remove the copy (a second event on the same day differs in some field)",
                )
            )
        else:
            seen[key] = i
    enrolments = data.get("enrolments")
    if programs and isinstance(enrolments, list):
        for i, enrolment in enumerate(enrolments):
            program = enrolment.get("program") if isinstance(enrolment, Mapping) else None
            if isinstance(enrolment, Mapping) and program not in programs:
                problems.append(
                    Problem(
                        f"enrolments[{i}].program",
                        f"{show_value(program)} is not a known program",
                        did_you_mean(program, sorted(programs))
                        or f"expected one of: {', '.join(sorted(programs))}",
                    )
                )
    return problems


def _iso_day(value: Any) -> date | None:
    """A date from an ISO string (or a date), else None."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def canonical_text(value: Any) -> str:
    """Sorted keys, no spaces: equal data gives equal text."""
    return jsontext.canonical(value)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.where, p.what)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


#: Per vocabulary (by identity): each event type's programs, reasons and whether a
#: reason is required, as sets, for the check of valid files (`_events_fit`).
_rules_of: list[tuple[Any, dict[str, tuple[frozenset, frozenset, bool]]]] = []


def _event_rules(event_types: Mapping[str, Any]) -> dict[str, tuple[frozenset, frozenset, bool]]:
    for known, rules in _rules_of:
        if known is event_types:
            return rules
    rules = {
        name: (
            frozenset(getattr(spec, "programs", ())),
            frozenset(getattr(spec, "reasons", ())),
            bool(getattr(spec, "needs_reason", False)),
        )
        for name, spec in event_types.items()
    }
    _rules_of[:] = [(event_types, rules)]  # one engine's vocabulary at a time
    return rules


def _events_fit(events: list, event_types: Mapping[str, Any]) -> bool:
    """True when `_check_event_types` would find nothing (the common case, checked quickly)."""
    rules = _event_rules(event_types)
    for event in events:
        if type(event) is not dict:
            return False
        etype = event.get("type")
        found = rules.get(etype) if type(etype) is str else None
        if found is None:
            return False
        programs, reasons, needs_reason = found
        program = event.get("program")
        if (
            programs
            and program is not None
            and (type(program) is not str or program not in programs)
        ):
            return False
        reason = event.get("reason")
        if reason is None or reason == "":
            if needs_reason:
                return False
        elif reasons and (type(reason) is not str or reason not in reasons):
            return False
    return True


def _check_event_types(events: Any, event_types: Mapping[str, Any]) -> list[Problem]:
    """Event types and reasons against the vocabulary plugins registered."""
    problems: list[Problem] = []
    if type(events) is list and _events_fit(events, event_types):
        return problems
    if not isinstance(events, list):
        return problems  # the converter reports what is wrong with the list itself
    for i, event in enumerate(events):
        if not isinstance(event, Mapping):
            continue
        etype = event.get("type")
        if not isinstance(etype, str) or not etype.strip():
            continue  # the model reports a missing, empty or non-string type
        spec = event_types.get(etype)
        if spec is None:
            hint = did_you_mean(etype, event_types)
            problems.append(
                Problem(
                    f"events[{i}].type",
                    f"{show_value(etype)} is not a known event type",
                    hint or f"expected one of: {', '.join(sorted(event_types))}",
                )
            )
            continue
        programs = tuple(getattr(spec, "programs", ()))
        program = event.get("program")
        if programs and isinstance(program, str) and program not in programs:
            hint = did_you_mean(program, programs)
            problems.append(
                Problem(
                    f"events[{i}].program",
                    f'{show_value(program)} is not a program of {an(etype)} "{etype}" event',
                    hint or f"expected one of: {', '.join(programs)}",
                )
            )
        reasons = tuple(getattr(spec, "reasons", ()))
        reason = event.get("reason")
        if getattr(spec, "needs_reason", False) and reason in (None, ""):
            problems.append(
                Problem(
                    f"events[{i}].reason",
                    f'required for {an(etype)} "{etype}" event but missing',
                    f"expected one of: {', '.join(reasons)}" if reasons else None,
                )
            )
        elif reasons and isinstance(reason, str) and reason not in reasons:
            hint = did_you_mean(reason, reasons)
            problems.append(
                Problem(
                    f"events[{i}].reason",
                    f'{show_value(reason)} is not a known reason for "{etype}"',
                    hint or f"expected one of: {', '.join(reasons)}",
                )
            )
    return problems


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case-file document for a case (schema eirules/case@1)."""
    data = {"schema": SCHEMA, **converter.unstructure(case)}
    for name, section in case.sections.items():
        data[name] = converter.unstructure(section)
    return data


# Determinations ----------------------------------------------------------------


def determination_to_dict(det: Determination) -> dict[str, Any]:
    """The stable JSON shape of a determination (docs/determination.md)."""
    return {
        "case": det.case,
        "ruleset": det.ruleset,
        "ruleset_version": det.ruleset_version,
        "as_of": det.as_of.isoformat(),
        "engine": det.engine,
        "eligibility": [converter.unstructure(e) for e in det.eligibility],
        "clocks": [_clock_dict(c) for c in det.clocks],
        "referrals": [converter.unstructure(r) for r in det.referrals],
        "findings": [_finding_dict(f) for f in det.findings],
        "episodes": [converter.unstructure(e) for e in det.episodes],
        "history": [_clock_dict(c) for c in det.history],
    }


def determination_json(det: Determination) -> tuple[dict[str, Any], str]:
    """A determination's dict and its JSON text exactly as it is stored (no spaces, UTF-8).

    `determination_to_dict` has a fixed key order, so the keys are not sorted.
    """
    result = determination_to_dict(det)
    return result, jsontext.compact(result)


_JSON_SCALARS = (str, int, float, bool, type(None))


def _json_problem(value: Any, path: str) -> str | None:
    """The path of the first value JSON cannot hold (a set, a date, an object), or None."""
    if isinstance(value, _JSON_SCALARS):
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if (found := _json_problem(item, f"{path}[{i}]")) is not None:
                return found
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} (key {show_value(key, 30)} is not text)"
            if (found := _json_problem(item, f"{path}.{key}")) is not None:
                return found
        return None
    return f"{path} (a {type(value).__name__})"


def _finding_dict(finding: Any) -> dict[str, Any]:
    """A finding as JSON; a plugin's value JSON cannot hold is refused here, naming the finding."""
    for part in ("inputs", "parameters"):
        where = _json_problem(getattr(finding, part), part)
        if where is not None:
            raise PluginError(
                f'finding "{finding.rule}"'
                + (f" ({finding.program})" if finding.program else "")
                + f" holds a value JSON cannot store at {where}",
                [
                    Problem(
                        "",
                        "the plugin that returned it must give text, numbers, true/false, "
                        "null, lists and objects only (a date as YYYY-MM-DD text)",
                        "fix or uninstall the plugin; `eirules plugins` lists them",
                    )
                ],
            )
    return converter.unstructure(finding)


def _clock_dict(clock: Clock) -> dict[str, Any]:
    return {
        "id": clock.id,
        "program": clock.program,
        "label": clock.label,
        "subject": clock.subject,
        "start": clock.start.isoformat() if clock.start else None,
        "opens": clock.opens.isoformat() if clock.opens else None,
        "due": clock.due.isoformat() if clock.due else None,
        "met_on": clock.met_on.isoformat() if clock.met_on else None,
        "closed_on": clock.closed_on.isoformat() if clock.closed_on else None,
        "status": clock.status,
        "excused_by": clock.excused_by,
        "reason": clock.reason,
        "citation": clock.citation,
        "missing": list(clock.missing),
        "episode": clock.episode,
    }


def determination_from_dict(data: Any) -> Determination:
    """Read back a determination stored as JSON; InputError when it is not one."""
    if not isinstance(data, Mapping):
        raise InputError(
            "determination is not valid", [Problem("$", f"{show_value(data)} is not an object")]
        )
    data = {"ruleset_version": "", **data}
    for key in ("eligibility", "clocks", "referrals", "findings", "episodes", "history"):
        data.setdefault(key, [])
    return structure(data, Determination, source="determination")
