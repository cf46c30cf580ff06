"""Explanations as data: a sentence kept as its template and the values it names.

A rule's finding holds its rule id, the numbers and parameter values it used and
its citation; the sentence saying so is rendered from them only when someone reads
it (printed, serialised, compared). `Prose` is that sentence before rendering:
a `str.format` template and the values for its fields, so a program can read the
values (`finding.prose.values`) without parsing text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


def _values(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


@attrs.frozen
class Prose:
    """A sentence as data: `template.format_map(values)` when rendered."""

    template: str
    values: dict[str, Any] = attrs.field(factory=dict, converter=_values, hash=False)

    def __str__(self) -> str:
        return self.template.format_map(self.values)


def prose(template: str, **values: Any) -> Prose:
    """`Prose(template, values)` with the values as keywords."""
    return Prose(template, values)
