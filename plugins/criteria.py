"""Other plugins' eligibility criteria as each program reads them (the eligibility_criteria hook).

Every program that combines criteria (Part C, Part B, MTSS) picks its own with
`for_program` and reports each one as the same finding, `<program>.eligibility.<basis>`;
how a criterion moves the program's one outcome is the program's rule (its
eligibility module).
"""

from __future__ import annotations

from collections.abc import Iterable

from eirules.core.decisions import Criterion, Finding

#: A criterion's outcome as the outcome of its finding.
FINDING_OUTCOME = {"met": "eligible", "not_met": "not_eligible"}


def for_program(criteria: Iterable[Criterion], program: str) -> tuple[Criterion, ...]:
    """The criteria other plugins decided for `program`, in the engine's order."""
    if not criteria:  # most cases: no plugin decided any
        return ()
    return tuple([c for c in criteria if c.program == program])  # no generator to resume


def sentence(text: str) -> str:
    """A criterion's reason (a clause) as a sentence."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def criterion_finding(criterion: Criterion) -> Finding:
    """The finding every combined criterion is reported as."""
    return Finding(
        rule=f"{criterion.program}.eligibility.{criterion.basis}",
        outcome=FINDING_OUTCOME.get(criterion.outcome, "needs_information"),
        reason=sentence(criterion.reason),
        citation=criterion.citation,
        program=criterion.program,
        inputs=criterion.inputs,
        parameters=criterion.parameters,
    )


def missing_of(criterion: Criterion) -> tuple[str, ...]:
    """What a needs_information criterion says is missing (never empty)."""
    return criterion.missing or (f"what {criterion.basis} needs",)
