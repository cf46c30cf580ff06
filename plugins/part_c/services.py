"""Part C IFSP services (34 CFR 303.342(e), 303.344(f)(1)): each service started on time.

303.342(e) requires the services in the IFSP to be provided as soon as possible
after the parent consents; 303.344(f)(1) gives each its projected start date. How
many days "timely" means is the state's number (`part_c.service_start`).
"""

from __future__ import annotations

from eirules.core.clocks import param_or_none
from eirules.core.decisions import Clock
from eirules.core.models import Event

from .context import PROGRAM, Context, make_clock, of_type


def service_start_clocks(ctx: Context) -> list[Clock]:
    """One clock per service consented to, from consent events and the IFSP's services."""
    case, as_of = ctx.case, ctx.as_of
    clocks: list[Clock] = []
    # 303.342(e): each service as soon as possible after consent; timely is the state's number.
    consents = of_type(case, "consent_for_services")
    started = of_type(case, "service_started")
    seen: set[str] = set()
    citation = "34 CFR 303.342(e); 303.344(f)(1)"
    for consent in consents:
        if consent.date > as_of:
            break
        service = consent.service or "all IFSP services"
        if service in seen:
            continue
        seen.add(service)
        own = []  # a loop: no generator
        for e in started:
            if (e.service or "all IFSP services") == service:
                own.append(e)
        stops = tuple(own)
        if _from_initiation_date(ctx, consent.date):
            clocks.append(_no_initiation_date(consent.date, service, citation))
            continue
        clocks.append(
            make_clock(
                ctx,
                "service_start",
                id="service_start",
                start=consent.date,
                label="Service start",
                subject=service,
                stop_events=stops,
                citation="34 CFR 303.342(e); 303.344(f)(1)",
                # Timely is the state's to define (303.342(e)), from its own event too.
                started_by="consent_for_services",
            )
        )
    for plan in case.service_plans:
        if plan.kind != "ifsp":
            continue
        for service in plan.services:
            if service.consented is None or service.name in seen or service.consented > as_of:
                continue
            seen.add(service.name)
            stops = (
                (Event(type="service_started", date=service.started, program=PROGRAM),)
                if service.started
                else ()
            )
            start = service.consented
            if _from_initiation_date(ctx, service.consented):
                if service.planned_start is None:
                    clocks.append(_no_initiation_date(service.consented, service.name, citation))
                    continue
                start = service.planned_start  # the IFSP initiation date the team set
            clocks.append(
                make_clock(
                    ctx,
                    "service_start",
                    id="service_start",
                    start=start,
                    label="Service start",
                    subject=service.name,
                    stop_events=stops,
                    citation="34 CFR 303.342(e); 303.344(f)(1)",
                )
            )
    return clocks


def _from_initiation_date(ctx: Context, on) -> bool:
    """Whether the state counts service starts from the IFSP initiation date (not consent)."""
    param = param_or_none(ctx.ruleset, "part_c.service_start_from", on)
    return param is not None and param.value == "ifsp_initiation_date"


def _no_initiation_date(consented, service: str, citation: str) -> Clock:
    """The state counts from the IFSP initiation date, and none is recorded for this service."""
    return Clock(
        id="service_start",
        program=PROGRAM,
        start=consented,
        due=None,
        status="needs_information",
        citation=citation,
        label="Service start",
        subject=service,
        reason="the state counts from the IFSP initiation date the team set, and none is "
        "recorded for this service",
        missing=("the service's planned_start (IFSP initiation date) in service_plans",),
    )
