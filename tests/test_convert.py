"""The case-file converter: round trips lose nothing, bad files get one message per problem."""

from __future__ import annotations

import copy
import json
import math
import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.convert import (
    SCHEMA,
    case_from_dict,
    case_to_dict,
    determination_from_dict,
    determination_to_dict,
    event_programs,
    read_json,
)
from eirules.core.errors import InputError
from eirules.core.models import DOMAINS
from eirules.core.text import first_unsafe, invisible, text_problem
from eirules.plugins.vocabulary import DELAY_REASONS

# Strategies for valid case-file documents ------------------------------------------------

iso_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2045, 12, 31)).map(date.isoformat)
#: Every text field of a case but a note: one line of plain text (no control, bidi or
#: invisible character, see core/text.py `text_problem`).
#: (Drawn from characters none of which it refuses, a joiner a name may hold among them.)
plain_chars = st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"))
text = st.text(plain_chars | st.sampled_from(["\u200c", "\u200d"]), max_size=12)
words = text.filter(str.strip)
plain_words = words.filter(lambda s: first_unsafe(s) is None)
#: Case ids: as plain words, with no space at either end and no invisible character.
# An id is in NFC form (a compatibility ideograph such as U+F9xx is not its own NFC).
id_words = plain_words.filter(
    lambda s: s == s.strip() and invisible(s) is None and unicodedata.normalize("NFC", s) == s
)
plain_text = text
note_text = st.text(max_size=12).filter(lambda s: text_problem(s, note=True) is None)
finite = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
non_negative = st.integers(0, 500) | st.floats(0, 500, allow_nan=False)


def _doc(required, optional):
    return st.fixed_dictionaries(required, optional=optional)


child_docs = _doc(
    {"birth_date": iso_dates},
    {
        "gestational_age_weeks": st.integers(20, 45),
        "name": plain_text,
        "risk_factors": st.lists(words, min_size=1, max_size=3),
    },
)


@st.composite
def event_docs(draw, types=st.sampled_from(["referral_received", "ifsp_meeting_held", "exited"])):
    if draw(st.booleans()):
        doc = {
            "type": "delay",
            "date": draw(iso_dates),
            "reason": draw(st.sampled_from(DELAY_REASONS)),
        }
    else:
        doc = {"type": draw(types), "date": draw(iso_dates)}
        if draw(st.booleans()):
            doc["reason"] = draw(text)
    for key in ("program", "outcome", "category", "service", "note"):
        if draw(st.booleans()):  # one line of plain text; a note may break lines
            doc[key] = draw(
                text if key == "program" else note_text if key == "note" else plain_text
            )
    if draw(st.booleans()):
        days = timedelta(days=draw(st.integers(0, 400)))
        doc["until"] = (date.fromisoformat(doc["date"]) + days).isoformat()
    return doc


@st.composite
def score_docs(draw):
    doc = {"domain": draw(st.sampled_from(DOMAINS))}
    kind = draw(st.sampled_from(["standard_score", "age_equivalent_months", "percent_delay"]))
    if kind == "standard_score":
        doc.update(
            standard_score=draw(finite),
            mean=draw(finite),
            sd=draw(st.integers(1, 50) | st.floats(0.01, 50, allow_nan=False)),
        )
    elif kind == "age_equivalent_months":
        doc[kind] = draw(non_negative)
    else:
        doc[kind] = draw(st.integers(0, 100) | st.floats(0, 100, allow_nan=False))
    if draw(st.booleans()):
        doc["subdomain"] = draw(text)
    return doc


evaluation_docs = _doc(
    {"date": iso_dates},
    {
        "instrument": text,
        "scores": st.lists(score_docs(), min_size=1, max_size=3),
        "informed_clinical_opinion": st.sampled_from(["eligible", "not_eligible"]),
        "program": text,
        "note": note_text,
    },
)
condition_docs = _doc({"name": words}, {"code": text, "diagnosed": iso_dates})


def _ordered(later: str, earlier: str):
    """Keep documents whose period does not end before it starts."""
    return lambda d: not (later in d and earlier in d and d[later] < d[earlier])


