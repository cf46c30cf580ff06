"""`eirules indicators --check`: what in the caseload would make an indicator wrong.

Each problem names the case, what is wrong and the fix. Read straight from
the caseload's indexed tables (events, children, cases), so it runs before any
figure is trusted.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import attrs

from ..vocabulary import PART_B_EVENT_TYPES, SHARED_TYPES

#: Two children born the same day whose given names and family names are each at least this
#: alike (rapidfuzz ratio, 0-100; either name order) are a probable duplicate. A data-entry
#: heuristic, not a rule: "Ayla Brightwold" matches "Ayla Brightwald" and "Brightwold Ayla",
#: while "Eskel Lanternby" (a sibling's given name) does not match "Kael Lanternby".
DUPLICATE_SIMILARITY = 80


def name_similarity(first: str, second: str) -> float:
    """How alike two names are: the weaker of given-name and family-name similarity."""
    from rapidfuzz import fuzz

    a, b = first.casefold().split(), second.casefold().split()
    if not a or not b:
        return 0.0
    straight = min(fuzz.ratio(a[0], b[0]), fuzz.ratio(a[-1], b[-1]))
    swapped = min(fuzz.ratio(a[0], b[-1]), fuzz.ratio(a[-1], b[0]))
    return max(straight, swapped)


@attrs.frozen
class DataProblem:
    case_id: str
    kind: str
    what: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return attrs.asdict(self)


def _events(conn: Any):
    """(type, date, program, reason, outcome) of each case's events, by date."""
    by_case: dict[str, list[tuple[str, str, str | None, str | None, str | None]]] = defaultdict(
        list
    )
    for case_id, type_, day, program, reason, outcome in conn.execute(
        "SELECT case_id, type, date, program, reason, outcome FROM events "
        "ORDER BY case_id, date, position"
    ):
        by_case[case_id].append((type_, day, program, reason, outcome))
    return by_case


def check_caseload(
    conn: Any, cases: set[str] | None = None, period_end: date | None = None
) -> list[DataProblem]:
    """Every data problem of the caseload, or of `cases` only (a supervisor's district):
    a probable duplicate is then one of two children both in it. With `period_end`, also
    the determinations evaluated as of a day before it (`evaluated_before`)."""
    problems = _all_problems(conn, cases)
    if period_end is not None:
        problems.extend(evaluated_before(conn, period_end))
    if cases is None:
        return problems
    return [p for p in problems if p.case_id in cases]


def _all_problems(conn: Any, cases: set[str] | None) -> list[DataProblem]:
    problems: list[DataProblem] = []
    programs = dict(conn.execute("SELECT id, programs FROM cases"))
    for (case_id,) in conn.execute(
        "SELECT id FROM cases WHERE last_determination_id IS NULL ORDER BY id"
    ):
        problems.append(
            DataProblem(case_id, "not_evaluated", "the case has no determination, so no indicator counts it",
                        "run: eirules evaluate --all")
        )  # fmt: skip
    for (case_id,) in conn.execute(
        "SELECT id FROM cases WHERE status = 'evaluation_failed' ORDER BY id"
    ):
        problems.append(
            DataProblem(case_id, "evaluation_failed",
                        "the latest evaluation failed: indicators count an older determination",
                        "fix the case file (eirules check), then eirules evaluate --all")
        )  # fmt: skip
    births = dict(conn.execute("SELECT case_id, birth_date FROM children"))
    b_starts: dict[str, list[str]] = defaultdict(list)
    for case_id, start in conn.execute(
        "SELECT case_id, start FROM enrolments WHERE program = 'part_b' AND start IS NOT NULL"
    ):
        b_starts[case_id].append(start)
    for case_id, events in sorted(_events(conn).items()):
        problems.extend(_case_problems(case_id, events, programs.get(case_id) or ""))
        b_events = _part_b_events(
            events, programs.get(case_id) or "", births.get(case_id), b_starts.get(case_id, [])
        )
        problems.extend(_part_b_order(case_id, b_events))
    problems.extend(_exits_missing(conn, births))
    problems.extend(duplicates(conn, cases))
    return problems


