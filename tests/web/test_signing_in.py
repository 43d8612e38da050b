"""Signing in, staying signed in and the header: Django's own sessions and authentication (ADR 0044).

What a user would notice: pages are signed in as the right person with the right trusts and
navigation, and everything Django refuses for a session (wrong password hash, inactive user,
expiry, sign-out) is refused.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benefits.models import Organisation
from benefits.policy import can
from benefits.web.layout import NAV

pytestmark = pytest.mark.django_db


def _signed_in_page(client):
    return client.get("/no-such-page/")  # a signed-in page with nothing of its own to read


def _header(response) -> str:
    return response.text.split("</header>")[0]


def test_a_signed_in_page_starts_with_three_queries(client, pmo_rye):
    client.force_login(pmo_rye)
    _signed_in_page(client)
    with CaptureQueriesContext(connection) as ctx:
        response = _signed_in_page(client)
    # the session, its user (Django's AuthenticationMiddleware), the user's trusts (the header)
    assert len(ctx.captured_queries) == 3, [q["sql"] for q in ctx.captured_queries]
    assert response.status_code == 404
    assert "Priya Patel" in response.text and "Programme office · RYE" in response.text


def test_the_header_lists_every_trust_of_the_user_in_code_order(client, executive):
    client.force_login(executive)
    assert "Executive · RYD, RYE" in _signed_in_page(client).text


def test_a_change_of_trusts_shows_on_the_next_page(client, pmo_rye):
    client.force_login(pmo_rye)
    assert "· RYE<" in _signed_in_page(client).text.replace("</span>", "<")
    pmo_rye.organisations.add(Organisation.objects.get(code="RYD"))
    assert "RYD, RYE" in _signed_in_page(client).text


def test_a_user_with_no_trust_is_shown_as_such(client, admin_user):
    admin_user.organisations.clear()
    client.force_login(admin_user)
    assert "Administrator · no trust" in _signed_in_page(client).text


def test_the_users_trusts_decide_who_may_edit(client, pmo_ryd, pmo_rye, scheme):
    initiative, _ = scheme  # RYE's scheme
    client.force_login(pmo_ryd)
    assert client.get(f"/initiatives/{initiative.ref}/edit/").status_code == 403
    client.force_login(pmo_rye)
    assert client.get(f"/initiatives/{initiative.ref}/edit/").status_code == 200


def test_signing_in_keeps_a_session_and_signing_out_ends_it(client, pmo_rye):
    response = client.post("/accounts/login/", {"username": "pmo.rye", "password": "test-password-123"})
    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).get_decoded()["_auth_user_id"] == str(pmo_rye.pk)
    assert client.get("/initiatives/").status_code == 200
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/initiatives/").status_code == 302  # back to sign in


def test_a_deactivated_user_is_signed_out_at_the_next_page(client, pmo_rye):
    client.force_login(pmo_rye)
    assert client.get("/initiatives/").status_code == 200
    pmo_rye.is_active = False
    pmo_rye.save(update_fields=["is_active"])
    response = client.get("/initiatives/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_new_password_ends_the_other_sessions(client, pmo_rye):
    client.force_login(pmo_rye)
    assert client.get("/initiatives/").status_code == 200
    pmo_rye.set_password("another-password-456")
    pmo_rye.save(update_fields=["password"])
    assert client.get("/initiatives/").status_code == 302


def test_an_expired_session_is_not_signed_in_and_is_cleared(client, pmo_rye):
    client.force_login(pmo_rye)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/initiatives/").status_code == 302
    call_command("clearsessions")
    assert not Session.objects.exists()


def test_the_header_marks_the_current_page_for_each_user(client, executive, finance_rye):
    def current(response):
        return re.findall(r'aria-current="page"><strong[^>]*>([^<]+)<', _header(response))

    client.force_login(finance_rye)
    response = client.get("/initiatives/")
    assert current(response) == ["Register"] and "Validation queue" in _header(response)
    assert current(client.get("/")) == ["Dashboard"]
    client.force_login(executive)
    header = _header(client.get("/initiatives/"))
    assert "Validation queue" not in header and "Eve Exton" in header and "Fiona Reid" not in header


@pytest.mark.parametrize("who", ["pmo_rye", "finance_rye", "executive", "admin_user"])
def test_the_navigation_lists_the_pages_each_role_may_use(client, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    header = _header(client.get("/initiatives/"))
    shown = re.findall(r'class="nhsuk-header__navigation-link"[^>]*>(?:<strong[^>]*>)?([^<]+)<', header)
    assert shown == [text for _, text, _, action in NAV if can(user, action)]
    assert shown[:2] == ["Dashboard", "Register"]
