"""Sending the outbox: rows that services wrote in their own transaction become Celery messages.

A service never talks to the broker (STYLE.md 9): it writes `OutboxMessage(task, kwargs)` beside
its change, so a broker that is down at commit time loses nothing. `dispatch_pending` hands each
undispatched row to `send` and marks it dispatched in the same transaction; rows locked by another
drainer are skipped, so beat, a kick from a view and a second worker never send a row twice at
the same time. A crash between sending and committing sends that row again later, which is why
every task the outbox names must be idempotent (at-least-once delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from benefits.models import OutboxMessage

log = logging.getLogger(__name__)

Send = Callable[[str, dict], object]
BATCH = 100


def dispatch_pending(*, send: Send, limit: int = BATCH) -> int:
    """Send up to `limit` undispatched rows in id order; returns how many were sent.

    The first failure to send (the broker is down) stops the batch: that row's `attempts` goes
    up and it stays pending for the next drain; rows already sent in the batch stay dispatched.
    """
    sent = 0
    with transaction.atomic():
        pending = list(
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(dispatched_at__isnull=True).order_by("id")[:limit]
        )
        for message in pending:
            try:
                send(message.task, message.kwargs)
            except Exception:
                log.warning("outbox: could not send %s #%s; it stays pending", message.task, message.pk, exc_info=True)
                OutboxMessage.objects.filter(pk=message.pk).update(attempts=F("attempts") + 1)
                break
            OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=timezone.now(), attempts=F("attempts") + 1)
            sent += 1
    return sent


def pending_count() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
