"""Golden determinations: prove a speed-up changed no decision, date, reason or byte.

Runs the engine over a fixed sample and writes one `determination_to_dict` JSON line
per (case, ruleset, as-of date):

* the first N cases of benchmarks/evaluate.py's generator (its default seed) under
  ``us`` as of the benchmark's date, and every 10th of them under each other ruleset;
* every examples/*.json case file under every ruleset at several as-of dates.

A case a ruleset refuses is recorded as its error message, so errors are compared too.

    python benchmarks/golden.py --write            # before changing anything
    python benchmarks/golden.py --check            # after: exit 1 on the first difference
    python benchmarks/golden.py --check --n 2000   # quicker (write with the same --n)

The golden file (default /tmp/golden.jsonl) is not committed: it depends on the
engine version and the rulesets in the checkout.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from eirules.core.convert import determination_to_dict, read_json
from eirules.core.engine import Engine
from eirules.core.errors import EirulesError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import AS_OF, make_case  # noqa: E402

AS_OF_DATES = ("2025-01-15", "2026-02-01", "2026-06-01", "2026-09-30", "2027-03-01", "2028-12-31")


def lines(n: int, seed: int):
    """Every golden line, in a fixed order."""
    engine = Engine(entry_points=False)
    ids = engine.rulesets.ids()

    def run(doc, ruleset, as_of, label):
        try:
            det = engine.evaluate(engine.case_from_dict(doc), ruleset, as_of)
            body = determination_to_dict(det)
        except EirulesError as exc:
            body = {"error": str(exc), "problems": [str(p) for p in getattr(exc, "problems", ())]}
        return json.dumps({"run": label, **body}, sort_keys=True)

    rnd = random.Random(seed)
    docs = [make_case(i, rnd) for i in range(n)]
    for doc in docs:
        yield run(doc, "us", AS_OF, "bench/us")
    for ruleset in ids:
        if ruleset != "us":
            for doc in docs[::10]:
                yield run(doc, ruleset, AS_OF, f"bench/{ruleset}")
    for path in sorted((HERE.parent / "examples").glob("*.json")):
        doc = read_json(path)
        for ruleset in ids:
            for as_of in AS_OF_DATES:
                yield run(doc, ruleset, as_of, f"{path.name}/{ruleset}/{as_of}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the golden file")
    mode.add_argument("--check", action="store_true", help="compare with the golden file")
    parser.add_argument("--n", type=int, default=20_000, help="generated cases (default 20000)")
    parser.add_argument("--seed", type=int, default=5, help="generator seed (default 5)")
    parser.add_argument("--file", default="/tmp/golden.jsonl", help="golden file path")
    args = parser.parse_args()

    path = Path(args.file)
    if args.write:
        count = 0
        with path.open("w", encoding="utf-8") as out:
            for line in lines(args.n, args.seed):
                out.write(line + "\n")
                count += 1
        print(f"wrote {count:,} determinations to {path}")
        return 0
    golden = path.read_text(encoding="utf-8").splitlines()
    now = list(lines(args.n, args.seed))
    for number, (want, got) in enumerate(zip(golden, now, strict=False), 1):
        if want != got:
            print(f"line {number} differs:\n  golden: {want}\n  now:    {got}")
            return 1
    if len(golden) != len(now):
        print(f"golden file has {len(golden):,} lines, this run {len(now):,}")
        return 1
    count = len(now)
    print(f"{count:,} determinations identical to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
