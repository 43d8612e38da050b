"""The nightly purge removes what has expired and keeps everything that has not (or is a record)."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from benefits import tasks
from benefits.models import AuditEvent, ExportJob, IdempotencyKey, OutboxMessage
from benefits.services.housekeeping import PENDING_UPLOADS


def _key(user, name: str, age: dt.timedelta) -> None:
    IdempotencyKey.objects.create(
        user=user, key=name, request_hash="x" * 64, response_status=201, created_at=timezone.now() - age
    )


def _upload(name: str, age: dt.timedelta) -> str:
    path = default_storage.save(f"{PENDING_UPLOADS}/{name}", ContentFile(b"PK\x03\x04 an upload"))
    stamp = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(path), (stamp, stamp))
    return path


def _export(user, *, finished, created=None) -> ExportJob:
    job = ExportJob.objects.create(created_by=user, status="done" if finished else "running", finished_at=finished,
                                   created_at=created or finished)
    if finished:
        job.file.save(f"register-{job.pk}.xlsx", ContentFile(b"PK\x03\x04 an export"))
    return job


def test_the_nightly_purge_removes_only_what_has_expired(pmo_rye):
    _key(pmo_rye, "expired", dt.timedelta(hours=25))
    _key(pmo_rye, "fresh", dt.timedelta(hours=23))
    old_upload, new_upload = _upload("old.xlsx", dt.timedelta(days=2)), _upload("new.xlsx", dt.timedelta(hours=2))
    now = timezone.now()
    OutboxMessage.objects.create(task="t", dispatched_at=now - dt.timedelta(days=31))
    OutboxMessage.objects.create(task="t", dispatched_at=now - dt.timedelta(days=29))
    unsent = OutboxMessage.objects.create(task="t", created_at=now - dt.timedelta(days=90))  # never sent: kept
    old_export = _export(pmo_rye, finished=now - dt.timedelta(days=8))
    recent_export = _export(pmo_rye, finished=now - dt.timedelta(days=6))
    running = _export(pmo_rye, finished=None, created=now - dt.timedelta(days=30))
    audits = AuditEvent.objects.count()

    counts = tasks.purge_expired()

    assert counts == {"idempotency_keys": 1, "outbox_messages": 1, "uploads": 1, "exports": 1}
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent_export.pk, running.pk}
    assert not default_storage.exists(old_export.file.name) and default_storage.exists(recent_export.file.name)
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert not default_storage.exists(old_upload) and default_storage.exists(new_upload)
    assert OutboxMessage.objects.count() == 2 and OutboxMessage.objects.filter(pk=unsent.pk).exists()
    assert AuditEvent.objects.count() == audits  # records are never purged
    assert set(tasks.purge_expired().values()) == {0}  # safe to run twice


def test_the_purge_is_on_the_beat_schedule_at_night(db):
    task = PeriodicTask.objects.get(task="benefits.tasks.purge_expired")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("3", "0", "Europe/London")
    assert task.enabled
