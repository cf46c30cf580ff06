"""`eirules indicators --check`: what in the caseload would make an indicator wrong.

Each problem names the case, what is wrong and the fix. Read straight from
the caseload's indexed tables (events, children, cases), so it runs before any
figure is trusted. The event dates out of order (an IFSP meeting before its referral,
a Part B evaluation before its consent, an event between two episodes) are the
warnings of each case's stored determination, as the rules found them
(`stored_warnings`): they are not worked out a second time here.
"""

from __future__ import annotations

import json
import shlex
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from eirules.core.chunks import warnings_of
from eirules.core.errors import EirulesError

from ..vocabulary import part_b_only_types, part_c_ends
from .common import Item, Period, fix_date

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
    conn: Any, engine, cases: set[str] | None = None, period: Period | None = None
) -> list[DataProblem]:
    """Every data problem of the caseload, or of `cases` only (a supervisor's district):
    a probable duplicate is then one of two children both in it. With `period`, also
    the determinations evaluated as of a day before the day after it ends
    (`evaluated_before`) and the units its indicators leave out for lack of data
    (`not_measurable`). `engine` (its rulesets) says where Part C ends and which
    determinations it would not give (`made_otherwise`)."""
    problems = _all_problems(conn, engine, cases)
    problems.extend(made_otherwise(conn, engine))
    if period is not None:
        from .api import settings_lookup
        from .registry import compute
        from .sources import stored_facts

        problems.extend(evaluated_before(conn, period.end))
        report = compute(
            stored_facts(conn), period, settings_lookup(engine, period.end), children=True
        )
        problems.extend(not_measurable(i for r in report.indicators for i in r.unmeasured))
    if cases is None:
        return problems
    return [p for p in problems if p.case_id in cases]


def _all_problems(conn: Any, engine, cases: set[str] | None) -> list[DataProblem]:
    problems: list[DataProblem] = []
    programs = dict(conn.execute("SELECT id, programs FROM cases"))
    for (case_id,) in conn.execute(
        "SELECT id FROM cases WHERE last_determination_id IS NULL ORDER BY id"
    ):
        problems.append(
            DataProblem(case_id, "not_evaluated", "the case has no determination, so no indicator counts it "
                        "and its warnings (event dates out of order) are not known",
                        "run: eirules evaluate --all")
        )  # fmt: skip
    for (case_id,) in conn.execute(
        "SELECT id FROM cases WHERE status = 'evaluation_failed' ORDER BY id"
    ):
        problems.append(
            DataProblem(case_id, "evaluation_failed",
                        "the latest evaluation failed: indicators count an older determination, "
                        "and the warnings listed are that determination's",
                        "fix the case file (eirules check), then eirules evaluate --all")
        )  # fmt: skip
    for (case_id,) in conn.execute(
        "SELECT id FROM cases WHERE status = 'changed_since_evaluation' "
        "AND last_determination_id IS NOT NULL ORDER BY id"
    ):
        problems.append(
            DataProblem(case_id, "changed_since_evaluation",
                        "the case file changed after its latest determination: indicators count "
                        "that determination, and the warnings listed are the older file's",
                        f"run: eirules evaluate --case {case_id} (or --all)")
        )  # fmt: skip
    problems.extend(stored_warnings(conn, cases))
    births = dict(conn.execute("SELECT case_id, birth_date FROM children"))
    for case_id, events in sorted(_events(conn).items()):
        problems.extend(_case_problems(case_id, events, programs.get(case_id) or ""))
    problems.extend(_exits_missing(conn, births, engine))
    problems.extend(duplicates(conn, cases))
    return problems


def stored_warnings(conn: Any, cases: set[str] | None = None) -> list[DataProblem]:
    """The warning findings of each case's latest stored determination (the rule is the
    kind, its reason what is wrong), by case id, in the determination's order.

    Only determinations whose text names a warning are parsed (a warning is rare);
    `warnings_of` then reads them as the store does when it tells the person who
    changed the case. A case with no determination is `not_evaluated` above, one
    whose file or evaluation is newer than it says so above too.
    """
    found = []
    for case_id, number, text in conn.execute(
        "SELECT c.id, d.number, d.result FROM cases c JOIN determinations d "
        "ON d.id = c.last_determination_id WHERE d.result LIKE '%\"warning\"%' ORDER BY c.id"
    ):
        if cases is not None and case_id not in cases:
            continue
        for rule, reason in warnings_of(json.loads(text)):
            found.append(DataProblem(case_id, rule, reason,
                                     "correct the date that is wrong (the finding: eirules cases "
                                     f"show {case_id} --determination {number})"))  # fmt: skip
    return found


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
    exited = next((e for e in part_c if e[0] == "exited"), None)
    if exited is not None:
        if not exited[3]:
            found.append(DataProblem(case_id, "exit_reason_missing", f"Part C exit on {exited[1]} has no reason",
                                     'give the exited event a reason (e.g. "part_b_eligible", "moved_out_of_state")'))  # fmt: skip
    for e, exit_day in _after_the_last_exit(part_c):
        found.append(DataProblem(case_id, "event_after_exit",
                                 f"{e[0]} on {e[1]} is after the Part C exit on {exit_day} and no "
                                 "new referral follows", "correct the date, or tag the event with the "
                                 "program it belongs to; a child who comes back needs a new "
                                 "referral_received first (303.310(a))"))  # fmt: skip
    return found