enrolment_docs = _doc({"program": words}, {"start": iso_dates, "end": iso_dates}).filter(
    _ordered("end", "start")
)
service_docs = _doc(
    {"name": words},
    {
        "consented": iso_dates,
        "planned_start": iso_dates,
        "started": iso_dates,
        "ended": iso_dates,
        "sessions": st.integers(0, 20),
        "per": st.sampled_from(["day", "week", "month"]),
        "minutes": st.integers(0, 600),
    },
).filter(_ordered("ended", "started"))
plan_docs = _doc(
    {"kind": st.sampled_from(["ifsp", "iep"])},
    {
        "meetings": st.lists(iso_dates, min_size=1, max_size=3),
        "services": st.lists(service_docs, min_size=1, max_size=2),
    },
)
case_docs = _doc(
    {"schema": st.just(SCHEMA), "id": id_words, "child": child_docs},
    {
        "ruleset": words,
        "events": st.lists(event_docs(), min_size=1, max_size=4),
        "evaluations": st.lists(evaluation_docs, min_size=1, max_size=2),
        "conditions": st.lists(condition_docs, min_size=1, max_size=2),
        "enrolments": st.lists(enrolment_docs, min_size=1, max_size=2),
        "service_plans": st.lists(plan_docs, min_size=1, max_size=1),
        "district": text,
    },
).map(lambda d: _born_before_events(d))


def _born_before_events(doc: dict) -> dict:
    """A case file's events and evaluations are on or after the birth date (the model
    refuses earlier ones)."""
    dates = [e["date"] for e in (*doc.get("events", []), *doc.get("evaluations", []))]
    if dates and min(dates) < doc["child"]["birth_date"]:
        doc = {**doc, "child": {**doc["child"], "birth_date": min(dates)}}
    return doc


def canonical(doc: dict) -> dict:
    """The document with events and evaluations in the model's canonical order."""
    doc = copy.deepcopy(doc)
    if "events" in doc:
        keys = ("program", "reason", "outcome", "category", "service", "until", "note")

        def key(e: dict) -> tuple:
            # A field left out sorts before the same field given as "" (Event.sort_key).
            return (
                e["date"],
                e["type"],
                *(
                    (e.get(k) or "") if k == "until" else (e.get(k) is not None, e.get(k) or "")
                    for k in keys
                ),
            )

        doc["events"].sort(key=key)
    if "evaluations" in doc:
        doc["evaluations"].sort(key=lambda e: e["date"])
    return doc


# Round trips --------------------------------------------------------------------------


@given(case_docs)
def test_file_to_model_to_file_loses_nothing(doc):
    assert case_to_dict(case_from_dict(doc)) == canonical(doc)


@given(case_docs)
def test_engine_round_trip_with_the_event_vocabulary(engine, doc):
    """Events written in any order come back in canonical date order, nothing lost."""
    doc = copy.deepcopy(doc)
    for event in doc.get("events", []):
        if "program" in event:  # the vocabulary says which programs an event belongs to
            event["program"] = engine.event_types[event["type"]].programs[0]
    assert case_to_dict(engine.case_from_dict(doc)) == canonical(doc)


@given(case_docs)
def test_round_trip_survives_json_text(doc):
    text_ = json.dumps(doc)
    assert case_to_dict(case_from_dict(json.loads(text_))) == canonical(doc)


def test_explicit_nulls_and_empty_lists_mean_the_same_as_leaving_them_out():
    bare = {"schema": SCHEMA, "id": "C-1", "child": {"birth_date": "2025-01-01"}}
    padded = {
        **bare,
        "ruleset": None,
        "events": [],
        "conditions": [],
        "child": {"birth_date": "2025-01-01", "gestational_age_weeks": None},
    }
    assert case_from_dict(padded) == case_from_dict(bare)
    assert case_to_dict(case_from_dict(padded)) == bare


def test_a_file_without_schema_is_read_as_case_at_1_and_written_with_it():
    case = case_from_dict({"id": "C-1", "child": {"birth_date": "2025-01-01"}})
    assert case_to_dict(case)["schema"] == "eirules/case@1"


