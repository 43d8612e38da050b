"""Transactional tests (real commits, a real worker) start from a flushed database: seed it again."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps


@pytest.fixture
def reference_data(transactional_db):
    """The trusts, confidence weights and targets of migration 0002, as every environment has them.

    (`serialized_rollback` cannot restore them: it re-saves audit rows, which the database refuses.)
    """
    importlib.import_module("benefits.migrations.0002_seed_reference_data").seed(apps, None)
