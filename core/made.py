"""The decisions every case has, built without a keyword call of their class: one
Determination and its Episodes per case (core/evaluator.py, plugins/episodes.py), and the
plugins' commonest eligibility outcomes, findings and referrals. Each is the object its
class's own constructor builds (tests/test_compiled_engine.py compares them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .decisions import (
    ELIGIBILITY_OUTCOMES,
    REFERRAL_STATUSES,
    Clock,
    Determination,
    Eligibility,
    Episode,
    Finding,
    Referral,
)
from .explain import Prose
from .fastload import settable_twin

_new = object.__new__


def _building(cls: type) -> type:
    """The class's settable twin (core/fastload.py `settable_twin`): an object made as it
    has each field set by a plain slot store, then becomes a `cls` before anyone sees it
    (no method-wrapper call with an argument tuple per field)."""
    twin = settable_twin(cls)
    if twin is None:
        raise TypeError(f"{cls.__name__} can no longer be built field by field (see made.py)")
    return twin


_EpisodeBuilding = _building(Episode)
_DeterminationBuilding = _building(Determination)
_EligibilityBuilding = _building(Eligibility)
_ReferralBuilding = _building(Referral)


def made_episode(
    id: str,
    program: str,
    number: int,
    start: date | None,
    started_by: str | None,
    end: date | None,
    ended_by: str | None,
    current: bool,
) -> Episode:
    """`Episode(...)` with every field given by position, for the episodes of every case:
    its two checks (start and end are dates or None) made inline; anything else is
    built by `Episode` itself, which raises its usual error (or, validators disabled,
    builds it)."""
    if not ((start is None or isinstance(start, date)) and (end is None or isinstance(end, date))):
        return Episode(
            id=id, program=program, number=number, start=start, started_by=started_by,
            end=end, ended_by=ended_by, current=current,
        )  # fmt: skip
    episode = _new(_EpisodeBuilding)
    episode.id = id
    episode.program = program
    episode.number = number
    episode.start = start
    episode.started_by = started_by
    episode.end = end
    episode.ended_by = ended_by
    episode.current = current
    episode.__class__ = Episode
    return episode


def made_determination(
    case: str,
    ruleset: str,
    ruleset_version: str,
    as_of: date,
    engine: str,
    eligibility: Iterable[Eligibility],
    clocks: Iterable[Clock],
    referrals: Iterable[Referral],
    findings: Iterable[Finding],
    episodes: Iterable[Episode],
    history: Iterable[Clock],
) -> Determination:
    """The `Determination` the evaluator assembles, built as `Determination(...)` builds it
    (each collection made a tuple, as its `as_tuple` converter does) without the keyword
    call and one converter call per field: once per case."""
    det = _new(_DeterminationBuilding)
    det.case = case
    det.ruleset = ruleset
    det.ruleset_version = ruleset_version
    det.as_of = as_of
    det.engine = engine
    det.eligibility = tuple(eligibility)
    det.clocks = tuple(clocks)
    det.referrals = tuple(referrals)
    det.findings = tuple(findings)
    det.episodes = tuple(episodes)
    det.history = tuple(history)
    det.__class__ = Determination
    return det


# The plugins' commonest decisions: a keyword call of a Python function matches its
# keywords in place, where one of an attrs class builds a dict for them, unpacks it again
# into `__init__` and sets each field through `object.__setattr__`. Same keywords, same
# defaults, the same object; a value the class would refuse (or convert otherwise) is
# handed to the class itself, which raises its usual error.


def made_eligibility(
    *,
    program: str,
    outcome: str,
    basis: Iterable[str] = (),
    citation: str = "",
    missing: Iterable[str] = (),
    reason: str = "",
) -> Eligibility:
    """`Eligibility(...)`, built without the keyword call of the class (its one check,
    the outcome, made inline; `basis` and `missing` made tuples as `as_tuple` does)."""
    if outcome not in ELIGIBILITY_OUTCOMES:
        return Eligibility(
            program=program, outcome=outcome, basis=basis, citation=citation,
            missing=missing, reason=reason,
        )  # fmt: skip
    made = _new(_EligibilityBuilding)
    made.program = program
    made.outcome = outcome
    made.basis = tuple(basis)
    made.citation = citation
    made.missing = tuple(missing)
    made.reason = reason
    made.__class__ = Eligibility
    return made


def made_finding(
    *,
    rule: str,
    outcome: str,
    reason: str | Prose,
    citation: str,
    program: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> Finding:
    """`Finding(...)`, built without the keyword call of the class: the fields written to
    the instance dict in field order, as its `__init__` writes them, `inputs` and
    `parameters` copied into new dicts as its converter copies them (none: empty)."""
    made = _new(Finding)
    fields = made.__dict__
    fields["rule"] = rule
    fields["outcome"] = outcome
    fields["reason"] = reason
    fields["citation"] = citation
    fields["program"] = program
    fields["inputs"] = {} if inputs is None else dict(inputs)
    fields["parameters"] = {} if parameters is None else dict(parameters)
    return made


def made_referral(
    *,
    id: str,
    program: str,
    referrer: str,
    to: str,
    reason: str,
    citation: str,
    by: date | None = None,
    status: str = "to_make",
    closed_on: date | None = None,
) -> Referral:
    """`Referral(...)`, built without the keyword call of the class (its three checks,
    `by` and `closed_on` dates or None and a known status, made inline)."""
    if not (
        (by is None or isinstance(by, date))
        and status in REFERRAL_STATUSES
        and (closed_on is None or isinstance(closed_on, date))
    ):
        return Referral(
            id=id, program=program, referrer=referrer, to=to, reason=reason,
            citation=citation, by=by, status=status, closed_on=closed_on,
        )  # fmt: skip
    made = _new(_ReferralBuilding)
    made.id = id
    made.program = program
    made.referrer = referrer
    made.to = to
    made.reason = reason
    made.citation = citation
    made.by = by
    made.status = status
    made.closed_on = closed_on
    made.__class__ = Referral
    return made
