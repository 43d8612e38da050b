"""The Excel page: upload, see the dry run, confirm; problems listed; exports downloadable."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.models import Entry, ImportBatch
from tests.excel.helpers import build, row


def signed_in(client, user):
    client.force_login(user)
    return client


def test_upload_shows_the_dry_run_and_confirm_imports_it(client, pmo_rye, procurement):
    signed_in(client, pmo_rye)
    data = build([row(**{"Apr 2025 plan": "1,250.00"})])
    page = client.post("/imports/", {"file": SimpleUploadedFile("fleet.xlsx", data)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "What fleet.xlsx would change" in html and "1250.00" in html and "Confirm and import" in html
    assert not Entry.objects.exists()
    token = html.split('name="token" value="')[1].split('"')[0]
    done = client.post("/imports/confirm/", {"token": token})
    assert done.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.created_by == pmo_rye and str(Entry.objects.get().quantity) == "1250.00"
    listing = client.get(done["Location"]).content.decode()
    assert "Imported fleet.xlsx" in listing and f'id="import-{batch.pk}"' in listing
    # The token is spent: a second confirmation imports nothing more.
    client.post("/imports/confirm/", {"token": token})
    assert ImportBatch.objects.count() == 1


def test_a_refused_file_lists_every_problem_and_imports_nothing(client, pmo_rye, procurement):
    signed_in(client, pmo_rye)
    data = build([row(**{"May 2025 forecast": "12,5k"})])
    page = client.post("/imports/", {"file": SimpleUploadedFile("bad.xlsx", data)})
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and "&#39;12,5k&#39; is not a number" in html
    assert not ImportBatch.objects.exists()


def test_finance_sees_the_exports_but_no_upload(client, finance_rye):
    signed_in(client, finance_rye)
    html = client.get("/imports/").content.decode()
    assert "Upload a tracker" not in html and "Rollups for" in html
    assert client.post("/imports/", {"file": SimpleUploadedFile("x.xlsx", b"x")}).status_code == 403
    for url in ("/exports/rollup.xlsx", "/imports/template.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"PK")
    response = client.post("/exports/register/", {"fy": "2025/26"})  # the page's "register for 2025/26"
    assert response.status_code == 200 and response.content.startswith(b"PK")


ROLES = {
    "anon": None,
    "outsider": "outsider",
    "pmo_own": "pmo_rye",
    "pmo_other": "pmo_ryd",
    "finance": "finance_rye",
    "executive": "executive",
    "admin": "admin_user",
}
READERS = ("pmo_own", "pmo_other", "finance", "executive", "admin")
# Every page route of this area × the cast (GET): signed-out people and people without a role are sent away.
PAGE_TABLE = {
    "imports": 200,
    "import_confirm": 302,  # only a POST confirms; a GET goes back to the page
    "import_template": 200,
    "export_rollup": 200,
}


def test_every_page_route_of_this_area_is_in_the_table():
    """The export jobs' routes have their table in test_export_jobs.py."""
    from benefits.web.excel import urlpatterns

    assert {p.name for p in urlpatterns if not p.name.startswith("export_job")} == set(PAGE_TABLE)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_page_answers_each_role(role, client, request, procurement):
    if ROLES[role]:
        client.force_login(request.getfixturevalue(ROLES[role]))
    for name, reader_status in PAGE_TABLE.items():
        status = client.get(reverse(f"web:{name}")).status_code
        assert status == (reader_status if role in READERS else 302), (name, role, status)
