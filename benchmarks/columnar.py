"""Benchmark: the columnar clocks (eirules.bulk.clock_table) against a hand-written numpy loop.

Over N generated cases (benchmarks/evaluate.py's generator) under the federal ruleset,
in one run:

1. reading the documents into columns (`columns_of`), once;
2. the columnar clocks over those columns (the six clocks of `clock_table`: masks for
   the covered shape, the ruleset's values per change date, due dates, statuses);
3. a hand-written numpy loop over the same columns computing the same six due dates
   and statuses with the day counts written in (no shape checks, no ruleset): the
   issue's baseline, target within 2x;
4. the whole `clock_table` (columns, clocks, and the per-case engine for the cases
   the columns leave to it);
5. the per-case engine over every case (load + evaluate), on a sample;
6. a plain Python loop computing the same dates (benchmarks/table.py's baseline).

Figures only, never asserted (tests do not time anything).

    python benchmarks/columnar.py               # 100,000 cases
    python benchmarks/columnar.py --cases 20000
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import AS_OF, make_case  # noqa: E402
from table import plain  # noqa: E402
from timing import best_of, peak_mib, timed  # noqa: E402

from eirules.bulk import clock_table  # noqa: E402
from eirules.core.engine import Engine  # noqa: E402
from eirules.plugins import columnar  # noqa: E402
from eirules.plugins.part_b import columnar as part_b  # noqa: E402
from eirules.plugins.part_c import columnar as part_c  # noqa: E402


def numpy_loop(cols: columnar.Columns, day: np.datetime64) -> list[np.ndarray]:
    """The baseline: the six clocks' due dates and statuses with nothing but numpy."""
    out = []

    def status(due, met):
        met_ok = ~np.isnat(met) & (met <= day)
        left = (due - day).astype(np.int64)
        code = np.where(left < 0, 2, np.where(left <= 7, 1, 0))
        return np.where(met_ok, np.where(met <= due, 3, 4), code)

    for start, days, stop in (
        (cols.first["referral_received"], 45, cols.first["ifsp_meeting_held"]),
        (cols.first["consent_for_evaluation"], 60, cols.first["evaluation_completed"]),
        (cols.first["eligibility_determined"], 30, cols.first["iep_meeting_held"]),
    ):
        due = start + np.timedelta64(days, "D")
        out += [due, status(due, stop)]
    for last, months in (
        (np.maximum(cols.last["ifsp_meeting_held"], cols.last["ifsp_review_held"]), 6),
        (cols.last["ifsp_meeting_held"], 12),
        (np.maximum(cols.last["iep_meeting_held"], cols.last["iep_review_held"]), 12),
    ):
        due = columnar.add_months(last, months)
        out += [due, status(due, np.full(len(due), columnar.NAT))]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--engine-sample", type=int, default=5_000)
    args = parser.parse_args()
    n = args.cases
    rnd = random.Random(5)
    docs = [make_case(i, rnd) for i in range(n)]
    engine = Engine(entry_points=False)
    ruleset = engine.rulesets.get("us")
    day = np.datetime64(AS_OF, "D")
    types = part_c.TYPES | part_b.TYPES

    read = best_of(lambda: columnar.columns_of(docs, types), 2)
    cols = columnar.columns_of(docs, types)
    loop = best_of(lambda: numpy_loop(cols, day), 5)
    ours = best_of(
        lambda: (part_c.clocks(cols, ruleset, AS_OF), part_b.clocks(cols, ruleset, AS_OF)), 5
    )
    table = clock_table(docs, as_of=AS_OF, ruleset="us", engine=engine)
    whole = timed(lambda: clock_table(docs, as_of=AS_OF, ruleset="us", engine=engine))
    sample = docs[: args.engine_sample]
    per_case = timed(
        lambda: [engine.evaluate(engine.case_from_dict(d), ruleset, AS_OF) for d in sample]
    ) / len(sample)
    base = best_of(lambda: [plain(d) for d in docs], 3) / n

    def us(seconds: float) -> str:
        return f"{seconds / n * 1e6:8.3f} us/case"

    print(f"{n:,} cases under us as of {AS_OF}; CPU time, best of several rounds")
    print(f"{'hand-written numpy loop (baseline)':44} {us(loop)}")
    print(
        f"{'columnar clocks over the columns':44} {us(ours)}  {ours / loop:5.2f}x the numpy loop "
        "(target 2x)"
    )
    print(f"{'reading documents into columns':44} {us(read)}  {read / loop:5.1f}x the numpy loop")
    print(
        f"{'clock_table, whole (with the fallback)':44} {us(whole)}  "
        f"{table.columnar:,} rows from the columns, {table.fallback:,} from the engine "
        f"({table.fallback / max(table.columnar + table.fallback, 1):.0%})"
    )
    print(
        f"{'per-case engine (load + evaluate)':44} {per_case * 1e6:8.3f} us/case  "
        f"columnar clocks are {per_case / (ours / n):,.0f}x faster, the whole table "
        f"{per_case / (whole / n):,.1f}x"
    )
    print(f"{'plain Python loop (same dates)':44} {base * 1e6:8.3f} us/case")
    print(f"peak memory {peak_mib():.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
