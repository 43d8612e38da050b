"""The cast (per trust: programme office, finance, executive; an admin; an outsider) and helpers."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps

from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests that need a real broker and worker: skipped without Redis, unless REQUIRE_SERVICES=1."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith("redis://"):
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        raise pytest.UsageError("REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not a Redis URL.")
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL=redis://… (a real broker and worker); CI sets it")
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(skip)


_seed_module = importlib.import_module("benefits.migrations.0002_seed_reference_data")
TRANSACTIONAL = {"transactional_db", "live_server"}


def ensure_reference_data() -> None:
    """RYE, RYD, the confidence weights and the two targets, as the data migration seeds them.

    A transactional test ends by emptying every table; the next test puts them back here
    (get_or_create: a few cheap queries when they are present)."""
    _seed_module.seed(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", *TRANSACTIONAL}:
        return
    transactional = bool(names & TRANSACTIONAL) or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    ensure_reference_data()


@pytest.fixture
def pmo_rye(db):
    ensure_reference_data()
    return UserFactory(username="pmo.rye", first_name="Priya", last_name="Patel", role="programme_office", orgs=["RYE"])


@pytest.fixture
def pmo_ryd(db):
    ensure_reference_data()
    return UserFactory(username="pmo.ryd", first_name="Dan", last_name="Davies", role="programme_office", orgs=["RYD"])


@pytest.fixture
def finance_rye(db):
    ensure_reference_data()
    return UserFactory(username="finance.rye", first_name="Fiona", last_name="Reid", role="finance", orgs=["RYE"])


@pytest.fixture
def finance_ryd(db):
    ensure_reference_data()
    return UserFactory(username="finance.ryd", first_name="Frank", last_name="Doyle", role="finance", orgs=["RYD"])


@pytest.fixture
def executive(db):
    ensure_reference_data()
    return UserFactory(username="exec", first_name="Eve", last_name="Exton", role="executive", orgs=["RYE", "RYD"])


@pytest.fixture
def admin_user(db):
    ensure_reference_data()
    return UserFactory(username="admin", first_name="Ada", last_name="Admin", role="admin")


@pytest.fixture
def outsider(db):
    """Signed in, but with no role: may read nothing and write nothing."""
    ensure_reference_data()
    return UserFactory(username="outsider", role="", orgs=[])
