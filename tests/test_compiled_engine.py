"""The compiled engine (issue 15): one evaluator per (ruleset version, as-of date), one
event index per case, clock definitions compiled once; same determinations as before
(tests/test_golden.py proves the bytes), picklable for worker processes.
"""

from __future__ import annotations

import multiprocessing
import pickle
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.clock_spec import ClockSpec
from eirules.core.clocks import compute_clock
from eirules.core.convert import determination_to_dict, read_json
from eirules.core.engine import Engine
from eirules.core.errors import RulesetError
from eirules.core.evaluator import Evaluator, _rebuild
from eirules.core.events import EventIndex, index_of
from eirules.core.models import Event

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MO_0001 = EXAMPLES / "mo-0001.json"


def test_compile_once_per_ruleset_version_and_as_of(engine):
    """The same (ruleset, as-of date) gives the same evaluator; another date another one."""
    first = engine.compile("us-mo", date(2026, 2, 1))
    assert engine.compile("us-mo", "2026-02-01") is first
    assert engine.compile(engine.rulesets.get("us-mo"), date(2026, 2, 1)) is first
    assert engine.compile("us-mo", date(2026, 2, 2)) is not first
    assert isinstance(first, Evaluator) and first.ruleset_version.startswith(
        engine.rulesets.get("us-mo").version
    )


def test_evaluator_gives_what_engine_evaluate_gives(engine):
    """Every example under its own ruleset: the evaluator and `Engine.evaluate` agree."""
    for path in sorted(EXAMPLES.glob("*.json")):
        case = engine.case_from_dict(read_json(path), source=str(path))
        evaluator = engine.compile(case.ruleset, date(2026, 6, 1))
        assert determination_to_dict(evaluator.evaluate(case)) == determination_to_dict(
            engine.evaluate(case, None, date(2026, 6, 1))
        ), path.name
        many = list(evaluator.evaluate_many([case, case]))
        assert [determination_to_dict(d) for d in many] == [
            determination_to_dict(evaluator.evaluate(case))
        ] * 2


def test_part_c_mo_0001_clock_through_a_pickled_evaluator():
    """34 CFR 303.310(a): MO-0001 referred 2026-01-05, initial IFSP meeting due 2026-02-19,
    the same after the evaluator and the case cross a pickle (what a worker receives)."""
    engine = Engine(entry_points=False)
    evaluator = engine.compile("us-mo", date(2026, 2, 1))
    case = engine.load_case(MO_0001)
    again, case_again = pickle.loads(pickle.dumps((evaluator, case)))
    assert again.as_of == date(2026, 2, 1) and again.ruleset.id == "us-mo"
    det = again.evaluate(case_again)
    assert det.clock("initial_ifsp_meeting").due == date(2026, 2, 19)
    assert determination_to_dict(det) == determination_to_dict(evaluator.evaluate(case))


def _spawned(blob: bytes) -> dict:
    evaluator, case = pickle.loads(blob)
    return determination_to_dict(evaluator.evaluate(case))


def test_evaluator_works_in_a_spawned_worker():
    """A spawned process (the only start method on Windows, the default on macOS)."""
    engine = Engine(entry_points=False)
    evaluator = engine.compile("us-mo", date(2026, 2, 1))
    case = engine.load_case(MO_0001)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        got = pool.apply(_spawned, (pickle.dumps((evaluator, case)),))
    assert got == determination_to_dict(evaluator.evaluate(case))


def test_evaluator_refuses_other_rulesets_in_a_worker(engine):
    """A worker whose ruleset differs from the parent's says so instead of deciding."""
    with pytest.raises(RulesetError, match="not 2026.1\\+0000 as where"):
        _rebuild(engine, "us-mo", "2026.1+0000", date(2026, 2, 1))


def test_engine_with_a_plugin_object_that_is_not_a_module_does_not_pickle(engine):
    """A plugin registered as an object cannot be rebuilt in a worker: a clear TypeError."""
    from eirules.core.plugin_manager import get_plugin_manager

    class Inline:
        """A plugin object defined here: no module a worker could import."""

    pm = get_plugin_manager(entry_points=False)
    pm.register(Inline(), name="inline")
    custom = Engine(pm=pm)
    with pytest.raises(TypeError, match="not an importable module"):
        pickle.dumps(custom.compile("us", date(2026, 2, 1)))


