"""The Content-Security-Policy header, built once per process, not once per response (ADR 0044).

django-csp builds both of its headers afresh for every response. The policy depends on the
settings alone, unless a view changes it for one response (csp's decorators) or a page used a
nonce: those responses still go through django-csp as they are. On a page, building the header
took more time than any other middleware.
"""

from __future__ import annotations

import http

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_DEBUG_EXEMPT = (http.HTTPStatus.INTERNAL_SERVER_ERROR, http.HTTPStatus.NOT_FOUND)
_SETTINGS = {False: ("CONTENT_SECURITY_POLICY", HEADER, "_csp_exempt"),
             True: ("CONTENT_SECURITY_POLICY_REPORT_ONLY", HEADER_REPORT_ONLY, "_csp_exempt_ro")}
_built: dict[bool, tuple[str, tuple[str, ...]]] = {}  # report_only → (policy, URL prefixes it skips)


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


def _policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    built = _built.get(report_only)
    if built is None:
        configured = getattr(settings, _SETTINGS[report_only][0], None) or {}
        built = (build_policy(report_only=report_only), tuple(configured.get("EXCLUDE_URL_PREFIXES", None) or ()))
        _built[report_only] = built
    return built


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, setting the same headers from the policy built once."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(getattr(response, a, None) is not None for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for report_only, (_, header, exempt) in _SETTINGS.items():
            policy, excluded = _policy(report_only)
            if policy and header not in response and getattr(response, exempt, False) is False and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
