"""The fast loader's shortcuts (issue 15, third loader round) against what they stand for.

Each declaration in core/fastload_claims.py lets the generated code skip a call that
surely passes; here each is checked against the validator, converter or post-init
check it stands for, and the vocabulary check of a fast case against the detailed
one (same case, or same problems in the same order).
"""

from __future__ import annotations

import copy

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_fastload import TEXT, _passes

from eirules.core import convert, fastload, fastload_claims, models
from eirules.core.errors import InputError
from eirules.core.models import Case


def _loaded(engine, doc, *, fast: bool):
    """What `Engine.case_from_dict` makes of a document: the case, or its problems."""
    saved = convert.case_files.FAST_CASE
    if not fast:  # no fast path: every document goes through the detailed converter
        convert.case_files.FAST_CASE = None
    try:
        return engine.case_from_dict(copy.deepcopy(doc))
    except InputError as err:
        return [(p.where, p.what, p.fix) for p in err.problems]
    finally:
        convert.case_files.FAST_CASE = saved


@pytest.fixture(scope="module")
def engine():
    from eirules.core.engine import Engine

    return Engine(entry_points=False)


EVENT_WORDS = st.sampled_from(
    [
        "referral_received",
        "delay",
        "ifsp_meeting_held",
        "consent_for_evaluation",
        "no_such_event",
        "referal_received",
        "",
    ]
)
EVENT_TAGS = st.sampled_from([None, "", "part_c", "part_b", "mtss", "part_d", 3])


@given(
    events=st.lists(
        st.fixed_dictionaries(
            {"type": EVENT_WORDS, "date": st.just("2025-03-03")},
            optional={
                "program": EVENT_TAGS,
                "reason": st.sampled_from(
                    [None, "", "exceptional_family_circumstances", "family_request", "x", 4]
                ),
                "outcome": st.sampled_from(["eligible", "\u202e"]),
            },
        ),
        max_size=4,
    ),
    twice=st.booleans(),
)
def test_the_vocabulary_check_of_fast_cases_is_the_detailed_one(engine, events, twice):
    # A case the fast path builds has its event types, programs and reasons checked on
    # the built events (combinations that fit remembered): the same problems, in the
    # same order, as checking the document's list, and the same case when none.
    doc = {"id": "V-1", "child": {"birth_date": "2024-01-02"}, "events": events}
    for _ in range(1 + twice):  # the second time from the remembered combinations
        assert _loaded(engine, doc, fast=True) == _loaded(engine, doc, fast=False)


def test_events_given_as_a_tuple_are_not_checked_against_the_vocabulary(engine):
    # As before: only a list of events (what JSON gives) is checked for event types.
    doc = {
        "id": "V-2",
        "child": {"birth_date": "2024-01-02"},
        "events": ({"type": "no_such_event", "date": "2025-03-03"},),
    }
    fast = _loaded(engine, doc, fast=True)
    assert fast == _loaded(engine, doc, fast=False)
    assert isinstance(fast, Case)
    doc["events"] = list(doc["events"])
    assert _loaded(engine, doc, fast=True)[0][:2] == (
        "events[0].type",
        '"no_such_event" is not a known event type',
    )


ANY_FIELD = st.one_of(st.none(), st.dates(), st.text(max_size=3), st.integers(), st.just(()))


@pytest.mark.parametrize("cls", sorted(fastload_claims._POST_INIT_NONE, key=lambda c: c.__name__))
@given(data=st.data())
def test_a_post_init_said_to_pass_on_none_passes_on_none(cls, data):
    # The generated code skips `__attrs_post_init__` when one of the declared fields is
    # None: whatever the other fields hold, it must then do nothing.
    fields = fastload_claims._POST_INIT_NONE[cls]
    obj = object.__new__(cls)
    for a in attrs.fields(cls):
        object.__setattr__(obj, a.name, data.draw(ANY_FIELD))
    object.__setattr__(obj, data.draw(st.sampled_from(fields)), None)
    before = attrs.asdict(obj, recurse=False)
    obj.__attrs_post_init__()
    assert attrs.asdict(obj, recurse=False) == before