def test_a_pickled_engine_keeps_its_plugins_and_version(engine):
    """The engine pickles through the worker pool's recipe (core/store/workers.py)."""
    again = pickle.loads(pickle.dumps(engine))
    assert again.version == engine.version
    assert [n for n, _ in again.pm.list_name_plugin()] == [
        n for n, p in engine.pm.list_name_plugin() if p is not None
    ]


def _event(type_: str, day: date, program: str | None) -> Event:
    return Event(type=type_, date=day, program=program)


_events = st.lists(
    st.builds(
        _event,
        st.sampled_from(["referral_received", "delay", "ifsp_meeting_held", "exited"]),
        st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
        st.sampled_from([None, "part_c", "part_b"]),
    ),
    max_size=12,
)


@given(
    events=_events,
    types=st.lists(
        st.sampled_from(["referral_received", "delay", "ifsp_meeting_held", "exited", "x"]),
        min_size=1,
        max_size=3,
    ),
    program=st.sampled_from([None, "part_c", "part_b"]),
)
def test_event_index_answers_as_a_plain_filter_does(events, types, program):
    """The index gives exactly the events a filter over the canonical order gives."""
    ordered = sorted(events, key=Event.sort_key)
    index = EventIndex(ordered)
    want = tuple(
        e
        for e in ordered
        if e.type in set(types) and (program is None or e.program in (None, program))
    )
    assert index.of(tuple(types), program) == want
    assert index.of(tuple(types), program) is index.of(tuple(types), program)
    one = [
        e
        for e in ordered
        if e.type == types[0] and (program is None or e.program in (None, program))
    ]
    assert index.first(types[0], program) == (one[0] if one else None)
    assert index.last(types[0], program) == (one[-1] if one else None)


def test_event_index_is_shared_by_every_rule_for_one_case(engine):
    case = engine.load_case(MO_0001)
    assert index_of(case) is index_of(case)
    assert case.events_of("referral_received") == index_of(case).of(("referral_received",))


