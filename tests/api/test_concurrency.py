"""What concurrent clients see: two PATCHes with one If-Match (one wins, the other gets 412), two
POSTs with one Idempotency-Key (one creates, the other replays it), and a POST that fails with a 500
on a pooled connection (its key's lock is released, so a retry from another worker goes through)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benefits.api.idempotency import advisory_lock_id
from benefits.models import AuditEvent, Entry, Workstream
from benefits.services import register as register_services
from tests.factories import make_initiative, make_line, put


def test_two_patches_with_the_same_if_match_one_wins_the_other_gets_412(
    transactional_db, pmo_rye, admin_user
):
    (entry,) = put(pmo_rye, make_line(pmo_rye, make_initiative(pmo_rye)), "plan", ["2025-04"], "10.00")
    tokens = [Token.objects.create(user=u).key for u in (pmo_rye, admin_user)]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def patch(token: str, quantity: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            start.wait(timeout=10)
            response = client.patch(f"/api/v1/entries/{entry.pk}/", {"quantity": quantity}, format="json", HTTP_IF_MATCH='"1"')
            statuses.append(response.status_code)
        finally:
            connection.close()  # each thread has its own real connection

    threads = [threading.Thread(target=patch, args=(t, q)) for t, q in zip(tokens, ("11.00", "12.00"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(statuses) == [200, 412]
    stored = Entry.objects.get(pk=entry.pk)
    assert stored.version == 2
    changes = AuditEvent.objects.filter(object_type="entry", object_id=str(entry.pk), action="benefits.entry.updated")
    assert changes.count() == 1
    assert changes.get().changes["quantity"][1] == str(stored.quantity)


WORKSTREAM = {"code": "FLEET", "name": "Fleet"}


def _post_workstream(token: str, key: str, client: APIClient | None = None):
    client = client or APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.post("/api/v1/workstreams/", WORKSTREAM, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_two_posts_with_one_idempotency_key_at_once_create_once_and_the_second_replays_the_first(transactional_db, pmo_rye):
    token = Token.objects.create(user=pmo_rye).key
    start = threading.Barrier(2)
    responses: list = []

    def post() -> None:
        try:
            start.wait(timeout=10)
            responses.append(_post_workstream(token, "fleet-once"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert [r.status_code for r in responses] == [201, 201]
    assert sorted(r.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert responses[0].json() == responses[1].json()
    assert Workstream.objects.filter(code="FLEET").count() == 1


def _on_another_connection(work):
    """Run `work` on a thread of its own, hence on a database connection of its own (another worker)."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=60)


def test_a_post_that_fails_with_a_500_on_a_pooled_connection_leaves_its_key_free_for_a_retry(
    transactional_db, pmo_rye, monkeypatch
):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)  # the server keeps connections open
    connection.close()  # the next request connects afresh, pooled
    token = Token.objects.create(user=pmo_rye).key

    def fall_over(**kwargs):
        raise RuntimeError("the database server went away mid-write")

    with monkeypatch.context() as patched:
        patched.setattr(register_services, "create_workstream", fall_over)
        failed = _post_workstream(token, "fleet-retry", APIClient(raise_request_exception=False))
    close_old_connections()  # what the server does after every request: a pooled connection stays open
    assert failed.status_code == 500
    assert connection.connection is not None, "the request's connection is still open, as in a pooled server"

    lock = advisory_lock_id(pmo_rye.pk, "fleet-retry")

    def lock_is_free() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
        return free

    assert _on_another_connection(lock_is_free), "the failed request still holds its Idempotency-Key's lock"

    def retry():
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a held lock fails the retry instead of hanging the test
        return _post_workstream(token, "fleet-retry")

    retried = _on_another_connection(retry)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried  # the 500 was not stored: the retry really created it
    assert Workstream.objects.filter(code="FLEET").count() == 1
