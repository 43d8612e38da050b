"""A benefit line's monthly profile as people type it into the month grid (PRODUCT.md 2).

A cell carries what was typed and the version of the figure the page showed: a blank removes the
figure, a figure someone else changed meanwhile is refused (412) rather than overwritten, and a
grid posted whole is saved all or nothing. Each cell goes through the single-entry services, so
every check and audit event is theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from benefits.errors import DomainError, StaleVersion, ValidationFailed
from benefits.finance.calendar import FinancialYear, month_name
from benefits.models import BenefitLine, Entry, User
from benefits.models.choices import EntryStatus, Series
from benefits.selectors.periods import closed_months

from .actuals import submit_entries
from .entries import create_entry, delete_entry, update_entry


@dataclass(frozen=True)
class CellEdit:
    """One month of one series as typed, with the version the page showed (None: the month was empty)."""

    series: str
    period: str
    typed: str
    version: int | None

    @property
    def quantity(self) -> str:
        """What was typed, without the thousands separators and pound sign people type."""
        return (self.typed or "").strip().replace(",", "").removeprefix("£")


class CellsRefused(ValidationFailed):
    """Some cells of a grid could not be saved, so none was: the error of each, by (series, period)."""

    def __init__(self, errors: dict[tuple[str, str], DomainError]) -> None:
        super().__init__(f"{len(errors)} of the months could not be saved; nothing was saved.", field="cells")
        self.errors = errors


def save_cell(*, user: User, line: BenefitLine, edit: CellEdit, current: Entry | None = None) -> Entry | None:
    """Create, change or (blank) remove one figure, carrying the version the page had."""
    entry = current if current is not None else _stored(line, edit)
    if entry is None:
        if edit.version is not None:
            raise StaleVersion(
                f"The {month_name(edit.period)} {edit.series} was removed by someone else since you loaded the page.", current=None
            )
        if not edit.quantity:
            return None
        return create_entry(user=user, benefit=line, period=edit.period, series=edit.series, quantity=edit.quantity)
    if edit.version is None:
        raise StaleVersion(f"Someone else entered the {month_name(edit.period)} {edit.series} since you loaded the page.", current=entry)
    if not edit.quantity:
        delete_entry(user=user, entry=entry, expected_version=edit.version)
        return None
    return update_entry(user=user, entry=entry, quantity=edit.quantity, expected_version=edit.version)


def save_cells(*, user: User, line: BenefitLine, edits: Sequence[CellEdit]) -> int:
    """Save the cells of a grid that differ from what is stored, all or nothing; returns how many were saved.

    Cells showing what is stored are passed over (a grid is posted whole). If any cell is refused,
    nothing is saved and `CellsRefused` carries every cell's error.
    """
    stored = {
        (e.series, e.period): e
        for e in Entry.objects.filter(benefit=line, period__in={e.period for e in edits}, series__in={e.series for e in edits})
    }
    changed = [e for e in edits if _differs(e, stored.get((e.series, e.period)))]
    errors: dict[tuple[str, str], DomainError] = {}
    with transaction.atomic():
        for edit in changed:
            try:
                save_cell(user=user, line=line, edit=edit, current=stored.get((edit.series, edit.period)))
            except DomainError as exc:
                errors[(edit.series, edit.period)] = exc
        if errors:
            raise CellsRefused(errors)  # inside the transaction: every cell saved before is rolled back
    return len(changed)


def submit_line_actuals(*, user: User, line: BenefitLine, fy: FinancialYear) -> list[Entry]:
    """Submit every draft actual of a line in a financial year's open months, all or nothing."""
    drafts = (
        Entry.objects.filter(benefit=line, series=Series.ACTUAL, status=EntryStatus.DRAFT, period__gte=fy.first, period__lte=fy.last)
        .exclude(closed_months().q())
        .values_list("id", flat=True)
    )
    ids = list(drafts)
    return submit_entries(user=user, ids=ids) if ids else []


def _stored(line: BenefitLine, edit: CellEdit) -> Entry | None:
    return Entry.objects.filter(benefit=line, period=edit.period, series=edit.series).first()


def _differs(edit: CellEdit, entry: Entry | None) -> bool:
    if entry is None:
        return bool(edit.quantity)
    if not edit.quantity:
        return True
    try:
        return Decimal(edit.quantity) != entry.quantity
    except InvalidOperation:
        return True  # not a number: the entry service says so
