"""Events in a program the case is not in: one check for case files and `cases add-event`.

A case file with enrolments says which programs the child is in (docs/clocks.md,
section 3). An event tagged with another program, or an untagged event of a type
that belongs only to other programs (an `ifsp_meeting_held` on a case enrolled
in Part B only), would otherwise be stored and change no clock of the case's own
programs: the work looks recorded and the owed clock stays owed. A case without
enrolments is not checked: its events decide its programs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Problem, did_you_mean
from ..text import an

#: Programs an enrolment admits events of besides its own: a student in school-wide
#: tiered intervention (MTSS) may be referred for a Part B initial evaluation, the
#: documented path (docs/clocks.md, section 3: an `mtss` file tags that consent
#: `part_b`; 34 CFR 300.301(b), 300.309(b) draw on the intervention's data).
ADMITS = {"mtss": ("part_b",)}


def enrolment_problems(data: Mapping[str, Any], event_types: Mapping[str, Any]) -> list[Problem]:
    """An event whose `program`, or whose type's only programs, is none of the case's
    enrolment programs. `data` is the document's raw form, so paths match the file."""
    enrolments = data.get("enrolments")
    events = data.get("events")
    if type(enrolments) is not list or not enrolments or type(events) is not list:
        return []
    enrolled: list[str] = []
    for enrolment in enrolments:
        program = enrolment.get("program") if isinstance(enrolment, Mapping) else None
        if not isinstance(program, str) or not program.strip():
            return []  # the model says what is wrong with the enrolment
        if program not in enrolled:
            enrolled.append(program)
    shown = ", ".join(enrolled)
    enrolled += [p for e in list(enrolled) for p in ADMITS.get(e, ()) if p not in enrolled]
    problems: list[Problem] = []
    for i, event in enumerate(events):
        if not isinstance(event, Mapping):
            continue
        etype, program = event.get("type"), event.get("program")
        spec = event_types.get(etype) if isinstance(etype, str) else None
        if spec is None:
            continue  # an unknown type: the vocabulary check says so
        own = tuple(getattr(spec, "programs", ()))
        if isinstance(program, str) and program.strip():
            if (own and program not in own) or program in enrolled:
                continue  # not a program of the type: the vocabulary check says so
            problems.append(
                Problem(
                    f"events[{i}].program",
                    f'"{program}" is not one of the case\'s programs (its enrolments: {shown})',
                    _or_enrol(
                        'tag the event with one of them ("program" in a case file, '
                        "--program in cases add-event)",
                        program,
                    ),
                )
            )
        elif program is None and own and not set(own) & set(enrolled):
            fitting = [
                name
                for name, other in event_types.items()
                if set(getattr(other, "programs", ())) & set(enrolled)
            ]
            hint = did_you_mean(str(etype), fitting)
            problems.append(
                Problem(
                    f"events[{i}].type",
                    f'{an(etype)} "{etype}" event is {" or ".join(own)}\'s, not one of the '
                    f"case's programs (its enrolments: {shown})",
                    _or_enrol(hint, own[0]),
                )
            )
    return problems


def _or_enrol(first: str | None, program: str) -> str:
    enrol = f'add {{"program": "{program}"}} to the case file\'s enrolments'
    if first is None:
        return f"if the child is in {program} too, {enrol}; else check the event type"
    return f"{first} (or, if the child is in {program} too, {enrol})"
