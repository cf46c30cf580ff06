"""Instructions and Python opcodes a case evaluated or loaded (deterministic; issue 15).

Evaluate only: benchmarks/evaluate.py's generated cases (seed 5), 50 warm-up cases,
then N (default 200) loaded cases evaluated. Instructions are counted by
``valgrind --tool=callgrind`` over a run with the evaluation minus a run without it,
so start-up, generation and loading cancel; opcodes come from evaluate.py's tracer.
Neither moves with the machine's load; the instructions are counted with a fixed hash
seed, so they repeat exactly.

With ``--load``, the same for loading instead: N documents through
``Engine.case_from_dict`` (the fast path, as table.py's "loading one case" row)
minus a run that only generates them. With ``--dict``, the same for the result's JSON:
N determinations through ``determination_json`` (the dict and its stored text) minus a
run that only evaluates them (their reasons rendered in both, as a first read does).

    python benchmarks/instructions.py            # both counts
    python benchmarks/instructions.py --no-valgrind
    python benchmarks/instructions.py --load
    python benchmarks/instructions.py --dict
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM = 50


def _documents(n: int):
    """A fresh engine, evaluate.py's AS_OF, and WARM + n of its generated documents."""
    sys.path.insert(0, str(HERE))
    import random

    from evaluate import AS_OF, Engine, make_case

    rnd = random.Random(5)
    return Engine(entry_points=False), AS_OF, [make_case(i, rnd) for i in range(WARM + n)]


def _compiled(n: int):
    """The engine, the `us` ruleset compiled as of AS_OF, and the documents (`_documents`)."""
    engine, as_of, docs = _documents(n)
    return engine, engine.compile(engine.rulesets.get("us"), as_of), docs


def _warm_loader(n: int):
    """An engine that has loaded WARM of evaluate.py's documents, and all WARM + n of them."""
    engine, _, docs = _documents(n)
    for doc in docs[:WARM]:
        engine.case_from_dict(doc)
    return engine, docs


def load_child(n: int, load: bool) -> None:
    engine, docs = _warm_loader(n)
    if load:
        for doc in docs[WARM:]:
            engine.case_from_dict(doc)


def child(n: int, evaluate: bool) -> None:
    engine, evaluator, docs = _compiled(n)
    for doc in docs[:WARM]:
        evaluator.evaluate(engine.case_from_dict(doc))
    cases = [engine.case_from_dict(doc) for doc in docs[WARM:]]
    if evaluate:
        for case in cases:
            evaluator.evaluate(case)


def dict_child(n: int, serialise: bool) -> None:
    from eirules.core.convert.determinations import determination_json

    engine, evaluator, docs = _compiled(n)
    for doc in docs[:WARM]:
        determination_json(evaluator.evaluate(engine.case_from_dict(doc)))
    dets = [evaluator.evaluate(engine.case_from_dict(doc)) for doc in docs[WARM:]]
    for det in dets:  # every reason rendered in both runs (the sentence, not the shape)
        for finding in det.findings:
            finding.reason  # noqa: B018
    if serialise:
        for det in dets:
            determination_json(det)


def instructions(n: int, evaluate: bool, load: bool = False, serialise: bool = False) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        cmd += [sys.executable, __file__, "--child", str(n)]
        if evaluate:
            cmd.append("--evaluate")
        if load:
            cmd.append("--load")
        if serialise:
            cmd.append("--dict")
        # Loading and evaluating hash strings (dict and set look-ups, sets of event
        # types): a fixed hash seed keeps the count the same from run to run (with a
        # random one, an evaluation's count moved by about 0.4% between runs).
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        text = Path(out).read_text()
    return int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))


def opcodes(n: int) -> float:
    sys.path.insert(0, str(HERE))
    import random

    from evaluate import AS_OF, Engine, make_case

    rnd = random.Random(5)
    docs = [make_case(i, rnd) for i in range(WARM + n)]
    engine = Engine(entry_points=False)
    evaluator = engine.compile(engine.rulesets.get("us"), AS_OF)
    for doc in docs[:WARM]:
        evaluator.evaluate(engine.case_from_dict(doc))
    cases = [engine.case_from_dict(doc) for doc in docs[WARM:]]
    count = [0]

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            count[0] += 1
        return tracer

    sys.settrace(tracer)
    try:
        for case in cases:
            evaluator.evaluate(case)
    finally:
        sys.settrace(None)
    return count[0] / n


def load_opcodes(n: int) -> float:
    engine, docs = _warm_loader(n)
    count = [0]

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            count[0] += 1
        return tracer

    sys.settrace(tracer)
    try:
        for doc in docs[WARM:]:
            engine.case_from_dict(doc)
    finally:
        sys.settrace(None)
    return count[0] / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="cases evaluated (default 200)")
    parser.add_argument("--no-valgrind", action="store_true", help="opcodes only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--evaluate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--load", action="store_true", help="count loading (case_from_dict) instead"
    )
    parser.add_argument(
        "--dict", action="store_true", help="count the result's dict and JSON text instead"
    )
    args = parser.parse_args()
    if args.child is not None:
        if args.dict:
            dict_child(args.child, args.evaluate)
        elif args.load:
            load_child(args.child, args.evaluate)
        else:
            child(args.child, args.evaluate)
        return
    if args.dict:
        diff = instructions(args.n, True, serialise=True) - instructions(
            args.n, False, serialise=True
        )
        print(f"instructions a case serialised (callgrind): {diff / args.n:,.0f}")
        return
    if args.load:
        print(f"Python opcodes a case loaded: {load_opcodes(args.n):,.0f}")
        if not args.no_valgrind:
            diff = instructions(args.n, True, True) - instructions(args.n, False, True)
            print(f"instructions a case loaded (callgrind): {diff / args.n:,.0f}")
        return
    print(f"Python opcodes a case: {opcodes(args.n):,.0f}")
    if not args.no_valgrind:
        diff = instructions(args.n, True) - instructions(args.n, False)
        print(f"instructions a case (callgrind): {diff / args.n:,.0f}")


if __name__ == "__main__":
    main()
