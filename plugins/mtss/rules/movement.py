"""R8 tier movement, exit and referral, and evaluate_series (R3-R10 for one series)."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..models import MtssRecord, Series
from ..params import Params
from .benchmarks import Seasons, benchmark_at
from .common import INSUFFICIENT, Recommendation, _as_of, _fmt, _weeks
from .dual import dual_discrepancy
from .fidelity import fidelity
from .goals import Aimline, aimline_for, phase_points
from .monitoring import monitoring, series_tier
from .progress import four_point, rate_of_improvement, trend
from .screening import screening_band, skill_family

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

    @property
    def cautions(self) -> tuple[str, ...]:
        """What a reader of R8's decision alone would miss, from these same rule results:
        monitoring overdue (R9), the four-point rule (R4) pointing elsewhere than the trend
        (R5), and a trend that does not reach the goal by its date (R5 "not on track").
        Every page that shows the decision shows these next to it (`progress` prints
        the rules themselves)."""
        out = []
        if self.r9.decision == "overdue":
            out.append(f"R9 monitoring overdue: {self.r9.reasons[0]}")
        r4, r5 = self.r4, self.r5
        if r4 is not None and r4.sufficient and r4.decision != "continue":
            if r5 is None or r5.decision != r4.decision:
                trend = f" R5 says {r5.decision.replace('_', ' ')}." if r5 is not None else ""
                out.append(f"R4 and R5 disagree: {r4.reasons[0]}{trend}")
        if r5 is not None and r5.evidence.get("on_track") is False:
            out.append("R5: " + next(r for r in r5.reasons if r.startswith("Projected")))
        return tuple(out)


def _consecutive_at_benchmark(series: Series, grade: int, seasons: Seasons, p: Params) -> int:
    """Trailing points at or above the benchmark of each point's own season."""
    n = 0
    for pt in reversed(series.points):
        b = benchmark_at(series, grade, pt.date, seasons, p).value
        if b is None or series.direction * (pt.score - b) < 0:
            break
        n += 1
    return n


def _latest_band(rec: MtssRecord, series: Series, as_of: date, p: Params) -> str | None:
    """R1 band of the latest screening (as of the date) in the series' skill family."""
    fam = skill_family(series.skill_area)
    found = [
        s
        for s in rec.screenings
        if s.date <= as_of
        and (s.skill_area == series.skill_area or (fam and skill_family(s.skill_area) == fam))
    ]
    return screening_band(found[-1], p).decision if found else None


def _raised_twice(series: Series, line: Aimline | None, r4, p: Params) -> bool:
    """R4 said raise the goal now and on the k points before those (two separate reviews)."""
    if line is None or r4 is None or r4.decision != "raise_goal":
        return False
    k = p.v("four_point.consecutive")
    if len(series.points) <= k:
        return False
    earlier = attrs.evolve(series, points=series.points[:-k])
    return four_point(earlier, line, p).decision == "raise_goal"


