"""A real Celery worker builds a board pack end to end, reporting progress (CI sets the Redis broker)."""

from __future__ import annotations

import pytest

from benefits import tasks
from benefits.models import BoardPack
from benefits.services import board_packs
from tests.tasks.conftest import reference_data  # noqa: F401  (fixture)
from tests.tasks.test_worker import wait_for_job, worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_pack_and_its_progress_only_goes_up(worker, executive):  # noqa: F811
    pack = board_packs.request_board_pack(user=executive, as_at="2025-06")
    tasks.build_board_pack.apply_async(kwargs={"board_pack_id": pack.pk}, queue=worker)
    seen = wait_for_job(BoardPack, pack.pk)
    row = BoardPack.objects.get(pk=pack.pk)
    assert (row.status, row.error, row.progress) == ("done", "", 100)
    assert seen == sorted(seen) and seen[-1] == 100
    assert row.pages >= 8 and len(row.sha256) == 64 and row.size_bytes > 10_000 and row.snapshot_id is not None
