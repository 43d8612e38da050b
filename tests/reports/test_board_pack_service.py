"""Requesting and building board packs without rendering a full pack (fast): rights, queueing, failure."""

from __future__ import annotations

import pytest
from django.db import connections

from benefits.errors import NotAllowed, ValidationFailed
from benefits.models import AuditEvent, BoardPack, OutboxMessage
from benefits.services import board_packs


def test_an_executive_request_queues_the_pack_and_its_build_in_one_step(executive):
    pack = board_packs.request_board_pack(user=executive, as_at="2025-10")
    assert (pack.status, pack.progress, pack.as_at, pack.created_by) == ("queued", 0, "2025-10", executive)
    message = OutboxMessage.objects.get(task="benefits.tasks.build_board_pack")
    assert message.kwargs == {"board_pack_id": pack.pk} and message.dispatched_at is None
    event = AuditEvent.objects.get(object_type="board_pack", object_id=str(pack.pk))
    assert (event.action, event.actor, event.changes["as_at"]) == ("benefits.board_pack.requested", "exec", [None, "2025-10"])


@pytest.mark.parametrize("who", ["finance_rye", "pmo_rye", "outsider"])
def test_only_executives_and_admins_may_request_a_pack(request, who):
    with pytest.raises(NotAllowed):
        board_packs.request_board_pack(user=request.getfixturevalue(who), as_at="2025-10")
    assert not BoardPack.objects.exists() and not OutboxMessage.objects.exists()


def test_a_malformed_month_is_refused_naming_the_field(executive):
    with pytest.raises(ValidationFailed) as refused:
        board_packs.request_board_pack(user=executive, as_at="2025-13")
    assert refused.value.field == "as_at"
    assert not BoardPack.objects.exists()


def test_a_failed_build_ends_failed_with_a_readable_error(executive, monkeypatch):
    pack = board_packs.request_board_pack(user=executive, as_at="2025-10")
    monkeypatch.setattr(board_packs, "TEMPLATE", "reports/no_such_template.html")
    built = board_packs.build_board_pack(board_pack_id=pack.pk)
    assert built.status == "failed"
    assert built.error.startswith("The board pack for 2025-10 could not be built: reports/no_such_template.html.")
    assert f"quote board pack {pack.pk}" in built.error
    assert built.progress < 100 and built.finished_at is not None and not built.file and built.sha256 == ""
    assert built.snapshot is not None  # taken before the failure; a new request takes a fresh one
    actions = list(AuditEvent.objects.filter(object_type="board_pack").order_by("id").values_list("action", flat=True))
    assert actions == ["benefits.board_pack.requested", "benefits.board_pack.failed"]


def test_building_a_pack_that_is_done_changes_nothing(executive):
    pack = board_packs.request_board_pack(user=executive, as_at="2025-10")
    BoardPack.objects.filter(pk=pack.pk).update(status="done", progress=100, sha256="a" * 64)
    again = board_packs.build_board_pack(board_pack_id=pack.pk)
    assert (again.status, again.sha256, again.snapshot) == ("done", "a" * 64, None)


def test_building_a_pack_that_no_longer_exists_is_a_quiet_no_op(db):
    assert board_packs.build_board_pack(board_pack_id=987654) is None


def test_a_duplicate_delivery_leaves_while_another_worker_builds(executive):
    pack = board_packs.request_board_pack(user=executive, as_at="2025-10")
    other = connections.create_connection("default")  # the other worker's session
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('benefits.board_pack'), %s)", [pack.pk])
        again = board_packs.build_board_pack(board_pack_id=pack.pk)
        assert (again.status, again.progress, again.snapshot) == ("queued", 0, None)
    finally:
        other.close()
