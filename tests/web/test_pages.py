"""Pages as people use them: who sees what, the month grid's saves, stale versions, plain error pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from benefits.models import Entry
from benefits.services import actuals as actual_services
from benefits.services import board_packs
from benefits.services import entries as entry_services
from tests.factories import make_initiative, make_line, put

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def cell_post(client, line, name, value, version="", fy="2025/26"):
    series_period = name.removeprefix("q-")
    return client.post(
        f"/benefits/{line.pk}/grid/?fy={fy}",
        {name: value, f"v-{series_period}": version},
        HTTP_HX_TRIGGER_NAME=name,
        **HTMX,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/initiatives/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/initiatives/")


def test_sign_in_shows_the_error_summary_for_a_wrong_password(client, pmo_rye):
    response = client.post("/accounts/login/", {"username": "pmo.rye", "password": "wrong"})
    assert response.status_code == 400
    assert b"nhsuk-error-summary" in response.content
    assert b"The username or password is not right" in response.content


def test_sign_in_then_the_header_names_the_user_role_and_trust(client, pmo_rye):
    response = client.post("/accounts/login/", {"username": "pmo.rye", "password": "test-password-123"}, follow=True)
    html = response.content.decode()
    assert "Priya Patel" in html and "Programme office · RYE" in html
    assert "Are we on track?" in html


def test_the_header_signs_out_with_the_token_of_its_page(pmo_rye, pmo_ryd):
    """The header's sign-out form carries the page's CSRF token, and each user sees their own name."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pmo_rye)
    browser.get("/initiatives/")
    header = browser.get("/initiatives/").text.split("</header>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
    other = Client()
    other.force_login(pmo_ryd)
    assert "Dan Davies" in other.get("/initiatives/").text and "Priya Patel" not in other.get("/").text
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert browser.get("/initiatives/").status_code == 302


def test_a_user_without_a_role_is_told_whom_to_ask(signed_in, outsider, admin_user):
    response = signed_in(outsider).get("/", follow=True)
    html = response.content.decode()
    assert response.status_code == 403
    assert "You do not have a role yet" in html and "Ada Admin" in html


def test_finance_may_not_register_initiatives_and_is_told_so(signed_in, finance_rye):
    response = signed_in(finance_rye).get("/initiatives/new/")
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_programme_office_cannot_open_the_validation_queue(signed_in, pmo_rye):
    response = signed_in(pmo_rye).get("/finance/validation/")
    assert response.status_code == 403
    assert "Only finance" in response.content.decode() or "does not allow you to validate" in response.content.decode()


def test_creating_an_initiative_with_missing_fields_lists_each_error(signed_in, pmo_rye):
    response = signed_in(pmo_rye).post("/initiatives/new/", {"title": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#title"' in html and "Enter title." in html
    assert 'href="#workstream"' in html and "Select workstream." in html


def test_a_cell_saved_by_htmx_answers_the_cell_and_the_totals(signed_in, pmo_rye, scheme):
    _initiative, line = scheme
    client = signed_in(pmo_rye)
    response = cell_post(client, line, "q-plan-2025-07", "12000")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="cell-{line.pk}-plan-2025-07"' in html
    assert 'value="12000.00"' in html
    assert f'id="total-{line.pk}-plan" hx-swap-oob="true"' in html and "£42,000.00" in html  # 3 × 10,000 + 12,000
    assert 'id="year-totals"' in html and 'hx-swap-oob="true"' in html
    entry = Entry.objects.get(benefit=line, period="2025-07", series="plan")
    assert str(entry.quantity) == "12000.00" and entry.version == 1


def test_a_stale_cell_is_not_saved_and_shows_the_newer_value(signed_in, pmo_rye, scheme):
    _initiative, line = scheme
    client = signed_in(pmo_rye)
    may = Entry.objects.get(benefit=line, period="2025-05", series="forecast")
    entry_services.update_entry(user=pmo_rye, entry=may, quantity="9500.00", expected_version=1)  # someone else, meanwhile
    response = cell_post(client, line, "q-forecast-2025-05", "9100", version="1")
    html = response.content.decode()
    assert "Not saved: someone else changed this month" in html
    assert "it is now £9,500.00" in html and "Your value 9100 was not saved" in html
    assert 'value="9500.00"' in html and 'name="v-forecast-2025-05" value="2"' in html
    assert str(Entry.objects.get(pk=may.pk).quantity) == "9500.00"


def test_without_javascript_the_whole_grid_saves_all_or_nothing(signed_in, pmo_rye, scheme):
    _initiative, line = scheme
    client = signed_in(pmo_rye)
    bad = client.post(f"/benefits/{line.pk}/grid/?fy=2025/26", {"q-plan-2025-08": "5000", "q-plan-2025-09": "lots"})
    assert bad.status_code == 400
    assert "&#39;lots&#39; is not a number" in bad.content.decode() or "'lots' is not a number" in bad.content.decode()
    assert not Entry.objects.filter(benefit=line, period="2025-08").exists()
    good = client.post(f"/benefits/{line.pk}/grid/?fy=2025/26", {"q-plan-2025-08": "5000", "q-plan-2025-09": "6000"})
    assert good.status_code == 302
    assert Entry.objects.filter(benefit=line, series="plan", period__in=["2025-08", "2025-09"]).count() == 2


def test_another_trust_cannot_save_a_cell(signed_in, pmo_ryd, scheme):
    _initiative, line = scheme
    response = cell_post(signed_in(pmo_ryd), line, "q-plan-2025-07", "1")
    assert response.status_code == 403
    assert not Entry.objects.filter(benefit=line, period="2025-07").exists()


def test_sent_back_actuals_show_the_reason_on_the_initiative_page(signed_in, pmo_rye, finance_rye, scheme):
    initiative, line = scheme
    (june,) = put(pmo_rye, line, "actual", {"2025-06": "7000.00"})
    actual_services.submit_entries(user=pmo_rye, ids=[june.pk])
    actual_services.reject_entry(user=finance_rye, entry=june, reason="Invoice missing")
    html = signed_in(pmo_rye).get(f"/initiatives/{initiative.ref}/?fy=2025/26").content.decode()
    assert "Sent back" in html and "Reason: Invoice missing" in html


def test_history_is_told_in_sentences(signed_in, pmo_rye, scheme):
    initiative, line = scheme
    may = Entry.objects.get(benefit=line, period="2025-05", series="forecast")
    entry_services.update_entry(user=pmo_rye, entry=may, quantity="9500.00", expected_version=1)
    html = signed_in(pmo_rye).get(f"/history/initiative/{initiative.ref}/").content.decode()
    assert "Priya Patel changed the May 2025 forecast from £9,000.00 to £9,500.00" in html
    assert "Priya Patel created initiative " + initiative.ref in html


def test_each_filled_cell_of_the_grid_links_to_its_entrys_history(signed_in, pmo_rye, executive, scheme):
    initiative, line = scheme
    may = Entry.objects.get(benefit=line, period="2025-05", series="forecast")
    entry_services.update_entry(user=pmo_rye, entry=may, quantity="9500.00", expected_version=1)
    for user in (pmo_rye, executive):  # editable cells and read-only ones alike
        html = signed_in(user).get(f"/initiatives/{initiative.ref}/?fy=2025/26").content.decode()
        links = re.findall(r'<a class="app-cell__history" id="([^"]+)" href="([^"]+)">History'
                           r'<span class="nhsuk-u-visually-hidden"> ([^<]+)</span></a>', html)
        assert len(links) == 6  # plan and forecast for April to June; empty months have no history
        assert (f"cell-{line.pk}-forecast-2025-05-history", f"/history/entry/{may.pk}/", "of the May 2025 forecast") in links
        assert not any("2025-07" in cell_id for cell_id, _, _ in links)

    page = signed_in(executive).get(f"/history/entry/{may.pk}/").content.decode()
    assert "History of the May 2025 forecast of “Fleet savings”" in page
    assert "Priya Patel changed the May 2025 forecast from £9,000.00 to £9,500.00" in page
    assert "April 2025" not in page  # only this entry's changes
    assert f'href="/initiatives/{initiative.ref}/?fy=2025/26#line-{line.pk}"' in page


def test_a_cell_saved_by_htmx_gains_its_history_link(signed_in, pmo_rye, scheme):
    _initiative, line = scheme
    html = cell_post(signed_in(pmo_rye), line, "q-plan-2025-07", "12000").content.decode()
    entry = Entry.objects.get(benefit=line, period="2025-07", series="plan")
    assert (f'<a class="app-cell__history" id="cell-{line.pk}-plan-2025-07-history" href="/history/entry/{entry.pk}/">'
            'History<span class="nhsuk-u-visually-hidden"> of the July 2025 plan</span></a>') in html


def test_another_trusts_entry_history_is_readable_but_an_unknown_one_is_a_404(signed_in, pmo_ryd, scheme):
    _initiative, line = scheme
    april = Entry.objects.get(benefit=line, period="2025-04", series="plan")
    client = signed_in(pmo_ryd)
    assert client.get(f"/history/entry/{april.pk}/").status_code == 200
    assert client.get("/history/entry/999999/").status_code == 404
    assert client.get("/history/entry/x1/").status_code == 404


def test_the_validate_button_is_absent_for_ones_own_actual(signed_in, admin_user, pmo_rye, scheme):
    _initiative, line = scheme
    (mine,) = put(admin_user, line, "actual", {"2025-04": "100.00"})
    actual_services.submit_entries(user=admin_user, ids=[mine.pk])
    (theirs,) = put(pmo_rye, line, "actual", {"2025-05": "100.00"})
    actual_services.submit_entries(user=pmo_rye, ids=[theirs.pk])
    html = signed_in(admin_user).get("/finance/validation/").content.decode()
    assert f'name="validate_one" value="{theirs.pk}"' in html
    assert f'name="validate_one" value="{mine.pk}"' not in html
    assert f'value="{mine.pk}"' not in html  # not even a checkbox
    refused = signed_in(admin_user).post("/finance/validation/", {"validate_one": str(mine.pk)})
    assert refused.status_code == 403 and "segregation of duties" in refused.content.decode()


def test_a_failed_board_pack_shows_failed_and_its_error(signed_in, executive, monkeypatch):
    pack = board_packs.request_board_pack(user=executive, as_at="2025-10")
    monkeypatch.setattr(board_packs, "TEMPLATE", "reports/no_such_template.html")  # the build breaks while rendering
    assert board_packs.build_board_pack(board_pack_id=pack.pk).status == "failed"
    client = signed_in(executive)
    html = client.get("/board-packs/").content.decode()
    row = html[html.index(f'id="pack-{pack.pk}"'):]
    row = row[:row.index("</tr>")]
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Failed</strong>' in row
    assert "The board pack for 2025-10 could not be built: reports/no_such_template.html." in row
    assert f"quote board pack {pack.pk}" in row
    assert "<progress" not in row and "hx-get" not in row and "download" not in row  # no bar, no polling, no file
    poll = client.get(f"/board-packs/{pack.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 286 and "Failed" in poll.content.decode()  # a page already polling stops and shows it


@pytest.mark.parametrize(
    "url",
    [
        "/?as_at=2025-13",
        "/?as_at=%00",
        "/initiatives/?page=abc&sort=-nonsense&stage=martian&search=" + "x" * 500,
        "/initiatives/AG-9999/",
        "/initiatives/AG-0001/?fy=20x5/26",
        "/history/initiative/NOPE/",
        "/history/benefit/abc/",
        "/history/entry/99999/",
        "/history/nonsense/1/",
        "/board-packs/99999/progress/",
        "/board-packs/99999/download/",
        "/finance/targets/99999/",
        "/finance/targets/99999/delete/",
        "/finance/unit-costs/99999/delete/",
        "/finance/unit-costs/99999/",
        "/finance/validation/?page=-3&month=2025-99",
        "/finance/periods/?fy=2025",
        "/no/such/page/",
    ],
)
def test_no_input_produces_a_server_error(signed_in, admin_user, url):
    response = signed_in(admin_user).get(url)
    assert response.status_code in (200, 400, 403, 404, 409), response.status_code


@pytest.mark.parametrize(
    "data",
    [
        {"q-plan-2025-04": "-5"},
        {"q-plan-2025-04": "1e999"},
        {"q-plan-2025-04": "NaN"},
        {"q-plan-2025-04": "1.234"},
        {"q-plan-2025-04": "5", "v-plan-2025-04": "abc"},
        {"q-plan-2099-99": "5"},
        {"q-nonsense-2025-04": "5"},
    ],
)
def test_odd_grid_posts_are_refused_in_words(signed_in, pmo_rye, scheme, data):
    _initiative, line = scheme
    client = signed_in(pmo_rye)
    whole = client.post(f"/benefits/{line.pk}/grid/?fy=2025/26", data)
    assert whole.status_code in (200, 302, 400)
    name = next(iter(data))
    one = client.post(f"/benefits/{line.pk}/grid/?fy=2025/26", data, HTTP_HX_TRIGGER_NAME=name, **HTMX)
    assert one.status_code in (200, 400)


def test_unknown_pages_get_the_404_page_in_plain_words(signed_in, pmo_rye):
    response = signed_in(pmo_rye).get("/initiatives/AG-9999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "There is no initiative AG-9999" in response.content.decode()


def test_board_pack_not_ready_cannot_be_downloaded(signed_in, executive):
    from benefits.services.board_packs import request_board_pack

    pack = request_board_pack(user=executive, as_at="2025-06")
    response = signed_in(executive).get(f"/board-packs/{pack.pk}/download/")
    assert response.status_code == 409
    assert "not ready yet" in response.content.decode()
    poll = signed_in(executive).get(f"/board-packs/{pack.pk}/progress/", **HTMX)
    assert poll.status_code == 200 and 'hx-trigger="every 1s"' in poll.content.decode()


def test_executive_may_generate_but_not_edit(signed_in, executive, scheme):
    initiative, _line = scheme
    client = signed_in(executive)
    assert client.get(f"/initiatives/{initiative.ref}/edit/").status_code == 403
    response = client.post("/board-packs/", {"as_at": "2025-06"})
    assert response.status_code == 302


def test_dashboard_shows_targets_in_words_and_exceptions(signed_in, executive, pmo_rye, finance_ryd):
    initiative = make_initiative(pmo_rye, title="Slipping scheme", confidence="red")
    line = make_line(pmo_rye, initiative)
    put(pmo_rye, line, "plan", ["2025-04", "2025-05", "2025-06"], "10000.00")
    html = signed_in(executive).get("/?as_at=2025-06").content.decode()
    assert "Not on track: the risk-adjusted forecast of £0 is £10,000,000 short of the £10,000,000 target" in html
    assert "Slipping scheme" in html and "0% of plan achieved year to date; rated red" in html
    assert "Trajectory of cashable efficiencies as a table" in html


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/finance/validation/", {"ids": ["abc", "-1"], "action": "validate"}),
        ("/finance/validation/", {"validate_one": "99999"}),
        ("/finance/validation/", {"send_back": "99999", "reason": "x"}),
        ("/finance/validation/", {"action": "nonsense"}),
        ("/finance/periods/", {"period": "2025-13", "action": "close"}),
        ("/finance/periods/", {"period": "2025-04", "action": "reopen", "reason": ""}),
        ("/finance/unit-costs/", {"code": "x", "name": "x", "unit": "x", "value_gbp": "-1", "valid_from": "soon", "source": "x"}),
        ("/finance/unit-costs/", {"code": "x", "name": "x", "unit": "x", "value_gbp": "1", "valid_from": "2025-99", "source": "x"}),
        ("/finance/confidence-weights/", {"weight-amber": "abc"}),
        ("/finance/confidence-weights/", {"weight-amber": "1.50", "version-amber": "x"}),
        ("/finance/targets/1/", {"name": "", "amount_gbp": "0", "benefit_classes": ["purple"], "basis": "x",
                                 "start_period": "2030-01", "end_period": "2020-01"}),
        ("/finance/targets/new/", {"name": "x" * 500, "amount_gbp": "NaN", "benefit_classes": ["purple"], "basis": "x",
                                   "start_period": "%00", "end_period": "2025-04"}),
        ("/finance/targets/new/", {"name": "x", "amount_gbp": "1e999", "benefit_classes": "societal", "basis": "cumulative",
                                   "start_period": "2025-04", "end_period": "2025-04", "version": "x"}),
        ("/finance/unit-costs/99999/", {"name": "x", "unit": "x", "value_gbp": "1", "valid_from": "2025-04", "source": "x",
                                        "version": "1"}),
        ("/board-packs/", {"as_at": "yesterday"}),
        ("/initiatives/new/", {"title": "x" * 500, "workstream": "NOPE", "lead_organisation": "XXX", "stage": "??",
                               "start_date": "31/31/2025", "investment_one_off_gbp": "lots"}),
    ],
)
def test_odd_posts_get_an_answer_in_words_never_a_server_error(signed_in, admin_user, url, data):
    response = signed_in(admin_user).post(url, data)
    assert response.status_code in (200, 302, 400, 403, 404, 409), response.status_code
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()


def test_an_edit_that_lost_a_race_says_so_and_keeps_the_newer_values(signed_in, pmo_rye, scheme):
    from benefits.services import register as register_services

    initiative, _ = scheme
    client = signed_in(pmo_rye)
    form = {"title": "My title", "workstream": initiative.workstream.code, "lead_organisation": "RYE", "stage": "delivery",
            "delivery_confidence": "amber", "qia_status": "not_started", "eia_status": "not_started", "version": "1"}
    register_services.update_initiative(user=pmo_rye, initiative=initiative, changes={"title": "Their title"}, expected_version=1)
    response = client.post(f"/initiatives/{initiative.ref}/edit/", form)
    html = response.content.decode()
    assert response.status_code == 412
    assert "was changed by someone else since you loaded it" in html
    initiative.refresh_from_db()
    assert initiative.title == "Their title"


def test_the_register_filters_searches_sorts_and_pages_without_javascript(signed_in, pmo_rye):
    for i in range(52):
        make_initiative(pmo_rye, title=f"Scheme {i:02d}", confidence="red" if i % 2 else "green")
    client = signed_in(pmo_rye)
    first = client.get("/initiatives/?delivery_confidence=red&sort=-title").content.decode()
    assert "26 initiatives" in first and "Scheme 51" in first and "Scheme 50" not in first
    assert first.index("Scheme 51") < first.index("Scheme 49")
    paged = client.get("/initiatives/?page=2").content.decode()
    assert "52 initiatives; page 2 of 2" in paged
    found = client.get("/initiatives/?search=scheme+07").content.decode()
    assert "1 initiative." in found and "Scheme 07" in found


def test_every_csrf_token_a_page_carries_signs_a_later_post_and_a_changed_one_does_not(pmo_rye, scheme):
    """Forms, the header and htmx's header each print Django's token for the page; any of them is accepted."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pmo_rye)
    html = browser.get("/initiatives/").text
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)) | set(re.findall(r'"X-CSRFToken": "([^"]+)"', html))
    assert len(tokens) >= 2  # the header's sign-out form, the download form and htmx's header at least
    browser.get("/")  # a later page, then a POST with the earlier page's token
    changed = [t[:40] + ("a" if t[40] != "a" else "b") + t[41:] for t in tokens]
    assert all(browser.post("/accounts/logout/", {"csrfmiddlewaretoken": t}).status_code == 403 for t in changed)
    for token in tokens:  # sign-out is a POST that CSRF protects and that any signed-in user may make
        browser.force_login(pmo_rye)
        response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 302 and response["Location"] == "/accounts/login/"
