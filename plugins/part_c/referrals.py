"""Part C child find referrals (34 CFR 303.303): the primary referral source's 7 days.

A primary referral source refers a child under 3 as soon as possible and within
7 days of identifying the child (303.303(a)(2)(i), the state's number in
`part_c.primary_referral`); a substantiated case of abuse or neglect, or a child
directly affected by illegal substance abuse or prenatal drug exposure, must be
referred (303.303(b)).
"""

from __future__ import annotations

from datetime import timedelta

from eirules.core.clocks import param_or_none
from eirules.core.decisions import Referral

from .context import PROGRAM, Context, first_of, of_type

#: Events that make a referral required (303.303(b)).
REQUIRED_REFERRAL_EVENTS = ("abuse_or_neglect_substantiated", "substance_exposure_identified")


def child_find_referrals(ctx: Context) -> list[Referral]:
    """The 303.303 referrals: after identification, and those required by 303.303(b)."""
    case, ruleset, as_of = ctx.case, ctx.ruleset, ctx.as_of
    referrals: list[Referral] = []
    received = []  # a loop: a comprehension is a function made and called per case
    for e in of_type(case, "referral_received"):
        if e.date <= as_of:
            received.append(e)

    # 303.303(a)(2)(i): within 7 days of identifying the child.
    for identified in of_type(case, "child_identified"):
        if identified.date > as_of or identified.date >= ctx.third_birthday:
            continue
        referrals.append(
            primary_referral(ctx, identified, received, "primary_referral", identified.note)
        )
        break
    # 303.303(b): referral required for abuse or neglect and substance exposure.
    for type_ in REQUIRED_REFERRAL_EVENTS:
        event = first_of(case, type_)
        if event is None or event.date > as_of or event.date >= ctx.third_birthday:
            continue
        referrals.append(primary_referral(ctx, event, received, f"required_referral.{type_}", None))
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

    return referrals


def primary_referral(ctx: Context, event, received, rid: str, note) -> Referral:
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
