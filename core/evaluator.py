"""One ruleset version at one as-of date, compiled once, evaluating many cases.

`Engine.compile(ruleset, as_of)` resolves what every case of a run shares before
the first case: the ruleset (with its parameters resolved once per period between
their change dates, `Ruleset.param`), the values in force on the as-of date, the
hook callers, the sort orders. `Evaluator.evaluate(case)` then runs only the case's
own arithmetic; every rule reads the case's events from one shared index
(`core/events.py`) and every clock definition in its compiled form
(`core/clock_spec.py`).

An evaluator pickles as what rebuilds it (the engine's folders and the ruleset's
id, version and date), so a process pool can send it to workers started with
any start method (fork, spawn, forkserver); a worker whose rulesets differ from
the parent's refuses instead of deciding with other rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from .decisions import (
    CLOCK_STATUSES,
    Clock,
    Criterion,
    Determination,
    Eligibility,
    Episode,
    Finding,
    Referral,
)
from .errors import PluginError, Problem, RulesetError
from .made import made_determination
from .models import Case
from .rulesets import Ruleset
from .stability import seal, tracked

if TYPE_CHECKING:
    from .engine import Engine

_RANK = {s: i for i, s in enumerate(CLOCK_STATUSES)}


def _clock_order(c: Clock) -> tuple:
    return (c.due or date.max, _RANK[c.status], c.program, c.id, c.subject or "")


def _criterion_order(c: Criterion) -> tuple:
    return (c.program, c.basis, c.outcome, c.reason)


def _eligibility_order(e: Eligibility) -> tuple:
    return (e.program, e.outcome)


def _episode_order(e: Episode) -> tuple:
    return (e.program, e.number)


def _referral_order(r: Referral) -> tuple:
    return (r.by or date.max, r.id, r.to)


def _finding_head(f: Finding) -> tuple:
    return (f.program or "", f.rule, f.outcome)


def _sorted_findings(findings: list[Finding]) -> list[Finding]:
    """Findings by program, rule, outcome and reason; a reason is rendered only on a tie."""
    ordered = sorted(findings, key=_finding_head)
    # Sorted, so a tie is two equal heads side by side: any two equal heads at all.
    if len(ordered) > 1 and len(set(map(_finding_head, ordered))) < len(ordered):
        ordered.sort(key=_finding_order)
    return ordered


def _finding_order(f: Finding) -> tuple:
    return (*_finding_head(f), f.reason)


class Evaluator:
    """Determinations for one ruleset version as of one date."""

    def __init__(self, engine: Engine, ruleset: Ruleset, as_of: date):
        self.engine = engine
        self.ruleset = ruleset
        self.as_of = as_of
        self.ruleset_version = ruleset.full_version
        # Resolved once for the run: values in force on the as-of date every case reads.
        for name in ("clocks.due_soon_days", "dates.leap_day_birthday"):
            if ruleset.has(name):
                ruleset.value(name, as_of)

    def __repr__(self) -> str:
        return f"<Evaluator {self.ruleset.id} {self.ruleset_version} as of {self.as_of}>"

    def __reduce__(self):
        return (_rebuild, (self.engine, self.ruleset.id, self.ruleset_version, self.as_of))

    def evaluate(self, case: Case) -> Determination:
        """Decide eligibility, clocks, referrals and findings for one case."""
        return self._decide(case, self.as_of)

    def evaluate_stable(self, case: Case) -> tuple[Determination, tuple[date, date | None]]:
        """The determination and its stability interval (stable_from, stable_until): the
        as-of dates on which this case file, ruleset version, engine and calendars give
        the same determination apart from its top-level as_of (core/stability.py).
        `stable_until` is the first day it may differ; None: no such day is known.
        One day only when a plugin the engine cannot follow implements a per-case hook."""
        if not self.engine.tracks_as_of():
            return self._decide(case, self.as_of), (self.as_of, _next_day(self.as_of))
        day, record = tracked(self.as_of)
        det = seal(self._decide(case, day))
        return det, record.interval

    def _decide(self, case: Case, as_of: date) -> Determination:
        call = self.engine.call_with
        ruleset = self.ruleset
        args = {"case": case, "ruleset": ruleset, "as_of": as_of}
        criteria = tuple(
            sorted(call("eligibility_criteria", Criterion, args), key=_criterion_order)
        )
        eligibility = tuple(
            call(
                "eligibility_for",
                Eligibility,
                {"case": case, "ruleset": ruleset, "as_of": as_of, "criteria": criteria},
            )
        )
        _one_outcome_per_program(self.engine.pm.hook.eligibility_for, eligibility)
        episodes = sorted(call("episodes_for", Episode, args), key=_episode_order)
        with_eligibility = {
            "case": case,
            "ruleset": ruleset,
            "as_of": as_of,
            "eligibility": eligibility,
        }
        every_clock = call("clocks_for", Clock, with_eligibility)
        # The clocks of an earlier episode are history: kept, but not what is owed now.
        past = set()  # a loop: a comprehension is a function made and called per case
        for episode in episodes:
            if not episode.current:
                past.add(episode.id)
        if past:
            clocks = tuple(c for c in every_clock if c.episode not in past)
            number = {e.id: (e.program, e.number) for e in episodes}
            history = sorted(
                (c for c in every_clock if c.episode in past),
                key=lambda c: (number[c.episode or ""], *_clock_order(c)),
            )
        else:
            clocks, history = tuple(every_clock), []
        referrals = call("referrals_for", Referral, with_eligibility)
        findings = call(
            "findings_for",
            Finding,
            {
                "case": case,
                "ruleset": ruleset,
                "as_of": as_of,
                "eligibility": eligibility,
                "clocks": clocks,
                "criteria": criteria,
            },
        )
        # Plugins are called in registration order; sort so output never depends on it.
        return made_determination(
            case.id,
            self.ruleset.id,
            self.ruleset_version,
            self.as_of,
            self.engine.version,
            sorted(eligibility, key=_eligibility_order),
            sorted(clocks, key=_clock_order),
            sorted(referrals, key=_referral_order),
            _sorted_findings(findings),
            episodes,
            history,
        )

    def evaluate_many(self, cases: Iterable[Case]) -> Iterator[Determination]:
        """Each case's determination, in order (a generator: memory stays flat)."""
        evaluate = self.evaluate
        for case in cases:
            yield evaluate(case)


def _next_day(day: date) -> date | None:
    return None if day == date.max else date.fromordinal(day.toordinal() + 1)


def _rebuild(engine: Engine, ruleset_id: str, version: str, as_of: date) -> Evaluator:
    evaluator = engine.compile(ruleset_id, as_of)
    if evaluator.ruleset_version != version:
        raise RulesetError(
            f'ruleset "{ruleset_id}" is version {evaluator.ruleset_version} here, '
            f"not {version} as where the evaluator was compiled; install the same rulesets"
        )
    return evaluator


def _one_outcome_per_program(caller: Any, eligibility: tuple[Eligibility, ...]) -> None:
    """Two outcomes for one program contradict each other: name the plugins, say what to do."""
    if len(eligibility) < 2:
        return
    seen: dict[str, Eligibility] = {}
    for outcome in eligibility:
        if outcome.program in seen:
            raise PluginError(
                f'two eligibility outcomes for program "{outcome.program}" '
                f"({seen[outcome.program].outcome} and {outcome.outcome})",
                [
                    Problem(
                        "eligibility_for",
                        "only the plugin that runs a program decides its eligibility",
                        "to add a criterion to another plugin's program, implement "
                        "eligibility_criteria (docs/plugins.md)",
                    )
                ],
            )
        seen[outcome.program] = outcome
