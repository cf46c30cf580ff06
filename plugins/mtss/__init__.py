"""School-age intervention (MTSS/RTI): screening, groups, progress monitoring.

Hooks: the `mtss` case-file section, MTSS event types, progress-monitoring and
group-review clocks, the Part B evaluation referral a parent request or a
suspected disability starts at once, and one finding per rule and series.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs

from eirules.core.dates import add_months
from eirules.core.decisions import Clock, Criterion, Finding, Referral
from eirules.core.engine import EventType
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset

from ..criteria import criterion_finding, for_program
from .params import Params, params_for

if TYPE_CHECKING:
    from . import rules
    from .models import MtssRecord

PROGRAM = "mtss"
SECTION = "mtss"

EVENT_TYPES = {
    "parent_requested_evaluation": "A parent asked for a special-education evaluation (34 CFR 300.301(b)); starts the Part B consent request at once.",
    "disability_suspected": "Staff suspect a disability (34 CFR 300.111); starts the Part B consent request at once, whatever the intervention status.",
    "parent_informed_of_data": "Parents were given the progress data and told of strategies and their right to request an evaluation (34 CFR 300.311(a)(7)(ii)).",
    "classroom_observation": "The student was observed in the regular classroom (34 CFR 300.310).",
    "regular_instruction_documented": "Data showing the student had appropriate instruction in regular education, delivered by qualified personnel, are on file (34 CFR 300.309(b)(1)).",
    "group_review_held": "The team reviewed an intervention group's data (cycle review).",
}

REFERRAL_CITATION = (
    "34 CFR 300.301(b); 300.309(c); OSEP Memo 11-07 (RTI cannot delay or deny an evaluation)"
)


def record_of(case) -> MtssRecord | None:
    rec = case.sections.get(SECTION)
    if rec is None:
        return None
    from .models import MtssRecord  # imported once a case has the section (start-up time)

    return rec if isinstance(rec, MtssRecord) else None


@hookimpl
def register_case_sections():
    return {SECTION: "eirules.plugins.mtss.models:MtssRecord"}


@hookimpl
def register_event_types():
    return [EventType(name, (PROGRAM,), text) for name, text in EVENT_TYPES.items()]


def _finding(r: rules.Recommendation) -> Finding:
    inputs = {"subject": r.subject, "sufficient": r.sufficient, **_jsonable(r.evidence)}
    return Finding(
        rule=f"mtss.{r.rule}" + (f".{r.subject}" if r.subject else ""),
        outcome=r.decision,
        reason=r.reason,
        citation=r.citation,
        program=PROGRAM,
        inputs=inputs,
        parameters=_jsonable(r.parameters),
    )


def _jsonable(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


def _status(due: date, as_of: date) -> str:
    return "overdue" if as_of > due else "pending"


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    rec = record_of(case)
    if rec is None:
        return None
    from . import rules  # only for a case with an MTSS record (start-up time)

    p = params_for(ruleset, as_of)
    calendar = ruleset.school_calendar()
    clocks = []
    for series in rec.series:
        r9 = rules.monitoring(rec, series, as_of, p, calendar)
        if not r9.sufficient or r9.decision == "ended":
            continue
        due = date.fromisoformat(r9.evidence["due"])
        clocks.append(
            Clock(
                id="mtss_progress_monitoring",
                program=PROGRAM,
                start=date.fromisoformat(r9.evidence["last_point"]),
                due=due,
                status=_status(due, as_of),
                citation=r9.citation,
                reason=r9.reason,
                label=f"Next progress-monitoring point ({series.measure})",
                subject=series.id,
            )
        )
    clocks.extend(_review_clocks(case, rec, as_of, p))
    return clocks


def _review_clocks(case, rec: MtssRecord, as_of: date, p: Params) -> list[Clock]:
    weeks = p.v("review.cycle_weeks", None)
    if weeks is None:
        return []
    out = []
    for e in rec.enrolments:
        if e.start > as_of or (e.end is not None and e.end <= as_of):
            continue
        subject = e.group or e.program
        held = [d for d in e.reviews if d <= as_of]
        held += [
            ev.date
            for ev in case.events_of("group_review_held", program=PROGRAM)
            if ev.date <= as_of and ev.date >= e.start and ev.service in (None, subject)
        ]
        last = max(held, default=e.start)
        due = date.fromordinal(last.toordinal() + 7 * weeks)
        out.append(
            Clock(
                id="mtss_group_review",
                program=PROGRAM,
                start=last,
                due=due,
                status=_status(due, as_of),
                citation=p.cite("review.cycle_weeks"),
                reason=f"Review every {weeks} weeks; last {'review' if held else 'start'} {last}.",
                label=f"Intervention review ({e.program}, Tier {e.tier})",
                subject=subject,
            )
        )
    return out


def _triggers(case, as_of: date):
    found = []  # a loop: a comprehension is a function made and called per case
    for ev in case.events_of(
        "parent_requested_evaluation", "disability_suspected", program=PROGRAM
    ):
        if ev.date <= as_of:
            found.append(ev)
    return found


def evaluation_request(case, as_of: date) -> tuple[str, date, date | None] | None:
    """(who, date of the first request or suspicion, consent date or None), or None.

    A parent's request for an evaluation or staff suspecting a disability (34 CFR 300.301(b),
    300.111) makes R8 recommend the referral at once, whatever the progress data say.
    """
    triggers = _triggers(case, as_of)
    if not triggers:
        return None
    first = triggers[0]
    consents = [
        ev.date for ev in case.events_of("consent_for_evaluation") if first.date <= ev.date <= as_of
    ]
    who = (
        "A parent requested an evaluation"
        if first.type == "parent_requested_evaluation"
        else "Staff suspect a disability"
    )
    return who, first.date, consents[0] if consents else None


@hookimpl
def referrals_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    request = evaluation_request(case, as_of)
    if request is None:
        return None
    who, when, consented = request
    return [
        Referral(
            id="mtss_to_part_b_evaluation",
            program=PROGRAM,
            referrer="MTSS team",
            to="Part B evaluation team: request parental consent for an initial evaluation",
            reason=(
                f"{who} on {when}. Request consent promptly; intervention status never "
                "delays or denies the evaluation. The regulations give no day count for "
                "'promptly', so it is shown due from the day of the request. Send the RTI "
                "evidence packet (finding mtss.sld_evidence_packet)."
            ),
            citation=REFERRAL_CITATION,
            by=when,
            status="made" if consented else "to_make",
        )
    ]


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks, criteria):
    mine = for_program(criteria, PROGRAM)
    rec = record_of(case)
    if rec is None:
        return [criterion_finding(c) for c in mine] if mine else None
    from . import rules  # only for a case with an MTSS record (start-up time)

    p = params_for(ruleset, as_of)
    rec = rec.as_of(as_of)  # a later screening, indicator or enrolment did not exist yet
    out: list[Finding] = [criterion_finding(c) for c in mine]
    rec = with_criteria(rec, mine, as_of)
    for s in rec.screenings:
        if s is rec.latest_screening(s.skill_area):
            out.append(_finding(rules.screening_band(s, p)))
    for skill in sorted(
        {e.skill_area for e in rec.enrolments} | {i.skill_area for i in rec.indicators}
    ):
        out.append(_finding(rules.tier_entry(rec, skill, p)))
    request = evaluation_request(case, as_of)
    calendar = ruleset.school_calendar()
    for series in rec.series:
        report = rules.evaluate_series(rec, series, as_of, p, request=request, calendar=calendar)
        out.extend(_finding(r) for r in report.all)
    for e in rec.enrolments:
        if e.start <= as_of:
            out.append(_finding(rules.reconcile_enrolment(rec, e, as_of, p)))
    out.extend(_finding(r) for r in iep_minutes(case, rec, as_of, p))
    if _triggers(case, as_of):
        out.append(evidence_packet(case, rec, as_of, p, calendar))
    return out


def with_criteria(rec: MtssRecord, criteria: tuple[Criterion, ...], as_of: date) -> MtssRecord:
    """The record with other plugins' MTSS criteria as tier-entry data sources (R2).

    MTSS has no eligibility of its own (every student is in the core tier); what it
    decides per student is entry to a tier in each skill area, from k of n data
    sources. A criterion for `mtss` with its skill area in `subject` (a state's
    reading-deficiency rule, say) is one more source: `met` shows need, `not_met` does
    not, and `needs_information` is no source yet (its finding says what is missing).
    A criterion without a subject cannot be placed: its finding is all it gives.
    """
    from .models import Indicator

    extra = tuple(
        Indicator(
            name=c.basis,
            skill_area=c.subject,
            met=c.outcome == "met",
            date=as_of,
            source=f"plugin criterion ({c.citation})",
        )
        for c in criteria
        if c.subject and c.outcome in ("met", "not_met")
    )
    return attrs.evolve(rec, indicators=rec.indicators + extra) if extra else rec


def iep_minutes(case, rec: MtssRecord, as_of: date, p: Params) -> list[rules.Recommendation]:
    """R13 for IEP service lines that have session logs (service = the line's name)."""
    from . import rules

    out = []
    for plan in case.service_plans:
        if plan.kind != "iep":
            continue
        for svc in plan.services:
            logs = [s for s in rec.sessions if s.service == svc.name and s.date <= as_of]
            start = svc.started or svc.planned_start
            if not logs or start is None or not svc.sessions or not svc.minutes or not svc.per:
                continue
            end = min(as_of, svc.ended) if svc.ended else as_of
            days = (end - start).days + 1
            # Full periods only; logs from a period that has not ended wait until it has.
            if svc.per == "week":
                periods, unit = days // 7, "full weeks"
                cutoff = date.fromordinal(start.toordinal() + 7 * periods)
            elif svc.per == "month":
                periods, unit = 0, "full months"
                while add_months(start, periods + 1) <= date.fromordinal(end.toordinal() + 1):
                    periods += 1
                cutoff = add_months(start, periods)
            else:
                periods = sum(
                    1 for i in range(days) if date.fromordinal(start.toordinal() + i).weekday() < 5
                )
                unit = "weekdays"
                cutoff = date.fromordinal(end.toordinal() + 1)
            logs = [s for s in logs if s.date < cutoff]
            planned = svc.sessions * svc.minutes * periods
            basis = f"{svc.sessions} x {svc.minutes} min per {svc.per} x {periods} {unit}"
            out.append(rules.reconcile(f"IEP: {svc.name}", planned, logs, p, basis))
    return out


def evidence_packet(case, rec: MtssRecord, as_of: date, p: Params, calendar=None) -> Finding:
    """The SLD-via-RTI data a referral carries (34 CFR 300.309(a)-(b), 300.310, 300.311(a)(7))."""
    from . import rules

    series_data, missing = [], []
    for s in rec.series:
        pts = [pt for pt in s.points if pt.date <= as_of]
        # With a school calendar, breaks and closures do not count in the gaps.
        gaps = [
            rules.counted_days_between(a.date, b.date, calendar)
            for a, b in zip(pts, pts[1:], strict=False)
        ]
        tier = rules.series_tier(rec, s, as_of)
        interval = p.v(f"monitoring.interval_days.tier{tier}", None) if tier else None
        # Progress made and level reached (300.309(a)(1)-(2)(i)): R6 and R7 as of the date.
        rep = rules.evaluate_series(rec, s, as_of, p, calendar=calendar)
        series_data.append(
            {
                "roi_ols": rep.r6.evidence.get("roi_ols"),
                "roi_needed": rep.r6.evidence.get("roi_needed"),
                "level": rep.r6.evidence.get("current"),
                "benchmark": s.benchmark,
                "peer_roi": s.peer_roi,
                "dual_discrepancy": rep.r7.decision if rep.r7 else rules.INSUFFICIENT,
                "progress_decision": rep.decision.decision,
                "series": s.id,
                "measure": s.measure,
                "skill_area": s.skill_area,
                "points": [[pt.date.isoformat(), pt.score] for pt in pts],
                "largest_gap_days": max(gaps, default=None),
                "gap_days_counted": "calendar days"
                if calendar is None
                else "days that count on the school calendar (breaks and closures left out)",
                "expected_interval_days": interval,
                "at_reasonable_intervals": None
                if interval is None or not gaps
                else max(gaps) <= interval,
            }
        )
    if not series_data:
        missing.append(
            "dated progress data (repeated assessments at reasonable intervals), 300.309(b)(2)"
        )
    interventions = []
    for e in rec.enrolments:
        if e.start > as_of:
            continue
        fid = rules.fidelity(rec, e, as_of, p)
        interventions.append(
            {
                "program": e.program,
                "group": e.group,
                "tier": e.tier,
                "skill_area": e.skill_area,
                "start": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "minutes_per_week": e.sessions_per_week * e.minutes_per_session,
                "fidelity": fid.decision,
                "minute_share": fid.evidence.get("minute_share"),
            }
        )
    if not interventions:
        missing.append("interventions tried, with dosage and fidelity, 300.311(a)(7)(i)")
    if not case.events_of("parent_informed_of_data", program=PROGRAM):
        missing.append(
            "parents informed of the data, strategies and their right to request an evaluation, 300.311(a)(7)(ii)"
        )
    if not case.events_of("classroom_observation", program=PROGRAM):
        missing.append("observation in the regular classroom, 300.310")
    if not case.events_of("regular_instruction_documented", program=PROGRAM):
        missing.append(
            "data showing appropriate instruction in regular education by qualified "
            "personnel, 300.309(b)(1)"
        )
    total = 5
    complete = total - len(missing)
    return Finding(
        rule="mtss.sld_evidence_packet",
        outcome="complete" if not missing else "incomplete",
        reason=(
            f"RTI evidence packet {complete} of {total} parts present"
            + (": missing " + "; ".join(missing) + "." if missing else ".")
            + " The packet supports the evaluation; a missing part never delays the consent request."
        ),
        citation="34 CFR 300.309(a)-(b), 300.310, 300.311(a)(7)",
        program=PROGRAM,
        inputs={
            "series": series_data,
            "interventions": interventions,
            "missing": missing,
            # The team names the area(s) of 300.309(a)(1); the skill areas above are evidence.
            "sld_areas": list(p.v("sld.areas", ())),
        },
        parameters=p.used(
            "monitoring.interval_days.tier2", "monitoring.interval_days.tier3", "sld.areas"
        ),
    )
