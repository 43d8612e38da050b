"""Taking rollup snapshots: every grouping and each target's progress, stored whole or not at all."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from benefits.finance.calendar import FinancialYear
from benefits.models import RollupSnapshot, User
from benefits.models.choices import SnapshotTrigger
from benefits.selectors.rollups import compute_all_rollups
from benefits.selectors.targets import all_target_progress

from . import audit
from .common import clean_period

PAYLOAD_VERSION = 1


def snapshot_payload(*, as_at: str) -> dict:
    """The figures a snapshot stores (and a board pack prints): JSON of Decimal strings.

    {"payload_version", "fy", "as_at", "rollups": {"none"|grouping: Rollup.as_json()},
     "targets": [TargetProgress.as_json()]}
    """
    fy = FinancialYear.of(as_at)
    rollups = compute_all_rollups(fy=fy, as_at=as_at)
    return {
        "payload_version": PAYLOAD_VERSION,
        "fy": fy.label,
        "as_at": as_at,
        "rollups": {name: r.as_json() for name, r in rollups.items()},
        "targets": [p.as_json() for p in all_target_progress(as_at=as_at)],
    }


def take_snapshot(
    *, as_at: str, trigger: str = SnapshotTrigger.MANUAL, trigger_key: str | None = None, user: User | None = None
) -> RollupSnapshot:
    """Compute and store a snapshot; the same `trigger_key` twice returns the first (idempotent).

    The figures are read in one REPEATABLE READ transaction, so every grouping and target sees
    the same data, and the row is inserted in that transaction: a crash leaves nothing behind.
    """
    as_at = clean_period(as_at, "as_at")
    if trigger not in SnapshotTrigger.values:
        raise ValueError(f"unknown snapshot trigger {trigger!r}")
    key = trigger_key or f"{trigger}:{as_at}:{timezone.now().isoformat()}"
    existing = RollupSnapshot.objects.filter(trigger_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            payload = snapshot_payload(as_at=as_at)
            snapshot = RollupSnapshot.objects.create(
                fy=payload["fy"],
                as_at=as_at,
                trigger=trigger,
                trigger_key=key,
                payload=payload,
                created_by=user,
            )
            audit.record(
                user=user,
                system=f"snapshot:{trigger}",
                action="benefits.snapshot.taken",
                object_type="snapshot",
                object_id=snapshot.pk,
                changes={"as_at": [None, as_at], "trigger": [None, trigger]},
            )
    except IntegrityError:
        # A concurrent duplicate of the same task won the race: return its row.
        return RollupSnapshot.objects.get(trigger_key=key)
    return snapshot
