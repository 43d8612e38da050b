"""Audit events, stored idempotency keys and the outbox: rows that are written, never changed."""

from __future__ import annotations

import datetime as dt

import pgtrigger
from django.db import models
from django.utils import timezone

from .register import User


class AuditEvent(models.Model):
    """Who did what to which object, the changes `{field: [old, new]}` and why.

    Written by services in the same transaction as the change (never by signals, which miss
    bulk writes); the database refuses UPDATE and DELETE on these rows.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.CharField(max_length=150, help_text="Username, or the name of a system run.")
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=30)
    object_id = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    import_batch = models.ForeignKey("benefits.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["action"])]
        triggers = [
            pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


class IdempotencyKey(models.Model):
    """The first response to a POST with `Idempotency-Key`, replayed for 24 hours (API.md)."""

    REPLAY_WINDOW = dt.timedelta(hours=24)  # older keys are treated as unused, and purged nightly

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class OutboxMessage(models.Model):
    """Work that must follow a commit (a task to enqueue), written in the same transaction.

    A task drains undispatched rows, so nothing is lost if the broker is down at commit time.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["id"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
