"""Each page issues the same number of queries for one row as for many (STYLE.md rule 13)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benefits.models import Entry, Target
from benefits.services import actuals as actual_services
from benefits.services import entries as entry_services
from benefits.services.board_packs import request_board_pack
from tests.factories import make_initiative, make_line, make_unit_cost, put

pytestmark = pytest.mark.django_db
MONTHS = ["2025-04", "2025-05", "2025-06"]


def count(client, url: str) -> int:
    client.get(url)  # warm the session and any first-use lookups
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def schemes(user, n: int, *, submit: bool = False, confidence: str = "amber"):
    made = []
    for i in range(n):
        initiative = make_initiative(user, title=f"Scheme {i}", confidence=confidence)
        line = make_line(user, initiative, title=f"Line {i}")
        put(user, line, "plan", MONTHS, "1000.00")
        put(user, line, "forecast", MONTHS, "900.00")
        actuals = put(user, line, "actual", MONTHS, "800.00")
        if submit:
            actual_services.submit_entries(user=user, ids=[a.pk for a in actuals])
        made.append((initiative, line))
    return made


def test_register_dashboard_and_board_packs_do_not_grow_with_rows(signed_in, pmo_rye, executive):
    client = signed_in(executive)
    schemes(pmo_rye, 1, confidence="red")
    request_board_pack(user=executive, as_at="2025-06")
    one = {url: count(client, url) for url in ("/initiatives/", "/?as_at=2025-06", "/board-packs/")}
    schemes(pmo_rye, 7, confidence="red")
    for _ in range(3):
        request_board_pack(user=executive, as_at="2025-05")
    many = {url: count(client, url) for url in one}
    assert many == one


def test_initiative_page_does_not_grow_with_lines_or_months(signed_in, pmo_rye, finance_rye):
    client = signed_in(pmo_rye)
    initiative = make_initiative(pmo_rye, title="One line")
    line = make_line(pmo_rye, initiative)
    put(pmo_rye, line, "plan", MONTHS[:1], "1.00")
    url = f"/initiatives/{initiative.ref}/?fy=2025/26"
    one = count(client, url)
    for i in range(4):
        extra = make_line(pmo_rye, initiative, title=f"Extra {i}")
        put(pmo_rye, extra, "plan", MONTHS, "1.00")
        actuals = put(pmo_rye, extra, "actual", MONTHS, "1.00")
        actual_services.submit_entries(user=pmo_rye, ids=[a.pk for a in actuals])
        actual_services.reject_entry(user=finance_rye, entry=actuals[0], reason="Check it")
    assert count(client, url) == one
    history = f"/history/initiative/{initiative.ref}/"
    assert count(client, history) == count(signed_in(pmo_rye), history)


def test_history_does_not_grow_with_events(signed_in, pmo_rye):
    client = signed_in(pmo_rye)
    initiative = make_initiative(pmo_rye, title="History")
    line = make_line(pmo_rye, initiative)
    url = f"/history/initiative/{initiative.ref}/"
    one = count(client, url)
    entries = put(pmo_rye, line, "forecast", MONTHS, "1.00")
    for e in entries:
        entry_services.update_entry(user=pmo_rye, entry=e, quantity="2.00", expected_version=1)
    assert count(client, url) == one


def test_validation_queue_does_not_grow_with_actuals(signed_in, pmo_rye, finance_rye):
    client = signed_in(finance_rye)
    schemes(pmo_rye, 1, submit=True)
    one = count(client, "/finance/validation/")
    schemes(pmo_rye, 5, submit=True)
    assert Entry.objects.filter(status="submitted").count() == 18
    assert count(client, "/finance/validation/") == one


def test_unit_costs_and_targets_pages_do_not_grow_with_versions_or_targets(signed_in, finance_rye):
    client = signed_in(finance_rye)
    first = make_unit_cost(finance_rye, code="bed_day", valid_from="2025-04")
    pages = ("/finance/unit-costs/", "/finance/targets/", f"/finance/unit-costs/{first.pk}/", "/finance/targets/new/")
    one = {url: count(client, url) for url in pages}
    for i, month in enumerate(["2025-05", "2025-06", "2025-07", "2025-08"]):
        make_unit_cost(finance_rye, code="bed_day", valid_from=month)
        make_unit_cost(finance_rye, code=f"cost_{i}", valid_from=month)
        Target.objects.create(name=f"Target {i}", amount_gbp="1000.00", benefit_classes=["cashable"], basis="cumulative",
                              start_period="2025-04", end_period="2026-03")
    assert {url: count(client, url) for url in pages} == one
