"""Finance deletes unit-cost versions and targets from the pages: a confirm step without JavaScript,
the API's own delete services (audited), and refusals in plain words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benefits.models import AuditEvent, Entry, Target, UnitCost
from benefits.services import actuals as actual_services
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
    actual_services.submit_entries(user=pmo_rye, ids=[actual.pk])
    actual_services.validate_entry(user=finance_ryd, entry=Entry.objects.get(pk=actual.pk))
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


# --- changing a unit-cost version; adding and changing targets -----------------------------------


def edit_url(cost: UnitCost) -> str:
    return f"/finance/unit-costs/{cost.pk}/"


def unit_cost_form(cost: UnitCost, **changes) -> dict:
    """The change form as the page fills it for `cost`, with the user's changes typed over it."""
    return {"name": cost.name, "unit": cost.unit, "value_gbp": str(cost.value_gbp), "valid_from": cost.valid_from,
            "source": cost.source, "version": cost.version, **changes}


def target_form(target: Target | None = None, **changes) -> dict:
    base = {"name": target.name, "amount_gbp": str(target.amount_gbp), "benefit_classes": target.benefit_classes,
            "basis": target.basis, "start_period": target.start_period, "end_period": target.end_period,
            "version": target.version} if target else {}
    return {**base, **changes}


def field_error(html: str, field: str) -> str:
    """The NHS error message shown beside a field (empty when there is none)."""
    marker = f'id="{field}-error"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start:html.index("</span>", html.index("</span>", start) + 1)]


