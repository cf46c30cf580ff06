"""Benchmark: cold start of `eirules check` on one case versus `python -c pass`.

Runs each command N times in fresh processes, alternating them so both see the
same machine load, and prints the median and best wall time of each and their
ratio. The target (issue 16) is `eirules check` under 300 ms wall time on the
2-core CI machine. Figures only: no assertions (tests never time anything).

    python benchmarks/startup.py            # 15 runs each
    python benchmarks/startup.py --runs 30 --case examples/pc-infant.json

The commands run with PYTHONDONTWRITEBYTECODE removed from their environment, so
the warm-up run writes the .pyc files an installed package has (pip compiles
them at install): with it set and no .pyc on disk, every run would compile
eirules from source and the figure would say nothing about start-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import children_cpu  # noqa: E402

CPU: dict[str, list[float]] = {}


#: The children's environment: an installed package has its bytecode (see the docstring).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(cmd: list[str]) -> float:
    """Wall time of one run; its CPU time (user + system) is kept in CPU, by command."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT, env=ENV
    )
    elapsed = time.perf_counter() - start
    CPU.setdefault(" ".join(cmd), []).append(children_cpu() - cpu)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Runs of each command.")
    parser.add_argument("--case", default="examples/mo-0001.json", help="Case file to check.")
    args = parser.parse_args()
    script = shutil.which("eirules") or str(Path(sys.executable).parent / "eirules")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "eirules --version": [script, "--version"],
        f"eirules check {args.case}": [script, "check", args.case, "--as-of", "2026-02-01"],
    }
    for cmd in commands.values():  # warm the OS file cache and write .pyc files
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    base = statistics.median(times["python -c pass"])
    # CPU time is what the machine's load changes least: on a busy shared machine read
    # it beside the wall time.
    print(f"{'command':42} {'median ms':>10} {'best ms':>9} {'x python':>9} {'CPU ms':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        cpu = statistics.median(CPU[" ".join(commands[name])])
        print(
            f"{name:42} {median * 1000:10.0f} {min(values) * 1000:9.0f} {median / base:9.1f}"
            f" {cpu * 1000:7.0f}"
        )
    check = statistics.median(times[f"eirules check {args.case}"])
    verdict = "meets" if check < 0.300 else "misses"
    print(f"eirules check: {check * 1000:.0f} ms median, {verdict} the 300 ms target")


if __name__ == "__main__":
    main()
