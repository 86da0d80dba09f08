"""Case files in: models, identifier checks, loading with diagnostics, and the relations graph."""

from __future__ import annotations

from zwcx_rules.facts.graph import Hop, RelationGraph
from zwcx_rules.facts.load import Facts, json_path, load_cases
from zwcx_rules.facts.models import (
    Assessment,
    CaseFile,
    Commitment,
    Determination,
    Event,
    Honor,
    Objection,
    Position,
    Rating,
    Rectification,
    Remedy,
    Stage,
    Subject,
    Tenure,
    Tolerance,
)
from zwcx_rules.identifiers import (
    id_number_check_char,
    id_number_is_valid,
    mask_id_number,
    mask_if_id_number,
    uscc_check_char,
    uscc_is_valid,
)

__all__ = [
    "Assessment", "CaseFile", "Commitment", "Determination", "Event", "Facts", "Honor", "Hop",
    "Objection", "Position", "Rating", "Rectification", "RelationGraph", "Remedy", "Stage",
    "Subject", "Tenure", "Tolerance", "id_number_check_char", "id_number_is_valid",
    "json_path", "load_cases", "mask_id_number", "mask_if_id_number", "uscc_check_char",
    "uscc_is_valid",
]
