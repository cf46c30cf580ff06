"""Rules for IFSP and IEP meetings: who must take part, the notice, time, place and language.

Each check returns a `Check`: a rule id, an outcome (`met`, `not_met`, `review`
when the regulation leaves a judgement to the team and the data cannot settle it,
or `needs_information`), a reason naming the people and dates, the parameters it
used and the regulation's paragraph. The roles are the regulations' own lists:
34 CFR 300.321(a) for an IEP Team, 303.343(a) and (b) for IFSP meetings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from eirules.core.dates import add_years
from eirules.core.errors import RulesetError
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset

from .i18n import t
from .models import NOTICE_ITEMS, Contact, Meeting, Participant, worded

#: IEP Team members a meeting needs (300.321(a)(2)-(5)) and the paragraph of each.
IEP_MEMBERS = (
    ("regular_education_teacher", "34 CFR 300.321(a)(2)"),
    ("special_education_teacher", "34 CFR 300.321(a)(3)"),
    ("agency_representative", "34 CFR 300.321(a)(4)"),
    ("evaluation_interpreter", "34 CFR 300.321(a)(5)"),
)
#: IFSP meeting participants (303.343(a)(1)(iv)-(v)); reviews need (i)-(iv) only (303.343(b)).
IFSP_MEMBERS = (
    ("service_coordinator", "34 CFR 303.343(a)(1)(iv)"),
    ("evaluator", "34 CFR 303.343(a)(1)(v)"),
)
NOTICE_PARAM = "plans.meeting_notice.{plan}_minimum_days"


@attrs.frozen(kw_only=True)
class Check:
    rule: str
    outcome: str
    reason: str
    citation: str
    meeting: str
    parameters: dict[str, Any] = attrs.field(factory=dict, hash=False)


def _who(people: list[Participant]) -> str:
    return ", ".join(f"{p.name} ({p.role.replace('_', ' ')})" for p in people)


def _filling(meeting: Meeting, role: str) -> list[Participant]:
    return [p for p in meeting.participants if p.role == role or role in p.also]


def _parent_attempts(meeting: Meeting, contacts: tuple[Contact, ...]) -> list[Contact]:
    return [c for c in contacts if c.meeting == meeting.id and c.date <= meeting.date]


def participants(case: Case, meeting: Meeting, contacts, ruleset: Ruleset) -> list[Check]:
    """Required participants: 300.321(a) and (e) for an IEP; 303.343(a), (b) for an IFSP."""
    checks = [_parent_check(meeting, contacts)]
    if meeting.plan == "iep":
        for role, cite in IEP_MEMBERS:
            if role == "regular_education_teacher" and not meeting.in_regular_education:
                continue
            checks.append(_iep_member(meeting, role, cite))
        checks.extend(_child_invited(case, meeting, ruleset))
    else:
        members = IFSP_MEMBERS if meeting.kind != "ifsp_review" else IFSP_MEMBERS[:1]
        for role, cite in members:
            checks.append(_ifsp_member(meeting, role, cite))
    return checks


def _parent_check(meeting: Meeting, contacts) -> Check:
    rule = "plans.meeting.parent_participation"
    parents = _filling(meeting, "parent")
    came = [p for p in parents if p.attended]
    if meeting.plan == "iep":
        cite = "34 CFR 300.321(a)(1); 300.322(a), (d)"
    else:
        cite = "34 CFR 303.343(a)(1)(i); 303.342(d)"
    if came:
        return Check(
            rule=rule,
            outcome="met",
            reason=f"Parent present: {_who(came)}.",
            citation=cite,
            meeting=meeting.id,
        )
    attempts = _parent_attempts(meeting, contacts)
    if meeting.plan == "iep" and attempts:
        listed = "; ".join(f"{c.method} on {c.date.isoformat()}" for c in attempts)
        return Check(
            rule=rule,
            outcome="met",
            citation=cite,
            meeting=meeting.id,
            reason=f"No parent attended; the contact log records the agency's attempts to "
            f"arrange the meeting ({listed}), as 300.322(d) requires before a meeting "
            "is held without a parent.",
        )
    why = (
        "No parent attended and the contact log records no attempt to arrange a time with "
        "the parents for this meeting (contacts with `meeting` set to its id); "
        + (
            "300.322(d) allows a meeting without a parent only after documented attempts."
            if meeting.plan == "iep"
            else "an IFSP meeting includes the parent (303.343(a)(1)(i))."
        )
    )
    return Check(rule=rule, outcome="not_met", reason=why, citation=cite, meeting=meeting.id)


def _iep_member(meeting: Meeting, role: str, cite: str) -> Check:
    rule = f"plans.meeting.iep_team.{role}"
    label = role.replace("_", " ")
    people = _filling(meeting, role)
    if any(p.attended for p in people):
        return Check(
            rule=rule,
            outcome="met",
            citation=cite,
            meeting=meeting.id,
            reason=f"The {label} attended: {_who([p for p in people if p.attended])}.",
        )
    if not people:
        return Check(
            rule=rule,
            outcome="not_met",
            citation=cite,
            meeting=meeting.id,
            reason=f"No {label} was on the IEP Team for this meeting.",
        )
    excused = [p for p in people if p.excusal is not None]
    if not excused:
        return Check(
            rule=rule,
            outcome="not_met",
            citation=f"{cite}; 34 CFR 300.321(e)",
            meeting=meeting.id,
            reason=f"The {label} ({_who(people)}) did not attend and was not excused.",
        )
    return _excusal(meeting, excused[0], rule, cite)


def _excusal(meeting: Meeting, person: Participant, rule: str, cite: str) -> Check:
    """300.321(e): written agreement (not discussed) or written consent and prior written input."""
    ex = person.excusal
    assert ex is not None
    missing = []
    if ex.parent_agreed_in_writing is None or ex.parent_agreed_in_writing > meeting.date:
        missing.append("the parent's written agreement before the meeting")
    if ex.agency_agreed is None or ex.agency_agreed > meeting.date:
        missing.append("the agency's agreement")
    para = "34 CFR 300.321(e)(2)" if ex.area_discussed else "34 CFR 300.321(e)(1)"
    if ex.area_discussed and (ex.written_input is None or ex.written_input > meeting.date):
        missing.append("the member's written input to the parent and the team before the meeting")
    who = _who([person])
    if missing:
        return Check(
            rule=rule,
            outcome="not_met",
            citation=f"{cite}; {para}",
            meeting=meeting.id,
            reason=f"{who} was excused without " + " and ".join(missing) + ".",
        )
    return Check(
        rule=rule,
        outcome="met",
        citation=f"{cite}; {para}",
        meeting=meeting.id,
        reason=f"{who} was excused with the written agreement of the parent and the agency"
        + (" and gave written input beforehand." if ex.area_discussed else "."),
    )


def _ifsp_member(meeting: Meeting, role: str, cite: str) -> Check:
    rule = f"plans.meeting.ifsp_participants.{role}"
    label = role.replace("_", " ")
    people = _filling(meeting, role)
    came = [p for p in people if p.attended]
    if came:
        return Check(
            rule=rule,
            outcome="met",
            citation=cite,
            meeting=meeting.id,
            reason=f"The {label} took part: {_who(came)}.",
        )
    other = [p for p in people if p.other_means]
    if role == "evaluator" and other:
        p = other[0]
        return Check(
            rule=rule,
            outcome="met",
            citation=f"{cite}; 34 CFR 303.343(a)(2)",
            meeting=meeting.id,
            reason=f"{_who([p])} could not attend and took part by other means ({p.other_means}).",
        )
    return Check(
        rule=rule,
        outcome="not_met",
        citation=cite,
        meeting=meeting.id,
        reason=f"No {label} took part in this IFSP meeting"
        + (" in person or by other means (303.343(a)(2))." if role == "evaluator" else "."),
    )


def _child_invited(case: Case, meeting: Meeting, ruleset: Ruleset) -> list[Check]:
    """300.321(b)(1): the student is invited when postsecondary goals are considered."""
    try:
        param = ruleset.param("part_b.transition_services_age", meeting.date)
    except RulesetError:
        return []
    if not isinstance(param.value, int) or isinstance(param.value, bool):
        return []
    if meeting.date < add_years(case.child.birth_date, param.value):
        return []
    rule = "plans.meeting.iep_team.student_invited"
    cite = f"34 CFR 300.321(b)(1); {param.citation}"
    invited = _filling(meeting, "child")
    outcome = "met" if invited else "not_met"
    reason = (
        "The student was invited (the meeting considers postsecondary goals and transition services)."
        if invited
        else f"The student is {param.value} or older on {meeting.date.isoformat()} and was not "
        "invited to a meeting that must consider postsecondary goals."
    )
    return [
        Check(
            rule=rule,
            outcome=outcome,
            reason=reason,
            citation=cite,
            meeting=meeting.id,
            parameters={"part_b.transition_services_age": param.value},
        )
    ]


def notice(meeting: Meeting, ruleset: Ruleset) -> list[Check]:
    """Written notice early enough to attend, with purpose, time, location and attendees."""
    rule = "plans.meeting.notice"
    if meeting.plan == "iep":
        cite = "34 CFR 300.322(a)(1), (b)(1)"
    else:
        cite = "34 CFR 303.342(d)(2)"
    n = meeting.notice
    if n is None:
        return [
            Check(
                rule=rule,
                outcome="needs_information",
                citation=cite,
                meeting=meeting.id,
                reason="No notice to the family is recorded: record when and how it was sent.",
            )
        ]
    days = (meeting.date - n.sent).days
    checks = []
    name = NOTICE_PARAM.format(plan=meeting.plan)
    minimum, min_cite = _minimum_days(ruleset, name, meeting.date)
    params = {name: minimum}
    parent_came = any(p.attended for p in _filling(meeting, "parent"))
    if days <= 0:
        outcome, why = (
            "not_met",
            (
                f"The notice was sent on {n.sent.isoformat()}, "
                + ("the day of the meeting." if days == 0 else "after the meeting.")
            ),
        )
    elif minimum is not None and days < minimum and not n.parent_waived_minimum:
        outcome, why = (
            "not_met",
            (
                f"The notice was sent {_days(days)} before the meeting; "
                f"the state requires at least {minimum} ({min_cite})."
            ),
        )
        cite = f"{cite}; {min_cite}"
    elif minimum is not None:
        outcome = "met"
        why = f"The notice was sent {_days(days)} before the meeting (state minimum {minimum}, {min_cite})."
        if days < minimum:
            why = f"The notice was sent {_days(days)} before the meeting, shorter than the state minimum of {minimum}, with the parent's agreement ({min_cite})."
        cite = f"{cite}; {min_cite}"
    elif parent_came:
        outcome, why = (
            "met",
            (f"The notice was sent {_days(days)} before the meeting and the parent attended."),
        )
    else:
        outcome, why = (
            "review",
            (
                f"The notice was sent {_days(days)} before the meeting and no "
                "parent attended. The regulation asks for notice early enough that the parents have "
                "an opportunity to attend and sets no number of days; the ruleset sets no state "
                "minimum: confirm that the family had that opportunity."
            ),
        )
    checks.append(
        Check(
            rule=rule,
            outcome=outcome,
            reason=why,
            citation=cite,
            meeting=meeting.id,
            parameters=params,
        )
    )
    if meeting.plan == "iep" and n.includes is None:
        checks.append(
            Check(
                rule="plans.meeting.notice_content",
                outcome="needs_information",
                citation="34 CFR 300.322(b)(1)(i)",
                meeting=meeting.id,
                reason="The file does not say what the notice gave (the notice's "
                "`includes`): it must say the purpose, time, location and who will attend.",
            )
        )
    elif meeting.plan == "iep":
        missing = [item for item in NOTICE_ITEMS if item not in n.includes]
        checks.append(
            Check(
                rule="plans.meeting.notice_content",
                outcome="not_met" if missing else "met",
                citation="34 CFR 300.322(b)(1)(i)",
                meeting=meeting.id,
                reason=("The notice did not say: " + ", ".join(missing) + ".")
                if missing
                else "The notice gave the purpose, time, location and who will attend.",
            )
        )
    return checks


def notice_said(meeting: Meeting, lang: str) -> dict[str, Any]:
    """What the written notice of this meeting in `lang` gives for each of NOTICE_ITEMS,
    None where it gives nothing: the purpose always (the team's words in `lang`, else
    theirs, else the meeting kind's); the time; the location in `lang` (the team's
    wording, else the meeting's); the people invited other than the parents. The one
    reading `render_notice` writes from and `notice_items` records from."""
    return {
        "purpose": worded(meeting, "purpose", lang, meeting.purpose)
        or t(lang, f"purpose.{meeting.kind}"),
        "time": meeting.time or None,
        "location": worded(meeting, "location", lang, meeting.location) or None,
        "participants": [p for p in meeting.participants if p.role != "parent"] or None,
    }


def notice_items(meeting: Meeting, lang: str) -> tuple[str, ...]:
    """What the notice in `lang` (`render_notice`) says, of NOTICE_ITEMS (`notice_said`):
    a time or place it leaves "to be agreed with you", or attendees "the team will tell
    you", is not given."""
    said = notice_said(meeting, lang)
    return tuple(item for item in NOTICE_ITEMS if said[item] is not None)


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _minimum_days(ruleset: Ruleset, name: str, on: date) -> tuple[int | None, str]:
    try:
        param = ruleset.param(name, on)
    except RulesetError:
        return None, ""
    return param.value, param.citation


def time_place_language(meeting: Meeting) -> list[Check]:
    """A convenient, agreed time and place; the family's language or an interpreter."""
    if meeting.plan == "iep":
        tp_cite, lang_cite = "34 CFR 300.322(a)(2)", "34 CFR 300.322(e)"
    else:
        tp_cite, lang_cite = "34 CFR 303.342(d)(1)(i)", "34 CFR 303.342(d)(1)(ii)"
    agreed = meeting.family_agreed_time_place
    checks = [
        Check(
            rule="plans.meeting.time_and_place",
            outcome={True: "met", False: "not_met", None: "needs_information"}[agreed],
            citation=tp_cite,
            meeting=meeting.id,
            reason={
                True: "The family agreed the time and place.",
                False: "The family did not agree the time and place.",
                None: "Not recorded whether the family agreed the time and place "
                "(family_agreed_time_place).",
            }[agreed],
        )
    ]
    fam, held = meeting.family_language, meeting.language
    if fam and held and fam.casefold() != held.casefold() and not meeting.interpreter:
        checks.append(
            Check(
                rule="plans.meeting.language",
                outcome="not_met",
                citation=lang_cite,
                meeting=meeting.id,
                reason=f"The meeting was held in {held} without an interpreter; the family's language is {fam}.",
            )
        )
    elif fam:
        checks.append(
            Check(
                rule="plans.meeting.language",
                outcome="met",
                citation=lang_cite,
                meeting=meeting.id,
                reason=f"Held in {held or fam}"
                + (" with an interpreter." if meeting.interpreter else "."),
            )
        )
    return checks


def check_meeting(case: Case, meeting: Meeting, contacts, ruleset: Ruleset) -> list[Check]:
    """Every meeting rule for one meeting, in the order a reviewer reads them."""
    return [
        *participants(case, meeting, contacts, ruleset),
        *notice(meeting, ruleset),
        *time_place_language(meeting),
    ]
