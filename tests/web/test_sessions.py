"""Sessions that read their user and the user's trusts in one query (benefits.sessions, ADR 0045).

What a user would notice: pages are signed in as the right person with the right trusts, and
everything Django refuses for a session (wrong password hash, inactive user, expiry, sign-out)
is still refused, whatever the session row has preloaded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benefits.models import Organisation, UserSession
from benefits.sessions import SessionStore, SessionUserBackend

pytestmark = pytest.mark.django_db


def _signed_in_page(client):
    return client.get("/no-such-page/")  # a signed-in page with nothing of its own to read


def test_a_signed_in_page_reads_session_user_and_trusts_in_one_query(client, pmo_rye):
    client.force_login(pmo_rye)
    _signed_in_page(client)
    with CaptureQueriesContext(connection) as ctx:
        response = _signed_in_page(client)
    assert response.status_code == 404
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    assert "Priya Patel" in response.text and "RYE" in response.text


def test_the_header_lists_every_trust_of_the_user_in_code_order(client, executive):
    client.force_login(executive)
    assert "Executive · RYD, RYE" in _signed_in_page(client).text


def test_a_change_of_trusts_shows_on_the_next_page(client, pmo_rye):
    client.force_login(pmo_rye)
    assert "· RYE<" in _signed_in_page(client).text.replace("</span>", "<")
    pmo_rye.organisations.add(Organisation.objects.get(code="RYD"))
    assert "RYD, RYE" in _signed_in_page(client).text


def test_the_trusts_read_with_the_session_decide_who_may_edit(client, pmo_ryd, pmo_rye, scheme):
    initiative, _ = scheme  # RYE's scheme
    client.force_login(pmo_ryd)
    assert client.get(f"/initiatives/{initiative.ref}/edit/").status_code == 403
    client.force_login(pmo_rye)
    assert client.get(f"/initiatives/{initiative.ref}/edit/").status_code == 200


def test_the_session_row_names_its_user_and_signing_out_removes_it(client, pmo_rye):
    response = client.post("/accounts/login/", {"username": "pmo.rye", "password": "test-password-123"})
    assert response.status_code == 302
    row = UserSession.objects.get(session_key=client.cookies["sessionid"].value)
    assert row.user_id == pmo_rye.pk
    client.post("/accounts/logout/")
    assert not UserSession.objects.filter(pk=row.pk).exists()
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
    assert client.get("/initiatives/").status_code == 302  # Django's session hash check still runs


def test_an_expired_session_is_not_signed_in(client, pmo_rye):
    client.force_login(pmo_rye)
    UserSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/initiatives/").status_code == 302
    call_command("clearsessions")
    assert not UserSession.objects.exists()


def test_the_preloaded_user_is_only_taken_for_the_same_user_inside_a_request(pmo_rye, pmo_ryd):
    store = SessionStore()
    store[SESSION_KEY] = str(pmo_rye.pk)
    store.save()
    loaded = SessionStore(store.session_key)
    loaded.load()
    assert loaded.user.pk == pmo_rye.pk and loaded.user.trust_codes() == ["RYE"]
    backend = SessionUserBackend()
    with CaptureQueriesContext(connection) as ctx:  # outside a request: queried as Django's backend does
        assert backend.get_user(pmo_rye.pk).pk == pmo_rye.pk
    assert len(ctx.captured_queries) == 1
    assert backend.get_user(pmo_ryd.pk).pk == pmo_ryd.pk  # another id is never answered from the session


def test_an_anonymous_session_has_no_user(client, pmo_rye):
    client.post("/accounts/login/", {"username": "pmo.rye", "password": "wrong"})
    for row in UserSession.objects.all():
        assert row.user_id is None


def test_the_user_read_with_the_session_is_the_user_the_orm_reads(executive):
    """Every column, as Django would convert it: a field the hand-written load got wrong would show here."""
    store = SessionStore()
    store[SESSION_KEY] = str(executive.pk)
    store.save()
    loaded = SessionStore(store.session_key)
    loaded.load()
    fresh = type(executive).objects.get(pk=executive.pk)
    for f in fresh._meta.concrete_fields:
        assert getattr(loaded.user, f.attname) == getattr(fresh, f.attname), f.name
    assert loaded.user._state.adding is False and loaded.user._state.db == "default"
    assert loaded.user.trust_codes() == ["RYD", "RYE"]
    assert loaded.user._trust_ids == set(fresh.organisations.values_list("id", flat=True))


def test_a_user_with_no_trust_is_shown_as_such(client, admin_user):
    admin_user.organisations.clear()
    client.force_login(admin_user)
    assert "no trust" in client.get("/no-such-page/").text


def _prepared_session_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%benefits_usersession%%'")
        return cursor.fetchone()[0]


def test_the_session_statement_is_prepared_once_per_connection(client, pmo_rye):
    client.force_login(pmo_rye)
    for _ in range(3):
        assert _signed_in_page(client).status_code == 404
    assert _prepared_session_statements() == 1


def test_without_prepared_statements_sessions_load_the_same(client, pmo_rye, monkeypatch):
    """DJANGO_DB_PREPARED_STATEMENTS=0 (behind a transaction pooler): the statement is parsed each time."""
    client.force_login(pmo_rye)
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    before = _prepared_session_statements()  # 1 if an earlier test on this connection prepared it
    response = _signed_in_page(client)
    assert "Priya Patel" in response.text and "RYE" in response.text
    assert _prepared_session_statements() == before


def test_the_kept_header_follows_the_user_their_role_and_the_page(client, executive, finance_rye):
    """The header's items carry their own cache key (presenters.KeyedItems): each user, role and page gets its own."""
    import re

    def current_and_links(response):
        header = response.text.split("</header>")[0]
        current = re.findall(r'aria-current="page"><strong[^>]*>([^<]+)<', header)
        return current, header

    client.force_login(finance_rye)
    current, header = current_and_links(client.get("/initiatives/"))
    assert "Validation queue" in header and current == ["Register"] and finance_rye.get_full_name() in header
    current, _ = current_and_links(client.get("/"))
    assert current == ["Dashboard"]
    client.force_login(executive)
    current, header = current_and_links(client.get("/initiatives/"))
    assert "Validation queue" not in header and current == ["Register"]
    assert executive.get_full_name() in header and finance_rye.get_full_name() not in header


