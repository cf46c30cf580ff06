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
    python benchmarks/caseload.py --cases 1000000 --db postgresql://... \
        --skip same-day --skip all-rows --skip plain-loop --skip coordinator

`--skip` leaves out steps a very large caseload cannot afford: `same-day` (the
whole-caseload evaluation right after the import, and the same-day nightly run),
`all-rows` (listings that hold every open row in memory), `plain-loop` (the
baseline that reads every open row 15 times), `coordinator` (the re-evaluation
with a second process writing all through it).
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
from eirules.core.store.backend import WriteTimings
from eirules.core.store.targets import display, is_postgres

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import cpu as cpu_seconds  # noqa: E402
from timing import peak_mib  # noqa: E402

SKIPPABLE = ("same-day", "all-rows", "plain-loop", "coordinator")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def spread(values: list[float]) -> str:
    """Median, 99th percentile and largest of seconds, in milliseconds."""
    if not values:
        return "none"
    return (
        f"median {statistics.median(values) * 1000:.0f} ms, 99% under "
        f"{percentile(values, 0.99) * 1000:.0f} ms, slowest {max(values) * 1000:.0f} ms"
    )


def hold_report(holds: list[dict]) -> str:
    """The evaluation's write-lock holds, and what the longest was made of."""
    if not holds:
        return "no write transactions"
    longest = max(holds, key=lambda h: h["hold"])
    parts = ", ".join(f"{k} {longest[k] * 1000:.0f} ms" for k in ("sql", "audit", "commit", "cpu"))
    top = sorted(longest["statements"].items(), key=lambda kv: -kv[1])[:4]
    parts += "; of which " + ", ".join(f"{head} {took * 1000:.0f} ms" for head, took in top)
    commits = [h["commit"] for h in holds]
    return (
        f"{len(holds)} write transactions held the lock {spread([h['hold'] for h in holds])} "
        f"(the longest: {parts}); COMMIT alone {spread(commits)}"
    )


def coordinator(target: str, case_id: str, stop, out) -> None:
    """Another process: reassign one case over and over, timing each write, until told to stop."""
    store = Store.open(target)
    store.conn.timings = WriteTimings()
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
    out.put((took, [h["wait"] for h in store.conn.timings.holds]))


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
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=SKIPPABLE,
        help="Leave out a step a very large caseload cannot afford (repeatable; see above).",
    )
    args = parser.parse_args(argv)
    skip = set(args.skip)
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
        f"cpu {cpu_seconds() - cpu:.1f} s  peak {peak_mib():.0f} MiB  "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"database after the import: {db_size(store, db) / 1e6:.0f} MB")

    if "same-day" not in skip:
        start, cpu = time.perf_counter(), cpu_seconds()
        report = store.evaluate(as_of=DEMO_AS_OF, user="benchmark")
        evaluated = time.perf_counter() - start
        clocks = store.conn.execute("SELECT count(*) FROM clocks").fetchone()[0]
        print(
            f"evaluate:  {evaluated:7.2f} s  {report.evaluated / evaluated:9.0f} cases/s  "
            f"cpu {cpu_seconds() - cpu:.1f} s  ({clocks} clock rows, "
            f"{len(report.failures)} failures)  peak {peak_mib():.0f} MiB"
        )
        print(
            f"import + evaluate: {imported + evaluated:.2f} s wall; load average now "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )

    listings = [
        ("due (14 days)", {"within_days": 14}),
        ("overdue", {"overdue_only": True}),
        ("due (all open)", {}),
        ("due (caseworker)", {"caseworker": "Rhea Tallowby", "within_days": 14}),
    ]
    for label, kwargs in listings if "all-rows" not in skip else listings[-1:]:
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
    mine = len(store.due(as_of=DEMO_AS_OF, caseworker=worker))
    if "plain-loop" in skip:
        print(f"one caseworker's due: {query * 1000:.2f} ms median query time, {mine} rows")
    else:
        baseline = timed(plain_loop)
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
    if "all-rows" in skip:
        print(f"statewide due, first row: {first * 1000:.1f} ms median of 5")
    else:
        whole = timed(lambda: len(store.due(as_of=DEMO_AS_OF)), runs=1)
        print(
            f"statewide due, first row: {first * 1000:.1f} ms median (all rows {whole:.2f} s; "
            f"ratio {first / whole:.4f})"
        )

    # Retention (issue 14): a nightly run that finds nothing changed stores nothing.
    nights = [("same day", DEMO_AS_OF), ("next day", DEMO_AS_OF + timedelta(days=1))]
    for label, day in nights[1:] if "same-day" in skip else nights:
        before, dets = db_size(store, db), determination_count(store)
        start, cpu = time.perf_counter(), cpu_seconds()
        nightly = store.evaluate(as_of=day, user="benchmark")
        took = time.perf_counter() - start
        after = db_size(store, db)
        print(
            f"nightly run, {label}: {took:.2f} s ({nightly.evaluated / took:.0f} cases/s, "
            f"cpu {cpu_seconds() - cpu:.1f} s), {getattr(nightly, 'unchanged', 0)} of "
            f"{nightly.evaluated} unchanged, {determination_count(store) - dets} determinations "
            f"stored; database grew {(after - before) / 1e6:+.1f} MB "
            f"({(after - before) / args.cases:+.0f} B/case); load average "
            f"{os.getloadavg()[0]:.1f}"
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

    if "coordinator" not in skip:
        coordinator_phase(store, db, DEMO_AS_OF + timedelta(days=7))
    size = db_size(store, db)
    print(f"peak memory: {peak_mib():.0f} MiB; database {size / 1e6:.0f} MB")
    store.close()
    return 0


def coordinator_phase(store: Store, db, as_of) -> None:
    """Re-evaluate as of `as_of` while another process writes all through it (issue 14)."""
    ctx = multiprocessing.get_context("fork")
    stop, out = ctx.Event(), ctx.Queue()
    case_id = store.list_cases()[0]["case_id"]
    other = ctx.Process(target=coordinator, args=(str(db), case_id, stop, out))
    other.start()
    store.conn.timings = WriteTimings()
    start = time.perf_counter()
    again = store.evaluate(as_of=as_of, user="benchmark")
    took = time.perf_counter() - start
    holds = [h for h in store.conn.timings.holds if h["label"] == "evaluation"]
    store.conn.timings = None
    stop.set()
    writes, waits = out.get(timeout=120)
    other.join()
    print(
        f"re-evaluate as of {as_of}: {took:.2f} s  {len(again.changes)} changes reported; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if writes:
        print(
            f"coordinator writes during evaluation: {len(writes)}, {spread(writes)}; "
            f"over one second: {sum(1 for w in writes if w > 1)} (evaluation {took:.1f} s)"
        )
        print(f"coordinator's wait for the write lock: {spread(waits)}")
    print(f"evaluation's lock holds: {hold_report(holds)}")


if __name__ == "__main__":
    sys.exit(main())
