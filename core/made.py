"""The decisions every case has, built without a keyword call: one Determination and its
Episodes per case (core/evaluator.py, plugins/episodes.py). Each is the object its class's
own constructor builds (tests/test_compiled_engine.py compares them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from .decisions import Clock, Determination, Eligibility, Episode, Finding, Referral

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
