"""Settings for the test suite: fast hashing, no lockouts, its own media folder."""

import os

from .base import *
from .base import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
MEDIA_ROOT = BASE_DIR / "var" / "test-media" / str(os.getpid())
# Several runs may share one server (helpers, CI): give each its own test database.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", f"test_benefits_{os.getpid()}")}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
