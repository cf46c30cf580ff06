"""Benchmark: a 1,000,000-case caseload on SQLite (or PostgreSQL) in bounded memory (issue 15).

In one process, with realistic caseloads (one caseworker per 50 cases):

1. `cases import` of N generated cases (streamed from the generator, each evaluated and
   stored as the import does);
2. `evaluate --all` the next day (every case's as-of date moved: the nightly run),
   with --jobs workers;
3. one caseworker's `due --within 14d` (median of several runs) and the statewide
   `due` to its first row, then the whole statewide list streamed as jsonl (as
   `due --format jsonl` writes it, from each row's stored text, then from dicts);
4. the peak memory of this process (the target: under 1 GiB) and the database size.

Figures only (tests never time anything). Takes about an hour of CPU at 1,000,000.

    python benchmarks/million.py                  # 1,000,000 cases
    python benchmarks/million.py --cases 20000    # a quick look
    python benchmarks/million.py --db PATH        # step 3 again, on a caseload step 1 made
    python benchmarks/million.py --cases 100000 --db postgresql://HOST/DB  # on PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import FirstRow, Span, peak_mib, to_devnull  # noqa: E402

from eirules.cli.output_rows import emit, write_lines  # noqa: E402
from eirules.cli.synthetic import CASEWORKERS, DEMO_AS_OF, iter_cases, records  # noqa: E402
from eirules.core.engine import Engine  # noqa: E402
from eirules.core.store import ROW_FIELDS, Store  # noqa: E402


def median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-evaluate", action="store_true", help="Import and due only.")
    parser.add_argument(
        "--db",
        help="The caseload database (an SQLite file or a PostgreSQL URL). Empty: every step "
        "there. One an earlier run made (its path is printed first): only the listings "
        "(step 3), with the --cases and --skip-evaluate it was made with.",
    )
    args = parser.parse_args()
    n = args.cases
    db = args.db or Path(tempfile.mkdtemp(prefix="eirules-million-")) / "caseload.db"
    store, _ = Store.init(db, Engine(entry_points=False))
    store.jobs = args.jobs
    count = max(1, n // 50)
    workers = CASEWORKERS[:count] + tuple(
        f"Coordinator {i:05d}" for i in range(count - len(CASEWORKERS))
    )
    if store.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0:
        build(store, n, workers, args)
    else:
        print(f"listings of {db}; load {os.getloadavg()[0]:.1f}")
    listings(store, db, workers, DEMO_AS_OF + timedelta(days=0 if args.skip_evaluate else 1))
    store.close()
    return 0


def build(store, n: int, workers: tuple[str, ...], args) -> None:
    """Steps 1 and 2: the import with evaluation, then the next day's `evaluate --all`."""
    part_c = n * 3 // 5
    print(
        f"{n:,} cases into {store.path or 'PostgreSQL'}, {len(workers):,} caseworkers; load {os.getloadavg()[0]:.1f}"
    )
    with Span() as took:
        result = store.import_records(
            records(
                iter_cases(
                    seed=1,
                    part_c=part_c,
                    part_b=n - part_c,
                    as_of=DEMO_AS_OF,
                    caseworkers=workers,
                )
            ),
            new_caseworkers=True,
            user="benchmark",
            evaluate_as_of=DEMO_AS_OF,
        )
    print(
        f"import + evaluate + store: {took.wall:8.1f} s wall  {took.cpu:8.1f} s CPU  "
        f"{took.cpu / n * 1e6:6.0f} us/case  {result.created:,} cases  peak {peak_mib():.0f} MiB",
        flush=True,
    )
    if not args.skip_evaluate:
        with Span() as took:
            report = store.evaluate(as_of=DEMO_AS_OF + timedelta(days=1), user="benchmark")
        print(
            f"evaluate --all next day, --jobs {args.jobs}: {took.wall:8.1f} s wall  "
            f"{took.cpu:8.1f} s CPU (workers included)  {report.evaluated:,} evaluated, "
            f"{report.unchanged:,} unchanged  peak {peak_mib():.0f} MiB (this process)",
            flush=True,
        )


def listings(store, db, workers: tuple[str, ...], day) -> None:
    """Step 3 and 4: one caseworker's list, the statewide first row and whole list, memory."""
    one = median_ms(lambda: store.due(as_of=day, caseworker=workers[0], within_days=14), runs=7)
    rows = len(store.due(as_of=day, caseworker=workers[0], within_days=14))
    print(f"one caseworker's due --within 14d: {one:.1f} ms median ({rows} rows; target 10 ms)")

    def first_row() -> None:
        stream = store.due_stream(as_of=day).rows
        next(stream, None)
        stream.close()

    first = median_ms(first_row, runs=3)
    print(f"statewide due, first row: {first:.1f} ms median (target 50 ms)", flush=True)

    def streamed(label: str, write) -> None:
        seen = FirstRow()
        with Span() as took:
            to_devnull(lambda: write(seen.count))
        print(
            f"{label}: {seen.rows:,} rows in {took.wall:.1f} s ({seen.rows / max(took.wall, 1e-9):,.0f} "
            f"rows/s wall, {took.cpu / max(seen.rows, 1) * 1e6:.1f} us/row CPU), first row "
            f"{(seen.first or 0) * 1000:.0f} ms",
            flush=True,
        )

    # What `due --format jsonl` writes (but the record of access): each row's stored text.
    streamed(
        "statewide due --format jsonl",
        lambda count: write_lines(text for _, text in count(store.due_lines(as_of=day))),
    )
    # The rows as dicts (json, csv, the table, the HTTP API), written as jsonl.
    streamed(
        "statewide due_stream as dicts, as jsonl",
        lambda count: emit("jsonl", count(store.due_stream(as_of=day).rows), ROW_FIELDS, None),
    )
    size = ""
    if not store.conn.postgres:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = f"; database {Path(db).stat().st_size / 1e9:.2f} GB"
    print(f"peak memory {peak_mib():.0f} MiB (target under 1 GiB){size}")
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