def test_finance_changes_a_unit_cost_version_and_the_history_shows_it(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    assert f'href="{edit_url(conveyances.second)}"' in client.get("/finance/unit-costs/").content.decode()
    page = client.get(edit_url(conveyances.second))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Change unit cost conveyance_avoided from October 2025" in html
    assert 'name="value_gbp" type="text" value="300.00"' in html and 'value="2025-10"' in html
    assert f'name="version" value="{conveyances.second.version}"' in html
    assert 'name="code"' not in html  # a different code is a new unit cost, not a change

    form = unit_cost_form(conveyances.second, value_gbp="320.00", source="National Cost Collection 2024/25")
    response = client.post(edit_url(conveyances.second), form, follow=True)
    assert response.redirect_chain == [("/finance/unit-costs/", 302)]
    listing = response.content.decode()
    assert "Unit cost conveyance_avoided from October 2025 is saved; the entries it values are revalued." in listing
    assert "£320.00" in listing and "National Cost Collection 2024/25" in listing
    november = Entry.objects.get(benefit=conveyances.line, period="2025-11", series="forecast")
    assert str(november.value_gbp) == "640.00"  # 2 × 320.00
    event = AuditEvent.objects.get(action="benefits.unit_cost.updated", object_id=str(conveyances.second.pk))
    assert event.user == finance_rye and event.changes["value_gbp"] == ["300.00", "320.00"]
    history = client.get(f"/history/unit_cost/{conveyances.second.pk}/").content.decode()
    assert "Fiona Reid changed the “conveyance_avoided” unit cost from " in history
    assert "the value from £300.00 to £320.00" in history and "the source from Test source to National Cost Collection" in history


def test_saving_an_unchanged_form_changes_nothing(signed_in, finance_rye, conveyances):
    response = signed_in(finance_rye).post(edit_url(conveyances.second), unit_cost_form(conveyances.second), follow=True)
    assert "Nothing had changed." in response.content.decode()
    assert not AuditEvent.objects.filter(action="benefits.unit_cost.updated").exists()


def test_a_stale_unit_cost_change_is_refused_and_shows_the_newer_values(signed_in, finance_rye, finance_ryd, conveyances):
    client = signed_in(finance_rye)
    seen = unit_cost_form(conveyances.second, value_gbp="320.00")  # the form as loaded, then typed into
    reference_services.update_unit_cost(user=finance_ryd, unit_cost=conveyances.second, changes={"value_gbp": "310.00"},
                                        expected_version=conveyances.second.version)
    response = client.post(edit_url(conveyances.second), seen)
    html = response.content.decode()
    assert response.status_code == 412
    assert "Not saved: someone else changed unit cost conveyance_avoided from October 2025 since you opened this page" in html
    assert "Saved by someone else meanwhile" in html and "£310.00 per conveyances" in html
    assert 'name="value_gbp" type="text" value="320.00"' in html  # what the user typed is kept
    assert f'name="version" value="{seen["version"] + 1}"' in html
    assert str(UnitCost.objects.get(pk=conveyances.second.pk).value_gbp) == "310.00"  # theirs was not overwritten

    again = client.post(edit_url(conveyances.second), {**seen, "version": seen["version"] + 1})  # saving again is a choice
    assert again.status_code == 302
    assert str(UnitCost.objects.get(pk=conveyances.second.pk).value_gbp) == "320.00"


def test_a_change_that_would_move_a_closed_month_is_refused_in_words(signed_in, finance_rye, conveyances):
    close_period(user=finance_rye, period="2025-05")  # May's forecast is valued with the April version
    client = signed_in(finance_rye)
    response = client.post(edit_url(conveyances.first), unit_cost_form(conveyances.first, value_gbp="260.00"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "nhsuk-error-summary" in html and 'href="#value_gbp"' in html
    assert ("Value in pounds: unit cost conveyance_avoided from 2025-04 cannot change its value or month: it values months "
            "up to 2025-05, which are closed. Add a new version from an open month instead.") in field_error(html, "value_gbp")
    assert str(UnitCost.objects.get(pk=conveyances.first.pk).value_gbp) == "250.00"
    assert str(Entry.objects.get(benefit=conveyances.line, period="2025-05").value_gbp) == "500.00"
    # a name or source can still be corrected
    fixed = client.post(edit_url(conveyances.first), unit_cost_form(conveyances.first, source="NCC 2023/24, table 4"))
    assert fixed.status_code == 302 and UnitCost.objects.get(pk=conveyances.first.pk).source == "NCC 2023/24, table 4"


def test_a_change_that_would_move_a_validated_actual_is_refused_in_words(signed_in, pmo_rye, finance_ryd, conveyances):
    [actual] = put(pmo_rye, conveyances.line, "actual", ["2025-11"], "1.00")
    actual_services.submit_entries(user=pmo_rye, ids=[actual.pk])
    actual_services.validate_entry(user=finance_ryd, entry=Entry.objects.get(pk=actual.pk))
    response = signed_in(finance_ryd).post(edit_url(conveyances.second), unit_cost_form(conveyances.second, valid_from="2025-12"))
    assert response.status_code == 409
    assert "Validated figures cannot change" in response.content.decode()
    assert UnitCost.objects.get(pk=conveyances.second.pk).valid_from == "2025-10"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "Enter name."),
        ({"value_gbp": "lots"}, "value_gbp", "Enter value in pounds as a number, for example 1250.00."),
        ({"value_gbp": "-1"}, "value_gbp", "Enter value in pounds of 0 or more."),
        ({"value_gbp": "250.005"}, "value_gbp", "Enter value in pounds with at most 2 decimal places."),
        ({"value_gbp": "1e999"}, "value_gbp", "Enter value in pounds of fewer digits"),
        ({"valid_from": "2025-13"}, "valid_from", "Valid from (month): &#39;2025-13&#39; is not a month in the form YYYY-MM"),
        ({"valid_from": "2025-04"}, "valid_from", "Valid from (month): unit cost conveyance_avoided already has a version from 2025-04"),
    ],
)
def test_unit_cost_errors_name_the_field_beside_it_and_in_the_summary(signed_in, finance_rye, conveyances, changes, field, words):
    response = signed_in(finance_rye).post(edit_url(conveyances.second), unit_cost_form(conveyances.second, **changes))
    html = response.content.decode()
    assert response.status_code in (400, 409)
    assert "There is a problem" in html and f'href="#{field}"' in html
    assert words in field_error(html, field)
    assert UnitCost.objects.get(pk=conveyances.second.pk).version == conveyances.second.version


@pytest.mark.parametrize("version", [None, "abc", "-5"])
def test_a_unit_cost_change_without_the_version_seen_saves_nothing(signed_in, finance_rye, conveyances, version):
    form = unit_cost_form(conveyances.second, value_gbp="999.00")
    if version is None:
        del form["version"]
    else:
        form["version"] = version
    response = signed_in(finance_rye).post(edit_url(conveyances.second), form)
    html = response.content.decode()
    assert response.status_code in (400, 412)
    assert "There is a problem" in html and "#maincontent" in html and 'href="#version"' not in html
    assert str(UnitCost.objects.get(pk=conveyances.second.pk).value_gbp) == "300.00"


