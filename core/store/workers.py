"""Worker processes for bulk imports and evaluations (forked, at most 2 chunks each in flight)."""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

#: The engine a forked worker uses (inherited from the parent at fork time).
_WORKER_ENGINE = None


def default_jobs() -> int:
    """Worker processes for bulk work: $EIRULES_JOBS, else the CPU count (at most 4)."""
    text = os.environ.get("EIRULES_JOBS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, min(os.cpu_count() or 1, 4))


class _Workers:
    """Maps a chunk function over chunks, in order, in forked workers or in-process.

    At most 2 chunks per worker are in flight, so memory stays flat at any
    caseload size; chunks are produced in the calling thread (it owns the
    database connection).
    """

    def __init__(self, engine, jobs: int):
        self.engine = engine
        self.jobs = jobs
        self.pool: Pool | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def _start(self) -> bool:
        if self.jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return False
        global _WORKER_ENGINE
        _WORKER_ENGINE = self.engine
        self.pool = multiprocessing.get_context("fork").Pool(self.jobs)
        return True

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        it = iter(chunks)
        head = [c for c in (next(it, None), next(it, None)) if c is not None]
        # One chunk is not worth starting processes for.
        if len(head) < 2 or not self._start():
            for chunk in itertools.chain(head, it):
                yield chunk, fn(self.engine, chunk)
            return
        pool = self.pool
        assert pool is not None  # _start() made it
        pending: collections.deque = collections.deque()
        for chunk in itertools.chain(head, it):
            pending.append((chunk, pool.apply_async(_in_worker, (fn, chunk))))
            if len(pending) >= 2 * self.jobs:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def _in_worker(fn: Callable, chunk):
    return fn(_WORKER_ENGINE, chunk)
