"""IDEA Part C (34 CFR Part 303): eligibility and the 45-day timeline.

Every threshold and day count is read from the ruleset, on the date of the
trigger: the eligibility criteria in force on the evaluation date, the clock
in force on the day the referral was received.
"""

from __future__ import annotations

from datetime import date

from eirules.core.clocks import compute_clock
from eirules.core.dates import age_in_months, birthday
from eirules.core.decisions import Eligibility, Finding
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case, Evaluation
from eirules.core.rulesets import Ruleset

PROGRAM = "part_c"
CLOSING = ("consent_withdrawn", "moved_out", "exited")

EVENT_TYPES = {
    "child_identified": "A primary referral source identified the child (starts the 7-day referral clock, 303.303(a)(2)(i)).",
    "referral_received": "The lead agency or an EIS provider received the referral (starts the 45-day clock, 303.310(a)).",
    "consent_for_evaluation": "The parent consented to evaluation and assessment (303.420(a)(2)).",
    "evaluation_completed": "The initial or a continuing-eligibility evaluation was completed (303.321).",
    "eligibility_determined": "The team determined eligibility; outcome is eligible or not_eligible (303.322).",
    "ifsp_meeting_held": "The initial IFSP meeting was held (stops the 45-day clock, 303.310(a)).",
    "consent_for_services": "The parent consented to IFSP services; `service` names one (303.342(e)).",
    "service_started": "An IFSP service was first delivered; `service` names it (303.344(f)(1)).",
    "ifsp_review_held": "A periodic IFSP review was held (303.342(b)).",
    "ifsp_annual_meeting_held": "The annual IFSP meeting was held (303.342(c)).",
    "transition_notification_sent": "The SEA and LEA were notified that the toddler will reach age 3 (303.209(b)).",
    "transition_conference_held": "The transition conference was held (303.209(c)).",
    "transition_plan_completed": "The transition plan was established in the IFSP (303.209(d)).",
    "exited": "The child left Part C.",
}


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]


def _in_part_c(case: Case) -> bool:
    programs = case.programs
    if programs:
        return PROGRAM in programs
    return case.first("referral_received") is not None


# Eligibility ------------------------------------------------------------------------


def percent_delay(age_months: float, age_equivalent_months: float) -> float:
    """(age - age equivalent) / age, as a percentage; 0 when the child is at or above age."""
    if age_months <= 0:
        raise ValueError("percent delay is undefined at an age of zero months or less")
    return max(0.0, (age_months - age_equivalent_months) / age_months * 100)


def _domain_delays(evaluation: Evaluation, age_months: float) -> dict[str, dict[str, float]]:
    """Per domain, the worst delay found for each measure."""
    delays: dict[str, dict[str, float]] = {}
    for score in evaluation.scores:
        found: dict[str, float] = {}
        if score.standard_score is not None:
            found["sd_below_mean"] = (score.mean - score.standard_score) / score.sd
        elif score.age_equivalent_months is not None:
            found["months_delay"] = max(0.0, age_months - score.age_equivalent_months)
            if age_months > 0:
                found["percent_delay"] = percent_delay(age_months, score.age_equivalent_months)
        elif score.percent_delay is not None:
            found["percent_delay"] = float(score.percent_delay)
        slot = delays.setdefault(score.domain, {})
        for measure, value in found.items():
            slot[measure] = max(slot.get(measure, value), value)
    return delays


def _meets(criterion: dict, delays: dict[str, dict[str, float]]) -> list[str]:
    measure, threshold = criterion["measure"], criterion["at_least"]
    allowed = criterion.get("in")
    hits = [
        d
        for d, found in sorted(delays.items())
        if (allowed is None or d in allowed) and found.get(measure, -1e9) >= threshold
    ]
    if "only" in criterion:
        delayed = {d for d, f in delays.items() if any(v > 0 for v in f.values())}
        if not delayed or not delayed <= set(criterion["only"]):
            return []
    return hits if len(hits) >= criterion.get("domains", 1) else []


@hookimpl
def eligibility_for(case: Case, ruleset: Ruleset, as_of: date):
    if not _in_part_c(case):
        return None
    return [_delay_eligibility(case, ruleset, as_of)[0]]


def _delay_eligibility(
    case: Case, ruleset: Ruleset, as_of: date
) -> tuple[Eligibility, list[Finding]]:
    evaluations = [e for e in case.evaluations if e.date <= as_of and e.program in (None, PROGRAM)]
    if not evaluations or not evaluations[-1].scores:
        return (
            Eligibility(
                program=PROGRAM,
                outcome="needs_information",
                missing=("an evaluation with domain scores",),
                citation="34 CFR 303.321",
                reason="No evaluation with domain scores is recorded on or before the as-of date.",
            ),
            [],
        )
    evaluation = evaluations[-1]
    on = evaluation.date
    param = (
        ruleset.param("part_c.eligibility.delay_criteria", on)
        if _has_value(ruleset, "part_c.eligibility.delay_criteria", on)
        else None
    )
    if param is None:
        return (
            Eligibility(
                program=PROGRAM,
                outcome="needs_information",
                missing=("the state's developmental delay criteria in the ruleset",),
                citation="34 CFR 303.111",
                reason=f'Ruleset "{ruleset.id}" sets no developmental delay criteria for {on}; the level is the state\'s to define.',
            ),
            [],
        )
    age = age_in_months(case.child.birth_date, on)
    delays = _domain_delays(evaluation, age)
    for criterion in param.value:
        hits = _meets(criterion, delays)
        if hits:
            return (
                Eligibility(
                    program=PROGRAM,
                    outcome="eligible",
                    basis=("developmental_delay",),
                    citation="34 CFR 303.21(a)(1)",
                    reason=f"{', '.join(hits)} meet {criterion['measure']} >= {criterion['at_least']} ({param.citation})",
                ),
                [],
            )
    return (
        Eligibility(
            program=PROGRAM,
            outcome="not_eligible",
            basis=(),
            citation="34 CFR 303.21(a)(1)",
            reason=f"No criterion of {param.citation} is met.",
        ),
        [],
    )


def _has_value(ruleset: Ruleset, name: str, on: date) -> bool:
    try:
        ruleset.param(name, on)
    except Exception:
        return False
    return True


# Clocks -----------------------------------------------------------------------------


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    if not _in_part_c(case):
        return None
    clocks = []
    referral = case.first("referral_received", program=PROGRAM)
    if referral is not None:
        param = ruleset.param("part_c.initial_ifsp_meeting", referral.date)
        clocks.append(
            compute_clock(
                case,
                id="initial_ifsp_meeting",
                program=PROGRAM,
                spec=param.value,
                citation=param.citation,
                start=referral.date,
                as_of=as_of,
                due_soon_days=ruleset.value("clocks.due_soon_days", as_of),
                label="Initial IFSP meeting",
                closing=CLOSING,
            )
        )
    return clocks


def third_birthday(case: Case, ruleset: Ruleset, on: date) -> date:
    """The date Part C eligibility ends under 303.21(a)."""
    years = ruleset.value("part_c.age_limit_years", on)
    return birthday(
        case.child.birth_date, years, leap_day=ruleset.value("dates.leap_day_birthday", on)
    )
