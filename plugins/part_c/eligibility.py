"""Part C eligibility (34 CFR 303.21, 303.321, 303.322): who is an infant or toddler with a disability.

In order: age (303.21(a): under 3, or the 303.211 extension), a diagnosed
condition on the state's list (303.21(a)(2)), developmental delay at the state's
level (303.21(a)(1), 303.111; see `developmental_delay`), at-risk children where
the state serves them (303.21(b)), informed clinical opinion (303.321(a)(3)(ii),
which may establish eligibility but never negate it), and the team's recorded
determination (303.322) when nothing is on file for the rules to check.
"""

from __future__ import annotations

from datetime import date

from eirules.core.clocks import param_or_none
from eirules.core.decisions import Criterion, Eligibility
from eirules.core.made import made_eligibility, made_finding
from eirules.core.models import Case, Evaluation

from ..criteria import criterion_finding, for_program, missing_of
from .context import PROGRAM, Context, of_type
from .developmental_delay import (
    corrected_age,
    describe_criterion,
    describe_hit,
    describe_unread,
    meets,
    missing_measures,
    score_values,
    unread_scores,
    worst_delays,
    worst_per_area,
)

#: The developmental-delay finding's opening, per outcome.
_OPENING = {
    "eligible": "Eligible for Part C: ",
    "not_eligible": "Not eligible by developmental delay: ",
    "needs_information": "Cannot decide by developmental delay: ",
}


def _usable_evaluations(case: Case, as_of: date) -> list[Evaluation]:
    """The Part C evaluations on the latest date on or before as_of (same-day ones merged)."""
    born = case.child.birth_date
    found = []  # loops: a comprehension is a function made and called per case
    for e in case.evaluations:
        if e.date <= as_of and e.program in (None, PROGRAM) and e.date >= born:
            found.append(e)
    if not found:
        return []
    last = found[-1].date
    latest = []
    for e in found:
        if e.date == last:
            latest.append(e)
    return latest


def _continuing_criteria(case: Case, ruleset, on: date):
    """The state's continuing-eligibility criteria when `on` is a redetermination, else None.

    A redetermination is an evaluation after the child was found eligible: an earlier
    Part C eligibility_determined with outcome eligible, or an earlier IFSP meeting.
    """
    found = param_or_none(ruleset, "part_c.eligibility.continuing_delay_criteria", on)
    if found is None:
        return None
    earlier = [
        e
        for e in of_type(case, "eligibility_determined", "ifsp_meeting_held")
        if e.date < on and (e.type == "ifsp_meeting_held" or e.outcome == "eligible")
    ]
    return found if earlier else None


def eligibility(ctx: Context, plugin_criteria: tuple[Criterion, ...] = ()) -> Eligibility:
    """Part C's one outcome, other plugins' criteria for part_c combined with its own."""
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
            made_finding(
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
        return made_eligibility(
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
    conditions = []  # a loop: a comprehension is a function made and called per case
    for c in case.conditions:
        if c.diagnosed is None or c.diagnosed <= as_of:
            conditions.append(c)
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
                    made_finding(
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
    # Loops: a comprehension or generator is a function made and called per case.
    scores_found: list = []
    for e in evaluations:
        scores_found.extend(e.scores)
        if e.informed_clinical_opinion:
            icos.append(e.informed_clinical_opinion)
    if not scores_found:
        icos = []
        missing.append("an evaluation with domain scores dated on or before the as-of date")
    else:
        on = evaluations[0].date
        scores = tuple(scores_found)
        age, weeks, used, note = corrected_age(
            case.child.birth_date, case.child.gestational_age_weeks, on, ruleset
        )
        criteria = param_or_none(ruleset, "part_c.eligibility.delay_criteria", on)
        continuing = _continuing_criteria(case, ruleset, on)
        if continuing is not None:
            criteria = continuing
        values, unusable = score_values(scores, age)
        delays = worst_per_area(values)
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
                made_finding(
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
                made_finding(
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
            name = (
                "part_c.eligibility.continuing_delay_criteria"
                if continuing is not None
                else "part_c.eligibility.delay_criteria"
            )
            used = {**used, name: criteria.value}
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
                    describe_hit(
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
                worst = worst_delays(delays, criteria.value, age, weeks)
                required = (
                    f"{where} requires {'; or '.join(describe_criterion(c) for c in criteria.value)} "
                    f"({criteria.citation})"
                )
                unread = unread_scores(values, criteria.value)
                if unread:
                    # Scores the state's criteria cannot read decide nothing (303.111):
                    # never "not eligible" from a measure the state does not use.
                    gap = missing_measures(unread, criteria.value)
                    missing.append(gap)
                    text = (
                        (f"{worst}; " if worst else "")
                        + f"{describe_unread(unread, age, weeks)}: "
                        + ("a score" if sum(map(len, unread.values())) == 1 else "scores")
                        + f" the state's criteria do not read; {required}; {gap} is missing"
                    )
                    delay_outcome = "needs_information"
                else:
                    text = (
                        f"{worst}; " if worst else "no delay on the state's measures; "
                    ) + required
                    delay_outcome = "not_eligible"
            if note:
                text += f"; {note}"
            findings.append(
                made_finding(
                    rule="part_c.eligibility.developmental_delay",
                    outcome=delay_outcome,
                    reason=_OPENING[delay_outcome] + text + ".",
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

    # Criteria other plugins decide for Part C (a state's conditions a ruleset cannot say).
    for criterion in for_program(plugin_criteria, PROGRAM):
        if criterion.outcome == "met":
            basis.append(criterion.basis)
            reasons.append(criterion.reason)
            citations.append(criterion.citation)
        elif criterion.outcome == "needs_information":
            missing.extend(missing_of(criterion))
        findings.append(criterion_finding(criterion))

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
            made_finding(
                rule="part_c.eligibility.informed_clinical_opinion",
                outcome="eligible",
                reason="The informed clinical opinion of not eligible does not change the outcome: "
                "it may never be used to negate results that establish eligibility.",
                citation="34 CFR 303.321(a)(3)(ii)",
                program=PROGRAM,
            )
        )

    if basis:
        return made_eligibility(
            program=PROGRAM,
            outcome="eligible",
            basis=tuple(dict.fromkeys(basis)),
            citation="; ".join(dict.fromkeys(citations)),
            reason="Eligible for Part C: " + "; ".join(reasons) + ".",
        )
    team = None
    for event in of_type(case, "eligibility_determined"):
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
        return made_eligibility(
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
        return made_eligibility(
            program=PROGRAM,
            outcome="not_eligible",
            citation="34 CFR 303.21(a); 303.322",
            reason=findings[-1].reason
            + " No diagnosed condition on the ruleset's list is recorded."
            + tail,
        )
    tail = ""
    if team is not None and delay_outcome == "needs_information":
        tail = (
            f" The team determined the child {team.outcome.replace('_', ' ')} on {team.date} "
            "(303.322); the rules cannot check that on the scores on file."
        )
    return made_eligibility(
        program=PROGRAM,
        outcome="needs_information",
        missing=tuple(missing) or ("an evaluation the rules can use",),
        citation="34 CFR 303.321",
        reason="Part C eligibility cannot be decided yet: no diagnosed condition on the ruleset's list, "
        "and " + (missing[0] if missing else "no usable evaluation") + " is missing." + tail,
    )
