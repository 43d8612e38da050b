"""Optimistic concurrency over HTTP (API.md, Concurrency): `ETag: "<version>"` and `If-Match`.

- `etag(version)` / `with_etag(response, obj)`: every response carrying one mutable object sets
  `ETag: "<version>"` (`VersionedMixin` does it for DRF viewsets from `response.data["version"]`).
- `expected_version(request)`: the version a PUT, PATCH or DELETE was based on. Missing If-Match →
  428; a value that is not a version (or several, or `*`) → 412. The view passes the number to the
  service as `expected_version=`, and the service compares it with the row it holds under
  `select_for_update`, so the check and the write are atomic: a stale version raises StaleVersion → 412.
  Comparing here, before the lock, would let two clients with the same If-Match both win.
"""

from __future__ import annotations

import re

from rest_framework.response import Response

from benefits.errors import StaleVersion

from .errors import PreconditionRequired

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(response: Response, obj: object) -> Response:
    version = getattr(obj, "version", None)
    if version is None and isinstance(obj, dict):
        version = obj.get("version")
    if version is not None:
        response["ETag"] = etag(int(version))
    return response


def expected_version(request) -> int:
    """The If-Match version; 428 when missing, 412 when it cannot name a version."""
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise PreconditionRequired()
    match = _ETAG.match(header)
    if not match:
        raise StaleVersion(
            f"If-Match '{header[:40]}' does not name a version of this object; send the ETag you received, e.g. \"3\"."
        )
    return int(match.group(1))


class VersionedMixin:
    """DRF view mixin: put `ETag: "<version>"` on every response whose body is one versioned object."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        if 200 <= response.status_code < 300 and isinstance(data, dict) and isinstance(data.get("version"), int):
            response["ETag"] = etag(data["version"])
        return response
