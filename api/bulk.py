"""Evaluating a partitioned caseload past one machine: Dask over JSON Lines or Parquet parts.

A national run does not go through one caseload database: the caseload is
exported as partitions (JSON Lines files with one case document a line, or
Parquet files with the documents in a `document` column), each partition is
evaluated where a Dask worker runs it, and each writes its determinations to a
file of its own in the output folder (JSON Lines, one determination a line, in
the partition's order; the same JSON `eirules check --format json` and the store
write). Nothing is half-written: a partition's file is written beside its name
and renamed when whole. `evaluate_partitions` returns the counts and the cases
that could not be evaluated.

    from eirules.bulk import evaluate_partitions
    report = evaluate_partitions(["part-0.jsonl", "part-1.jsonl"], "out/", as_of=date(2026, 3, 2))

Dask is an optional extra (``pip install "eirules[dask]"``). Without a
`scheduler` a `LocalCluster` is started on this machine (`workers` processes);
give a scheduler's address (``tcp://10.0.0.5:8786``) to use an agency's cluster,
or ``"synchronous"`` to run every partition in this process (for checking).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from eirules.core.chunks import EngineRecipe
from eirules.core.convert import determination_to_dict
from eirules.core.engine import Engine
from eirules.core.errors import EirulesError, InputError, Problem
from eirules.core.jsonio import iter_records
from eirules.core.private_files import make_private_folder, open_private

#: Suffixes of the partitions this reads.
JSON_LINES = (".jsonl", ".ndjson")
PARQUET = (".parquet", ".pq")
#: Failures listed per partition in the report (the rest are counted).
FAILURES_KEPT = 100


@attrs.frozen
class PartitionResult:
    """What one partition gave: its output file, counts, and the first failures."""

    source: str
    output: str
    cases: int
    failed: int
    failures: tuple[tuple[str, str], ...]


@attrs.frozen
class BulkReport:
    """Every partition's result, in the order the partitions were given."""

    as_of: date
    partitions: tuple[PartitionResult, ...]

    @property
    def cases(self) -> int:
        return sum(p.cases for p in self.partitions)

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.partitions)


def partitions_in(paths: Iterable[str | Path]) -> list[Path]:
    """The partition files named, or inside the named folders, in name order."""
    found: list[Path] = []
    problems = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in JSON_LINES + PARQUET)
            if not inside:
                problems.append(
                    Problem(str(path), "no .jsonl or .parquet partitions", "check the folder")
                )
            found.extend(inside)
        elif path.is_file() and path.suffix.lower() in JSON_LINES + PARQUET:
            found.append(path)
        else:
            problems.append(
                Problem(str(path), "not a .jsonl or .parquet file or a folder", "check the path")
            )
    if problems:
        raise InputError("cannot read the partitions", problems)
    return found


def _documents(path: Path) -> Iterator[tuple[str, Any]]:
    """(label, document or InputError) for each case of one partition, read as it goes."""
    if path.suffix.lower() in PARQUET:
        import pyarrow.parquet as pq

        from .core.jsonio import parse_json

        table = pq.ParquetFile(path)
        if "document" not in table.schema_arrow.names:
            raise InputError(
                f"{path} has no document column",
                [Problem("document", "missing", "write each case's JSON into a document column")],
            )
        number = 0
        for batch in table.iter_batches(columns=["document"], batch_size=2000):
            for text in batch.column(0).to_pylist():
                number += 1
                try:
                    yield f"row {number}", parse_json(text or "", source=f"{path}, row {number}")
                except InputError as exc:
                    yield f"row {number}", exc
        return
    for number, _, value in iter_records(path):
        yield f"line {number}", value


_ENGINES: dict[EngineRecipe, Engine] = {}


def _engine(recipe: EngineRecipe) -> Engine:
    """The engine of a recipe, built once per worker process."""
    engine = _ENGINES.get(recipe)
    if engine is None:
        engine = _ENGINES[recipe] = recipe.build()
    return engine


def evaluate_partition(recipe: EngineRecipe, source: str, output: str, as_of: date):
    """Evaluate one partition and write its determinations (run on a Dask worker)."""
    engine = _engine(recipe)
    path = Path(output)
    cases = failed = 0
    failures: list[tuple[str, str]] = []
    with open_private(path) as out:  # determinations hold children's data: owner only
        for label, document in _documents(Path(source)):
            cases += 1
            try:
                if isinstance(document, InputError):
                    raise document
                case = engine.case_from_dict(document, source=f"{source}, {label}")
                result = determination_to_dict(engine.evaluate(case, None, as_of))
            except EirulesError as exc:
                failed += 1
                if len(failures) < FAILURES_KEPT:
                    failures.append((label, str(exc)))
                continue
            out.write(json.dumps(result, separators=(",", ":"), ensure_ascii=False) + "\n")
    return PartitionResult(source, output, cases, failed, tuple(failures))


def evaluate_partitions(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    as_of: date,
    engine: Engine | None = None,
    scheduler: str | None = None,
    workers: int = 2,
) -> BulkReport:
    """Evaluate every partition on a Dask cluster; one determinations file per partition.

    `scheduler`: a Dask scheduler's address, ``"synchronous"`` (this process), or
    None for a `LocalCluster` of `workers` processes on this machine. The
    output of partition ``NAME.jsonl`` (or ``NAME.parquet``) is
    ``out/NAME.determinations.jsonl``.
    """
    parts = partitions_in(paths)
    folder = Path(out)
    make_private_folder(folder)
    engine = engine or Engine()
    recipe = EngineRecipe.of(engine)
    if recipe is None:
        raise EirulesError(
            "this engine cannot be rebuilt on a Dask worker: a plugin is not an importable module"
        )
    jobs = [
        (str(p.resolve()), str((folder / (p.stem + ".determinations.jsonl")).resolve()))
        for p in parts
    ]
    if scheduler == "synchronous":
        results = [evaluate_partition(recipe, src, dst, as_of) for src, dst in jobs]
        return BulkReport(as_of, tuple(results))
    with dask_client(scheduler, workers) as client:
        futures = client.map(
            evaluate_partition,
            [recipe] * len(jobs),
            [src for src, _ in jobs],
            [dst for _, dst in jobs],
            [as_of] * len(jobs),
            pure=False,
        )
        results = client.gather(futures)
    return BulkReport(as_of, tuple(results))