def test_a_tampered_session_is_refused_after_the_genuine_one_was_read(client, pmo_rye):
    """Sessions are verified once per signed value (SessionStore.decode): a look-alike is a new value, checked afresh."""
    client.force_login(pmo_rye)
    assert client.get("/initiatives/").status_code == 200
    row = UserSession.objects.get(session_key=client.cookies["sessionid"].value)
    payload, signature = row.session_data.rsplit(":", 1)
    UserSession.objects.filter(pk=row.pk).update(session_data=f"{payload}:{signature[::-1]}")
    assert client.get("/initiatives/").status_code == 302
    UserSession.objects.filter(pk=row.pk).update(session_data=row.session_data)
    assert client.get("/initiatives/").status_code == 200


def test_a_read_session_is_a_copy_a_request_may_change(pmo_rye):
    store = SessionStore()
    store[SESSION_KEY] = str(pmo_rye.pk)
    store["basket"] = ["kept"]
    store.save()
    first = SessionStore(store.session_key)
    first["basket"].append("changed in one request only")
    again = SessionStore(store.session_key)
    assert again["basket"] == ["kept"]


def test_a_session_signed_with_a_retired_secret_key_no_longer_reads(client, pmo_rye, settings):
    client.force_login(pmo_rye)
    key = client.cookies["sessionid"].value
    assert SessionStore(key).get(SESSION_KEY) == str(pmo_rye.pk)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert SessionStore(key).get(SESSION_KEY) is None
    assert client.get("/initiatives/").status_code == 302


@pytest.mark.parametrize("who", ["pmo_rye", "finance_rye", "executive", "admin_user"])
def test_the_navigation_lists_the_pages_each_role_may_use(client, who, request):
    """Worked out once per role (presenters._navigation): it must still be exactly what `policy.can` allows the user."""
    import re

    from benefits.policy import can
    from benefits.web.presenters import NAV

    user = request.getfixturevalue(who)
    client.force_login(user)
    header = client.get("/initiatives/").text.split("</header>")[0]
    shown = re.findall(r'class="nhsuk-header__navigation-link"[^>]*>(?:<strong[^>]*>)?([^<]+)<', header)
    assert shown == [text for _, text, _, action in NAV if can(user, action)]
    assert shown[:2] == ["Dashboard", "Register"]
