"""The one cattrs converter: case files (JSON) to models and back.

Lenient at the edge (a date may be an ISO string), strict inside: numbers are
not strings, strings are not numbers, and unknown keys are errors. Every
problem is reported at once with its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_unstructure_fn, override

from .decisions import Clock, Determination, Eligibility, Finding, Referral
from .errors import InputError, Problem, did_you_mean
from .models import Case

SCHEMA = "eirules/case@1"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_date(value: Any, _type: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    shown = json.dumps(value) if _jsonable(value) else repr(value)
    raise ValueError(f"{shown} is not a date (YYYY-MM-DD)")


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _strict(kind: type, label: str):
    def hook(value: Any, _type: Any):
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind is str and isinstance(value, str):
            return value
        if kind is bool and isinstance(value, bool):
            return value
        shown = json.dumps(value) if _jsonable(value) else repr(value)
        raise ValueError(f"{shown} is not {label}")

    return hook


converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(float, _strict(float, "a number"))
converter.register_structure_hook(int, _strict(int, "a whole number"))
converter.register_structure_hook(str, _strict(str, "a string"))
converter.register_structure_hook(bool, _strict(bool, "true or false"))


def _omit_defaults(cls: type) -> None:
    converter.register_unstructure_hook(
        cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
    )


def _register_model_hooks() -> None:
    from . import models

    for cls in (
        models.Child,
        models.Event,
        models.Score,
        models.Evaluation,
        models.Condition,
        models.Enrolment,
        models.Service,
        models.ServicePlan,
    ):
        _omit_defaults(cls)
    converter.register_unstructure_hook(
        Case,
        make_dict_unstructure_fn(
            Case, converter, _cattrs_omit_if_default=True, sections=override(omit=True)
        ),
    )
    converter.register_structure_hook(
        Case,
        cattrs.gen.make_dict_structure_fn(
            Case, converter, sections=override(omit=True), _cattrs_forbid_extra_keys=True
        ),
    )


_register_model_hooks()


def _format_leaf(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        parts = []
        for key in sorted(exc.extra_fields):
            hint = did_you_mean(key, known)
            parts.append(
                f'{key}\x00unknown key "{key}"'
                + (f"; {hint}" if hint else f"; expected one of: {', '.join(known)}")
            )
        return " | ".join(parts)
    if isinstance(exc, KeyError):
        return "required but missing"
    if isinstance(exc, ValueError | TypeError):
        text = str(exc)
        if text.startswith("'") and "must be in" in text:  # attrs in_() validator
            return text
        return text
    return f"{exc.__class__.__name__}: {exc}"


def _problems_from(exc: BaseException, root: str = "$") -> list[Problem]:
    problems = []
    for line in cattrs.transform_error(exc, path=root, format_exception=_format_leaf):
        message, _, path = line.rpartition(" @ ")
        path = path.removeprefix("$").lstrip(".")
        for part in message.split(" | "):
            key, sep, text = part.partition("\x00")
            if sep:
                problems.append(Problem(f"{path}.{key}" if path else key, text))
            else:
                problems.append(Problem(path, part))
    return problems


def structure(data: Any, cls: type, *, source: str = "input") -> Any:
    """Turn plain data into a model, or raise InputError listing every problem."""
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError) as exc:
        if isinstance(exc, cattrs.BaseValidationError):
            problems = _problems_from(exc)
        else:
            problems = [Problem("", str(exc))]
        raise InputError(f"{source} is not valid", problems) from None


def unstructure(obj: Any) -> Any:
    """Turn a model into plain, JSON-ready data."""
    return converter.unstructure(obj)


# Case files ------------------------------------------------------------------

CASE_KEYS = tuple(a.name for a in attrs.fields(Case) if a.name != "sections")


def case_from_dict(
    data: Any,
    *,
    source: str = "case file",
    event_types: Mapping[str, Any] | None = None,
    sections: Mapping[str, type] | None = None,
) -> Case:
    """Check and convert one case-file document; InputError lists every problem."""
    sections = dict(sections or {})
    if not isinstance(data, dict):
        raise InputError(
            f"{source} is not valid",
            [
                Problem(
                    "$",
                    f"expected a JSON object with id, child and events, not {type(data).__name__}",
                )
            ],
        )
    problems: list[Problem] = []
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        problems.append(
            Problem(
                "schema",
                f"{json.dumps(schema) if _jsonable(schema) else schema!r} is not supported",
                f'expected "{SCHEMA}"',
            )
        )
    core_data = {k: v for k, v in data.items() if k != "schema" and k not in sections}
    section_data = {k: v for k, v in data.items() if k in sections}
    known_top = (*CASE_KEYS, "schema", *sections)
    for key in list(core_data):
        if key not in CASE_KEYS:
            hint = did_you_mean(key, known_top)
            problems.append(
                Problem(
                    key, f'unknown key "{key}"', hint or f"expected one of: {', '.join(known_top)}"
                )
            )
            core_data.pop(key)
    if event_types is not None:
        problems.extend(_check_event_types(core_data.get("events"), event_types))
    case = None
    try:
        case = converter.structure(core_data, Case)
    except cattrs.BaseValidationError as exc:
        problems.extend(_problems_from(exc))
    except (ValueError, TypeError) as exc:
        problems.append(Problem("", str(exc)))
    structured_sections = {}
    for name, value in section_data.items():
        try:
            structured_sections[name] = converter.structure(value, sections[name])
        except cattrs.BaseValidationError as exc:
            problems.extend(_problems_from(exc, root=f"$.{name}"))
        except (ValueError, TypeError) as exc:
            problems.append(Problem(name, str(exc)))
    if problems:
        raise InputError(f"{source} is not valid", _dedupe(problems))
    assert case is not None
    if structured_sections:
        case = attrs.evolve(case, sections=structured_sections)
    return case


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.where, p.what)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _check_event_types(events: Any, event_types: Mapping[str, Any]) -> list[Problem]:
    problems = []
    if not isinstance(events, list):
        return problems
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        etype = event.get("type")
        if not isinstance(etype, str) or etype in event_types:
            if isinstance(etype, str):
                spec = event_types[etype]
                if getattr(spec, "needs_reason", False) and not event.get("reason"):
                    reasons = getattr(spec, "reasons", ())
                    problems.append(
                        Problem(
                            f"events[{i}].reason",
                            f'a "{etype}" event needs a reason',
                            f"expected one of: {', '.join(reasons)}" if reasons else None,
                        )
                    )
                reasons = getattr(spec, "reasons", ())
                reason = event.get("reason")
                if reasons and isinstance(reason, str) and reason not in reasons:
                    hint = did_you_mean(reason, reasons)
                    problems.append(
                        Problem(
                            f"events[{i}].reason",
                            f'"{reason}" is not a known reason for "{etype}"',
                            hint or f"expected one of: {', '.join(reasons)}",
                        )
                    )
            continue
        hint = did_you_mean(etype, event_types)
        problems.append(
            Problem(
                f"events[{i}].type",
                f'"{etype}" is not a known event type',
                hint or f"known types: {', '.join(sorted(event_types))}",
            )
        )
    return problems


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case-file document for a case (schema eirules/case@1)."""
    data = {"schema": SCHEMA, **converter.unstructure(case)}
    for name, section in case.sections.items():
        data[name] = converter.unstructure(section)
    return data


def read_json(path: str | Path) -> Any:
    """Read a JSON file, turning OS and syntax errors into InputError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", [Problem("", "check the path")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON",
            [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)],
        ) from None


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
        "findings": [converter.unstructure(f) for f in det.findings],
    }


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
        "status": clock.status,
        "excused_by": clock.excused_by,
        "reason": clock.reason,
        "citation": clock.citation,
    }


def determination_from_dict(data: dict[str, Any]) -> Determination:
    """Read back a determination stored as JSON."""
    return Determination(
        case=data["case"],
        ruleset=data["ruleset"],
        ruleset_version=data.get("ruleset_version", ""),
        as_of=date.fromisoformat(data["as_of"]),
        engine=data["engine"],
        eligibility=[converter.structure(e, Eligibility) for e in data.get("eligibility", [])],
        clocks=[converter.structure(c, Clock) for c in data.get("clocks", [])],
        referrals=[converter.structure(r, Referral) for r in data.get("referrals", [])],
        findings=[converter.structure(f, Finding) for f in data.get("findings", [])],
    )
