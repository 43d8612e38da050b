"""The register page filters as the API does: the same names, the same initiatives (RegisterFilter, API.md)."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import client_for
from tests.factories import WorkstreamFactory, make_initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(pmo_rye, pmo_ryd):
    """Initiatives led by either trust, some involving the other, in several ratings and stages."""
    fleet = WorkstreamFactory(code="FLEET", name="Fleet")
    make_initiative(pmo_rye, title="Fleet telematics", confidence="red", workstream=fleet)
    make_initiative(pmo_rye, title="Shared workshop", orgs=("RYD",), confidence="red")
    make_initiative(pmo_ryd, lead="RYD", title="Hear and treat", confidence="red", stage="idea")
    make_initiative(pmo_ryd, lead="RYD", title="Estates review", orgs=("RYE",), confidence="green")
    make_initiative(pmo_rye, title="Consumables", confidence="amber_red", stage="realising")


def page_refs(client, query: str) -> list[str]:
    html = client.get(f"/initiatives/?{query}").content.decode()
    return re.findall(r'<td class="nhsuk-table__cell"><a href="/initiatives/([A-Z0-9-]+)/">', html)


def api_refs(user, query: str) -> list[str]:
    return [i["ref"] for i in client_for(user).get(f"/api/v1/initiatives/?{query}").json()["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "organisation=RYD&delivery_confidence=red",
        "organisation=RYE",
        "delivery_confidence=green",
        "lead_organisation=RYD",
        "workstream=FLEET&delivery_confidence=red",
        "stage=idea&organisation=RYD",
        "search=shared",
        "search=AG-000",
        "organisation=NOPE",
    ],
)
def test_the_register_page_lists_what_the_api_lists_for_the_same_query(signed_in, executive, register, query):
    refs = page_refs(signed_in(executive), f"{query}&sort=ref")
    assert refs == sorted(api_refs(executive, query))


def test_the_trust_and_confidence_filters_are_named_as_the_api_names_them(signed_in, executive, register):
    html = signed_in(executive).get("/initiatives/?organisation=RYD&delivery_confidence=red").content.decode()
    assert "2 initiatives" in html and "Shared workshop" in html and "Hear and treat" in html
    assert 'for="organisation"' in html and 'for="delivery_confidence"' in html  # labelled "Trust", "Delivery confidence"
    assert re.search(r'<option value="RYD"\s+selected', html) and re.search(r'<option value="red"\s+selected', html)
    # the sortable headings and the download keep the filters
    assert 'href="?organisation=RYD&amp;delivery_confidence=red&amp;sort=-ref"' in html
    form = html.split('id="download"')[1].split("</form>")[0]
    assert 'name="organisation" value="RYD"' in form and 'name="delivery_confidence" value="red"' in form


def test_an_invalid_filter_is_left_out_on_the_page_and_refused_by_the_api(signed_in, executive, register):
    page = signed_in(executive).get("/initiatives/?delivery_confidence=purple&organisation=RYD")
    assert page.status_code == 200
    assert page_refs(signed_in(executive), "delivery_confidence=purple&organisation=RYD&sort=ref") == sorted(
        api_refs(executive, "organisation=RYD"))
    refused = client_for(executive).get("/api/v1/initiatives/?delivery_confidence=purple")
    assert refused.status_code == 400 and "delivery_confidence" in refused.json()["errors"]
