"""Stored outputs: rollup snapshots, board packs, register exports and committed imports."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils import timezone

from .choices import JobStatus, SnapshotTrigger
from .ledger import PERIOD
from .register import User


class RollupSnapshot(models.Model):
    """An immutable copy of every rollup grouping and each target's progress as at a month.

    `trigger_key` makes taking a snapshot idempotent: a retried or duplicated task for the
    same trigger and moment finds the row already there.
    """

    fy = models.CharField(max_length=7)
    as_at = models.CharField(max_length=7, validators=[PERIOD])
    taken_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=20, choices=SnapshotTrigger.choices)
    trigger_key = models.CharField(max_length=120, unique=True)
    payload = models.JSONField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["as_at", "-taken_at"])]
        triggers = [
            pgtrigger.Protect(name="snapshot_immutable", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"Snapshot {self.id} as at {self.as_at} ({self.trigger})"


class BackgroundJob(models.Model):
    """What every file built by a task keeps: who asked, how far it got, how it ended (services/jobs.py)."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class BoardPack(BackgroundJob):
    """A PDF board pack for a month, built in the background from one snapshot."""

    as_at = models.CharField(max_length=7, validators=[PERIOD])
    snapshot = models.ForeignKey(RollupSnapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="board_packs")
    pages = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="board-packs/", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=100), name="board_pack_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"Board pack {self.as_at} ({self.status})"


class ExportJob(BackgroundJob):
    """A register export too large to build in the request: built by a task into a stored xlsx.

    It keeps who asked and the register filters they had, so the worker builds exactly their
    view of the register, and only they (or an admin) may download it.
    """

    filters = models.JSONField(default=dict, blank=True)  # the register page's filters (selectors.register)
    fy = models.CharField(max_length=7, blank=True)  # "2025/26"; blank for every year with figures
    lines = models.PositiveIntegerField(default=0)  # benefit lines when requested (what made it a job)
    file = models.FileField(upload_to="exports/", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=100), name="export_job_progress_0_100"),
        ]

    def __str__(self) -> str:
        return f"Register export {self.pk} ({self.status})"


class ImportBatch(models.Model):
    """A committed Excel import: what file, by whom, and what it created and changed."""

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} {self.filename}"
