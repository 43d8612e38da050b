"""The three journeys of issue 7 in a real browser, each ending with what the page shows."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from benefits.models import Entry, Initiative, UnitCost
from benefits.services import actuals as actual_services
from benefits.services import entries as entry_services
from benefits.services.periods import close_period
from tests.browser.conftest import sign_in, sign_out
from tests.factories import WorkstreamFactory, make_initiative, make_line, make_unit_cost, put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_office_registers_fills_the_grid_by_keyboard_and_submits(visit, pmo_rye, pmo_ryd):
    WorkstreamFactory(code="FLEET", name="Fleet and estates")
    page = visit.page
    sign_in(visit, "pmo.rye")
    header = page.locator("header")
    expect(header).to_contain_text("Priya Patel")
    expect(header).to_contain_text("Programme office")
    expect(header).to_contain_text("RYE")
    visit.check("dashboard")

    page.get_by_role("link", name="Register", exact=True).click()
    visit.check("register")
    page.get_by_role("link", name="Register an initiative").click()
    page.get_by_role("button", name="Register initiative").click()  # nothing filled in: the NHS error summary
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter title")
    expect(summary).to_contain_text("Select workstream")
    visit.check("register an initiative with errors")

    page.get_by_label("Title").fill("Shared fleet workshop")
    page.get_by_label("Workstream").select_option("FLEET")
    page.get_by_label("Stage").select_option("delivery")
    page.get_by_label("Delivery confidence").select_option("green")
    page.get_by_role("button", name="Register initiative").click()
    expect(page.locator("h1")).to_contain_text("Shared fleet workshop")
    ref = Initiative.objects.get(title="Shared fleet workshop").ref
    visit.check("initiative registered")

    page.get_by_role("link", name="Add a benefit line").click()
    page.get_by_label("Title").fill("Workshop savings")
    page.get_by_label("Benefit class").select_option("cashable")
    page.get_by_role("button", name="Add benefit line").click()
    expect(page.locator(".app-message")).to_contain_text("Workshop savings")
    visit.check("benefit line added")

    page.goto(visit.url(f"/initiatives/{ref}/?fy=2025/26"))
    line = Initiative.objects.get(ref=ref).benefits.get()
    # Plan for April to June, typed cell after cell with Tab like a spreadsheet; each change saves at once.
    page.locator(f"#q-{line.pk}-plan-2025-04").click()
    for amount in ("10000", "10000", "10000"):
        page.keyboard.type(amount)
        page.keyboard.press("Tab")
    page.locator(f"#q-{line.pk}-actual-2025-04").click()
    for amount in ("8000", "9500"):
        page.keyboard.type(amount)
        page.keyboard.press("Tab")
    expect(page.locator(f"#total-{line.pk}-plan")).to_contain_text("£30,000.00")
    expect(page.locator(f"#total-{line.pk}-actual")).to_contain_text("£17,500.00")
    expect(page.locator("#year-totals [data-total='plan']")).to_have_text("£30,000.00")
    expect(page.locator(f"#cell-{line.pk}-actual-2025-05")).to_contain_text("Draft")
    visit.check("grid filled by keyboard")
    assert Entry.objects.filter(benefit=line, series="plan").count() == 3

    # A saved cell's History link is the next stop after its input, and keeps focus when the cell is saved.
    page.reload()  # visit.check leaves style="" on elements (axe-core), which htmx would copy onto swapped cells
    page.locator(f"#q-{line.pk}-plan-2025-04").fill("10500")
    page.keyboard.press("Tab")
    history = page.locator(f"#cell-{line.pk}-plan-2025-04-history")
    expect(history).to_be_focused()
    expect(page.locator(f"#total-{line.pk}-plan")).to_contain_text("£30,500.00")
    expect(history).to_be_focused()
    expect(page.get_by_role("link", name="History of the April 2025 plan")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("History of the April 2025 plan of “Workshop savings”")
    expect(page.locator("main")).to_contain_text("Priya Patel changed the April 2025 plan from £10,000.00 to £10,500.00")
    visit.check("history of one cell")
    page.go_back()

    page.get_by_role("button", name="Submit draft actuals for validation").click()
    expect(page.locator(".app-message")).to_contain_text("2 actuals of “Workshop savings” submitted for validation")
    expect(page.locator(f"#cell-{line.pk}-actual-2025-04")).to_contain_text("Submitted")
    expect(page.locator(f"#cell-{line.pk}-actual-2025-05")).to_contain_text("Submitted")
    visit.check("actuals submitted")
    sign_out(visit)

    # A programme-office user of the other trust can read the scheme but not change it.
    sign_in(visit, "pmo.ryd")
    page.goto(visit.url(f"/initiatives/{ref}/?fy=2025/26"))
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("You can see this initiative but not change it")
    expect(page.locator("input.app-grid__input")).to_have_count(0)
    visit.check("other trust sees it read-only")
    page.goto(visit.url(f"/initiatives/{ref}/edit/"))
    expect(page.locator("h1")).to_have_text("You cannot do this")
    expect(page.locator("main")).to_contain_text("does not involve any of your trusts")
    visit.check("other trust may not edit")


def _submitted_actuals(pmo, months_values):
    initiative = make_initiative(pmo, title="Joint procurement of consumables", confidence="green")
    line = make_line(pmo, initiative, title="Consumables savings")
    put(pmo, line, "plan", list(months_values), "10000.00")
    actuals = put(pmo, line, "actual", months_values)
    actual_services.submit_entries(user=pmo, ids=[e.pk for e in actuals])
    return initiative, line


def test_finance_validates_in_the_queue_and_closes_the_month(visit, pmo_rye, finance_rye, admin_user):
    initiative, line = _submitted_actuals(pmo_rye, {"2025-04": "8000.00", "2025-05": "9500.00", "2025-06": "7000.00"})
    # An administrator may enter, submit and (for others' figures) validate: here they submitted one themselves.
    own_line = make_line(admin_user, initiative, title="Admin's own line")
    own = put(admin_user, own_line, "actual", {"2025-05": "500.00"})
    actual_services.submit_entries(user=admin_user, ids=[own[0].pk])

    page = visit.page
    sign_in(visit, "finance.rye")
    page.get_by_role("link", name="Validation queue").click()
    expect(page.locator("#queue tbody tr")).to_have_count(4)
    page.get_by_label("Trust").select_option("RYE")
    page.get_by_role("button", name="Apply filters").click()
    visit.check("validation queue")

    april = Entry.objects.get(benefit=line, series="actual", period="2025-04")
    page.locator(f"#entry-{april.pk}").get_by_role("button", name=re.compile("^Validate")).click()
    expect(page.locator(".app-message")).to_contain_text("The actual is validated.")

    june = Entry.objects.get(benefit=line, series="actual", period="2025-06")
    page.locator(f"#select-{june.pk}").check()
    page.get_by_role("button", name="Send selected back").click()  # without a reason: refused, said plainly
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Give a reason")
    visit.check("send back without a reason")
    page.locator(f"#select-{june.pk}").check()
    page.get_by_label("Reason for sending back").fill("June does not match the ledger; please check the invoice.")
    page.get_by_role("button", name="Send selected back").click()
    expect(page.locator(".app-message")).to_contain_text("1 actual sent back with your reason.")

    may = Entry.objects.get(benefit=line, series="actual", period="2025-05")
    own_may = Entry.objects.get(benefit=own_line, series="actual")
    page.locator(f"#select-{may.pk}").check()
    page.locator(f"#select-{own_may.pk}").check()
    page.get_by_role("button", name="Validate selected").click()
    expect(page.locator(".app-message")).to_contain_text("2 actuals validated.")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for validation.")
    visit.check("queue emptied")

    page.get_by_role("link", name="Periods").click()
    page.get_by_label("Financial year").select_option("2025/26")
    page.get_by_role("button", name="Show year").click()
    page.get_by_label("Month to close").select_option("2025-05")
    page.get_by_role("button", name="Close month").click()
    expect(page.locator(".app-message")).to_contain_text("May 2025 and every month before it are closed.")
    expect(page.locator("#period-2025-05")).to_contain_text("Closed")
    expect(page.locator("#period-2025-04")).to_contain_text("Closed")
    expect(page.locator("#period-2025-06")).to_contain_text("Open")
    visit.check("month closed")

    # The programme office sees June sent back, with finance's reason.
    page.goto(visit.url(f"/initiatives/{initiative.ref}/?fy=2025/26"))
    expect(page.locator(f"#cell-{line.pk}-actual-2025-06")).to_contain_text("Sent back")
    expect(page.locator(f"#cell-{line.pk}-actual-2025-06")).to_contain_text("June does not match the ledger")
    visit.check("initiative after validation")
    page.goto(visit.url(f"/history/initiative/{initiative.ref}/"))
    expect(page.locator("main")).to_contain_text("Fiona Reid sent back the June 2025 actual")
    expect(page.locator("main")).to_contain_text("Fiona Reid validated the April 2025 actual")
    visit.check("history in sentences")

    # Finance deletes a target after a confirm step; the dashboard leaves it out.
    page.goto(visit.url("/finance/targets/"))
    page.get_by_role("link", name="Delete Wider benefits").click()
    expect(page.locator("h1")).to_have_text("Delete target Wider benefits?")
    visit.check("confirm deleting a target")
    page.get_by_role("button", name="Delete this target").click()
    expect(page.locator(".app-message")).to_contain_text("Target “Wider benefits” is deleted.")
    expect(page.locator("main table")).not_to_contain_text("Wider benefits")
    visit.check("target deleted")
    sign_out(visit)

    # Whoever submitted an actual cannot validate it: no button, and the service refuses a forged post.
    # June is a draft again: the administrator corrects and submits it, so it is theirs.
    entry_services.update_entry(user=admin_user, entry=june, quantity="7100.00", expected_version=Entry.objects.get(pk=june.pk).version)
    actual_services.submit_entries(user=admin_user, ids=[june.pk])
    sign_in(visit, "admin")
    page.goto(visit.url("/finance/validation/"))
    row = page.locator(f"#entry-{june.pk}")
    expect(row).to_contain_text("You entered or submitted this")
    expect(row.get_by_role("button", name=re.compile("^Validate"))).to_have_count(0)
    visit.check("own actual has no validate button")
    token = page.locator("#queue input[name=csrfmiddlewaretoken]").get_attribute("value")
    response = page.request.post(visit.url("/finance/validation/"), form={"csrfmiddlewaretoken": token, "validate_one": str(june.pk)},
                                 headers={"Referer": visit.url("/finance/validation/")})
    assert response.status == 403
    assert "segregation of duties" in response.text()
    assert Entry.objects.get(pk=june.pk).status == "submitted"


def test_finance_changes_a_unit_cost_version_and_adds_a_target(visit, pmo_rye, finance_rye):
    first = make_unit_cost(finance_rye, value="250.00", valid_from="2025-04")
    second = make_unit_cost(finance_rye, value="300.00", valid_from="2025-10")
    line = make_line(pmo_rye, make_initiative(pmo_rye, title="Hear and treat"), measure="conveyances", unit_cost="conveyance_avoided")
    put(pmo_rye, line, "forecast", ["2025-05", "2025-11"], "2.00")
    close_period(user=finance_rye, period="2025-05")
    page = visit.page
    sign_in(visit, "finance.rye")

    # A version whose months are closed keeps its value: the refusal is said beside the field, in words.
    page.goto(visit.url("/finance/unit-costs/"))
    page.get_by_role("link", name="Change conveyance_avoided from April 2025").click()
    expect(page.get_by_label("Value in pounds")).to_have_value("250.00")
    page.get_by_label("Value in pounds").fill("260.00")
    page.get_by_role("button", name="Save unit cost version").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("it values months up to 2025-05, which are closed")
    expect(page.locator("#value_gbp-error")).to_contain_text("Add a new version from an open month instead")
    visit.check("unit cost change refused")

    # The October version is open: its new value is saved and its entries revalued.
    page.goto(visit.url(f"/finance/unit-costs/{second.pk}/"))
    page.get_by_label("Value in pounds").fill("320.00")
    page.get_by_role("button", name="Save unit cost version").click()
    expect(page.locator(".app-message")).to_contain_text("Unit cost conveyance_avoided from October 2025 is saved")
    expect(page.locator("main table").last).to_contain_text("£320.00")
    visit.check("unit cost changed")
    assert str(Entry.objects.get(benefit=line, period="2025-11").value_gbp) == "640.00"
    assert str(Entry.objects.get(benefit=line, period="2025-05").value_gbp) == "500.00"
    assert str(UnitCost.objects.get(pk=first.pk).value_gbp) == "250.00"

    page.goto(visit.url("/finance/targets/"))
    page.get_by_role("link", name="Add a target").click()
    page.get_by_role("button", name="Add target").click()  # nothing filled in: the NHS error summary names each field
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter name.")
    expect(summary).to_contain_text("Select benefit classes.")
    visit.check("add a target with errors")
    page.get_by_label("Name").fill("Hours released")
    page.get_by_label("Amount in pounds").fill("2500000.00")
    page.get_by_label("Societal").check()
    page.get_by_label("First month").fill("2025-04")
    page.get_by_label("Last month").fill("2027-03")
    page.get_by_role("button", name="Add target").click()
    expect(page.locator(".app-message")).to_contain_text("Target “Hours released” is added")
    expect(page.locator("main table")).to_contain_text("Hours released")
    visit.check("target added")


def test_executive_sees_the_dashboard_change_and_downloads_a_board_pack(visit, pmo_rye, finance_ryd, executive, pack_builder):
    _, line = _submitted_actuals(pmo_rye, {"2025-04": "8000.00", "2025-05": "9500.00", "2025-06": "7000.00"})
    put(pmo_rye, line, "forecast", [f"2025-{m:02d}" for m in range(4, 13)], "9000.00")
    page = visit.page
    sign_in(visit, "exec")
    expect(page.locator("header")).to_contain_text("Executive")
    page.get_by_label("Show figures as at").select_option("2025-06")
    page.get_by_role("button", name="Show").click()
    cashable = page.locator("section.app-target").filter(has_text="Cashable efficiencies")
    expect(cashable.locator("[data-figure='achieved']")).to_contain_text("£0")
    visit.check("dashboard before validation")

    actual_services.validate_entries(user=finance_ryd, ids=list(line.entries.filter(series="actual").values_list("id", flat=True)))
    page.reload()
    # Run rate: 12 × June's validated £7,000 = £84,000 achieved (FINANCE.md, annual_run_rate)
    expect(cashable.locator("[data-figure='achieved']")).to_contain_text("£84,000")
    expect(cashable).to_contain_text("Not on track")
    visit.check("dashboard after validation")
    page.set_viewport_size({"width": 768, "height": 1024})
    visit.check("dashboard at tablet width")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Board packs").click()
    page.get_by_label("Month").select_option("2025-06")
    page.get_by_role("button", name="Generate board pack").click()
    row = page.locator("table tbody tr").first
    expect(row.locator("progress")).to_be_visible()
    visit.check("board pack building")
    expect(row.locator("progress")).to_have_attribute("value", "100", timeout=60000)
    expect(row).to_contain_text("Ready")
    visit.check("board pack ready")
    sha = row.locator(".app-sha").inner_text().strip()
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("Download the June 2025 pack")).click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == sha
    assert info.value.suggested_filename == "board-pack-2025-06.pdf"
