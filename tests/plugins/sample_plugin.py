"""A third-party plugin implementing every eirules hook, as an agency would write one.

It adds a fictional "home_visit" program: an event type, a case section, a ruleset
folder, a command, and an eligibility outcome, clock, referral and finding. The
numbers in it are fictional and belong to this test plugin only.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import click

from eirules import hookimpl
from eirules.core.decisions import Clock, Eligibility, Finding, Referral
from eirules.core.engine import EventType

PROGRAM = "home_visit"
#: Fictional: the sample agency's own follow-up window, not a legal clock.
FOLLOW_UP_DAYS = 10


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
        )
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
def clocks_for(case, as_of):
    requested = case.first("home_visit_requested")
    if requested is None:
        return None
    due = requested.date + timedelta(days=FOLLOW_UP_DAYS)
    return [
        Clock(
            id="home_visit_follow_up",
            program=PROGRAM,
            start=requested.date,
            due=due,
            status="overdue" if as_of > due else "pending",
            citation="Sample agency policy 2",
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
    return [
        Finding(
            rule="home_visit.follow_up_counted",
            outcome=follow_up[0].status,
            reason=f"Counted {FOLLOW_UP_DAYS} days from the request under ruleset {ruleset.id}.",
            citation="Sample agency policy 2",
            program=PROGRAM,
            inputs={"home_visit_requested": follow_up[0].start.isoformat()},
            parameters={"follow_up_days": FOLLOW_UP_DAYS},
        )
    ]