def test_determination_round_trips_through_its_json_shape(engine):
    case = engine.case_from_dict(json.loads(_example_text()))
    det = engine.evaluate(case, "us", date(2026, 2, 1))
    data = json.loads(json.dumps(determination_to_dict(det)))
    assert determination_from_dict(data) == det


def _example_text() -> str:
    from pathlib import Path

    return (Path(__file__).parent.parent / "examples" / "mo-0001.json").read_text()


def test_a_stored_determination_that_is_not_one_is_an_input_error():
    with pytest.raises(InputError) as info:
        determination_from_dict({"case": "X", "as_of": "2026-13-01"})
    text_ = str(info.value)
    assert 'as_of: "2026-13-01" is not a date (YYYY-MM-DD)' in text_
    assert "ruleset: required but missing; expected a string" in text_


# Bad input never crashes -------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["2025-01-01", "2024-13-02", "", "referral_received", "cognitive"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _past_the_digit_limit() -> int:
    return 10**5000  # str() of it raises ValueError in Python 3.11+


python_oddities = (
    st.builds(_past_the_digit_limit)
    | st.integers(min_value=10**300)
    | st.sampled_from([math.nan, math.inf, -math.inf, (1, 2), {1, 2}, b"x", date(2025, 1, 1)])
    | st.dictionaries(st.integers() | st.none(), st.integers(), min_size=1, max_size=2)
)
anything = st.recursive(
    json_values | python_oddities,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)

_STEP = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def _steps(path: str) -> list:
    assert "".join(m.group(0) for m in _STEP.finditer(path)) == path, path
    return [int(i) if i else k or json.loads(q) for k, i, q in _STEP.findall(path)]


def assert_loads_or_explains(load, doc):
    """Accepted, or InputError whose every problem names a JSON path into the document."""
    try:
        load(doc)
    except InputError as exc:
        assert exc.problems, "an InputError must list at least one problem"
        for problem in exc.problems:
            assert problem.where, f"problem without a path: {problem}"
            assert problem.what
            if problem.where == "$":
                continue
            # Every step but the last exists in the document (the last may be a missing
            # or unknown key): the path really points into what the user wrote.
            node = doc
            steps = _steps(problem.where)
            for step in steps[:-1]:
                node = node[step] if isinstance(step, int) else _get(node, step)
            assert node is not None or steps[:-1] == []


def _get(node, key):
    for k in node:
        if str(k) == key:
            return node[k]
    raise AssertionError(f"{key!r} not in {node!r}")


@given(anything)
def test_arbitrary_values_are_accepted_or_rejected_with_paths(engine, doc):
    assert_loads_or_explains(case_from_dict, doc)
    assert_loads_or_explains(engine.case_from_dict, doc)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "id": anything,
            "child": anything | child_docs,
            "events": anything | st.lists(anything | event_docs(), max_size=3),
            "evaluations": st.lists(anything | evaluation_docs, max_size=2),
            "conditions": anything,
            "service_plans": st.lists(anything | plan_docs, max_size=2),
            "schema": anything,
        },
    )
)
def test_case_shaped_garbage_is_accepted_or_rejected_with_paths(engine, doc):
    assert_loads_or_explains(engine.case_from_dict, doc)


