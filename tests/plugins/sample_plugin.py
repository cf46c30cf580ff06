"""A third-party plugin implementing every eirules hook, as an agency would write one.

It adds a fictional "home_visit" program: event types, a case section, a ruleset
folder (whose `home_visits.follow_up_days` parameter sets the follow-up time), a
command, and an eligibility outcome, clock, referral and finding. Everything in it
is fictional and belongs to this test plugin only.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import click

from eirules import Criterion, Eligibility, Episode, EventType, Finding, Referral, hookimpl
from eirules.core.clocks import compute_clock

PROGRAM = "home_visit"
FOLLOW_UP = "home_visits.follow_up_days"


@attrs.frozen(kw_only=True)
class HomeVisits:
    """The sample plugin's case-file section."""

    visitor: str
    visits: tuple[str, ...] = attrs.field(default=(), converter=tuple)


@hookimpl
def register_event_types():
    return [
        EventType(
            "home_visit_requested",
            (PROGRAM,),
            "The family asked for a home visit (sample plugin).",
        ),
        EventType("home_visit_made", (PROGRAM,), "A home visit was made (sample plugin)."),
        EventType(
            "home_visit_need_recorded",
            (PROGRAM,),
            "The home visitor recorded a need (in `note`) the sample agency counts toward "
            "Part C eligibility; without a note it is still to be assessed (sample plugin).",
        ),
    ]


@hookimpl
def register_rulesets():
    return [str(Path(__file__).parent / "rulesets")]


@hookimpl
def register_case_sections():
    return {"home_visits": HomeVisits}


@hookimpl
def register_commands(cli):
    @cli.command("sample-hello")
    def sample_hello():
        """Say hello from the sample plugin.

        \b
        Example:
            eirules sample-hello
        """
        click.echo("hello from the sample plugin")


@hookimpl
def eligibility_criteria(case, as_of):
    recorded = case.last("home_visit_need_recorded")
    if recorded is None or recorded.date > as_of:
        return None
    outcome = "met" if recorded.note else "needs_information"
    return [
        Criterion(
            program="part_c",
            basis="sample_need",
            outcome=outcome,
            reason=f"the home visitor recorded {recorded.note or 'a need still to be assessed'} "
            "(sample agency policy 4)",
            citation="Sample agency policy 4",
            missing=("the home visitor's finding",) if outcome == "needs_information" else (),
            inputs={"home_visit_need_recorded": recorded.date.isoformat(), "note": recorded.note},
        )
    ]


@hookimpl
def eligibility_for(case):
    if "home_visits" not in case.sections:
        return None
    return [
        Eligibility(
            program=PROGRAM,
            outcome="eligible",
            basis=("family_request",),
            citation="Sample agency policy 1",
        )
    ]


@hookimpl
def episodes_for(case):
    requested = case.first("home_visit_requested")
    if requested is None:
        return None
    return [
        Episode(
            id=f"{PROGRAM}.1",
            program=PROGRAM,
            number=1,
            start=requested.date,
            started_by="home_visit_requested",
        )
    ]


@hookimpl
def clocks_for(case, ruleset, as_of):
    requested = case.first("home_visit_requested")
    if requested is None or not ruleset.has(FOLLOW_UP):
        return None
    days = ruleset.param(FOLLOW_UP, requested.date)
    return [
        compute_clock(
            case,
            id="home_visit_follow_up",
            program=PROGRAM,
            spec={
                "start": ["home_visit_requested"],
                "length": days.value,
                "unit": "calendar_days",
                "stop": ["home_visit_made"],
            },
            citation=days.citation,
            start=requested.date,
            as_of=as_of,
            due_soon_days=ruleset.value("clocks.due_soon_days", as_of),
            label="Home visit follow-up",
        )
    ]


@hookimpl
def referrals_for(case, eligibility):
    if not any(e.program == PROGRAM and e.outcome == "eligible" for e in eligibility):
        return None
    return [
        Referral(
            id="home_visit_to_nurse",
            program=PROGRAM,
            referrer="sample agency",
            to="visiting nurse",
            reason="The family asked for home visits.",
            citation="Sample agency policy 3",
        )
    ]


@hookimpl
def findings_for(case, ruleset, clocks):
    follow_up = [c for c in clocks if c.id == "home_visit_follow_up"]
    if not follow_up:
        return None
    clock = follow_up[0]
    param = ruleset.param(FOLLOW_UP, clock.start)
    return [
        Finding(
            rule="home_visit.follow_up_counted",
            outcome=clock.status,
            reason=f"Counted {param.value} days from the request under ruleset {ruleset.id}.",
            citation=param.citation,
            program=PROGRAM,
            inputs={"home_visit_requested": clock.start.isoformat()},
            parameters={FOLLOW_UP: param.value},
        )
    ]
