"""Determinations as their stable JSON shape (docs/determination.md) and read back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import jsontext
from ..decisions import Clock, Determination, Eligibility, Episode, Finding
from ..errors import InputError, PluginError, Problem, show_value
from .hooks import converter
from .problems import structure


def determination_to_dict(det: Determination) -> dict[str, Any]:
    """The stable JSON shape of a determination (docs/determination.md)."""
    return {
        "case": det.case,
        "ruleset": det.ruleset,
        "ruleset_version": det.ruleset_version,
        "as_of": det.as_of.isoformat(),
        "engine": det.engine,
        "eligibility": [_eligibility_dict(e) for e in det.eligibility],
        "clocks": [_clock_dict(c) for c in det.clocks],
        "referrals": [converter.unstructure(r) for r in det.referrals],
        "findings": [_finding_dict(f) for f in det.findings],
        "episodes": [_episode_dict(e) for e in det.episodes],
        "history": [_clock_dict(c) for c in det.history],
    }


def determination_json(det: Determination) -> tuple[dict[str, Any], str]:
    """A determination's dict and its JSON text exactly as it is stored (no spaces, UTF-8).

    `determination_to_dict` has a fixed key order, so the keys are not sorted.
    """
    result = determination_to_dict(det)
    return result, jsontext.compact(result)


_JSON_SCALARS = (str, int, float, bool, type(None))
#: The exact types of nearly every value a finding holds: one set lookup each, so the
#: walk below recurses (and names a path) only for lists, objects and what is wrong.
_SCALAR_TYPES = frozenset(_JSON_SCALARS)


def _json_problem(value: Any, path: str) -> str | None:
    """The path of the first value JSON cannot hold (a set, a date, an object), or None."""
    found = _bad_part(value)
    return None if found is None else path + "".join(reversed(found))


def _bad_part(value: Any) -> list[str] | None:
    """None when JSON can hold `value`; else what is wrong, then the steps to it from the
    innermost out ("[2]", ".key"): built only on the way out of a refusal."""
    if type(value) in _SCALAR_TYPES or isinstance(value, _JSON_SCALARS):
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if type(item) not in _SCALAR_TYPES and (found := _bad_part(item)) is not None:
                found.append(f"[{i}]")
                return found
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return [f" (key {show_value(key, 30)} is not text)"]
            if type(item) not in _SCALAR_TYPES and (found := _bad_part(item)) is not None:
                found.append(f".{key}")
                return found
        return None
    return [f" (a {type(value).__name__})"]


class _NotPlain(Exception):
    """A value `_plain_copy` leaves to the converter (and to the check before it)."""


def _plain_copy(value: Any) -> Any:
    """The converter's copy of a value made only of dicts with text keys, lists, tuples and
    JSON scalars of exactly those types (what rules give): dicts and lists copied, tuples
    as lists, scalars as they are. `_NotPlain` for anything else (a str subclass, another
    mapping, a value JSON cannot hold): the caller checks and unstructures it as before."""
    kind = type(value)
    if kind is dict:
        copy = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            copy[key] = item if type(item) in _SCALAR_TYPES else _plain_copy(item)
        return copy
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALAR_TYPES else _plain_copy(item) for item in value]
    if kind in _SCALAR_TYPES:
        return value
    raise _NotPlain


def _plain_finding(finding: Finding) -> dict[str, Any] | None:
    """The finding written out when its inputs and parameters are plain (`_plain_copy`),
    else None (the caller checks and unstructures it)."""
    try:
        inputs = _plain_copy(finding.inputs)
        parameters = _plain_copy(finding.parameters)
    except _NotPlain:
        return None
    return {
        "rule": finding.rule,
        "outcome": finding.outcome,
        "reason": finding.reason,
        "citation": finding.citation,
        "program": finding.program,
        "inputs": inputs,
        "parameters": parameters,
    }


def _finding_dict(finding: Any) -> dict[str, Any]:
    """A finding as JSON; a plugin's value JSON cannot hold is refused here, naming the finding.

    Written out, as the converter gives it (tests/test_determination_dict.py), when its
    inputs and parameters are plain (`_plain_copy`, checked and copied in one walk);
    otherwise checked, then unstructured by the converter."""
    if type(finding) is Finding and (plain := _plain_finding(finding)) is not None:
        return plain
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


# Written out, as the converter would give them (tests/test_determination_dict.py holds
# each to converter.unstructure, fields in attrs order): a few microseconds a case less.


def _eligibility_dict(e: Eligibility) -> dict[str, Any]:
    return {
        "program": e.program,
        "outcome": e.outcome,
        "basis": list(e.basis),
        "citation": e.citation,
        "missing": list(e.missing),
        "reason": e.reason,
    }


def _episode_dict(e: Episode) -> dict[str, Any]:
    return {
        "id": e.id,
        "program": e.program,
        "number": e.number,
        "start": e.start.isoformat() if e.start else None,
        "started_by": e.started_by,
        "end": e.end.isoformat() if e.end else None,
        "ended_by": e.ended_by,
        "current": e.current,
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
