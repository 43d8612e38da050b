"""The one exception handler of the API: every error becomes the contract's JSON body (API.md, Errors).

How other API modules use this (rollups, board packs, Excel):
- Raise `benefits.errors` kinds (ValidationFailed, NotAllowed, NotFound, Conflict, StaleVersion,
  Unprocessable…) or DRF's `ValidationError({"field": ["message"]})` from a view or serializer;
  never build error responses by hand and never `try/except` in a view.
- In `@extend_schema`, nothing is needed for errors: `benefits.api.schema.AutoSchema` adds the error
  responses of every operation. `ErrorSerializer` is the documented body if you want it explicitly.

The body is always `{"code": "...", "message": "...", "errors": {"field": ["message", ...]}}`:
`code` is a stable machine word, `message` a sentence for people, `errors` names each bad field
(query parameters and headers by their name; bulk rows under `entries` by index).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from benefits.errors import DomainError, StaleVersion

log = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (API.md, Errors)."""

    code = serializers.CharField(help_text="A stable word for programs, e.g. `invalid`, `stale_version`, `period_closed`.")
    message = serializers.CharField(help_text="What went wrong and what to do next, for people.")
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Each bad field (or query parameter, header, bulk row) with what is wrong with it.",
    )


class PreconditionRequired(exceptions.APIException):
    """428: a PUT, PATCH or DELETE came without `If-Match` (API.md, Concurrency)."""

    status_code = 428
    default_code = "precondition_required"
    default_detail = "Send If-Match with the ETag of the object you read (its version), so that no change is lost."


def error_body(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


def _flatten(detail: Any) -> Any:
    """DRF's ErrorDetail trees → plain strings, lists and dicts."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    if detail is None or isinstance(detail, (bool, int)):
        return detail
    return str(detail)


def _validation_errors(detail: Any) -> dict[str, Any]:
    flat = _flatten(detail)
    if isinstance(flat, dict):
        return {k: (v if isinstance(v, (list, dict)) else [v]) for k, v in flat.items()}
    return {"non_field_errors": flat if isinstance(flat, list) else [flat]}


def _first_message(errors: dict[str, Any]) -> str:
    for name, value in errors.items():
        while isinstance(value, (list, dict)) and value:
            value = value[0] if isinstance(value, list) else next(iter(value.values()))
        if isinstance(value, str):
            return value if name == "non_field_errors" else f"{name}: {value}"
    return "The request is not valid."


def _domain(exc: DomainError) -> Response:
    errors: dict[str, Any] | None = None
    if isinstance(exc.details, dict):
        errors = _validation_errors(exc.details)
    elif exc.field:
        errors = {exc.field: [exc.message]}
    body = error_body(exc.code, exc.message, errors)
    headers = {}
    if isinstance(exc, StaleVersion) and getattr(exc.current, "version", None) is not None:
        body["current_version"] = exc.current.version
        headers["ETag"] = f'"{exc.current.version}"'
    return Response(body, status=exc.status, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: domain errors, DRF errors and Django's, one JSON shape."""
    if isinstance(exc, DomainError):
        return _domain(exc)
    if isinstance(exc, DjangoValidationError):
        errors = _validation_errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return Response(error_body("invalid", _first_message(errors), errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, SuspiciousOperation):  # too many form fields, a body over the upload limit…
        return Response(error_body("invalid", f"The request was refused: {exc}"), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ObjectDoesNotExist):  # e.g. deleted between the read and the locked write
        exc = Http404()
    if isinstance(exc, DataError):
        # A value the database cannot hold or compare (an id beyond bigint, say): the input is wrong.
        log.info("DataError mapped to 400: %s", exc)
        return Response(
            error_body("invalid", "A value in the request is out of range or malformed."), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, IntegrityError):
        log.info("IntegrityError mapped to 409: %s", exc)
        return Response(
            error_body("conflict", "The change clashes with existing data (a duplicate or a row still in use)."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, exceptions.ValidationError):
        errors = _validation_errors(exc.detail)
        return Response(error_body("invalid", _first_message(errors), errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ParseError):
        message = f"The request body is not valid: {exc.detail}"
        return Response(error_body("parse_error", message, {"body": [str(exc.detail)]}), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: there is no such object, or the page is beyond the last one.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Allow, Retry-After
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    detail = exc.detail
    message = str(detail) if not isinstance(detail, (list, dict)) else _first_message(_validation_errors(detail))
    response.data = error_body(getattr(exc, "default_code", "error") if not hasattr(detail, "code") else detail.code, message)
    if isinstance(exc, exceptions.PermissionDenied) and message == str(exceptions.PermissionDenied.default_detail):
        response.data["message"] = "Your role does not allow this. Ask an administrator if you need it."
    return response
