"""Running a background job row (board packs, register exports) once, however often its task arrives.

Both kinds are rows with `status`, `progress`, `error` and `finished_at` (JobStatus), built by an
idempotent task that the outbox may deliver twice (ADR 0030): a job already `done` is left
alone, a session advisory lock per job lets a duplicate delivery leave while another worker
builds, and any exception ends in `failed` with a readable error instead of a retry loop.
Runs outside any transaction, so each progress step is a committed UPDATE a page can poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from benefits.models import User
from benefits.models.choices import JobStatus

from . import audit, outbox

log = logging.getLogger(__name__)

Job = TypeVar("Job", bound=models.Model)


def enqueue(model: type[Job], *, task: str, kwarg: str, user: User, object_type: str, changes: dict, **fields: object) -> Job:
    """A queued job row, the outbox message for its task and its `requested` audit event, committed together."""
    with transaction.atomic():
        job = model.objects.create(created_by=user, **fields)
        outbox.enqueue(task=task, kwargs={kwarg: job.pk})
        audit.record(
            user=user,
            action=f"benefits.{object_type}.requested",
            object_type=object_type,
            object_id=job.pk,
            changes={**changes, "status": [None, JobStatus.QUEUED]},
        )
    return job


def try_lock(namespace: str, job_id: int) -> bool:
    """A session advisory lock on (namespace, job): False when another session holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), (%s %% 2147483647)::int)", [namespace, job_id])
        return bool(cursor.fetchone()[0])


def unlock(namespace: str, job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), (%s %% 2147483647)::int)", [namespace, job_id])


def set_progress(model: type[models.Model], job_id: int, progress: int, **fields: object) -> None:
    """One committed UPDATE, so a page polling the job sees it move."""
    model.objects.filter(pk=job_id).update(progress=progress, **fields)


def store(name: str, content: File) -> str:
    """Save the job's file, replacing one a crashed attempt stored before it could end `done`."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content)


def _end(
    model: type[models.Model], job_id: int, status: str, event: str, *, system: str, object_type: str, changes: dict,
    reason: str = "", **fields: object,
) -> None:
    """The job's last UPDATE and its audit event (`benefits.<object_type>.<event>`), in one transaction."""
    with transaction.atomic():
        model.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), **fields)
        audit.record(
            user=None,
            system=system,
            action=f"benefits.{object_type}.{event}",
            object_type=object_type,
            object_id=job_id,
            changes={"status": [JobStatus.RUNNING, status], **changes},
            reason=reason,
        )


def mark_done(model: type[models.Model], job_id: int, *, system: str, object_type: str, changes: dict, **fields: object) -> None:
    """`done` at 100 %, audited as `benefits.<object_type>.built` with `changes`."""
    _end(model, job_id, JobStatus.DONE, "built", system=system, object_type=object_type, changes=changes, progress=100, **fields)


def mark_failed(model: type[models.Model], job_id: int, *, error: str, system: str, object_type: str, **fields: object) -> None:
    """`failed` with the error people read, audited as `benefits.<object_type>.failed` with it as the reason."""
    _end(model, job_id, JobStatus.FAILED, "failed", system=system, object_type=object_type, changes={}, reason=error, error=error, **fields)


def failure_detail(exc: Exception) -> str:
    """The exception in words for the job's error (its message, else its kind), at most 500 characters."""
    return (str(exc).strip() or type(exc).__name__)[:500]


def run_job(
    model: type[Job],
    job_id: int,
    *,
    lock: str,
    build: Callable[[Job], None],
    fail: Callable[[Job, Exception], None],
) -> Job | None:
    """Build the job once: `build(job)` ends it `done`; if it raises, `fail(job, exc)` ends it `failed`."""
    job = model.objects.filter(pk=job_id).first()
    if job is None:
        log.warning("%s %s no longer exists; nothing to build", model.__name__, job_id)
        return None
    if job.status == JobStatus.DONE:
        return job
    if not try_lock(lock, job.pk):
        log.info("%s %s is being built by another worker", model.__name__, job.pk)
        return job
    try:
        job.refresh_from_db()
        if job.status == JobStatus.DONE:
            return job
        set_progress(model, job.pk, 0, status=JobStatus.RUNNING, error="", finished_at=None)
        try:
            build(job)
        except Exception as exc:  # any failure is the user's to see, not a silent retry loop
            log.exception("%s %s failed", model.__name__, job.pk)
            fail(job, exc)
    finally:
        unlock(lock, job.pk)
    job.refresh_from_db()
    return job
