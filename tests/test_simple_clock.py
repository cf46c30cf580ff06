"""core/simple_clock.simple_clock: the commonest clocks' short path gives compute_clock's clock.

`clock_from_param` counts a clock in calendar days, weeks, months or years that nothing
excuses or closes with `simple_clock`, and every other clock with `compute_clock`. The
two must agree exactly: on generated clock definitions and events (every field of the
clock), and on whole determinations of generated case files with the short path on and
off.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st
from test_clocks import case_files

from eirules.cli.synthetic import iter_cases
from eirules.core import clocks
from eirules.core.clock_compute import compute_clock
from eirules.core.clock_spec import ClockSpec
from eirules.core.convert import determination_to_dict
from eirules.core.models import Case, Child, Event
from eirules.core.simple_clock import simple_clock

D = date.fromisoformat
REASONS = ("family", "illness", "agency")
days = st.integers(0, 900).map(lambda n: D("2025-01-01") + timedelta(days=n))


@contextmanager
def no_short_path():
    """Every clock through compute_clock: neither simple_clock nor the generated functions
    (core/clock_gen.py), whose definitions are compiled again on both sides of the block."""
    clocks._clock_defs.clear()
    try:
        with mock.patch.object(clocks, "simple_clock", lambda *a: None):
            with mock.patch.object(clocks, "counter", lambda *a: None):
                yield
    finally:
        clocks._clock_defs.clear()


def case_of(events: list[Event]) -> Case:
    return Case(id="SIMPLE", child=Child(birth_date=D("2024-02-29")), events=events)


def both(case: Case, cs: ClockSpec, start: date, as_of: date, **kw):
    """(simple_clock's answer, compute_clock's) for the same clock."""
    args = {
        "id": "c",
        "program": "part_c",
        "citation": "cite",
        "start": start,
        "as_of": as_of,
        "due_soon_days": kw.get("due_soon_days", 14),
        "anchor": kw.get("anchor"),
        "label": "a clock",
        "subject": kw.get("subject"),
        "stop_events": None,
        "closing": kw.get("closing", ("closed",)),
        "leap_day": kw.get("leap_day", "feb28"),
        "episode": kw.get("episode"),
    }
    fast = simple_clock(case, cs, *args.values())
    slow = compute_clock(case, spec=cs, **args)
    return fast, slow


@st.composite
def definitions(draw):
    unit = draw(st.sampled_from(["calendar_days", "weeks", "months", "years", "business_days"]))
    raw = {
        "length": draw(st.integers(0, 400 if unit == "calendar_days" else 5)),
        "unit": unit,
        "stop": ["done"],
        "direction": draw(st.sampled_from(["after", "before"])),
        "count_start_day_as": draw(st.sampled_from([0, 1])),
    }
    if draw(st.booleans()):
        raw["opens_length"] = draw(st.integers(0, 12))
        raw["opens_unit"] = draw(st.sampled_from(["calendar_days", "months", "weeks"]))
    if draw(st.booleans()):
        raw["early_action_counts"] = True
    if draw(st.booleans()):
        raw["excused_by"] = draw(st.lists(st.sampled_from(REASONS), min_size=1, unique=True))
        policy = draw(st.sampled_from([None, "pause_and_extend", "for_the_period"]))
        if policy:
            raw["excuse_policy"] = policy
        if draw(st.booleans()):
            raw["agreed_date_reasons"] = [raw["excused_by"][0]]
    return raw


@st.composite
def clock_events(draw):
    events = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["done", "done", "delay", "closed", "other"]))
        day = draw(days)
        extra = {}
        if kind == "delay":
            extra["reason"] = draw(st.sampled_from(REASONS))
            if draw(st.booleans()):
                extra["until"] = day + timedelta(days=draw(st.integers(0, 60)))
        if kind == "closed" and draw(st.booleans()):
            extra["service"] = draw(st.sampled_from(["speech", "hearing"]))
        if draw(st.integers(0, 3)) == 0:
            extra["program"] = draw(st.sampled_from(["part_c", "part_b"]))
        events.append(Event(type=kind, date=day, **extra))
    return sorted(events, key=lambda e: e.sort_key())


@given(
    definitions(),
    clock_events(),
    days,
    days,
    st.one_of(st.none(), days),
    st.integers(0, 40),
    st.sampled_from(["feb28", "mar1"]),
    st.sampled_from([None, "speech"]),
)
def test_simple_clock_is_compute_clock_where_it_answers(
    raw, events, start, as_of, anchor, soon, leap_day, subject
):
    """Every field equal; and it answers for every simple definition with nothing to excuse
    or close it (so the short path is what runs, not only a fallback)."""
    case, cs = case_of(events), ClockSpec(raw)
    fast, slow = both(
        case,
        cs,
        start,
        as_of,
        anchor=anchor,
        due_soon_days=soon,
        leap_day=leap_day,
        subject=subject,
    )
    if fast is not None:
        assert fast == slow
    quiet = not any(e.type in ("delay", "closed") for e in events)
    if cs.simple and quiet:
        assert fast is not None


def test_a_simple_clock_counts_as_compute_clock_does():
    """45 calendar days from 2026-01-05: due 2026-02-19, met on 2026-02-10."""
    cs = ClockSpec({"length": 45, "unit": "calendar_days", "stop": ["done"]})
    case = case_of([Event(type="done", date=D("2026-02-10"))])
    fast, slow = both(case, cs, D("2026-01-05"), D("2026-03-01"))
    assert fast == slow
    assert (fast.due, fast.met_on, fast.status) == (D("2026-02-19"), D("2026-02-10"), "met")


def test_a_window_note_is_the_same_on_both_paths():
    """Nine months before 2027-03-01 opens 2026-06-01; done 2026-05-20 does not meet it."""
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
    fast, slow = both(case, cs, D("2026-01-05"), D("2026-07-01"), anchor=D("2027-03-01"))
    assert fast == slow
    assert fast.opens == D("2026-06-01")
    assert "before the window opened on 2026-06-01" in fast.reason


def test_an_excusing_delay_or_a_closing_event_takes_the_general_path():
    cs = ClockSpec(
        {"length": 45, "unit": "calendar_days", "stop": ["done"], "excused_by": ["family"]}
    )
    delayed = case_of([Event(type="delay", date=D("2026-01-10"), reason="family")])
    closed = case_of([Event(type="closed", date=D("2026-01-20"))])
    for case in (delayed, closed):
        fast, slow = both(case, cs, D("2026-01-05"), D("2026-03-01"))
        assert fast is None
    assert both(closed, cs, D("2026-01-05"), D("2026-03-01"))[1].status == "not_applicable"
    # A delay for a reason the clock does not name excuses nothing: the short path answers.
    other = case_of([Event(type="delay", date=D("2026-01-10"), reason="agency")])
    fast, slow = both(other, cs, D("2026-01-05"), D("2026-03-01"))
    assert fast is not None and fast == slow


def test_business_days_and_school_days_are_never_simple():
    for unit in ("business_days", "school_days"):
        assert not ClockSpec({"length": 10, "unit": unit}).simple
    assert not ClockSpec(
        {"length": 10, "unit": "calendar_days", "on_weekend": "next_business_day"}
    ).simple
    assert ClockSpec({"length": 1, "unit": "years"}).simple


@given(case_files(), st.sampled_from(["us", "us-mo", "us-tx"]), days)
def test_whole_determinations_are_the_same_without_the_short_path(engine, doc, ruleset, as_of):
    try:
        case = engine.case_from_dict(doc)
    except Exception:  # noqa: BLE001 - a generated file the checks refuse: nothing to compare
        return
    try:
        fast = determination_to_dict(engine.evaluate(case, ruleset, as_of))
    except Exception as exc:  # noqa: BLE001 - then the general path must refuse it alike
        with no_short_path():
            try:
                engine.evaluate(case, ruleset, as_of)
            except Exception as again:  # noqa: BLE001
                assert str(again) == str(exc)
                return
        raise AssertionError("only the short path refused the case") from exc
    with no_short_path():
        slow = determination_to_dict(engine.evaluate(case, ruleset, as_of))
    assert fast == slow


@given(
    st.integers(0, 10_000),
    st.sampled_from(["us", "us-mo", "us-tx", "us-ny"]),
    st.integers(-400, 400).map(lambda n: D("2026-03-01") + timedelta(days=n)),
)
def test_synthetic_caseloads_are_the_same_without_the_short_path(engine, seed, ruleset, as_of):
    """The demo generator's cases (delays, closings, reviews, transitions), as evaluated."""
    documents = [doc for doc, _ in iter_cases(seed=seed, part_c=3, part_b=3)]
    cases = [engine.case_from_dict(doc) for doc in documents]
    fast = [determination_to_dict(engine.evaluate(c, ruleset, as_of)) for c in cases]
    with no_short_path():
        slow = [determination_to_dict(engine.evaluate(c, ruleset, as_of)) for c in cases]
    assert fast == slow