def _after_the_last_exit(part_c) -> list[tuple[tuple, str]]:
    """The Part C events (with the exit's day) dated after the case's last exit when no
    referral follows it, in date order. Between an exit and a new referral (which starts
    a new episode, 303.310(a)) the rules warn themselves
    (`part_c.event_after_episode_ended`, listed by `stored_warnings`); after the last exit
    there is no next episode to compare with, so only this check says it. An untagged
    event only Part B uses (the IEP of a child who left Part C for Part B) is Part B's,
    not Part C's."""
    exits = [i for i, e in enumerate(part_c) if e[0] == "exited"]
    if not exits:
        return []
    exit_day = part_c[exits[-1]][1]
    later = [e for e in part_c[exits[-1] + 1 :] if e[1] > exit_day and e[0] != "exited"]
    if any(e[0] == "referral_received" for e in later):
        return []
    b_only = part_b_only_types()
    return [(e, exit_day) for e in later if e[0] not in b_only]


def made_otherwise(conn: Any, engine) -> list[DataProblem]:
    """Cases whose latest determination another eirules, another version of its ruleset
    or other district calendars made (`cases.evaluated_with`, core/store/currency.py):
    indicators count it, and its warnings are the ones listed, until it is evaluated
    again. A changed or failed case is said above already."""
    from eirules.core.store.currency import answering

    rows = list(
        conn.execute(
            "SELECT id, evaluated_with FROM cases WHERE last_determination_id IS NOT NULL "
            "AND status NOT IN ('evaluation_failed', 'changed_since_evaluation') ORDER BY id"
        )
    )
    current = set(answering(engine, sorted({w for _, w in rows if w is not None})))
    return [
        DataProblem(case_id, "evaluated_by_another_version",
                    f"its determination was made by {(made or 'an older eirules').split('|')[0]} "
                    "with rules or district calendars other than today's: indicators count it, "
                    "and the warnings listed are its own",
                    "run: eirules evaluate --all")
        for case_id, made in rows
        if made not in current
    ]  # fmt: skip


def evaluated_before(conn: Any, period_end: date) -> list[DataProblem]:
    """Cases whose latest determination is as of a day before the day after the period's
    end (or today while it lasts), its last day too: a report counts what was known that
    day (a clock not yet due then is not counted, one due that day and not done is not yet
    late), so it misstates the period."""
    bound = fix_date(period_end)
    what = (
        "the day after the reporting period ended" if bound > period_end else "today, in the period"
    )
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


def _exits_missing(conn: Any, births: dict[str, str], engine) -> list[DataProblem]:
    """Children past the end of Part C (`part_c_ends`, under the ruleset that made the
    determination) with no recorded exit (C8 and the exit count need one). A case whose
    ruleset is no longer installed is `evaluated_by_another_version` instead."""
    found = []
    rows = conn.execute(
        # The date the stored answer is for (sources.py: evaluate may move it, not d.as_of).
        "SELECT c.id, coalesce(c.evaluated_as_of, d.as_of), d.ruleset FROM cases c "
        "JOIN determinations d ON d.id = c.last_determination_id "
        "WHERE (',' || c.programs || ',') LIKE '%,part_c,%' AND NOT EXISTS "
        "(SELECT 1 FROM events e WHERE e.case_id = c.id AND e.type = 'exited') ORDER BY c.id"
    )
    for case_id, as_of, ruleset_id in rows:
        birth = births.get(case_id)
        if birth is None:
            continue
        try:
            ruleset = engine.rulesets.get(ruleset_id)
        except EirulesError:
            continue  # not installed: listed by made_otherwise
        day = date.fromisoformat(as_of)
        ends = part_c_ends(date.fromisoformat(birth), ruleset, day)
        if ends <= day:
            found.append(DataProblem(case_id, "exit_reason_missing",
                                     f"Part C ended at the third birthday ({ends}) but no exit is recorded",
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


def not_measurable(items: Iterable[Item]) -> list[DataProblem]:
    """The units an indicator left out of its denominator for lack of data (`Item.unmeasured`),
    one problem each with what to add: a school-day clock without the district's school
    calendar is counted once the calendar is imported."""
    found = []
    for item in items:
        if not item.unmeasured:
            continue
        what = f"{item.indicator}: {item.label or item.clock or 'the clock'}"
        what += f" ({item.subject})" if item.subject else ""
        what += f" started {item.start}" if item.start else ""
        what += f" is not counted: {item.reason or item.category}"
        district = item.units.get("district")
        if any("school calendar" in m for m in item.missing) or "school calendar" in item.category:
            fix = (
                f"import district {district}'s school calendar: eirules calendars import FILE "
                f"--district {shlex.quote(district)}, then eirules evaluate --all"
                if district
                else "record the case's district and import that district's school calendar "
                "(eirules calendars import FILE --district NAME), then eirules evaluate --all"
            )
        elif item.missing:
            fix = f"add what is missing ({'; '.join(item.missing)}), then eirules evaluate --all"
        else:
            fix = f"see the clock's reason (eirules cases show {item.case_id})"
        found.append(DataProblem(item.case_id, "not_measurable", what, fix))
    return found
