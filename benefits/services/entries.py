"""One entry at a time: a month's plan, forecast or actual of a benefit line (FINANCE.md's value rule).

Bulk writes of many entries are `services/bulk.py`; the actuals' workflow (submit, validate, send
back) is `services/actuals.py`.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from benefits.errors import Conflict, NotFound, ValidationFailed
from benefits.models import BenefitLine, Entry, ImportBatch, User
from benefits.models.choices import EntryStatus, Series

from . import audit
from .common import clean_money, clean_period, require_changeable, require_open, require_register_write, require_version
from .valuation import Valuer


def check_series(series: object) -> str:
    if series not in Series.values:
        raise ValidationFailed(
            f"'{series}' is not a series; use plan, forecast or actual.",
            field="series",
            details={"series": [f"'{series}' is not one of plan, forecast, actual."]},
        )
    return series  # type: ignore[return-value]


def create_entry(
    *, user: User, benefit: BenefitLine, period: str, series: str, quantity: object, import_batch: ImportBatch | None = None
) -> Entry:
    """A new entry (one per benefit, period and series: a second one is a 409)."""
    period = clean_period(period)
    series = check_series(series)
    qty = clean_money(quantity, "quantity")
    with transaction.atomic():
        benefit = BenefitLine.objects.select_related("initiative").select_for_update(of=("self",)).get(pk=benefit.pk)
        require_register_write(user, benefit.initiative)
        require_open(period, what="add figures to")
        value = Valuer([benefit.unit_cost]).value(benefit, period, qty)
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    benefit=benefit,
                    period=period,
                    series=series,
                    quantity=qty,
                    value_gbp=value,
                    status=EntryStatus.DRAFT if series == Series.ACTUAL else None,
                    updated_by=user,
                    entered_by=[user.pk] if series == Series.ACTUAL else None,
                )
        except IntegrityError:
            raise Conflict(
                f"Benefit line {benefit.pk} already has a {series} for {period}; change that entry instead.",
                field="period",
            ) from None
        audit.record(
            user=user,
            action="benefits.entry.created",
            object_type="entry",
            object_id=entry.pk,
            changes={
                "benefit": [None, benefit.pk],
                "period": [None, period],
                "series": [None, series],
                "quantity": [None, str(qty)],
                "value_gbp": [None, str(value)],
            },
            import_batch=import_batch,
        )
    return entry


def update_entry(
    *, user: User, entry: Entry, quantity: object, expected_version: int | None = None, import_batch: ImportBatch | None = None
) -> Entry:
    """Change an entry's quantity; draft actuals only; refuses stale versions (412)."""
    qty = clean_money(quantity, "quantity")
    with transaction.atomic():
        entry = _lock(entry.pk)
        require_register_write(user, entry.benefit.initiative)
        require_version(entry, expected_version, f"The {entry.period} {entry.series}")
        require_changeable(entry)
        value = Valuer([entry.benefit.unit_cost]).value(entry.benefit, entry.period, qty)
        if qty == entry.quantity and value == entry.value_gbp:
            return entry
        changes = {"quantity": [str(entry.quantity), str(qty)], "value_gbp": [str(entry.value_gbp), str(value)]}
        entry.quantity, entry.value_gbp, entry.updated_by = qty, value, user
        if entry.series == Series.ACTUAL and user.pk not in (entry.entered_by or ()):
            entry.entered_by = [*(entry.entered_by or ()), user.pk]
        entry.version += 1
        entry.save(update_fields=["quantity", "value_gbp", "updated_by", "entered_by", "version", "updated_at"])
        audit.record(
            user=user,
            action="benefits.entry.updated",
            object_type="entry",
            object_id=entry.pk,
            changes=changes,
            import_batch=import_batch,
        )
    return entry


def delete_entry(*, user: User, entry: Entry, expected_version: int | None = None) -> None:
    with transaction.atomic():
        entry = _lock(entry.pk)
        require_register_write(user, entry.benefit.initiative)
        require_version(entry, expected_version, f"The {entry.period} {entry.series}")
        require_changeable(entry)
        audit.record(
            user=user,
            action="benefits.entry.deleted",
            object_type="entry",
            object_id=entry.pk,
            changes={
                "benefit": [entry.benefit_id, None],
                "period": [entry.period, None],
                "series": [entry.series, None],
                "quantity": [str(entry.quantity), None],
                "value_gbp": [str(entry.value_gbp), None],
            },
        )
        entry.status_changes.all().delete()
        entry.delete()


def _lock(pk: int) -> Entry:
    try:
        return Entry.objects.select_related("benefit__initiative").select_for_update(of=("self",)).get(pk=pk)
    except Entry.DoesNotExist:
        raise NotFound(f"There is no entry {pk}.") from None
