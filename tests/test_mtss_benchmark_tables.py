"""Issue 18: seasonal benchmark tables beyond oral reading (kindergarten, maze).

Values are DIBELS 8th Edition Benchmark Goals (University of Oregon, updated July 2020):
the minimum score for core support per measure, grade and season
(rulesets/mtss/benchmarks_dibels8.toml says what was read and what was left out).
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import weekly

from eirules.plugins.mtss import rules
from eirules.plugins.mtss.models import MtssRecord, Screening, Series, Student
from eirules.plugins.mtss.params import params_for
from eirules.plugins.mtss.rules.benchmarks import benchmark_for

D = date
SEASONS = ("fall", "winter", "spring")


@pytest.fixture(scope="module")
def p(engine):
    return params_for(engine.rulesets.get("mtss"), D(2026, 1, 15))


def _series(measure, **kw):
    return Series(id=measure, measure=measure, skill_area="phonics", **kw)


@pytest.mark.parametrize(
    "measure, grade, season, expected",
    [
        ("dibels8_nwf_cls", 0, "fall", 9),  # kindergarten beginning: green 9-19
        ("dibels8_nwf_cls", 0, "winter", 25),  # kindergarten middle: green 25-35
        ("dibels8_psf", 0, "spring", 44),  # kindergarten end: green 44-52
        ("dibels8_wrf", 0, "fall", 1),  # kindergarten beginning: green 1+
        ("dibels8_nwf_wrc", 1, "winter", 14),
        ("dibels8_orf", 2, "spring", 94),
        ("dibels8_maze", 2, "fall", 5.0),
        ("dibels8_maze", 3, "spring", 15.5),  # grade 3 end: green 15.5-22.0
        ("dibels8_lnf", 0, "fall", 25),  # three ranges: 25+ is "At Benchmark" in mCLASS
        ("dibels8_lnf", 1, "spring", 59),
    ],
)
def test_dibels8_benchmark_goal_is_the_minimum_score_for_core_support(
    p, measure, grade, season, expected
):
    b = benchmark_for(_series(measure), grade, season, p)
    assert b.value == expected
    assert b.param == f"benchmark.{measure}.grade_{grade}.{season}"
    assert "DIBELS 8th Edition Benchmark Goals" in b.source


@pytest.mark.parametrize(
    "measure, season, expected",
    [
        ("acadience_orf", "fall", 70),  # "Benchmark 70-89"
        ("acadience_orf", "spring", 100),
        ("acadience_maze", "winter", 11),  # "Benchmark 11-15"
        ("acadience_maze", "spring", 19),
    ],
)
def test_acadience_grade_3_goals_are_the_floor_of_the_benchmark_range(p, measure, season, expected):
    """Acadience Reading grade 3, from a district's republication (marked secondary)."""
    b = benchmark_for(_series(measure), 3, season, p)
    assert b.value == expected and "secondary source" in b.source
    assert benchmark_for(_series(measure), 4, season, p).value is None  # grade 3 only


@pytest.mark.parametrize(
    "measure, grade, season, expected",
    [
        ("acadience_psf", 0, "winter", 20),  # kindergarten "Benchmark 20-43"
        ("acadience_nwf_cls", 0, "spring", 28),  # kindergarten "Benchmark 28-39"
        ("acadience_psf", 1, "fall", 40),  # grade 1 "Benchmark 40-46"
        ("acadience_nwf_cls", 1, "winter", 43),  # grade 1 "Benchmark 43-58"
        ("acadience_nwf_wwr", 1, "spring", 13),  # grade 1 "Benchmark 13-24"
        ("acadience_orf", 1, "winter", 23),  # grade 1 "Benchmark 23-33"
        ("acadience_orf", 2, "fall", 52),  # grade 2 "Benchmark 52-67"
        ("acadience_nwf_wwr", 2, "fall", 13),  # grade 2 "Benchmark 13-20"
        ("acadience_comp", 2, "spring", 15),  # grade 2 math "Benchmark 15-18"
        ("acadience_ca", 2, "winter", 24),  # grade 2 math "Benchmark 24-30"
        ("acadience_comp", 3, "fall", 9),  # grade 3 math "Benchmark 9-13"
        ("acadience_ca", 3, "spring", 47),  # grade 3 math "Benchmark 47-58"
    ],
)
def test_acadience_k2_and_math_goals_are_the_floor_of_the_benchmark_range(
    p, measure, grade, season, expected
):
    """Acadience Reading K-2 and Math grades 2-3, from Canyons School District's
    Elementary Screening Targets 2019-20 (a secondary source, marked so)."""
    b = benchmark_for(_series(measure), grade, season, p)
    assert b.value == expected and "secondary source" in b.source
    assert b.param == f"benchmark.{measure}.grade_{grade}.{season}"


