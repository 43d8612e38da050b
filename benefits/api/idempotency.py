"""`Idempotency-Key` on POST (API.md, Idempotency), stored in the IdempotencyKey model.

A POST with `Idempotency-Key: <key>` from the same user within 24 hours:
- same key, same request (path + canonical JSON body) → the first response is replayed (status, body,
  ETag/Location) with `Idempotent-Replayed: true`, and nothing is created again;
- same key, different request → 422.
Only successful (2xx) first responses are stored: a refused request may be corrected and retried
with the same key. Two concurrent requests with one key are serialised by a PostgreSQL advisory lock
on (user, key), so the second waits and then replays the first. The lock belongs to the database
session, which outlives the request on a pooled connection (CONN_MAX_AGE), so `dispatch` releases
it in a `finally`: also when the view fails with an exception DRF turns into no response (a 500).

How other API modules use it: put `IdempotencyMixin` first in the view's bases
(`class BoardPackViewSet(IdempotencyMixin, ..., GenericViewSet)`); every POST of that view is covered.
"""

from __future__ import annotations

import hashlib
import json

from django.db import connection
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from benefits.errors import Unprocessable
from benefits.models import IdempotencyKey

HEADER = "Idempotency-Key"
WINDOW = IdempotencyKey.REPLAY_WINDOW
REPLAYED_HEADERS = ("ETag", "Location", "Content-Disposition")


class _Replay(Exception):  # control flow: carries the stored response
    def __init__(self, response: Response) -> None:
        self.response = response


def request_hash(request) -> str:
    """Path + body; JSON bodies compared by content (key order and spacing do not matter)."""
    raw = request._request.body  # read before DRF parses, so multipart bodies hash too
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(canonical)
    return digest.hexdigest()


def advisory_lock_id(user_id: int, key: str) -> int:
    """The PostgreSQL advisory lock that serialises the requests of one user with one key."""
    return int.from_bytes(hashlib.sha256(f"{user_id}:{key}".encode()).digest()[:8], "big", signed=True)


def _stored_response(row: IdempotencyKey) -> Response:
    response = Response(row.response_body, status=row.response_status)
    for name, value in (row.response_headers or {}).items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMixin:
    """DRF view mixin implementing Idempotency-Key for every POST of the view."""

    _idempotency: tuple[str, str, int] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        self._idempotency = None
        key = request.headers.get(HEADER) if request.method == "POST" else None
        if key is None:
            return
        if not key.strip() or len(key) > 255:
            raise ValidationError({HEADER: ["Send a key of 1 to 255 characters, e.g. a UUID."]})
        digest = request_hash(request)
        lock = advisory_lock_id(request.user.pk, key)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock])
        self._idempotency = (key, digest, lock)
        row = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if row is None:
            return
        if row.created_at < timezone.now() - WINDOW:
            row.delete()  # expired: the key may be used afresh
            return
        if row.request_hash != digest:
            raise Unprocessable(
                "This Idempotency-Key was already used for a different request in the last 24 hours; use a new key.",
                field=HEADER,
            )
        raise _Replay(_stored_response(row))

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            state, self._idempotency = self._idempotency, None
            if state is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [state[2]])

    def finalize_response(self, request, response, *args, **kwargs):
        """Store a first 2xx response while the lock is still held, so a waiting repeat replays it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is None or not 200 <= response.status_code < 300 or response.get("Idempotent-Replayed"):
            return response
        key, digest, _ = self._idempotency
        body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
        headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
        IdempotencyKey.objects.update_or_create(
            user=request.user,
            key=key,
            defaults={
                "request_hash": digest,
                "response_status": response.status_code,
                "response_body": body,
                "response_headers": headers,
                "created_at": timezone.now(),
            },
        )
        return response
