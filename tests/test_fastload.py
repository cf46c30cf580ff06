"""The fast loader (core/fastload.py) accepts only what the detailed converter accepts.

Whenever the fast path builds a case, the detailed path must build an equal one;
whenever the detailed path refuses a document, the fast path must refuse it too
(so the path-by-path error report is the one users see, unchanged).
"""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from datetime import date
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core import convert, dates, fastload, fastload_claims, models
from eirules.core.errors import InputError
from eirules.core.models import Case

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import make_case  # noqa: E402

FAST = fastload.for_model(Case, omit=frozenset({"sections"}))


def core_part(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k in convert.CASE_KEYS}


def detailed(doc: dict):
    try:
        return convert.converter.structure(doc, Case)
    except Exception:  # noqa: BLE001 - refused by the detailed path
        return None


def example_docs() -> list[dict]:
    paths = sorted(ROOT.glob("examples/*.json")) + sorted(ROOT.glob("examples/caseload/*.json"))
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


def test_the_case_model_has_a_fast_path():
    assert FAST is not None


@pytest.mark.parametrize("doc", example_docs(), ids=lambda d: str(d.get("id")))
def test_fast_path_builds_the_same_case_as_the_detailed_path(doc):
    core = core_part(doc)
    fast = fastload.attempt(FAST, core)
    assert fast is not None, "a valid example file should take the fast path"
    assert fast == detailed(core)


def test_generated_cases_take_the_fast_path_and_match():
    rnd = random.Random(11)
    for i in range(300):
        core = core_part(make_case(i, rnd))
        fast = fastload.attempt(FAST, core)
        assert fast is not None
        assert fast == detailed(core)


#: Characters the text checks refuse or that fail str.isprintable (and the space).
HOSTILE = "\x00\t\n\r\x1b\x7f\x85\x9f\xa0\xad\u061c\u200b\u200e\u200f\u2028\u2029"
HOSTILE += "\u202a\u202e\u2060\u2065\u2066\u2069\ufeff\ud800\ue000 "

# Mutations that the detailed path refuses, or accepts differently.
ODD_VALUES = st.one_of(
    st.text(alphabet=st.sampled_from(HOSTILE + "ab"), min_size=1, max_size=6),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2026-02-30", "0001-01-01", "9999-12-31", "2026-1-01", " 2026-01-01", ""]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _set(doc, path, new):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new


@given(seed=st.integers(0, 10_000), pick=st.integers(0, 10_000), new=ODD_VALUES)
def test_fast_path_never_accepts_what_the_detailed_path_refuses(seed, pick, new):
    doc = core_part(make_case(seed, random.Random(seed)))
    paths = [p for p in _paths(doc) if p]
    mutated = copy.deepcopy(doc)
    _set(mutated, paths[pick % len(paths)], new)
    fast = fastload.attempt(FAST, mutated)
    slow = detailed(mutated)
    if fast is not None:
        assert slow is not None and fast == slow
    if slow is None:
        assert fast is None


def test_a_refused_document_keeps_the_detailed_messages():
    doc = make_case(0, random.Random(3))
    doc["child"]["birth_date"] = "2026-02-30"
    doc["events"][0]["type"] = 7
    with pytest.raises(InputError) as err:
        convert.case_from_dict(doc)
    text = str(err.value) + " ".join(str(p) for p in err.value.problems)
    assert "events[0].type" in text
    assert "child.birth_date" in text


# The fast path's own checks against the ones they stand for (issue 15's loader round).
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _regex_date(value):
    """The date leaf as it was: the detailed path's regex, fromisoformat, the bound."""
    if type(value) is str and len(value) == 10 and _ISO.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if dates.in_range(day) else None
    return None


def _fast_date(value):
    try:
        return fastload._date(value)
    except fastload.Refused:
        return None


DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.text(alphabet="0123456789-W+T: \u0660\uff10\n", min_size=8, max_size=11),
    st.builds(
        lambda day, at, c: day.isoformat()[:at] + c + day.isoformat()[at + 1 :],
        st.dates(),
        st.integers(0, 9),
        st.characters(),
    ),
    st.sampled_from(["2026-W01-1", "2026W011", "20260101", "2026-001", "+026-01-01"]),
    st.text(max_size=12),
)


