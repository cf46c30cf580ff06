"""Benchmark: the bulk pipeline (issue 15) as ratios to a plain loop measured in this run.

Each step runs in a fresh process, so its peak memory (ru_maxrss) is its own:

1. `cases import` of one JSON Lines file of N cases (read line by line), with the
   evaluation and store of every case: CPU per case and peak memory;
2. `evaluate --all` of the stored caseload with --jobs 1 and --jobs 2 (--force: every
   case): wall and CPU per case (CPU of the workers included), peak memory of the
   parent; then the same day again, where every case is current and skipped; then
   the run a week later and the night after it, where only the cases whose stored
   stability interval (core/stability.py) does not hold that day are evaluated: CPU
   per case of the caseload, cases evaluated and skipped (`--nightly`: only the
   import, one --force run and these);
3. `due --within all --format jsonl` streamed to /dev/null: first row and rows/s;
4. `eirules.bulk.evaluate_partitions` over P JSON Lines partitions, synchronous and on
   a LocalCluster of 2 workers: wall per case and the cost of one partition, and
   what 7.5 million cases (a national Part B caseload) would take on W workers.

The plain loop is benchmarks/table.py's: the same clock dates in stdlib Python.
Figures only, never asserted.

    python benchmarks/scale.py --cases 20000
    python benchmarks/scale.py --cases 100000 --skip-dask
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from timing import FirstRow, Span, best_of, peak_mib, to_devnull  # noqa: E402

NATIONAL = 7_500_000


def step(name: str, *args: str) -> dict:
    """Run one step in a fresh interpreter; its printed JSON line."""
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# Steps (each in its own process) ---------------------------------------------------------


def _plain(n: str) -> dict:
    from evaluate import make_case
    from table import plain

    rnd = random.Random(5)
    docs = [make_case(i, rnd) for i in range(min(int(n), 20_000))]
    best = best_of(lambda: [plain(d) for d in docs])
    return {"us": best / len(docs) * 1e6}


def _write_jsonl(n: int, path: Path) -> None:
    from eirules.cli.synthetic import DEMO_AS_OF, iter_cases, records

    part_c = n * 3 // 5
    with path.open("w", encoding="utf-8") as out:
        for record in records(
            iter_cases(seed=1, part_c=part_c, part_b=n - part_c, as_of=DEMO_AS_OF)
        ):
            data = getattr(record, "data", None)
            if isinstance(data, dict):
                out.write(json.dumps(data) + "\n")


def _import(db: str, source: str) -> dict:
    from eirules.cli.synthetic import DEMO_AS_OF
    from eirules.core.engine import Engine
    from eirules.core.store import Store

    store, _ = Store.init(db, Engine(entry_points=False))
    store.jobs = 1
    with Span() as took:
        result = store.import_paths(
            [source], user="benchmark", evaluate_as_of=DEMO_AS_OF, new_caseworkers=True
        )
    return {
        "wall": took.wall,
        "cpu": took.cpu,
        "cases": result.created,
        "peak": peak_mib(),
    }


def _evaluate(db: str, jobs: str, skip: str = "0", later: str = "0") -> dict:
    from datetime import timedelta

    from eirules.cli.synthetic import DEMO_AS_OF
    from eirules.core.engine import Engine
    from eirules.core.store import Store

    store = Store.open(db, Engine(entry_points=False))
    store.jobs = int(jobs)
    as_of = DEMO_AS_OF + timedelta(days=int(later))
    with Span() as took:
        report = store.evaluate(as_of=as_of, user="benchmark", skip_current=skip == "1")
    return {
        "wall": took.wall,
        "cpu": took.cpu,
        "cases": report.evaluated,
        "skipped": report.skipped,
        "unchanged": report.unchanged,
        "peak": peak_mib(),
    }


def _due(db: str) -> dict:
    from eirules.cli.output_rows import emit
    from eirules.cli.synthetic import DEMO_AS_OF
    from eirules.core.engine import Engine
    from eirules.core.store import ROW_FIELDS, Store

    store = Store.open(db, Engine(entry_points=False))
    seen = FirstRow()
    with Span() as took:
        to_devnull(
            lambda: emit(
                "jsonl", seen.count(store.due_stream(as_of=DEMO_AS_OF).rows), ROW_FIELDS, None
            )
        )
    return {
        "first": seen.first or 0.0,
        "cpu": took.cpu,
        "wall": took.wall,
        "rows": seen.rows,
        "peak": peak_mib(),
    }


def _dask(source: str, parts: str, scheduler: str) -> dict:
    from datetime import date

    from eirules.bulk import evaluate_partitions
    from eirules.core.engine import Engine

    folder = Path(tempfile.mkdtemp(prefix="eirules-parts-"))
    lines = Path(source).read_text(encoding="utf-8").splitlines(keepends=True)
    count = int(parts)
    paths = []
    for i in range(count):
        path = folder / f"part-{i:03d}.jsonl"
        path.write_text("".join(lines[i::count]), encoding="utf-8")
        paths.append(path)
    del lines
    with Span() as took:
        report = evaluate_partitions(
            paths,
            folder / "out",
            as_of=date(2026, 3, 2),
            engine=Engine(entry_points=False),
            scheduler=None if scheduler == "local" else scheduler,
            workers=2,
        )
    return {"wall": took.wall, "cases": report.cases, "peak": peak_mib()}


STEPS = {"plain": _plain, "import": _import, "evaluate": _evaluate, "due": _due, "dask": _dask}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument(
        "--nightly",
        action="store_true",
        help="only the import, evaluate --force with 1 job and the nightly runs "
        "(same day, a week later, the next day)",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.step:
        print(json.dumps(STEPS[args.step](*rest)))
        return 0
    n = args.cases
    work = Path(tempfile.mkdtemp(prefix="eirules-scale-"))
    source, db = work / "caseload.jsonl", str(work / "caseload.db")
    _write_jsonl(n, source)
    base = step("plain", str(n))["us"]
    print(f"{n:,} cases; plain loop {base:.2f} us/case CPU (ratios below are to it)")

    def line(label: str, us: float, extra: str = "") -> None:
        print(f"{label:40} {us:9.1f} us/case  {us / base:7.1f}x plain{extra}")

    got = step("import", db, str(source))
    line(
        "import+evaluate+store (.jsonl, 1 job)",
        got["cpu"] / n * 1e6,
        f"  wall {got['wall']:.1f} s  peak {got['peak']:.0f} MiB",
    )
    for jobs in ("1",) if args.nightly else ("1", "2"):
        got = step("evaluate", db, jobs)
        line(
            f"evaluate --all --force --jobs {jobs} (CPU)",
            got["cpu"] / n * 1e6,
            f"  wall {got['wall']:.1f} s = {got['wall'] / n * 1e6:.0f} us/case wall"
            f" ({got['wall'] / n * 1e6 / base:.0f}x plain)  peak {got['peak']:.0f} MiB",
        )
    got = step("evaluate", db, "1", "1")
    line(
        "evaluate --all again, same day (skipped)",
        got["cpu"] / n * 1e6,
        f"  wall {got['wall']:.2f} s, {got['cases']} evaluated  peak {got['peak']:.0f} MiB",
    )
    # A week after the run above, then the night after that one.
    for later, label in (("7", "a week later"), ("8", "the next day")):
        got = step("evaluate", db, "1", "1", later)
        line(
            f"evaluate --all {label} (CPU, 1 job)",
            got["cpu"] / n * 1e6,
            f"  wall {got['wall']:.2f} s, {got['cases']:,} evaluated ({got['unchanged']:,} of "
            f"them decided as before), {got['skipped']:,} skipped  peak {got['peak']:.0f} MiB",
        )
    if args.nightly:
        return 0
    got = step("due", db)
    rows = max(got["rows"], 1)
    print(
        f"{'due --within all --format jsonl':40} {got['cpu'] / rows * 1e6:9.1f} us/row   "
        f"{got['cpu'] / rows * 1e6 / base:7.1f}x plain  {rows / got['wall']:,.0f} rows/s wall, "
        f"first row {got['first'] * 1000:.0f} ms, {rows:,} rows, peak {got['peak']:.0f} MiB"
    )
    if args.skip_dask:
        return 0
    for scheduler in ("synchronous", "local"):
        got = step("dask", str(source), str(args.partitions), scheduler)
        per_case = got["wall"] / max(got["cases"], 1)
        per_part = got["wall"] / args.partitions
        workers = 1 if scheduler == "synchronous" else 2
        national = NATIONAL * per_case * workers
        print(
            f"{'bulk, ' + scheduler + f' ({workers} worker)':40} {per_case * 1e6:9.1f} us/case wall "
            f"{per_case * 1e6 / base:7.1f}x plain  {per_part:.1f} s per partition of "
            f"{n // args.partitions:,}; 7.5M cases: {national / 3600:.1f} worker-hours "
            f"({national / 3600 / 64:.2f} h on 64 workers)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
