"""Removing what has outlived its purpose, nightly (beat; migration 0007).

Nothing here is a record anyone must keep: audit events, snapshots, packs and imports are never
purged. What goes: idempotency keys past API.md's 24-hour replay window (the API already treats
them as expired; this keeps the table small), uploads whose import was never confirmed, outbox
rows sent long ago, and background register exports a week after they ended (a copy of the
register, built again in seconds; the audit keeps who asked for it).
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from benefits.models import ExportJob, IdempotencyKey, OutboxMessage

PENDING_UPLOADS = "imports/pending"  # where the import page keeps an upload until it is confirmed (ADR 0056)
UPLOAD_KEPT = dt.timedelta(days=1)
OUTBOX_KEPT = dt.timedelta(days=30)
EXPORT_KEPT = dt.timedelta(days=7)


def purge_expired(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired idempotency keys, unconfirmed uploads and old sent outbox rows; the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        keys, _ = IdempotencyKey.objects.filter(created_at__lt=now - IdempotencyKey.REPLAY_WINDOW).delete()
        sent, _ = OutboxMessage.objects.filter(dispatched_at__lt=now - OUTBOX_KEPT).delete()
    return {
        "idempotency_keys": keys,
        "outbox_messages": sent,
        "uploads": _purge_uploads(now - UPLOAD_KEPT),
        "exports": _purge_exports(now - EXPORT_KEPT),
    }


def _purge_exports(before: dt.datetime) -> int:
    """Ended exports (done or failed) and their files; one still queued or running is left alone."""
    removed = 0
    for job in ExportJob.objects.filter(finished_at__lt=before):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed


def _purge_uploads(before: dt.datetime) -> int:
    try:
        _, names = default_storage.listdir(PENDING_UPLOADS)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{PENDING_UPLOADS}/{name}"
        if default_storage.get_modified_time(path) < before:
            default_storage.delete(path)
            removed += 1
    return removed
