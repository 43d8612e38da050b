"""API.md's conventions as a client sees them: natural keys, read-only fields, ETag/If-Match,
Idempotency-Key, error bodies that name the bad field, the workflow, periods, bulk writes, audit."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from benefits.models import AuditEvent, Entry, Initiative
from benefits.services import actuals as actual_services
from tests.factories import make_initiative, make_line, put

pytestmark = pytest.mark.django_db

INITIATIVE = {"title": "Joint fleet workshop", "workstream": "PROC", "lead_organisation": "RYE"}


@pytest.fixture
def line(pmo_rye):
    return make_line(pmo_rye, make_initiative(pmo_rye))


# --- natural keys and read-only fields -------------------------------------------------------


def test_an_initiative_is_created_with_natural_keys_and_its_lead_is_always_one_of_its_organisations(api, pmo_rye):
    make_initiative(pmo_rye)  # creates workstream PROC
    response = api(pmo_rye).post("/api/v1/initiatives/", {**INITIATIVE, "organisations": ["RYD"]}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["workstream"] == "PROC"
    assert body["lead_organisation"] == "RYE"
    assert body["organisations"] == ["RYD", "RYE"]
    assert body["owner"] == "pmo.rye"
    assert body["ref"].startswith("AG-")
    assert response["ETag"] == '"1"'
    alone = api(pmo_rye).post("/api/v1/initiatives/", INITIATIVE, format="json").json()
    assert alone["organisations"] == ["RYE"]


def test_read_only_fields_sent_by_a_client_are_ignored(api, pmo_rye, admin_user):
    make_initiative(pmo_rye)
    sneaky = {**INITIATIVE, "ref": "AG-7777", "owner": "admin", "version": 99, "created_at": "2000-01-01T00:00:00Z"}
    body = api(pmo_rye).post("/api/v1/initiatives/", sneaky, format="json").json()
    assert body["ref"] != "AG-7777"
    assert body["owner"] == "pmo.rye"
    assert body["version"] == 1
    assert not body["created_at"].startswith("2000")
    assert not Initiative.objects.filter(ref="AG-7777").exists()


def test_an_entrys_status_value_and_version_cannot_be_set_by_a_request(api, pmo_rye, line):
    (entry,) = put(pmo_rye, line, "actual", ["2025-04"], "10.00")
    response = api(pmo_rye).patch(
        f"/api/v1/entries/{entry.pk}/",
        {"quantity": "12.00", "status": "validated", "value_gbp": "1.00", "version": 40, "updated_by": "admin"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["value_gbp"], body["version"], body["updated_by"]) == ("draft", "12.00", 2, "pmo.rye")


def test_an_entrys_benefit_period_and_series_cannot_be_changed(api, pmo_rye, line):
    (entry,) = put(pmo_rye, line, "plan", ["2025-04"], "10.00")
    response = api(pmo_rye).patch(f"/api/v1/entries/{entry.pk}/", {"period": "2025-05", "quantity": "1.00"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "period" in response.json()["errors"]
    assert Entry.objects.get(pk=entry.pk).quantity == 10


# --- ETag and If-Match -----------------------------------------------------------------------


def test_changes_need_if_match_428_when_missing_412_when_stale(api, pmo_rye, line):
    ref = line.initiative.ref
    client = api(pmo_rye)
    assert client.get(f"/api/v1/initiatives/{ref}/")["ETag"] == '"1"'
    missing = client.patch(f"/api/v1/initiatives/{ref}/", {"title": "New"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"
    ok = client.patch(f"/api/v1/initiatives/{ref}/", {"title": "New"}, format="json", HTTP_IF_MATCH='"1"')
    assert (ok.status_code, ok["ETag"], ok.json()["title"]) == (200, '"2"', "New")
    stale = client.patch(f"/api/v1/initiatives/{ref}/", {"title": "Lost"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current_version"] == 2
    assert client.delete(f"/api/v1/benefits/{line.pk}/").status_code == 428
    assert client.delete(f"/api/v1/benefits/{line.pk}/", HTTP_IF_MATCH="nonsense").status_code == 412
    assert Initiative.objects.get(ref=ref).title == "New"


# --- Idempotency-Key -------------------------------------------------------------------------


def test_a_repeated_post_with_the_same_key_replays_the_first_response_and_creates_nothing(api, pmo_rye, line):
    client = api(pmo_rye)
    body = {"benefit": line.pk, "period": "2025-04", "series": "plan", "quantity": "100.00"}
    first = client.post("/api/v1/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    audits = AuditEvent.objects.count()
    again = client.post("/api/v1/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Entry.objects.filter(benefit=line).count() == 1
    assert AuditEvent.objects.count() == audits


def test_the_same_key_with_a_different_body_is_refused_with_422(api, pmo_rye, line):
    client = api(pmo_rye)
    body = {"benefit": line.pk, "period": "2025-04", "series": "plan", "quantity": "100.00"}
    client.post("/api/v1/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    other = client.post("/api/v1/entries/", {**body, "period": "2025-05"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert other.status_code == 422
    assert Entry.objects.filter(benefit=line).count() == 1


def test_keys_belong_to_one_user(api, pmo_rye, admin_user, line):
    body = {"benefit": line.pk, "period": "2025-04", "series": "plan", "quantity": "100.00"}
    assert api(pmo_rye).post("/api/v1/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    # the admin's identical request with the same key is a request of its own: a duplicate entry, 409
    assert api(admin_user).post("/api/v1/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 409


# --- errors ----------------------------------------------------------------------------------


def test_an_invalid_body_gets_400_naming_each_bad_field(api, pmo_rye, line):
    response = api(pmo_rye).post("/api/v1/initiatives/", {"stage": "banana"}, format="json")
    assert response.status_code == 400
    assert {"title", "workstream", "lead_organisation", "stage"} <= set(response.json()["errors"])
    entry = api(pmo_rye).post(
        "/api/v1/entries/", {"benefit": line.pk, "period": "2025-13", "series": "plan", "quantity": 1.5}, format="json"
    )
    assert entry.status_code == 400
    assert set(entry.json()["errors"]) == {"period", "quantity"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/api/v1/initiatives/?stage=banana", "stage"),
        ("/api/v1/initiatives/?page=abc", "page"),
        ("/api/v1/initiatives/?page_size=501", "page_size"),
        ("/api/v1/entries/?benefit=1.5", "benefit"),
        ("/api/v1/entries/?period_from=June", "period_from"),
        ("/api/v1/audit/?object_type=colour", "object_type"),
        ("/api/v1/audit/?since=yesterday", "since"),
        ("/api/v1/periods/?fy=2025", "fy"),
    ],
)
def test_an_unknown_or_malformed_query_value_is_a_400_naming_the_parameter(api, pmo_rye, query, parameter):
    response = api(pmo_rye).get(query)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_malformed_json_is_a_400_not_a_500(api, pmo_rye):
    response = api(pmo_rye).generic("POST", "/api/v1/initiatives/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_money_is_a_decimal_string_and_floats_are_refused(api, pmo_rye, line):
    client = api(pmo_rye)
    created = client.post(
        "/api/v1/initiatives/", {**INITIATIVE, "investment_one_off_gbp": "125000.5"}, format="json"
    ).json()
    assert created["investment_one_off_gbp"] == "125000.50"
    refused = client.post("/api/v1/initiatives/", {**INITIATIVE, "investment_one_off_gbp": 0.1}, format="json")
    assert refused.status_code == 400
    assert "investment_one_off_gbp" in refused.json()["errors"]


def test_a_second_entry_for_the_same_benefit_period_and_series_is_a_409(api, pmo_rye, line):
    body = {"benefit": line.pk, "period": "2025-04", "series": "plan", "quantity": "1.00"}
    assert api(pmo_rye).post("/api/v1/entries/", body, format="json").status_code == 201
    again = api(pmo_rye).post("/api/v1/entries/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_no_credentials_is_401_and_no_role_is_403(api, outsider):
    assert api(None).get("/api/v1/initiatives/").status_code == 401
    assert api(outsider).get("/api/v1/initiatives/").status_code == 403


# --- sign in ---------------------------------------------------------------------------------


def test_a_token_from_auth_token_opens_the_api(api, pmo_rye):
    token = api(None).post("/api/v1/auth/token/", {"username": "pmo.rye", "password": "test-password-123"}, format="json")
    assert token.status_code == 200
    client = Client(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert client.get("/api/v1/initiatives/").status_code == 200


def test_the_browser_session_works_and_needs_csrf_for_writes(pmo_rye, line):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pmo_rye)
    assert client.get("/api/v1/initiatives/").status_code == 200
    refused = client.post("/api/v1/workstreams/", {"code": "X1", "name": "X"}, content_type="application/json")
    assert refused.status_code == 403


# --- workflow --------------------------------------------------------------------------------


def test_actuals_go_draft_submitted_validated_and_the_wrong_state_is_a_409(api, pmo_rye, finance_rye, line):
    (actual,) = put(pmo_rye, line, "actual", ["2025-04"], "10.00")
    assert api(finance_rye).post(f"/api/v1/entries/{actual.pk}/validate/").status_code == 409  # still draft
    submitted = api(pmo_rye).post(f"/api/v1/entries/{actual.pk}/submit/")
    assert submitted.json()["status"] == "submitted"
    validated = api(finance_rye).post(f"/api/v1/entries/{actual.pk}/validate/")
    assert (validated.status_code, validated.json()["status"]) == (200, "validated")
    assert api(pmo_rye).post(f"/api/v1/entries/{actual.pk}/submit/").status_code == 409


def test_nobody_validates_figures_they_entered_not_even_an_admin(api, admin_user, line):
    (actual,) = put(admin_user, line, "actual", ["2025-04"], "10.00")
    actual_services.submit_entry(user=admin_user, entry=actual)
    response = api(admin_user).post(f"/api/v1/entries/{actual.pk}/validate/")
    assert response.status_code == 403
    assert Entry.objects.get(pk=actual.pk).status == "submitted"


def test_a_rejection_needs_a_reason_and_the_audit_keeps_it(api, pmo_rye, finance_rye, line):
    (actual,) = put(pmo_rye, line, "actual", ["2025-04"], "10.00")
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    no_reason = api(finance_rye).post(f"/api/v1/entries/{actual.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["errors"]
    api(finance_rye).post(f"/api/v1/entries/{actual.pk}/reject/", {"reason": "Invoice missing"}, format="json")
    events = api(pmo_rye).get(f"/api/v1/audit/?object_type=entry&object_id={actual.pk}&action=benefits.entry.rejected").json()
    assert [(e["user"], e["changes"], e["reason"]) for e in events["results"]] == [
        ("finance.rye", {"status": ["submitted", "draft"]}, "Invoice missing")
    ]


def test_bulk_submit_and_validate_are_all_or_nothing(api, pmo_rye, finance_rye, line):
    a, b = put(pmo_rye, line, "actual", ["2025-04", "2025-05"], "10.00")
    assert api(pmo_rye).post("/api/v1/entries/bulk-submit/", {"ids": [a.pk, b.pk]}, format="json").json() == {"count": 2}
    (c,) = put(pmo_rye, line, "actual", ["2025-06"], "10.00")  # a draft: refuses the whole batch
    refused = api(finance_rye).post("/api/v1/entries/bulk-validate/", {"ids": [a.pk, b.pk, c.pk]}, format="json")
    assert refused.status_code == 409
    assert set(Entry.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"submitted"}
    done = api(finance_rye).post("/api/v1/entries/bulk-validate/", {"ids": [a.pk, b.pk]}, format="json")
    assert done.json() == {"count": 2}


# --- periods ---------------------------------------------------------------------------------


def test_periods_of_a_year_show_which_months_are_closed(api, finance_rye, pmo_rye):
    closed = api(finance_rye).post("/api/v1/periods/2025-06/close/", {}, format="json")
    assert closed.json()["status"] == "closed"
    months = api(pmo_rye).get("/api/v1/periods/?fy=2025/26").json()
    assert months["count"] == 12
    assert [(m["period"], m["status"]) for m in months["results"][:4]] == [
        ("2025-04", "closed"),
        ("2025-05", "closed"),
        ("2025-06", "closed"),
        ("2025-07", "open"),
    ]
    assert months["results"][0]["closed_by"] == "finance.rye"


def test_only_the_latest_closed_month_reopens_and_only_with_a_reason(api, finance_rye):
    api(finance_rye).post("/api/v1/periods/2025-06/close/", {}, format="json")
    assert api(finance_rye).post("/api/v1/periods/2025-06/reopen/", {}, format="json").status_code == 400
    assert api(finance_rye).post("/api/v1/periods/2025-05/reopen/", {"reason": "x"}, format="json").status_code == 409
    reopened = api(finance_rye).post("/api/v1/periods/2025-06/reopen/", {"reason": "Late invoice"}, format="json")
    assert reopened.json()["status"] == "open"


def test_figures_of_a_closed_month_cannot_change(api, pmo_rye, finance_rye, line):
    (entry,) = put(pmo_rye, line, "plan", ["2025-04"], "10.00")
    api(finance_rye).post("/api/v1/periods/2025-04/close/", {}, format="json")
    response = api(pmo_rye).patch(f"/api/v1/entries/{entry.pk}/", {"quantity": "11.00"}, format="json", HTTP_IF_MATCH='"1"')
    assert (response.status_code, response.json()["code"]) == (409, "period_closed")


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_creates_and_updates_in_one_request(api, pmo_rye, line):
    rows = [{"benefit": line.pk, "period": f"2025-{m:02d}", "series": "plan", "quantity": "10.00"} for m in range(4, 13)]
    assert api(pmo_rye).post("/api/v1/entries/bulk/", {"entries": rows}, format="json").json() == {"created": 9, "updated": 0}
    rows[0]["quantity"] = "11.00"
    assert api(pmo_rye).post("/api/v1/entries/bulk/", {"entries": rows}, format="json").json() == {"created": 0, "updated": 1}


def test_any_bad_bulk_row_refuses_the_request_listing_each_bad_row(api, pmo_rye, pmo_ryd, line):
    foreign = make_line(pmo_ryd, make_initiative(pmo_ryd, lead="RYD"))
    rows = [
        {"benefit": line.pk, "period": "2025-04", "series": "plan", "quantity": "10.00"},
        {"benefit": line.pk, "period": "2025-13", "series": "plan", "quantity": "10.00"},
        {"benefit": foreign.pk, "period": "2025-04", "series": "plan", "quantity": "10.00"},
        {"benefit": line.pk, "period": "2025-05", "series": "wish", "quantity": "10.00"},
    ]
    response = api(pmo_rye).post("/api/v1/entries/bulk/", {"entries": rows}, format="json")
    assert response.status_code == 400
    assert [row["index"] for row in response.json()["errors"]["entries"]] == [1, 2, 3]
    assert not Entry.objects.exists()


def test_bulk_takes_5000_rows_and_no_more(api, pmo_rye, pmo_ryd):
    lines = [make_line(pmo_rye, make_initiative(pmo_rye, title=f"S{i}")) for i in range(3)]
    months = [f"{y}-{m:02d}" for y in range(2025, 2100) for m in range(1, 13)]
    rows = [
        {"benefit": line.pk, "period": month, "series": series, "quantity": "1.00"}
        for line in lines
        for series in ("plan", "forecast")
        for month in months
    ][:5000]
    assert len(rows) == 5000
    done = api(pmo_rye).post("/api/v1/entries/bulk/", json.dumps({"entries": rows}), content_type="application/json")
    assert done.json() == {"created": 5000, "updated": 0}
    too_many = api(pmo_rye).post("/api/v1/entries/bulk/", {"entries": [*rows, rows[0]]}, format="json")
    assert too_many.status_code == 400
    assert Entry.objects.count() == 5000


# --- audit and filters -----------------------------------------------------------------------


def test_the_audit_shows_each_api_change_with_the_username(api, pmo_rye, finance_rye, line):
    (entry,) = put(pmo_rye, line, "plan", ["2025-04"], "10.00")
    api(pmo_rye).patch(f"/api/v1/entries/{entry.pk}/", {"quantity": "12.50"}, format="json", HTTP_IF_MATCH='"1"')
    api(finance_rye).patch("/api/v1/confidence-weights/amber/", {"weight": "0.60"}, format="json", HTTP_IF_MATCH='"1"')
    mine = api(finance_rye).get("/api/v1/audit/?user=pmo.rye&action=benefits.entry.updated").json()["results"]
    assert [(e["object_type"], e["object_id"], e["changes"]["quantity"]) for e in mine] == [
        ("entry", str(entry.pk), ["10.00", "12.50"])
    ]
    weights = api(pmo_rye).get("/api/v1/audit/?object_type=confidence_weight&object_id=amber").json()["results"]
    assert [(e["user"], e["changes"]) for e in weights] == [("finance.rye", {"weight": ["0.65", "0.60"]})]
    assert api(pmo_rye).get("/api/v1/audit/?since=2999-01-01T00:00:00Z").json()["count"] == 0
    # Offsets Python accepts and PostgreSQL does not are compared in UTC, not refused by the database
    every = api(pmo_rye).get("/api/v1/audit/?since=2000-01-01T00:00:00Z").json()["count"]
    assert every >= 2 and api(pmo_rye).get("/api/v1/audit/?since=2000-01-01T00:00:00-17:20").json()["count"] == every
    assert api(pmo_rye).get("/api/v1/audit/?since=6389-06-06T11:35:14.5-17:20").json()["count"] == 0
    late = api(pmo_rye).get("/api/v1/audit/?since=9999-12-31T23:59:00-05:00")
    assert late.status_code == 400 and "since" in late.json()["errors"]


def test_initiative_filters(api, pmo_rye, pmo_ryd):
    make_initiative(pmo_rye, lead="RYE", title="Fleet telematics", stage="idea")
    make_initiative(pmo_ryd, lead="RYD", orgs=("RYE",), title="Shared estates", stage="delivery")
    client = api(pmo_rye)

    def titles(query):
        return [i["title"] for i in client.get(f"/api/v1/initiatives/?{query}").json()["results"]]

    assert titles("lead_organisation=RYD") == ["Shared estates"]
    assert titles("organisation=RYE") == ["Fleet telematics", "Shared estates"]
    assert titles("stage=idea") == ["Fleet telematics"]
    assert titles("search=telematics") == ["Fleet telematics"]
    assert titles("workstream=NONE") == []


def test_entry_filters_by_initiative_series_and_period_range(api, pmo_rye, line):
    put(pmo_rye, line, "plan", ["2025-04", "2025-05", "2025-06"], "1.00")
    put(pmo_rye, line, "forecast", ["2025-05"], "1.00")
    got = api(pmo_rye).get(
        f"/api/v1/entries/?initiative={line.initiative.ref}&series=plan&period_from=2025-05&period_to=2025-06"
    ).json()
    assert [(e["period"], e["series"]) for e in got["results"]] == [("2025-05", "plan"), ("2025-06", "plan")]


def test_pages_count_the_filtered_set_and_stop_at_500(api, pmo_rye, line):
    put(pmo_rye, line, "plan", [f"2025-{m:02d}" for m in range(4, 13)], "1.00")
    page = api(pmo_rye).get("/api/v1/entries/?page_size=4&page=2").json()
    assert (page["count"], len(page["results"])) == (9, 4)
    assert page["next"].endswith("page=3&page_size=4") or "page=3" in page["next"]
    assert api(pmo_rye).get("/api/v1/entries/?page=9").status_code == 404


def test_a_target_whose_last_month_is_before_its_first_is_a_400_naming_end_period(api, finance_rye):
    """Created or patched (one month at a time), the service's one rule answers, and nothing is saved."""
    client = api(finance_rye)
    body = {"name": "Hours released", "amount_gbp": "100.00", "benefit_classes": ["societal"], "basis": "cumulative",
            "start_period": "2026-04", "end_period": "2026-03"}
    response = client.post("/api/v1/targets/", body, format="json")
    assert response.status_code == 400 and "end_period" in response.json()["errors"]
    created = client.post("/api/v1/targets/", {**body, "end_period": "2027-03"}, format="json").json()
    response = client.patch(f"/api/v1/targets/{created['id']}/", {"end_period": "2026-01"}, format="json",
                            HTTP_IF_MATCH=f'"{created["version"]}"')
    assert response.status_code == 400 and "end_period" in response.json()["errors"]
    assert client.get(f"/api/v1/targets/{created['id']}/").json()["end_period"] == "2027-03"
