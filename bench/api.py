"""REST API: a 500-initiative list and a 5,000-entry bulk write against a bare Django view.

Both go through the full Django stack with django.test.Client (middleware, URL resolution, token
authentication for the API); the baseline is a bare view defined here that returns the same rows
as JSON straight from `.values()`, called through the same Client and URL machinery (this module
is the ROOT_URLCONF while it runs). Goals (issue 3): list ≤ 2× the bare view; bulk ≤ 1.5 s.
"""

from __future__ import annotations

import json
import statistics
import time

from django.http import JsonResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path
from rest_framework.authtoken.models import Token

from benefits.api.ledger import ENTRY_VALUES
from benefits.api.register import initiative_rows
from benefits.models import BenefitLine, Entry, Initiative, Organisation, User, Workstream
from benefits.services import benefit_lines as line_services
from benefits.services import register as register_services
from benefits.services.users import add_user

from ._timing import median_seconds, report

LIST_WS, BULK_WS = "BAPI", "BAPIBULK"
INITIATIVES = 500
BULK_ROWS = 5000
LINES = 50  # × 100 months = 5,000 rows
MONTHS = [f"{2025 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(BULK_ROWS // LINES)]


def bare_initiatives(request):
    """The baseline: the same rows (natural keys and organisation codes joined in SQL) as JSON."""
    rows = list(initiative_rows(request.user).filter(workstream__code=LIST_WS)[:INITIATIVES])
    return JsonResponse({"results": rows})


def bare_entries(request):
    rows = list(Entry.objects.filter(benefit__initiative__workstream__code=BULK_WS).values(*ENTRY_VALUES)[:BULK_ROWS])
    return JsonResponse({"results": rows})


urlpatterns = [
    path("bare/initiatives/", bare_initiatives),
    path("bare/entries/", bare_entries),
    path("api/v1/", include("benefits.api.routes")),
]


def _setup() -> tuple[User, list[int]]:
    user, _ = add_user(username="bench.api", role="programme_office", org_codes=["RYE"], password="x", check_password=False)
    user = User.objects.get(pk=user.pk)  # fresh: no cached trust ids
    rye = Organisation.objects.get(code="RYE")
    for code in (LIST_WS, BULK_WS):
        Workstream.objects.get_or_create(code=code, defaults={"name": f"Bench {code}"})
    have = Initiative.objects.filter(workstream__code=LIST_WS).count()
    ws = Workstream.objects.get(code=LIST_WS)
    for i in range(have, INITIATIVES):
        register_services.create_initiative(
            user=user,
            fields={"title": f"API bench scheme {i}", "workstream": ws, "lead_organisation": rye, "stage": "delivery",
                    "investment_one_off_gbp": "125000.00"},
            organisations=[rye, Organisation.objects.get(code="RYD")],
        )
    bulk_ws = Workstream.objects.get(code=BULK_WS)
    holder = Initiative.objects.filter(workstream=bulk_ws).first() or register_services.create_initiative(
        user=user, fields={"title": "API bench bulk", "workstream": bulk_ws, "lead_organisation": rye}
    )
    for i in range(BenefitLine.objects.filter(initiative=holder).count(), LINES):
        line_services.create_benefit(
            user=user, initiative=holder, fields={"title": f"Line {i}", "benefit_class": "cashable", "recurrence": "recurrent"}
        )
    lines = list(BenefitLine.objects.filter(initiative=holder).order_by("id").values_list("id", flat=True))
    return user, lines


def run() -> None:
    user, lines = _setup()
    token = Token.objects.get_or_create(user=user)[0].key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    with override_settings(ROOT_URLCONF="bench.api", DEBUG=False):
        api_url = f"/api/v1/initiatives/?workstream={LIST_WS}&page_size={INITIATIVES}"
        body = client.get(api_url).json()
        assert len(body["results"]) == INITIATIVES and body["count"] == INITIATIVES, body.get("count")
        client.force_login(user)  # the bare view reads request.user for the same scoped queryset
        assert len(client.get("/bare/initiatives/").json()["results"]) == INITIATIVES
        api = median_seconds(lambda: client.get(api_url), repeat=15, warmup=3)
        bare = median_seconds(lambda: client.get("/bare/initiatives/"), repeat=15, warmup=3)
        report(f"GET initiatives/ ({INITIATIVES} rows, DRF + token)", api, "bare .values() view", bare, "goal ≤ 2×")

        rows = [
            {"benefit": line, "period": month, "series": "plan", "quantity": "100.00"} for line in lines for month in MONTHS
        ]
        payload = json.dumps({"entries": rows})
        assert len(rows) == BULK_ROWS
        samples = []
        for _ in range(6):
            Entry.objects.filter(benefit_id__in=lines).delete()  # untimed: each run creates 5,000 entries
            started = time.perf_counter()
            response = client.post("/api/v1/entries/bulk/", payload, content_type="application/json")
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json() == {"created": BULK_ROWS, "updated": 0}, response.content[:300]
        bulk = statistics.median(samples[1:])  # the first warms caches
        bare_entries_s = median_seconds(lambda: client.get("/bare/entries/"), repeat=7, warmup=1)
        report(f"POST entries/bulk/ ({BULK_ROWS} new rows)", bulk, f"bare .values() view, {BULK_ROWS} rows", bare_entries_s,
               f"goal ≤ 1.5 s: {'met' if bulk <= 1.5 else 'NOT met'}")
        update_rows = json.dumps({"entries": [{**r, "quantity": "101.00"} for r in rows]})
        started = time.perf_counter()
        updated = client.post("/api/v1/entries/bulk/", update_rows, content_type="application/json").json()
        once = time.perf_counter() - started
        print(f"POST entries/bulk/ updating {updated['updated']} rows (one run): {once * 1000:.0f} ms", flush=True)