def _paths(node, prefix=()):
    """Every (path, value) in a document."""
    yield prefix, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated_docs(draw):
    """A valid document with one thing broken at any level."""
    doc = draw(case_docs)
    targets = [p for p, _ in _paths(doc) if p]
    path = draw(st.sampled_from(targets))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    mutation = draw(
        st.sampled_from(["replace", "delete", "unknown_key", "bad_date", "wrap", "null"])
    )
    if mutation == "replace":
        parent[last] = draw(anything)
    elif mutation == "delete":
        del parent[last]
    elif mutation == "unknown_key":
        target = parent if isinstance(parent, dict) else doc
        target[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    elif mutation == "bad_date":
        parent[last] = draw(st.sampled_from(["2024-13-02", "2025-02-30", "1/2/2025", "", 20250101]))
    elif mutation == "wrap":
        parent[last] = [parent[last]]
    else:
        parent[last] = None
    return doc


@given(mutated_docs())
def test_any_mutation_of_a_valid_file_is_accepted_or_rejected_with_paths(engine, doc):
    assert_loads_or_explains(engine.case_from_dict, doc)


@given(case_docs, st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.text(max_size=5))
def test_an_unknown_key_is_always_rejected_with_its_path(doc, key, odd):
    doc["child"][key + "_x"] = 1
    doc["child"]["." + odd] = 2
    with pytest.raises(InputError) as info:
        case_from_dict(doc)
    paths = {p.where for p in info.value.problems}
    assert paths == {f"child.{key}_x", f"child[{json.dumps('.' + odd)}]"}


def test_deep_nesting_and_huge_numbers_in_a_file_are_input_errors(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError):
        read_json(deep)
    huge = tmp_path / "huge.json"
    huge.write_text('{"id": ' + "9" * 5000 + "}")
    with pytest.raises(InputError):
        read_json(huge)


# Exact messages ----------------------------------------------------------------------


def problems_of(engine, doc) -> list[str]:
    with pytest.raises(InputError) as info:
        engine.case_from_dict(doc)
    return [str(p) for p in info.value.problems]


def good(**changes) -> dict:
    doc = json.loads(_example_text())
    doc.update(changes)
    return doc


def test_message_bad_birth_date(engine):
    doc = good(child={"birth_date": "2024-13-02"})
    assert problems_of(engine, doc) == ["child.birth_date: the value is not a date (YYYY-MM-DD)"]


def test_message_misspelt_event_type_suggests_the_known_one(engine):
    doc = good()
    doc["events"][2] = {"type": "referal_received", "date": "2026-01-06"}
    assert problems_of(engine, doc) == [
        'events[2].type: "referal_received" is not a known event type; '
        'did you mean "referral_received"?'
    ]


def test_message_unknown_event_type_without_a_close_match_lists_the_known_ones(engine):
    doc = good()
    doc["events"][0]["type"] = "zzzz"
    (message,) = problems_of(engine, doc)
    assert message.startswith('events[0].type: "zzzz" is not a known event type; expected one of: ')
    assert "referral_received" in message and "delay" in message


@pytest.mark.parametrize(
    "where, key, expected",
    [
        ((), "evnts", 'evnts: unknown key "evnts"; did you mean "events"?'),
        (
            ("child",),
            "birth_dat",
            'child.birth_dat: unknown key "birth_dat"; did you mean "birth_date"?',
        ),
        (("events", 1), "dat", 'events[1].dat: unknown key "dat"; did you mean "date"?'),
        (
            ("evaluations", 0),
            "instrumnt",
            'evaluations[0].instrumnt: unknown key "instrumnt"; did you mean "instrument"?',
        ),
        (
            ("evaluations", 0, "scores", 2),
            "percent_dealy",
            'evaluations[0].scores[2].percent_dealy: unknown key "percent_dealy"; '
            'did you mean "percent_delay"?',
        ),
        (("conditions", 0), "cod", 'conditions[0].cod: unknown key "cod"; did you mean "code"?'),
    ],
)
def test_message_unknown_key_at_every_level_with_did_you_mean(engine, where, key, expected):
    doc = good()
    node = doc
    for step in where:
        node = node[step]
    node[key] = node.get(key.rstrip("x"), "2026-01-01")
    assert problems_of(engine, doc) == [expected]


def test_message_unknown_key_in_a_service_plan(engine):
    doc = good(service_plans=[{"kind": "ifsp", "services": [{"name": "OT", "minuts": 60}]}])
    assert problems_of(engine, doc) == [
        'service_plans[0].services[0].minuts: unknown key "minuts"; did you mean "minutes"?'
    ]


def test_message_unknown_domain_lists_the_five_domains(engine):
    doc = good()
    doc["evaluations"][0]["scores"][0]["domain"] = "motor"
    assert problems_of(engine, doc) == [
        'evaluations[0].scores[0].domain: "motor" is not a known domain; expected one of: '
        "cognitive, physical, communication, social_emotional, adaptive"
    ]


def test_message_misspelt_domain_suggests_the_close_one(engine):
    doc = good()
    doc["evaluations"][0]["scores"][0]["domain"] = "comunication"
    assert problems_of(engine, doc) == [
        'evaluations[0].scores[0].domain: "comunication" is not a known domain; '
        'did you mean "communication"?'
    ]


def test_a_score_with_a_bad_domain_and_a_bad_number_reports_both(engine):
    doc = good()
    doc["evaluations"][0]["scores"][0] = {
        "domain": "motor",
        "standard_score": "70",
        "mean": 100,
        "sd": 0,
    }
    assert problems_of(engine, doc) == [
        'evaluations[0].scores[0].domain: "motor" is not a known domain; expected one of: '
        "cognitive, physical, communication, social_emotional, adaptive",
        'evaluations[0].scores[0].standard_score: "70" is not a number',
        "evaluations[0].scores[0].sd: 0 is out of range; expected more than 0",
    ]


@pytest.mark.parametrize(
    "score, expected",
    [
        (
            {"domain": "adaptive"},
            "evaluations[0].scores[0]: no score given; expected exactly one of standard_score "
            "(with mean and sd), age_equivalent_months or percent_delay",
        ),
        (
            {"domain": "adaptive", "percent_delay": 30, "age_equivalent_months": 8},
            "evaluations[0].scores[0]: found age_equivalent_months and percent_delay; expected "
            "exactly one of standard_score (with mean and sd), age_equivalent_months or percent_delay",
        ),
        (
            {"domain": "adaptive", "standard_score": 70, "mean": 100},
            "evaluations[0].scores[0]: standard_score without sd; expected the test's mean and sd "
            "with a standard score (e.g. 100 and 15)",
        ),
        (
            {"domain": "adaptive", "percent_delay": 120},
            "evaluations[0].scores[0].percent_delay: 120 is out of range; expected 0 to 100",
        ),
        (
            {"domain": "adaptive", "percent_delay": math.nan},
            "evaluations[0].scores[0].percent_delay: NaN is not a finite number",
        ),
        (
            {"domain": "adaptive", "age_equivalent_months": True},
            "evaluations[0].scores[0].age_equivalent_months: true is not a number",
        ),
    ],
)
def test_message_for_each_way_a_score_can_be_wrong(engine, score, expected):
    doc = good()
    doc["evaluations"][0]["scores"] = [score]
    assert problems_of(engine, doc) == [expected]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"id": 17}, ["id: 17 is not a string"]),
        ({"id": "  "}, ["id: required but empty; expected some text"]),
        ({"child": None}, ['child: null is not an object; expected an object with "birth_date"']),
        ({"events": {"type": "x"}}, ['events: {"type": "x"} is not a list']),
        (
            {"events": [None]},
            ['events[0]: null is not an object; expected an object with "type" and "date"'],
        ),
        (
            {"events": [{"type": "referral_received"}]},
            ["events[0].date: required but missing; expected a date (YYYY-MM-DD)"],
        ),
        (
            {"events": [{"type": "delay", "date": "2026-01-05"}]},
            [
                'events[0].reason: required for a "delay" event but missing; expected one of: '
                + ", ".join(DELAY_REASONS)
            ],
        ),
        (
            {
                "events": [
                    {
                        "type": "delay",
                        "date": "2026-01-05",
                        "reason": "exceptional_family_circumstance",
                    }
                ]
            },
            [
                'events[0].reason: "exceptional_family_circumstance" is not a known reason for '
                '"delay"; did you mean "exceptional_family_circumstances"?'
            ],
        ),
        (
            {
                "events": [
                    {
                        "type": "delay",
                        "date": "2026-01-05",
                        "reason": "agency_reason",
                        "until": "2026-01-01",
                    }
                ]
            },
            [
                "events[0].until: 2026-01-01 is before the event date 2026-01-05; expected the event date or later"
            ],
        ),
        (
            {"schema": "eirules/case@2"},
            ['schema: "eirules/case@2" is not supported; expected "eirules/case@1"'],
        ),
        (
            {"child": {"birth_date": "2024-11-02", "gestational_age_weeks": 31.5}},
            ["child.gestational_age_weeks: 31.5 is not a whole number"],
        ),
        (
            {"child": {"birth_date": "2024-11-02", "gestational_age_weeks": 10**400}},
            [
                "child.gestational_age_weeks: "
                + "1"
                + "0" * 56
                + "... is out of range; expected 20 to 45"
            ],
        ),
        ({"conditions": "Down syndrome"}, ['conditions: "Down syndrome" is not a list']),
        (
            {"service_plans": [{"kind": "ipe"}]},
            ['service_plans[0].kind: "ipe" is not a known plan kind; did you mean "iep"?'],
        ),
    ],
)
def test_message_exact_text(engine, change, expected):
    assert problems_of(engine, good(**change)) == expected


