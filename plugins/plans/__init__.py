"""Individual plans: IFSP outcomes and IEP goals, progress reports, meetings, the contact log.

Hooks: the `plans` case-file section; a clock for each progress report owed to
the parents (34 CFR 300.320(a)(3)(ii); IFSP reviews, 303.342(b)); one finding
per goal saying where it stands; one finding per meeting rule (participants,
excusals, notice, time, place and language), each with its paragraph. The
family-facing pages are in `report.py`; the commands in `cli/plans.py`,
`cli/meetings.py` and `cli/contacts.py`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eirules.core.clocks import param_or_none, status_of
from eirules.core.decisions import Clock, Finding
from eirules.core.hookspecs import hookimpl
from eirules.core.models import Case
from eirules.core.rulesets import Ruleset

if TYPE_CHECKING:
    from .models import PlansRecord


# The rules (and the MTSS trend machinery they reuse) are imported inside the hooks
# that need them, so loading the plugin costs a command that never reads a plan nothing.

SECTION = "plans"
PROGRAM_OF_PLAN = {"ifsp": "part_c", "iep": "part_b"}
REPORT_CITATION = {
    "iep": "34 CFR 300.320(a)(3)(ii)",
    "ifsp": "34 CFR 303.342(b), 303.344(c)",
}


def record_of(case: Case) -> PlansRecord | None:
    rec = case.sections.get(SECTION)
    if rec is None:
        return None
    from .models import PlansRecord  # imported once a case has the section (start-up time)

    return rec if isinstance(rec, PlansRecord) else None


@hookimpl
def register_case_sections():
    return {SECTION: "eirules.plugins.plans.models:PlansRecord"}


@hookimpl
def clocks_for(case: Case, ruleset: Ruleset, as_of: date, eligibility):
    rec = record_of(case)
    if rec is None or not rec.progress_reports:
        return None
    soon = param_or_none(ruleset, "clocks.due_soon_days", as_of)
    due_soon_days = soon.value if soon is not None else 0
    clocks = []
    for r in rec.progress_reports:
        clocks.append(
            Clock(
                id="plans_progress_report",
                program=PROGRAM_OF_PLAN[r.plan],
                start=r.ends,
                due=r.due,
                status=status_of(
                    due=r.due, met_on=r.sent, as_of=as_of, due_soon_days=due_soon_days
                ),
                met_on=r.sent if r.sent is not None and r.sent <= as_of else None,
                citation=REPORT_CITATION[r.plan],
                label="Progress report to the parents",
                subject=r.period,
            )
        )
    return clocks


@hookimpl
def findings_for(case: Case, ruleset: Ruleset, as_of: date, eligibility, clocks):
    rec = record_of(case)
    if rec is None:
        return None
    from .meetings import check_meeting
    from .progress import goal_progress, staff_reason

    found = []
    for goal in rec.goals:
        if goal.baseline_date > as_of:
            continue
        gp = goal_progress(goal, ruleset, as_of)
        found.append(
            Finding(
                rule=f"plans.goal_progress.{goal.id}",
                outcome=gp.status,
                reason=staff_reason(gp),
                citation=("34 CFR 300.320(a)(3)(i)" if goal.plan == "iep" else "34 CFR 303.344(c)")
                + (f"; {gp.citation}" if gp.citation else ""),
                program=PROGRAM_OF_PLAN[goal.plan],
                inputs={
                    "points": len(gp.points),
                    "latest": None if gp.latest is None else gp.latest.value,
                    "target": goal.target,
                    "target_date": goal.target_date.isoformat(),
                    "projected": gp.projected,
                },
                parameters=gp.parameters,
            )
        )
    for meeting in rec.meetings:
        if meeting.date > as_of:
            continue
        for c in check_meeting(case, meeting, rec.contacts, ruleset):
            found.append(
                Finding(
                    rule=f"{c.rule}.{meeting.id}",
                    outcome=c.outcome,
                    reason=c.reason,
                    citation=c.citation,
                    program=PROGRAM_OF_PLAN[meeting.plan],
                    inputs={"meeting": meeting.id, "date": meeting.date.isoformat()},
                    parameters=c.parameters,
                )
            )
    return found
