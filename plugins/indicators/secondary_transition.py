"""B13, secondary transition: IEPs of youth 16 and over with every transition component.

Part B measurement table, indicator 13 (34 CFR 300.320(b), 300.321(b)):
percent = (# of youth aged 16 and above with an IEP that includes appropriate
measurable postsecondary goals that are annually updated and based upon an
age-appropriate transition assessment, transition services including courses
of study that will reasonably enable the student to meet those goals, and
annual IEP goals related to the student's transition service needs, with
evidence that the student was invited to the IEP Team meeting where
transition services were discussed and, if appropriate, that a representative
of a participating agency was invited with the prior consent of the parent or
adult student) divided by (# of youth with an IEP aged 16 and above) x 100. A
state whose policy requires these at a younger age may count youth from that
age: the ruleset's `part_b.transition_services_age`.

A youth is in the period through the latest IEP meeting in it (an
`iep_meeting_held` or `iep_review_held` event, or a meeting date on an IEP in
`service_plans`) held on or after the birthday of that age. The components are
the IEP's `transition` review for that meeting (docs/case-file.md); an IEP
without one is counted as missing every component, so the figure never
assumes what was not recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from .common import Facts, Item, Period
from .settings import Settings

CODE = "B13"
TITLE = "Secondary transition components in the IEP"
CITATION = "Part B SPP/APR Measurement Table, Indicator 13; 34 CFR 300.320(b)"

#: The components, in the measurement's order, with the words a monitor reads.
COMPONENTS = (
    ("postsecondary_goals", "measurable postsecondary goals"),
    ("goals_updated_annually", "postsecondary goals updated annually"),
    ("transition_assessment", "based on an age-appropriate transition assessment"),
    ("transition_services", "transition services"),
    ("courses_of_study", "courses of study"),
    ("annual_goals_related", "annual IEP goals related to transition service needs"),
    ("student_invited", "student invited to the IEP meeting"),
)


def _meetings(facts: Facts) -> list[date]:
    days = {
        e.date for e in facts.events_of("iep_meeting_held", "iep_review_held", program="part_b")
    }
    for plan in facts.plans:
        if plan.get("kind") == "iep":
            days.update(date.fromisoformat(d) for d in plan.get("meetings", ()))
            days.update(date.fromisoformat(r["date"]) for r in plan.get("transition", ()))
    return sorted(days)


def _review_for(facts: Facts, day: date) -> dict | None:
    for plan in facts.plans:
        if plan.get("kind") != "iep":
            continue
        for review in plan.get("transition", ()):
            if review.get("date") == day.isoformat():
                return review
    return None


def missing_components(review: dict | None) -> list[str]:
    if review is None:
        return ["no transition review recorded for this IEP meeting"]
    missing = [words for key, words in COMPONENTS if review.get(key) is not True]
    invited = review.get("agency_invited")
    if invited not in ("invited", "not_appropriate"):
        missing.append("participating agency invited (or recorded as not appropriate)")
    return missing


def items(facts: Facts, period: Period, settings: Settings) -> Iterator[Item]:
    from_day = facts.birthday(settings.transition_age)
    meetings = [
        d for d in _meetings(facts) if period.holds(d) and d >= from_day and d <= facts.as_of
    ]
    if not meetings:
        return
    day = meetings[-1]
    missing = missing_components(_review_for(facts, day))
    yield Item(
        indicator=CODE, case_id=facts.case_id, child=facts.child, counted=True,
        timely=not missing, category="late" if missing else "timely", on=day,
        clock="secondary_transition", label="IEP transition components", subject=None, start=from_day,
        due=day, done=day if not missing else None, status="met" if not missing else "missing",
        reason="; ".join(missing) or None, citation="34 CFR 300.320(b)", units=facts.units,
    )  # fmt: skip
