"""Every response carries the Content-Security-Policy that django-csp itself would set.

`benefits.headers.CSPMiddleware` builds the policy once per process (ADR 0044); these tests
hold each of its answers to django-csp's own middleware, scenario by scenario, and show a page
refusing anything external.
"""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from benefits.headers import CSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-reports/"}}
EXCLUDING = {"DIRECTIVES": {"default-src": ["'self'"]}, "EXCLUDE_URL_PREFIXES": ["/api/docs/"]}


def _plain(request):
    return HttpResponse("page")


def _with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def _status(code):
    return lambda request: HttpResponse("", status=code)


SCENARIOS = {
    "a page": ("/initiatives/", _plain, {}),
    "a page asking for a nonce": ("/initiatives/", _with_nonce, {}),
    "a view that updates the policy": ("/initiatives/", csp_update({"img-src": "https://example.org"})(_plain), {}),
    "a view that replaces a directive": ("/initiatives/", csp_replace({"script-src": None})(_plain), {}),
    "an exempt view": ("/initiatives/", csp_exempt()(_plain), {}),
    "report-only configured too": ("/initiatives/", _plain, {"CONTENT_SECURITY_POLICY_REPORT_ONLY": REPORT_ONLY}),
    "a prefix the policy skips": ("/api/docs/", _plain, {"CONTENT_SECURITY_POLICY": EXCLUDING}),
    "a prefix it does not skip": ("/api/v1/", _plain, {"CONTENT_SECURITY_POLICY": EXCLUDING}),
    "a not-found page in DEBUG": ("/nothing/", _status(404), {"DEBUG": True}),
    "a not-found page": ("/nothing/", _status(404), {}),
}


def _headers(middleware_class, path, view):
    response = middleware_class(view)(RequestFactory().get(path))
    return {name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY)}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_headers_are_django_csps_own(scenario):
    path, view, changed = SCENARIOS[scenario]
    with override_settings(**changed):
        ours = _headers(CSPMiddleware, path, view)
        ours_again = _headers(CSPMiddleware, path, view)  # the second response uses the kept policy
        theirs = _headers(DjangoCSPMiddleware, path, view)
    assert ours == ours_again == theirs


def test_a_changed_setting_is_followed_not_the_policy_kept_before():
    before = _headers(CSPMiddleware, "/", _plain)[HEADER]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _headers(CSPMiddleware, "/", _plain)[HEADER] == "default-src 'none'"
    assert _headers(CSPMiddleware, "/", _plain)[HEADER] == before


@pytest.mark.django_db
def test_a_page_allows_nothing_from_elsewhere(client, executive):
    client.force_login(executive)
    policy = dict(d.strip().split(" ", 1) for d in client.get("/initiatives/")[HEADER].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in "".join(policy.values())
