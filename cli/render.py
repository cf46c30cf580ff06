"""Plain-text rendering of determinations for case managers."""

from __future__ import annotations

from eirules.core.decisions import Determination
from eirules.core.models import Case

_STATUS_WORDS = {
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "pending": "pending",
    "met": "met",
    "met_late": "met late",
    "late_excused": "late, excused",
    "not_applicable": "not applicable",
}


_PROGRAMS = {"part_c": "Part C", "part_b": "Part B", "mtss": "MTSS"}


def _clock_lines(c, as_of) -> list[str]:
    """One clock: status, id, label, window and due date, days left, met date, reason, citation."""
    when = ""
    if c.due is not None:
        days = c.days_left(as_of)
        window = f"{c.opens.isoformat()} to " if c.opens else ""
        when = f"due {window}{c.due.isoformat()}"
        if c.status in ("pending", "due_soon"):
            when += f" ({days} day{'s' if days != 1 else ''} left)"
        elif c.status in ("overdue", "late_excused") and c.met_on is None:
            when += f" ({-days} day{'s' if days != -1 else ''} overdue)"
    elif c.status in ("pending", "due_soon"):
        when = "as soon as possible"
    met = f", met {c.met_on.isoformat()}" if c.met_on else ""
    subject = f" [{c.subject}]" if c.subject else ""
    program = _PROGRAMS.get(c.program, c.program)
    lines = [f"  {_STATUS_WORDS[c.status]:<15} {c.id}{subject}: {when}{met}  [{c.citation}]"]
    detail = f"{program}: {c.label}" if c.label else program
    if c.excused_by:
        detail += f"; excused by {c.excused_by.replace('_', ' ')}"
    lines.append(f"                  {detail}")
    if c.reason:
        lines.append(f"                  {c.reason}")
    return lines


def render_determination(det: Determination, case: Case | None = None) -> str:
    """A readable summary: what is decided, why, what is due next, with dates and citations."""
    lines = [
        f"Case {det.case}  (ruleset {det.ruleset}, as of {det.as_of.isoformat()}, {det.engine})"
    ]
    if case is not None:
        lines.append(
            f"Child born {case.child.birth_date.isoformat()}"
            + (
                f", {case.child.gestational_age_weeks} weeks' gestation"
                if case.child.gestational_age_weeks
                else ""
            )
        )
    lines.append("")
    lines.append("Eligibility")
    if not det.eligibility:
        lines.append("  (no program decided eligibility for this case)")
    for e in det.eligibility:
        basis = (
            f" on the basis of {', '.join(b.replace('_', ' ') for b in e.basis)}" if e.basis else ""
        )
        lines.append(f"  {e.program}: {e.outcome.replace('_', ' ')}{basis}  [{e.citation}]")
        if e.reason:
            lines.append(f"    {e.reason}")
        for item in e.missing:
            lines.append(f"    missing: {item}")
    lines.append("")
    lines.append("Clocks")
    if not det.clocks:
        lines.append("  (none)")
    for c in det.clocks:
        lines.extend(_clock_lines(c, det.as_of))
    if det.referrals:
        lines.append("")
        lines.append("Referrals")
        for r in det.referrals:
            by = f" by {r.by.isoformat()}" if r.by else ""
            lines.append(
                f"  {r.referrer} -> {r.to}{by} ({r.status.replace('_', ' ')}): {r.reason}  [{r.citation}]"
            )
    if det.findings:
        lines.append("")
        lines.append("Findings")
        for f in det.findings:
            lines.append(f"  {f.rule}: {f.outcome}  [{f.citation}]")
            lines.append(f"    {f.reason}")
    return "\n".join(lines)
