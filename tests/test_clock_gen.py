"""core/clock_gen: each clock definition's generated function counts as `simple_clock` does.

`clock_by_position` calls the function generated for a definition (its unit, lengths,
window, stop events and excusing delays written in as constants) where it used to call
`simple_clock`; the two must give the same answer, field for field, including None
(a delay that excuses, a closing event, a date out of reach) where `compute_clock`
takes over. Whole determinations with and without the short paths are compared in
tests/test_simple_clock.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_simple_clock import REASONS, case_of, clock_events, days

from eirules.core import clock_gen, clocks
from eirules.core.clock_spec import ClockSpec
from eirules.core.decisions import Clock
from eirules.core.models import Event
from eirules.core.simple_clock import simple_clock

D = date.fromisoformat


@st.composite
def definitions(draw):
    """Definitions `simple_clock` counts, with none, one or two stop types."""
    unit = draw(st.sampled_from(["calendar_days", "weeks", "months", "years"]))
    raw = {
        "length": draw(st.integers(0, 400 if unit == "calendar_days" else 5)),
        "unit": unit,
        "stop": draw(st.sampled_from([[], ["done"], ["done", "other"]])),
        "direction": draw(st.sampled_from(["after", "before"])),
        "count_start_day_as": draw(st.sampled_from([0, 1])),
    }
    if draw(st.booleans()):
        raw["opens_length"] = draw(st.integers(0, 12))
        raw["opens_unit"] = draw(st.sampled_from(["calendar_days", "weeks", "months", "years"]))
    if draw(st.booleans()):
        raw["early_action_counts"] = True
    if draw(st.booleans()):
        raw["excused_by"] = draw(st.lists(st.sampled_from(REASONS), min_size=1, unique=True))
    return raw


def answers(case, cs, start, as_of, anchor, soon, leap_day, subject, program, given_stops):
    """(the generated function's answer, simple_clock's) for the same clock."""
    stop_events = tuple(e for e in case.events if e.type == "done") if given_stops else None
    count = clock_gen.counter(cs, "cite", leap_day)
    assert count is not None
    shared = ("c", program, start, as_of, soon, anchor, "a clock", subject, stop_events)
    closing = ("closed",)
    generated = count(case, *shared, closing, "ep.1")
    expected = simple_clock(
        case, cs, "c", program, "cite", start, as_of, soon, anchor, "a clock", subject,
        stop_events, closing, leap_day, "ep.1",
    )  # fmt: skip
    return generated, expected


@given(
    definitions(),
    clock_events(),
    days,
    days,
    st.one_of(st.none(), days),
    st.integers(0, 40),
    st.sampled_from(["feb28", "mar1"]),
    st.sampled_from([None, "speech"]),
    st.sampled_from(["part_c", "part_b", None]),
    st.booleans(),
)
def test_the_generated_function_is_simple_clock(
    raw, events, start, as_of, anchor, soon, leap_day, subject, program, given_stops
):
    case, cs = case_of(events), ClockSpec(raw)
    assert clock_gen.generable(cs)
    generated, expected = answers(
        case, cs, start, as_of, anchor, soon, leap_day, subject, program, given_stops
    )
    if expected is None:
        assert generated is None
    else:
        assert generated is not None
        assert attrs.astuple(generated, recurse=False) == attrs.astuple(expected, recurse=False)


def test_what_it_builds_is_a_clock_like_any_other():
    """Made as Clock's settable twin, then a Clock: equal, hashed and checked alike."""
    cs = ClockSpec({"length": 45, "unit": "calendar_days", "stop": ["done"]})
    case = case_of([Event(type="done", date=D("2026-02-10"))])
    made, _ = answers(
        case, cs, D("2026-01-05"), D("2026-03-01"), None, 14, "feb28", None, "part_c", False
    )
    assert type(made) is Clock
    fields = attrs.asdict(made, recurse=False)
    assert made == Clock(**fields) and hash(made) == hash(Clock(**fields))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.status = "overdue"  # type: ignore[misc]


