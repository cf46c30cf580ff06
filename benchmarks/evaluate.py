"""Benchmark: full determinations with explanations versus a bare loop of clock dates.

Generates N realistic synthetic case files (Part C infants and toddlers, Part B
students, some in both programs), then times

1. the engine: case-file dict -> converter -> Case -> evaluate (eligibility,
   clocks, referrals, findings with explanations), and
2. a plain-Python loop that computes only the clock due dates for the same cases,

and prints cases per second for each and their ratio. Figures only: no
assertions (tests never time anything).

    python benchmarks/evaluate.py            # 100,000 cases
    python benchmarks/evaluate.py --n 20000 --profile
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from eirules.core.engine import Engine

AS_OF = date(2026, 6, 1)


def _d(day: date) -> str:
    return day.isoformat()


def make_case(i: int, rnd: random.Random) -> dict:
    """One fictional case file; about half Part C, half Part B, a few in both."""
    kind = rnd.random()
    events: list[dict] = []
    evaluations: list[dict] = []
    if kind < 0.5:  # Part C
        birth = AS_OF - timedelta(days=rnd.randint(60, 1000))
        referral = birth + timedelta(days=rnd.randint(30, (AS_OF - birth).days - 1))
        events.append({"type": "referral_received", "date": _d(referral)})
        evaluation = referral + timedelta(days=rnd.randint(5, 40))
        if evaluation <= AS_OF:
            evaluations.append(
                {
                    "date": _d(evaluation),
                    "scores": [
                        {"domain": "communication", "age_equivalent_months": rnd.randint(0, 12)},
                        {
                            "domain": "physical",
                            "standard_score": rnd.randint(55, 110),
                            "mean": 100,
                            "sd": 15,
                        },
                    ],
                }
            )
            events.append(
                {"type": "eligibility_determined", "date": _d(evaluation), "outcome": "eligible"}
            )
        meeting = referral + timedelta(days=rnd.randint(20, 60))
        if meeting <= AS_OF:
            events.append({"type": "ifsp_meeting_held", "date": _d(meeting)})
            events.append(
                {"type": "consent_for_services", "date": _d(meeting), "service": "speech therapy"}
            )
            if rnd.random() < 0.3:
                events.append(
                    {
                        "type": "delay",
                        "date": _d(meeting - timedelta(days=10)),
                        "reason": "exceptional_family_circumstances",
                    }
                )
            review = meeting + relativedelta(months=6) + timedelta(days=rnd.randint(-20, 20))
            if review <= AS_OF:
                events.append({"type": "ifsp_review_held", "date": _d(review)})
        child = {"birth_date": _d(birth)}
        if rnd.random() < 0.15:
            child["gestational_age_weeks"] = rnd.randint(26, 36)
        conditions = [{"name": "Down syndrome", "code": "Q90.9"}] if rnd.random() < 0.05 else []
    else:  # Part B
        birth = AS_OF - timedelta(days=rnd.randint(3 * 365, 20 * 365))
        consent = AS_OF - timedelta(days=rnd.randint(10, 4 * 365))
        if consent < birth + timedelta(days=3 * 365):
            consent = birth + timedelta(days=3 * 365 + 10)
        events.append({"type": "consent_for_evaluation", "date": _d(consent)})
        done = consent + timedelta(days=rnd.randint(20, 75))
        if done <= AS_OF:
            events.append({"type": "evaluation_completed", "date": _d(done)})
            events.append(
                {
                    "type": "eligibility_determined",
                    "date": _d(done + timedelta(days=5)),
                    "category": rnd.choice(
                        [
                            "autism",
                            "specific_learning_disability",
                            "speech_or_language_impairment",
                            "other_health_impairment",
                        ]
                    ),
                    "outcome": "eligible",
                }
            )
            iep = done + timedelta(days=rnd.randint(10, 40))
            if iep <= AS_OF:
                events.append({"type": "iep_meeting_held", "date": _d(iep)})
                review = iep + relativedelta(years=1)
                if review <= AS_OF:
                    events.append({"type": "iep_review_held", "date": _d(review)})
        if kind > 0.95:
            events.append(
                {"type": "referral_from_part_c", "date": _d(birth + timedelta(days=3 * 365 - 80))}
            )
        child = {"birth_date": _d(birth)}
        conditions = []
    return {
        "id": f"BENCH-{i:06d}",
        "ruleset": "us",
        "child": child,
        "events": events,
        "evaluations": evaluations,
        "conditions": conditions,
    }


def plain_clock_dates(doc: dict) -> list[date]:
    """The baseline: only the due dates, straight from the dicts, no rules, no explanations."""
    birth = date.fromisoformat(doc["child"]["birth_date"])
    third = birth + relativedelta(years=3)
    out = []
    for e in doc["events"]:
        t, day = e["type"], date.fromisoformat(e["date"])
        if t == "referral_received":
            out += [
                day + timedelta(days=45),
                third - timedelta(days=90),
                third - relativedelta(months=9),
            ]
        elif t == "ifsp_meeting_held":
            out += [day + relativedelta(months=6), day + relativedelta(years=1)]
        elif t == "consent_for_evaluation":
            out.append(day + timedelta(days=60))
        elif t == "eligibility_determined":
            out.append(day + timedelta(days=30))
        elif t in ("iep_meeting_held", "iep_review_held"):
            out.append(day + relativedelta(years=1))
        elif t == "evaluation_completed":
            out.append(day + relativedelta(years=3))
    return out


def print_opcodes(engine, ruleset, docs: list[dict]) -> None:
    """Python opcodes and calls per case for loading and for evaluating (deterministic).

    Wall and CPU times on a shared machine move by 2x between runs; the work done
    does not. Opcodes leave out the time spent inside C (date arithmetic, dict
    look-ups), so compare them between two versions of the code, not with a time.
    """
    import sys

    evaluator = engine.compile(ruleset, AS_OF)
    for doc in docs[:50]:  # every cache warm, as in a long run
        evaluator.evaluate(engine.case_from_dict(doc))
    count = {"opcode": 0, "call": 0}

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event in count:
            count[event] += 1
        return tracer

    def measure(step) -> tuple[float, float]:
        count["opcode"] = count["call"] = 0
        sys.settrace(tracer)
        try:
            step()
        finally:
            sys.settrace(None)
        return count["opcode"] / len(docs), count["call"] / len(docs)

    cases = [engine.case_from_dict(doc) for doc in docs]
    load = measure(lambda: [engine.case_from_dict(doc) for doc in docs])
    evaluate = measure(lambda: [evaluator.evaluate(case) for case in cases])
    print(f"cases: {len(docs):,}; Python opcodes (Python calls) per case:")
    print(f"  load through the converter: {load[0]:8,.0f} ({load[1]:,.0f})")
    print(f"  evaluate (determination):   {evaluate[0]:8,.0f} ({evaluate[1]:,.0f})")
    print(
        f"  load + evaluate:            {load[0] + evaluate[0]:8,.0f} ({load[1] + evaluate[1]:,.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of cases (default 100000)")
    parser.add_argument("--seed", type=int, default=5, help="random seed")
    parser.add_argument(
        "--profile", action="store_true", help="print the top of a cProfile of the engine run"
    )
    parser.add_argument(
        "--opcodes",
        action="store_true",
        help="count the Python opcodes and calls per case instead of timing (the same on "
        "a busy machine as on an idle one; use --n 200)",
    )
    args = parser.parse_args()

    rnd = random.Random(args.seed)
    docs = [make_case(i, rnd) for i in range(args.n)]
    # The generated files stay alive for the whole run: move them out of the cyclic
    # garbage collector's view, or every full collection walks millions of objects
    # and the engine looks slower the bigger the caseload (a bulk run should do the same).
    gc.collect()
    gc.freeze()
    engine = Engine(entry_points=False)
    ruleset = engine.rulesets.get("us")
    engine.evaluate(engine.case_from_dict(docs[0]), ruleset, AS_OF)  # warm caches and imports

    def run_engine():
        clocks = findings = 0
        for doc in docs:
            det = engine.evaluate(engine.case_from_dict(doc), ruleset, AS_OF)
            clocks += len(det.clocks)
            findings += len(det.findings)
        return clocks, findings

    if args.opcodes:
        print_opcodes(engine, ruleset, docs)
        return

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        run_engine()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return

    # Wall time is what a user waits; CPU time (this process only) is steadier on a
    # shared machine, so compare runs by it.
    t0, c0 = time.perf_counter(), time.process_time()
    clocks, findings = run_engine()
    engine_s, engine_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0 = time.perf_counter()
    for doc in docs:
        engine.case_from_dict(doc)
    load_s = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    dates = sum(len(plain_clock_dates(doc)) for doc in docs)
    plain_s, plain_cpu = time.perf_counter() - t0, time.process_time() - c0

    print(
        f"cases: {args.n:,} (seed {args.seed}); clocks: {clocks:,}; findings: {findings:,}; plain dates: {dates:,}"
    )
    print(
        f"engine (load through converter + full determination with explanations): {args.n / engine_s:,.0f} cases/s ({engine_s / args.n * 1e6:.1f} us/case)"
    )
    print(
        f"plain-Python loop (clock dates only):                                    {args.n / plain_s:,.0f} cases/s ({plain_s / args.n * 1e6:.1f} us/case)"
    )
    print(
        f"  of which loading through the converter alone:                          {load_s / args.n * 1e6:.1f} us/case"
    )
    print(f"ratio engine/plain: {engine_s / plain_s:.1f}x (aim: within 5x)")
    print(
        f"CPU time: engine {engine_cpu / args.n * 1e6:.1f} us/case, plain {plain_cpu / args.n * 1e6:.1f} us/case, ratio {engine_cpu / plain_cpu:.1f}x"
    )


if __name__ == "__main__":
    main()