@given(DATE_TEXT)
def test_the_date_leaf_takes_what_the_regex_took(text):
    assert _fast_date(text) == _regex_date(text)


@given(DATE_TEXT)
def test_the_generated_date_tests_take_what_the_regex_took(text):
    # A required date (Child.birth_date) and an optional one (Condition.diagnosed),
    # as for_model writes them out in the generated function.
    child = fastload.attempt(fastload.for_model(models.Child), {"birth_date": text})
    assert (child and child.birth_date) == (_regex_date(text) or None)
    found = fastload.attempt(fastload.for_model(models.Condition), {"name": "x", "diagnosed": text})
    assert (found and found.diagnosed) == (_regex_date(text) or None)


TEXT = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.sampled_from(HOSTILE + "ab"), max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from("a é\u00a0\n"), st.integers(3990, 4010)),
)


def _passes(validator, value) -> bool:
    try:
        validator(None, None, value)
    except Exception:  # noqa: BLE001 - a refusal
        return False
    return True


@pytest.mark.parametrize("validator", sorted(fastload_claims._SHORTCUTS, key=lambda v: v.__name__))
@given(text=TEXT)
def test_a_text_shortcut_only_passes_what_its_validator_passes(validator, text):
    if fastload_claims.shortcut(validator)(text):
        assert _passes(validator, text)


def test_the_shortcuts_cover_the_hostile_text_validators():
    names = {v.__name__ for v in fastload_claims._SHORTCUTS}
    assert {"_opt_plain", "_opt_note", "_plain_text"} <= names
    # The ordinary names are the plain ones: no str field of a case skips the text check.
    assert models._opt_str is models._opt_plain and models._text is models._plain_text
    assert models._opt_str not in fastload_claims._TYPE_ONLY
    plain = fastload_claims.shortcut(models._opt_plain)
    assert plain("Rhea Marsh") and not plain("Rhea\u202eMarsh") and not plain("x" * 4001)


def test_validators_said_to_pass_none_pass_none():
    assert models._opt_plain in fastload_claims._NONE_PASSES
    for validator in fastload_claims._NONE_PASSES:
        assert _passes(validator, None)
    assert models._strings in fastload_claims._EMPTY_PASSES
    for validator in fastload_claims._EMPTY_PASSES:
        assert _passes(validator, ())
    # Not called on an empty tuple, still on a given one: a bad risk factor is refused.
    child = fastload.for_model(models.Child)
    assert fastload.attempt(child, {"birth_date": "2024-01-02", "risk_factors": []}) is not None
    assert fastload.attempt(child, {"birth_date": "2024-01-02", "risk_factors": ["\u202e"]}) is None


def test_declared_choices_pass_their_validator():
    assert fastload_claims._CHOICES
    for validator, words in fastload_claims._CHOICES.items():
        for word in words:
            assert _passes(validator, word)
        assert not _passes(validator, "no such word")


@given(
    days=st.lists(st.dates(), max_size=4),
    types=st.lists(st.sampled_from(["delay", "referral_received", ""]), max_size=4),
)
def test_declared_order_converters_only_order(days, types):
    # Not called on a tuple of at most one item: they must return an equal one, and
    # on longer ones the same items.
    assert {models._canonical_events} < fastload_claims._ORDERING
    for converter in fastload_claims._ORDERING:
        items = tuple(
            models.Event(type=t or "x", date=d) for d, t in zip(days, types, strict=False)
        )
        out = converter(items)
        assert type(out) is tuple and sorted(map(repr, out)) == sorted(map(repr, items))
        if len(items) <= 1:
            assert out == items


def test_the_id_shortcut_is_the_usual_id():
    usual = fastload_claims.shortcut(models._id_text)
    assert usual("MO-0001") and not usual("MO-0001 ") and not usual(" MO-0001")
    assert not usual("MO\u200d0001") and not usual("") and not usual("é")


