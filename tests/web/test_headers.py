"""Every page carries django-csp's Content-Security-Policy, which allows nothing from elsewhere."""

from __future__ import annotations

import pytest
from csp.constants import HEADER

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response[HEADER].split(";"))


def test_a_page_allows_nothing_from_elsewhere(client, executive):
    client.force_login(executive)
    policy = _policy(client.get("/initiatives/"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == policy["font-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert "http" not in "".join(policy.values())


def test_the_sign_in_page_and_error_pages_carry_the_policy_too(client, executive):
    assert _policy(client.get("/accounts/login/"))["script-src"] == "'self'"
    client.force_login(executive)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and _policy(response)["default-src"] == "'self'"