def test_every_problem_is_reported_at_once(engine):
    doc = good(child={"birth_date": "2024-13-02"}, evnts=[])
    doc["events"][1]["date"] = "soon"
    doc["evaluations"][0]["scores"][1]["domain"] = "adaptiv"
    assert sorted(problems_of(engine, doc)) == sorted(
        [
            'evnts: unknown key "evnts"; did you mean "events"?',
            "child.birth_date: the value is not a date (YYYY-MM-DD)",
            'events[1].date: "soon" is not a date (YYYY-MM-DD)',
            'evaluations[0].scores[1].domain: "adaptiv" is not a known domain; did you mean "adaptive"?',
        ]
    )


def test_a_list_is_not_a_case_file(engine):
    assert problems_of(engine, [1, 2]) == [
        '$: [1, 2] is not an object; expected {"schema": "eirules/case@1", "id": ..., '
        '"child": ..., "events": [...]}'
    ]


def test_non_string_keys_from_python_callers_are_unknown_keys(engine):
    doc = good()
    doc["child"][3] = 4
    (message,) = problems_of(engine, doc)
    assert message.startswith('child["3"]: unknown key 3; expected one of: birth_date')


def test_message_missing_fields_say_what_was_expected(engine):
    doc = good(events=[{}], service_plans=[{}])
    doc["evaluations"][0]["scores"] = [{"percent_delay": 20}]
    assert problems_of(engine, doc) == [
        "events[0].type: required but missing; expected an event type such as referral_received",
        "events[0].date: required but missing; expected a date (YYYY-MM-DD)",
        "evaluations[0].scores[0].domain: required but missing; expected one of: "
        "cognitive, physical, communication, social_emotional, adaptive",
        "service_plans[0].kind: required but missing; expected ifsp or iep",
    ]


