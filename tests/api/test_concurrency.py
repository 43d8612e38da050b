"""Two clients PATCH the same entry with the same If-Match at the same moment: exactly one wins,
the other gets 412, and the audit shows one change (the version is re-checked under the row lock)."""

from __future__ import annotations

import threading

from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benefits.models import AuditEvent, Entry
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
