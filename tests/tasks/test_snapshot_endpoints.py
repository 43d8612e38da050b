"""rollups/snapshots/: finance or admin asks for one (202), everyone with a role reads them (API.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from benefits import tasks
from benefits.models import Entry, LineMonth, OutboxMessage, RollupSnapshot
from benefits.selectors.rollups import GROUPINGS
from benefits.services import outbox
from benefits.services.actuals import reject_entry
from benefits.services.entries import delete_entry, update_entry
from tests.worked_example import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(admin_user, finance_rye):
    return build(author=admin_user, validator=finance_rye)


@pytest.fixture
def broker(monkeypatch):
    """What the outbox sends after a commit goes here instead of the machine's queue folder."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(outbox, "send", lambda name, kwargs: sent.append((name, kwargs)))
    return sent


def as_user(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_finance_asks_for_a_snapshot_and_it_is_taken_in_the_background(
    example, finance_ryd, executive, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(finance_ryd).post("/api/v1/rollups/snapshots/", {"fy": "2025/26", "as_at": "2025-06"}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert (body["fy"], body["as_at"], body["trigger"], body["status"]) == ("2025/26", "2025-06", "manual", "queued")
    assert RollupSnapshot.objects.count() == 0  # not taken inside the request
    [(name, kwargs)] = broker  # sent as soon as the request's transaction committed, marked dispatched
    assert name == "benefits.tasks.take_snapshot" and kwargs["trigger_key"] == body["trigger_key"]
    assert OutboxMessage.objects.get().dispatched_at is not None

    tasks.take_snapshot.apply(kwargs=kwargs).get()  # what the worker does with the message
    reader = as_user(executive)
    listed = reader.get(response["Location"]).json()
    assert listed["count"] == 1
    [row] = listed["results"]
    assert set(row) == {"id", "fy", "as_at", "taken_at", "trigger"}
    detail = reader.get(f"/api/v1/rollups/snapshots/{row['id']}/").json()
    assert (detail["fy"], detail["as_at"], detail["trigger"]) == ("2025/26", "2025-06", "manual")
    assert set(detail["rollups"]) == {"none", *GROUPINGS}
    assert detail["rollups"]["none"]["total"]["risk_adjusted_fy"] == "136450.00"
    live = reader.get("/api/v1/rollups/", {"fy": "2025/26", "as_at": "2025-06", "group_by": "workstream"}).json()
    assert detail["rollups"]["workstream"] == live
    assert [t["name"] for t in detail["targets"]] == ["Cashable efficiencies", "Wider benefits"]
    assert RollupSnapshot.objects.get().created_by == finance_ryd


@pytest.mark.parametrize("role", ["pmo_rye", "executive"])
def test_only_finance_and_admin_may_take_a_snapshot(request, role, broker):
    response = as_user(request.getfixturevalue(role)).post(
        "/api/v1/rollups/snapshots/", {"fy": "2025/26", "as_at": "2025-06"}, format="json"
    )
    assert response.status_code == 403
    assert OutboxMessage.objects.count() == 0 and broker == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"fy": "2025/26", "as_at": "2026-04"}, "as_at"), ({"fy": "2025", "as_at": "2025-06"}, "fy"), ({"fy": "2025/26"}, "as_at")],
)
def test_a_bad_snapshot_request_is_a_400_naming_the_field(admin_user, broker, body, field):
    response = as_user(admin_user).post("/api/v1/rollups/snapshots/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert OutboxMessage.objects.count() == 0


def test_the_list_filters_by_its_query_and_refuses_bad_values(example, executive):
    from benefits.services.snapshots import take_snapshot

    take_snapshot(as_at="2025-06", trigger="scheduled", trigger_key="scheduled:2025-07-01")
    take_snapshot(as_at="2025-05", trigger="manual", trigger_key="manual:x")
    reader = as_user(executive)
    assert reader.get("/api/v1/rollups/snapshots/").json()["count"] == 2
    assert [r["as_at"] for r in reader.get("/api/v1/rollups/snapshots/", {"trigger": "scheduled"}).json()["results"]] == ["2025-06"]
    assert reader.get("/api/v1/rollups/snapshots/", {"fy": "2024/25"}).json()["count"] == 0
    assert "trigger" in reader.get("/api/v1/rollups/snapshots/", {"trigger": "hourly"}).json()["errors"]
    assert reader.get("/api/v1/rollups/snapshots/999999/").status_code == 404


def line_months_from_entries() -> dict:
    """What the triggers should hold: the entries summed per (line, month), zero rows left out."""
    sums: dict = {}
    for e in Entry.objects.all():
        row = sums.setdefault((e.benefit_id, e.period), [0, 0, 0, 0, 0])
        if e.series == "plan":
            row[0] += e.value_gbp
        elif e.series == "forecast":
            row[1] += e.value_gbp
        elif e.status == "validated":
            row[2] += e.value_gbp
            row[3] += 1
        else:
            row[4] += e.value_gbp
    return {k: v for k, v in sums.items() if any(v)}


def test_line_months_follow_every_kind_of_entry_write(example, admin_user, finance_rye):
    forecast = example.b1.entries.get(period="2025-07", series="forecast")
    update_entry(user=admin_user, entry=forecast, quantity="8123.45", expected_version=forecast.version)
    plan = example.b1.entries.get(period="2025-08", series="plan")
    delete_entry(user=admin_user, entry=plan, expected_version=plan.version)
    june = example.b1.entries.get(period="2025-06", series="actual")
    reject_entry(user=finance_rye, entry=june, reason="Wrong month")
    held = {
        (m.benefit_id, m.period): [m.plan, m.forecast, m.validated, m.validated_count, m.unvalidated]
        for m in LineMonth.objects.all()
        if any([m.plan, m.forecast, m.validated, m.validated_count, m.unvalidated])
    }
    assert held == line_months_from_entries()
    assert held[(example.b1.pk, "2025-07")][1] == Decimal("8123.45")


def test_the_snapshot_list_costs_the_same_queries_for_one_or_many(example, executive, django_assert_num_queries):
    from benefits.services.snapshots import take_snapshot

    reader = as_user(executive)
    take_snapshot(as_at="2025-06", trigger="manual", trigger_key="manual:1")
    with django_assert_num_queries(2):  # the count, the page (payload deferred)
        assert reader.get("/api/v1/rollups/snapshots/").json()["count"] == 1
    for n in range(2, 6):
        take_snapshot(as_at="2025-05", trigger="manual", trigger_key=f"manual:{n}")
    with django_assert_num_queries(2):
        assert reader.get("/api/v1/rollups/snapshots/").json()["count"] == 5
