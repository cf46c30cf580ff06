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
"""

from __future__ import annotations

import collections
import importlib
import itertools
import multiprocessing
import os
import types
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import attrs

#: Chunks seen before worker processes are started: fewer are not worth starting them for
#: (a spawned worker costs about a second of start-up, importing and building the engine).
MIN_CHUNKS = 3

#: The engine a worker process uses (built once by `_start_worker`).
_WORKER_ENGINE = None


def default_jobs() -> int:
    """Worker processes for bulk work: $EIRULES_JOBS, else the CPU count (at most 4)."""
    text = os.environ.get("EIRULES_JOBS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    return max(1, min(os.cpu_count() or 1, 4))


@attrs.frozen
class EngineRecipe:
    """What a worker process needs to build the same engine again."""

    plugins: tuple[tuple[str, str], ...]  # (registered name, module name), in order
    ruleset_folders: tuple[str, ...]
    calendars_folder: str | None
    #: The engine's version as the command's engine names it (eirules and each plugin
    #: distribution with its version): modules registered by name carry no distribution.
    version: str

    @classmethod
    def of(cls, engine) -> EngineRecipe | None:
        """The recipe of an engine, or None when a plugin is not an importable module."""
        plugins = []
        for name, plugin in engine.pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            if not isinstance(plugin, types.ModuleType):
                return None
            plugins.append((name, plugin.__name__))
        folder = engine.calendars.folder
        return cls(
            tuple(plugins),
            tuple(str(p) for p in engine.rulesets.folders),
            str(folder) if folder is not None else None,
            engine.version,
        )

    def build(self):
        from ..engine import Engine
        from ..plugin_manager import get_plugin_manager

        pm = get_plugin_manager(entry_points=False, builtins=False)
        for name, module in self.plugins:
            pm.register(importlib.import_module(module), name=name)
        # The folders already hold $EIRULES_RULESETS_PATH's, the plugins' and the
        # built-in one, in priority order; Engine adds them again after, which changes nothing.
        engine = Engine(
            pm=pm, ruleset_dirs=self.ruleset_folders, calendars_dir=self.calendars_folder
        )
        engine.version = self.version
        return engine


def _start_worker(recipe: EngineRecipe) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = recipe.build()


def _in_worker(fn: Callable, chunk):
    return fn(_WORKER_ENGINE, chunk)


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
        if self.jobs <= 1:
            return False
        recipe = EngineRecipe.of(self.engine)
        if recipe is None:
            return False
        self.pool = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(recipe,),
        )
        return True

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        """(chunk, fn(engine, chunk)) for each chunk, in the order given."""
        it = iter(chunks)
        head = list(itertools.islice(it, MIN_CHUNKS))
        if len(head) < MIN_CHUNKS or not self._start():
            for chunk in itertools.chain(head, it):
                yield chunk, fn(self.engine, chunk)
            return
        pool = self.pool
        assert pool is not None  # _start() made it
        pending: collections.deque = collections.deque()
        for chunk in itertools.chain(head, it):
            pending.append((chunk, pool.submit(_in_worker, fn, chunk)))
            if len(pending) >= 2 * self.jobs:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
