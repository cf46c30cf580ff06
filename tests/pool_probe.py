"""A chunk function for tests/test_pool.py that imports nothing of eirules itself.

A worker unpickles a chunk function by importing its module; the test modules
import the store, so the probe of what a worker has imported lives here.
"""

from __future__ import annotations

import sys


def heavy_modules(engine, chunk) -> list[str]:
    """The store's modules, sqlite-utils and pandas, if this process has imported them."""
    return sorted(
        name
        for name in sys.modules
        if name.startswith("eirules.core.store") or name in ("sqlite_utils", "pandas")
    )
