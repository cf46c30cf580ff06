"""IDEA Part C (34 CFR Part 303): eligibility, referrals and every Part C clock.

Every threshold and day count is read from the ruleset, on the date of the
trigger: the eligibility criteria in force on the evaluation date, a clock in
force on the day its start event happened. The analysis of one case is done
once and shared by the four hooks (see `_context`).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import attrs

from eirules.core.clocks import (
    clock_from_param,
    events_of,
    latest_on_or_before,
    not_applicable,
    param_or_none,
)
from eirules.core.dates import age_in_months, birthday
from eirules.core.decisions import Clock, Eligibility, Finding, Referral
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import DOMAINS, Case, Evaluation, Event, Score
from eirules.core.rulesets import Ruleset

from .events import program_view, programs_of, recurring_clock

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
    "transition_notification_sent": "The SEA and LEA were notified that the toddler will reach age 3, or a late-referred toddler was referred to them (303.209(b)).",
    "transition_conference_held": "The transition conference was held (303.209(c)).",
    "transition_plan_completed": "The transition plan was established in the IFSP (303.209(d)).",
    "exited": "The child left Part C.",
    "abuse_or_neglect_substantiated": "A case of abuse or neglect of the child was substantiated (referral required, 303.303(b)(1)).",
    "substance_exposure_identified": "The child was identified as directly affected by illegal substance abuse or withdrawal symptoms from prenatal drug exposure (referral required, 303.303(b)(2)).",
    "part_b_potential_eligibility": "Whether the toddler is potentially eligible for Part B; outcome potentially_eligible or not_potentially_eligible (303.209(b)(1), (c)(2)).",
    "notification_objection": "The parent objected to the SEA/LEA transition notification under the state's opt-out policy (303.401(e)).",
    "extension_elected": "The parent chose to continue Part C services past age 3 under the state's 303.211 option.",
}

#: Risk-factor names recorded on the child that make a referral required (303.303(b)).
REQUIRED_REFERRAL_EVENTS = ("abuse_or_neglect_substantiated", "substance_exposure_identified")


def _events(case: Case, *types: str) -> tuple:
    """This program's events of the given types, in canonical order (indexed per case)."""
    return events_of(case, types, PROGRAM)


def _first(case: Case, type_: str):
    found = events_of(case, (type_,), PROGRAM)
    return found[0] if found else None


def _last(case: Case, type_: str):
    found = events_of(case, (type_,), PROGRAM)
    return found[-1] if found else None


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]


# Shared analysis --------------------------------------------------------------------


@attrs.define
class Context:
    """Everything the Part C hooks share for one case, ruleset and date."""

    case: Case
    ruleset: Ruleset
    as_of: date
    third_birthday: date
    end: date
    end_reason: str
    referral: Any = None
    #: The referral, or for a file without one its first IFSP meeting or review:
    #: the transition duties attach to the toddler with an IFSP (303.209).
    entry: Any = None
    eligibility: Eligibility | None = None
    findings: list[Finding] = attrs.field(factory=list)
    clocks: list[Clock] = attrs.field(factory=list)


#: The last case analysed, per thread: the four hooks of one evaluation share it.
_cache = threading.local()