def test_the_post_init_checks_skipped_on_none_still_refuse_a_bad_period():
    assert {models.Event, models.Enrolment, models.Service} == set(fastload_claims._POST_INIT_NONE)
    for doc, cls in (
        ({"type": "delay", "date": "2025-03-03", "until": "2025-03-02"}, models.Event),
        ({"program": "part_c", "start": "2025-03-03", "end": "2025-03-02"}, models.Enrolment),
        ({"name": "OT", "started": "2025-03-03", "ended": "2025-03-02"}, models.Service),
    ):
        assert fastload.attempt(fastload.for_model(cls), doc) is None
        with pytest.raises(Exception):  # noqa: B017, PT011 - the detailed path refuses it
            convert.converter.structure(doc, cls)
        doc.popitem()
        assert fastload.attempt(fastload.for_model(cls), doc) == convert.converter.structure(
            doc, cls
        )


def _leaf_number(leaf, value):
    try:
        return leaf(value), True
    except (fastload.Refused, OverflowError):
        return None, False


@pytest.mark.parametrize(
    "validator",
    sorted(
        fastload_claims._NUMBER_SHORTCUTS, key=lambda v: repr(fastload_claims._NUMBER_SHORTCUTS[v])
    ),
)
@given(
    number=st.one_of(
        st.integers(min_value=-(2**1100), max_value=2**1100),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0, 0.0, -0.0, 20, 45, 100, 100.0, 5e-324, 20.5]),
    )
)
def test_a_number_shortcut_only_passes_what_its_validator_passes(validator, number):
    # On what a number leaf gives (the _float leaf's finite numbers; the _int leaf's
    # ints for a whole validator), a true shortcut means the validator passes.
    expr, whole = fastload_claims._NUMBER_SHORTCUTS[validator]
    for leaf in (fastload._int,) if whole else (fastload._float,):
        value, taken = _leaf_number(leaf, number)
        if taken and eval(f"lambda x: bool({expr.format(x='x')})")(value):  # noqa: S307
            assert _passes(validator, value)
    if whole:  # a float leaf's float never passes a whole one's shortcut
        assert not eval(f"lambda x: bool({expr.format(x='x')})")(30.0)  # noqa: S307


def test_the_number_shortcuts_are_the_models_bounds():
    weeks = attrs.fields_dict(models.Child)["gestational_age_weeks"].validator
    assert fastload_claims._NUMBER_SHORTCUTS[weeks] == (
        "type({x}) is int and 20 <= {x} and {x} <= 45",
        True,
    )
    for bad in (19, 46):
        doc = {"birth_date": "2024-01-02", "gestational_age_weeks": bad}
        assert fastload.attempt(fastload.for_model(models.Child), doc) is None
    delay = {"domain": "adaptive", "percent_delay": 100.5}
    assert fastload.attempt(fastload.for_model(models.Score), delay) is None
    delay["percent_delay"] = 100
    assert fastload.attempt(fastload.for_model(models.Score), delay) == models.Score(
        domain="adaptive", percent_delay=100
    )


@given(word=TEXT, field=st.sampled_from(["type", "program", "reason", "outcome", "service"]))
def test_remembered_words_are_only_words_the_validator_passed(word, field):
    # The vocabulary fields of an event remember text their validator passed: the second
    # time a word comes, the fast path builds what the detailed path builds (or refuses).
    doc = {"type": "delay", "date": "2025-03-03", field: word}
    for _ in range(2):
        fast = fastload.attempt(fastload.for_model(models.Event), doc)
        try:
            slow = convert.converter.structure(doc, models.Event)
        except Exception:  # noqa: BLE001 - refused by the detailed path
            slow = None
        assert fast == slow or (fast is None and slow is not None)
        if slow is None:
            assert fast is None
    passed = fastload_claims._PASSED[(models.Event, field)]
    assert len(passed) <= fastload_claims._PASSED_MAX
    for text in passed:
        validator = attrs.fields_dict(models.Event)[field].validator
        assert len(text) <= fastload_claims._PASSED_LONGEST and _passes(validator, text)


def test_no_personal_field_is_remembered():
    assert "note" not in fastload_claims._REMEMBERED[models.Event]
    with pytest.raises(TypeError):
        fastload_claims.remembered(models.Child, "name")
    for cls, fields in fastload_claims._REMEMBERED.items():
        for a in attrs.fields(cls):
            assert not (a.name in fields and a.metadata.get("personal"))