def _case_problems(case_id: str, events, programs: str) -> list[DataProblem]:
    found = []
    part_c = [e for e in events if e[2] in (None, "part_c")]
    types = {e[0] for e in part_c}
    referral = next((e for e in part_c if e[0] == "referral_received"), None)
    if (
        "part_c" in programs.split(",")
        and referral is None
        and (types & {"ifsp_meeting_held", "consent_for_evaluation", "evaluation_completed"})
    ):
        found.append(DataProblem(case_id, "missing_date", "Part C case with no referral_received date: "
                                 "C7 cannot count its 45-day timeline",
                                 "add the referral_received event with the day the referral arrived"))  # fmt: skip
    if (types & {"ifsp_review_held", "ifsp_annual_meeting_held", "consent_for_services"}) and (
        "ifsp_meeting_held" not in types
    ):
        found.append(DataProblem(case_id, "missing_date", "IFSP reviews or services but no initial "
                                 "IFSP meeting date", "add the ifsp_meeting_held event"))  # fmt: skip
    if referral is not None:
        for e in part_c:
            if e[0] == "ifsp_meeting_held" and e[1] < referral[1]:
                found.append(DataProblem(case_id, "meeting_before_referral",
                                         f"initial IFSP meeting {e[1]} is before the referral {referral[1]}",
                                         "correct one of the two dates"))  # fmt: skip
    exited = next((e for e in part_c if e[0] == "exited"), None)
    if exited is not None:
        if not exited[3]:
            found.append(DataProblem(case_id, "exit_reason_missing", f"Part C exit on {exited[1]} has no reason",
                                     'give the exited event a reason (e.g. "part_b_eligible", "moved_out_of_state")'))  # fmt: skip
    for e, exit_day in _after_an_exit(part_c):
        found.append(DataProblem(case_id, "event_after_exit",
                                 f"{e[0]} on {e[1]} is after the Part C exit on {exit_day} and before "
                                 "any new referral", "correct the date, or tag the event with the "
                                 "program it belongs to; a child who comes back needs a new "
                                 "referral_received first (303.310(a))"))  # fmt: skip
    return found


def _after_an_exit(part_c) -> list[tuple[tuple, str]]:
    """The Part C events (with their exit's day) dated after an exit and before the next
    referral: a new referral starts a new episode (303.310(a) counts 45 days from it),
    so it and what follows it are in order. An untagged event only Part B uses (the IEP
    of a child who left Part C for Part B) is Part B's, not Part C's. In date order."""
    found = []
    exit_day = None
    for e in part_c:
        if exit_day is not None and e[1] > exit_day:
            if e[0] == "referral_received":
                exit_day = None
                continue
            if e[0] != "exited" and e[0] not in _PART_B_ONLY:  # Part B's own: its program
                found.append((e, exit_day))
        if e[0] == "exited":
            exit_day = e[1]
    return found


#: Event types only Part B uses: an untagged one is Part B's (plugins/vocabulary.py).
_PART_B_ONLY = frozenset(PART_B_EVENT_TYPES.keys() - SHARED_TYPES)


def _part_b_events(events, programs: str, birth: str | None, b_starts: list[str]) -> list:
    """A case's Part B events as the Part B rules see them (plugins/vocabulary.py): tagged
    part_b, untagged of a type only Part B uses, and untagged shared ones (consent,
    evaluation, eligibility) in a case in Part B, from the day Part B began (its earliest
    enrolment, tagged or Part B-only event, else the third birthday) when it is in Part C
    too."""
    listed = programs.split(",")
    if "part_b" not in listed:
        return [e for e in events if e[2] == "part_b"]
    split = ""
    if "part_c" in listed:
        begins = [*b_starts]
        begins += [
            e[1] for e in events if e[2] == "part_b" or (e[2] is None and e[0] in _PART_B_ONLY)
        ]
        if birth is not None:
            begins.append(f"{int(birth[:4]) + 3}{birth[4:]}")
        split = min(begins, default="")
    return [
        e
        for e in events
        if e[2] == "part_b"
        or (e[2] is None and (e[0] in _PART_B_ONLY or (e[0] in SHARED_TYPES and e[1] >= split)))
    ]