def test_declared_tuple_converters_keep_a_tuple():
    for converter in fastload_claims._TUPLE_SAME:
        given = (1, 2)
        assert converter(given) is given


def test_a_fast_case_is_as_frozen_and_hashable_as_a_detailed_one():
    # The fast path sets each field on a settable twin, then makes the object a model.
    core = core_part(make_case(1, random.Random(2)))
    fast, slow = fastload.attempt(FAST, core), detailed(core)
    assert fast == slow and hash(fast.events) == hash(slow.events)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.events[0].type = "referral_received"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        del fast.child.birth_date
    assert type(fast) is Case and type(fast.child) is models.Child
    assert {type(e) for e in fast.events} == {models.Event}
    assert all(type(e) is models.Evaluation for e in fast.evaluations)
    assert attrs.asdict(fast) == attrs.asdict(slow) and repr(fast) == repr(slow)


EVENT_KEYS = [a.name for a in attrs.fields(models.Event)]


@given(
    # Unknown keys too: with as many keys as required fields the generated branch skips
    # the known-keys test, which a missing required key must make up for.
    keys=st.lists(st.sampled_from([*EVENT_KEYS, "colour", 1]), unique=True),
    values=st.lists(st.sampled_from([None, "x", "", "2026-01-05", 3]), min_size=9, max_size=9),
)
def test_an_event_with_any_keys_is_built_as_the_detailed_path_builds_it(keys, values):
    # Among them the generated branch for an event that gives only its required keys.
    doc = dict(zip(keys, values, strict=False))
    fast = fastload.attempt(fastload.for_model(models.Event), doc)
    try:
        slow = convert.converter.structure(doc, models.Event)
    except Exception:  # noqa: BLE001 - refused by the detailed path
        slow = None
    assert fast == slow or (fast is None and slow is not None)
    assert fastload.attempt(
        fastload.for_model(models.Event), {"type": "referral_received", "date": "2026-01-05"}
    ) == models.Event(type="referral_received", date=date(2026, 1, 5))


@given(
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**1100), max_value=2**1100),
        st.booleans(),
        st.none(),
        st.text(max_size=3),
    )
)
def test_the_generated_number_tests_take_what_the_detailed_path_takes(number):
    doc = {"domain": "adaptive", "standard_score": number, "mean": 100, "sd": 15}
    fast = fastload.attempt(fastload.for_model(models.Score), doc)
    try:
        slow = convert.converter.structure(doc, models.Score)
    except Exception:  # noqa: BLE001 - refused by the detailed path
        slow = None
    assert fast == slow
    assert fast is None or type(fast.standard_score) is type(number)
    child = {"birth_date": "2024-01-02", "gestational_age_weeks": number}
    fast_child = fastload.attempt(fastload.for_model(models.Child), child)
    assert fast_child is None or fast_child.gestational_age_weeks == number


@given(
    events=st.one_of(
        st.none(),
        st.just("referral_received"),
        st.just({"type": "referral_received", "date": "2026-01-05"}),
        st.lists(
            st.sampled_from(
                [
                    {"type": "referral_received", "date": "2026-01-05"},
                    {"type": "delay", "date": "2026-01-03", "reason": "x"},
                    {"date": "2026-01-05"},
                    "referral_received",
                    None,
                ]
            ),
            max_size=4,
        ).flatmap(lambda items: st.sampled_from([items, tuple(items)])),
    ),
    evaluations=st.sampled_from([None, [], (), [{"date": "2026-01-06"}], [{"date": 5}], {}]),
)
def test_a_collection_of_any_shape_is_built_as_the_detailed_path_builds_it(events, evaluations):
    # The generated loop over a tuple field's items: a list or a tuple of good items is
    # built item by item, anything else refused (the detailed path then says why).
    doc = {"id": "A-1", "child": {"birth_date": "2025-01-01"}}
    for key, value in (("events", events), ("evaluations", evaluations)):
        if value is not None:
            doc[key] = value
    fast = fastload.attempt(FAST, doc)
    slow = detailed(doc)
    assert fast == slow or (fast is None and slow is not None)
    if slow is None:
        assert fast is None
