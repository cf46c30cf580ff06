"""Part B reviews (34 CFR 300.324(b)(1), 300.303): the annual IEP review and the reevaluation.

The IEP is reviewed at least once a year (300.324(b)(1)); a reevaluation is done
at least once every 3 years unless the parent and the agency agree it is
unnecessary (300.303(b)(2)). Each is counted from the latest one on or before
the as-of date and is not owed when it would fall due after Part B ends.
"""

from __future__ import annotations

from eirules.core.clocks import latest_on_or_before, param_or_none
from eirules.core.decisions import Clock

from ..recurring import and_next, recurring_clock
from .context import Context, after, make_clock, of_type, with_note


def annual_review(ctx: Context, last, previous) -> Clock:
    """300.324(b)(1): the IEP reviewed at least once a year, from the last meeting or review."""
    return recurring(
        ctx, "iep_annual_review", last, previous, ("iep_review_held",), "Annual IEP review"
    )


def reevaluation(ctx: Context, has_iep: bool) -> Clock | None:
    """300.303(b)(2): at least every 3 years unless waived by agreement."""
    case, as_of, eligibility = ctx.case, ctx.as_of, ctx.eligibility
    assert eligibility is not None
    # 300.303(b)(2): reevaluation at least every 3 years unless waived by agreement.
    evaluations = of_type(
        case, "evaluation_completed", "reevaluation_completed", "reevaluation_waived"
    )
    last_eval, previous_eval = latest_on_or_before(evaluations, as_of)
    if last_eval is not None and (has_iep or eligibility.outcome == "eligible"):
        name, note = _reevaluation_clock(ctx)
        clock = recurring(
            ctx,
            name,
            last_eval,
            previous_eval,
            ("reevaluation_completed", "reevaluation_waived"),
            "Reevaluation",
            id="reevaluation",
        )
        if note:
            clock = with_note(clock, note)
        if last_eval.type == "reevaluation_waived":
            clock = with_note(
                clock,
                f"counted from the agreement of {last_eval.date} that a reevaluation was unnecessary (300.303(b)(2))",
            )
        return clock
    return None


def _reevaluation_clock(ctx: Context) -> tuple[str, str | None]:
    """The state's own reevaluation clock for the child's category, if it has one."""
    eligibility = ctx.eligibility
    basis = eligibility.basis if eligibility is not None else ()
    categories = param_or_none(ctx.ruleset, "part_b.reevaluation_categories", ctx.as_of)
    if categories is None or not set(basis) & set(categories.value):
        return "reevaluation", None
    if param_or_none(ctx.ruleset, "part_b.reevaluation_for_category", ctx.as_of) is None:
        return "reevaluation", None
    found = sorted(set(basis) & set(categories.value))[0].replace("_", " ")
    return (
        "reevaluation_for_category",
        f"the state sets its own reevaluation cycle for {found} ({categories.citation})",
    )


def recurring(
    ctx: Context,
    name: str,
    last,
    previous,
    stops: tuple[str, ...],
    label: str,
    id: str | None = None,
) -> Clock:
    events = of_type(ctx.case, *stops)
    return recurring_clock(
        lambda day, then: make_clock(
            ctx, name, id=id, start=day, label=label, stop_events=and_next(after(events, day), then)
        ),
        last,
        previous,
        ctx.ends,
        lambda: f"after Part B ends ({ctx.ends})",
        "done",
    )
