"""What every benchmark measures with: CPU and wall time, peak memory, first rows, client rounds.

One place for the timing helpers the scripts in this folder share (each had its
own copy before). CPU time counts this process and its finished child processes
(worker pools), which a shared machine changes least; peak memory is this
process's resident high-water mark.

    from timing import Span, peak_mib
    with Span() as took:
        work()
    print(took.cpu, took.wall, peak_mib())
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


def cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def children_cpu() -> float:
    """CPU seconds of this process's finished children only (commands it ran)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def cpu_of(pid: int) -> float:
    """CPU seconds so far of another, running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib() -> float:
    """This process's peak resident memory, MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class Span:
    """Wall and CPU seconds of a `with` block (`.wall`, `.cpu`), read after it ends."""

    def __enter__(self) -> Span:
        self.wall = self.cpu = 0.0
        self._wall, self._cpu = time.perf_counter(), cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = cpu() - self._cpu

    @property
    def elapsed(self) -> float:
        """Wall seconds since the block started (while it runs)."""
        return time.perf_counter() - self._wall


def timed(fn: Callable[[], Any]) -> float:
    """CPU seconds one call of `fn` took."""
    with Span() as took:
        fn()
    return took.cpu


def best_of(fn: Callable[[], Any], rounds: int = 3) -> float:
    """The least CPU time of `rounds` calls of `fn` (the one the machine disturbed least)."""
    return min(timed(fn) for _ in range(rounds))


class FirstRow:
    """Counts rows passing through `.count(rows)` and the wall time to the first one."""

    def __init__(self) -> None:
        self.rows = 0
        self.first: float | None = None
        self._start = time.perf_counter()

    def count(self, rows: Iterable) -> Iterator:
        for row in rows:
            if self.first is None:
                self.first = time.perf_counter() - self._start
            self.rows += 1
            yield row


def to_devnull(fn: Callable[[], Any]) -> None:
    """Run `fn` with sys.stdout written to /dev/null (a listing measured, not shown)."""
    saved = sys.stdout
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        try:
            fn()
        finally:
            sys.stdout = saved


def client_rounds(
    clients: int, one: Callable[[int, threading.Event], int], seconds: float, pid: int
) -> tuple[float, float]:
    """Run `one(i, stop)` in `clients` threads for `seconds`; each returns its count.

    Returns (operations per second, CPU seconds of process `pid` per operation): the
    round loop of a server benchmark, with its clients' own cost left out.
    """
    counts = [0] * clients
    stop = threading.Event()

    def run(i: int) -> None:
        counts[i] = one(i, stop)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    used, start = cpu_of(pid), time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed, used = time.perf_counter() - start, cpu_of(pid) - used
    done = max(sum(counts), 1)
    return done / elapsed, used / done
