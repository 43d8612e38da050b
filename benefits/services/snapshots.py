"""Taking rollup snapshots: every grouping and each target's progress, stored whole or not at all."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from benefits.errors import ValidationFailed
from benefits.finance.calendar import CalendarError, FinancialYear, add_months, format_period
from benefits.models import RollupSnapshot, User
from benefits.models.choices import SnapshotTrigger
from benefits.policy import Action, require
from benefits.selectors.board_pack import register_section
from benefits.selectors.periods import latest_closed_period
from benefits.selectors.rollups import compute_all_rollups
from benefits.selectors.targets import all_target_progress

from . import audit, outbox
from .common import clean_period

PAYLOAD_VERSION = 1
SNAPSHOT_TASK = "benefits.tasks.take_snapshot"


def snapshot_payload(*, as_at: str) -> dict:
    """The figures a snapshot stores (and a board pack prints): JSON of Decimal strings.

    {"payload_version", "fy", "as_at", "rollups": {"none"|grouping: Rollup.as_json()},
     "targets": [TargetProgress.as_json()],
     "register": selectors.board_pack.register_section()}  (initiatives, confidence_counts, exceptions)
    """
    fy = FinancialYear.of(as_at)
    rollups = compute_all_rollups(fy=fy, as_at=as_at)
    return {
        "payload_version": PAYLOAD_VERSION,
        "fy": fy.label,
        "as_at": as_at,
        "rollups": {name: r.as_json() for name, r in rollups.items()},
        "targets": [p.as_json() for p in all_target_progress(as_at=as_at)],
        # Added for the board pack (ADR 0031): initiatives' FY figures, RAG counts, exceptions.
        "register": register_section(as_at=as_at),
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
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:  # inside a caller's transaction (tests) the caller's isolation applies
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


def clean_fy_as_at(fy: object, as_at: object) -> tuple[FinancialYear, str]:
    """`fy` as `2025/26` and `as_at` as `YYYY-MM` inside it (API.md, rollups); 400 naming the field."""
    try:
        year = FinancialYear.parse(fy)  # type: ignore[arg-type]
    except CalendarError as exc:
        raise ValidationFailed(str(exc), field="fy", details={"fy": [str(exc)]}) from None
    month = clean_period(as_at, "as_at")
    if month not in year:
        message = f"as_at {month} is not in the financial year {year.label} ({year.first} to {year.last})."
        raise ValidationFailed(message, field="as_at", details={"as_at": [message]})
    return year, month


def request_snapshot(*, user: User, fy: object, as_at: object) -> str:
    """Queue a manual snapshot (API.md: POST rollups/snapshots/ answers 202); returns its trigger_key.

    Written to the outbox in this transaction; a task takes the snapshot after the commit, so a
    broker that is down now delays the snapshot instead of losing it.
    """
    require(user, Action.TAKE_SNAPSHOT, what="take snapshots")
    _, month = clean_fy_as_at(fy, as_at)
    key = f"manual:{month}:{uuid.uuid4().hex}"
    with transaction.atomic():
        outbox.enqueue(
            task=SNAPSHOT_TASK,
            kwargs={"as_at": month, "trigger": SnapshotTrigger.MANUAL, "trigger_key": key, "user_id": user.pk},
        )
    return key


def scheduled_as_at(today: dt.date) -> str:
    """The month a nightly snapshot is taken as at: the latest closed period, else last month (ADR 0022)."""
    closed = latest_closed_period()
    if closed is not None:
        return closed
    return add_months(format_period(today.year, today.month), -1)


def take_scheduled_snapshot(*, today: dt.date) -> RollupSnapshot:
    """The nightly snapshot: one per night (`scheduled:<date>`), however often the task runs."""
    return take_snapshot(
        as_at=scheduled_as_at(today), trigger=SnapshotTrigger.SCHEDULED, trigger_key=f"scheduled:{today.isoformat()}"
    )
