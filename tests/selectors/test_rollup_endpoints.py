"""The rollup and target-progress endpoints give FINANCE.md's worked example to the penny (API.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from benefits.models import Target
from tests.factories import make_initiative, make_line, put
from tests.worked_example import EXPECTED, build

pytestmark = pytest.mark.django_db

COLUMN = {"B1": 0, "B2": 1, "B3": 2}
# Which of the example's lines fall in each row of each grouping (every other row is all zeros).
ROWS = {
    "organisation": {"RYE": ["B1"], "RYD": ["B2", "B3"]},
    "workstream": {"PROC": ["B1", "B2", "B3"]},
    "benefit_class": {"cashable": ["B1", "B3"], "societal": ["B2"], "non_cashable": []},
    "stage": {"delivery": ["B1"], "realising": ["B2", "B3"], "idea": [], "cancelled": []},
    "delivery_confidence": {"amber": ["B1"], "green": ["B2", "B3"], "red": []},
}


def expected_for(lines: list[str]) -> dict[str, str]:
    sums = {f: sum((Decimal(EXPECTED[f][COLUMN[line]]) for line in lines), Decimal("0.00")) for f in EXPECTED}
    return {f: f"{v:.2f}" for f, v in sums.items()}


@pytest.fixture
def example(admin_user, finance_rye):
    return build(author=admin_user, validator=finance_rye)


@pytest.fixture
def client(executive):
    api = APIClient()
    api.force_authenticate(executive)
    return api


def rollup(client, **query):
    response = client.get("/api/v1/rollups/", {"fy": "2025/26", "as_at": "2025-06", **query})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_total_is_the_worked_example_to_the_penny(example, client):
    body = rollup(client)
    assert body["fy"] == "2025/26" and body["as_at"] == "2025-06" and body["group_by"] is None
    assert body["rows"] == []
    for figure, values in EXPECTED.items():
        assert body["total"][figure] == values[3], figure
    assert body["total"]["pipeline_fy"] == "0.00"


@pytest.mark.parametrize("grouping", list(ROWS))
def test_every_grouping_gives_the_worked_example_to_the_penny(example, client, grouping):
    body = rollup(client, group_by=grouping)
    assert body["group_by"] == grouping
    rows = {r["key"]: r for r in body["rows"]}
    for key, lines in ROWS[grouping].items():
        expected = expected_for(lines)
        for figure in EXPECTED:
            assert rows[key][figure] == expected[figure], (key, figure)
    for figure in EXPECTED:
        assert body["total"][figure] == EXPECTED[figure][3]
        assert sum(Decimal(r[figure]) for r in body["rows"]) == Decimal(EXPECTED[figure][3]), figure


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"fy": "2025/26", "as_at": "2025-06", "group_by": "colour"}, "group_by"),
        ({"fy": "2025/26", "as_at": "2026-04"}, "as_at"),
        ({"fy": "2025/26", "as_at": "2025-13"}, "as_at"),
        ({"fy": "2025/26", "as_at": "June"}, "as_at"),
        ({"fy": "2025-26", "as_at": "2025-06"}, "fy"),
        ({"fy": "2025/27", "as_at": "2025-06"}, "fy"),
        ({"as_at": "2025-06"}, "fy"),
        ({"fy": "2025/26"}, "as_at"),
    ],
)
def test_a_bad_query_value_is_a_400_naming_the_parameter(client, query, parameter):
    response = client.get("/api/v1/rollups/", query)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_every_role_may_read_and_anyone_else_may_not(pmo_ryd, finance_ryd, admin_user, outsider):
    api = APIClient()
    query = {"fy": "2025/26", "as_at": "2025-06"}
    assert api.get("/api/v1/rollups/", query).status_code == 401
    for user in (pmo_ryd, finance_ryd, admin_user):
        api.force_authenticate(user)
        assert api.get("/api/v1/rollups/", query).status_code == 200
    api.force_authenticate(outsider)
    assert api.get("/api/v1/rollups/", query).status_code == 403


def test_the_rollup_costs_the_same_queries_however_much_data(example, client, admin_user, django_assert_num_queries):
    # 1: the rollup (one statement, GROUPING SETS); 2: the organisations that label the rows.
    with django_assert_num_queries(2):
        rollup(client, group_by="organisation")
    for n in range(5):
        scheme = make_initiative(admin_user, lead="RYD", title=f"More {n}")
        put(admin_user, make_line(admin_user, scheme, organisation="RYD"), "forecast", ["2025-07", "2025-08"], "10.00")
    with django_assert_num_queries(2):
        rollup(client, group_by="organisation")
    with django_assert_num_queries(1):  # stage: labels come from the choices, no query
        rollup(client, group_by="stage")


def progress(client, target: Target, as_at: str) -> dict:
    response = client.get(f"/api/v1/targets/{target.pk}/progress/", {"as_at": as_at})
    assert response.status_code == 200, response.content
    return response.json()


def test_cumulative_target_progress_of_the_worked_example(example, client):
    wider = Target.objects.get(name="Wider benefits")  # non_cashable + societal: line B2 only
    body = progress(client, wider, "2025-06")
    assert (body["target"], body["as_at"]) == (wider.pk, "2025-06")
    assert body["achieved"] == "12450.00"  # Apr 45 + May 38 conveyances × 150.00
    assert body["forecast"] == "72450.00"  # = B2's forecast_fy: the window holds only FY 2025/26 entries
    assert body["risk_adjusted"] == "72450.00"  # green: weight 1
    assert body["pct_achieved"] == "0.02"  # 12450 / 80,000,000 × 100 = 0.0155625
    assert body["pct_forecast"] == "0.09"
    assert body["on_track"] is False
    points = {p["period"]: p for p in body["trajectory"]}
    assert len(points) == 60
    assert points["2025-06"] == {"period": "2025-06", "plan": "22500.00", "actual": "12450.00", "outturn": "18450.00"}
    assert points["2025-07"]["actual"] is None
    assert points["2026-03"]["outturn"] == "72450.00"


def test_run_rate_target_progress_counts_twelve_times_one_month(example, client):
    cashable = Target.objects.get(name="Cashable efficiencies")  # recurrent cashable: B1 and the dis-benefit B3
    body = progress(client, cashable, "2025-05")
    assert body["achieved"] == "114000.00"  # 12 × (B1 May 9,500 validated; B3 has no May actual)
    assert body["forecast"] == "0.00"  # nothing entered for the window's last month, 2028-03
    points = {p["period"]: p for p in body["trajectory"]}
    assert points["2025-04"] == {"period": "2025-04", "plan": "120000.00", "actual": "84000.00", "outturn": "84000.00"}
    assert points["2025-06"] == {"period": "2025-06", "plan": "120000.00", "actual": None, "outturn": "96000.00"}


def test_progress_needs_a_good_as_at_and_a_real_target(client):
    target = Target.objects.first()
    assert client.get(f"/api/v1/targets/{target.pk}/progress/", {"as_at": "2025-6"}).status_code == 400
    assert "as_at" in client.get(f"/api/v1/targets/{target.pk}/progress/").json()["errors"]
    assert client.get("/api/v1/targets/999999/progress/", {"as_at": "2025-06"}).status_code == 404
    assert client.get(f"/api/v1/targets/{2**70}/progress/", {"as_at": "2025-06"}).status_code == 404
