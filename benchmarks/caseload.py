"""Benchmark: import N generated cases, evaluate them all, then ask what is due.

Prints rows per second for each phase and the peak memory of the process.
Targets (issue 6): import plus evaluate of 100,000 cases in under a minute on a
2-core machine, and `due` in under a second (answered from indexed clock rows).
Issue 15: "statewide due, first row" is how long the whole caseload's `due` takes to
its first row (read in order from an index, not after a sort).
Issue 14: a coordinator's write while `evaluate --all` runs must not wait more
than a fraction of a second (the evaluation commits chunk by chunk); the
"coordinator writes during evaluation" line gives the slowest and the median
of writes made by a second process all through the re-evaluation.
Issue 10: "due after the nightly run" compares `due` as of the nightly run's date
(answered from the stored rows) with `due` as of a date with none (every case in
scope evaluated in memory), as a ratio.
Timings are printed, never asserted: compare runs on the same machine.

    python benchmarks/caseload.py                 # 100,000 cases
    python benchmarks/caseload.py --cases 20000 --db /tmp/bench.db
    python benchmarks/caseload.py --cases 20000 --db postgresql://USER@HOST/EMPTY_DATABASE
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from eirules.cli.synthetic import CASEWORKERS, DEMO_AS_OF, iter_cases, records
from eirules.core.engine import Engine
from eirules.core.store import Store
from eirules.core.store.backend import display, is_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import cpu as cpu_seconds  # noqa: E402
from timing import peak_mib  # noqa: E402


def coordinator(target: str, case_id: str, stop, out) -> None:
    """Another process: reassign one case over and over, timing each write, until told to stop."""
    store = Store.open(target)
    took, i = [], 0
    while not stop.is_set():
        start = time.perf_counter()
        store.assign(
            case_id, f"Bench Coordinator {'AB'[i % 2]}", user="coordinator", new_caseworker=True
        )
        took.append(time.perf_counter() - start)
        i += 1
        time.sleep(0.05)
    store.close()
    out.put(took)


def db_size(store: Store, db) -> int:
    """Bytes the caseload takes: the SQLite file with its WAL folded in, or the PG database."""
    if store.conn.postgres:
        return store.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return Path(db).stat().st_size


def determination_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM determinations").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="How many cases to generate.")
    parser.add_argument(
        "--per-caseworker",
        type=int,
        default=50,
        help="Cases per caseworker (a service coordinator's caseload; default 50).",
    )
    parser.add_argument(
        "--db",
        help="Database file, or an empty PostgreSQL database's URL (default: a temporary file).",
    )
    args = parser.parse_args(argv)
    db = args.db or Path(tempfile.mkdtemp(prefix="eirules-bench-")) / "bench.db"
    if not is_postgres(db):
        db = Path(db)
        if db.exists():
            sys.exit(f"{db} exists; give a new path")
    part_c = args.cases * 3 // 5
    engine = Engine(entry_points=False)
    store, _ = Store.init(db, engine)
    print(f"{args.cases} cases ({part_c} Part C, {args.cases - part_c} Part B) into {display(db)}")

    start, cpu = time.perf_counter(), cpu_seconds()
    # Realistic caseloads: one caseworker per --per-caseworker cases (the first is Rhea).
    count = max(1, args.cases // max(1, args.per_caseworker))
    workers = CASEWORKERS[:count] + tuple(
        f"Coordinator {i:05d}" for i in range(count - len(CASEWORKERS))
    )
    print(f"{len(workers)} caseworkers, about {args.cases // len(workers)} cases each")
    generated = iter_cases(
        seed=1, part_c=part_c, part_b=args.cases - part_c, as_of=DEMO_AS_OF, caseworkers=workers
    )
    result = store.import_records(
        records(generated),
        new_caseworkers=True,
        user="benchmark",
        evaluate_as_of=DEMO_AS_OF,  # the import evaluates what it stores (issue 10)
    )
    imported = time.perf_counter() - start
    print(
        f"import:    {imported:7.2f} s  {result.created / imported:9.0f} cases/s  "
        f"cpu {cpu_seconds() - cpu:.1f} s  peak {peak_mib():.0f} MiB"
    )

    start, cpu = time.perf_counter(), cpu_seconds()
    report = store.evaluate(as_of=DEMO_AS_OF, user="benchmark")
    evaluated = time.perf_counter() - start
    clocks = store.conn.execute("SELECT count(*) FROM clocks").fetchone()[0]
    print(
        f"evaluate:  {evaluated:7.2f} s  {report.evaluated / evaluated:9.0f} cases/s  "
        f"cpu {cpu_seconds() - cpu:.1f} s  ({clocks} clock rows, {len(report.failures)} failures)  "
        f"peak {peak_mib():.0f} MiB"
    )
    print(
        f"import + evaluate: {imported + evaluated:.2f} s wall; load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )

    for label, kwargs in (
        ("due (14 days)", {"within_days": 14}),
        ("overdue", {"overdue_only": True}),
        ("due (all open)", {}),
        ("due (caseworker)", {"caseworker": "Rhea Tallowby", "within_days": 14}),
    ):
        start = time.perf_counter()
        rows = store.due(as_of=DEMO_AS_OF + timedelta(days=0), **kwargs)
        took = time.perf_counter() - start
        print(
            f"{label:17}  {took * 1000:8.1f} ms  {len(rows):7d} rows  {len(rows) / took:10.0f} rows/s"
        )

    # One caseworker's `due`, the query a case manager runs each morning (issue 10: under
    # 10 ms of query time at 100,000 cases), against a plain loop over every open item.
    worker = "Rhea Tallowby"

    def plain_loop() -> int:
        mine = {
            r[0]
            for r in store.conn.execute(
                "SELECT case_id FROM assignments WHERE ended_at IS NULL AND caseworker = ?",
                (worker,),
            )
        }
        return sum(
            1
            for case_id, _due in store.conn.execute(
                "SELECT case_id, due FROM clocks WHERE is_open = 1"
            )
            if case_id in mine
        )

    def timed(fn, runs: int = 15) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    query = timed(lambda: store.due(as_of=DEMO_AS_OF, caseworker=worker))
    baseline = timed(plain_loop)
    mine = len(store.due(as_of=DEMO_AS_OF, caseworker=worker))
    print(
        f"one caseworker's due: {query * 1000:.2f} ms median query time, {mine} rows "
        f"(target under 10 ms); plain loop over every open item {baseline * 1000:.2f} ms; "
        f"ratio {query / baseline:.2f}"
    )

    # Statewide `due` to its first row (issue 15): the rows come in the listing's order
    # from the clocks_due_order index (revision 0008), so nothing waits for a sort of
    # every open item (8.4 s at 100,000 cases before it).
    def first_row() -> None:
        rows = store.due_stream(as_of=DEMO_AS_OF).rows
        next(rows, None)
        rows.close()

    first = timed(first_row, runs=5)
    whole = timed(lambda: len(store.due(as_of=DEMO_AS_OF)), runs=1)
    print(
        f"statewide due, first row: {first * 1000:.1f} ms median (all rows {whole:.2f} s; "
        f"ratio {first / whole:.4f})"
    )

    # Retention (issue 14): a nightly run that finds nothing changed stores nothing.
    for label, day in (("same day", DEMO_AS_OF), ("next day", DEMO_AS_OF + timedelta(days=1))):
        before, dets = db_size(store, db), determination_count(store)
        start = time.perf_counter()
        nightly = store.evaluate(as_of=day, user="benchmark")
        took = time.perf_counter() - start
        after = db_size(store, db)
        print(
            f"nightly run, {label}: {took:.2f} s, {getattr(nightly, 'unchanged', 0)} of {nightly.evaluated} "
            f"unchanged, {determination_count(store) - dets} determinations stored; database "
            f"grew {(after - before) / 1e6:+.1f} MB ({(after - before) / args.cases:+.0f} B/case)"
        )

    # Issue 10: right after the nightly run, `due --as-of` that day answers from the stored
    # rows (current: same as-of date, engine and ruleset version); a day with no stored rows
    # evaluates every case in scope in memory for the answer. The ratio is what the nightly
    # run saves the morning's listings (statewide only up to 20,000 cases: above that the
    # in-memory side is a whole-caseload evaluation).
    night = DEMO_AS_OF + timedelta(days=1)
    scopes = [("one caseworker", {"caseworker": worker})]
    if args.cases <= 20_000:
        scopes.append(("statewide", {}))
    for label, scope in scopes:
        runs = 5 if scope else 1
        stored = timed(lambda scope=scope: store.due(as_of=night, **scope), runs=runs)
        memory = timed(
            lambda scope=scope: store.due(as_of=night + timedelta(days=1), **scope), runs=runs
        )
        print(
            f"due after the nightly run, {label}: stored rows {stored * 1000:.1f} ms "
            f"({store.due(as_of=night, **scope).refreshed} cases evaluated for the answer); "
            f"another as-of date {memory * 1000:.1f} ms "
            f"({store.due(as_of=night + timedelta(days=1), **scope).refreshed} evaluated); "
            f"ratio {stored / memory:.3f}"
        )

    ctx = multiprocessing.get_context("fork")
    stop, out = ctx.Event(), ctx.Queue()
    case_id = store.list_cases()[0]["case_id"]
    other = ctx.Process(target=coordinator, args=(str(db), case_id, stop, out))
    other.start()
    start = time.perf_counter()
    again = store.evaluate(as_of=DEMO_AS_OF + timedelta(days=7), user="benchmark")
    took = time.perf_counter() - start
    stop.set()
    writes = out.get(timeout=120)
    other.join()
    print(f"re-evaluate a week later: {took:.2f} s  {len(again.changes)} changes reported")
    if writes:
        print(
            f"coordinator writes during evaluation: {len(writes)}, slowest "
            f"{max(writes) * 1000:.0f} ms, median {statistics.median(writes) * 1000:.0f} ms "
            f"(evaluation {took:.1f} s)"
        )
    size = db_size(store, db)
    print(f"peak memory: {peak_mib():.0f} MiB; database {size / 1e6:.0f} MB")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