REQUIRED = re.compile(
    r"id|child|child\.birth_date|events\[\d+\]\.(type|date)|evaluations\[\d+\]\.date"
    r"|evaluations\[\d+\]\.scores\[\d+\]\.domain|conditions\[\d+\]\.name"
    r"|enrolments\[\d+\]\.program|service_plans\[\d+\]\.kind"
    r"|service_plans\[\d+\]\.services\[\d+\]\.name"
)


def _path_text(path: tuple) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


@given(case_docs, st.data())
def test_deleting_any_required_field_is_reported_at_its_path(doc, data):
    required = [p for p, _ in _paths(doc) if p and REQUIRED.fullmatch(_path_text(p))]
    path = data.draw(st.sampled_from(required))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    with pytest.raises(InputError) as info:
        case_from_dict(doc)
    assert [p.where for p in info.value.problems] == [_path_text(path)]
    assert info.value.problems[0].what == "required but missing"


@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_in_a_file_are_loaded_or_rejected_with_paths(engine, tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("bytes") / "case.json"
    path.write_bytes(raw)
    try:
        engine.load_case(path)
    except InputError as exc:
        assert str(exc).startswith(str(path))


def test_a_file_with_a_utf8_bom_is_read(engine, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _example_text().encode())
    assert engine.load_case(path).id == "MO-0001"


def test_a_file_that_is_not_utf8_is_an_input_error(engine, tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"id": "Zoë"}'.encode("latin-1"))
    with pytest.raises(InputError) as info:
        engine.load_case(path)
    assert (
        str(info.value)
        == f"{path} is not UTF-8 text\n  byte 10: 0xeb is not UTF-8; save it as UTF-8"
    )


def test_message_periods_that_end_before_they_start(engine):
    doc = good(
        enrolments=[{"program": "part_c", "start": "2026-01-05", "end": "2025-12-31"}],
        service_plans=[
            {
                "kind": "ifsp",
                "services": [{"name": "OT", "started": "2026-03-01", "ended": "2026-02-01"}],
            }
        ],
    )
    assert problems_of(engine, doc) == [
        "enrolments[0].end: 2025-12-31 is before the start date 2026-01-05; "
        "expected the start date or later",
        "service_plans[0].services[0].ended: 2026-02-01 is before the started date 2026-03-01; "
        "expected the started date or later",
    ]


# Determinations round trip --------------------------------------------------------------------


def _determinations():
    from eirules.core.decisions import (
        CLOCK_STATUSES,
        ELIGIBILITY_OUTCOMES,
        REFERRAL_STATUSES,
        Clock,
        Determination,
        Eligibility,
        Finding,
        Referral,
    )

    days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1))
    maybe_days = st.none() | days
    plain = st.recursive(
        st.none() | st.booleans() | st.integers(-(10**9), 10**9) | text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=6,
    )
    names = st.lists(words, max_size=2).map(tuple)
    return st.builds(
        Determination,
        case=words,
        ruleset=words,
        ruleset_version=text,
        as_of=days,
        engine=text,
        eligibility=st.lists(
            st.builds(
                Eligibility,
                program=words,
                outcome=st.sampled_from(ELIGIBILITY_OUTCOMES),
                basis=names,
                citation=text,
                missing=names,
                reason=text,
            ),
            max_size=2,
        ),
        clocks=st.lists(
            st.builds(
                Clock,
                id=words,
                program=words,
                start=maybe_days,
                due=maybe_days,
                status=st.sampled_from(CLOCK_STATUSES),
                citation=text,
                opens=maybe_days,
                met_on=maybe_days,
                reason=st.none() | text,
                excused_by=st.none() | text,
                label=text,
                subject=st.none() | text,
            ),
            max_size=3,
        ),
        referrals=st.lists(
            st.builds(
                Referral,
                id=words,
                program=words,
                referrer=text,
                to=text,
                reason=text,
                citation=text,
                by=maybe_days,
                status=st.sampled_from(REFERRAL_STATUSES),
            ),
            max_size=2,
        ),
        findings=st.lists(
            st.builds(
                Finding,
                rule=words,
                outcome=text,
                reason=text,
                citation=text,
                program=st.none() | text,
                inputs=st.dictionaries(text, plain, max_size=3),
                parameters=st.dictionaries(text, plain, max_size=3),
            ),
            max_size=2,
        ),
    )


