"""MTSS benchmark: decisions and graphs for a district of 20,000 students with weekly series.

Prints students per second for
  1. rule decisions (R3-R10 and R8 per series, R13 per enrolment) on in-memory records,
  2. the full engine path (case file dict -> Case -> evaluate with every plugin) on a sample,
  3. progress graphs (SVG + PNG) on a sample: drawing 20,000 graphs takes too long for a
     benchmark run, so the graph rate is measured on --graphs students and extrapolated.

    python benchmarks/mtss.py [--students 20000] [--weeks 30] [--graphs 100] [--engine-sample 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from eirules.core.convert import case_to_dict
from eirules.core.engine import Engine
from eirules.core.models import Case, Child
from eirules.plugins.mtss import rules
from eirules.plugins.mtss.graphs import write_progress_graph
from eirules.plugins.mtss.models import (
    Enrolment,
    MtssRecord,
    Phase,
    Point,
    Screening,
    Series,
    Session,
    Student,
)
from eirules.plugins.mtss.params import params_for

START = date(2025, 9, 8)


def make_record(rng: random.Random, i: int, weeks: int) -> MtssRecord:
    grade = 1 + i % 5
    tier = 3 if i % 7 == 0 else 2
    base = rng.uniform(15, 60)
    slope = rng.choice((0.2, 0.6, 1.2, 1.8))
    pts = tuple(
        Point(date=START + timedelta(weeks=w), score=round(base + slope * w + rng.gauss(0, 2.5), 1))
        for w in range(weeks)
    )
    enrol = Enrolment(
        program="PHON",
        tier=tier,
        skill_area="decoding",
        start=START,
        group=f"G{i // 4}",
        sessions_per_week=3,
        minutes_per_session=30,
    )
    sessions = tuple(
        Session(
            date=START + timedelta(days=d),
            status="delivered" if rng.random() > 0.12 else "student_absent",
            planned_minutes=30,
            minutes=30,
            group=enrol.group,
        )
        for w in range(weeks)
        for d in (7 * w, 7 * w + 1, 7 * w + 2)
    )
    series = Series(
        id="orf",
        measure="orf",
        skill_area="decoding",
        tier=tier,
        goal=base + 1.5 * weeks,
        goal_date=START + timedelta(weeks=weeks + 4),
        benchmark=base + 30,
        peer_roi=1.0,
        typical_roi=1.2,
        points=pts,
        phases=(Phase(date=START + timedelta(weeks=weeks // 2), label="adapted"),)
        if tier == 3
        else (),
    )
    return MtssRecord(
        student=Student(grade=grade, school=f"School {i % 25}", availability=("A", "B")),
        screenings=(
            Screening(
                date=START,
                window="fall",
                instrument="Star",
                skill_area="reading",
                percentile=float(rng.randint(1, 30)),
            ),
        ),
        enrolments=(enrol,),
        sessions=sessions,
        series=(series,),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=20000)
    ap.add_argument("--weeks", type=int, default=30)
    ap.add_argument("--graphs", type=int, default=100)
    ap.add_argument("--engine-sample", type=int, default=2000)
    args = ap.parse_args()

    rng = random.Random(7)
    t = time.perf_counter()
    records = [make_record(rng, i, args.weeks) for i in range(args.students)]
    build = time.perf_counter() - t
    as_of = START + timedelta(weeks=args.weeks)
    engine = Engine(entry_points=False)
    p = params_for(engine.rulesets.get("mtss"), as_of)
    print(f"built {args.students} students x {args.weeks} weekly points in {build:.1f} s")

    t = time.perf_counter()
    tally: dict[str, int] = {}
    for rec in records:
        rep = rules.evaluate_series(rec, rec.series[0], as_of, p)
        rules.reconcile_enrolment(rec, rec.enrolments[0], as_of, p)
        tally[rep.decision.decision] = tally.get(rep.decision.decision, 0) + 1
    secs = time.perf_counter() - t
    print(f"decisions (R3-R10, R8, R13): {args.students / secs:,.0f} students/s ({secs:.2f} s)")
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))

    n = min(args.engine_sample, args.students)
    cases = [
        case_to_dict(
            Case(
                id=f"D-{i}",
                child=Child(birth_date=date(2017, 1, 1)),
                ruleset="mtss",
                sections={"mtss": records[i]},
            )
        )
        for i in range(n)
    ]
    t = time.perf_counter()
    for data in cases:
        engine.evaluate(engine.case_from_dict(data), as_of=as_of)
    secs = time.perf_counter() - t
    print(
        f"full engine path (load case file + every plugin, sample of {n}): "
        f"{n / secs:,.0f} students/s; 20,000 would take {20000 * secs / n:.0f} s"
    )

    g = min(args.graphs, args.students)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        for i in range(g):
            rec = records[i]
            rep = rules.evaluate_series(rec, rec.series[0], as_of, p)
            write_progress_graph(rep, Path(tmp) / f"s{i}", f"student {i}")
        secs = time.perf_counter() - t
    print(
        f"graphs (SVG + PNG), SAMPLED {g} of {args.students}: {g / secs:,.1f} students/s; "
        f"all {args.students} would take about {args.students * secs / g / 60:.0f} min"
    )


if __name__ == "__main__":
    main()