def _context(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    entry = getattr(_cache, "entry", None)
    if entry is not None and entry[0] is case and entry[1] is ruleset and entry[2] == as_of:
        return entry[3]
    ctx = _build_context(case, ruleset, as_of)
    _cache.entry = (case, ruleset, as_of, ctx)
    return ctx


def third_birthday(case: Case, ruleset: Ruleset, on: date) -> date:
    """The date Part C eligibility ends under 303.21(a)."""
    years = ruleset.value("part_c.age_limit_years", on)
    return birthday(
        case.child.birth_date, years, leap_day=ruleset.value("dates.leap_day_birthday", on)
    )


def _build_context(case: Case, ruleset: Ruleset, as_of: date) -> Context | None:
    b3 = third_birthday(case, ruleset, as_of)
    programs = programs_of(case, b3)
    if not programs.part_c:
        return None
    view = program_view(case, PROGRAM, programs)
    end, end_reason = _part_c_end(view, ruleset, b3)
    ctx = Context(
        case=view,
        ruleset=ruleset,
        as_of=as_of,
        third_birthday=b3,
        end=end,
        end_reason=end_reason,
        # As of a date, a referral dated later has not been received yet (303.310(a)).
        referral=next((e for e in _events(view, "referral_received") if e.date <= as_of), None),
    )
    ctx.entry = ctx.referral or next(
        (
            e
            for e in _events(
                view, "ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held"
            )
            if e.date <= as_of
        ),
        None,
    )
    ctx.eligibility = _eligibility(ctx)
    return ctx


def _part_c_end(case: Case, ruleset: Ruleset, b3: date) -> tuple[date, str]:
    """The day Part C ends: the third birthday, unless the 303.211 option was elected."""
    elected = _first(case, "extension_elected")
    offered = (
        param_or_none(ruleset, "part_c.extended_eligibility", elected.date) if elected else None
    )
    if offered is not None and offered.value:
        until = param_or_none(ruleset, "part_c.extended_eligibility_until_age_years", elected.date)
        if until is not None:
            leap = ruleset.value("dates.leap_day_birthday", elected.date)
            return (
                birthday(case.child.birth_date, until.value, leap_day=leap),
                f"the 303.211 extension elected on {elected.date} runs to age {until.value} ({until.citation})",
            )
    return b3, f"Part C serves children under 3 (34 CFR 303.21(a)); the third birthday is {b3}"


# Eligibility ------------------------------------------------------------------------


def percent_delay(age_months: float, age_equivalent_months: float) -> float:
    """(age - age equivalent) / age, as a percentage; 0 when the child is at or above age."""
    if age_months <= 0:
        raise ValueError("percent delay is undefined at an age of zero months or less")
    return max(0.0, (age_months - age_equivalent_months) / age_months * 100)


def corrected_age(
    birth: date, gestational_weeks: int | None, on: date, ruleset: Ruleset
) -> tuple[float, int, dict[str, Any], str]:
    """Age in months on a date, corrected for prematurity when the ruleset says so.

    Returns (age in months, weeks subtracted, parameters used, a note). The
    weeks short of term are subtracted from the birth date, so the corrected age
    is the age of a child born that many weeks later; it may be zero or less.
    """
    chrono = age_in_months(birth, on)
    used: dict[str, Any] = {}
    correct = param_or_none(ruleset, "part_c.prematurity.correct_age", on)
    if correct is None or not correct.value:
        if correct is not None:
            used["part_c.prematurity.correct_age"] = False
        return chrono, 0, used, ""
    used["part_c.prematurity.correct_age"] = True
    if gestational_weeks is None:
        return chrono, 0, used, "gestational age not recorded, so chronological age is used"
    values = {}
    for key in (
        "below_gestational_weeks",
        "term_weeks",
        "until_age_months",
        "max_adjustment_weeks",
    ):
        p = param_or_none(ruleset, f"part_c.prematurity.{key}", on)
        if p is not None:
            values[key] = p.value
            used[f"part_c.prematurity.{key}"] = p.value
    if "below_gestational_weeks" not in values or "term_weeks" not in values:
        return (
            chrono,
            0,
            used,
            "the ruleset corrects for prematurity but sets no gestational threshold or term",
        )
    if gestational_weeks >= values["below_gestational_weeks"]:
        return chrono, 0, used, ""
    if "until_age_months" in values and chrono >= values["until_age_months"]:
        return (
            chrono,
            0,
            used,
            f"no correction: chronological age {_months(chrono)} months is past {values['until_age_months']} months",
        )
    weeks = values["term_weeks"] - gestational_weeks
    if "max_adjustment_weeks" in values:
        weeks = min(weeks, values["max_adjustment_weeks"])
    corrected_birth = birth + timedelta(weeks=weeks)
    if corrected_birth >= on:
        return 0.0, weeks, used, ""
    return age_in_months(corrected_birth, on), weeks, used, ""


def _months(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


Delays = dict[str, dict[str, tuple[float, Score]]]
ScoreValues = tuple[tuple[Score, dict[str, float]], ...]


def score_values(scores: tuple[Score, ...], age_months: float) -> tuple[ScoreValues, bool]:
    """Each score's own delay on every measure it gives.

    Returns the values and whether an age-equivalent score could not be used
    because the age is zero months or less.
    """
    out = []
    unusable = False
    for score in scores:
        found: dict[str, float] = {}
        if score.standard_score is not None:
            assert score.mean is not None and score.sd is not None  # Score requires both
            found["sd_below_mean"] = (score.mean - score.standard_score) / score.sd
        elif score.age_equivalent_months is not None:
            if age_months <= 0:
                unusable = True
                continue
            found["months_delay"] = max(0.0, age_months - score.age_equivalent_months)
            found["percent_delay"] = percent_delay(age_months, score.age_equivalent_months)
        else:
            assert score.percent_delay is not None  # Score holds exactly one kind of result
            found["percent_delay"] = float(score.percent_delay)
        out.append((score, found))
    return tuple(out), unusable


def _areas(score: Score) -> tuple[str, ...]:
    """The area names a score counts under: its domain, and its subdomain alone and dotted."""
    if score.subdomain:
        return (score.domain, score.subdomain, f"{score.domain}.{score.subdomain}")
    return (score.domain,)


def area_delays(scores: tuple[Score, ...], age_months: float) -> tuple[Delays, bool]:
    """Per area, the worst delay for each measure.

    Areas are the domain, and for a subdomain score also the subdomain alone
    ("expressive") and with its domain ("communication.expressive"). Returns the
    delays and whether an age-equivalent score could not be used because the
    age is zero months or less.
    """
    values, unusable = score_values(scores, age_months)
    return _worst_per_area(values), unusable


def _worst_per_area(values: ScoreValues) -> Delays:
    delays: Delays = {}
    for score, found in values:
        for area in _areas(score):
            slot = delays.setdefault(area, {})
            for measure, value in found.items():
                if measure not in slot or value > slot[measure][0]:
                    slot[measure] = (value, score)
    return delays


def _named(names: set[str], score: Score) -> bool:
    """Whether a score's area is one of the names: a domain name covers its subdomains."""
    return any(area in names for area in _areas(score))


def meets(criterion: dict, delays: Delays, values: ScoreValues = ()) -> list[str]:
    """The areas meeting one criterion, or [] when the criterion is not met.

    Without `in`, the five federal domains count; with `in`, the areas named
    (domains, subdomains such as "expressive" or "communication.expressive").
    With `only`, every delayed area (at the finest level scored) must be one of
    those named. With `unless_only`, the criterion does not count when every
    score meeting its threshold is in an area named there (Texas: 25% in one
    domain, but not when expressive communication is the only such delay).
    `values` (each score's own delays) lets `unless_only` see every score, not
    only the worst per area.
    """
    measure, threshold = criterion["measure"], criterion["at_least"]
    allowed = criterion.get("in")
    hits = [
        area
        for area in sorted(delays)
        if (area in allowed if allowed is not None else area in DOMAINS)
        and measure in delays[area]
        and delays[area][measure][0] >= threshold
    ]
    if "only" in criterion:
        only = set(criterion["only"])
        delayed = {
            (s.subdomain or s.domain, s.domain)
            for found in delays.values()
            for v, s in found.values()
            if v > 0
        }
        if not delayed or any(fine not in only and dom not in only for fine, dom in delayed):
            return []
    if "unless_only" in criterion and hits:
        if not values:  # only the worst score per area is known
            values = tuple((s, {m: v}) for slot in delays.values() for m, (v, s) in slot.items())
        qualifying = [
            score
            for score, found in values
            if found.get(measure, -1.0) >= threshold
            and (
                any(a in allowed for a in _areas(score))
                if allowed is not None
                else score.domain in DOMAINS
            )
        ]
        names = set(criterion["unless_only"])
        if qualifying and all(_named(names, score) for score in qualifying):
            return []
    return hits if len(hits) >= criterion.get("domains", 1) else []


_MEASURE_WORDS = {
    "percent_delay": ("% delay", "{:.0f}% delayed"),
    "months_delay": (" months' delay", "{:.1f} months delayed"),
    "sd_below_mean": (" SD below the mean", "{:.2f} SD below the mean"),
}


def describe_criterion(criterion: dict) -> str:
    """A criterion in words: "50% delay in 1 area", unless it has its own label."""
    if criterion.get("label"):
        return criterion["label"]
    unit = _MEASURE_WORDS[criterion["measure"]][0]
    n = criterion.get("domains", 1)
    text = f"{criterion['at_least']:g}{unit} in {'each of ' if n > 1 else ''}{n} area{'s' if n > 1 else ''}"
    if criterion.get("in"):
        text += f" among {', '.join(criterion['in'])}"
    if criterion.get("only"):
        text += f" when the only delay is in {', '.join(criterion['only'])}"
    if criterion.get("unless_only"):
        text += f", unless the only such delay is in {', '.join(_area_words(a) for a in criterion['unless_only'])}"
    return text


def _area_words(area: str) -> str:
    """Area name in words: communication.expressive is "communication (expressive)"."""
    domain, _, sub = area.partition(".")
    words = domain.replace("_", " ")
    return f"{words} ({sub.replace('_', ' ')})" if sub else words


def _shown(measure: str, value: float, thresholds: tuple[float, ...] = ()) -> str:
    """The value in words, with more decimals when rounding would cross a threshold.

    24.96% is "25.0% delayed" would read as meeting a 25% rule it misses; it is
    shown as "24.96% delayed" instead.
    """
    template = _MEASURE_WORDS[measure][1]
    said = template.format(value)
    for places in (1, 2, 3):
        shown = float(said.split("%")[0].split(" ")[0])
        if not any((shown >= t) != (value >= t) for t in thresholds):
            break
        said = said.replace(said.split("%")[0].split(" ")[0], f"{value:.{places + 1}f}", 1)
    return said


def _describe_hit(
    area: str,
    measure: str,
    value: float,
    score: Score,
    age: float,
    weeks: int,
    thresholds: tuple[float, ...] = (),
) -> str:
    said = _shown(measure, value, thresholds)
    if score.subdomain and area in (score.domain, score.subdomain):
        area = f"{score.domain}.{score.subdomain}"  # say which part of the domain
    area = _area_words(area)
    if score.age_equivalent_months is not None:
        corrected = f" corrected for {weeks} weeks of prematurity" if weeks else ""
        return f"{area} is {said} (age {_months(age)} months{corrected}, age equivalent {_months(score.age_equivalent_months)} months)"
    if score.standard_score is not None:
        return f"{area} is {said} (standard score {score.standard_score:g}, mean {score.mean:g}, SD {score.sd:g})"
    return f"{area} is {said} (recorded percent delay)"


def _usable_evaluations(case: Case, as_of: date) -> list[Evaluation]:
    """The Part C evaluations on the latest date on or before as_of (same-day ones merged)."""
    found = [
        e
        for e in case.evaluations
        if e.date <= as_of and e.program in (None, PROGRAM) and e.date >= case.child.birth_date
    ]
    if not found:
        return []
    last = found[-1].date
    return [e for e in found if e.date == last]


def _eligibility(ctx: Context) -> Eligibility:
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    findings = ctx.findings
    if as_of >= ctx.end:
        reason = (
            f"Not eligible for Part C on {as_of}: {ctx.end_reason}, and Part C ended on {ctx.end}."
        )
        if ctx.end == ctx.third_birthday and not ruleset.value(
            "part_c.extended_eligibility", as_of
        ):
            reason += " The state does not offer the 303.211 option to continue past age 3."
        findings.append(
            Finding(
                rule="part_c.eligibility.age",
                outcome="not_eligible",
                reason=reason,
                citation="34 CFR 303.21(a), 303.211",
                program=PROGRAM,
                inputs={
                    "birth_date": case.child.birth_date.isoformat(),
                    "as_of": as_of.isoformat(),
                },
                parameters={
                    "part_c.age_limit_years": ruleset.value("part_c.age_limit_years", as_of)
                },
            )
        )
        return Eligibility(
            program=PROGRAM,
            outcome="not_eligible",
            citation="34 CFR 303.21(a)",
            reason=reason,
        )
    basis: list[str] = []
    reasons: list[str] = []
    citations: list[str] = []
    missing: list[str] = []

    # 303.21(a)(2): a diagnosed condition with a high probability of delay.
    conditions = [c for c in case.conditions if c.diagnosed is None or c.diagnosed <= as_of]
    if conditions:
        codes = param_or_none(ruleset, "part_c.eligibility.diagnosed_condition_codes", as_of)
        names = param_or_none(ruleset, "part_c.eligibility.diagnosed_condition_names", as_of)
        code_list = tuple(codes.value) if codes else ()
        name_set = {n.lower() for n in names.value} if names else set()
        for condition in conditions:
            by_code = condition.code and condition.code.upper().startswith(code_list)
            if by_code or condition.name.lower() in name_set:
                how = f"code {condition.code}" if by_code else "name"
                cite = (codes if by_code else names).citation
                basis.append("diagnosed_condition")
                reasons.append(
                    f"diagnosed condition {condition.name} ({how}) is on the ruleset's list of conditions with a high probability of delay ({cite})"
                )
                citations.append("34 CFR 303.21(a)(2)")
                findings.append(
                    Finding(
                        rule="part_c.eligibility.diagnosed_condition",
                        outcome="eligible",
                        reason=f"Eligible for Part C: {reasons[-1]}.",
                        citation=f"34 CFR 303.21(a)(2); 303.321(a)(3)(i); {cite}",
                        program=PROGRAM,
                        inputs={"condition": condition.name, "code": condition.code},
                        parameters={
                            "part_c.eligibility.diagnosed_condition_codes": list(code_list),
                            "part_c.eligibility.diagnosed_condition_names": sorted(name_set),
                        },
                    )
                )
                break

    # 303.21(a)(1), 303.111: developmental delay measured by the state's criteria.
    evaluations = _usable_evaluations(case, as_of)
    delay_outcome = None
    icos: list[str] = []
    if not evaluations or not any(e.scores for e in evaluations):
        missing.append("an evaluation with domain scores dated on or before the as-of date")
    else:
        on = evaluations[0].date
        icos = [e.informed_clinical_opinion for e in evaluations if e.informed_clinical_opinion]
        scores = tuple(s for e in evaluations for s in e.scores)
        age, weeks, used, note = corrected_age(
            case.child.birth_date, case.child.gestational_age_weeks, on, ruleset
        )
        criteria = param_or_none(ruleset, "part_c.eligibility.delay_criteria", on)
        values, unusable = score_values(scores, age)
        delays = _worst_per_area(values)
        inputs = {
            "evaluation_date": on.isoformat(),
            "age_months": round(age, 2),
            "corrected_for_weeks": weeks,
            "delays": {
                area: {m: round(v, 2) for m, (v, _) in found.items()}
                for area, found in sorted(delays.items())
            },
        }
        if unusable:
            missing.append(
                "standard scores or a qualitative determination by informed clinical opinion "
                "(the age is zero months or less, so age equivalents cannot be used)"
            )
            text = (
                f"the child's {'corrected ' if weeks else ''}age on {on} is zero months or less, so a percent or months delay "
                "cannot be computed from age equivalents; eligibility must rest on standard scores, "
                "a diagnosed condition or a qualitative determination by informed clinical opinion"
            )
            findings.append(
                Finding(
                    rule="part_c.eligibility.qualitative",
                    outcome="needs_information",
                    reason=text[0].upper() + text[1:] + ".",
                    citation="34 CFR 303.321(a)(3)(ii)",
                    program=PROGRAM,
                    inputs=inputs,
                    parameters=used,
                )
            )
        if note:
            inputs["note"] = note
        if criteria is None:
            missing.append(
                "the state's developmental delay criteria (part_c.eligibility.delay_criteria)"
            )
            findings.append(
                Finding(
                    rule="part_c.eligibility.developmental_delay",
                    outcome="needs_information",
                    reason=f'Ruleset "{ruleset.id}" sets no developmental delay criteria in force on {on}; '
                    "the level of delay is the state's to define (34 CFR 303.111).",
                    citation="34 CFR 303.111",
                    program=PROGRAM,
                    inputs=inputs,
                    parameters=used,
                )
            )
        else:
            used = {**used, "part_c.eligibility.delay_criteria": criteria.value}
            met = None
            for criterion in criteria.value:
                hits = meets(criterion, delays, values)
                if hits:
                    met = (criterion, hits)
                    break
            where = ruleset.title
            if met is not None:
                criterion, hits = met
                measure = criterion["measure"]
                said = "; ".join(
                    _describe_hit(
                        a, measure, *delays[a][measure], age, weeks, (criterion["at_least"],)
                    )
                    for a in hits
                )
                text = f"{said}; {where} requires {describe_criterion(criterion)} ({criteria.citation})"
                basis.insert(0, "developmental_delay")
                reasons.insert(0, text)
                citations.insert(0, "34 CFR 303.21(a)(1)")
                delay_outcome = "eligible"
            else:
                worst = _worst(delays, criteria.value, age, weeks)
                text = (
                    (f"{worst}; " if worst else "no delay on the state's measures; ")
                    + f"{where} requires {'; or '.join(describe_criterion(c) for c in criteria.value)} "
                    f"({criteria.citation})"
                )
                delay_outcome = "not_eligible"
            if note:
                text += f"; {note}"
            findings.append(
                Finding(
                    rule="part_c.eligibility.developmental_delay",
                    outcome=delay_outcome,
                    reason=(
                        "Eligible for Part C: "
                        if delay_outcome == "eligible"
                        else "Not eligible by developmental delay: "
                    )
                    + text
                    + ".",
                    citation=f"34 CFR 303.21(a)(1); 303.111; {criteria.citation}",
                    program=PROGRAM,
                    inputs=inputs,
                    parameters=used,
                )
            )

    # 303.21(b), 303.5: at-risk infants and toddlers where the state serves them.
    if case.child.risk_factors:
        served = param_or_none(ruleset, "part_c.eligibility.at_risk_served", as_of)
        if served is not None and served.value:
            factors = param_or_none(ruleset, "part_c.eligibility.at_risk_factors", as_of)
            needed = param_or_none(ruleset, "part_c.eligibility.at_risk_factors_required", as_of)
            if factors is None or needed is None:
                missing.append("the state's at-risk factors and how many are required")
            else:
                present = sorted(set(case.child.risk_factors) & set(factors.value))
                if len(present) >= needed.value:
                    basis.append("at_risk")
                    reasons.append(
                        f"at risk: {', '.join(present)} ({len(present)} of the listed factors; {needed.value} required, {factors.citation})"
                    )
                    citations.append("34 CFR 303.21(b)")

    # 303.321(a)(3)(ii): informed clinical opinion may establish eligibility, never negate it.
    if "eligible" in icos:
        allowed = param_or_none(ruleset, "part_c.eligibility.informed_clinical_opinion", as_of)
        if allowed is not None and allowed.value and not basis:
            basis.append("informed_clinical_opinion")
            reasons.append(
                "informed clinical opinion recorded on the evaluation establishes eligibility on its own"
            )
            citations.append("34 CFR 303.321(a)(3)(ii)")
    if "not_eligible" in icos and basis:
        findings.append(
            Finding(
                rule="part_c.eligibility.informed_clinical_opinion",
                outcome="eligible",
                reason="The informed clinical opinion of not eligible does not change the outcome: "
                "it may never be used to negate results that establish eligibility.",
                citation="34 CFR 303.321(a)(3)(ii)",
                program=PROGRAM,
            )
        )

    if basis:
        return Eligibility(
            program=PROGRAM,
            outcome="eligible",
            basis=tuple(dict.fromkeys(basis)),
            citation="; ".join(dict.fromkeys(citations)),
            reason="Eligible for Part C: " + "; ".join(reasons) + ".",
        )
    team = None
    for event in _events(case, "eligibility_determined"):
        if event.date <= as_of and event.outcome in ("eligible", "not_eligible"):
            team = event
    if team is not None and delay_outcome is None:
        # Nothing on file for the rules to check: report the team's recorded decision as such.
        reason = (
            f"The team determined the child {team.outcome.replace('_', ' ')} on {team.date} (303.322); "
            "no evaluation scores or listed condition are on file for the rules to check"
            + (f" ({missing[0]} is missing)" if missing else "")
            + "."
        )
        return Eligibility(
            program=PROGRAM,
            outcome=team.outcome,
            basis=("team_determination",) if team.outcome == "eligible" else (),
            citation="34 CFR 303.322",
            reason=reason,
        )
    if delay_outcome == "not_eligible" and not missing:
        if team is not None and team.outcome == "eligible":
            tail = (
                f" The team determined the child eligible on {team.date} (303.322): record the basis the "
                "rules can check (an informed clinical opinion on the evaluation, 303.321(a)(3)(ii), or a "
                "diagnosed condition), or review the determination."
            )
        else:
            tail = " Prior written notice of the determination is required (303.322, 303.421)."
        return Eligibility(
            program=PROGRAM,
            outcome="not_eligible",
            citation="34 CFR 303.21(a); 303.322",
            reason=findings[-1].reason
            + " No diagnosed condition on the ruleset's list is recorded."
            + tail,
        )
    return Eligibility(
        program=PROGRAM,
        outcome="needs_information",
        missing=tuple(missing) or ("an evaluation the rules can use",),
        citation="34 CFR 303.321",
        reason="Part C eligibility cannot be decided yet: no diagnosed condition on the ruleset's list, "
        "and " + (missing[0] if missing else "no usable evaluation") + " is missing.",
    )


def _worst(
    delays: dict[str, dict[str, tuple[float, Score]]], criteria, age: float, weeks: int
) -> str:
    """The largest delay on the measure of each criterion, described with its inputs."""
    said = []
    for measure in dict.fromkeys(c["measure"] for c in criteria):
        found = [
            (f[measure][0], area) for area, f in delays.items() if area in DOMAINS and measure in f
        ]
        if found:
            value, area = max(found)
            limits = tuple(c["at_least"] for c in criteria if c["measure"] == measure)
            said.append(_describe_hit(area, measure, *delays[area][measure], age, weeks, limits))
    return "; ".join(said)


@hookimpl
def eligibility_for(case: Case, ruleset: Ruleset, as_of: date):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    return [ctx.eligibility]


# Clocks -----------------------------------------------------------------------------


def late_referral_days(ctx: Context) -> int | None:
    """part_c.late_referral_days in force on the referral date (None before any value)."""
    param = param_or_none(ctx.ruleset, "part_c.late_referral_days", ctx.referral.date)
    return None if param is None else param.value


def _late_referral(ctx: Context) -> str | None:
    """Which 303.209(b)(1) branch a referral falls in: "under_45", "45_to_90" or None."""
    if ctx.referral is None:
        return None
    days_before = (ctx.end - ctx.referral.date).days
    late = late_referral_days(ctx)
    if late is not None and days_before < late:
        return "under_45"
    notification = param_or_none(ctx.ruleset, "part_c.transition_notification", ctx.referral.date)
    if notification is not None and days_before < notification.value["length"]:
        return "45_to_90"
    return None


def _clock(ctx: Context, name: str, *, id: str, start: date, label: str, **kw) -> Clock:
    return clock_from_param(
        ctx.case,
        ctx.ruleset,
        f"part_c.{name}",
        id=id,
        program=PROGRAM,
        start=start,
        as_of=ctx.as_of,
        label=label,
        closing=CLOSING,
        **kw,
    )


def _after(events, start: date):
    return tuple(e for e in events if e.date > start)


def _clocks(ctx: Context) -> list[Clock]:
    case, as_of = ctx.case, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _build_context determines it first
    clocks: list[Clock] = []
    referral = ctx.referral
    branch = _late_referral(ctx)
    # Not eligible on the merits (not merely aged out: past clocks still show how they ended).
    determined = _last(case, "eligibility_determined")
    team_not_eligible = (
        determined is not None and determined.date <= as_of and determined.outcome == "not_eligible"
    )
    # A toddler the team found eligible, with an IFSP, keeps its clocks even when the
    # scores on file alone miss the state's level: the IFSP's duties stand (303.209(d)).
    has_ifsp = not team_not_eligible and any(
        e.date <= as_of for e in _events(case, "ifsp_meeting_held")
    )
    not_eligible = eligibility.outcome == "not_eligible" and as_of < ctx.end and not has_ifsp

    # 303.310: the 45-day timeline from the referral.
    if referral is not None:

        def no_initial_meeting(citation: str, reason: str) -> Clock:
            return not_applicable(
                id="initial_ifsp_meeting",
                program=PROGRAM,
                citation=citation,
                label="Initial IFSP meeting",
                start=referral.date,
                reason=reason,
            )

        if referral.date >= ctx.third_birthday:
            clocks.append(
                no_initial_meeting(
                    "34 CFR 303.21(a)",
                    f"referred on {referral.date}, on or after the third birthday ({ctx.third_birthday}): not a Part C child",
                )
            )
        elif branch == "under_45":
            clocks.append(
                no_initial_meeting(
                    "34 CFR 303.209(b)(1)(iii)",
                    f"referred {(ctx.end - referral.date).days} days before the third birthday "
                    f"(fewer than {late_referral_days(ctx)}): no evaluation, "
                    "assessment or initial IFSP meeting is required; refer to the SEA and LEA with parental consent",
                )
            )
        elif team_not_eligible and not _events(case, "ifsp_meeting_held"):
            clocks.append(
                no_initial_meeting(
                    "34 CFR 303.322",
                    f"found not eligible on {determined.date}: no IFSP meeting is required; give prior written notice (303.421)",
                )
            )
        else:
            clocks.append(
                _clock(
                    ctx,
                    "initial_ifsp_meeting",
                    id="initial_ifsp_meeting",
                    start=referral.date,
                    label="Initial IFSP meeting",
                )
            )

    if not_eligible and referral is None:
        return clocks

    # 303.342(e): each service as soon as possible after consent; timely is the state's number.
    consents = _events(case, "consent_for_services")
    started = _events(case, "service_started")
    seen: set[str] = set()
    for consent in consents:
        if consent.date > as_of:
            break
        service = consent.service or "all IFSP services"
        if service in seen:
            continue
        seen.add(service)
        stops = tuple(e for e in started if (e.service or "all IFSP services") == service)
        clocks.append(
            _clock(
                ctx,
                "service_start",
                id="service_start",
                start=consent.date,
                label="Service start",
                subject=service,
                stop_events=stops,
                citation="34 CFR 303.342(e); 303.344(f)(1)",
            )
        )
    for plan in case.service_plans:
        if plan.kind != "ifsp":
            continue
        for service in plan.services:
            if service.consented is None or service.name in seen or service.consented > as_of:
                continue
            seen.add(service.name)
            stops = (
                (Event(type="service_started", date=service.started, program=PROGRAM),)
                if service.started
                else ()
            )
            clocks.append(
                _clock(
                    ctx,
                    "service_start",
                    id="service_start",
                    start=service.consented,
                    label="Service start",
                    subject=service.name,
                    stop_events=stops,
                    citation="34 CFR 303.342(e); 303.344(f)(1)",
                )
            )

    # 303.342(b), (c): six-monthly reviews and the annual meeting, counted from the last one.
    periodic = _events(case, "ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held")
    last, previous = latest_on_or_before(periodic, as_of)
    if last is not None:
        clocks.append(
            _recurring(
                ctx,
                "ifsp_periodic_review",
                last,
                previous,
                ("ifsp_review_held", "ifsp_annual_meeting_held"),
                "IFSP periodic review",
            )
        )
    annual = _events(case, "ifsp_meeting_held", "ifsp_annual_meeting_held")
    last, previous = latest_on_or_before(annual, as_of)
    if last is not None:
        clocks.append(
            _recurring(
                ctx,
                "ifsp_annual_meeting",
                last,
                previous,
                ("ifsp_annual_meeting_held",),
                "Annual IFSP meeting",
            )
        )

    # 303.209: transition, counted back from the day Part C ends.
    entry = ctx.entry
    if entry is not None and entry.date < ctx.third_birthday and not not_eligible:
        clocks.extend(_transition_clocks(ctx, branch))
    return clocks


def _recurring(
    ctx: Context, name: str, last, previous, stops: tuple[str, ...], label: str
) -> Clock:
    events = _events(ctx.case, *stops)
    return recurring_clock(
        lambda day: _clock(
            ctx, name, id=name, start=day, label=label, stop_events=_after(events, day)
        ),
        last,
        previous,
        ctx.end,
        f"on or after the day Part C ends ({ctx.end}: {ctx.end_reason})",
        "held",
    )


def _transition_clocks(ctx: Context, branch: str | None) -> list[Clock]:
    case, ruleset, as_of, referral = ctx.case, ctx.ruleset, ctx.as_of, ctx.entry
    came = "referred" if referral.type == "referral_received" else referral.type.replace("_", " ")
    clocks = []
    potential = _last(case, "part_b_potential_eligibility")
    not_potential = (
        potential is not None
        and potential.date <= as_of
        and potential.outcome == "not_potentially_eligible"
    )
    objection = _first(case, "notification_objection")
    opt_out = (
        objection is not None and objection.date <= as_of and _opt_out(ruleset, objection.date)
    )
    names = (
        ("transition_notification", "Notify SEA and LEA of transition"),
        ("transition_conference", "Transition conference"),
        ("transition_plan", "Transition plan in the IFSP"),
    )
    under_45 = branch == "under_45"
    # Transition clocks that do not run here: the first row whose condition holds makes
    # the clock not applicable. (clock, condition, citation, the regulation's reason)
    not_running: tuple[tuple[str, bool, str, str], ...] = (
        (
            "transition_conference",
            under_45,
            "34 CFR 303.209(b)(1)(iii)",
            "referred fewer than 45 days before the third birthday: no Part C evaluation or IFSP is required",
        ),
        (
            "transition_plan",
            under_45,
            "34 CFR 303.209(b)(1)(iii)",
            "referred fewer than 45 days before the third birthday: no IFSP, so no transition plan in it",
        ),
        (
            "transition_notification",
            not_potential,
            "34 CFR 303.209(b)(1)",
            f"not potentially eligible for Part B (recorded {potential.date}): no notification is due"
            if not_potential
            else "",
        ),
        (
            "transition_notification",
            opt_out,
            "34 CFR 303.209(b)(2); 303.401(e)",
            f"the parent objected on {objection.date} under the state's opt-out policy: the notification may not be made"
            if opt_out
            else "",
        ),
        (
            "transition_conference",
            not_potential,
            "34 CFR 303.209(c)(2)",
            "not potentially eligible for Part B: with family approval, make reasonable efforts to convene a conference with providers of other services (no federal deadline)",
        ),
    )
    for name, label in names:
        cite = f"34 CFR 303.209({'b' if name.endswith('notification') else 'c' if name.endswith('conference') else 'd'})"
        if under_45 and name == "transition_notification":
            continue  # a referral, not a clock: see referrals_for
        why_not = next(
            (
                (citation, reason)
                for clock_name, holds, citation, reason in not_running
                if holds and clock_name == name
            ),
            None,
        )
        if why_not is not None:
            clocks.append(
                not_applicable(
                    id=name,
                    program=PROGRAM,
                    citation=why_not[0],
                    label=label,
                    start=referral.date,
                    reason=why_not[1],
                )
            )
            continue
        if name == "transition_notification" and branch == "45_to_90":
            clocks.append(_asap_notification(ctx, label))
            continue
        clock = _clock(ctx, name, id=name, start=referral.date, label=label, anchor=ctx.end)
        if (
            name == "transition_notification"
            and clock.due is not None
            and clock.status in ("overdue", "met_late", "late_excused")
        ):
            # 303.209(b)(1)(ii) is keyed to the eligibility determination: a toddler found
            # eligible after the 90-day mark is notified as soon as possible after it.
            eligible_on = _eligible_on(ctx)
            if eligible_on is None or eligible_on > clock.due:
                why = (
                    f"Part C eligibility not determined by the 90-day mark ({clock.due})"
                    if eligible_on is None
                    else f"found eligible on {eligible_on}, {(ctx.end - eligible_on).days} days "
                    f"before the third birthday, after the 90-day mark ({clock.due})"
                )
                clocks.append(_asap_notification(ctx, label, why))
                continue
        if clock.due is not None and referral.date > clock.due and clock.status != "met":
            clock = attrs.evolve(
                clock,
                status="not_applicable",
                reason=f"{came} on {referral.date}, after this deadline ({clock.due}) had passed: "
                f"hold it as soon as possible ({cite}; the regulation makes no exception for late referrals)",
            )
        elif (
            name != "transition_notification"
            and clock.due is not None
            and clock.status in ("overdue", "met_late")
            and (eligible_on := _eligible_on(ctx)) is not None
            and eligible_on > clock.due
        ):
            # Found eligible only after the 90-day mark: the deadline could not be met for a
            # toddler not yet known to have a disability; hold it as soon as possible.
            clock = attrs.evolve(
                clock,
                status="met" if clock.met_on else "not_applicable",
                reason=f"found eligible on {eligible_on}, after this deadline ({clock.due}) "
                f"had passed: hold it as soon as possible ({cite}; the regulation makes no exception)",
            )
        elif (
            clock.status in ("pending", "due_soon")
            and clock.due is not None
            and ctx.referral is not None
        ):
            initial = param_or_none(ruleset, "part_c.initial_ifsp_meeting", referral.date)
            if initial is not None and initial.value.get("unit") == "calendar_days":
                window = initial.value["length"] + (ctx.end - clock.due).days
                if (ctx.end - referral.date).days < window:
                    note = (
                        f"referred {(ctx.end - referral.date).days} days before the third birthday (within {window}): "
                        "discuss transition at the initial IFSP meeting (Preamble 2011 on 303.209)"
                    )
                    clock = attrs.evolve(
                        clock, reason=f"{clock.reason}; {note}" if clock.reason else note
                    )
        if ctx.end != ctx.third_birthday:
            note = f"counted back from {ctx.end}: {ctx.end_reason}"
            clock = attrs.evolve(clock, reason=f"{clock.reason}; {note}" if clock.reason else note)
        clocks.append(clock)
    return clocks


def _eligible_on(ctx: Context) -> date | None:
    """The first day the toddler was known eligible: an eligible determination or an IFSP meeting."""
    days = [
        e.date
        for e in _events(ctx.case, "eligibility_determined", "ifsp_meeting_held")
        if e.date <= ctx.as_of and (e.type == "ifsp_meeting_held" or e.outcome == "eligible")
    ]
    return min(days) if days else None


def _opt_out(ruleset: Ruleset, on: date) -> bool:
    """Whether the state's opt-out policy (303.401(e)) was in force on a date."""
    param = param_or_none(ruleset, "part_c.lea_notification_opt_out", on)
    return bool(param is not None and param.value)


def _asap_notification(ctx: Context, label: str, why: str | None = None) -> Clock:
    """303.209(b)(1)(ii): eligible 45-90 days before the birthday, notify as soon as possible.

    `why` replaces the "referred N days before" opening when the branch comes
    from a late eligibility determination rather than a late referral.
    """
    case = ctx.case
    determined = next(
        (
            e
            for e in _events(case, "eligibility_determined")
            if e.outcome == "eligible" and e.date <= ctx.as_of
        ),
        None,
    )
    sent = next(
        (e for e in _events(case, "transition_notification_sent") if e.date <= ctx.as_of),
        None,
    )
    cite = "34 CFR 303.209(b)(1)(ii)"
    entry = ctx.referral or ctx.entry
    days = (ctx.end - entry.date).days
    opening = why or f"referred {days} days before the third birthday"

    def notification(start: date, status: str, reason: str, met_on: date | None = None) -> Clock:
        # "As soon as possible": no due date (303.209(b)(1)(ii)).
        return Clock(
            id="transition_notification",
            program=PROGRAM,
            start=start,
            due=None,
            status=status,
            met_on=met_on,
            citation=cite,
            label=label,
            reason=reason,
        )

    if sent is not None:
        return notification(
            determined.date if determined else entry.date,
            "met",
            f"{opening}: notification as soon as possible after the eligibility determination",
            met_on=sent.date,
        )
    if determined is None:
        return notification(
            entry.date,
            "pending",
            f"{opening}: notify the SEA and LEA as soon as possible after Part C eligibility is determined",
        )
    return notification(
        determined.date,
        "due_soon",
        f"eligible on {determined.date}, {(ctx.end - determined.date).days} days before the third birthday: notify the SEA and LEA as soon as possible (no fixed number of days)",
    )


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    ctx.clocks = _close_at_end_of_part_c(ctx, _clocks(ctx))
    return ctx.clocks


def _close_at_end_of_part_c(ctx: Context, clocks: list[Clock]) -> list[Clock]:
    """Once Part C has ended (303.21(a); 303.211), nothing under it is owed any more.

    A clock already late on that day keeps its late status for reporting and
    records the day it closed; one not yet due becomes not applicable.
    """
    if ctx.as_of < ctx.end:
        return clocks
    ended = f"Part C ended on {ctx.end} ({ctx.end_reason})"
    closed = []
    for clock in clocks:
        if not clock.is_open:
            closed.append(clock)
        elif clock.due is not None and clock.due < ctx.end:
            reason = f"{clock.reason}; {ended}" if clock.reason else ended
            closed.append(attrs.evolve(clock, closed_on=ctx.end, reason=reason))
        else:
            when = "was done" if clock.due is None else "fell due"
            closed.append(
                attrs.evolve(clock, status="not_applicable", reason=f"{ended} before this {when}")
            )
    return closed


# Referrals --------------------------------------------------------------------------


@hookimpl
def referrals_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    case = ctx.case
    referrals: list[Referral] = []
    received = [e for e in _events(case, "referral_received") if e.date <= as_of]

    # 303.303(a)(2)(i): within 7 days of identifying the child.
    for identified in _events(case, "child_identified"):
        if identified.date > as_of or identified.date >= ctx.third_birthday:
            continue
        referrals.append(
            _primary_referral(ctx, identified, received, "primary_referral", identified.note)
        )
        break
    # 303.303(b): referral required for abuse or neglect and substance exposure.
    for type_ in REQUIRED_REFERRAL_EVENTS:
        event = _first(case, type_)
        if event is None or event.date > as_of or event.date >= ctx.third_birthday:
            continue
        referrals.append(
            _primary_referral(ctx, event, received, f"required_referral.{type_}", None)
        )
    required = param_or_none(ruleset, "part_c.required_referral_risk_factors", as_of)
    if required is not None and as_of < ctx.third_birthday:
        for factor in sorted(set(case.child.risk_factors) & set(required.value)):
            if any(r.id.startswith("required_referral") for r in referrals):
                break
            referrals.append(
                Referral(
                    id=f"required_referral.{factor}",
                    program=PROGRAM,
                    referrer="the primary referral source that knows of it (e.g. child welfare agency, hospital)",
                    to="the Part C lead agency",
                    reason=f"recorded risk factor {factor.replace('_', ' ')}: a child under 3 must be referred ({required.citation})",
                    citation="34 CFR 303.303(b)",
                    status="made" if received else "to_make",
                )
            )

    # 303.209(b): Part C to Part B.
    if ctx.entry is not None and ctx.entry.date < ctx.third_birthday:
        referrals.extend(_part_b_referrals(ctx))
    return referrals


def _primary_referral(ctx: Context, event, received, rid: str, note) -> Referral:
    param = param_or_none(ctx.ruleset, "part_c.primary_referral", event.date)
    by = event.date + timedelta(days=param.value["length"]) if param is not None else None
    made = next((e for e in received if e.date >= event.date), None)
    what = {
        "primary_referral": "identified as possibly needing early intervention",
        "required_referral.abuse_or_neglect_substantiated": "the subject of a substantiated case of abuse or neglect (referral required, 303.303(b)(1))",
        "required_referral.substance_exposure_identified": "directly affected by illegal substance abuse or withdrawal symptoms from prenatal drug exposure (referral required, 303.303(b)(2))",
    }[rid]
    reason = f"child under 3 {what} on {event.date}; refer as soon as possible and within {param.value['length'] if param else '?'} days"
    if made is not None:
        reason += f"; referral received {made.date}" + (" (late)" if by and made.date > by else "")
    return Referral(
        id=rid,
        program=PROGRAM,
        referrer="the primary referral source" + (f" ({note})" if note else ""),
        to="the Part C lead agency or an EIS provider",
        reason=reason,
        citation="34 CFR 303.303(a)(2)(i)" + ("" if rid == "primary_referral" else "; 303.303(b)"),
        by=by,
        status="made" if made is not None else "to_make",
    )


def _part_b_referrals(ctx: Context) -> list[Referral]:
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    eligibility = ctx.eligibility
    assert eligibility is not None  # _build_context determines it first
    branch = _late_referral(ctx)
    sent = next(
        (e for e in _events(case, "transition_notification_sent") if e.date <= as_of),
        None,
    )
    potential = _last(case, "part_b_potential_eligibility")
    if (
        potential is not None
        and potential.outcome == "not_potentially_eligible"
        and potential.date <= as_of
    ):
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason="not potentially eligible for Part B: no notification is required",
                citation="34 CFR 303.209(b)(1)",
                status="not_required",
            )
        ]
    left = next(
        (
            e
            for e in _events(case, *CLOSING)
            if e.service is None and ctx.entry.date <= e.date <= as_of
        ),
        None,
    )
    due = next((c.due for c in ctx.clocks if c.id == "transition_notification"), None)
    if sent is None and left is not None and (due is None or left.date <= due):
        # Consent withdrawn (303.420(d)), moved out or exited: the toddler is no longer
        # in this Part C program, so there is no transition notification to make.
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason=f"{left.type.replace('_', ' ')} on {left.date}: the toddler left Part C, "
                "so no transition notification is due",
                citation="34 CFR 303.209(b)(1)",
                status="not_required",
            )
        ]
    objection = _first(case, "notification_objection")
    if objection is not None and objection.date <= as_of and _opt_out(ruleset, objection.date):
        return [
            Referral(
                id="part_b_notification",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA",
                reason=f"the parent objected on {objection.date} under the state's opt-out policy: the notification may not be made",
                citation="34 CFR 303.209(b)(2); 303.401(e)",
                status="not_required",
            )
        ]
    days = (ctx.end - ctx.entry.date).days
    if branch == "under_45":
        return [
            Referral(
                id="part_b_referral_late",
                program=PROGRAM,
                referrer="the Part C lead agency",
                to="the SEA and the LEA where the toddler resides",
                reason=f"referred to Part C {days} days before the third birthday ({ctx.third_birthday}), fewer than "
                f"{late_referral_days(ctx)}: with parental consent (303.414) refer the toddler "
                "to the SEA and LEA as soon as possible; no Part C evaluation, assessment or IFSP is required",
                citation="34 CFR 303.209(b)(1)(iii)",
                by=ctx.third_birthday if sent is None else None,
                status="made" if sent else "to_make",
            )
        ]
    if eligibility.outcome == "not_eligible" and not any(
        c.id == "transition_notification" for c in ctx.clocks
    ):
        return []
    clock = next((c for c in ctx.clocks if c.id == "transition_notification"), None)
    if branch == "45_to_90" or (clock is not None and clock.citation.endswith("(b)(1)(ii)")):
        if branch == "45_to_90":
            opening = f"referred {days} days before the third birthday"
        else:
            assert clock is not None  # the test above needs a clock on this branch
            opening = (clock.reason or "").split(":")[0]
        reason = (
            f"{opening}: notify the SEA and LEA as soon as possible after "
            "the Part C eligibility determination that the toddler will reach Part B age"
        )
        by = None
        cite = "34 CFR 303.209(b)(1)(ii)"
    else:
        by = clock.due if clock is not None else None
        reason = (
            f"potentially eligible for Part B: tell the SEA and LEA where the toddler resides, not fewer than 90 days "
            f"before the third birthday ({ctx.end}), that the toddler will reach Part B age"
        )
        cite = "34 CFR 303.209(b)(1)(i)"
    return [
        Referral(
            id="part_b_notification",
            program=PROGRAM,
            referrer="the Part C lead agency",
            to="the SEA and the LEA where the toddler resides",
            reason=reason,
            citation=cite,
            by=by,
            status="made" if sent else "to_make",
        )
    ]


# Findings ---------------------------------------------------------------------------


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks):
    ctx = _context(case, ruleset, as_of)
    if ctx is None:
        return None
    findings = list(ctx.findings)
    branch = _late_referral(ctx)
    if branch is not None:
        days = (ctx.end - ctx.referral.date).days
        findings.append(
            Finding(
                rule="part_c.late_referral",
                outcome=branch,
                reason=(
                    f"Referred {days} days before the third birthday ({ctx.third_birthday}): "
                    + (
                        "fewer than 45 days, so no evaluation, assessment or initial IFSP meeting is required; refer to the SEA and LEA with consent."
                        if branch == "under_45"
                        else "45 to 90 days, so the 45-day timeline applies and the SEA and LEA are notified as soon as possible after eligibility is determined."
                    )
                ),
                citation="34 CFR 303.209(b)(1)(ii)-(iii)",
                program=PROGRAM,
                inputs={
                    "referral_received": ctx.referral.date.isoformat(),
                    "third_birthday": ctx.third_birthday.isoformat(),
                    "days_before": days,
                },
                parameters={
                    "part_c.late_referral_days": ruleset.value(
                        "part_c.late_referral_days", ctx.referral.date
                    )
                },
            )
        )
    return findings
