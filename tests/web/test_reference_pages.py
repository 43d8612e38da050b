"""Finance deletes unit-cost versions and targets from the pages: a confirm step without JavaScript,
the API's own delete services (audited), and refusals in plain words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benefits.models import AuditEvent, Entry, Target, UnitCost
from benefits.services import entries as entry_services
from benefits.services import reference as reference_services
from benefits.services.periods import close_period
from tests.factories import make_initiative, make_line, make_unit_cost, put

pytestmark = pytest.mark.django_db


def delete_url(cost: UnitCost) -> str:
    return f"/finance/unit-costs/{cost.pk}/delete/"


@pytest.fixture
def conveyances(pmo_rye, finance_rye):
    """Conveyances valued at 250.00 from April 2025 and 300.00 from October 2025; a line with forecasts."""
    first = make_unit_cost(finance_rye, value="250.00", valid_from="2025-04")
    second = make_unit_cost(finance_rye, value="300.00", valid_from="2025-10")
    initiative = make_initiative(pmo_rye, title="Hear and treat")
    line = make_line(pmo_rye, initiative, title="Avoided conveyances", measure="conveyances", unit_cost="conveyance_avoided")
    put(pmo_rye, line, "forecast", ["2025-05", "2025-11"], "2.00")
    return SimpleNamespace(first=first, second=second, line=line)


def test_finance_deletes_a_unit_cost_version_after_confirming(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    listing = client.get("/finance/unit-costs/").content.decode()
    assert f'href="{delete_url(conveyances.second)}"' in listing
    confirm = client.get(delete_url(conveyances.second))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Delete unit cost conveyance_avoided from October 2025?" in html
    assert "£300.00 per conveyances" in html and "from October 2025 onwards" in html
    assert UnitCost.objects.filter(pk=conveyances.second.pk).exists()  # nothing happens until the form is posted

    response = client.post(delete_url(conveyances.second), {"version": conveyances.second.version}, follow=True)
    assert response.redirect_chain == [("/finance/unit-costs/", 302)]
    assert "Unit cost conveyance_avoided from October 2025 is deleted" in response.content.decode()
    assert not UnitCost.objects.filter(pk=conveyances.second.pk).exists()
    november = Entry.objects.get(benefit=conveyances.line, period="2025-11", series="forecast")
    assert str(november.value_gbp) == "500.00"  # revalued at 250.00 × 2
    event = AuditEvent.objects.get(action="benefits.unit_cost.deleted", object_id=str(conveyances.second.pk))
    assert event.user == finance_rye and event.changes["value_gbp"] == ["300.00", None]


def test_deleting_the_only_version_that_values_entries_is_refused_in_words(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    response = client.post(delete_url(conveyances.first), {"version": conveyances.first.version})
    html = response.content.decode()
    assert response.status_code == 409
    assert "nhsuk-error-summary" in html
    assert "cannot be deleted: entries for 2025-05 of benefit lines measured with it would have no version in force" in html
    assert UnitCost.objects.filter(pk=conveyances.first.pk).exists()
    assert not AuditEvent.objects.filter(action="benefits.unit_cost.deleted").exists()
    api = client.delete(f"/api/v1/unit-costs/{conveyances.first.pk}/", HTTP_IF_MATCH=f'"{conveyances.first.version}"')
    assert api.status_code == 422 and api.json()["message"] in html  # the API's refusal, word for word


def test_a_version_whose_months_are_closed_cannot_be_deleted(signed_in, finance_rye, conveyances):
    close_period(user=finance_rye, period="2025-10")
    response = signed_in(finance_rye).post(delete_url(conveyances.second), {"version": conveyances.second.version})
    assert response.status_code == 409
    assert "it values months up to 2025-10, which are closed" in response.content.decode()
    assert UnitCost.objects.filter(pk=conveyances.second.pk).exists()


def test_a_validated_actual_that_would_change_keeps_its_unit_cost(signed_in, pmo_rye, finance_ryd, conveyances):
    [actual] = put(pmo_rye, conveyances.line, "actual", ["2025-11"], "1.00")
    entry_services.submit_entries(user=pmo_rye, ids=[actual.pk])
    entry_services.validate_entry(user=finance_ryd, entry=Entry.objects.get(pk=actual.pk))
    response = signed_in(finance_ryd).post(delete_url(conveyances.second), {"version": conveyances.second.version})
    assert response.status_code == 409
    assert "Validated figures cannot change" in response.content.decode()
    assert UnitCost.objects.filter(pk=conveyances.second.pk).exists()


def test_a_stale_confirmation_shows_the_newer_values_and_deletes_nothing(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    seen = conveyances.second.version
    reference_services.update_unit_cost(user=finance_rye, unit_cost=conveyances.second, changes={"value_gbp": "310.00"})
    response = client.post(delete_url(conveyances.second), {"version": seen})
    html = response.content.decode()
    assert response.status_code == 409
    assert "was changed by someone else" in html and "£310.00 per conveyances" in html
    assert f'name="version" value="{seen + 1}"' in html  # confirming again deletes the version now shown
    assert UnitCost.objects.filter(pk=conveyances.second.pk).exists()


def test_a_confirmation_without_its_version_deletes_nothing(signed_in, finance_rye, conveyances):
    response = signed_in(finance_rye).post(delete_url(conveyances.second), {})
    assert response.status_code == 409
    assert "The confirmation was incomplete" in response.content.decode()
    assert UnitCost.objects.filter(pk=conveyances.second.pk).exists()


def test_finance_deletes_a_target_and_the_dashboard_leaves_it_out(signed_in, finance_rye):
    target = Target.objects.get(name="Wider benefits")
    client = signed_in(finance_rye)
    assert f'href="/finance/targets/{target.pk}/delete/"' in client.get("/finance/targets/").content.decode()
    confirm = client.get(f"/finance/targets/{target.pk}/delete/").content.decode()
    assert "Delete target Wider benefits?" in confirm and "£80,000,000" in confirm
    assert "Snapshots and board packs already made keep its figures" in confirm

    response = client.post(f"/finance/targets/{target.pk}/delete/", {"version": target.version}, follow=True)
    assert response.redirect_chain == [("/finance/targets/", 302)]
    assert "Target “Wider benefits” is deleted." in response.content.decode()
    assert not Target.objects.filter(pk=target.pk).exists()
    assert "Wider benefits" not in client.get("/?as_at=2025-06").content.decode()
    assert "Cashable efficiencies" in client.get("/?as_at=2025-06").content.decode()
    event = AuditEvent.objects.get(action="benefits.target.deleted", object_id=str(target.pk))
    assert event.user == finance_rye and event.changes["name"] == ["Wider benefits", None]
    history = client.get(f"/history/target/{target.pk}/").content.decode()
    assert "Fiona Reid" in history


def test_only_finance_may_delete_and_others_are_told_so(signed_in, pmo_rye, executive, finance_rye, conveyances):
    target = Target.objects.get(name="Wider benefits")
    for user in (pmo_rye, executive):
        client = signed_in(user)
        assert "Delete" not in client.get("/finance/targets/").content.decode()
        response = client.post(f"/finance/targets/{target.pk}/delete/", {"version": target.version})
        assert response.status_code == 403 and "Your role does not allow you to delete targets" in response.content.decode()
        response = client.post(delete_url(conveyances.second), {"version": conveyances.second.version})
        assert response.status_code == 403
    assert Target.objects.filter(pk=target.pk).exists() and UnitCost.objects.filter(pk=conveyances.second.pk).exists()


def test_deleting_what_is_already_gone_is_a_plain_404(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    client.post(delete_url(conveyances.second), {"version": conveyances.second.version})
    response = client.post(delete_url(conveyances.second), {"version": conveyances.second.version})
    assert response.status_code == 404 and "may have been deleted already" in response.content.decode()