@given(_determinations())
def test_any_determination_round_trips_through_its_json(det):
    data = json.loads(json.dumps(determination_to_dict(det)))
    assert determination_from_dict(data) == det


@pytest.mark.parametrize(
    "key, expected",
    [
        ("Birth Date", 'child["Birth Date"]: unknown key "Birth Date"; did you mean "birth_date"?'),
        ("BIRTH_DATE", 'child.BIRTH_DATE: unknown key "BIRTH_DATE"; did you mean "birth_date"?'),
        ("birth-date", 'child["birth-date"]: unknown key "birth-date"; did you mean "birth_date"?'),
    ],
)
def test_message_key_in_another_case_or_spelling_is_suggested(engine, key, expected):
    doc = good(child={"birth_date": "2024-11-02", key: "2024-11-02"})
    assert problems_of(engine, doc) == [expected]


def test_message_a_child_field_at_the_top_level_says_where_it_belongs(engine):
    doc = good(gestational_age_weeks=31)
    assert problems_of(engine, doc) == [
        'gestational_age_weeks: unknown key "gestational_age_weeks"; '
        'it belongs inside "child": {"gestational_age_weeks": ...}'
    ]


def test_structure_checks_a_plugin_class_with_fixed_and_open_tuples():
    """Plugin sections are plain attrs classes: the converter checks them the same way."""
    import attrs

    from eirules.core.convert import structure

    @attrs.frozen
    class Window:
        span: tuple[str, int]
        days: tuple[date, ...] = ()

    assert structure({"span": ["fall", 3], "days": ["2025-09-01"]}, Window) == Window(
        span=("fall", 3), days=(date(2025, 9, 1),)
    )
    with pytest.raises(InputError) as info:
        structure({"span": ["fall"], "days": "2025-09-01", "dayz": []}, Window)
    assert [str(p) for p in info.value.problems] == [
        'dayz: unknown key "dayz"; did you mean "days"?',
        'span: ["fall"] has 1 item; expected 2',
        'days: "2025-09-01" is not a list',
    ]


