"""A real Celery worker, against the Redis broker, takes a snapshot end to end (CI sets the broker)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from benefits import tasks
from benefits.models import RollupSnapshot
from tests.worked_example import build

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """This test run's database, for the worker process (pytest-django renamed it in this process only)."""
    s = connection.settings_dict
    user, password = quote(s.get("USER") or ""), quote(s.get("PASSWORD") or "")
    host = s.get("HOST") or (s.get("OPTIONS") or {}).get("host") or ""
    if host.startswith("/"):  # a socket folder (the embedded server)
        return f"postgres://{user}:{password}@/{s['NAME']}?host={quote(host)}"
    return f"postgres://{user}:{password}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def worker(reference_data):
    """`celery -A config worker` on a queue of its own, so no other run's worker takes our tasks."""
    queue = f"test-snapshots-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": test_database_url(),
        "TEST_DB_NAME": connection.settings_dict["NAME"],
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    log = open(ROOT / "var" / f"{queue}.log", "w+")  # noqa: SIM115 - read back on failure
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        print(log.read()[-4000:])  # shown by pytest when the test failed
        log.close()
        os.unlink(log.name)


def wait_for(predicate, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def wait_for_job(model, job_id: int, seconds: float = 120) -> list[int]:
    """Poll a background job (board pack, export) as its page does until it ends; the progress values seen."""
    seen: list[int] = []

    def finished() -> bool:
        row = model.objects.get(pk=job_id)
        if not seen or seen[-1] != row.progress:
            seen.append(row.progress)
        return row.status in ("done", "failed")

    assert wait_for(finished, seconds=seconds), f"still not finished; progress seen {seen}"
    return seen


def test_a_real_worker_takes_a_snapshot_once_however_often_it_is_asked(worker, admin_user, finance_rye):
    build(author=admin_user, validator=finance_rye)
    first = {"as_at": "2025-06", "trigger": "period_close", "trigger_key": "period_close:2025-06:worker"}
    tasks.take_snapshot.apply_async(kwargs=first, queue=worker)
    assert wait_for(lambda: RollupSnapshot.objects.filter(trigger_key=first["trigger_key"]).exists()), "no snapshot"
    snapshot = RollupSnapshot.objects.get(trigger_key=first["trigger_key"])
    assert snapshot.payload["rollups"]["none"]["total"]["forecast_fy"] == "167950.00"
    assert snapshot.payload["rollups"]["organisation"]["rows"][0]["key"] == "RYD"

    # A duplicate delivery, then a marker task behind it on the same queue (one worker, in order).
    tasks.take_snapshot.apply_async(kwargs=first, queue=worker)
    marker = {**first, "trigger_key": "period_close:2025-06:marker"}
    tasks.take_snapshot.apply_async(kwargs=marker, queue=worker)
    assert wait_for(lambda: RollupSnapshot.objects.filter(trigger_key=marker["trigger_key"]).exists()), "marker not taken"
    assert RollupSnapshot.objects.filter(trigger_key=first["trigger_key"]).count() == 1
