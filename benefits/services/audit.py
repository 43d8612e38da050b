"""Recording audit events, inside the caller's transaction (never from signals)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from benefits.models import AuditEvent, ImportBatch, User

from . import copy


def jsonable(value: Any) -> Any:
    """Audit values as people read them: Decimal as '9500.00', related objects by natural key."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        for key in ("code", "ref", "username", "period"):
            if hasattr(value, key):
                return getattr(value, key)
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(jsonable(v) for v in value)
    return value


def field_values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


@dataclass
class Event:
    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def actor_name(user: User | None, system: str | None = None) -> str:
    return user.username if user is not None else (system or "system")


def record(
    *,
    user: User | None,
    action: str,
    object_type: str,
    object_id: object,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    import_batch: ImportBatch | None = None,
    system: str | None = None,
) -> AuditEvent:
    """One audit row; call inside the service's transaction so both commit or neither."""
    return AuditEvent.objects.create(
        user=user,
        actor=actor_name(user, system),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=dict(changes or {}),
        reason=reason or "",
        import_batch=import_batch,
    )


def record_many(
    events: Iterable[Event], *, user: User | None, import_batch: ImportBatch | None = None, system: str | None = None
) -> int:
    """Many audit rows in one INSERT, for bulk writes (bulk_create bypasses signals; we don't rely on them)."""
    events = events if isinstance(events, list) else list(events)
    if len(events) > COPY_THRESHOLD:
        return copy_many(events, user=user, import_batch=import_batch, system=system)
    rows = [
        AuditEvent(
            user=user,
            actor=actor_name(user, system),
            action=e.action,
            object_type=e.object_type,
            object_id=str(e.object_id),
            changes=e.changes,
            reason=e.reason,
            import_batch=import_batch,
        )
        for e in events
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


COPY_THRESHOLD = 500  # above this many rows, COPY: Django's INSERT quotes every value in Python


def copy_many(
    events: Iterable[Event], *, user: User | None, import_batch: ImportBatch | None = None, system: str | None = None
) -> int:
    """COPY for the hundreds of thousands of events of a whole-tracker import (the rows record_many writes).

    Takes a generator too, so a caller need not hold 720,000 events in memory at once.
    """
    dumps = json.dumps
    return copy.copy_rows(
        table=AuditEvent._meta.db_table,
        columns=("action", "object_type", "object_id", "changes", "reason", "at", "user_id", "actor", "import_batch_id"),
        rows=((e.action, e.object_type, str(e.object_id), dumps(e.changes), e.reason) for e in events),
        same=(
            timezone.now(),
            user.pk if user is not None else None,
            actor_name(user, system),
            import_batch.pk if import_batch is not None else None,
        ),
    )
