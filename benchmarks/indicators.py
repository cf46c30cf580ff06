"""Benchmark: every SPP/APR indicator over N stored cases after the nightly evaluation.

Builds (or reuses) a caseload of N generated cases evaluated as of the demo date,
then times `eirules indicators` for the 2025-26 year (all indicators, no
drill-down) against a plain loop measured in the same run: one pass over the same
rows that parses both JSON documents and counts met clocks, the least any report
from the stored determinations must do. Memory: the peak Python allocation while
computing over the first quarter, half and all of the cases (tracemalloc); flat
means it does not grow with the number of cases. Target (issue 13): under 5 s for
100,000 cases. Timings are printed, never asserted.

    python benchmarks/indicators.py                    # 100,000 cases
    python benchmarks/indicators.py --cases 20000 --db /tmp/ind.db
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from eirules.cli.synthetic import DEMO_AS_OF, iter_cases, records
from eirules.core.engine import Engine
from eirules.core.store import Store
from eirules.plugins.indicators.api import settings_lookup
from eirules.plugins.indicators.common import parse_year
from eirules.plugins.indicators.registry import compute
from eirules.plugins.indicators.sources import _STORED, stored_facts


def build(db: Path, cases: int, engine: Engine) -> None:
    store, _ = Store.init(db, engine)
    try:
        part_c = cases * 3 // 5
        store.import_records(
            records(iter_cases(seed=1, part_c=part_c, part_b=cases - part_c, as_of=DEMO_AS_OF)),
            user="benchmark",
        )
        store.evaluate(as_of=DEMO_AS_OF, user="benchmark")
    finally:
        store.close()


def baseline(conn) -> int:
    """The plain loop: the same rows, both documents parsed, met clocks counted."""
    met, last = 0, ""
    while True:
        rows = conn.execute(_STORED.format(scope=""), (last, 2000)).fetchall()
        if not rows:
            return met
        last = rows[-1][0]
        for _, document, result, _ in rows:
            json.loads(document)
            met += sum(1 for c in json.loads(result)["clocks"] if c["status"] == "met")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="Caseload file; built when it does not exist.")
    args = parser.parse_args(argv)
    engine = Engine(entry_points=False)
    db = args.db or Path(tempfile.mkdtemp(prefix="eirules-ind-")) / "bench.db"
    if not db.exists():
        start = time.perf_counter()
        build(db, args.cases, engine)
        print(f"built {args.cases} cases in {time.perf_counter() - start:.1f} s ({db})")
    period = parse_year("2025-26")
    lookup = settings_lookup(engine, period.end)
    store = Store.open(db)
    try:
        conn = store.conn
        total = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        baseline(conn)
        plain_wall, plain = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        report = compute(stored_facts(conn), period, lookup)
        spent_wall, spent = time.perf_counter() - wall, time.process_time() - cpu
        # CPU seconds are steadier than wall time on a shared machine; both are shown.
        print(f"{total} cases: indicators {spent:.2f} s CPU ({spent_wall:.2f} s wall), "
              f"plain loop {plain:.2f} s CPU ({plain_wall:.2f} s wall), ratio {spent / plain:.2f}x "
              "(target: under 5 s for 100,000)")  # fmt: skip
        for r in report.indicators:
            print(f"  {r.code:4} {r.numerator:>7}/{r.denominator:<7} {r.percent}")
        # Every 4th, every 2nd, then every case: the same mix of programs in each sample
        # (case ids sort Part B before Part C, so a prefix would not be comparable).
        for share in (4, 2, 1):
            tracemalloc.start()
            result = compute(itertools.islice(stored_facts(conn), 0, None, share), period, lookup)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"  peak Python memory counting {result.cases:>7} cases: {peak / 2**20:.1f} MiB")
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
