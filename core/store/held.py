"""Evaluations an import made while it checked its records, held until it writes them.

An import evaluates each new or changed case in the process that checked it, from
the model it had just loaded (`chunks.validate_chunk`), instead of reading the
stored document back and loading it again. The determinations are still written
the way `evaluate` writes those of any list of cases (after every record is
stored, in case-id order, in the same parts and with the same audit entries), so
the caseload holds exactly what evaluating the stored cases gives.

Until then an evaluation made in this process is kept as it is (up to
`IN_MEMORY` of them), and one a worker sent, packed (`chunks.pack_evaluation`: marshal of
its fields), waits as those bytes in a
temporary file (in memory up to `SPOOL_BYTES`), as do those made here past
`IN_MEMORY`: memory stays flat in the number of cases, and the file goes with
the import, whether it commits, is refused or is interrupted.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from ..chunks import pack_evaluation, unpack_evaluation

#: Bytes of packed evaluations held in memory before they go to a temporary file
#: (about 5,000 cases at some 3 KB each).
SPOOL_BYTES = 16 << 20
#: Evaluations made in this process kept unpacked (about 6 KB each): every one of an
#: import too small to start workers for (fewer than MIN_CHUNKS chunks of CHUNK records).
IN_MEMORY = 2000


class HeldOutcomes:
    """Evaluations by case id; `map` gives them back as `evaluate_chunk_stable` would."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        self._end = 0
        self._where: dict[str, tuple[int, int]] = {}
        self._kept: dict[str, Any] = {}

    def __enter__(self) -> HeldOutcomes:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()
        self._where.clear()
        self._kept.clear()

    def put(self, case_id: str, evaluated: Any) -> None:
        """Hold one case's evaluation (`chunks.evaluation`: packed by a worker, or not)."""
        if not isinstance(evaluated, bytes):
            if len(self._kept) < IN_MEMORY:
                self._kept[case_id] = evaluated
                return
            evaluated = pack_evaluation(evaluated)
        self._file.seek(self._end)
        self._file.write(evaluated)
        self._where[case_id] = (self._end, len(evaluated))
        self._end += len(evaluated)

    def map(
        self, chunks: Iterable[tuple[date, list[tuple[str, object]]]]
    ) -> Iterator[tuple[tuple, list[tuple]]]:
        """(chunk, [(case id, message or None, Outcome or None), ...]) for each chunk of
        `evaluate`, each case's evaluation taken (and let go) in the chunk's order.

        The DateNotCovered that refuses the run is raised where its case comes, as
        evaluating the chunk would raise it.
        """
        for chunk in chunks:
            yield chunk, [(case_id, *self._take(case_id)) for case_id, _ in chunk[1]]

    def _take(self, case_id: str) -> tuple:
        value = self._kept.pop(case_id, None)
        if value is None:
            offset, size = self._where.pop(case_id)
            self._file.seek(offset)
            value = unpack_evaluation(self._file.read(size))
        if isinstance(value, BaseException):
            raise value
        return value