#: R8's order, first match wins; written out in docs/mtss.md with the reasoning.
PRECEDENCE = (
    "exit",
    "escalate_tier3 (two Tier 2 cycles without response)",
    "fidelity_issue / attendance_issue (before any non-response call)",
    "revise_goal (R3 goal unrealistic, student at or above typical growth)",
    "consider_referral / adapt_tier3 / escalate_tier3 (R7 dual discrepancy)",
    "change_within_tier (R5 below target, or no improvement below the aimline)",
    "raise_goal (R5 above target)",
    "maintain (R5 near target)",
    "insufficient_data (R5 cannot tell the trend from the aimline yet)",
)


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
    r3: Recommendation | None = None,
    seasons: Seasons = (),
) -> Recommendation:
    """R8: exit, maintain, change within tier, escalate to Tier 3, or consider referral.

    The trend (R5) is the primary rule: trend rules are more accurate than point rules
    [S59], and R5 carries the slope's uncertainty. The four-point rule (R4) is shown to
    the team and counts for the exit path (raise the goal twice), but never overrides a
    trend that cannot yet be told apart from the aimline. The order is `PRECEDENCE`.
    """
    names = (
        "movement.exit_consecutive_at_benchmark",
        "movement.no_improvement_points",
        "movement.tier3_cycle_weeks",
        "tier_entry.tier3_after_tier2_cycles",
        "fidelity.min_share",
        "goal.max_ratio_to_typical_roi",
    )
    grade = rec.student.grade
    tier = series_tier(rec, series, as_of)
    at_bench = _consecutive_at_benchmark(series, grade, seasons, p)
    exit_n = p.v("movement.exit_consecutive_at_benchmark")
    band = _latest_band(rec, series, as_of, p)
    ev: dict[str, Any] = {
        "tier": tier,
        "r3": r3.decision if r3 else None,
        "r4": r4.decision if r4 else None,
        "r5": r5.decision if r5 else None,
        "r7": r7.decision if r7 else None,
        "fidelity": [r.decision for r in r10],
        "consecutive_at_benchmark": at_bench,
        "latest_screening_band": band,
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

    # 1. Exit (step down).
    if at_bench >= exit_n:
        return out(
            "exit",
            f"{at_bench} consecutive points at or above the benchmark of their season (needs "
            f"{exit_n}) [S71]: consider stepping down.",
        )
    if _raised_twice(series, line, r4, p) and band == "at_benchmark":
        return out(
            "exit",
            "The four-point rule said raise the goal at two reviews in a row and the latest "
            "screening is at benchmark: consider stepping down.",
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
    # 2. Two Tier 2 cycles without response.
    if tier == 2 and failed_t2 >= p.v("tier_entry.tier3_after_tier2_cycles"):
        return out(
            "escalate_tier3",
            f"Tier 2 with {failed_t2} Tier 2 cycles without response: consider Tier 3 "
            "(intensified, individualized) [S8].",
        )
    trend_ok = r5 is not None and r5.sufficient
    below = trend_ok and r5.decision == "change_instruction"
    above = trend_ok and r5.decision == "raise_goal"
    point_rule = None  # R4 acts only where the trend's own estimate points the same way
    if r5 is not None and r5.evidence.get("status") == "indistinguishable" and r4 and r4.sufficient:
        d, tol = r5.evidence["difference"], r5.evidence["tolerance"]
        if r4.decision == "change_instruction" and d < -tol:
            below, point_rule = True, r4
        elif r4.decision == "raise_goal" and d > tol:
            above, point_rule = True, r4
    if point_rule is not None:
        trend_ok = True
    dual = r7 is not None and r7.decision == "dual_discrepancy"
    flat = None
    if not trend_ok and line is not None:
        n_flat = p.v("movement.no_improvement_points")
        _, phase = phase_points(series, p, line.start)
        last = phase[-n_flat:]
        if (
            len(last) == n_flat
            and all(series.direction * (pt.score - last[0].score) <= 0 for pt in last[1:])
            and all(series.direction * (pt.score - line.at(pt.date)) < 0 for pt in last)
        ):
            flat = (
                f"The last {n_flat} points show no improvement over {last[0].score:g} and are "
                "all below the aimline (too early for the trend rule)"
            )
    # 3. Delivery and attendance before any non-response call.
    if below or dual or flat:
        for kind, what in (("fidelity_issue", "delivered"), ("attendance_issue", "attended")):
            bad = [r for r in r10 if r.decision == kind]
            if bad:
                return out(
                    kind,
                    "The data point to non-response, but the intervention was not "
                    f"{what} as planned: " + " ".join(r.reasons[0] for r in bad),
                    "Fix that and keep monitoring before changing the plan.",
                )
    # 4. The goal, not the instruction, was wrong.
    if (below or flat) and r3 is not None and r3.decision == "goal_unrealistic" and r5 is not None:
        typ = r3.evidence.get("typical_roi")
        slope = r5.evidence.get("trend_slope")
        if typ and slope is not None and series.direction * slope >= abs(typ):
            return out(
                "revise_goal",
                f"R3 found the goal unrealistic (more than {p.v('goal.max_ratio_to_typical_roi')} x "
                f"typical growth) and the student grows {_fmt(round(slope, 2))}/week, at or above "
                f"typical growth {_fmt(abs(typ))}: revise the goal rather than the instruction.",
            )
    # 5. Dual discrepancy.
    if dual:
        if tier == 3:
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
                    f"Dual discrepancy persists {_fmt(round(since, 1))} weeks after a data-driven "
                    f"adaptation in Tier 3 (cycle {cycle} weeks): consider a referral for a "
                    "special-education evaluation.",
                    "Share the progress data with the family; a parent may request an "
                    "evaluation at any time.",
                )
            return out(
                "adapt_tier3",
                "Dual discrepancy in Tier 3 with no data-driven adaptation yet: adapt the "
                "intervention using diagnostic data and keep monitoring.",
            )
        return out(
            "escalate_tier3",
            "Dual discrepancy (level and growth both low) "
            + (f"in Tier {tier}" if tier else "with no tier recorded for this series")
            + ": intensify (Tier 3 / data-based individualization).",
        )
    # 6-8. The trend decides.
    agree = (
        " The four-point rule agrees: " + point_rule.reasons[0] if point_rule is not None else ""
    )
    if below:
        return out(
            "change_within_tier",
            "Decision rules signal change: " + r5.reasons[0] + agree,
            "Re-evaluate after 3-4 more points.",
        )
    if flat:
        return out(
            "change_within_tier",
            flat + ": consider changing the intervention within the tier, then re-evaluate "
            "after 3-4 more points [S71].",
        )
    if above:
        return out(
            "raise_goal", "Decision rules signal growth above the aimline: " + r5.reasons[0] + agree
        )
    if trend_ok:
        return out(
            "maintain", "Progress near the aimline: continue the intervention and keep monitoring."
        )
    why = r5.reasons[0] if r5 is not None else "No aimline yet."
    return out(INSUFFICIENT, f"Not enough data yet for a decision: {why} Keep monitoring weekly.")


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
    seasons = tuple((s.date, s.window) for s in rec.screenings if s.date <= as_of)
    line, r3 = aimline_for(series, grade, p, seasons)
    r4 = four_point(series, line, p) if line else None
    r5 = trend(series, line, p) if line else None
    r6 = rate_of_improvement(series, grade, line, p, seasons)
    r7 = dual_discrepancy(series, line, p, grade, seasons) if line else None
    r9 = monitoring(rec, series, as_of, p, calendar)
    related = [
        e
        for e in rec.enrolments
        if e.skill_area == series.skill_area
        and series.program in (None, e.program)
        and e.start <= as_of
    ]
    r10 = tuple(fidelity(rec, e, as_of, p, calendar) for e in related)
    decision = movement(
        rec, series, as_of, p, r3=r3, r4=r4, r5=r5, r7=r7, r10=r10, line=line, seasons=seasons
    )
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
