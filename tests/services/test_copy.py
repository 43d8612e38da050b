"""COPY's text format (services/copy.py): whatever text a value holds, it arrives exactly as sent."""

from __future__ import annotations

import pytest
from django.db import connection

from benefits.models import AuditEvent, ImportBatch
from benefits.services import audit, copy

pytestmark = pytest.mark.django_db

HOSTILE = [
    "plain",
    "a\ttab",
    "two\nlines",
    "carriage\r\nreturn",
    "back\\slash",
    "\\N",  # the text of NULL, as a value: must stay text
    "\\t is not a tab",
    "ends with a backslash \\",
    "",
    "£ and ü and 🚑",
    "\t\n\r\\",
]


@pytest.fixture
def scratch():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_scratch (n integer, note text, extra text, shared text)")
    yield "copy_scratch"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE copy_scratch")


def read_back(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT n, note, extra, shared FROM {table} ORDER BY n")
        return cursor.fetchall()


def test_hostile_text_and_nulls_round_trip_exactly(scratch):
    rows = [(n, text, None if n % 2 else text[::-1]) for n, text in enumerate(HOSTILE)]
    count = copy.copy_rows(table=scratch, columns=("n", "note", "extra", "shared"), rows=iter(rows), same=("a\tb\\N\n",))
    assert count == len(HOSTILE)
    assert read_back(scratch) == [(*row, "a\tb\\N\n") for row in rows]


def test_rows_encoded_ahead_and_sent_in_blocks_of_any_size_arrive_whole(scratch):
    tail = copy.row_tail(("shared\\value",))
    text = "".join(copy.row_text((n, value, None), tail) for n, value in enumerate(HOSTILE))
    blocks = [text[i : i + 7] for i in range(0, len(text), 7)]  # blocks that split rows and escapes
    copy.copy_text(table=scratch, columns=("n", "note", "extra", "shared"), blocks=blocks)
    assert read_back(scratch) == [(n, value, None, "shared\\value") for n, value in enumerate(HOSTILE)]


def test_a_bulk_audit_keeps_reasons_and_changes_exactly_as_written(admin_user):
    batch = ImportBatch.objects.create(filename="t.xlsx", sha256="0" * 64, created_by=admin_user)
    events = [
        audit.Event("benefits.entry.updated", "entry", str(n), {"note": [None, text]}, f"Reason:\n{text}")
        for n, text in enumerate(HOSTILE * 50)  # above the threshold at which record_many COPYs
    ]
    assert len(events) > audit.COPY_THRESHOLD
    assert audit.record_many(events, user=admin_user, import_batch=batch) == len(events)
    stored = AuditEvent.objects.filter(import_batch=batch).order_by("id")
    assert [(e.object_id, e.changes, e.reason) for e in stored] == [
        (e.object_id, e.changes, e.reason) for e in events
    ]
    assert {(e.actor, e.user_id) for e in stored} == {(admin_user.username, admin_user.pk)}
