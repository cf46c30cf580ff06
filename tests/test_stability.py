"""A determination's stability interval (issue 15): the as-of dates over which the same
case file, ruleset version, engine and calendars give the same determination (apart
from its top-level as_of). Soundness is what is tested: every day inside the interval
gives the same result; a day at its end may or may not differ (tightness is measured,
not required).
"""

from __future__ import annotations

import bisect
import copy
import json
import operator
import pickle
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_clocks import case_files
from test_state_rules import DISTRICT, TWO_YEARS, _calendar

from eirules.core.convert import determination_to_dict, read_json
from eirules.core.engine import Engine
from eirules.core.errors import EirulesError
from eirules.core.hookspecs import hookimpl
from eirules.core.stability import TrackedDate, seal, tracked

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from evaluate import AS_OF, make_case  # noqa: E402
from golden import AS_OF_DATES, SEED  # noqa: E402

D = date


def bounds(record) -> tuple[date, date | None]:
    return record.interval


# The tracked date itself -----------------------------------------------------------


def test_comparisons_cut_the_interval_at_their_thresholds():
    day, record = tracked(D(2026, 3, 10))
    assert day < D(2026, 4, 1) and bounds(record) == (D(1, 1, 1), D(2026, 4, 1))
    assert D(2026, 3, 1) <= day and bounds(record) == (D(2026, 3, 1), D(2026, 4, 1))
    later = day + timedelta(days=5)  # 2026-03-15: false while as_of + 5 <= 2026-03-20
    assert type(later) is TrackedDate and not later > D(2026, 3, 20)
    assert bounds(record) == (D(2026, 3, 1), D(2026, 3, 16))
    assert min(day, D(2026, 3, 25)) is day
    assert sorted([D(2026, 3, 28), day, D(2026, 3, 5)])[1] is day
    assert bounds(record) == (D(2026, 3, 6), D(2026, 3, 16))
    assert bisect.bisect_right([D(2026, 3, 3), D(2026, 3, 12)], day) == 1
    assert bounds(record) == (D(2026, 3, 6), D(2026, 3, 12))
    assert day != D(2026, 3, 11) and bounds(record) == (D(2026, 3, 6), D(2026, 3, 11))
    assert (day.year, day.month) == (2026, 3) and later - day == timedelta(days=5)
    assert bounds(record) == (D(2026, 3, 6), D(2026, 3, 11))


@pytest.mark.parametrize(
    "observe",
    [
        lambda d: d.isoformat(),
        str,
        repr,
        lambda d: f"{d}",
        hash,
        lambda d: d.toordinal(),
        lambda d: d.weekday(),
        lambda d: d.day,
        lambda d: D(2026, 4, 1) - d,
        lambda d: d - D(2026, 1, 1),
        lambda d: d == D(2026, 3, 10),
        lambda d: {d: 1},
        lambda d: d.replace(day=1),
        lambda d: pickle.loads(pickle.dumps(d)),
        copy.deepcopy,
    ],
)
def test_what_reads_the_exact_day_holds_the_interval_to_that_day(observe):
    day, record = tracked(D(2026, 3, 10))
    out = observe(day)
    assert bounds(record) == (D(2026, 3, 10), D(2026, 3, 11))
    assert type(out) is not TrackedDate  # nothing built from it records into it unseen


OPS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
days = st.dates(D(1950, 1, 1), D(2150, 12, 31))


@given(days, days, st.integers(-4000, 4000), st.sampled_from(OPS), st.booleans(), st.randoms())
def test_any_comparison_has_its_outcome_on_every_day_of_the_interval(
    as_of, other, shift, op, reflected, rnd
):
    """Invariant: `op(as_of + n, d)` (or reflected) is the same for every as-of date of the
    interval it records, and the interval holds the as-of date."""
    day, record = tracked(as_of)
    left = day + timedelta(days=shift)
    got = op(other, left) if reflected else op(left, other)
    plain = as_of + timedelta(days=shift)
    assert got == (op(other, plain) if reflected else op(plain, other))
    start, until = bounds(record)
    assert start <= as_of and (until is None or as_of < until)
    last = (until or D(9000, 1, 1)) - timedelta(days=1)
    for probe in {start, last, start + timedelta(days=rnd.randrange((last - start).days + 1))}:
        moved = probe + timedelta(days=shift)
        assert (op(other, moved) if reflected else op(moved, other)) == got, probe


