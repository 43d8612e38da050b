"""Production settings fail closed and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres", DJANGO_ALLOWED_HOSTS="tracker.example")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_a_short_or_default_secret_key():
    result = manage("check", DJANGO_SECRET_KEY="insecure-local-development-key-not-for-production",
                    DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres", DJANGO_ALLOWED_HOSTS="tracker.example")
    assert result.returncode != 0
    assert "long random value" in result.stderr


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    DJANGO_SECRET_KEY=secrets.token_urlsafe(60), DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
                    DJANGO_ALLOWED_HOSTS="tracker.example")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
