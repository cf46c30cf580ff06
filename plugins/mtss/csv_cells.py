"""One CSV row read into an MTSS model with every problem of the row kept (plugins/mtss
csv_import.py): each cell's, each field's the model refuses, each with its column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from eirules.core.errors import ValueProblem

#: A cell that did not parse (its problem is kept): the field is left out of the model.
BAD = object()


class RowProblems(ValueError):
    """Every problem of one row: (column, what, expected)."""

    def __init__(self, problems: list[tuple[str, str, str | None]]):
        super().__init__("; ".join(what for _, what, _ in problems))
        self.problems = problems


class Cells:
    """One row's cells read into a model's fields, every problem of the row kept (each
    with its column) rather than only the first: a cell that does not parse, then every
    field the model's own validators refuse (the case file's checks and words: numbers
    finite and within bounds, text plain), then what the model says of the whole."""

    def __init__(self, row: dict):
        self.row = row
        self.problems: list[tuple[str, str, str | None]] = []  # (column, what, expected)

    def add(self, column: str, what: str, expected: str | None = None) -> None:
        self.problems.append((column, what, expected))

    def get(self, name: str, parse: Callable[[str], Any] | None = None, default: Any = None):
        """The cell `name` (None or `default` when empty), parsed; a problem is kept."""
        text = self.row.get(name)
        if not text:
            return default
        if parse is None:
            return text
        try:
            return parse(text)
        except ValueProblem as exc:
            self.add(name, exc.what, exc.fix)
        except ValueError as exc:
            self.add(name, str(exc))
        return BAD

    def build(self, cls: type, **fields: Any) -> Any:
        """The model of these fields; RowProblems with every problem of the row."""
        given = {k: v for k, v in fields.items() if v is not BAD}
        by_name = {a.name: a for a in attrs.fields(cls)}
        for name, value in given.items():
            field = by_name[name]
            if field.validator is None or (value is None and field.default is None):
                continue
            try:
                field.validator(None, field, value)
            except ValueProblem as exc:
                self.add(name, exc.what, exc.fix)
            except (ValueError, TypeError) as exc:
                self.add(name, str(exc))
        if self.problems:
            order = {column: i for i, column in enumerate(self.row)}  # the file's columns
            raise RowProblems(sorted(self.problems, key=lambda p: order.get(p[0], len(order))))
        try:
            return cls(**given)
        except (ValueError, TypeError) as exc:
            raise RowProblems([("", str(exc), None)]) from None
