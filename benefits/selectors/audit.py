"""Reading the audit trail of entries, wherever their changes were recorded.

A single write records one event per entry (`object_type="entry"`). An import records one
event per benefit line and import (ADR 0058): `object_type="benefit"`, action
FIGURES_IMPORTED, and `changes` keyed by cell, `{"2025-04 plan": [old, new], "2025-04 plan
value_gbp": [old, new]}`. Everything that asks "what happened to this entry" (the history page,
the audit API) reads both through here; no rule reads the audit trail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Q

FIGURES_IMPORTED = "benefits.benefit.figures_imported"
VALUE_SUFFIX = " value_gbp"


class Cell(NamedTuple):
    """An entry by its natural key, as line-level events name it."""

    id: int
    benefit_id: int
    period: str
    series: str


def cell_key(period: str, series: str) -> str:
    """The key of one cell in a line-level event's `changes`: '2025-04 plan'."""
    return f"{period} {series}"


def parse_cell_key(key: str) -> tuple[str, str] | None:
    """(period, series) of a quantity key; None for a value key or anything else."""
    period, _, series = key.partition(" ")
    if len(period) != 7 or not series or " " in series:
        return None
    return period, series


def entry_events(cells: Iterable[Cell], *, actions: Iterable[str] | None = None) -> Q:
    """The events of these entries: their own, and the imports that wrote their cells."""
    cells = list(cells)
    own = Q(object_type="entry", object_id__in=[str(c.id) for c in cells])
    if actions is not None:
        own &= Q(action__in=list(actions))
    keys: dict[int, set[str]] = defaultdict(set)
    for c in cells:
        keys[c.benefit_id].add(cell_key(c.period, c.series))
    condition = own
    for benefit_id, wanted in keys.items():
        condition |= Q(
            object_type="benefit", object_id=str(benefit_id), action=FIGURES_IMPORTED, changes__has_any_keys=sorted(wanted)
        )
    return condition


__all__ = ["FIGURES_IMPORTED", "VALUE_SUFFIX", "Cell", "cell_key", "entry_events", "parse_cell_key"]