def test_finance_adds_a_target_and_the_dashboard_reports_it(signed_in, finance_rye):
    client = signed_in(finance_rye)
    assert 'href="/finance/targets/new/"' in client.get("/finance/targets/").content.decode()
    page = client.get("/finance/targets/new/")
    assert page.status_code == 200 and "Add a target" in page.content.decode()
    form = target_form(name="Hours released", amount_gbp="2500000.00", benefit_classes=["non_cashable", "societal"],
                       basis="cumulative", start_period="2025-04", end_period="2027-03")
    response = client.post("/finance/targets/new/", form, follow=True)
    assert response.redirect_chain == [("/finance/targets/", 302)]
    html = response.content.decode()
    assert "Target “Hours released” is added" in html and "£2,500,000" in html and "April 2025 to March 2027" in html
    target = Target.objects.get(name="Hours released")
    assert target.benefit_classes == ["non_cashable", "societal"] and str(target.amount_gbp) == "2500000.00"
    event = AuditEvent.objects.get(action="benefits.target.created", object_id=str(target.pk))
    assert event.user == finance_rye and event.changes["amount_gbp"] == [None, "2500000.00"]
    assert "Hours released" in client.get("/?as_at=2025-06").content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "words", "status"),
    [
        ({}, "name", "Enter name.", 400),
        ({}, "benefit_classes", "Select benefit classes.", 400),
        ({"name": "Wider benefits"}, "name", "Name: a target named &#39;Wider benefits&#39; already exists.", 409),
        ({"amount_gbp": "0"}, "amount_gbp", "Amount in pounds: must be at least 0.01.", 400),
        ({"start_period": "2027-04", "end_period": "2026-03"}, "end_period",
         "Last month: must be the same as or after the first month.", 400),
        ({"start_period": "April"}, "start_period", "First month: &#39;April&#39; is not a month in the form YYYY-MM", 400),
    ],
)
def test_target_errors_name_the_field(signed_in, finance_rye, changes, field, words, status):
    form = {"name": "Hours released", "amount_gbp": "100.00", "benefit_classes": ["societal"], "basis": "cumulative",
            "start_period": "2025-04", "end_period": "2026-03"}
    if not changes:
        form = {"basis": "cumulative"}
    response = signed_in(finance_rye).post("/finance/targets/new/", {**form, **changes})
    html = response.content.decode()
    assert response.status_code == status
    assert "There is a problem" in html and f'href="#{field}"' in html
    assert words in field_error(html, field)
    assert Target.objects.count() == 2


def test_a_stale_target_change_shows_the_newer_values(signed_in, finance_rye, finance_ryd):
    target = Target.objects.get(name="Wider benefits")
    seen = target_form(target, amount_gbp="85000000.00")
    reference_services.update_target(user=finance_ryd, target=target, changes={"amount_gbp": "90000000.00"},
                                      expected_version=target.version)
    response = signed_in(finance_rye).post(f"/finance/targets/{target.pk}/", seen)
    html = response.content.decode()
    assert response.status_code == 412
    assert "Not saved: someone else changed target Wider benefits" in html and "£90,000,000" in html
    assert 'value="85000000.00"' in html
    assert str(Target.objects.get(pk=target.pk).amount_gbp) == "90000000.00"


def test_programme_office_and_executives_get_the_403_page(signed_in, pmo_rye, executive, conveyances):
    target_count = Target.objects.count()
    for user in (pmo_rye, executive):
        client = signed_in(user)
        listing = client.get("/finance/unit-costs/").content.decode()
        assert f'href="{edit_url(conveyances.second)}"' not in listing
        assert "Add a target" not in client.get("/finance/targets/").content.decode()
        for url, form in ((edit_url(conveyances.second), unit_cost_form(conveyances.second, value_gbp="1.00")),
                          ("/finance/targets/new/", {"name": "Mine", "amount_gbp": "1.00", "benefit_classes": ["societal"],
                                                     "basis": "cumulative", "start_period": "2025-04", "end_period": "2026-03"})):
            assert client.get(url).status_code == 403
            response = client.post(url, form)
            assert response.status_code == 403
            assert "Your role does not allow you to" in response.content.decode()
    assert str(UnitCost.objects.get(pk=conveyances.second.pk).value_gbp) == "300.00"
    assert Target.objects.count() == target_count


def test_changing_a_version_that_is_gone_is_a_plain_404(signed_in, finance_rye, conveyances):
    client = signed_in(finance_rye)
    form = unit_cost_form(conveyances.second)
    client.post(delete_url(conveyances.second), {"version": conveyances.second.version})
    response = client.post(edit_url(conveyances.second), form)
    assert response.status_code == 404 and "may have been deleted" in response.content.decode()
