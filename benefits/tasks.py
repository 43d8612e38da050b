"""Celery tasks: ids and keys in, one idempotent service call out (STYLE.md 9, NOTES.md "Celery").

Every task here is safe to run twice: `acks_late` with `reject_on_worker_lost` means a worker
killed mid-task gets its message redelivered, and database or broker errors retry with backoff.
Work that must follow a commit reaches these tasks through the outbox (`services/outbox.py`):
sent as soon as the service's transaction commits, and drained by beat every few seconds for
whatever could not be sent then.
The schedule itself lives in the database (django-celery-beat, migration 0003), where admins
can see and change it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from benefits.models import User
from benefits.services import board_packs, exports, housekeeping, outbox, snapshots

log = logging.getLogger(__name__)

# Transient failures worth retrying: the database went away or the broker refused a message.
RETRY_ON = (OperationalError, InterfaceError, BrokerError, ConnectionError)

IDEMPOTENT = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRY_ON,
    "retry_backoff": 5,  # 5 s, 10 s, 20 s … with jitter
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="benefits.tasks.take_snapshot", soft_time_limit=300, time_limit=360, **IDEMPOTENT)
def take_snapshot(*, as_at: str, trigger: str, trigger_key: str, user_id: int | None = None) -> int:
    """Store a snapshot for `trigger_key` (one per key, however often this runs); returns its id."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return snapshots.take_snapshot(as_at=as_at, trigger=trigger, trigger_key=trigger_key, user=user).pk


@shared_task(name="benefits.tasks.take_scheduled_snapshot", soft_time_limit=300, time_limit=360, **IDEMPOTENT)
def take_scheduled_snapshot() -> int:
    """The nightly snapshot (beat); keyed by tonight's date, so a duplicate run stores nothing."""
    return snapshots.take_scheduled_snapshot(today=timezone.localdate()).pk


@shared_task(
    name="benefits.tasks.drain_outbox",
    soft_time_limit=50,
    time_limit=60,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=3,
    ignore_result=True,
)
def drain_outbox() -> int:
    """Send every pending outbox row (beat runs this every few seconds)."""
    total = 0
    while sent := outbox.dispatch_pending(send=outbox.send):
        total += sent
        if sent < outbox.BATCH:
            break
    return total


# --- Board packs (issue 5; ADR 0030) -------------------------------------------------------------

@shared_task(name="benefits.tasks.build_board_pack", soft_time_limit=540, time_limit=600, **IDEMPOTENT)
def build_board_pack(*, board_pack_id: int) -> str | None:
    """Build one board pack (idempotent: a pack already done is left alone); returns its status."""
    pack = board_packs.build_board_pack(board_pack_id=board_pack_id)
    return pack.status if pack else None


@shared_task(name="benefits.tasks.purge_expired", soft_time_limit=300, time_limit=360, **IDEMPOTENT)
def purge_expired() -> dict[str, int]:
    """Nightly: expired idempotency keys, unconfirmed uploads, old sent outbox rows (beat)."""
    return housekeeping.purge_expired()


# --- Register exports too large for a request (issue 8; ADR 0055) ---------------------------------

@shared_task(name="benefits.tasks.build_register_export", soft_time_limit=540, time_limit=600, **IDEMPOTENT)
def build_register_export(*, export_id: int) -> str | None:
    """Build one register export (idempotent: an export already done is left alone); returns its status."""
    job = exports.build_register_export(export_id=export_id)
    return job.status if job else None
