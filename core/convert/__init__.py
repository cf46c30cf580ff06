"""The one cattrs converter: case files (JSON) to models and back.

Lenient at the edge (a date may be an ISO string), strict inside: numbers are
not strings, strings are not numbers, and unknown keys are errors. Every
problem is reported at once with its JSON path.

The package: ``hooks`` (the converter and its structure and unstructure hooks),
``problems`` (errors as problems with paths; `structure`, `unstructure`),
``case_files`` (case-file documents) and ``determinations`` (their JSON shape).
Import from here.
"""

from ..jsonio import parse_json as parse_json  # the one JSON reader, re-exported
from ..jsonio import read_json as read_json
from .case_files import (
    CASE_KEYS,
    CHILD_KEYS,
    FAST_CASE,
    SCHEMA,
    Sections,
    canonical_text,
    case_from_dict,
    case_to_dict,
    entry_problems,
    event_programs,
)
from .determinations import determination_from_dict, determination_json, determination_to_dict
from .hooks import MODELS, converter
from .problems import structure, unstructure

__all__ = [
    "CASE_KEYS",
    "CHILD_KEYS",
    "FAST_CASE",
    "MODELS",
    "SCHEMA",
    "Sections",
    "canonical_text",
    "case_from_dict",
    "case_to_dict",
    "converter",
    "determination_from_dict",
    "determination_json",
    "determination_to_dict",
    "entry_problems",
    "event_programs",
    "parse_json",
    "read_json",
    "structure",
    "unstructure",
]
