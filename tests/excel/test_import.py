"""Importing a tracker: the dry run, the commit, the round trip and the rules every cell must keep."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from benefits.errors import NotAllowed
from benefits.excel import layout
from benefits.excel.exports import register_workbook
from benefits.excel.writer import SheetSpec, stream_workbook
from benefits.models import AuditEvent, BenefitLine, Entry, ImportBatch, Initiative
from benefits.selectors.audit import FIGURES_IMPORTED
from benefits.selectors.exports import register_export, visible_initiatives
from benefits.services import actuals as actual_services
from benefits.services.imports import ImportRefused, import_workbook
from benefits.services.periods import close_period
from tests.excel.helpers import FY, build, row, workbook, xlsx
from tests.factories import make_initiative, make_line, put


def problems_of(user, data: bytes) -> list[dict]:
    entries, audits = Entry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ImportRefused) as caught:
        import_workbook(user=user, data=data, filename="t.xlsx", dry_run=False)
    assert (Entry.objects.count(), AuditEvent.objects.count()) == (entries, audits)
    return [p.as_json() for p in caught.value.problems]


def export_of(user, **filters) -> bytes:
    return register_workbook(register_export(initiatives=visible_initiatives(user).filter(**filters)))


@pytest.fixture
def scheme(pmo_rye, procurement):
    """AG-… on RYE with one GBP line: plan 100.00 in April and May, forecast 90.00 in April."""
    initiative = make_initiative(pmo_rye, workstream=procurement, title="Joint fleet maintenance")
    line = make_line(pmo_rye, initiative, title="Fewer vehicle off-road days")
    put(pmo_rye, line, "plan", ["2025-04", "2025-05"], "100.00")
    put(pmo_rye, line, "forecast", ["2025-04"], "90.00")
    return initiative, line


def edited(data: bytes, cell: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb["2025-26"][cell] = value
    return xlsx(wb)


def test_an_exported_register_reimported_unchanged_changes_nothing(pmo_rye, scheme):
    data = export_of(pmo_rye)
    audits = AuditEvent.objects.count()
    result = import_workbook(user=pmo_rye, data=data, filename="register.xlsx", dry_run=False)
    body = result.as_json(dry_run=False)
    assert body["changes"] == []
    assert body["created"] == {"initiatives": 0, "benefits": 0, "entries": 0}
    assert body["updated"] == {"initiatives": 0, "benefits": 0, "entries": 0}
    assert body["unchanged"] == 1
    # Only the import itself is recorded; no object changed.
    assert AuditEvent.objects.exclude(action="benefits.import.committed").count() == audits


def test_a_dry_run_lists_exactly_the_one_changed_cell_and_writes_nothing(pmo_rye, scheme):
    data = edited(export_of(pmo_rye), "R2", 95.5)  # column R is "Apr 2025 forecast"
    audits, entries = AuditEvent.objects.count(), list(Entry.objects.values_list("id", "quantity", "version"))
    body = import_workbook(user=pmo_rye, data=data, filename="t.xlsx", dry_run=True).as_json(dry_run=True)
    assert body["dry_run"] is True
    assert body["changes"] == [{"sheet": "2025-26", "row": 2, "column": "Apr 2025 forecast", "old": "90.00", "new": "95.50"}]
    assert body["updated"]["entries"] == 1
    assert body["created"] == {"initiatives": 0, "benefits": 0, "entries": 0}
    assert AuditEvent.objects.count() == audits
    assert list(Entry.objects.values_list("id", "quantity", "version")) == entries
    assert not ImportBatch.objects.exists()


def test_a_commit_applies_the_change_and_its_audit_names_the_importing_user_and_the_import(pmo_rye, admin_user, scheme):
    _, line = scheme
    data = edited(export_of(pmo_rye), "R2", 95.5)
    result = import_workbook(user=admin_user, data=data, filename="fleet.xlsx", dry_run=False)
    batch = result.batch
    assert batch.created_by == admin_user and batch.filename == "fleet.xlsx"
    assert batch.counts["updated"]["entries"] == 1
    entry = Entry.objects.get(benefit=line, period="2025-04", series="forecast")
    assert str(entry.quantity) == "95.50" and str(entry.value_gbp) == "95.50"
    events = AuditEvent.objects.filter(import_batch=batch)
    assert {(e.action, e.actor, e.user_id) for e in events} == {
        (FIGURES_IMPORTED, "admin", admin_user.pk),
        ("benefits.import.committed", "admin", admin_user.pk),
    }
    # One event for the line (ADR 0058), naming exactly the cell that changed, old → new.
    change = events.get(action=FIGURES_IMPORTED)
    assert (change.object_type, change.object_id) == ("benefit", str(line.pk))
    assert change.changes == {"2025-04 forecast": ["90.00", "95.50"], "2025-04 forecast value_gbp": ["90.00", "95.50"]}
    committed = events.get(action="benefits.import.committed")
    assert (committed.object_type, committed.object_id) == ("import", str(batch.pk))


def test_a_new_tracker_creates_initiatives_lines_and_draft_entries(pmo_rye, procurement):
    rows = [
        row(**{"Benefit title": "Fleet savings", "Apr 2025 plan": 1000, "Apr 2025 actual": "950.50"}),
        row(**{"Benefit title": "Tyre contract", "Apr 2025 plan": "2,500.00"}),
        row(**{"Initiative title": "Estates", "Lead trust": "RYD", "Trust": "RYE", "Benefit title": "Rent", "Stage": "idea"}),
    ]
    result = import_workbook(user=pmo_rye, data=build(rows), filename="new.xlsx", dry_run=False)
    assert result.plan.counts()["created"] == {"initiatives": 2, "benefits": 3, "entries": 3}
    fleet = Initiative.objects.get(title="Joint fleet maintenance")
    assert fleet.owner == pmo_rye and fleet.benefits.count() == 2
    estates = Initiative.objects.get(title="Estates")
    assert estates.lead_organisation.code == "RYD"
    assert sorted(estates.organisations.values_list("code", flat=True)) == ["RYD", "RYE"]
    actual = Entry.objects.get(series="actual")
    assert (str(actual.quantity), actual.status) == ("950.50", "draft")
    assert str(Entry.objects.get(benefit__title="Tyre contract").quantity) == "2500.00"
    created = AuditEvent.objects.filter(import_batch=result.batch, action="benefits.initiative.created")
    assert created.count() == 2 and set(created.values_list("actor", flat=True)) == {"pmo.rye"}


def test_reimporting_the_same_file_changes_nothing(pmo_rye, procurement):
    data = build([row(**{"Apr 2025 plan": 1000})])
    first = import_workbook(user=pmo_rye, data=data, filename="new.xlsx", dry_run=False)
    counts = (Initiative.objects.count(), BenefitLine.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    again = import_workbook(user=pmo_rye, data=data, filename="new.xlsx", dry_run=False)
    assert again.batch is None and again.already_imported == first.batch
    assert again.as_json(dry_run=False)["changes"] == []
    assert counts == (Initiative.objects.count(), BenefitLine.objects.count(), Entry.objects.count(), AuditEvent.objects.count())


def test_a_line_across_two_year_sheets_is_one_line(pmo_rye, procurement):
    wb = workbook({"2025-26": [row(**{"Mar 2026 plan": 10})], "2026-27": [row(**{"Apr 2026 plan": 20})]})
    result = import_workbook(user=pmo_rye, data=xlsx(wb), filename="two.xlsx", dry_run=False)
    assert result.plan.counts()["created"] == {"initiatives": 1, "benefits": 1, "entries": 2}
    line = BenefitLine.objects.get()
    assert sorted(line.entries.values_list("period", flat=True)) == ["2026-03", "2026-04"]


def test_duplicate_rows_are_refused(pmo_rye, scheme):
    _, line = scheme
    ref = line.initiative.ref
    rows = [
        row(Ref=ref, **{"Benefit id": line.pk, "Benefit title": line.title}),
        row(Ref=ref, **{"Benefit id": line.pk, "Benefit title": line.title}),
        row(**{"Benefit title": "New"}),
        row(**{"Benefit title": "New"}),
    ]
    problems = problems_of(pmo_rye, build(rows))
    assert [(p["row"], "duplicates row" in p["message"]) for p in problems] == [(3, True), (5, True)]


def test_rows_of_one_initiative_must_agree(pmo_rye, procurement):
    problems = problems_of(pmo_rye, build([row(), row(**{"Benefit title": "Other", "Stage": "approved"})]))
    assert problems[0]["row"] == 3 and problems[0]["column"] == "Stage"
    assert "differs from 'delivery' in row 2" in problems[0]["message"]


def test_a_figure_in_a_closed_month_is_refused_but_an_unchanged_one_passes(pmo_rye, finance_rye, scheme):
    close_period(user=finance_rye, period="2025-04")
    data = export_of(pmo_rye)
    assert import_workbook(user=pmo_rye, data=data, filename="t.xlsx").plan.changes == []
    problems = problems_of(pmo_rye, edited(data, "Q2", 150))  # Apr 2025 plan
    assert problems == [
        {
            "sheet": "2025-26",
            "row": 2,
            "column": "Apr 2025 plan",
            "message": "Row 2, column 'Apr 2025 plan': April 2025 is closed (every month up to April 2025 is closed), so its "
            "figures cannot change. Ask finance to reopen the month if a correction is needed "
            "(the file has 150.00, the tracker has 100.00).",
        }
    ]


def test_changing_a_validated_actual_is_refused(pmo_rye, finance_rye, scheme):
    _, line = scheme
    (actual,) = put(pmo_rye, line, "actual", ["2025-04"], "80.00")
    actual_services.submit_entries(user=pmo_rye, ids=[actual.pk])
    actual_services.validate_entries(user=finance_rye, ids=[actual.pk])
    data = export_of(pmo_rye)
    assert import_workbook(user=pmo_rye, data=data, filename="t.xlsx").plan.changes == []
    problems = problems_of(pmo_rye, edited(data, "S2", 85))  # Apr 2025 actual
    assert problems[0]["column"] == "Apr 2025 actual"
    assert problems[0]["message"] == (
        "Row 2, column 'Apr 2025 actual': The April 2025 actual is validated, so it cannot change. "
        "Validated figures are final (the file has 85.00, the tracker has 80.00)."
    )


def test_a_row_for_an_initiative_the_user_may_not_edit_refuses_the_whole_file(pmo_rye, pmo_ryd, procurement):
    theirs = make_initiative(pmo_ryd, lead="RYD", workstream=procurement, title="Their scheme")
    their_line = make_line(pmo_ryd, theirs, title="Their saving", organisation="RYD")
    put(pmo_ryd, their_line, "plan", ["2025-04"], "10.00")
    mine = make_initiative(pmo_rye, workstream=procurement, title="My scheme")
    make_line(pmo_rye, mine, title="My saving")
    data = export_of(pmo_ryd)
    # Unchanged rows of another trust's initiative are fine: reading is allowed, nothing is written.
    assert import_workbook(user=pmo_rye, data=data, filename="t.xlsx").plan.changes == []
    their_row = 2 if Initiative.objects.order_by("ref").first() == theirs else 3
    changed = edited(data, f"Q{their_row}", 99)
    problems = problems_of(pmo_rye, changed)
    assert [(p["row"], p["column"]) for p in problems] == [(their_row, "Ref")]
    assert f"you may not change {theirs.ref}: it involves only RYD" in problems[0]["message"]
    assert Entry.objects.get(benefit=their_line).quantity == Decimal("10.00")


def test_finance_may_not_import(finance_rye, procurement):
    with pytest.raises(NotAllowed):
        import_workbook(user=finance_rye, data=build([row()]), filename="t.xlsx")


def test_a_line_change_is_applied_through_the_benefit_service(pmo_rye, scheme):
    _, line = scheme
    data = edited(export_of(pmo_rye), "P2", 50)  # Attribution %
    result = import_workbook(user=pmo_rye, data=data, filename="t.xlsx", dry_run=False)
    assert result.plan.changes == [{"sheet": "2025-26", "row": 2, "column": "Attribution %", "old": "100.00", "new": "50.00"}]
    # The service revalued the line's entries at 50 %.
    assert str(Entry.objects.get(benefit=line, period="2025-04", series="plan").value_gbp) == "50.00"


@pytest.mark.slow
def test_ten_thousand_rows_import_in_one_go(pmo_rye, procurement):

    header = layout.headers(FY)
    fixed = [row(**{"Initiative title": "", "Benefit title": ""})[h] for h in header[: len(layout.FIXED_COLUMNS)]]

    def rows():
        for n in range(10_000):
            values = list(fixed)
            values[1] = f"Scheme {n // 5}"
            values[8] = f"Line {n}"
            yield values + [Decimal("100.00"), Decimal("90.00"), None] * 2

    data = stream_workbook([SheetSpec(name="2025-26", header=header, rows=rows())])
    result = import_workbook(user=pmo_rye, data=data, filename="big.xlsx", dry_run=False)
    assert result.plan.counts()["created"] == {"initiatives": 2000, "benefits": 10_000, "entries": 40_000}
    assert Entry.objects.count() == 40_000
    imported = AuditEvent.objects.filter(import_batch=result.batch, action=FIGURES_IMPORTED)
    assert imported.count() == 10_000  # one a line, each naming its four cells
    entry = Entry.objects.filter(series="forecast").order_by("id").last()
    event = imported.get(object_id=str(entry.benefit_id))
    assert (event.actor, event.user_id) == ("pmo.rye", pmo_rye.pk)
    assert event.changes == {
        f"{month} {series}{suffix}": [None, amount]
        for month in ("2025-04", "2025-05")
        for series, amount in (("plan", "100.00"), ("forecast", "90.00"))
        for suffix in ("", " value_gbp")
    }
    assert (entry.updated_by, entry.status, entry.version) == (pmo_rye, None, 1)


def test_whoever_imported_an_actual_may_not_validate_it(pmo_rye, admin_user, finance_rye, scheme):
    """Segregation of duties reads the import's line event too: it names the importer (ADR 0058)."""
    _, line = scheme
    import_workbook(user=admin_user, data=edited(export_of(pmo_rye), "S2", 88), filename="t.xlsx", dry_run=False)
    actual = Entry.objects.get(benefit=line, period="2025-04", series="actual")
    actual_services.submit_entries(user=pmo_rye, ids=[actual.pk])  # someone else submits it
    with pytest.raises(NotAllowed, match="segregation of duties"):
        actual_services.validate_entries(user=admin_user, ids=[actual.pk])
    assert actual_services.own_entry_ids(admin_user, [actual]) == {actual.pk}
    assert actual_services.own_entry_ids(finance_rye, [actual]) == set()
    actual_services.validate_entries(user=finance_rye, ids=[actual.pk])
    actual.refresh_from_db()
    assert actual.status == "validated"