def test_event_index_of_each_case_in_threads_running_at_once(engine):
    """The last-asked shortcut of index_of never gives one thread another case's events."""
    import threading

    from eirules.core.models import Case, Child

    def case_of(n: int) -> Case:
        day = date(2025, 1, 1) + timedelta(days=n)
        return Case(
            id=f"T-{n}",
            child=Child(birth_date=date(2024, 1, 1)),
            events=(Event(type="referral_received", date=day),),
        )

    wrong: list[str] = []

    def work(offset: int) -> None:
        cases = [case_of(offset + i) for i in range(40)]
        for _ in range(50):
            for case in cases:
                if index_of(case).of(("referral_received",)) != case.events:
                    wrong.append(case.id)

    threads = [threading.Thread(target=work, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_part_c_compiled_clock_definition_counts_as_the_table_does(engine):
    """34 CFR 303.310(a): 45 days from a referral on 2025-03-03 is 2025-04-17, from the
    ruleset's table or its compiled form alike."""
    table = engine.rulesets.get("us").value("part_c.initial_ifsp_meeting", date(2025, 3, 3))
    case = engine.case_from_dict(
        {
            "id": "PC-AVA",
            "child": {"birth_date": "2024-06-01"},
            "events": [{"type": "referral_received", "date": "2025-03-03"}],
        }
    )
    kwargs = dict(
        id="initial_ifsp_meeting",
        program="part_c",
        citation="34 CFR 303.310(a)",
        start=date(2025, 3, 3),
        as_of=date(2025, 3, 10),
        due_soon_days=14,
    )
    plain = compute_clock(case, spec=table, **kwargs)
    compiled = compute_clock(case, spec=ClockSpec.of(table), **kwargs)
    assert plain == compiled
    assert compiled.due == date(2025, 3, 3) + timedelta(days=45) == date(2025, 4, 17)
    assert ClockSpec.of(table) is ClockSpec.of(table)


def test_made_clock_is_the_clock_the_checked_constructor_builds():
    """made_clock (the engine's own clocks, not checked again) sets every field Clock has."""
    import inspect

    import attrs

    from eirules.core.decisions import Clock, made_clock

    assert list(inspect.signature(made_clock).parameters) == [f.name for f in attrs.fields(Clock)]
    values = {
        "id": "initial_ifsp_meeting",
        "program": "part_c",
        "start": date(2025, 3, 3),
        "due": date(2025, 4, 17),
        "status": "met_late",
        "citation": "34 CFR 303.310(a)",
        "opens": date(2025, 3, 1),
        "met_on": date(2025, 4, 20),
        "reason": "three days late",
        "excused_by": None,
        "label": "Initial IFSP meeting",
        "subject": "speech therapy",
        "closed_on": date(2025, 5, 1),
        "missing": ("a school calendar",),
        "episode": "part_c.1",
    }
    made, checked = made_clock(**values), Clock(**values)
    assert made == checked and hash(made) == hash(checked) and repr(made) == repr(checked)
    assert attrs.asdict(made) == attrs.asdict(checked)


def test_made_determination_is_the_determination_the_constructor_builds():
    """made_determination (the evaluator's, once per case) sets every field as Determination does."""
    import inspect

    import attrs

    from eirules.core.decisions import Clock, Determination, Eligibility, Episode
    from eirules.core.made import made_determination

    fields = [f.name for f in attrs.fields(Determination)]
    assert list(inspect.signature(made_determination).parameters) == fields
    clock = Clock(
        id="initial_ifsp_meeting", program="part_c", start=date(2025, 3, 3),
        due=date(2025, 4, 17), status="pending", citation="34 CFR 303.310(a)",
    )  # fmt: skip
    values = {
        "case": "C-1",
        "ruleset": "us",
        "ruleset_version": "1.0",
        "as_of": date(2025, 4, 1),
        "engine": "eirules 0.1.0",
        "eligibility": [Eligibility(program="part_c", outcome="eligible")],
        "clocks": [clock],
        "referrals": [],
        "findings": [],
        "episodes": [Episode(id="part_c.1", program="part_c", number=1)],
        "history": (clock,),
    }
    made, built = made_determination(**values), Determination(**values)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert all(type(getattr(made, name)) is type(getattr(built, name)) for name in fields)


@given(
    length=st.integers(min_value=0, max_value=400),
    start_day=st.integers(min_value=0, max_value=1),
    before=st.booleans(),
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
)
def test_calendar_day_due_dates_equal_dates_shift(length, start_day, before, start):
    """The inline calendar-day arithmetic (ClockSpec.calendar_days) is exactly dates.shift."""
    from eirules.core.dates import shift

    raw = {"length": length, "unit": "calendar_days", "count_start_day_as": start_day}
    if before:
        raw["direction"] = "before"
    spec = ClockSpec(raw)
    assert spec.calendar_days is not None
    inline = start - spec.calendar_days if before else start + spec.calendar_days
    assert inline == shift(
        start, length, "calendar_days", direction=-1 if before else 1, count_start_day_as=start_day
    )


def test_clock_replace_checks_the_copy_as_a_new_clock_is_checked():
    """Clock.replace copies field by field, then refuses what Clock(...) refuses."""
    from eirules.core.decisions import Clock

    clock = Clock(
        id="iep_annual_review",
        program="part_b",
        start=date(2025, 9, 1),
        due=date(2026, 9, 1),
        status="pending",
        citation="34 CFR 300.324(b)(1)",
    )
    moved = clock.replace(status="overdue", missing=["a school calendar"], episode="part_b.1")
    assert moved == Clock(
        id="iep_annual_review",
        program="part_b",
        start=date(2025, 9, 1),
        due=date(2026, 9, 1),
        status="overdue",
        citation="34 CFR 300.324(b)(1)",
        missing=("a school calendar",),
        episode="part_b.1",
    )
    with pytest.raises(ValueError):
        clock.replace(status="late")
    with pytest.raises(TypeError):
        clock.replace(due="2026-09-01")
    with pytest.raises(TypeError, match="no field 'dew'"):
        clock.replace(dew=date(2026, 9, 1))


def test_made_episode_is_the_episode_the_constructor_builds_and_refuses_the_same():
    """made_episode (every case's episodes) builds what Episode builds; a start or end that
    is not a date is refused by Episode's own check, with its error."""
    import attrs

    from eirules.core.decisions import Episode
    from eirules.core.made import made_episode

    args = ("part_c.2", "part_c", 2, date(2025, 3, 3), "referral_received", None, None, True)
    names = [f.name for f in attrs.fields(Episode)]
    made, built = made_episode(*args), Episode(**dict(zip(names, args, strict=True)))
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    for bad in ((*args[:3], "2025-03-03", *args[4:]), (*args[:5], "2025-04-01", *args[6:])):
        with pytest.raises(TypeError) as made_error:
            made_episode(*bad)
        with pytest.raises(TypeError) as built_error:
            Episode(**dict(zip(names, bad, strict=True)))
        assert str(made_error.value) == str(built_error.value)


def test_made_eligibility_finding_and_referral_are_what_their_classes_build():
    """made_eligibility, made_finding and made_referral (the plugins' commonest decisions)
    build the object the class's constructor builds, with the same keywords and defaults;
    a value the class refuses is refused with the class's own error."""
    import inspect

    import attrs

    from eirules.core.decisions import Eligibility, Finding, Referral
    from eirules.core.explain import Prose
    from eirules.core.made import made_eligibility, made_finding, made_referral

    for made, cls in (
        (made_eligibility, Eligibility),
        (made_finding, Finding),
        (made_referral, Referral),
    ):
        params = inspect.signature(made).parameters
        assert list(params) == [f.name for f in attrs.fields(cls)]
        for field in attrs.fields(cls):
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                assert params[field.name].default is None
            elif default is not attrs.NOTHING:
                assert params[field.name].default == default

    values = {"program": "part_c", "outcome": "eligible", "basis": ["developmental_delay"]}
    for kw in (values, {**values, "citation": "34 CFR 303.21", "missing": ["x"], "reason": "r"}):
        made, built = made_eligibility(**kw), Eligibility(**kw)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert type(made.basis) is tuple and type(made.missing) is tuple
    with pytest.raises(ValueError) as made_error:
        made_eligibility(program="part_c", outcome="maybe")
    with pytest.raises(ValueError) as built_error:
        Eligibility(program="part_c", outcome="maybe")
    assert str(made_error.value) == str(built_error.value)

    inputs = {"referred": "2026-01-05"}
    for reason in ("A sentence.", Prose("{a} and {b}", {"a": 1, "b": 2})):
        kw = {"rule": "r", "outcome": "met", "reason": reason, "citation": "c"}
        for extra in ({}, {"program": "part_b", "inputs": inputs, "parameters": {"p": 45}}):
            made, built = made_finding(**kw, **extra), Finding(**kw, **extra)
            assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
            assert made.__dict__ == built.__dict__ and list(made.__dict__) == list(built.__dict__)
            assert made.prose == built.prose
            if extra:
                assert made.inputs is not inputs  # copied, as the converter copies it
    for kw in (
        {"id": "a", "program": "part_c", "referrer": "x", "to": "y", "reason": "r", "citation": "c"},
        {"id": "a", "program": "part_c", "referrer": "x", "to": "y", "reason": "r",
         "citation": "c", "by": date(2026, 3, 1), "status": "not_made", "closed_on": date(2026, 4, 1)},
    ):  # fmt: skip
        made, built = made_referral(**kw), Referral(**kw)
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    base = {
        "id": "a",
        "program": "part_c",
        "referrer": "x",
        "to": "y",
        "reason": "r",
        "citation": "c",
    }
    for bad in ({"by": "2026-03-01"}, {"status": "sent"}, {"closed_on": "2026-04-01"}):
        with pytest.raises((TypeError, ValueError)) as made_error:
            made_referral(**base, **bad)
        with pytest.raises((TypeError, ValueError)) as built_error:
            Referral(**base, **bad)
        assert str(made_error.value) == str(built_error.value)
