"""A real Celery worker builds a large register export end to end, reporting progress (CI sets the Redis broker)."""

from __future__ import annotations

import pytest

from benefits import tasks
from benefits.models import ExportJob
from benefits.services import exports as export_services
from tests.factories import make_initiative, make_line, put
from tests.tasks.test_worker import wait_for_job, worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_export_and_its_progress_only_goes_up(worker, pmo_rye):  # noqa: F811
    for n in range(3):
        line = make_line(pmo_rye, make_initiative(pmo_rye, title=f"Scheme {n}"))
        put(pmo_rye, line, "plan", ["2025-04", "2025-05"], "100.00")
    job = export_services.request_register_export(user=pmo_rye, filters={}, fy=None, lines=3)
    tasks.build_register_export.apply_async(kwargs={"export_id": job.pk}, queue=worker)
    seen = wait_for_job(ExportJob, job.pk)
    row = ExportJob.objects.get(pk=job.pk)
    assert (row.status, row.error, row.progress) == ("done", "", 100)
    assert seen == sorted(seen) and seen[-1] == 100
    assert len(row.sha256) == 64 and row.size_bytes > 4_000 and row.file.name.endswith(".xlsx")