#: Seconds to wait for a Dask scheduler given by its address before saying it cannot be reached.
CONNECT_TIMEOUT = 20


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: on the scheduler at `scheduler`, or on a new LocalCluster of `workers`.

    The one place eirules starts or reaches a cluster; a missing extra or a scheduler
    that does not answer is an `EirulesError` saying what to do, never a traceback.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise EirulesError(
            "Dask is not installed",
            [
                Problem(
                    "--engine dask",
                    "the dask extra is not installed in this environment",
                    'pip install "eirules[dask]"',
                )
            ],
        ) from None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=max(1, workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        what = (
            f"not a scheduler address ({exc})"
            if isinstance(exc, ValueError)
            else f"no answer within {CONNECT_TIMEOUT} s ({exc.__class__.__name__})"
        )
        raise EirulesError(
            f"cannot reach the Dask scheduler at {scheduler}",
            [
                Problem(
                    "--scheduler",
                    what,
                    "give the address the scheduler prints (tcp://HOST:8786), "
                    "or leave --scheduler out for a cluster on this machine",
                )
            ],
        ) from None
    with client:
        yield client


def _chunk_on_worker(recipe: EngineRecipe, fn: Callable, chunk: Any) -> Any:
    return fn(_engine(recipe), chunk)


class DaskWorkers:
    """Maps a chunk function over chunks on a Dask cluster, results in the order given.

    The same contract as the store's process pool (`Store.evaluate(workers=...)`):
    `map(fn, chunks)` yields `(chunk, fn(engine, chunk))`, where each Dask worker
    builds the engine once from its recipe. At most two chunks per worker thread
    are in flight, so memory stays flat however large the caseload.
    """

    def __init__(self, scheduler: str | None = None, workers: int = 2):
        self.scheduler = scheduler
        self.workers = workers

    def __call__(self, engine: Engine, jobs: int) -> _DaskRun:
        recipe = EngineRecipe.of(engine)
        if recipe is None:
            raise EirulesError(
                "this engine cannot be rebuilt on a Dask worker: a plugin is not an "
                "importable module"
            )
        return _DaskRun(recipe, dask_client(self.scheduler, self.workers))


_NONE = object()


def _result(future: Any) -> Any:
    """A chunk's result; a worker lost or a task that failed on the cluster is an EirulesError
    (nothing of the chunk is stored, the chunks stored before it stay)."""
    try:
        return future.result()
    except EirulesError:
        raise
    except Exception as exc:
        raise EirulesError(
            "the Dask cluster could not evaluate a chunk of cases",
            [
                Problem(
                    "--engine dask",
                    f"{exc.__class__.__name__}: {exc}",
                    "check the workers' logs; the chunks stored before it are kept, and "
                    "running the command again evaluates only what is left",
                )
            ],
        ) from exc


class _DaskRun:
    """One run's cluster, reached (or started) when the first chunk is sent: a run whose
    cases are all current sends none and starts nothing."""

    def __init__(self, recipe: EngineRecipe, client_cm):
        self.recipe = recipe
        self._cm = client_cm
        self.client = None

    def __enter__(self) -> _DaskRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.client is not None:
            self.client = None
            self._cm.__exit__(*exc)

    def map(self, fn: Callable, chunks: Iterable) -> Iterator:
        it = iter(chunks)
        first = next(it, _NONE)
        if first is _NONE:
            return
        if self.client is None:
            self.client = self._cm.__enter__()
        client = self.client
        chunks = itertools.chain([first], it)
        slots = 2 * max(1, sum(client.nthreads().values()))
        recipe = client.scatter(self.recipe, broadcast=True)
        pending: collections.deque = collections.deque()
        try:
            for chunk in chunks:
                pending.append(
                    (chunk, client.submit(_chunk_on_worker, recipe, fn, chunk, pure=False))
                )
                if len(pending) >= slots:
                    done, future = pending.popleft()
                    yield done, _result(future)
            while pending:
                done, future = pending.popleft()
                yield done, _result(future)
        finally:
            for _, future in pending:  # an error or an interrupt: chunks not started are dropped
                future.cancel()


# The columnar path: the commonest clocks of a whole caseload at once (numpy) ----------------


def clock_table(
    docs: Sequence[dict[str, Any]],
    *,
    as_of: date,
    ruleset: str = "us",
    engine: Engine | None = None,
):
    """The 45-day, initial evaluation and initial IEP meeting clocks of every case, columnar.

    Cases of the plainest shape are computed over numpy columns; every other case is
    evaluated by the per-case engine (same rows as its determination's `clocks[]`).
    Returns an `eirules.plugins.columnar.ClockTable` (`rows()`, `columnar`,
    `fallback`, `failures`). The documents are case files as the store holds them.
    """
    from .plugins import columnar
    from .plugins.part_b import columnar as part_b
    from .plugins.part_c import columnar as part_c

    return columnar.clock_table(
        docs,
        engine=engine or Engine(),
        ruleset=ruleset,
        as_of=as_of,
        programs=[
            (part_c.TYPES, part_c.clocks, part_c.CLOCKS),
            (part_b.TYPES, part_b.clocks, part_b.CLOCKS),
        ],
    )
