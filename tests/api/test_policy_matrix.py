"""Every endpoint × every member of the cast, from tests/policy_matrix.py: the exact status, and no
audit row (so no change) whenever the answer is not a success."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benefits.models import AuditEvent, Target
from benefits.services import entries as entry_services
from benefits.services import periods as period_services
from tests.factories import WorkstreamFactory, make_initiative, make_line, make_unit_cost, put
from tests.policy_matrix import ROLES, ROWS, Row


def _client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def world(pmo_rye, pmo_ryd, finance_rye, finance_ryd, executive, admin_user, outsider):
    initiative = make_initiative(pmo_rye, lead="RYE")
    spare = make_initiative(pmo_rye, lead="RYE", title="No lines yet")
    WorkstreamFactory(code="EMPTY", name="Nothing in it")
    line = make_line(pmo_rye, initiative)
    (plan,) = put(pmo_rye, line, "plan", ["2025-05"], "10.00")
    (draft,) = put(pmo_rye, line, "actual", ["2025-05"], "9.00")
    (submitted,) = put(pmo_rye, line, "actual", ["2025-06"], "8.00")
    entry_services.submit_entry(user=pmo_rye, entry=submitted)
    cost = make_unit_cost(finance_ryd)
    return {
        "users": {
            "anon": None,
            "outsider": outsider,
            "pmo_own": pmo_rye,
            "pmo_other": pmo_ryd,
            "finance": finance_rye,
            "executive": executive,
            "admin": admin_user,
        },
        "keys": {
            "ref": initiative.ref,
            "spare": spare.ref,
            "line": line.pk,
            "plan": plan.pk,
            "draft": draft.pk,
            "submitted": submitted.pk,
            "unit_cost": cost.pk,
            "target": Target.objects.order_by("id").first().pk,
            "audit": AuditEvent.objects.order_by("id").first().pk,
        },
        "finance_ryd": finance_ryd,
    }


SETUPS = {"close_april": lambda w: period_services.close_period(user=w["finance_ryd"], period="2025-04")}


def _fill(value, keys):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in keys:
        return keys[value[1:-1]]
    if isinstance(value, str):
        return value.format(**keys)
    if isinstance(value, list):
        return [_fill(v, keys) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, keys) for k, v in value.items()}
    return value


def _status_and_changes(world, row: Row, role: str) -> tuple[int, bool]:
    """Send the row's request as `role` inside a savepoint that is rolled back afterwards."""
    keys = world["keys"]
    with transaction.atomic():
        if row.setup:
            SETUPS[row.setup](world)
        path = _fill(row.path, keys)
        headers = {}
        if row.method in ("PUT", "PATCH", "DELETE"):
            headers["HTTP_IF_MATCH"] = _client(world["users"]["admin"]).get(path)["ETag"]
        audit_before = AuditEvent.objects.count()
        client = _client(world["users"][role])
        response = getattr(client, row.method.lower())(path, _fill(row.body, keys), format="json", **headers)
        changed = AuditEvent.objects.count() != audit_before
        transaction.set_rollback(True)
    return response.status_code, changed


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_each_role_gets_exactly_the_status_the_contract_gives(world, row: Row):
    answers = {role: _status_and_changes(world, row, role) for role in ROLES}
    assert {role: status for role, (status, _) in answers.items()} == {role: row.expected(role) for role in ROLES}
    refused_but_changed = [role for role, (status, changed) in answers.items() if status >= 300 and changed]
    assert refused_but_changed == [], "a refused request changed something"


def test_the_matrix_names_every_route_of_this_area():
    """A new route must get a row: compare the router's patterns with the table's paths."""
    from benefits.api.routes import urlpatterns

    def shape(path: str) -> str:
        path = path.split("?")[0].removeprefix("/api/v1/")
        return re.sub(r"\{[a-z_]+\}|AG-\d+|\d{4}-\d{2}|\d+|RYE|ZZZ|PROC|EMPTY|amber", "X", path)

    routes = {shape(re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "X", str(p.pattern)).replace("^", "").replace("$", "").replace("\\.", "."))
              for p in urlpatterns}
    table = {shape(r.path) for r in ROWS}
    missing = sorted(r for r in routes - table if "(" not in r and "format" not in r)
    assert missing == []

