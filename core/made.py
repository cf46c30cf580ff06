"""The decisions every case has, built without a keyword call of their class: one
Determination and its Episodes per case (core/evaluator.py, plugins/episodes.py), and the
plugins' commonest eligibility outcomes, findings and referrals. Each is the object its
class's own constructor builds (tests/test_compiled_engine.py compares them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

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

_new = object.__new__


_EPISODE_FIELDS = tuple(field.name for field in attrs.fields(Episode))
(
    _set_ep_id,
    _set_ep_program,
    _set_ep_number,
    _set_ep_start,
    _set_ep_started_by,
    _set_ep_end,
    _set_ep_ended_by,
    _set_ep_current,
) = (vars(Episode)[name].__set__ for name in _EPISODE_FIELDS)


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
    episode = _new(Episode)
    _set_ep_id(episode, id)
    _set_ep_program(episode, program)
    _set_ep_number(episode, number)
    _set_ep_start(episode, start)
    _set_ep_started_by(episode, started_by)
    _set_ep_end(episode, end)
    _set_ep_ended_by(episode, ended_by)
    _set_ep_current(episode, current)
    return episode


_DETERMINATION_FIELDS = tuple(field.name for field in attrs.fields(Determination))
(
    _set_case,
    _set_ruleset,
    _set_ruleset_version,
    _set_as_of,
    _set_engine,
    _set_eligibility,
    _set_clocks,
    _set_referrals,
    _set_findings,
    _set_episodes,
    _set_history,
) = (vars(Determination)[name].__set__ for name in _DETERMINATION_FIELDS)


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
    det = _new(Determination)
    _set_case(det, case)
    _set_ruleset(det, ruleset)
    _set_ruleset_version(det, ruleset_version)
    _set_as_of(det, as_of)
    _set_engine(det, engine)
    _set_eligibility(det, tuple(eligibility))
    _set_clocks(det, tuple(clocks))
    _set_referrals(det, tuple(referrals))
    _set_findings(det, tuple(findings))
    _set_episodes(det, tuple(episodes))
    _set_history(det, tuple(history))
    return det


# The plugins' commonest decisions: a keyword call of a Python function matches its
# keywords in place, where one of an attrs class builds a dict for them, unpacks it again
# into `__init__` and sets each field through `object.__setattr__`. Same keywords, same
# defaults, the same object; a value the class would refuse (or convert otherwise) is
# handed to the class itself, which raises its usual error.

_ELIGIBILITY_FIELDS = tuple(field.name for field in attrs.fields(Eligibility))
(
    _set_el_program,
    _set_el_outcome,
    _set_el_basis,
    _set_el_citation,
    _set_el_missing,
    _set_el_reason,
) = (vars(Eligibility)[name].__set__ for name in _ELIGIBILITY_FIELDS)


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
    made = _new(Eligibility)
    _set_el_program(made, program)
    _set_el_outcome(made, outcome)
    _set_el_basis(made, tuple(basis))
    _set_el_citation(made, citation)
    _set_el_missing(made, tuple(missing))
    _set_el_reason(made, reason)
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


_REFERRAL_FIELDS = tuple(field.name for field in attrs.fields(Referral))
(
    _set_rf_id,
    _set_rf_program,
    _set_rf_referrer,
    _set_rf_to,
    _set_rf_reason,
    _set_rf_citation,
    _set_rf_by,
    _set_rf_status,
    _set_rf_closed_on,
) = (vars(Referral)[name].__set__ for name in _REFERRAL_FIELDS)


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
    made = _new(Referral)
    _set_rf_id(made, id)
    _set_rf_program(made, program)
    _set_rf_referrer(made, referrer)
    _set_rf_to(made, to)
    _set_rf_reason(made, reason)
    _set_rf_citation(made, citation)
    _set_rf_by(made, by)
    _set_rf_status(made, status)
    _set_rf_closed_on(made, closed_on)
    return made
