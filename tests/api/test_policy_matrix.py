"""Every endpoint × every member of the cast, from tests/policy_matrix.py: the exact status, and no
audit row (so no change) whenever the answer is not a success."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from benefits.models import AuditEvent, Target
from benefits.services import actuals as actual_services
from benefits.services import board_packs as board_pack_services
from benefits.services import periods as period_services
from benefits.services import snapshots as snapshot_services
from tests.factories import WorkstreamFactory, make_initiative, make_line, make_unit_cost, put
from tests.policy_matrix import ROLES, ROWS, Row

_CLIENTS: dict[int | None, APIClient] = {}


def _client(user) -> APIClient:
    """One client per user for the whole test: a new client loads the middleware again, and
    WhiteNoise's scan of the static files costs ~0.5 s each time."""
    key = getattr(user, "pk", None)
    if key not in _CLIENTS:
        _CLIENTS[key] = APIClient()
    client = _CLIENTS[key]
    client.credentials(**({"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}))
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
    actual_services.submit_entry(user=pmo_rye, entry=submitted)
    cost = make_unit_cost(finance_ryd)
    snapshot = snapshot_services.take_snapshot(as_at="2025-06", user=admin_user)
    pack = board_pack_services.request_board_pack(user=admin_user, as_at="2025-06")
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
            "snapshot": snapshot.pk,
            "board_pack": pack.pk,
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
        response = getattr(client, row.method.lower())(path, _fill(row.body, keys), format=row.format, **headers)
        changed = AuditEvent.objects.count() != audit_before
        transaction.set_rollback(True)
    return response.status_code, changed


def test_every_role_gets_exactly_the_status_the_contract_gives_on_every_endpoint(world):
    """One world (it takes a snapshot and queues a board pack: slow to build), every row in it."""
    wrong, changed = [], []
    for row in ROWS:
        answers = {role: _status_and_changes(world, row, role) for role in ROLES}
        got = {role: status for role, (status, _) in answers.items()}
        expected = {role: row.expected(role) for role in ROLES}
        if got != expected:
            wrong.append((row.name, {r: (got[r], expected[r]) for r in ROLES if got[r] != expected[r]}))
        changed += [(row.name, role) for role, (status, did) in answers.items() if status >= 300 and did]
    assert wrong == [], "(got, expected) per role"
    assert changed == [], "a refused request changed something"


def test_the_matrix_names_every_api_route():
    """A new route must get a row: compare every API module's patterns with the table's paths."""
    from benefits.api.urls import urlpatterns as areas

    urlpatterns = [p for area in areas for p in area.url_patterns]

    def shape(path: str) -> str:
        path = path.split("?")[0].removeprefix("/api/v1/")
        return re.sub(r"\{[a-z_]+\}|AG-\d+|\d{4}-\d{2}|\d+|RYE|ZZZ|PROC|EMPTY|amber", "X", path)

    def route(pattern) -> str:
        text = re.sub(r"\(\?P<[a-z_]+>[^)]*\)|<[a-z_:]+>", "X", str(pattern))
        return shape(text.replace("^", "").replace("$", "").replace("\\.", "."))

    routes = {route(p.pattern) for p in urlpatterns}
    table = {shape(r.path) for r in ROWS}
    missing = sorted(r for r in routes - table if "(" not in r and "format" not in r)
    assert missing == []

