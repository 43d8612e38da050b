"""Recording audit events, inside the caller's transaction (never from signals)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from benefits.models import AuditEvent, ImportBatch, User


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
    stamp = timezone.now()
    actor = actor_name(user, system)
    user_id = user.pk if user is not None else None
    batch_id = import_batch.pk if import_batch is not None else None
    columns = "at, user_id, actor, action, object_type, object_id, changes, reason, import_batch_id"
    dumps = json.dumps
    count = 0
    # COPY's text format written directly (psycopg's write_row costs ~30 µs a row in pure Python).
    head = f"{stamp.isoformat()}\t{_copy_text(user_id)}\t{_copy_text(actor)}\t"
    tail = f"\t{_copy_text(batch_id)}\n"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY benefits_auditevent ({columns}) FROM STDIN") as copy:
        chunk: list[str] = []
        size = 0
        for e in events:
            text = (
                f"{head}{_copy_text(e.action)}\t{_copy_text(e.object_type)}\t{_copy_text(str(e.object_id))}\t"
                f"{_copy_text(dumps(e.changes))}\t{_copy_text(e.reason)}{tail}"
            )
            chunk.append(text)
            count += 1
            size += len(text)
            if size >= COPY_CHUNK:  # by size: an import's line events are ~6 KB each
                copy.write("".join(chunk))
                chunk.clear()
                size = 0
        if chunk:
            copy.write("".join(chunk))
    return count


COPY_CHUNK = 1 << 20  # characters sent to the server at a time


def _copy_text(value: object) -> str:
    """A value in COPY's text format: NULL as \\N; backslash, tab, newline and return escaped."""
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
