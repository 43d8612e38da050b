"""Benchmarks: the configured (or embedded) server, in a database of their own."""

import os

from .base import *
from .base import DATABASES

DEBUG = False
DATABASES["default"]["NAME"] = os.environ.get("BENCH_DB_NAME", "benefits_bench")
AXES_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True}
