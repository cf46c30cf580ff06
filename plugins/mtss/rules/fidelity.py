"""R10 fidelity gate and R13 service-minutes reconciliation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..models import Enrolment, MtssRecord, Session
from ..params import Params
from .common import Recommendation, _insufficient

# --- R10 fidelity and R13 minutes ----------------------------------------------------


def _sessions_for(rec: MtssRecord, enrolment: Enrolment) -> list[Session]:
    out = []
    for s in rec.sessions:
        if s.date < enrolment.start or (enrolment.end and s.date > enrolment.end):
            continue
        if enrolment.group and s.group not in (None, enrolment.group):
            continue
        if not enrolment.group and s.program not in (None, enrolment.program):
            continue
        if s.service is not None:
            continue
        out.append(s)
    return out


def _logged(rec: MtssRecord, enrolment: Enrolment, as_of: date) -> list[Session]:
    """The enrolment's session logs that count against its plan as of a date.

    With a weekly schedule the plan covers full weeks only, so logs from a week that has
    not ended yet wait until it has (otherwise they inflate the delivered share).
    """
    logs = [s for s in _sessions_for(rec, enrolment) if s.date <= as_of]
    if enrolment.sessions_per_week and enrolment.minutes_per_session:
        end = min(as_of, enrolment.end) if enrolment.end else as_of
        weeks = max(0, (end - enrolment.start).days + 1) // 7
        cutoff = date.fromordinal(enrolment.start.toordinal() + 7 * weeks)
        logs = [s for s in logs if s.date < cutoff]
    return logs


def _planned(
    enrolment: Enrolment, logged: list[Session], as_of: date, calendar=None
) -> tuple[int, int, str]:
    """(planned sessions, planned minutes, how they were counted) for an enrolment.

    With a weekly schedule and a school calendar, each full week plans its sessions on the
    calendar's school days (a week with three school days plans at most three sessions):
    closures come from the calendar, not from whoever logged them. Without a calendar the
    logged `school_closed` sessions are taken off instead.
    """
    end = min(as_of, enrolment.end) if enrolment.end else as_of
    if enrolment.sessions_per_week and enrolment.minutes_per_session:
        weeks = max(0, (end - enrolment.start).days + 1) // 7
        per = enrolment.sessions_per_week
        if calendar is not None:
            n = 0
            for w in range(weeks):
                first = enrolment.start.toordinal() + 7 * w
                open_days = sum(
                    calendar.is_school_day(date.fromordinal(first + d)) for d in range(7)
                )
                n += min(per, open_days)
            basis = f"{per}/week x {weeks} full weeks on the school calendar's school days"
        else:
            # Days the school was closed (breaks, snow days) were never deliverable.
            closed = [x for x in logged if x.status == "school_closed" and not x.makeup]
            n = max(0, per * weeks - len(closed))
            basis = f"{per}/week x {weeks} full weeks" + (
                f" less {len(closed)} school-closed" if closed else ""
            )
        return n, max(0, n * enrolment.minutes_per_session), basis

    regular = [s for s in logged if not s.makeup and s.status != "school_closed"]
    return len(regular), sum(s.planned_minutes for s in regular), "sessions logged"


def min_planned_sessions(p: Params) -> tuple[int, str]:
    """Planned sessions before the 80% line is applied, and where the number comes from.

    `fidelity.min_planned_sessions` when the district sets it; otherwise the smallest
    number of sessions at which one missed session alone does not fall below the
    threshold (5 for 80%: 4 of 5 is 80%, 3 of 4 is 75%), derived from the threshold itself.
    """
    value = p.v("fidelity.min_planned_sessions", None)
    if value is not None:
        return int(value), "fidelity.min_planned_sessions"
    share = p.v("fidelity.min_share")
    n = 1
    while share < 1 and (n - 1) / n < share:
        n += 1
    return n, f"derived: one missed session of {n} keeps {(n - 1) / n:.0%}"


def fidelity(
    rec: MtssRecord, enrolment: Enrolment, as_of: date, p: Params, calendar=None
) -> Recommendation:
    """R10: was the intervention delivered (the school's side), and did the student attend?

    Delivery: sessions held (delivered, or held while this student was absent) against the
    sessions planned; one student's absences never make a group's delivery look poor.
    Attendance: sessions the student attended of those held. Below the threshold either
    way, non-response is not judged yet (a fidelity issue or an attendance issue) [S76].
    """
    names = ("fidelity.min_share", "fidelity.min_planned_sessions")
    logged = _logged(rec, enrolment, as_of)
    n_planned, m_planned, basis = _planned(enrolment, logged, as_of, calendar)
    subject = enrolment.group or enrolment.program
    need, need_basis = min_planned_sessions(p)
    if n_planned == 0 or m_planned == 0 or n_planned < need:
        return _insufficient(
            "R10",
            (
                f"{subject}: {n_planned} planned session(s) so far ({basis}); the "
                f"{p.v('fidelity.min_share'):.0%} line is applied from {need} ({need_basis}).",
            ),
            p,
            names,
            {"sessions_planned": n_planned, "min_planned_sessions": need},
            subject=subject,
        )
    delivered = [s for s in logged if s.status == "delivered"]
    absent = [s for s in logged if s.status == "student_absent"]
    held_n = len(delivered) + len(absent)
    held_m = sum(s.minutes for s in delivered) + sum(s.planned_minutes for s in absent)
    share_s, share_m = held_n / n_planned, held_m / m_planned
    delivery = min(share_s, share_m)
    attendance = len(delivered) / held_n if held_n else None
    threshold = p.v("fidelity.min_share")
    if delivery < threshold:
        decision = "fidelity_issue"
        verdict = (
            f"Delivery below {threshold:.0%}: check delivery before calling this non-response."
        )
    elif attendance is not None and attendance < threshold:
        decision = "attendance_issue"
        verdict = (
            f"The student attended {attendance:.0%} of the sessions held, below {threshold:.0%}: "
            "address attendance before calling this non-response (the group's delivery is fine)."
        )
    else:
        decision = "fidelity_ok"
        verdict = "Delivery and attendance at or above the fidelity threshold."
    return Recommendation(
        rule="R10",
        decision=decision,
        reasons=(
            f"{subject}: {held_n} of {n_planned} planned sessions held ({share_s:.0%}) and "
            f"{held_m} of {m_planned} planned minutes ({share_m:.0%}) ({basis}); the student "
            f"attended {len(delivered)} of {held_n}"
            + (f" ({attendance:.0%})." if attendance is not None else "."),
            verdict,
        ),
        evidence={
            "program": enrolment.program,
            "group": enrolment.group,
            "sessions_planned": n_planned,
            "sessions_held": held_n,
            "sessions_delivered": len(delivered),
            "sessions_student_absent": len(absent),
            "minutes_planned": m_planned,
            "minutes_held": held_m,
            "minutes_delivered": sum(s.minutes for s in delivered),
            "session_share": round(share_s, 4),
            "minute_share": round(share_m, 4),
            "attendance": None if attendance is None else round(attendance, 4),
        },
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=subject,
    )


def reconcile(
    subject: str,
    planned: int,
    logs: Iterable[Session],
    p: Params,
    basis: str = "",
) -> Recommendation:
    """R13: planned, delivered, missed by reason, unaccounted and make-up minutes owed."""
    names = ("minutes.makeup_reasons", "minutes.alert_share")
    logs = list(logs)
    if planned == 0 and not logs:
        return _insufficient(
            "R13",
            (
                f"{subject}: no schedule (sessions and minutes per week) and no session logs: "
                "nothing to reconcile. Record the dosage or import the session logs.",
            ),
            p,
            names,
            subject=subject,
        )
    delivered = sum(s.minutes for s in logs if s.status == "delivered" and not s.makeup)
    makeup = sum(s.minutes for s in logs if s.status == "delivered" and s.makeup)
    missed: dict[str, int] = {}
    for s in logs:
        if s.status != "delivered":
            missed[s.status] = missed.get(s.status, 0) + s.planned_minutes
        elif s.minutes < s.planned_minutes and not s.makeup:
            missed["short_session"] = missed.get("short_session", 0) + s.planned_minutes - s.minutes
    accounted = delivered + sum(missed.values())
    unaccounted = max(0, planned - accounted)
    owed_reasons = set(p.v("minutes.makeup_reasons"))
    owed = max(0, sum(m for r, m in missed.items() if r in owed_reasons) - makeup)
    remaining = max(0, planned - delivered - makeup)
    alert = p.v("minutes.alert_share", None)
    reasons = [
        f"{subject}: planned {planned} min ({basis}), delivered {delivered} min"
        + (f" plus {makeup} make-up" if makeup else "")
        + f", missed {sum(missed.values())} min, unaccounted {unaccounted} min.",
    ]
    if missed:
        reasons.append(
            "Missed by reason: " + ", ".join(f"{r} {m}" for r, m in sorted(missed.items())) + "."
        )
    if owed:
        reasons.append(f"Make-up owed: {owed} min lost to school- or provider-caused reasons.")
    if unaccounted:
        reasons.append("Some scheduled minutes have no log: a documentation gap.")
    if alert is None:
        reasons.append("No delivered-share alert threshold configured (minutes.alert_share).")
    decision = "makeup_owed" if owed else "documentation_gap" if unaccounted else "reconciled"
    if alert is not None and planned and (delivered + makeup) / planned < alert:
        decision = "below_alert_share"
    return Recommendation(
        rule="R13",
        decision=decision,
        reasons=reasons,
        evidence={
            "planned": planned,
            "delivered": delivered,
            "makeup_delivered": makeup,
            "missed_by_reason": missed,
            "unaccounted": unaccounted,
            "remaining": remaining,
            "makeup_owed": owed,
        },
        parameters=p.used(*names),
        citation=p.cite("minutes.makeup_reasons")
        + "; SameGoal IEP Service Fidelity report fields [S83]",
        subject=subject,
    )


def reconcile_enrolment(rec: MtssRecord, e: Enrolment, as_of: date, p: Params) -> Recommendation:
    logs = _logged(rec, e, as_of)
    _, minutes, basis = _planned(e, logs, as_of)
    if e.sessions_per_week and e.minutes_per_session:
        # Reconcile against the full schedule: closed days show as missed (never owed).
        minutes += sum(x.planned_minutes for x in logs if x.status == "school_closed")
    return reconcile(e.group or e.program, minutes, logs, p, basis)
