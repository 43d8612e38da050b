"""Period close and reopen (FINANCE.md, "Closed periods")."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from benefits.errors import Conflict, ValidationFailed
from benefits.finance.calendar import FinancialYear, add_months, months_between
from benefits.models import Period, User
from benefits.models.choices import PeriodStatus, SnapshotTrigger
from benefits.policy import Action, require
from benefits.selectors.periods import closed_months, latest_closed_period

from . import audit, outbox
from .common import clean_period

SNAPSHOT_TASK = "benefits.tasks.take_snapshot"


def _lock_periods() -> None:
    """Serialise closes and reopens: one advisory lock for the whole calendar."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('benefits.period_close'))")


def close_period(*, user: User, period: str, reason: str = "") -> Period:
    """Close `period` and every earlier month; queue a snapshot of it (through the outbox)."""
    require(user, Action.CLOSE_PERIOD, what="close periods")
    period = clean_period(period)
    with transaction.atomic():
        _lock_periods()
        closed = closed_months()
        if period in closed:
            raise Conflict(f"{period} is already closed (every month up to {closed.latest} is closed).", field="period")
        first = add_months(closed.latest, 1) if closed.latest else FinancialYear.of(period).first
        at = timezone.now()
        for month in months_between(first, period):
            row, _ = Period.objects.select_for_update().get_or_create(period=month)
            row.status, row.closed_by, row.closed_at = PeriodStatus.CLOSED, user, at
            row.version += 1
            row.save()
            audit.record(
                user=user,
                action="benefits.period.closed",
                object_type="period",
                object_id=month,
                changes={"status": ["open", "closed"]},
                reason=reason,
            )
        outbox.enqueue(
            task=SNAPSHOT_TASK,
            kwargs={
                "as_at": period,
                "trigger": SnapshotTrigger.PERIOD_CLOSE,
                "trigger_key": f"period_close:{period}:{at.isoformat()}",
            },
        )
    return row


def reopen_period(*, user: User, period: str, reason: str) -> Period:
    """Reopen the latest closed month, with a reason (audited)."""
    require(user, Action.CLOSE_PERIOD, what="reopen periods")
    period = clean_period(period)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationFailed(
            "Give a reason for reopening the month.", field="reason", details={"reason": ["This field is required."]}
        )
    with transaction.atomic():
        _lock_periods()
        latest = latest_closed_period()
        if latest != period:
            raise Conflict(
                f"Only the latest closed month ({latest}) can be reopened." if latest else "No month is closed.",
                field="period",
            )
        row = Period.objects.select_for_update().get(period=period)
        row.status, row.closed_by, row.closed_at = PeriodStatus.OPEN, None, None
        row.version += 1
        row.save()
        audit.record(
            user=user,
            action="benefits.period.reopened",
            object_type="period",
            object_id=period,
            changes={"status": ["closed", "open"]},
            reason=reason,
        )
    return row
