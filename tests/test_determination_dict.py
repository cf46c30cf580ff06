"""The determination's JSON shape written out by hand (core/convert/determinations.py)
is the shape the converter gives, and a plugin's value JSON cannot hold is refused with
the same path as before the walk learned to skip scalars."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.convert import determinations as dets
from eirules.core.convert.hooks import converter
from eirules.core.decisions import (
    ELIGIBILITY_OUTCOMES,
    Determination,
    Eligibility,
    Episode,
    Finding,
)
from eirules.core.errors import PluginError, show_value

names = st.text(max_size=8)
optional_names = st.none() | names
days = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))

eligibilities = st.builds(
    Eligibility,
    program=names,
    outcome=st.sampled_from(sorted(ELIGIBILITY_OUTCOMES)),
    basis=st.lists(names, max_size=3),
    citation=names,
    missing=st.lists(names, max_size=3),
    reason=names,
)
episodes = st.builds(
    Episode,
    id=names,
    program=names,
    number=st.integers(1, 9),
    start=days,
    started_by=optional_names,
    end=days,
    ended_by=optional_names,
    current=st.booleans(),
)


@given(eligibilities)
def test_eligibility_dict_is_the_converters(e):
    assert dets._eligibility_dict(e) == converter.unstructure(e)
    assert list(dets._eligibility_dict(e)) == [f.name for f in attrs.fields(Eligibility)]


@given(episodes)
def test_episode_dict_is_the_converters(e):
    assert dets._episode_dict(e) == converter.unstructure(e)
    assert list(dets._episode_dict(e)) == [f.name for f in attrs.fields(Episode)]


def _reference_problem(value: Any, path: str) -> str | None:
    """The walk as it was written first (every step recursing, every path built): the
    specification the faster walk must agree with."""
    if isinstance(value, str | int | float | bool | type(None)):
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if (found := _reference_problem(item, f"{path}[{i}]")) is not None:
                return found
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} (key {show_value(key, 30)} is not text)"
            if (found := _reference_problem(item, f"{path}.{key}")) is not None:
                return found
        return None
    return f"{path} (a {type(value).__name__})"


class _Text(str):
    """A str subclass (as an enum of text would be): JSON holds it."""


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), names, names.map(_Text))
wrong = st.one_of(
    st.dates(),
    st.sets(st.integers(), max_size=2),
    st.just(object()),
    st.just(b"bytes"),
)
values = st.recursive(
    scalars | wrong,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(names, inner, max_size=3)
        | st.dictionaries(st.integers(0, 3), inner, max_size=2)
    ),
    max_leaves=12,
)


@given(values)
def test_json_problem_names_the_same_path_as_the_reference_walk(value):
    assert dets._json_problem(value, "inputs") == _reference_problem(value, "inputs")


def test_a_date_deep_in_a_findings_inputs_is_refused_naming_its_path():
    finding = Finding(
        rule="home_visits.cadence",
        outcome="met",
        reason="visited",
        citation="34 CFR 303.344(d)",
        program="part_c",
        inputs={"visits": [{"on": "2026-01-05"}, {"on": date(2026, 2, 2)}]},
    )
    det = Determination(
        case="SYN-T-0001",
        ruleset="us",
        ruleset_version="2026.1",
        as_of=date(2026, 3, 2),
        engine="test",
        findings=(finding,),
    )
    with pytest.raises(PluginError) as raised:
        dets.determination_to_dict(det)
    assert "at inputs.visits[1].on (a date)" in str(raised.value)


json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(names | names.map(_Text), inner, max_size=3)
    ),
    max_leaves=12,
)
findings = st.builds(
    Finding,
    rule=names,
    outcome=names,
    reason=names,
    citation=names,
    program=optional_names,
    inputs=st.dictionaries(names, json_values, max_size=3),
    parameters=st.dictionaries(names, json_values, max_size=3),
)


@given(findings)
def test_finding_dict_is_the_converters(f):
    """Plain values (copied by hand) and the others (str subclasses, tuples: the
    converter's own path) alike."""
    assert dets._finding_dict(f) == converter.unstructure(f)
    assert list(dets._finding_dict(f)) == [a.name for a in attrs.fields(Finding)]


def test_a_finding_dict_shares_no_list_or_dict_with_the_finding():
    finding = Finding(
        rule="r", outcome="met", reason="x", citation="c", inputs={"a": {"b": [1, (2, 3)]}}
    )
    found = dets._finding_dict(finding)
    assert found["inputs"] == {"a": {"b": [1, [2, 3]]}}
    assert found["inputs"] is not finding.inputs
    assert found["inputs"]["a"] is not finding.inputs["a"]
    assert found["inputs"]["a"]["b"] is not finding.inputs["a"]["b"]