def test_an_imported_figure_is_in_its_entrys_history_page_and_audit(client, api, pmo_rye, admin_user, scheme):
    _, line = scheme
    import_workbook(user=admin_user, data=edited(export_of(pmo_rye), "R2", 95.5), filename="t.xlsx", dry_run=False)
    forecast = Entry.objects.get(benefit=line, period="2025-04", series="forecast")
    plan = Entry.objects.get(benefit=line, period="2025-04", series="plan")
    client.force_login(pmo_rye)
    html = client.get(f"/history/entry/{forecast.pk}/").content.decode()
    assert "changed the April 2025 forecast from £90.00 to £95.50 by import" in html
    # The plan's page does not claim the import changed it.
    assert "by import" not in client.get(f"/history/entry/{plan.pk}/").content.decode()
    line_page = client.get(f"/history/benefit/{line.pk}/").content.decode()
    assert "changed the April 2025 forecast from £90.00 to £95.50 by import" in line_page
    body = api(pmo_rye).get("/api/v1/audit/", {"object_type": "entry", "object_id": str(forecast.pk)}).json()
    assert [e["action"] for e in body["results"]] == [FIGURES_IMPORTED, "benefits.entry.created"]
    assert body["results"][0]["changes"]["2025-04 forecast"] == ["90.00", "95.50"]
    body = api(pmo_rye).get("/api/v1/audit/", {"object_type": "entry", "object_id": str(plan.pk)}).json()
    assert [e["action"] for e in body["results"]] == ["benefits.entry.created"]