def test_a_ruleset_parameter_holds_the_interval_to_its_period(engine):
    """Florida changed part_b.developmental_delay.age_through on 2022-07-01 (rulesets/us-fl):
    read on a tracked 2022-06-15, the interval is the period 2009-12-15 to 2022-06-30."""
    florida = engine.rulesets.get("us-fl")
    assert D(2022, 7, 1) in florida.change_dates("part_b.developmental_delay.age_through")
    day, record = tracked(D(2022, 6, 15))
    florida.value("part_b.developmental_delay.age_through", day)
    assert bounds(record) == (D(2009, 12, 15), D(2022, 7, 1))
    again, record = tracked(D(2022, 6, 15))  # the second read comes from the pin cache
    florida.param("part_b.developmental_delay.age_through", again)
    assert bounds(record) == (D(2009, 12, 15), D(2022, 7, 1))


# Whole determinations ----------------------------------------------------------------


def result(engine, case, ruleset, day) -> str:
    """The determination as of `day` without its top-level as_of (or the error)."""
    try:
        body = determination_to_dict(engine.evaluate(case, ruleset, day))
    except EirulesError as exc:
        return f"error: {exc}"
    body.pop("as_of")
    return json.dumps(body, sort_keys=True)


def check_sound(engine, case, ruleset, as_of, rnd, tally=None) -> tuple[date, date | None]:
    """Evaluate as of `as_of` with its interval [a, b); the same result at a, at b - 1 and
    at a random day inside; count whether b itself differs (tight) or not (conservative)."""
    det, (start, until) = engine.evaluate_stable(case, ruleset, as_of)
    body = determination_to_dict(det)
    assert body.pop("as_of") == as_of.isoformat()
    want = json.dumps(body, sort_keys=True)
    assert want == result(engine, case, ruleset, as_of)  # tracking never changes a decision
    assert start <= as_of and (until is None or as_of < until)
    last = min(until - timedelta(days=1) if until else D(2199, 12, 31), D(2199, 12, 31))
    first = max(start, D(1900, 1, 1))
    for probe in {first, last, first + timedelta(days=rnd.randrange((last - first).days + 1))}:
        assert result(engine, case, ruleset, probe) == want, (case.id, ruleset, as_of, probe)
    if tally is not None and until is not None and until <= D(2199, 12, 31):
        tally["tight" if result(engine, case, ruleset, until) != want else "conservative"] += 1
    return start, until


def test_the_golden_sample_is_sound_under_every_ruleset(engine):
    """The golden sample (tests/golden-determinations.txt): benchmark cases under `us` and
    under each other ruleset, every example under every ruleset at the golden dates."""
    rnd = random.Random(SEED)
    docs = [make_case(i, rnd) for i in range(120)]
    tally = {"tight": 0, "conservative": 0}
    widths = []
    for ruleset in engine.rulesets.ids():
        for doc in docs if ruleset == "us" else docs[::12]:
            start, until = check_sound(engine, engine.case_from_dict(doc), ruleset, AS_OF, rnd)
            widths.append(None if until is None else (until - start).days)
    for path in sorted((ROOT / "examples").glob("*.json")):
        case = engine.case_from_dict(read_json(path), source=str(path))
        for ruleset in engine.rulesets.ids():
            for as_of in AS_OF_DATES[::2]:
                try:
                    check_sound(engine, case, ruleset, D.fromisoformat(as_of), rnd, tally)
                except EirulesError:
                    continue  # refused: nothing is stored, nothing to skip
    # Most benchmark cases stay the same for weeks (what the nightly run skips); most
    # finite ends are where the determination really changes.
    assert sum(w is None or w > 7 for w in widths) > len(widths) // 2
    assert tally["tight"] > 4 * tally["conservative"], tally


rulesets_with_calendars = st.sampled_from(["us", "us-mo", "us-tx", "us-ny", "us-ca"])


@pytest.fixture(scope="module")
def district_engine(tmp_path_factory):
    return Engine(
        entry_points=False, calendars_dir=_calendar(tmp_path_factory.mktemp("cal"), TWO_YEARS)
    )