def test_a_window_counted_back_from_the_third_birthday():
    """303.209(c)(1): 90 days before 2027-03-01 (due 2026-12-01), opening nine months before
    it (2026-06-01); a conference on 2026-05-20 is too early, noted as simple_clock notes it."""
    cs = ClockSpec(
        {
            "length": 90,
            "unit": "calendar_days",
            "direction": "before",
            "opens_length": 9,
            "opens_unit": "months",
            "stop": ["done"],
        }
    )
    case = case_of([Event(type="done", date=D("2026-05-20"))])
    start, as_of, anchor = D("2026-01-05"), D("2026-07-01"), D("2027-03-01")
    generated, expected = answers(
        case, cs, start, as_of, anchor, 14, "feb28", None, "part_c", False
    )
    assert generated == expected
    assert (generated.due, generated.opens, generated.status) == (
        D("2026-12-01"),
        D("2026-06-01"),
        "pending",
    )
    assert "before the window opened on 2026-06-01" in generated.reason


def test_definitions_it_does_not_write_are_left_to_simple_clock():
    """Business and school days, a weekend rule, a negative length: no generated function."""
    for raw in (
        {"length": 10, "unit": "business_days"},
        {"length": 10, "unit": "school_days"},
        {"length": 10, "unit": "calendar_days", "on_weekend": "next_business_day"},
        {"length": -1, "unit": "months"},
        {"length": 10, "unit": "calendar_days", "count_start_day_as": 2},
    ):
        cs = ClockSpec(raw)
        assert clock_gen.counter(cs, "cite", "feb28") is None
        with pytest.raises(ValueError, match="generable"):
            clock_gen.source(cs)


def test_the_function_is_made_once_per_definition_citation_and_leap_day_rule():
    cs = ClockSpec({"length": 45, "unit": "calendar_days", "stop": ["done"]})
    first = clock_gen.counter(cs, "34 CFR 303.310(a)", "feb28")
    assert clock_gen.counter(cs, "34 CFR 303.310(a)", "feb28") is first
    assert clock_gen.counter(cs, "34 CFR 303.310(a)", "mar1") is not first
    assert "45 calendar_days after" in first.__source__


def test_the_engine_counts_the_45_day_timeline_with_its_generated_function(engine):
    """34 CFR 303.310(a): the us ruleset's initial IFSP meeting clock has one, and the
    source printed for review is the one that runs."""
    ruleset = engine.rulesets.get("us")
    on = D("2026-01-05")
    entry = clocks._compiled(ruleset, "part_c.initial_ifsp_meeting", on)
    count = entry[3]
    assert count is not None
    printed = clock_gen.ruleset_source(ruleset, "part_c.initial_ifsp_meeting", on)
    assert count.__source__ in printed
    assert "# CITATION = '34 CFR 303.310'" in printed
    assert "DUE = datetime.timedelta(days=45)" in printed


def test_printing_the_source_from_the_command_line(capsys):
    assert clock_gen.main(["us", "part_c.initial_ifsp_meeting", "2026-01-05"]) == 0
    assert "def count(" in capsys.readouterr().out
    assert clock_gen.main(["no-such-ruleset", "part_c.initial_ifsp_meeting"]) == 1
    assert "error:" in capsys.readouterr().err
    assert clock_gen.main(["us", "part_c.no_such_clock", "2026-01-05"]) == 1
    assert clock_gen.main(["us", "part_c.initial_ifsp_meeting", "2026-13-01"]) == 1
    assert clock_gen.main(["us"]) == 2
    # Texas counts its 45 school days (Tex. Educ. Code 29.004(a)(1)) with the general code.
    assert clock_gen.main(["us-tx", "part_b.initial_evaluation", "2026-01-01"]) == 1
    assert "counted by the general clock code" in capsys.readouterr().err


def test_a_date_out_of_reach_is_left_to_compute_clock():
    """A year counted from 9999-06-01 has no date: None, as simple_clock answers."""
    cs = ClockSpec({"length": 1, "unit": "years", "stop": ["done"]})
    case = case_of([])
    start = D("9999-06-01")
    generated, expected = answers(
        case, cs, start, start + timedelta(days=1), None, 14, "feb28", None, "part_c", False
    )
    assert generated is None and expected is None
