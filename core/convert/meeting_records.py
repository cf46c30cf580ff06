"""What a case file's meeting records may say as of a day (`entry_problems` adds these).

A meeting may be scheduled ahead (its date is not checked against today), but what
is recorded of it is a record of what happened: a notice sent after today, or a person
who attended a meeting not yet held, has not happened yet, and `meetings check` would
otherwise count it (34 CFR 300.322(a)-(b), 303.342(d): notice early enough, parents
taking part). Nothing happens to a child before birth: a meeting dated before the
birth is a typing mistake, as an event before it is (the case model refuses those).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..errors import Problem
from .problems import _iso_day


def meeting_problems(plans: Any, born: date | None, today: date) -> list[Problem]:
    """Problems with `plans.meetings` as of `today` (paths as in the file)."""
    meetings = plans.get("meetings") if isinstance(plans, Mapping) else None
    problems: list[Problem] = []
    for i, meeting in enumerate(meetings if isinstance(meetings, list) else ()):
        if not isinstance(meeting, Mapping):
            continue  # the converter says what is wrong with it
        where = f"plans.meetings[{i}]"
        held = _iso_day(meeting.get("date"))
        if held is not None and born is not None and held < born:
            # The birth date is personal data: not in the message.
            problems.append(
                Problem(
                    f"{where}.date",
                    f"{held.isoformat()} is before the child's birth",
                    "check the date; a meeting about a child is held after the birth",
                )
            )
        notice = meeting.get("notice")
        sent = _iso_day(notice.get("sent")) if isinstance(notice, Mapping) else None
        if sent is not None and sent > today:
            problems.append(
                Problem(
                    f"{where}.notice.sent",
                    f"{sent.isoformat()} is in the future (today is {today.isoformat()})",
                    "record a notice as sent on or after the day it is sent",
                )
            )
        if held is None or held <= today:
            continue
        people = meeting.get("participants")
        for j, person in enumerate(people if isinstance(people, list) else ()):
            if isinstance(person, Mapping) and person.get("attended") is True:
                problems.append(
                    Problem(
                        f"{where}.participants[{j}].attended",
                        f"the meeting is on {held.isoformat()}, after today "
                        f"({today.isoformat()}): no one has attended it yet",
                        "record who attended on or after the meeting day (until then, "
                        "leave attended out)",
                    )
                )
    return problems
