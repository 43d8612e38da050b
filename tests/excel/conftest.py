"""Fixtures of the Excel tests: an API client per member of the cast, a workstream to import into."""

from __future__ import annotations

import pytest

from tests.api.conftest import client_for
from tests.factories import WorkstreamFactory


@pytest.fixture
def api():
    return client_for


@pytest.fixture
def procurement(db):
    return WorkstreamFactory(code="PROC", name="Joint procurement")
