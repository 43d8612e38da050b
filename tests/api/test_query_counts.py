"""Every list issues the same number of queries for 10 rows as for 500 (NOTES.md: counts pinned
per endpoint). Rows are made in bulk here: these tests are about queries, not rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits.models import AuditEvent, BenefitLine, Entry, Initiative, Organisation, Target, UnitCost, Workstream

pytestmark = pytest.mark.django_db


def _initiatives(n: int, start: int) -> list[Initiative]:
    ws, _ = Workstream.objects.get_or_create(code="PROC", defaults={"name": "Procurement"})
    rye, ryd = Organisation.objects.get(code="RYE"), Organisation.objects.get(code="RYD")
    made = Initiative.objects.bulk_create(
        [Initiative(ref=f"QC-{start + i:05d}", title=f"Scheme {i}", workstream=ws, lead_organisation=rye) for i in range(n)]
    )
    through = Initiative.organisations.through
    through.objects.bulk_create(
        [through(initiative=i, organisation=o) for i in made for o in (rye, ryd)]
    )
    return made


def _lines(initiatives) -> list[BenefitLine]:
    rye = Organisation.objects.get(code="RYE")
    return BenefitLine.objects.bulk_create(
        [
            BenefitLine(initiative=i, title="Saving", benefit_class="cashable", recurrence="recurrent", organisation=rye)
            for i in initiatives
        ]
    )


def _grow(resource: str, n: int, start: int, user) -> None:
    if resource in ("initiatives", "benefits", "entries"):
        lines = _lines(_initiatives(n, start))
        if resource == "entries":
            Entry.objects.bulk_create(
                [
                    Entry(benefit=line, period="2025-04", series="actual", status="draft", quantity=Decimal("1.00"),
                          value_gbp=Decimal("1.00"), updated_by=user)
                    for line in lines
                ]
            )
    elif resource == "organisations":
        Organisation.objects.bulk_create([Organisation(code=f"Q{start + i:05d}", name="Trust") for i in range(n)])
    elif resource == "workstreams":
        Workstream.objects.bulk_create([Workstream(code=f"Q{start + i:05d}", name="Workstream") for i in range(n)])
    elif resource == "unit-costs":
        UnitCost.objects.bulk_create(
            [UnitCost(code=f"q{start + i}", name="Cost", unit="hours", value_gbp=Decimal("1.00"), valid_from="2025-04", source="s")
             for i in range(n)]
        )
    elif resource == "targets":
        Target.objects.bulk_create(
            [Target(name=f"T{start + i}", amount_gbp=Decimal("1.00"), benefit_classes=["cashable"], basis="cumulative",
                    start_period="2025-04", end_period="2026-03") for i in range(n)]
        )
    elif resource == "audit":
        AuditEvent.objects.bulk_create(
            [AuditEvent(user=user, actor=user.username, action="benefits.test", object_type="entry", object_id=str(i),
                        changes={"quantity": ["1.00", "2.00"]}) for i in range(start, start + n)]
        )


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:200]
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "resource", ["organisations", "workstreams", "initiatives", "benefits", "entries", "unit-costs", "targets", "audit"]
)
def test_a_list_costs_the_same_queries_for_10_rows_as_for_500(api, pmo_rye, resource):
    client = api(pmo_rye)
    url = f"/api/v1/{resource}/?page_size=500"
    _grow(resource, 10, 0, pmo_rye)
    few, few_rows = _count(client, url)
    _grow(resource, 490, 10, pmo_rye)
    many, many_rows = _count(client, url)
    assert many_rows == 500 and few_rows >= 10
    # token + user, COUNT of the filtered set, the page: a few queries whatever the size
    assert many == few
    assert few <= 4


def test_the_periods_list_is_a_fixed_number_of_queries_however_many_months_are_closed(api, pmo_rye, finance_rye):
    client = api(pmo_rye)
    open_year, _ = _count(client, "/api/v1/periods/?fy=2025/26")
    api(finance_rye).post("/api/v1/periods/2026-03/close/", {}, format="json")
    closed_year, rows = _count(client, "/api/v1/periods/?fy=2025/26")
    assert (open_year, rows) == (closed_year, 12)


def test_the_confidence_weights_list_is_a_fixed_number_of_queries(api, pmo_rye):
    count, rows = _count(api(pmo_rye), "/api/v1/confidence-weights/")
    assert (count, rows) == (3, 5)
