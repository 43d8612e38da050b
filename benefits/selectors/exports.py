"""Reads behind the Excel exports and the import template: data only (`benefits/excel` writes the files).

The register comes through the same door as the pages and the API (`for_user(user, VIEW)`,
filtered by the caller), so a figure in a workbook is the figure on the screen. Queries are
constant: three for the register whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from benefits.finance.calendar import FinancialYear, format_period
from benefits.models import BenefitLine, Entry, Initiative, Organisation, User, Workstream
from benefits.policy import Action

from .reference import unit_cost_codes


class RegisterLine(NamedTuple):
    """A benefit line with its initiative's columns, as the register export lists it."""

    pk: int
    ref: str
    initiative_title: str
    workstream: str
    lead_organisation: str
    stage: str
    delivery_confidence: str
    owner: str | None
    title: str
    benefit_class: str
    recurrence: str
    is_disbenefit: bool
    organisation: str
    measure: str
    unit_cost: str
    attribution_pct: Decimal


LINE_FIELDS = (
    "pk",
    "initiative__ref",
    "initiative__title",
    "initiative__workstream__code",
    "initiative__lead_organisation__code",
    "initiative__stage",
    "initiative__delivery_confidence",
    "initiative__owner__username",
    "title",
    "benefit_class",
    "recurrence",
    "is_disbenefit",
    "organisation__code",
    "measure",
    "unit_cost",
    "attribution_pct",
)


def visible_initiatives(user: User) -> QuerySet[Initiative]:
    """The register as the user may read it (the pages' and the API's door)."""
    return Initiative.objects.for_user(user, Action.VIEW)


@dataclass(frozen=True)
class RegisterExport:
    """The lines of a register export, the years it covers and every quantity by (line, period, series)."""

    fys: tuple[FinancialYear, ...]
    lines: tuple[RegisterLine, ...]
    quantities: dict[tuple[int, str, str], Decimal]


def register_export(*, initiatives: QuerySet[Initiative], fy: FinancialYear | None = None) -> RegisterExport:
    """Every benefit line of these initiatives with its entries, for one year or every year that has figures."""
    lines_qs = BenefitLine.objects.filter(initiative__in=initiatives.values("pk"))
    lines = tuple(RegisterLine(*row) for row in lines_qs.order_by("initiative__ref", "pk").values_list(*LINE_FIELDS))
    entries = Entry.objects.filter(benefit__in=lines_qs.values("pk"))
    if fy is not None:
        fys: tuple[FinancialYear, ...] = (fy,)
        entries = entries.filter(period__gte=fy.first, period__lte=fy.last)
    quantities: dict[tuple[int, str, str], Decimal] = {}
    years: set[int] = set()
    for benefit_id, period, series, quantity in entries.values_list("benefit_id", "period", "series", "quantity").order_by():
        quantities[(benefit_id, period, series)] = quantity
        years.add(int(period[:4]) - (1 if period[5:7] < "04" else 0))
    if fy is None:
        now = timezone.localdate()
        fys = tuple(FinancialYear(y) for y in sorted(years)) or (FinancialYear.of(format_period(now.year, now.month)),)
    return RegisterExport(fys=fys, lines=lines, quantities=quantities)


def register_line_count(initiatives: QuerySet[Initiative]) -> int:
    """How many benefit lines (rows per year sheet) an export of these initiatives holds."""
    return BenefitLine.objects.filter(initiative__in=initiatives.values("pk")).count()


@dataclass(frozen=True)
class TemplateChoices:
    """The codes the import template offers in its drop-downs that come from the database."""

    workstreams: list[str]
    organisations: list[str]
    unit_costs: list[str]


def template_choices() -> TemplateChoices:
    return TemplateChoices(
        workstreams=list(Workstream.objects.order_by("code").values_list("code", flat=True)),
        organisations=list(Organisation.objects.order_by("code").values_list("code", flat=True)),
        unit_costs=unit_cost_codes(),
    )