@pytest.mark.parametrize(
    "measure, grade, season",
    [
        ("acadience_orf", 1, "fall"),  # "Not Administered"
        ("acadience_psf", 0, "fall"),  # "Not Administered"
        ("acadience_psf", 1, "winter"),  # "Not Administered"
        ("acadience_nwf_cls", 2, "winter"),  # "Not Administered"
        ("acadience_comp", 1, "fall"),  # grade 1 math page not found
        ("acadience_ca", 4, "fall"),  # grades 4-6 not found
        ("acadience_orf", 4, "winter"),
    ],
)
def test_acadience_season_not_administered_or_not_read_ships_no_value(p, measure, grade, season):
    assert benchmark_for(_series(measure), grade, season, p).value is None


@pytest.mark.parametrize(
    "measure, grade",
    [("lnf", 0), ("dibels8_maze", 4), ("dibels8_orf", 4), ("digits_correct", 2)],
)
def test_a_measure_without_a_read_table_uses_the_series_own_benchmark(p, measure, grade):
    """A measure id without a table ("lnf" is not DIBELS 8's), grade 4 (the page was not
    found) and math (no table readable) ship no value: the series' own benchmark."""
    assert benchmark_for(_series(measure), grade, "winter", p).value is None
    own = benchmark_for(_series(measure, benchmark=30.0), grade, "winter", p)
    assert own.value == 30.0 and own.param is None


def test_every_shipped_benchmark_table_rises_or_holds_from_fall_to_spring(p):
    """A transcription check: within a grade a benchmark goal never falls across the year
    (true of every value read from Hasbrouck & Tindal 2017 and DIBELS 8)."""
    tables: dict[tuple[str, str], dict[str, float]] = {}
    for name, value in p.values.items():
        if name.startswith("benchmark."):
            _, measure, grade, season = name.split(".")
            tables.setdefault((measure, grade), {})[season] = value
    assert ("dibels8_maze", "grade_3") in tables and ("orf", "grade_2") in tables
    for key, row in tables.items():
        seq = [row[s] for s in SEASONS if s in row]
        assert seq == sorted(seq), key


def test_kindergarten_exit_is_judged_against_the_kindergarten_winter_goal(p):
    """R8 exit (6 consecutive points at or above the season's benchmark, Conestoga [S71]):
    a kindergartner's nonsense-word points 25-30 after the January screening are all at or
    above the DIBELS 8 middle-of-year goal 25, so the team is told to consider exit."""
    s = Series(
        id="nwf",
        measure="dibels8_nwf_cls",
        skill_area="phonics",
        tier=2,
        baseline=12.0,
        baseline_date=D(2026, 1, 12),
        goal=31.0,
        goal_date=D(2026, 5, 18),
        points=weekly(D(2026, 1, 19), [25, 26, 26, 27, 28, 29, 30]),
    )
    screen = Screening(
        date=D(2026, 1, 12),
        window="winter",
        instrument="DIBELS 8",
        skill_area="reading",
        category="strategic",
    )
    rec = MtssRecord(student=Student(grade=0, school="Elm"), series=(s,), screenings=(screen,))
    rep = rules.evaluate_series(rec, s, D(2026, 3, 6), p)
    assert rep.decision.evidence["consecutive_at_benchmark"] == 7
    assert rep.decision.decision == "exit"
    low = attrs_evolve(s, points=weekly(D(2026, 1, 19), [20, 21, 22, 23, 24, 24, 24]))
    rec_low = MtssRecord(
        student=Student(grade=0, school="Elm"), series=(low,), screenings=(screen,)
    )
    assert rules.evaluate_series(rec_low, low, D(2026, 3, 6), p).decision.decision != "exit"


def attrs_evolve(obj, **kw):
    import attrs

    return attrs.evolve(obj, **kw)
