"""Benchmark: where the CPU of `cases import` and `evaluate --all` goes, per case.

Issue 15's import and whole-caseload rows cost several times what loading and
evaluating a case does. This script runs the same 20,000 synthetic cases through
each step of the two commands on its own (in this process, CPU time per case),
then the commands end to end in this process (`--jobs 1`) and with worker
processes (`--jobs 2`), so what the steps do not account for (SQL, audit entries,
reading chunks back) and what the workers add (start-up, sending chunks and
results between processes) show as differences. Figures only, never asserted.

    python benchmarks/overhead.py                  # 20,000 cases
    python benchmarks/overhead.py --cases 5000 --skip-workers
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of, timed  # noqa: E402

from eirules.cli.synthetic import DEMO_AS_OF, iter_cases, records  # noqa: E402
from eirules.core.chunks import (  # noqa: E402
    case_rows,  # noqa: E402
    outcome_of,
    result_digest,
    stored_case,
)
from eirules.core.convert import case_to_dict, determination_to_dict  # noqa: E402
from eirules.core.engine import Engine  # noqa: E402


def _line(label: str, seconds: float, n: int, total: float | None = None) -> None:
    us = seconds / n * 1e6
    share = f"  {seconds / total * 100:5.1f}%" if total else ""
    print(f"  {label:52} {us:8.1f} us{share}", flush=True)


def steps(engine: Engine, recs: list, n: int) -> dict[str, float]:
    """Each step of an import and an evaluation on its own: CPU seconds for all n cases."""
    # The store is imported in the functions that use it, not at the top: worker
    # processes started by spawn import this module again and need none of it.
    from eirules.core.store.base import canonical_json, sha256
    from eirules.core.store.determinations import evaluated_with

    today = date.today()
    out: dict[str, float] = {}
    datas = [r.data for r in recs]

    out["import: validate (case_from_dict with entry checks)"] = best_of(
        lambda: [engine.case_from_dict(d, source="x", today=today) for d in datas], 2
    )
    cases = [engine.case_from_dict(d, source="x", today=today) for d in datas]
    out["import: case_to_dict"] = best_of(lambda: [case_to_dict(c) for c in cases], 2)
    dicts = [case_to_dict(c) for c in cases]
    out["import: canonical_json (sorted keys)"] = best_of(
        lambda: [canonical_json(d) for d in dicts], 2
    )
    texts = [canonical_json(d) for d in dicts]
    out["import: sha256 of the document"] = best_of(lambda: [sha256(t) for t in texts], 2)
    out["import: case_rows (table rows)"] = best_of(lambda: [case_rows(c) for c in cases], 2)

    out["stored: json.loads of the stored document"] = best_of(
        lambda: [json.loads(t) for t in texts], 2
    )
    loaded = [json.loads(t) for t in texts]
    out["stored: stored_case (load)"] = best_of(lambda: [stored_case(engine, d) for d in loaded], 2)
    stored = [stored_case(engine, d) for d in loaded]
    out["evaluate: engine.evaluate"] = timed(
        lambda: [engine.evaluate(c, None, DEMO_AS_OF) for c in stored]
    )
    dets = [engine.evaluate(c, None, DEMO_AS_OF) for c in stored]
    out["evaluate: determination_to_dict"] = best_of(
        lambda: [determination_to_dict(d) for d in dets], 2
    )
    results = [determination_to_dict(d) for d in dets]
    out["evaluate: json.dumps of the result"] = best_of(
        lambda: [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in results], 2
    )
    rtexts = [json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in results]
    day = DEMO_AS_OF.isoformat()
    out["evaluate: result_digest"] = best_of(
        lambda: [result_digest(h, t, day) for h, t in zip(texts, rtexts, strict=True)], 2
    )

    out["evaluate: the Outcome (due rows, status, programs)"] = best_of(
        lambda: [outcome_of(r, t) for r, t in zip(results, rtexts, strict=True)], 2
    )
    outcomes = [outcome_of(r, t) for r, t in zip(results, rtexts, strict=True)]
    out["evaluate: the Outcome through pickle (worker to parent)"] = best_of(
        lambda: pickle.loads(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL)), 2
    )
    out["evaluate: evaluated_with"] = best_of(lambda: [evaluated_with(o, "") for o in outcomes], 2)
    return out


def end_to_end(engine: Engine, recs: list, n: int, jobs: int) -> tuple[float, float, float]:
    """CPU seconds of import_records, evaluate (first run after it) and evaluate again."""
    from eirules.core.store import Store

    db = Path(tempfile.mkdtemp(prefix="eirules-overhead-")) / "o.db"
    store, _ = Store.init(db, engine)
    store.jobs = jobs
    spent_import = timed(lambda: store.import_records(iter(recs), user="benchmark"))
    spent_eval = timed(lambda: store.evaluate(as_of=DEMO_AS_OF, user="benchmark"))
    later = date.fromordinal(DEMO_AS_OF.toordinal() + 7)
    spent_later = timed(lambda: store.evaluate(as_of=later, user="benchmark"))
    store.close()
    return spent_import, spent_eval, spent_later


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="cases (default 20000)")
    parser.add_argument(
        "--skip-workers", action="store_true", help="leave out the run with 2 worker processes"
    )
    args = parser.parse_args()
    n = args.cases
    engine = Engine(entry_points=False)
    part_c = n * 3 // 5
    recs = list(records(iter_cases(seed=1, part_c=part_c, part_b=n - part_c, as_of=DEMO_AS_OF)))
    gc.collect()
    engine.evaluate(engine.case_from_dict(recs[0].data), None, DEMO_AS_OF)

    print(f"{n:,} cases (cli.synthetic), CPU per case")
    found = steps(engine, recs, n)
    imp, ev, later = end_to_end(engine, recs, n, 1)
    import_steps = sum(v for k, v in found.items() if k.startswith("import:"))
    eval_steps = sum(v for k, v in found.items() if k.startswith("evaluate:"))
    # Only evaluate --all reads the stored documents back (the stored: steps); an import
    # evaluates the model it checked (core/store/held.py).
    stored_steps = sum(v for k, v in found.items() if k.startswith("stored:"))
    print("steps, each on its own:")
    for label, seconds in found.items():
        _line(label, seconds, n)
    print("end to end, in this process (--jobs 1):")
    _line("cases import (import + store + evaluate + store)", imp, n)
    _line("  its steps above (import and evaluate)", import_steps + eval_steps, n, imp)
    _line(
        "  the rest (SQL, audit, holding results, bookkeeping)",
        imp - import_steps - eval_steps,
        n,
        imp,
    )
    _line("evaluate --all (the imported cases, another day)", ev, n)
    _line("evaluate --all a week later", later, n)
    _line("  its stored: and evaluate: steps above", stored_steps + eval_steps, n, later)
    _line(
        "  the rest (SQL, audit, change detection, bookkeeping)",
        later - stored_steps - eval_steps,
        n,
        later,
    )
    if not args.skip_workers:
        imp2, ev2, later2 = end_to_end(engine, recs, n, 2)
        print("end to end, 2 worker processes (--jobs 2; CPU of every process):")
        _line("cases import", imp2, n)
        _line("  more than in this process (workers: start-up, transfer)", imp2 - imp, n, imp2)
        _line("evaluate --all a week later", later2, n)
        _line("  more than in this process", later2 - later, n, later2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
