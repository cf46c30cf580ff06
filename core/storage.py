"""Kept so `from eirules.core.storage import Store` still works: the store is `eirules.core.store`."""

from .store import *  # noqa: F403
from .store import __all__  # noqa: F401
