"""The case model: frozen, validated, canonical order, and a lossless converter round trip."""

from __future__ import annotations

import itertools
import unicodedata
from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core import models
from eirules.core.convert import structure, unstructure
from eirules.core.errors import InputError, ValueProblem
from eirules.core.models import (
    DOMAINS,
    Case,
    Child,
    Condition,
    Enrolment,
    Evaluation,
    Event,
    Score,
    Service,
    ServicePlan,
    TransitionReview,
)
from eirules.core.text import first_unsafe, invisible, text_problem

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2045, 12, 31))
#: Every text field but a note is one line of plain text (core/text.py `text_problem`).
#: (Drawn from characters none of which it refuses, a joiner a name may hold among them.)
plain_chars = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"))
text = st.text(plain_chars | st.sampled_from(["\u200c", "\u200d"]), max_size=10)
maybe_text = st.none() | text
words = text.filter(str.strip)
maybe_plain = maybe_text
maybe_note = st.none() | st.text(max_size=10).filter(lambda s: text_problem(s, note=True) is None)
numbers = st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def events(draw):
    day = draw(dates)
    until = draw(st.none() | st.integers(0, 365).map(lambda n: day + timedelta(days=n)))
    return Event(
        type=draw(words),
        date=day,
        program=draw(maybe_text),
        reason=draw(maybe_text),
        # One line of plain text; a note may break lines (core/text.py text_problem).
        outcome=draw(maybe_plain),
        category=draw(maybe_plain),
        service=draw(maybe_plain),
        until=until,
        note=draw(maybe_note),
    )


@st.composite
def scores(draw):
    kind = draw(st.sampled_from(["standard", "age", "percent"]))
    common = {"domain": draw(st.sampled_from(DOMAINS)), "subdomain": draw(maybe_text)}
    if kind == "standard":
        return Score(
            **common,
            standard_score=draw(numbers),
            mean=draw(numbers),
            sd=draw(st.integers(1, 40) | st.floats(0.1, 40)),
        )
    if kind == "age":
        return Score(**common, age_equivalent_months=draw(st.integers(0, 60) | st.floats(0, 60)))
    return Score(**common, percent_delay=draw(st.integers(0, 100) | st.floats(0, 100)))


children = st.builds(
    Child,
    birth_date=dates,
    gestational_age_weeks=st.none() | st.integers(20, 45),
    # Names are one line of plain text (no control or bidi character, core/text.py).
    name=st.none() | text.filter(lambda s: first_unsafe(s) is None),
    risk_factors=st.lists(text, max_size=3).map(tuple),
)
evaluations = st.builds(
    Evaluation,
    date=dates,
    instrument=maybe_text,
    scores=st.lists(scores(), max_size=3).map(tuple),
    informed_clinical_opinion=st.sampled_from([None, "eligible", "not_eligible"]),
    program=maybe_text,
    note=maybe_note,
)
conditions = st.builds(Condition, name=words, code=maybe_text, diagnosed=st.none() | dates)


@st.composite
def _period(draw):
    """A start and an end, either may be missing; the end is never before the start."""
    start = draw(st.none() | dates)
    if start is None:
        return None, draw(st.none() | dates)
    days = draw(st.none() | st.integers(0, 900))
    return start, None if days is None else start + timedelta(days=days)


enrolments = st.builds(
    lambda program, period: Enrolment(program=program, start=period[0], end=period[1]),
    words,
    _period(),
)


@st.composite
def services(draw):
    started, ended = draw(_period())
    return Service(
        name=draw(words),
        consented=draw(st.none() | dates),
        planned_start=draw(st.none() | dates),
        started=started,
        ended=ended,
        sessions=draw(st.none() | st.integers(0, 10)),
        per=draw(st.sampled_from([None, "day", "week", "month"])),
        minutes=draw(st.none() | st.integers(0, 600)),
    )


maybe_bool = st.sampled_from([None, True, False])
reviews = st.builds(
    TransitionReview,
    date=dates,
    postsecondary_goals=maybe_bool,
    goals_updated_annually=maybe_bool,
    transition_assessment=maybe_bool,
    transition_services=maybe_bool,
    courses_of_study=maybe_bool,
    annual_goals_related=maybe_bool,
    student_invited=maybe_bool,
    agency_invited=st.sampled_from([None, "invited", "not_invited", "not_appropriate"]),
    note=maybe_note,
)
plans = st.builds(
    ServicePlan,
    kind=st.sampled_from(["ifsp", "iep"]),
    meetings=st.lists(dates, max_size=3).map(tuple),
    services=st.lists(services(), max_size=3).map(tuple),
    transition=st.lists(reviews, max_size=2).map(tuple),
)


