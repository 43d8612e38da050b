"""The OpenAPI AutoSchema of the API: every operation documents its error responses.

`REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]` points here, so views of every API module get, beside their
success responses, the errors the exception handler can answer (bodies: `ErrorSerializer`):
401 and 403 everywhere; 400 (query parameters or body); 404 on paths with a key and on lists
(a page beyond the last); 405 on every operation, 406 when the client refuses JSON;
409/415/422 on POST, PUT, PATCH; 412/428 on PUT, PATCH, DELETE. An `@extend_schema(responses=…)`
entry for the same status wins. It also documents the `Idempotency-Key` header on POST and
`If-Match` on PUT/PATCH/DELETE, and `ETag` on single-object responses.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter

from .errors import ErrorSerializer

DESCRIPTIONS = {
    "400": "Malformed or invalid request: `errors` names each bad field or query parameter.",
    "401": "No valid credentials: send `Authorization: Token <token>` (or sign in for the session).",
    "403": "Signed in, but your role or your trusts do not allow this.",
    "404": "No such object (or a page beyond the last).",
    "405": "This method is not allowed on this path.",
    "406": "The Accept header asks for a format the API does not serve (it serves JSON).",
    "409": "Conflicts with the state of the data: a duplicate, a closed period, the wrong workflow state.",
    "412": "If-Match names an old version: someone else changed the object. Reload and retry.",
    "415": "The request body's media type is not supported: send application/json.",
    "422": "Idempotency-Key reused with a different request, or the figures cannot be valued.",
    "428": "If-Match is required: send the ETag (version) of the object you read.",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "405", "406"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["409", "415", "422"]
        if self.method in ("PUT", "PATCH", "DELETE"):
            codes += ["409", "412", "428"]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                body["description"] = DESCRIPTIONS[code]
                responses[code] = body
        if self.method != "DELETE":
            for code, response in responses.items():
                if code in ("200", "201") and not self._is_list_view() and getattr(self.view, "versioned", False):
                    response.setdefault("headers", {})["ETag"] = {
                        "schema": {"type": "string"},
                        "description": 'The object\'s version in quotes, e.g. "3": send it back as If-Match.',
                    }
        return responses

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "minLength": 1, "maxLength": 255},
                    OpenApiParameter.HEADER,
                    description="Repeat a POST safely: the same key within 24 hours replays the first response.",
                )
            )
        if self.method in ("PUT", "PATCH", "DELETE"):
            params.append(
                OpenApiParameter(
                    "If-Match",
                    {"type": "string"},
                    OpenApiParameter.HEADER,
                    required=True,
                    description='The ETag (version) of the object you read, e.g. "3".',
                )
            )
        return params