def test_event_program_outside_the_event_types_programs_is_named_with_a_suggestion(engine):
    """A `referral_received` is a Part C event; tagging it part_q is a typo, not a new program."""
    import pytest

    from eirules.core.errors import InputError

    data = {
        "id": "P-1",
        "child": {"birth_date": "2024-11-02"},
        "events": [{"type": "referral_received", "date": "2026-01-05", "program": "part_q"}],
    }
    with pytest.raises(InputError) as info:
        engine.case_from_dict(data)
    assert [str(p) for p in info.value.problems] == [
        'events[0].program: "part_q" is not a program of a "referral_received" event; '
        'did you mean "part_c"?'
    ]


def test_an_event_type_starting_with_a_vowel_takes_an(engine):
    """The message reads 'of an "ifsp_meeting_held" event', not 'of a "ifsp_meeting_held" event'."""
    from eirules.core.errors import InputError

    data = {
        "id": "P-2",
        "child": {"birth_date": "2024-11-02"},
        "events": [{"type": "ifsp_meeting_held", "date": "2026-01-05", "program": "part_q"}],
    }
    with pytest.raises(InputError) as info:
        engine.case_from_dict(data)
    assert [str(p) for p in info.value.problems] == [
        'events[0].program: "part_q" is not a program of an "ifsp_meeting_held" event; '
        'did you mean "part_c"?'
    ]


def test_a_case_with_an_event_before_birth_and_one_in_the_future_lists_both_problems():
    """docs/case-file.md: every problem is listed at once, not only the model's first."""
    data = {
        "schema": "eirules/case@1",
        "id": "QA-1",
        "ruleset": "us",
        "child": {"birth_date": "2025-01-10", "name": "Ada Fictional"},
        "events": [
            {"type": "referral_received", "date": "2024-12-01"},
            {"type": "consent_for_evaluation", "date": "2030-01-01"},
        ],
    }
    with pytest.raises(InputError) as err:
        case_from_dict(data, today=date(2026, 3, 1))
    assert str(err.value).splitlines() == [
        "case file is not valid",
        "  events: referral_received on 2024-12-01 is before the child's birth; check the date; "
        "events happen on or after the birth date",
        "  events[1].date: 2030-01-01 is in the future (today is 2026-03-01); record events on "
        "or after the day they happen",
    ]


@given(st.sampled_from(["part_c", "part_b", "mtss", "part_d", "Part_C", "", "mtss "]))
def test_enrolment_programs_the_engine_made_once_refuse_what_each_case_would(engine, program):
    """The engine's case_from_dict passes the programs its event types name, made once
    (`event_programs`); the enrolments it refuses are exactly those the converter
    refuses when it works them out from the event types itself, with the same problem."""
    assert event_programs(engine.event_types) == {"part_c", "part_b", "mtss"}
    doc = {
        "id": "T-ENROL-1",
        "child": {"birth_date": "2024-11-02"},
        "enrolments": [{"program": program, "start": "2025-01-06"}],
        # No event: a Part C-only one is refused on a part_b or mtss enrolment
        # (tests/test_event_outside_programs.py), which this test is not about.
        "events": [],
    }

    def problems(load):
        try:
            load()
        except InputError as exc:
            return [str(p) for p in exc.problems]
        return []

    made_once = problems(lambda: engine.case_from_dict(doc, today=date(2026, 2, 10)))
    each_case = problems(
        lambda: case_from_dict(
            doc,
            event_types=engine.event_types,
            sections=engine.case_sections,
            today=date(2026, 2, 10),
        )
    )
    assert made_once == each_case
    assert bool(made_once) == (program not in {"part_c", "part_b", "mtss"})
