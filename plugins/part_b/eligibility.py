"""Part B eligibility (34 CFR 300.8, 300.101, 300.111(b), 300.306): what the rules can check.

The engine checks the age window (300.101(a), 300.102(a)(1)), that the category
the team found is one the state allows (300.8; developmental delay only where the
state adopted it, for its ages, 300.8(b), 300.111(b)) and that the determination
is on record (300.306); only the team decides the rest.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from eirules.core.clocks import param_or_none
from eirules.core.dates import birthday
from eirules.core.decisions import Criterion, Eligibility
from eirules.core.explain import prose
from eirules.core.made import made_eligibility, made_finding

from ..criteria import criterion_finding, for_program, missing_of
from .context import PROGRAM, Context, of_type
from .school import grade_completed

TEAM_ONLY = (
    "Only the team decides whether the child has a disability and, because of it, needs "
    "special education and related services (34 CFR 300.8(a)(1), 300.306); the engine checks "
    "the age window, that the category is one the state allows and that the determination is on record"
)


def eligibility(ctx: Context) -> Eligibility:
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    through = ruleset.param("part_b.age_through", as_of)
    if as_of >= ctx.ends:
        reason = (
            f"Not eligible for Part B on {as_of}: FAPE is available through age {through.value} "
            f"({through.citation}), which ended on {ctx.ends}."
        )
        ctx.findings.append(
            made_finding(
                rule="part_b.eligibility.age",
                outcome="not_eligible",
                reason=reason,
                citation="34 CFR 300.101(a); 300.102(a)(1)",
                program=PROGRAM,
                inputs={"birth_date": case.child.birth_date.isoformat()},
                parameters={"part_b.age_through": through.value},
            )
        )
        return made_eligibility(
            program=PROGRAM, outcome="not_eligible", citation="34 CFR 300.101(a)", reason=reason
        )
    determined = None
    for event in of_type(case, "eligibility_determined"):
        if event.date <= as_of:
            determined = event
    if determined is None or determined.outcome not in ("eligible", "not_eligible"):
        what = (
            "the team's eligibility determination (an eligibility_determined event with category and outcome)"
            if determined is None
            else f"the outcome of the determination recorded on {determined.date} (eligible or not_eligible)"
        )
        return made_eligibility(
            program=PROGRAM,
            outcome="needs_information",
            missing=(what,),
            citation="34 CFR 300.306",
            reason=f"{TEAM_ONLY}. Missing: {what}.",
        )
    on = determined.date
    if param_or_none(ruleset, "part_b.disability_categories", on) is None:
        on = as_of  # a determination from before the ruleset's first value: use today's rules
    categories = ruleset.param("part_b.disability_categories", on)
    allowed = list(categories.value)
    dd_used = ruleset.param("part_b.developmental_delay.used", on)
    dd_from = ruleset.value("part_b.developmental_delay.age_from", on)
    # The upper age is the law on the day judged: a state that raises it (Ohio H.B. 554,
    # Florida S.B. 236) keeps children already found eligible under the category.
    dd_through = ruleset.value("part_b.developmental_delay.age_through", max(on, as_of))
    if dd_used.value:
        allowed.append("developmental_delay")
    parameters = {
        "part_b.disability_categories": list(categories.value),
        "part_b.developmental_delay.used": dd_used.value,
    }
    if determined.outcome == "not_eligible":
        reason = f"Not eligible for Part B: the team determined on {on} that the child is not a child with a disability. {TEAM_ONLY}."
        ctx.findings.append(
            made_finding(
                rule="part_b.eligibility.team",
                outcome="not_eligible",
                reason=reason,
                citation="34 CFR 300.306(a)",
                program=PROGRAM,
                inputs={"determined": on.isoformat(), "category": determined.category},
            )
        )
        return made_eligibility(
            program=PROGRAM, outcome="not_eligible", citation="34 CFR 300.306(a)", reason=reason
        )
    category = determined.category
    if category is None or category not in allowed:
        what = (
            "the disability category the team found"
            if category is None
            else f"a category the ruleset allows (the team recorded {category!r}; allowed: {', '.join(allowed)})"
        )
        extra = ""
        if category == "developmental_delay" and not dd_used.value:
            extra = f" The state has not adopted the developmental delay category, so an LEA may not use it ({dd_used.citation})."
        reason = f"Part B eligibility cannot be confirmed: {what}.{extra}"
        ctx.findings.append(
            made_finding(
                rule="part_b.eligibility.category",
                outcome="needs_information",
                reason=reason,
                citation="34 CFR 300.8; 300.111(b)",
                program=PROGRAM,
                inputs={"determined": on.isoformat(), "category": category},
                parameters=parameters,
            )
        )
        return made_eligibility(
            program=PROGRAM,
            outcome="needs_information",
            missing=(what,),
            citation="34 CFR 300.8",
            reason=reason,
        )
    leap = ruleset.value("dates.leap_day_birthday", as_of)
    words = category.replace("_", " ")
    if category == "developmental_delay":
        dd_ends = birthday(case.child.birth_date, dd_through + 1, leap_day=leap)
        dd_starts = birthday(case.child.birth_date, dd_from, leap_day=leap)
        parameters.update(
            {
                "part_b.developmental_delay.age_from": dd_from,
                "part_b.developmental_delay.age_through": dd_through,
            }
        )
        span = f"ages {dd_from} through {dd_through}"
        dd_ends, span, grade_note = _grade_limit(ctx, max(on, as_of), dd_ends, span, parameters)
        if as_of >= dd_ends or on < dd_starts:
            reason = (
                f"The developmental delay category covers {span} in this state "
                f"(34 CFR 300.8(b)); it {'lapsed on ' + str(dd_ends) if as_of >= dd_ends else 'did not apply on ' + str(on)}"
                f"{grade_note}. The team must determine eligibility under another category."
            )
            ctx.findings.append(
                made_finding(
                    rule="part_b.eligibility.developmental_delay_age",
                    outcome="needs_information",
                    reason=reason,
                    citation="34 CFR 300.8(b); 300.111(b)",
                    program=PROGRAM,
                    inputs={"determined": on.isoformat()},
                    parameters=parameters,
                )
            )
            return made_eligibility(
                program=PROGRAM,
                outcome="needs_information",
                missing=("a determination under a category other than developmental delay",),
                citation="34 CFR 300.8(b)",
                reason=reason,
            )
        ctx.findings.append(
            made_finding(
                rule="part_b.eligibility.developmental_delay_age",
                outcome="eligible",
                reason=prose(
                    "The developmental delay category ends on {ends} ({span}{note}); "
                    "plan a reevaluation under another category before then.",
                    ends=dd_ends,
                    span=span,
                    note=grade_note,
                ),
                citation="34 CFR 300.8(b); 300.111(b)",
                program=PROGRAM,
                inputs={"determined": on.isoformat()},
                parameters=parameters,
            )
        )
    cite = "34 CFR 300.8(b)" if category == "developmental_delay" else categories.citation
    reason = f"Eligible for Part B under {words}: the team determined it on {on}, and {words} is a category the state allows ({cite})."
    if as_of < ctx.starts:
        reason += f" FAPE begins at age 3 ({ctx.starts}; 34 CFR 300.101(b))."
    ctx.findings.append(
        made_finding(
            rule="part_b.eligibility.team",
            outcome="eligible",
            reason=f"{reason} {TEAM_ONLY}.",
            citation=f"{cite}; 34 CFR 300.306",
            program=PROGRAM,
            inputs={"determined": on.isoformat(), "category": category},
            parameters=parameters,
        )
    )
    return made_eligibility(
        program=PROGRAM, outcome="eligible", basis=(category,), citation=cite, reason=reason
    )


def with_criteria(
    ctx: Context, outcome: Eligibility, criteria: tuple[Criterion, ...]
) -> Eligibility:
    """Part B's one outcome with other plugins' criteria for part_b taken into account.

    The team's determination stays what Part B eligibility rests on (300.306(a)(1),
    (c)(1)): a criterion never makes a child eligible or not eligible by itself. A
    `met` criterion is listed as a basis beside the category the team found; a
    criterion named after that category (its `basis`, e.g. specific_learning_disability)
    is the state's criteria for it, which the agency must use (300.307(b) for specific
    learning disabilities): `not_met` or `needs_information` leaves the determination
    unconfirmed (needs_information). Past the age window nothing changes (300.101(a)).
    Every criterion is also a finding `part_b.eligibility.<basis>`.
    """
    mine = for_program(criteria, PROGRAM)
    if not mine or ctx.as_of >= ctx.ends:
        return outcome
    ctx.findings.extend(criterion_finding(c) for c in mine)
    met = [c for c in mine if c.outcome == "met"]
    if outcome.outcome == "eligible":
        category = outcome.basis[0] if outcome.basis else None
        against = [c for c in mine if c.basis == category and c.outcome != "met"]
        if against:
            words = (category or "").replace("_", " ")
            said = "; ".join(f"{c.reason} ({c.citation})" for c in against)
            return made_eligibility(
                program=PROGRAM,
                outcome="needs_information",
                missing=tuple(
                    m
                    for c in against
                    for m in (
                        missing_of(c)
                        if c.outcome == "needs_information"
                        else (f"a determination that meets the state's criteria for {words}",)
                    )
                ),
                citation="; ".join(
                    dict.fromkeys(["34 CFR 300.306", *(c.citation for c in against)])
                ),
                reason=f"Part B eligibility under {words} cannot be confirmed: the team determined it, "
                f"but the state's criteria for {words} are not shown to be met: {said}. "
                "Review the determination against the state's criteria (34 CFR 300.306(c)(1); 300.307(b)).",
            )
        if not met:
            return outcome
        return attrs.evolve(
            outcome,
            basis=tuple(dict.fromkeys([*outcome.basis, *(c.basis for c in met)])),
            citation="; ".join(dict.fromkeys([outcome.citation, *(c.citation for c in met)])),
            reason=outcome.reason + " Also met: " + "; ".join(c.reason for c in met) + ".",
        )
    if outcome.outcome == "needs_information":
        missing = [*outcome.missing]
        for c in mine:
            if c.outcome == "needs_information":
                missing.extend(missing_of(c))
        extra = (" Already met: " + "; ".join(c.reason for c in met) + ".") if met else ""
        return attrs.evolve(
            outcome, missing=tuple(dict.fromkeys(missing)), reason=outcome.reason + extra
        )
    # The team found the child not eligible: only the team may change that (300.306(a)(1)).
    if not met:
        return outcome
    return attrs.evolve(
        outcome,
        reason=outcome.reason
        + " A criterion is met ("
        + "; ".join(f"{c.reason}, {c.citation}" for c in met)
        + "): the team decides; review the determination if it did not consider it.",
    )


def _grade_limit(ctx: Context, on, dd_ends, span: str, parameters: dict):
    """A state's grade end for the developmental delay category, if it comes first.

    Where the state says "through age 9, or through the student's completion of grade 2,
    whichever occurs first" (Fla. Admin. Code 6A-6.03027(1)), the category lapses the day
    after the grade was completed (the case file's school.grades). Without that date the
    age alone is used and the reason says what is missing. Returns (ends, span, note).
    """
    grade = param_or_none(ctx.ruleset, "part_b.developmental_delay.through_grade", on)
    if grade is None:
        return dd_ends, span, ""
    parameters["part_b.developmental_delay.through_grade"] = grade.value
    span = f"{span} or through completion of grade {grade.value}, whichever occurs first ({grade.citation})"
    done, how = grade_completed(ctx.case, grade.value)
    if done is None:
        return (
            dd_ends,
            span,
            f"; the case file gives no date for completing grade {grade.value} (school.grades), "
            "so the age alone is counted",
        )
    lapses = done + timedelta(days=1)
    if lapses < dd_ends:
        return lapses, span, f"; the student {how}"
    return dd_ends, span, ""
