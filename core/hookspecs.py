"""The plugin contract: every hook eirules calls, one function each.

Implementations take only the arguments they need, are called by keyword, and
return None for "no opinion"; collections come back as lists. The decision hooks
run in order: eligibility_criteria, eligibility_for (which combines the criteria
into one outcome per program), episodes_for, then clocks_for and referrals_for (which
see every plugin's eligibility), then findings_for (which also sees every clock of the
current episodes and every criterion). Each hook
has a heading, its signature and an example in docs/plugins.md; a test checks it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # annotation types only: importing them here would cause cycles
    from .decisions import Clock, Criterion, Eligibility, Episode, Finding, Referral
    from .engine import EventType
    from .models import Case
    from .rulesets import Ruleset

hookspec = pluggy.HookspecMarker("eirules")
hookimpl = pluggy.HookimplMarker("eirules")


@hookspec
def register_event_types() -> list[EventType] | None:
    """Return event types this plugin adds to the case-file vocabulary; None adds none."""


@hookspec
def register_rulesets() -> list[str] | None:
    """Return folders that hold rulesets (a ruleset folder or a folder of them); None adds none."""


@hookspec
def register_case_sections() -> dict[str, type] | None:
    """Return extra top-level case-file sections as {name: attrs class or "module:Class"}; None adds none."""


@hookspec
def register_commands(cli: Any) -> None:
    """Add click commands or groups to the `eirules` command group; the return value is ignored."""


@hookspec
def eligibility_criteria(case: Case, ruleset: Ruleset, as_of: date) -> list[Criterion] | None:
    """Return criteria this plugin decides for another plugin's program; None if none."""


@hookspec
def eligibility_for(
    case: Case, ruleset: Ruleset, as_of: date, criteria: tuple[Criterion, ...]
) -> list[Eligibility] | None:
    """Return eligibility outcomes for the programs this plugin decides, with every plugin's
    criteria for them combined; None if it decides none."""


@hookspec
def episodes_for(case: Case, ruleset: Ruleset, as_of: date) -> list[Episode] | None:
    """Return the episodes of each program this plugin decides (see `Episode`); None if none."""


@hookspec
def clocks_for(
    case: Case, ruleset: Ruleset, as_of: date, eligibility: tuple[Eligibility, ...]
) -> list[Clock] | None:
    """Return every legal clock (deadline rule) this plugin sets for the case; None if none."""


@hookspec
def referrals_for(
    case: Case, ruleset: Ruleset, as_of: date, eligibility: tuple[Eligibility, ...]
) -> list[Referral] | None:
    """Return referrals someone must make for the case; None if none."""


@hookspec
def findings_for(
    case: Case,
    ruleset: Ruleset,
    as_of: date,
    eligibility: tuple[Eligibility, ...],
    clocks: tuple[Clock, ...],
    criteria: tuple[Criterion, ...],
) -> list[Finding] | None:
    """Contribute findings (rule, outcome, reason, inputs, parameters, citation); None if none."""
