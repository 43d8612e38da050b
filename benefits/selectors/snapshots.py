"""What the pages say about stored rollup snapshots (services/snapshots.py takes them)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from benefits.models import RollupSnapshot


class SnapshotStamp(NamedTuple):
    taken_at: datetime
    trigger: str


def latest_snapshot_stamp(*, as_at: str) -> SnapshotStamp | None:
    """When the month's latest snapshot was taken and why, without its payload: the dashboard says
    whether its live figures have been snapshotted yet. One query on the (as_at, -taken_at) index."""
    row = RollupSnapshot.objects.filter(as_at=as_at).order_by("-taken_at", "-id").values_list("taken_at", "trigger").first()
    return SnapshotStamp(*row) if row else None