@settings(max_examples=150, deadline=None)
@given(
    case_files(),
    st.dates(D(2012, 1, 1), D(2030, 12, 31)),
    rulesets_with_calendars,
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_any_case_is_sound_under_state_rulesets_and_a_district_calendar(
    district_engine, data, as_of, ruleset, in_district, rnd
):
    """Hypothesis-made case files under the federal and several state rulesets, counted on
    an imported district calendar when the case names the district (school-day clocks)."""
    if in_district:
        data = {**data, "district": DISTRICT}
    try:
        case = district_engine.case_from_dict({**data, "ruleset": ruleset})
        district_engine.evaluate(case, None, as_of)
    except EirulesError:
        return
    check_sound(district_engine, case, None, as_of, rnd)


def test_a_date_before_the_birth_holds_for_that_day_and_after_it_not_before_the_birth(
    engine, make_case
):
    """The before-birth warning names the as-of date; from the birth on nothing does."""
    case = make_case(birth_date="2025-06-01", events=[("referral_received", "2025-08-01")])
    _, interval = engine.evaluate_stable(case, None, D(2025, 5, 1))
    assert interval == (D(2025, 5, 1), D(2025, 5, 2))
    _, (start, until) = engine.evaluate_stable(case, None, D(2025, 6, 10))
    assert start >= D(2025, 6, 1) and until is not None and until <= D(2025, 8, 1)


def test_the_same_case_object_at_two_dates_shares_no_record(engine, make_case):
    """The Part C and Part B plugins keep the last case's analysis; a second evaluation of
    the same Case object (plain, then tracked at another date, then tracked again at the
    same date) must not reuse another evaluation's tracked as-of date."""
    case = make_case(birth_date="2025-01-10", events=[("referral_received", "2025-09-01")])
    rnd = random.Random(1)
    engine.evaluate(case, None, D(2025, 9, 20))
    first = check_sound(engine, case, None, D(2025, 9, 20), rnd)
    second = check_sound(engine, case, None, D(2025, 11, 20), rnd)
    assert check_sound(engine, case, None, D(2025, 9, 20), rnd) == first
    assert first != second


def _tracked_dates_in(value) -> int:
    if type(value) is TrackedDate:
        return 1
    if isinstance(value, tuple | list):
        return sum(map(_tracked_dates_in, value))
    if isinstance(value, dict):
        return sum(map(_tracked_dates_in, value.values()))
    if attrs.has(type(value)):
        prose = value.__dict__.get("reason") if hasattr(value, "__dict__") else None
        extra = (
            _tracked_dates_in(prose.values) if prose is not None and hasattr(prose, "values") else 0
        )
        return extra + sum(
            _tracked_dates_in(getattr(value, f.name)) for f in attrs.fields(type(value))
        )
    return 0


def test_no_tracked_date_leaves_an_evaluation(engine):
    """`seal`: what a serialiser (or any caller) gets holds plain dates only, even where a
    rule kept the as-of date itself (an MTSS criterion, a plans progress report)."""
    for path in sorted((ROOT / "examples").glob("*.json")):
        case = engine.case_from_dict(read_json(path), source=str(path))
        try:
            det, _ = engine.evaluate_stable(case, None, D(2026, 6, 1))
        except EirulesError:
            continue
        assert _tracked_dates_in(det) == 0, path.name
    day, record = tracked(D(2026, 3, 10))
    kept = {"when": [day], "other": "x"}
    assert _tracked_dates_in(seal(kept)) == 0 and seal({"a": 1}) is not None
    assert bounds(record) == (D(2026, 3, 10), D(2026, 3, 11))


class _Unknown:
    """A third-party plugin whose use of the date nobody has checked."""

    @hookimpl
    def findings_for(self, case, ruleset, as_of, eligibility, clocks):
        return None


class _Declared(_Unknown):
    """One that declares it only compares and shifts the date."""

    EIRULES_AS_OF_TRACKED = True


@pytest.mark.parametrize("plugin, one_day", [(_Unknown(), True), (_Declared(), False)])
def test_a_plugin_that_does_not_declare_tracking_holds_every_case_to_one_day(
    make_case, plugin, one_day
):
    engine = Engine(entry_points=False)
    case = make_case(birth_date="2025-01-10", events=[("referral_received", "2025-09-01")])
    assert engine.tracks_as_of()
    engine.pm.register(plugin)
    assert engine.tracks_as_of() is not one_day
    _, (start, until) = engine.evaluate_stable(case, None, D(2025, 9, 20))
    assert ((start, until) == (D(2025, 9, 20), D(2025, 9, 21))) is one_day
