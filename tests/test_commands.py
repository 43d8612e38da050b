"""The management commands a new user runs: add_user and seed_demo."""

import io
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from benefits.models import AuditEvent, Entry, Initiative, Period, User, Workstream

pytestmark = pytest.mark.django_db


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_add_user_creates_a_user_with_role_trusts_and_password_from_stdin():
    message = run("add_user", "jane", "--role", "programme_office", "--org", "RYE", "--org", "RYD",
                  "--name", "Jane Smith", "--password-stdin", stdin="a-long-enough-password\n")
    user = User.objects.get(username="jane")
    assert "Created jane" in message
    assert user.role == "programme_office"
    assert sorted(user.organisations.values_list("code", flat=True)) == ["RYD", "RYE"]
    assert user.check_password("a-long-enough-password")
    assert user.get_full_name() == "Jane Smith"
    assert AuditEvent.objects.filter(action="benefits.user.created", object_id="jane").exists()


def test_add_user_refuses_an_unknown_trust_and_a_missing_password():
    with pytest.raises(CommandError, match="Unknown organisation"):
        run("add_user", "bob", "--role", "finance", "--org", "XXX", "--password-stdin", stdin="a-long-enough-password\n")
    with pytest.raises(CommandError, match="standard input"):
        run("add_user", "bob", "--role", "finance")
    assert not User.objects.filter(username="bob").exists()


def test_seed_demo_loads_realistic_data_once():
    run("seed_demo")
    initiatives = Initiative.objects.count()
    entries = Entry.objects.count()
    assert initiatives >= 30
    assert Workstream.objects.count() >= 6
    assert Initiative.objects.filter(organisations__code="RYE").filter(organisations__code="RYD").exists()
    assert {"RYE", "RYD"} <= set(Initiative.objects.values_list("lead_organisation__code", flat=True))
    assert Entry.objects.filter(period="2025-04").exists() and Entry.objects.filter(period="2027-03").exists()
    assert Period.objects.filter(period="2026-09", status="closed").exists()
    assert Entry.objects.filter(series="actual", status="validated", period__lte="2026-09").exists()
    assert Entry.objects.filter(series="actual", status="submitted").exists()
    assert not Entry.objects.filter(series="actual", period__lte="2026-09").exclude(status="validated").exists()
    assert all(isinstance(v, Decimal) for v in Entry.objects.values_list("value_gbp", flat=True)[:50])
    for username in ("pmo.rye", "pmo.ryd", "finance.rye", "finance.ryd", "exec", "admin"):
        assert User.objects.get(username=username).check_password("demo-password-2025")
    run("seed_demo")
    assert (Initiative.objects.count(), Entry.objects.count()) == (initiatives, entries)
