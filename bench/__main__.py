"""Run the benchmarks: `python -m bench` (all) or `python -m bench rollups api`."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")


def _ensure_database() -> None:
    """Create the bench database on the server if it is missing, then migrate it."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db.get("USER") or "postgres", "host": db.get("HOST") or db.get("OPTIONS", {}).get("host") or None,
              "port": db.get("PORT") or None, "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def main(argv: list[str]) -> int:
    import bench

    known = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    names = argv or known
    if unknown := [name for name in names if name not in known]:
        print(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(known)}", file=sys.stderr)
        return 2
    if len(names) > 1:
        # One process a benchmark: peak memory, caches and the collector's state are each its own
        # (run in one process, the import's peak memory included what the API bench left behind).
        command = [sys.executable, "-m", "bench"]
        failed = [name for name in names if subprocess.run([*command, name]).returncode != 0]  # noqa: S603 (our own modules)
        if failed:
            print(f"failed: {', '.join(failed)}", flush=True)
        return 1 if failed else 0

    import django

    django.setup()
    _ensure_database()
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== bench.{name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        started = time.perf_counter()
        module.run()
        print(f"--- bench.{name} took {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
