"""The history pages' reads: the audit events of an initiative, a line, an entry or any object, one
page of them, and the names the events' sentences show (entries, lines, unit cost versions)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Q, QuerySet

from benefits.models import AuditEvent, BenefitLine, Entry, Initiative, UnitCost

from .audit import Cell, entry_events
from .paging import Paged, paginate


def initiative_events(initiative: Initiative) -> QuerySet[AuditEvent]:
    """The initiative's events, its lines' and their entries' (two queries to find them; the events are lazy)."""
    line_ids = [str(i) for i in BenefitLine.objects.filter(initiative=initiative).values_list("id", flat=True)]
    entry_ids = [str(i) for i in Entry.objects.filter(benefit__initiative=initiative).values_list("id", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type="initiative", object_id=initiative.ref)
        | Q(object_type="benefit", object_id__in=line_ids)
        | Q(object_type="entry", object_id__in=entry_ids)
    )


def line_events(line: BenefitLine) -> QuerySet[AuditEvent]:
    """The line's events and its entries' (one query to find them)."""
    entry_ids = [str(i) for i in Entry.objects.filter(benefit=line).values_list("id", flat=True)]
    return AuditEvent.objects.filter(Q(object_type="benefit", object_id=str(line.pk)) | Q(object_type="entry", object_id__in=entry_ids))


def entry_history(entry: Entry) -> QuerySet[AuditEvent]:
    """The entry's own events and the imports that wrote its cell."""
    return AuditEvent.objects.filter(entry_events([Cell(entry.pk, entry.benefit_id, entry.period, entry.series)]))


def object_events(object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def events_page(events: QuerySet[AuditEvent], page: int, size: int) -> Paged[AuditEvent]:
    """One page of events, newest first, with the user of each."""
    return paginate(events.select_related("user").order_by("-at", "-id"), page, size)


class EntryName(NamedTuple):
    period: str
    series: str
    line: str
    measure: str


class HistoryNames(NamedTuple):
    """What the events' sentences name, by the events' object ids: entries, lines (title, measure), unit cost versions."""

    entry_names: dict[str, EntryName]
    line_names: dict[str, tuple[str, str]]  # (title, measure)
    cost_names: dict[str, tuple[str, str]]  # (code, valid_from): a version by its code and month, not its id


def _ids(events: Iterable[AuditEvent], object_type: str) -> set[int]:
    # `or {0}`: an empty IN skips the query; the count stays the same whatever the page holds
    return {int(e.object_id) for e in events if e.object_type == object_type and e.object_id.isdigit()} or {0}


def history_names(events: list[AuditEvent]) -> HistoryNames:
    """The names behind these events' ids (three queries, whatever the events)."""
    entries = {
        str(pk): EntryName(period, series, title, measure)
        for pk, period, series, title, measure in Entry.objects.filter(pk__in=_ids(events, "entry")).values_list(
            "id", "period", "series", "benefit__title", "benefit__measure"
        )
    }
    lines = {
        str(pk): (title, measure)
        for pk, title, measure in BenefitLine.objects.filter(pk__in=_ids(events, "benefit")).values_list("id", "title", "measure")
    }
    costs = {
        str(pk): (code, valid_from)
        for pk, code, valid_from in UnitCost.objects.filter(pk__in=_ids(events, "unit_cost")).values_list("id", "code", "valid_from")
    }
    return HistoryNames(entries, lines, costs)
