"""Fewer garbage collections while a caseload's cases are imported or evaluated.

CPython collects its youngest objects every 700 net allocations of container
objects (allocations less those freed), and every generation now and then. An
import of 10,000 cases ran 615 young, 56 middle and 5 full collections, about
90-115 us of a case's 1,300-1,600 us of CPU, and found next to nothing: a
case's objects are freed by reference counting as soon as it is written. While
`bulk()` is open the youngest generation is collected every `BULK_THRESHOLD`
net allocations instead (3 collections for the same import, about 13 us a
case); the other thresholds stay. A cycle of garbage waits a little longer,
which costs a few megabytes at most.

The thresholds belong to the process: the first `bulk()` to open sets them, the
last to close puts back what it found (unless someone set others meanwhile),
so nested uses (an import evaluating what it wrote) and threads agree. A worker
process (core/chunks.py) keeps `BULK_THRESHOLD` for its whole life: evaluating
chunks is all it does.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Net container allocations between collections of the youngest generation in bulk
#: work (CPython's default is 700).
BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_open = 0
_found: tuple[int, ...] | None = None  # the thresholds the first bulk() found


def use_bulk_threshold() -> None:
    """Collect the youngest generation every `BULK_THRESHOLD` net allocations from now
    on, unless collection is off (a threshold of 0) or already rarer."""
    first, *rest = gc.get_threshold()
    if 0 < first < BULK_THRESHOLD:
        gc.set_threshold(BULK_THRESHOLD, *rest)


@contextmanager
def bulk() -> Iterator[None]:
    """Bulk work inside: fewer collections of the youngest generation (see the module)."""
    global _open, _found
    with _lock:
        if _open == 0:
            _found = gc.get_threshold()
            use_bulk_threshold()
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0 and _found is not None:
                now = gc.get_threshold()
                if now[0] == BULK_THRESHOLD and now[1:] == _found[1:]:  # still ours
                    gc.set_threshold(*_found)
                _found = None