def _part_b_order(case_id: str, events) -> list[DataProblem]:
    """The two initial Part B steps dated before the event they answer (the warnings of
    plugins/part_b/event_order.py): the first of each event in the case is compared."""
    found = []

    def first(type_: str, outcome: str | None = None):
        return next(
            (e for e in events if e[0] == type_ and (outcome is None or e[4] == outcome)), None
        )

    consent, evaluation = first("consent_for_evaluation"), first("evaluation_completed")
    if consent is not None and evaluation is not None and evaluation[1] < consent[1]:
        found.append(DataProblem(case_id, "evaluation_before_consent",
                                 f"Part B evaluation completed {evaluation[1]} is before the consent "
                                 f"for evaluation {consent[1]}: consent comes first (34 CFR "
                                 "300.300(a)(1)(i)) and B11 counts the 60 days from it "
                                 "(300.301(c)(1)), so it does not count this evaluation",
                                 "correct one of the two dates"))  # fmt: skip
    eligible, meeting = first("eligibility_determined", "eligible"), first("iep_meeting_held")
    if eligible is not None and meeting is not None and meeting[1] < eligible[1]:
        found.append(DataProblem(case_id, "iep_meeting_before_eligibility",
                                 f"IEP meeting {meeting[1]} is before the eligibility determination "
                                 f"{eligible[1]}: the 30 days to the meeting that develops the IEP "
                                 "count from the determination (34 CFR 300.323(c)(1)), which does "
                                 "not count a meeting before it",
                                 "correct one of the two dates"))  # fmt: skip
    return found


def fix_date(period_end: date, today: date | None = None) -> date:
    """The as-of date that brings a report's determinations up to its period: its end, or
    today while the period lasts."""
    return min(period_end, today or date.today())


def evaluated_before(conn: Any, period_end: date) -> list[DataProblem]:
    """Cases whose latest determination is as of a day before the period's end (or today
    while it lasts): a report counts what was known that day (a clock not yet due then is
    not counted, one not yet late then is not late), so it misstates the period."""
    bound = fix_date(period_end)
    what = "the end of the reporting period" if bound == period_end else "today, in the period"
    rows = conn.execute(
        # The date the stored answer is for (sources.py), as the report reads it.
        "SELECT c.id, coalesce(c.evaluated_as_of, d.as_of) FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id ORDER BY c.id"
    )
    return [
        DataProblem(case_id, "evaluated_before_period_end",
                    f"evaluated as of {as_of}, before {bound} ({what}): indicators count "
                    "what was known then, not what happened after",
                    f"run: eirules evaluate --all --as-of {bound.isoformat()}")
        for case_id, as_of in rows
        if as_of < bound.isoformat()
    ]  # fmt: skip


def _exits_missing(conn: Any, births: dict[str, str]) -> list[DataProblem]:
    """Children past the end of Part C with no recorded exit (C8 and the exit count need one)."""
    found = []
    rows = conn.execute(
        # The date the stored answer is for (sources.py: evaluate may move it, not d.as_of).
        "SELECT c.id, coalesce(c.evaluated_as_of, d.as_of) FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id "
        "WHERE (',' || c.programs || ',') LIKE '%,part_c,%' AND NOT EXISTS "
        "(SELECT 1 FROM events e WHERE e.case_id = c.id AND e.type = 'exited') ORDER BY c.id"
    )
    for case_id, as_of in rows:
        birth = births.get(case_id)
        if birth is None:
            continue
        third = f"{int(birth[:4]) + 3}{birth[4:]}"
        if third <= as_of:
            found.append(DataProblem(case_id, "exit_reason_missing",
                                     f"Part C ended at the third birthday ({third}) but no exit is recorded",
                                     "add an exited event with the date and the reason for leaving Part C"))  # fmt: skip
    return found


def duplicates(conn: Any, cases: set[str] | None = None) -> list[DataProblem]:
    """Probable duplicate children: the same birth date and nearly the same name (both
    among `cases` when given, so no name from outside them is shown)."""
    by_birth: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_id, name, birth in conn.execute(
        "SELECT case_id, name, birth_date FROM children WHERE name IS NOT NULL ORDER BY case_id"
    ):
        if cases is None or case_id in cases:
            by_birth[birth].append((case_id, name))
    found = []
    for birth, people in sorted(by_birth.items()):
        for i, (first_id, first) in enumerate(people):
            for second_id, second in people[i + 1 :]:
                score = name_similarity(first, second)
                if score >= DUPLICATE_SIMILARITY:
                    found.append(DataProblem(first_id, "probable_duplicate",
                                             f'"{first}" and {second_id} "{second}", both born {birth} '
                                             f"(names {score:.0f}% alike)",
                                             f"if they are one child, merge the records and remove {second_id}"))  # fmt: skip
    return found
