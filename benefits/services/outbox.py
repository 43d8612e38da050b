"""The outbox: work that must follow a commit (a Celery task), recorded in the same transaction.

A service never calls the broker inside its transaction (STYLE.md 9): `enqueue` writes an
`OutboxMessage(task, kwargs)` beside the change, so a broker that is down at commit time loses
nothing, and asks for the pending rows to be sent once the transaction commits, so the work starts
at once rather than at beat's next drain. If that send fails, beat's `drain_outbox` sends the rows
later. `dispatch_pending` marks each row dispatched in the transaction that sends it and skips rows
another drainer holds, so no row is sent twice at the same time; a crash between sending and
committing sends that row again later, which is why every task the outbox names is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from benefits.models import OutboxMessage

log = logging.getLogger(__name__)

Send = Callable[[str, dict], object]
BATCH = 100


def enqueue(*, task: str, kwargs: dict) -> OutboxMessage:
    """Record `task(**kwargs)` to run after the caller's transaction commits; call inside that transaction."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(send_pending)
    return message


def send(task: str, kwargs: dict) -> None:
    """Publish one outbox row; no publish retries, so a broker that is down fails fast."""
    current_app.send_task(task, kwargs=kwargs, retry=False)


def send_pending() -> int:
    """Send pending rows now, after a commit; never raises (beat sends what this cannot)."""
    try:
        return dispatch_pending(send=send)
    except Exception:  # a failed send must never turn the caller's committed success into an error
        log.warning("outbox: sending after commit failed; beat will send the pending rows", exc_info=True)
        return 0


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
