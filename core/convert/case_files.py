"""Case-file documents (schema eirules/case@1) to cases and back, with the entry checks."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from datetime import date
from operator import attrgetter
from typing import Any

import attrs

from .. import fastload, jsontext, models
from ..errors import InputError, PluginError, Problem, did_you_mean, show_value
from ..models import Case
from ..text import an
from .enrolled import enrolment_problems
from .hooks import converter
from .meeting_records import meeting_problems
from .problems import _iso_day, _join, _problems_from

SCHEMA = "eirules/case@1"


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
_CASE_KEY_SET = frozenset(CASE_KEYS)
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
    problems: list[Problem] = []
    if type(data) is dict and _CASE_KEY_SET.issuperset(data):
        core_data, section_data = data, None  # the common document: only the case's own keys
    elif isinstance(data, Mapping):
        section_data = {}
        core_data = _split(data, sections or {}, section_data, problems)
    else:
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
    # The fast path for a valid document; the detailed converter (every problem with
    # its path) only when the fast path refuses it.
    case = fastload.attempt(FAST_CASE, core_data)
    if event_types is not None:
        # Event types against the vocabulary (before the converter's problems): from the
        # events built when the fast path took the document (a tuple of events is not
        # checked, as `_check_event_types` does not), else from the document.
        events = core_data.get("events")
        if case is None or (
            type(events) is list and not _built_events_fit(case.events, event_types)
        ):
            problems.extend(_check_event_types(events, event_types))
    if case is None:
        try:
            case = converter.structure(core_data, Case)
        except Exception as exc:  # noqa: BLE001 - every failure becomes problems with paths
            problems.extend(_problems_from(exc))
    structured_sections: dict[str, Any] | None = None
    if section_data:  # only from _split, so `sections` names each
        structured_sections = {}
        for name, value in section_data.items():
            cls = sections[name]  # type: ignore[index]  # not importable: its PluginError
            try:
                structured_sections[name] = converter.structure(value, cls)
            except Exception as exc:  # noqa: BLE001
                problems.extend(_problems_from(exc, root=name))
    if today is not None:  # also when the model refused the case: every problem at once
        if programs is None:
            programs = event_programs(event_types)
        problems.extend(entry_problems(data, case, today, programs, event_types))  # sections too
    if problems:
        raise InputError(f"{source} is not valid", _dedupe(problems))
    assert case is not None
    if structured_sections:
        case = attrs.evolve(case, sections=structured_sections)
    return case


def _split(
    data: Mapping[Any, Any],
    sections: Mapping[str, type],
    section_data: dict[str, Any],
    problems: list[Problem],
) -> dict[Any, Any]:
    """The case's own keys of a document; its sections go to `section_data`, a wrong
    schema and unknown keys to `problems`."""
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        problems.append(
            Problem("schema", f"{show_value(schema)} is not supported", f'expected "{SCHEMA}"')
        )
    core_data = {}
    for key, value in data.items():
        if key in _CASE_KEY_SET:
            core_data[key] = value
        elif key in sections:
            section_data[key] = value
        elif key != "schema":
            known_top = (*CASE_KEYS, "schema", *sections)
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
    return core_data


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
    event_types: Mapping[str, Any] | None = None,
) -> list[Problem]:
    """What `cases add-event` refuses, for a whole case file: the same rules on every way in.

    A birth date, an event, an evaluation, a diagnosis or a meeting notice dated after
    `today` (nothing recorded has happened yet), who attended a meeting not yet held, a
    meeting before the birth (`meeting_problems`), an exact copy of an earlier event (the model itself
    refuses an event or an evaluation before the child's birth), and (when `programs`
    is known) an enrolment in an unknown program, and (when `event_types` is known) an
    event in a program the case has no enrolment in (`enrolment_problems`).
    `data` is the structured document's raw form, so paths match the file.
    """
    problems: list[Problem] = []
    child = data.get("child")
    born = _iso_day(child.get("birth_date")) if isinstance(child, Mapping) else None
    if born is not None and born > today:  # the date is personal data: not in the message
        problems.append(
            Problem(
                "child.birth_date",
                f"the date of birth is in the future (today is {today.isoformat()})",
                "check the year; a child is recorded once born",
            )
        )
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
    # Evaluations, diagnoses and the contact log are records of what has happened, as
    # events are (a meeting may be scheduled ahead: plans.meetings is not here).
    plans = data.get("plans")
    for key, field, what, items in (
        ("evaluations", "date", "an evaluation", data.get("evaluations")),
        ("conditions", "diagnosed", "a diagnosis", data.get("conditions")),
        (
            "plans.contacts",
            "date",
            "a contact",
            plans.get("contacts") if isinstance(plans, Mapping) else None,
        ),
    ):
        for i, item in enumerate(items if isinstance(items, list) else ()):
            day = _iso_day(item.get(field) if isinstance(item, Mapping) else None)
            if day is not None and day > today:
                problems.append(
                    Problem(
                        f"{key}[{i}].{field}",
                        f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                        f"record {what} on or after the day it is made",
                    )
                )
    problems.extend(meeting_problems(plans, born, today))  # a notice sent, who attended
    # A goal's progress points and notes are measurements taken (as `plans import`
    # refuses them too): plans.goals[i].points[j].date, .notes[j].date.
    goals = plans.get("goals") if isinstance(plans, Mapping) else None
    for i, goal in enumerate(goals if isinstance(goals, list) else ()):
        for key, what in (("points", "a measurement"), ("notes", "a progress note")):
            items = goal.get(key) if isinstance(goal, Mapping) else None
            for j, item in enumerate(items if isinstance(items, list) else ()):
                day = _iso_day(item.get("date") if isinstance(item, Mapping) else None)
                if day is not None and day > today:
                    problems.append(
                        Problem(
                            f"plans.goals[{i}].{key}[{j}].date",
                            f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                            f"record {what} on or after the day it is made",
                        )
                    )
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
    if event_types:
        problems.extend(enrolment_problems(data, event_types))
        problems.extend(_until_problems(events, event_types))
    return problems


def _until_problems(events: Any, event_types: Mapping[str, Any]) -> list[Problem]:
    """An `until` on an event type that is one day (`EventType.takes_until` false): in a
    case file as `cases add-event --until` refuses it (it would be kept, and ignored)."""
    takes = sorted(name for name, spec in event_types.items() if getattr(spec, "takes_until", 0))
    problems = []
    for i, event in enumerate(events if isinstance(events, list) else ()):
        if not isinstance(event, Mapping) or event.get("until") is None:
            continue
        etype = event.get("type")
        spec = event_types.get(etype) if isinstance(etype, str) else None
        if spec is not None and not getattr(spec, "takes_until", False):
            problems.append(
                Problem(
                    f"events[{i}].until",
                    f'{an(etype)} "{etype}" event takes no `until` (it is one day)',
                    f"leave out until; only these types cover a period: {', '.join(takes)}",
                )
            )
    return problems


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
#: reason is required, as sets, for the check of valid files (`_events_fit`), and the
#: (type, program, reason) combinations found to fit it (`_built_events_fit`).
_rules_of: list[tuple[Any, dict[str, tuple[frozenset, frozenset, bool]], set[tuple]]] = []
#: At most this many combinations remembered per vocabulary.
_FITTING_MAX = 4096
_type_program_reason = attrgetter("type", "program", "reason")


def _event_rules(
    event_types: Mapping[str, Any],
) -> tuple[dict[str, tuple[frozenset, frozenset, bool]], set[tuple]]:
    for known, rules, fitting in _rules_of:
        if known is event_types:
            return rules, fitting
    rules = {
        name: (
            frozenset(getattr(spec, "programs", ())),
            frozenset(getattr(spec, "reasons", ())),
            bool(getattr(spec, "needs_reason", False)),
        )
        for name, spec in event_types.items()
    }
    fitting: set[tuple] = set()
    _rules_of[:] = [(event_types, rules, fitting)]  # one engine's vocabulary at a time
    return rules, fitting


def _fits(rules: dict[str, tuple[frozenset, frozenset, bool]], etype, program, reason) -> bool:
    """Whether `_check_event_types` finds nothing wrong with an event of this type,
    program and reason (its other fields do not matter to it)."""
    found = rules.get(etype) if type(etype) is str else None
    if found is None:
        return False
    programs, reasons, needs_reason = found
    if program is not None and programs and (type(program) is not str or program not in programs):
        return False
    if reason is None or reason == "":
        return not needs_reason
    return not reasons or (type(reason) is str and reason in reasons)


def _events_fit(events: list, event_types: Mapping[str, Any]) -> bool:
    """True when `_check_event_types` would find nothing (the common case, checked quickly)."""
    rules, _ = _event_rules(event_types)
    for event in events:
        if type(event) is not dict:
            return False
        get = event.get
        if not _fits(rules, get("type"), get("program"), get("reason")):
            return False
    return True


def _built_events_fit(events: tuple[models.Event, ...], event_types: Mapping[str, Any]) -> bool:
    """`_events_fit` of a document's list of events, from the events the fast path built
    of it (the same type, program and reason each: it keeps exact str and None). The
    combinations found to fit are remembered, so a common case is one set test."""
    rules, fitting = _event_rules(event_types)
    if fitting.issuperset(map(_type_program_reason, events)):
        return True
    for triple in map(_type_program_reason, events):
        if triple not in fitting:
            if not _fits(rules, *triple):
                return False
            if len(fitting) < _FITTING_MAX:
                fitting.add(triple)
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