def _case(**fields) -> Case:
    """A case whose child is born on or before its first event and evaluation (the model
    refuses earlier ones)."""
    child = fields["child"]
    dated = [*(e.date for e in fields["events"]), *(e.date for e in fields["evaluations"])]
    first = min(dated, default=child.birth_date)
    if first < child.birth_date:
        fields["child"] = attrs.evolve(child, birth_date=first)
    return Case(**fields)


cases = st.builds(
    _case,
    id=words.filter(
        lambda s: (
            first_unsafe(s) is None
            and s == s.strip()
            and not invisible(s)
            and unicodedata.normalize("NFC", s) == s
        )  # an id is NFC (a look-alike otherwise)
    ),
    child=children,
    ruleset=maybe_text,
    events=st.lists(events(), max_size=4),
    evaluations=st.lists(evaluations, max_size=2),
    conditions=st.lists(conditions, max_size=2),
    enrolments=st.lists(enrolments, max_size=2),
    service_plans=st.lists(plans, max_size=1),
    district=maybe_text,
    county=maybe_text,
    provider=maybe_text,
)

EVERY_MODEL = [
    (Case, cases),
    (Child, children),
    (Event, events()),
    (Score, scores()),
    (Evaluation, evaluations),
    (Condition, conditions),
    (Enrolment, enrolments),
    (Service, services()),
    (ServicePlan, plans),
    (TransitionReview, reviews),
]


@pytest.mark.parametrize("cls, strategy", EVERY_MODEL, ids=[c.__name__ for c, _ in EVERY_MODEL])
def test_structure_of_unstructure_is_the_same_model(cls, strategy):
    @given(strategy)
    def check(model):
        assert structure(unstructure(model), cls) == model

    check()


@given(cases, st.randoms())
def test_event_order_in_a_file_never_matters(case, random):
    shuffled = list(case.events)
    random.shuffle(shuffled)
    assert attrs.evolve(case, events=shuffled) == case


# Few dates, types and values, so that events share a day and a type and tie there.
tied_events = st.builds(
    Event,
    type=st.sampled_from(["a", "b"]),
    date=st.sampled_from([date(2025, 1, 2), date(2025, 1, 3)]),
    program=st.sampled_from([None, "", "x"]),
    reason=st.sampled_from([None, "", "x"]),
    service=st.sampled_from([None, "", "x"]),
    note=st.sampled_from([None, "", "x"]),
    until=st.sampled_from([None, date(2025, 2, 1)]),
)


@given(st.lists(tied_events | events(), max_size=8))
def test_the_canonical_order_is_the_order_of_the_whole_sort_key(listed):
    # Sorted by date and type, and by the whole key only when two tie there (issue 15).
    assert models._canonical_events(listed) == tuple(sorted(listed, key=Event.sort_key))
    assert models._canonical_events(iter(listed)) == tuple(sorted(listed, key=Event.sort_key))


@pytest.mark.parametrize("given", list(itertools.product([None, 7], repeat=5)))
def test_the_quick_score_test_lets_by_only_what_the_full_one_does(given):
    score = object.__new__(Score)
    names = ("standard_score", "mean", "sd", "age_equivalent_months", "percent_delay")
    for name, value in zip(
        ("domain", "subdomain", *names), ("adaptive", None, *given), strict=True
    ):
        object.__setattr__(score, name, value)
    try:
        score._refuse_scores()
        full = True
    except ValueProblem:
        full = False
    try:
        score.__attrs_post_init__()
        quick = True
    except ValueProblem:
        quick = False
    assert quick == full


@given(cases)
def test_events_are_in_date_order(case):
    days = [e.date for e in case.events]
    assert days == sorted(days)


def test_models_are_frozen():
    child = Child(birth_date=date(2024, 11, 2))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        child.birth_date = date(2024, 11, 3)


def test_dates_inside_the_core_are_dates_not_strings():
    with pytest.raises(ValueProblem, match=r'"2024-11-02" is not a date \(YYYY-MM-DD\)'):
        Child(birth_date="2024-11-02")


