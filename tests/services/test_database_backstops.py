"""What the database keeps true on its own, even for a write that bypasses the services.

Line-months follow every INSERT, UPDATE and DELETE of entries (ADR 0023), and every entry write
leaves a pghistory row (ADR 0003), whoever ran the SQL.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from pghistory.models import Events

from benefits.models import AuditEvent, Entry, EntryEvent, ImportBatch, LineMonth
from benefits.services import bulk as bulk_services
from benefits.services import common
from tests.factories import make_initiative, make_line, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(pmo_rye):
    return make_line(pmo_rye, make_initiative(pmo_rye, lead="RYE"), organisation="RYE")


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def held(line) -> dict[str, list]:
    return {
        m.period: [m.plan, m.forecast, m.validated, m.validated_count, m.unvalidated]
        for m in LineMonth.objects.filter(benefit=line)
        if any([m.plan, m.forecast, m.validated, m.validated_count, m.unvalidated])
    }


def summed(line) -> dict[str, list]:
    """The line-months recomputed from the entries themselves."""
    sums: dict[str, list] = {}
    for e in Entry.objects.filter(benefit=line):
        row = sums.setdefault(e.period, [Decimal(0), Decimal(0), Decimal(0), 0, Decimal(0)])
        if e.series == "plan":
            row[0] += e.value_gbp
        elif e.series == "forecast":
            row[1] += e.value_gbp
        elif e.status == "validated":
            row[2] += e.value_gbp
            row[3] += 1
        else:
            row[4] += e.value_gbp
    return {k: v for k, v in sums.items() if any(v)}


def test_raw_sql_writes_outside_the_services_still_keep_line_months_exact(pmo_rye, line):
    put(pmo_rye, line, "plan", {"2025-04": "100.00", "2025-05": "200.00"})
    put(pmo_rye, line, "forecast", {"2025-04": "90.00", "2025-05": "210.00"})
    put(pmo_rye, line, "actual", {"2025-04": "95.00"})
    assert held(line)["2025-04"] == [Decimal("100.00"), Decimal("90.00"), 0, 0, Decimal("95.00")]

    raw("UPDATE benefits_entry SET quantity = quantity + 1, value_gbp = value_gbp + 1 WHERE benefit_id = %s", [line.pk])
    raw("UPDATE benefits_entry SET status = 'validated' WHERE benefit_id = %s AND series = 'actual'", [line.pk])
    raw("DELETE FROM benefits_entry WHERE benefit_id = %s AND period = '2025-05' AND series = 'plan'", [line.pk])
    raw(
        "INSERT INTO benefits_entry (benefit_id, period, series, quantity, value_gbp, version, created_at, updated_at) "
        "VALUES (%s, '2025-06', 'forecast', 300, 300, 1, now(), now())",
        [line.pk],
    )

    assert held(line) == summed(line)
    assert held(line) == {
        "2025-04": [Decimal("101.00"), Decimal("91.00"), Decimal("96.00"), 1, Decimal("0.00")],
        "2025-05": [Decimal("0.00"), Decimal("211.00"), Decimal("0.00"), 0, Decimal("0.00")],
        "2025-06": [Decimal("0.00"), Decimal("300.00"), Decimal("0.00"), 0, Decimal("0.00")],
    }


def test_a_raw_sql_update_of_a_quantity_leaves_a_history_row_naming_old_and_new(pmo_rye, line):
    forecast = put(pmo_rye, line, "forecast", {"2025-04": "90.00"})[0]

    raw("UPDATE benefits_entry SET quantity = 12.34 WHERE id = %s", [forecast.pk])

    rows = list(EntryEvent.objects.filter(pgh_obj=forecast).order_by("pgh_id").values_list("pgh_label", "quantity"))
    assert rows == [("insert", Decimal("90.00")), ("update", Decimal("12.34"))]
    update = Events.objects.tracks(forecast).get(pgh_label="update")
    assert update.pgh_diff == {"quantity": [90.0, 12.34]}  # pghistory's own diff of the two rows


def test_a_raw_sql_delete_leaves_a_history_row_with_what_was_deleted(pmo_rye, line):
    plan = put(pmo_rye, line, "plan", {"2025-04": "100.00"})[0]

    raw("DELETE FROM benefits_entry WHERE id = %s", [plan.pk])

    last = EntryEvent.objects.filter(pgh_obj_id=plan.pk).latest("pgh_id")
    assert (last.pgh_label, last.period, last.series, last.quantity) == ("delete", "2025-04", "plan", Decimal("100.00"))


def test_a_bulk_write_records_one_history_row_per_entry_written(pmo_rye, line):
    rows = [bulk_services.BulkRow(line.pk, f"2025-{m:02d}", "plan", "10.00") for m in range(4, 13)]
    bulk_services.bulk_upsert_entries(user=pmo_rye, rows=rows)
    bulk_services.bulk_upsert_entries(user=pmo_rye, rows=[bulk_services.BulkRow(line.pk, "2025-04", "plan", "11.00"), *rows[1:]])

    labels = list(EntryEvent.objects.filter(benefit=line).values_list("pgh_label", flat=True))
    assert sorted(labels) == ["insert"] * 9 + ["update"]  # the unchanged eight leave no update row


def test_a_whole_tracker_import_leaves_its_new_entries_to_the_audit_and_history_records_what_follows(
    pmo_rye, line, monkeypatch
):
    monkeypatch.setattr(common, "BULK_HISTORY_THRESHOLD", 5)  # a whole tracker, in miniature
    batch = ImportBatch.objects.create(filename="tracker.xlsx", sha256="1" * 64, created_by=pmo_rye)
    rows = [bulk_services.BulkRow(line.pk, f"2025-{m:02d}", "plan", "10.00") for m in range(4, 13)]
    bulk_services.bulk_upsert_entries(user=pmo_rye, rows=rows, import_batch=batch, max_rows=None)

    assert not EntryEvent.objects.filter(benefit=line).exists()
    imported = AuditEvent.objects.get(import_batch=batch, object_type="benefit", object_id=str(line.pk))
    assert imported.changes["2025-04 plan"] == [None, "10.00"] and len(imported.changes) == 2 * len(rows)

    april = Entry.objects.get(benefit=line, period="2025-04", series="plan")
    raw("UPDATE benefits_entry SET quantity = 11 WHERE id = %s", [april.pk])
    raw(
        "INSERT INTO benefits_entry (benefit_id, period, series, quantity, value_gbp, version, created_at, updated_at) "
        "VALUES (%s, '2026-01', 'plan', 5, 5, 1, now(), now())",
        [line.pk],
    )
    assert sorted(EntryEvent.objects.filter(benefit=line).values_list("pgh_label", "period", "quantity")) == [
        ("insert", "2026-01", Decimal("5.00")),
        ("update", "2025-04", Decimal("11.00")),
    ]


def test_an_import_below_the_bulk_threshold_keeps_every_insert_snapshot(pmo_rye, line):
    batch = ImportBatch.objects.create(filename="small.xlsx", sha256="2" * 64, created_by=pmo_rye)
    rows = [bulk_services.BulkRow(line.pk, f"2025-{m:02d}", "forecast", "10.00") for m in range(4, 7)]
    bulk_services.bulk_upsert_entries(user=pmo_rye, rows=rows, import_batch=batch, max_rows=None)

    assert list(EntryEvent.objects.filter(benefit=line).values_list("pgh_label", flat=True)) == ["insert"] * 3
