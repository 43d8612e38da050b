"""The actuals workflow and its refusals (FINANCE.md; API.md who may do what)."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from benefits.errors import Conflict, InvalidTransition, NotAllowed, PeriodClosed, StaleVersion, Unprocessable, ValidationFailed
from benefits.models import AuditEvent, Entry, EntryStatusChange
from benefits.services import actuals as actual_services
from benefits.services import bulk as bulk_services
from benefits.services import entries as entry_services
from benefits.services.periods import close_period, reopen_period
from tests.factories import make_initiative, make_line, make_unit_cost, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(pmo_rye):
    return make_line(pmo_rye, make_initiative(pmo_rye, lead="RYE"), organisation="RYE")


@pytest.fixture
def actual(pmo_rye, line):
    return put(pmo_rye, line, "actual", {"2025-06": "7000.00"})[0]


def test_an_actual_goes_draft_submitted_validated_with_each_step_recorded(pmo_rye, finance_rye, actual):
    assert actual.status == "draft"
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    actual_services.validate_entry(user=finance_rye, entry=actual)
    actual.refresh_from_db()
    assert actual.status == "validated"
    steps = list(EntryStatusChange.objects.filter(entry=actual).values_list("from_status", "to_status", "by__username"))
    assert steps == [("draft", "submitted", "pmo.rye"), ("submitted", "validated", "finance.rye")]
    actions = list(AuditEvent.objects.filter(object_type="entry", object_id=str(actual.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["benefits.entry.created", "benefits.entry.submitted", "benefits.entry.validated"]


def test_finance_sends_a_submitted_actual_back_with_a_reason(pmo_rye, finance_rye, actual):
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    with pytest.raises(ValidationFailed):
        actual_services.reject_entry(user=finance_rye, entry=actual, reason="  ")
    actual_services.reject_entry(user=finance_rye, entry=actual, reason="Evidence missing")
    actual.refresh_from_db()
    assert actual.status == "draft"
    assert EntryStatusChange.objects.get(entry=actual, to_status="draft").reason == "Evidence missing"
    entry_services.update_entry(user=pmo_rye, entry=actual, quantity=Decimal("6500.00"))


def test_wrong_states_are_refused(pmo_rye, finance_rye, actual):
    with pytest.raises(InvalidTransition):
        actual_services.validate_entry(user=finance_rye, entry=actual)  # still draft
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    with pytest.raises(InvalidTransition):
        actual_services.submit_entry(user=pmo_rye, entry=actual)
    with pytest.raises(InvalidTransition):
        entry_services.update_entry(user=pmo_rye, entry=actual, quantity=Decimal("1.00"))  # submitted: locked
    actual_services.validate_entry(user=finance_rye, entry=actual)
    with pytest.raises(InvalidTransition):
        actual_services.reject_entry(user=finance_rye, entry=actual, reason="too late")
    with pytest.raises(InvalidTransition):
        entry_services.delete_entry(user=pmo_rye, entry=actual)


def test_plans_and_forecasts_have_no_workflow(pmo_rye, line):
    plan = put(pmo_rye, line, "plan", {"2025-06": "10000.00"})[0]
    assert plan.status is None
    with pytest.raises(InvalidTransition):
        actual_services.submit_entry(user=pmo_rye, entry=plan)


def test_nobody_validates_an_actual_they_entered_or_submitted_not_even_an_admin(admin_user, pmo_rye, finance_rye, line):
    entered_by_admin = put(admin_user, line, "actual", {"2025-07": "100.00"})[0]
    actual_services.submit_entry(user=pmo_rye, entry=entered_by_admin)
    with pytest.raises(NotAllowed, match="segregation"):
        actual_services.validate_entry(user=admin_user, entry=entered_by_admin)
    with pytest.raises(NotAllowed):
        actual_services.reject_entry(user=admin_user, entry=entered_by_admin, reason="mine")
    actual_services.validate_entry(user=finance_rye, entry=entered_by_admin)


def test_a_finance_user_who_edited_an_actual_cannot_validate_it(admin_user, finance_rye, pmo_rye, line):
    entry = put(pmo_rye, line, "actual", {"2025-08": "100.00"})[0]
    finance_rye.role = "admin"  # an editor with rights to edit, later acting as finance
    entry_services.update_entry(user=finance_rye, entry=entry, quantity=Decimal("120.00"))
    finance_rye.role = "finance"
    actual_services.submit_entry(user=pmo_rye, entry=entry)
    with pytest.raises(NotAllowed):
        actual_services.validate_entry(user=finance_rye, entry=entry)


def test_only_finance_and_admin_validate(pmo_rye, pmo_ryd, executive, actual):
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    for user in (pmo_ryd, executive):
        with pytest.raises(NotAllowed):
            actual_services.validate_entry(user=user, entry=actual)


def test_programme_office_writes_only_their_own_trusts_initiatives(pmo_rye, pmo_ryd, line):
    with pytest.raises(NotAllowed):
        put(pmo_ryd, line, "plan", {"2025-04": "1.00"})
    joint = make_initiative(pmo_rye, lead="RYE", orgs=("RYD",))
    joint_line = make_line(pmo_rye, joint, organisation="RYE")
    put(pmo_ryd, joint_line, "plan", {"2025-04": "1.00"})  # RYD takes part, so may write


def test_one_entry_per_benefit_period_and_series(pmo_rye, line):
    put(pmo_rye, line, "plan", {"2025-04": "1.00"})
    with pytest.raises(Conflict):
        put(pmo_rye, line, "plan", {"2025-04": "2.00"})


def test_bad_quantities_and_periods_are_refused_with_the_field_named(pmo_rye, line):
    for bad in ("-1", "1.234", "abc", "NaN", 1.5):
        with pytest.raises(ValidationFailed) as exc:
            entry_services.create_entry(user=pmo_rye, benefit=line, period="2025-04", series="plan", quantity=bad)
        assert exc.value.field == "quantity"
    with pytest.raises(ValidationFailed) as exc:
        entry_services.create_entry(user=pmo_rye, benefit=line, period="2025-13", series="plan", quantity="1")
    assert exc.value.field == "period"
    assert not Entry.objects.exists()


def test_a_stale_version_is_refused_and_nothing_is_overwritten(pmo_rye, line):
    entry = put(pmo_rye, line, "forecast", {"2025-05": "9000.00"})[0]
    entry_services.update_entry(user=pmo_rye, entry=entry, quantity=Decimal("9500.00"), expected_version=1)
    with pytest.raises(StaleVersion):
        entry_services.update_entry(user=pmo_rye, entry=entry, quantity=Decimal("9100.00"), expected_version=1)
    entry.refresh_from_db()
    assert (entry.quantity, entry.version) == (Decimal("9500.00"), 2)


def test_closed_periods_refuse_every_change_until_reopened(pmo_rye, finance_rye, line):
    forecast = put(pmo_rye, line, "forecast", {"2025-05": "9000.00"})[0]
    actual = put(pmo_rye, line, "actual", {"2025-06": "8000.00"})[0]
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    close_period(user=finance_rye, period="2025-06")
    with pytest.raises(PeriodClosed):
        put(pmo_rye, line, "plan", {"2025-04": "1.00"})  # earlier months are closed too
    with pytest.raises(PeriodClosed):
        entry_services.update_entry(user=pmo_rye, entry=forecast, quantity=Decimal("1.00"))
    with pytest.raises(PeriodClosed):
        entry_services.delete_entry(user=pmo_rye, entry=forecast)
    with pytest.raises(PeriodClosed):
        actual_services.validate_entry(user=finance_rye, entry=actual)
    with pytest.raises(PeriodClosed):
        actual_services.reject_entry(user=finance_rye, entry=actual, reason="late")
    put(pmo_rye, line, "plan", {"2025-07": "1.00"})  # the next month is open
    with pytest.raises(Conflict):
        reopen_period(user=finance_rye, period="2025-05", reason="not the latest")
    reopen_period(user=finance_rye, period="2025-06", reason="Late invoice")
    actual_services.validate_entry(user=finance_rye, entry=actual)  # June is open again
    with pytest.raises(PeriodClosed):
        entry_services.update_entry(user=pmo_rye, entry=forecast, quantity=Decimal("1.00"))  # May stays closed
    assert AuditEvent.objects.get(action="benefits.period.reopened").reason == "Late invoice"


def test_bulk_writes_are_all_or_nothing_and_name_each_bad_row(pmo_rye, line):
    rows = [bulk_services.BulkRow(line.pk, "2025-04", "plan", "1.00"), bulk_services.BulkRow(line.pk, "2025-13", "plan", "1.00"),
            bulk_services.BulkRow(line.pk, "2025-05", "plan", "-2"), bulk_services.BulkRow(999999, "2025-05", "plan", "1")]
    with pytest.raises(ValidationFailed) as exc:
        bulk_services.bulk_upsert_entries(user=pmo_rye, rows=rows)
    assert [e["index"] for e in exc.value.details["entries"]] == [1, 2, 3]
    assert not Entry.objects.exists()
    result = bulk_services.bulk_upsert_entries(user=pmo_rye, rows=[rows[0]])
    assert result == {"created": 1, "updated": 0}
    again = bulk_services.bulk_upsert_entries(user=pmo_rye, rows=[bulk_services.BulkRow(line.pk, "2025-04", "plan", "2.00")])
    assert again == {"created": 0, "updated": 1}
    assert AuditEvent.objects.filter(object_type="entry", action="benefits.entry.updated").count() == 1


def test_the_database_refuses_to_change_validated_actuals_and_audit_rows(pmo_rye, finance_rye, actual):
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    actual_services.validate_entry(user=finance_rye, entry=actual)
    for sql in (f"UPDATE benefits_entry SET quantity = 1 WHERE id = {actual.pk}",
                f"DELETE FROM benefits_entry WHERE id = {actual.pk}",
                "UPDATE benefits_auditevent SET reason = 'tampered'",
                "DELETE FROM benefits_auditevent"):
        with pytest.raises(ProgrammingError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    actual.refresh_from_db()
    assert actual.quantity == Decimal("7000.00")


def test_unit_lines_are_valued_with_the_version_in_force_and_attribution(admin_user, finance_rye, pmo_rye):
    make_unit_cost(finance_rye, "conveyance_avoided", "250.00", "2025-04")
    initiative = make_initiative(pmo_rye, lead="RYE")
    line = make_line(pmo_rye, initiative, measure="conveyances", unit_cost="conveyance_avoided", attribution_pct="60",
                     benefit_class="societal", recurrence="non_recurrent", organisation="RYE")
    sept, octo = put(pmo_rye, line, "forecast", {"2025-09": "40", "2025-10": "40"})
    assert (sept.value_gbp, octo.value_gbp) == (Decimal("6000.00"), Decimal("6000.00"))
    make_unit_cost(finance_rye, "conveyance_avoided", "275.00", "2025-10")  # a new version revalues later months only
    sept.refresh_from_db()
    octo.refresh_from_db()
    assert (sept.value_gbp, octo.value_gbp) == (Decimal("6000.00"), Decimal("6600.00"))
    assert AuditEvent.objects.filter(action="benefits.entry.revalued", object_id=str(octo.pk)).exists()
    with pytest.raises(Unprocessable):
        put(pmo_rye, line, "forecast", {"2025-03": "1"})  # no version in force before April 2025


def test_a_unit_cost_cannot_take_effect_in_a_closed_month_nor_move_validated_values(finance_rye, finance_ryd, pmo_rye):
    make_unit_cost(finance_rye, "bed_day", "400.00", "2025-04")
    line = make_line(pmo_rye, make_initiative(pmo_rye, lead="RYE"), measure="bed_days", unit_cost="bed_day",
                     benefit_class="non_cashable", organisation="RYE")
    actual = put(pmo_rye, line, "actual", {"2025-08": "10"})[0]
    actual_services.submit_entry(user=pmo_rye, entry=actual)
    actual_services.validate_entry(user=finance_ryd, entry=actual)
    with pytest.raises(Conflict, match="validated"):
        make_unit_cost(finance_rye, "bed_day", "420.00", "2025-08")
    close_period(user=finance_rye, period="2025-06")
    with pytest.raises(PeriodClosed):
        make_unit_cost(finance_rye, "bed_day", "420.00", "2025-06")
    actual.refresh_from_db()
    assert actual.value_gbp == Decimal("4000.00")


def test_several_actuals_are_sent_back_together_or_not_at_all(pmo_rye, finance_rye, line):
    june, july = put(pmo_rye, line, "actual", {"2025-06": "100.00", "2025-07": "200.00"})
    actual_services.submit_entries(user=pmo_rye, ids=[june.pk])  # July stays a draft: it cannot be sent back
    with pytest.raises(InvalidTransition):
        actual_services.reject_entries(user=finance_rye, ids=[june.pk, july.pk], reason="Evidence missing")
    june.refresh_from_db()
    assert june.status == "submitted" and not EntryStatusChange.objects.filter(to_status="draft").exists()
    actual_services.submit_entries(user=pmo_rye, ids=[july.pk])
    assert [e.status for e in actual_services.reject_entries(user=finance_rye, ids=[june.pk, july.pk], reason="Evidence missing")] == [
        "draft",
        "draft",
    ]


def test_segregation_reads_who_entered_an_actual_even_after_someone_else_changed_it(admin_user, pmo_rye, line):
    entry = put(admin_user, line, "actual", {"2025-09": "50.00"})[0]
    entry_services.update_entry(user=pmo_rye, entry=entry, quantity=Decimal("60.00"))
    entry.refresh_from_db()
    assert sorted(entry.entered_by) == sorted([admin_user.pk, pmo_rye.pk]) and entry.updated_by == pmo_rye
    actual_services.submit_entry(user=pmo_rye, entry=entry)
    with pytest.raises(NotAllowed, match="segregation"):
        actual_services.validate_entry(user=admin_user, entry=entry)  # the last writer was someone else: still their figure
    assert actual_services.own_entry_ids(admin_user, [entry]) == {entry.pk}


def test_plans_and_forecasts_name_nobody_as_their_enterer(pmo_rye, line):
    plan, forecast = put(pmo_rye, line, "plan", ["2025-06"], "10.00") + put(pmo_rye, line, "forecast", ["2025-06"], "10.00")
    assert Entry.objects.get(pk=plan.pk).entered_by is None and Entry.objects.get(pk=forecast.pk).entered_by is None
