"""A line's months as typed into the grid: blank removes, stale is refused, a whole grid is all or nothing."""

from decimal import Decimal

import pytest

from benefits.errors import PeriodClosed, StaleVersion
from benefits.finance.calendar import FinancialYear
from benefits.models import AuditEvent, ConfidenceWeight, Entry
from benefits.services import reference
from benefits.services.periods import close_period
from benefits.services.profiles import CellEdit, CellsRefused, save_cell, save_cells, submit_line_actuals
from tests.factories import make_initiative, make_line, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(pmo_rye):
    return make_line(pmo_rye, make_initiative(pmo_rye, lead="RYE"), organisation="RYE")


def figures(line) -> dict[tuple[str, str], str]:
    return {(e.series, e.period): str(e.quantity) for e in Entry.objects.filter(benefit=line)}


def test_typed_figures_are_saved_and_a_blank_removes_one(pmo_rye, line):
    save_cell(user=pmo_rye, line=line, edit=CellEdit("plan", "2025-06", "£1,250.50", None))
    [entry] = Entry.objects.filter(benefit=line)
    assert (entry.quantity, entry.value_gbp) == (Decimal("1250.50"), Decimal("1250.50"))
    save_cell(user=pmo_rye, line=line, edit=CellEdit("plan", "2025-06", " ", entry.version))
    assert figures(line) == {}


def test_a_figure_someone_changed_since_the_page_loaded_is_not_overwritten(pmo_rye, pmo_ryd, line):
    entry = put(pmo_rye, line, "forecast", {"2025-07": "10.00"})[0]
    save_cell(user=pmo_rye, line=line, edit=CellEdit("forecast", "2025-07", "12.00", entry.version))
    with pytest.raises(StaleVersion):
        save_cell(user=pmo_rye, line=line, edit=CellEdit("forecast", "2025-07", "99.00", entry.version))  # the old page
    with pytest.raises(StaleVersion):
        save_cell(user=pmo_rye, line=line, edit=CellEdit("forecast", "2025-07", "99.00", None))  # page showed it empty
    assert figures(line) == {("forecast", "2025-07"): "12.00"}


def test_a_whole_grid_saves_what_changed_or_nothing_at_all(pmo_rye, finance_rye, line):
    put(pmo_rye, line, "plan", {"2025-04": "100.00", "2025-05": "100.00"})
    versions = {e.period: e.version for e in Entry.objects.filter(benefit=line)}
    close_period(user=finance_rye, period="2025-04")
    grid = [
        CellEdit("plan", "2025-04", "100.00", versions["2025-04"]),  # as stored, in a closed month: passed over
        CellEdit("plan", "2025-05", "150", versions["2025-05"]),
        CellEdit("plan", "2025-06", "", None),
    ]
    assert save_cells(user=pmo_rye, line=line, edits=grid) == 1
    assert figures(line) == {("plan", "2025-04"): "100.00", ("plan", "2025-05"): "150.00"}

    before = AuditEvent.objects.count()
    bad = [CellEdit("plan", "2025-06", "70", None), CellEdit("plan", "2025-04", "1", versions["2025-04"]), CellEdit("plan", "2025-07", "x", None)]
    with pytest.raises(CellsRefused) as refused:
        save_cells(user=pmo_rye, line=line, edits=bad)
    assert set(refused.value.errors) == {("plan", "2025-04"), ("plan", "2025-07")}
    assert isinstance(refused.value.errors[("plan", "2025-04")], PeriodClosed)
    assert ("plan", "2025-06") not in figures(line) and AuditEvent.objects.count() == before  # June was rolled back


def test_submitting_a_line_sends_its_drafts_in_open_months_of_the_year(pmo_rye, finance_rye, line):
    put(pmo_rye, line, "actual", {"2025-04": "1.00", "2025-05": "2.00", "2026-04": "3.00"})
    close_period(user=finance_rye, period="2025-04")
    submitted = submit_line_actuals(user=pmo_rye, line=line, fy=FinancialYear.parse("2025/26"))
    assert [e.period for e in submitted] == ["2025-05"]
    assert submit_line_actuals(user=pmo_rye, line=line, fy=FinancialYear.parse("2025/26")) == []


def test_weights_typed_on_one_page_change_together_or_not_at_all(finance_rye):
    weights = {w.delivery_confidence: w for w in ConfidenceWeight.objects.all()}
    typed = {"green": ("1.00", weights["green"].version), "amber": ("0.60", weights["amber"].version), "red": ("2", None)}
    with pytest.raises(Exception, match="between 0 and 1"):
        reference.update_confidence_weights(user=finance_rye, changes=typed)
    assert ConfidenceWeight.objects.get(delivery_confidence="amber").weight == Decimal("0.65")
    typed["red"] = ("0.10", weights["red"].version)
    assert reference.update_confidence_weights(user=finance_rye, changes=typed) == 2  # green was typed as it is
    assert ConfidenceWeight.objects.get(delivery_confidence="red").weight == Decimal("0.10")
