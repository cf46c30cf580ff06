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

Ctrl-C: a terminal sends SIGINT to the whole process group, workers included.
Only the calling process acts on it: a worker is started with SIGINT blocked
(`_interrupts_held`, POSIX) and ignores it from its first line (`start_worker`),
so it never dies mid-chunk with a traceback or holding a queue's lock. The
KeyboardInterrupt reaches the caller, and leaving the `with` block on it (or on
any error) drops the chunks not started and stops the workers: they are given
`STOP_GRACE` seconds to leave, then terminated, then killed, so the command
exits promptly and leaves no process behind.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from ..chunks import EngineRecipe, in_worker, start_worker

#: Chunks seen before worker processes are started: fewer are not worth starting them for
#: (a spawned worker costs about a second of start-up, importing and building the engine).
MIN_CHUNKS = 3

#: Seconds workers get to leave on their own after an error or an interrupt before
#: they are terminated (they only compute: nothing of theirs is lost), then killed.
STOP_GRACE = 1.0


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

    def __exit__(self, exc_type, exc, tb) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if exc_type is None:
            pool.shutdown(wait=True, cancel_futures=True)  # a map left early: drop the rest
            return
        # An error or an interrupt: the chunks not started are dropped, and the
        # workers stopped without waiting for the chunks they are running.
        processes = list((pool._processes or {}).values())  # shutdown() forgets them
        manager = pool._executor_manager_thread
        pool.shutdown(wait=False, cancel_futures=True)
        _stop(processes)
        if manager is not None:
            # It notices the workers gone and closes its pipes; at exit the interpreter
            # would otherwise write to one it is closing (Bad file descriptor, CPython 3.11).
            manager.join(10 * STOP_GRACE)

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
            with _interrupts_held():  # submit() may start a worker
                future = pool.submit(in_worker, fn, chunk)
            pending.append((chunk, future))
            if len(pending) >= 2 * self.jobs:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """A Ctrl-C held back until the block ends: a worker starts whole, with SIGINT blocked.

    A spawned process inherits the signal mask, so a Ctrl-C while it starts up
    (importing, before `start_worker` ignores SIGINT) waits instead of raising
    KeyboardInterrupt in it (Windows has no signal masks: there a worker ignores
    SIGINT from `start_worker` on). In this process the KeyboardInterrupt is
    raised when the block ends, not between starting a worker and the pool
    noting it (a worker nobody stops, which the interpreter waits for at exit).
    """
    masked = hasattr(signal, "pthread_sigmask")
    if masked:
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    held: list = []
    main = threading.current_thread() is threading.main_thread()
    if main:
        old_handler = signal.signal(signal.SIGINT, lambda *args: held.append(args))
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        if main:
            signal.signal(signal.SIGINT, old_handler)
            if held and callable(old_handler):
                old_handler(*held[0])


def _stop(processes: list) -> None:
    """Wait `STOP_GRACE` seconds for the workers to leave, then terminate, then kill them."""
    try:
        _wait(processes, STOP_GRACE)
    finally:  # even when a second Ctrl-C cuts the wait short
        for process in processes:
            if process.is_alive():
                process.terminate()
        _wait(processes, 10 * STOP_GRACE)
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()


def _wait(processes: list, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
