"""R8 tier movement, exit and referral, and evaluate_series (R3-R10 for one series)."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..models import MtssRecord, Series
from ..params import Params
from .common import INSUFFICIENT, Recommendation, _as_of, _fmt, _weeks
from .dual import dual_discrepancy
from .fidelity import fidelity
from .goals import Aimline, aimline_for, phase_points
from .monitoring import monitoring, series_tier
from .progress import four_point, rate_of_improvement, trend

# --- R8 movement -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SeriesReport:
    """Every rule's recommendation for one series, and R8's combined recommendation."""

    series: Series
    aimline: Aimline | None
    r3: Recommendation
    r4: Recommendation | None
    r5: Recommendation | None
    r6: Recommendation
    r7: Recommendation | None
    r9: Recommendation
    r10: tuple[Recommendation, ...]
    decision: Recommendation

    @property
    def all(self) -> tuple[Recommendation, ...]:
        return tuple(
            r
            for r in (
                self.r3,
                self.r4,
                self.r5,
                self.r6,
                self.r7,
                self.r9,
                *self.r10,
                self.decision,
            )
            if r is not None
        )


def _consecutive_at_benchmark(series: Series) -> int:
    if series.benchmark is None:
        return 0
    n = 0
    for pt in reversed(series.points):
        if series.direction * (pt.score - series.benchmark) >= 0:
            n += 1
        else:
            break
    return n


def movement(
    rec: MtssRecord,
    series: Series,
    as_of: date,
    p: Params,
    *,
    r4: Recommendation | None,
    r5: Recommendation | None,
    r7: Recommendation | None,
    r10: tuple[Recommendation, ...],
    line: Aimline | None,
) -> Recommendation:
    """R8: exit, maintain, change within tier, escalate to Tier 3, or consider referral."""
    names = (
        "movement.exit_consecutive_at_benchmark",
        "movement.no_improvement_points",
        "movement.tier3_cycle_weeks",
        "tier_entry.tier3_after_tier2_cycles",
        "fidelity.min_share",
    )
    tier = series_tier(rec, series, as_of)
    at_bench = _consecutive_at_benchmark(series)
    exit_n = p.v("movement.exit_consecutive_at_benchmark")
    ev: dict[str, Any] = {
        "tier": tier,
        "r4": r4.decision if r4 else None,
        "r5": r5.decision if r5 else None,
        "r7": r7.decision if r7 else None,
        "fidelity": [r.decision for r in r10],
        "consecutive_at_benchmark": at_bench,
    }

    def out(decision, *reasons):
        return Recommendation(
            rule="R8",
            decision=decision,
            reasons=(*reasons, "A recommendation for the team to decide, not an action."),
            evidence=ev,
            parameters=p.used(*names),
            citation=p.cite(*names),
            sufficient=decision != INSUFFICIENT,
            subject=series.id,
        )

    if at_bench >= exit_n:
        return out(
            "exit",
            f"{at_bench} consecutive points at or above benchmark {_fmt(series.benchmark)} (needs {exit_n}): consider stepping down.",
        )
    signals = [r for r in (r4, r5) if r is not None and r.sufficient]
    change = any(r.decision == "change_instruction" for r in signals)
    raise_ = any(r.decision == "raise_goal" for r in signals)
    dual = r7 is not None and r7.decision == "dual_discrepancy"
    fidelity_bad = [r for r in r10 if r.decision == "fidelity_issue"]
    if (change or dual) and fidelity_bad:
        return out(
            "fidelity_issue",
            "The data point to non-response, but the intervention was not delivered as planned: "
            + " ".join(r.reasons[0] for r in fidelity_bad),
            "Fix delivery (attendance, minutes) and keep monitoring before changing the plan.",
        )
    if not signals and not dual:
        n_flat = p.v("movement.no_improvement_points")
        _, phase = phase_points(series, p, line.start) if line else (None, series.points)
        last = phase[-n_flat:]
        if len(last) == n_flat and all(
            series.direction * (pt.score - last[0].score) <= 0 for pt in last[1:]
        ):
            if fidelity_bad:
                return out(
                    "fidelity_issue",
                    f"The last {n_flat} points show no improvement, but the intervention was not "
                    "delivered as planned: " + " ".join(r.reasons[0] for r in fidelity_bad),
                    "Fix delivery (attendance, minutes) and keep monitoring before changing the plan.",
                )
            return out(
                "change_within_tier",
                f"The last {n_flat} points show no improvement over {last[0].score:g} "
                f"(too early for the four-point and trend rules): consider changing the "
                "intervention within the tier, then re-evaluate after 3-4 more points.",
            )
        return out(
            INSUFFICIENT, "Not enough data in this phase for a decision; keep monitoring weekly."
        )
    failed_t2 = sum(
        1
        for e in rec.enrolments
        if e.tier == 2
        and e.skill_area == series.skill_area
        and e.outcome == "not_responded"
        and (e.end is None or e.end <= as_of)  # a cycle's outcome is known when it ends
    )
    ev["tier2_cycles_without_response"] = failed_t2
    if tier == 3 and dual:
        adaptations = [ph for ph in series.phases if ph.adaptation]
        cycle = p.v("movement.tier3_cycle_weeks")
        since = (
            _weeks(adaptations[-1].date, series.points[-1].date)
            if adaptations and series.points
            else 0
        )
        ev["adaptations"] = len(adaptations)
        if adaptations and since >= cycle:
            return out(
                "consider_referral",
                f"Dual discrepancy persists {_fmt(round(since, 1))} weeks after a data-driven adaptation in Tier 3 "
                f"(cycle {cycle} weeks): consider a referral for a special-education evaluation.",
                "Share the progress data with the family; a parent may request an evaluation at any time.",
            )
        return out(
            "adapt_tier3",
            "Dual discrepancy in Tier 3"
            + (
                f", {_fmt(round(since, 1))} weeks since the last adaptation (cycle {cycle})"
                if adaptations
                else " with no data-driven adaptation yet"
            )
            + ": adapt the intervention using diagnostic data and keep monitoring.",
        )
    if tier == 2 and (dual or failed_t2 >= p.v("tier_entry.tier3_after_tier2_cycles")):
        why = (
            "dual discrepancy (level and growth both low)"
            if dual
            else f"{failed_t2} Tier 2 cycles without response"
        )
        return out(
            "escalate_tier3", f"Tier 2 with {why}: consider Tier 3 (intensified, individualized)."
        )
    if dual:
        return out(
            "escalate_tier3",
            "Dual discrepancy (level and growth both low) "
            + (f"in Tier {tier}" if tier else "with no tier recorded for this series")
            + ": intensify (Tier 3 / data-based individualization).",
        )
    if change:
        return out(
            "change_within_tier",
            "Decision rules signal change: "
            + " ".join(r.reasons[0] for r in signals if r.decision == "change_instruction"),
            "Re-evaluate after 3-4 more points.",
        )
    if raise_:
        return out(
            "raise_goal",
            "Decision rules signal growth above the aimline: "
            + " ".join(r.reasons[0] for r in signals if r.decision == "raise_goal"),
        )
    return out(
        "maintain", "Progress near the aimline: continue the intervention and keep monitoring."
    )


REFERRAL_CITATION = (
    "34 CFR 300.301(b); 300.111; OSEP Memo 11-07 (RTI cannot delay or deny an evaluation)"
)


def refer_now(decision: Recommendation, request: tuple[str, date, date | None]) -> Recommendation:
    """R8 ALWAYS: a parent's request or a suspected disability starts the consent request now.

    The progress-data recommendation stays in the reasons (the intervention goes on alongside
    the evaluation), but it never delays or replaces the referral.
    """
    who, when, consent = request
    state = (
        f"Consent for the initial evaluation was given on {consent}: the Part B evaluation "
        "is running; keep intervening and monitoring alongside it."
        if consent
        else "Request parental consent for a Part B initial evaluation now; the intervention "
        "status never delays or denies it. Send the RTI evidence packet."
    )
    return attrs.evolve(
        decision,
        decision="refer_for_evaluation",
        reasons=(
            f"{who} on {when}. {state}",
            f"The progress data alone suggest: {decision.decision.replace('_', ' ')} - "
            + decision.reasons[0],
            "A recommendation for the team to decide, not an action.",
        ),
        evidence={
            **decision.evidence,
            "evaluation_requested": when.isoformat(),
            "consent": consent.isoformat() if consent else None,
            "data_decision": decision.decision,
        },
        citation=f"{REFERRAL_CITATION}; {decision.citation}",
        sufficient=True,
    )


def evaluate_series(
    rec: MtssRecord,
    series: Series,
    as_of: date,
    p: Params,
    *,
    request: tuple[str, date, date | None] | None = None,
    calendar=None,
) -> SeriesReport:
    """Run R3-R10 for one series as of a date (points after as_of are ignored).

    `request` is (who, date, consent date or None) when a parent requested an evaluation or
    staff suspect a disability: R8 then recommends the referral at once (34 CFR 300.301(b)).
    """
    series = _as_of(series, as_of)
    grade = rec.student.grade
    line, r3 = aimline_for(series, grade, p)
    r4 = four_point(series, line, p) if line else None
    r5 = trend(series, line, p) if line else None
    r6 = rate_of_improvement(series, grade, line, p)
    r7 = dual_discrepancy(series, line, p) if line else None
    r9 = monitoring(rec, series, as_of, p, calendar)
    related = [
        e
        for e in rec.enrolments
        if e.skill_area == series.skill_area
        and series.program in (None, e.program)
        and e.start <= as_of
    ]
    r10 = tuple(fidelity(rec, e, as_of, p) for e in related)
    decision = movement(rec, series, as_of, p, r4=r4, r5=r5, r7=r7, r10=r10, line=line)
    if request is not None:
        decision = refer_now(decision, request)
    return SeriesReport(
        series=series,
        aimline=line,
        r3=r3,
        r4=r4,
        r5=r5,
        r6=r6,
        r7=r7,
        r9=r9,
        r10=r10,
        decision=decision,
    )
