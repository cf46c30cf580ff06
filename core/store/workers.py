"""Worker processes for bulk imports and evaluations: spawned, so Linux, macOS and Windows alike.

A worker is a fresh interpreter (the `spawn` start method, the only one every
platform has): it rebuilds the engine once from a picklable `EngineRecipe` (the
plugin modules in registration order, the ruleset folders, the calendars folder)
and then maps a chunk function over the chunks it is sent. At most 2 chunks per
worker are in flight, so memory stays flat at any caseload size; chunks are made
in the calling thread (it owns the database connection) and results come back
in the order the chunks were sent, so a run gives the same rows in the same order
with any number of workers.

An engine that cannot be rebuilt in another process (a plugin registered as an
object rather than an importable module, as tests do) runs in this process.

What a worker imports and runs is in `core/chunks.py`, outside this package, so
a worker never imports the store (sqlite-utils and pandas: most of its start-up).
One `_Workers` may map several chunk functions in turn (an import's checks, then
the evaluation of what it stored): its processes are started once and kept until
it closes.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from ..chunks import EngineRecipe, in_worker, start_worker

#: Chunks seen before worker processes are started: fewer are not worth starting them for
#: (a spawned worker costs about a second of start-up, importing and building the engine).
MIN_CHUNKS = 3


def default_jobs() -> int:
    """Worker processes for bulk work: $EIRULES_JOBS, else the CPU count (at most 4)."""
    text = os.environ.get("EIRULES_JOBS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, min(os.cpu_count() or 1, 4))


class _Workers:
    """Maps a chunk function over chunks, in order, in spawned workers or in-process."""

    def __init__(self, engine, jobs: int):
        self.engine = engine
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            # On an error or an interrupt, chunks not started are dropped, not run.
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _start(self) -> bool:
        if self.pool is not None:  # started by an earlier map: the same processes
            return True
        if self.jobs <= 1:
            return False
        recipe = EngineRecipe.of(self.engine)
        if recipe is None:
            return False
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=start_worker,
            initargs=(recipe,),
        )
        return True

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        """(chunk, fn(engine, chunk)) for each chunk, in the order given."""
        it = iter(chunks)
        head = list(itertools.islice(it, MIN_CHUNKS))
        if (self.pool is None and len(head) < MIN_CHUNKS) or not self._start():
            for chunk in itertools.chain(head, it):
                yield chunk, fn(self.engine, chunk)
            return
        pool = self.pool
        assert pool is not None  # _start() made it
        pending: collections.deque = collections.deque()
        for chunk in itertools.chain(head, it):
            pending.append((chunk, pool.submit(in_worker, fn, chunk)))
            if len(pending) >= 2 * self.jobs:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