def test_a_datetime_is_not_a_date():
    from datetime import datetime

    with pytest.raises(ValueProblem):
        Event(type="referral_received", date=datetime(2026, 1, 5, 9, 30))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "no score given"),
        ({"standard_score": 70}, "standard_score without mean and sd"),
        ({"standard_score": 70, "mean": 100}, "standard_score without sd"),
        ({"percent_delay": 20, "mean": 100}, "mean or sd without a standard_score"),
        (
            {"percent_delay": 20, "age_equivalent_months": 8},
            "found age_equivalent_months and percent_delay",
        ),
        ({"percent_delay": 101}, "101 is out of range"),
        ({"age_equivalent_months": -1}, "-1 is out of range"),
        ({"standard_score": 70, "mean": 100, "sd": 0}, "0 is out of range"),
        ({"percent_delay": float("nan")}, "NaN is not a finite number"),
        ({"percent_delay": 10**400}, "is not a finite number"),
        ({"percent_delay": "20"}, '"20" is not a number'),
        ({"percent_delay": True}, "true is not a number"),
    ],
)
def test_a_score_is_one_kind_of_result(kwargs, message):
    with pytest.raises(ValueProblem, match=message):
        Score(domain="adaptive", **kwargs)


def test_the_five_part_c_domains():
    """34 CFR 303.21(a)(1): cognitive, physical, communication, social or emotional, adaptive."""
    assert DOMAINS == ("cognitive", "physical", "communication", "social_emotional", "adaptive")
    with pytest.raises(ValueProblem, match='"motor" is not a known domain'):
        Score(domain="motor", percent_delay=30)


def test_an_event_cannot_end_before_it_starts():
    with pytest.raises(ValueProblem) as info:
        Event(type="delay", date=date(2026, 2, 10), until=date(2026, 2, 9))
    assert info.value.field == "until"


def test_case_helpers_read_events_by_type_and_program():
    case = Case(
        id="ADA-1",
        child=Child(birth_date=date(2024, 11, 2)),
        events=[
            Event(type="referral_received", date=date(2026, 1, 9), program="part_c"),
            Event(type="referral_received", date=date(2026, 1, 5), program="part_c"),
            Event(type="consent_for_evaluation", date=date(2026, 3, 1), program="part_b"),
            Event(type="delay", date=date(2026, 2, 1), reason="agency_reason"),
        ],
        enrolments=[Enrolment(program="part_c")],
    )
    assert case.first("referral_received").date == date(2026, 1, 5)
    assert case.last("referral_received").date == date(2026, 1, 9)
    assert case.first("ifsp_meeting_held") is None
    # An event without a program belongs to every program.
    assert [
        e.type for e in case.events_of("delay", "consent_for_evaluation", program="part_c")
    ] == ["delay"]
    assert case.programs == ("part_c", "part_b")


def test_structure_names_every_problem_with_its_path():
    with pytest.raises(InputError) as info:
        structure({"kind": "ifsp", "services": [{"name": "", "per": "fortnight"}]}, ServicePlan)
    assert [str(p) for p in info.value.problems] == [
        "services[0].name: required but empty; expected some text",
        'services[0].per: "fortnight" is not a known period; expected one of: day, week, month',
    ]


def test_every_model_class_is_covered_here():
    """A new model class must join EVERY_MODEL, so its round trip is proved too."""
    from eirules.core.convert import MODELS

    assert {cls for cls, _ in EVERY_MODEL} == set(MODELS)
    assert all(attrs.has(cls) for cls in vars(models).values() if cls in MODELS)


def test_every_character_the_text_checks_refuse_fails_isprintable():
    # text_problem (and the fast loader's shortcut) passes printable text without the
    # regex; that is the same answer only if no unsafe character is printable.
    from eirules.core.text import UNSAFE

    unsafe = [c for c in map(chr, range(0x110000)) if UNSAFE.match(c)]
    assert len(unsafe) > 60
    assert not any(c.isprintable() for c in unsafe)


@given(st.text(alphabet=st.characters(codec=None), max_size=30), st.booleans())
def test_text_problem_is_none_on_printable_short_text(value, note):
    if value.isprintable():
        assert first_unsafe(value) is None
        assert text_problem(value, note=note) is None
