"""History pages: the audit trail of an initiative (with its lines and entries), a line (with its
entries), one entry, or any other object, told in sentences ("Priya Patel changed the May 2025
forecast from £9,000.00 to £9,500.00"), newest first, a hundred to a page.

The events and the names they mention are read by selectors.history; the sentences are made here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from benefits.errors import NotFound
from benefits.finance.calendar import FinancialYear, month_name
from benefits.finance.rounding import pounds_pence
from benefits.models.choices import Confidence, ImpactStatus, Stage
from benefits.selectors import history as history_data
from benefits.selectors.audit import FIGURES_IMPORTED, VALUE_SUFFIX, cell_key, parse_cell_key
from benefits.selectors.ledger import visible_entry

from .http import page_view, render_page
from .initiative import find_initiative, find_line
from .layout import page_number

if TYPE_CHECKING:
    from benefits.models import AuditEvent
    from benefits.selectors.history import HistoryNames
    from benefits.selectors.paging import Paged

HISTORY_PAGE_SIZE = 100
OTHER_OBJECTS = ("period", "unit_cost", "target", "confidence_weight", "workstream")
FIELD_LABELS = {
    "title": "title", "description": "description", "workstream": "workstream", "lead_organisation": "lead trust",
    "organisations": "trusts involved", "stage": "stage", "delivery_confidence": "delivery confidence",
    "start_date": "start date", "end_date": "end date", "qia_status": "quality impact assessment",
    "eia_status": "equality impact assessment", "investment_one_off_gbp": "one-off investment",
    "investment_recurrent_gbp": "recurrent investment", "benefit_class": "class", "recurrence": "recurrence",
    "is_disbenefit": "dis-benefit", "organisation": "trust", "measure": "measure", "unit_cost": "unit cost",
    "attribution_pct": "attribution", "weight": "weight", "amount_gbp": "amount", "value_gbp": "value",
    "valid_from": "valid from", "source": "source", "name": "name", "unit": "unit", "basis": "basis",
    "benefit_classes": "benefit classes", "start_period": "start month", "end_period": "end month", "status": "status",
}
CHOICE_LABELS = {**dict(Stage.choices), **dict(Confidence.choices), **dict(ImpactStatus.choices)}


@dataclass(frozen=True)
class HistoryItem:
    at: object
    sentence: str
    where: str
    reason: str


@dataclass(frozen=True)
class History:
    title: str
    back_href: str
    items: list[HistoryItem]
    count: int
    page: int
    pages: int
    previous_href: str
    next_href: str


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "nothing"
    if name.endswith("_gbp"):
        try:
            return pounds_pence(Decimal(str(value)))
        except Exception:
            return str(value)
    if name == "attribution_pct":
        return f"{value}%"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(CHOICE_LABELS.get(value, value))


def _entry_amount(changes: dict, idx: int, entry: dict) -> str:
    value = changes.get("value_gbp", [None, None])[idx]
    qty = changes.get("quantity", [None, None])[idx]
    if value is None:
        return "nothing"
    money = pounds_pence(Decimal(str(value)))
    if entry.get("measure", "GBP") != "GBP" and qty is not None:
        return f"{qty} {entry['measure'].replace('_', ' ')} ({money})"
    return money


def _sentence(
    event: AuditEvent, who: str, entries: dict[str, dict], lines: dict[str, str], costs: dict[str, str]
) -> tuple[str, str]:
    action = event.action.removeprefix("benefits.")
    ch = event.changes or {}
    kind, _, verb = action.partition(".")
    if kind == "entry":
        entry = entries.get(event.object_id, {})
        period = entry.get("period") or (ch.get("period") or [None, None])[0] or (ch.get("period") or [None, None])[1]
        series = entry.get("series") or (ch.get("series") or [None, None])[0] or (ch.get("series") or [None, None])[1]
        what = f"the {month_name(period)} {series}" if period and series else f"entry {event.object_id}"
        where = entry.get("line", "")
        if verb == "updated":
            return f"{who} changed {what} from {_entry_amount(ch, 0, entry)} to {_entry_amount(ch, 1, entry)}", where
        if verb == "created":
            return f"{who} entered {what} of {_entry_amount(ch, 1, entry)}", where
        if verb == "deleted":
            return f"{who} removed {what} (it was {_entry_amount(ch, 0, entry)})", where
        if verb == "submitted":
            return f"{who} submitted {what} for validation", where
        if verb == "validated":
            return f"{who} validated {what}", where
        if verb == "rejected":
            return f"{who} sent back {what}", where
        if verb == "revalued":
            return f"{who} revalued {what} from {_entry_amount(ch, 0, entry)} to {_entry_amount(ch, 1, entry)}", where
    noun = {
        "initiative": f"initiative {event.object_id}", "benefit": f"benefit line “{lines.get(event.object_id, event.object_id)}”",
        "period": f"{month_name(event.object_id)}" if event.object_type == "period" else event.object_id,
        "unit_cost": costs.get(event.object_id, f"unit cost version {event.object_id}"), "confidence_weight": f"the {_show('x', event.object_id).lower()} weight",
        "target": f"target {event.object_id}", "workstream": f"workstream {event.object_id}",
        "organisation": f"organisation {event.object_id}",
    }.get(kind, f"{kind.replace('_', ' ')} {event.object_id}")
    if kind == "period" and verb in ("closed", "reopened"):
        return f"{who} {verb} {noun}", ""
    if verb == "created":
        return f"{who} created {noun}", ""
    if verb == "deleted":
        return f"{who} deleted {noun}", ""
    if verb == "updated" and ch:
        parts = [f"the {FIELD_LABELS.get(k, k.replace('_', ' '))} from {_show(k, v[0])} to {_show(k, v[1])}" for k, v in ch.items()]
        return f"{who} changed {noun}: " + "; ".join(parts), ""
    return f"{who} {verb.replace('_', ' ')} {noun}", ""


def _imported_sentences(changes: dict, who: str, line: dict, only_cell: str | None) -> list[str]:
    """An import's event for one line (ADR 0058) as a sentence per cell, or only the cell asked for."""
    out = []
    for key, (old, new) in changes.items():
        cell = parse_cell_key(key)
        if cell is None or (only_cell is not None and key != only_cell):
            continue
        amounts = {"quantity": [old, new], "value_gbp": changes.get(key + VALUE_SUFFIX, [old, new])}
        what = f"the {month_name(cell[0])} {cell[1]}"
        if old is None:
            out.append(f"{who} imported {what} of {_entry_amount(amounts, 1, line)}")
        else:
            out.append(f"{who} changed {what} from {_entry_amount(amounts, 0, line)} to {_entry_amount(amounts, 1, line)} by import")
    return out


def history_page(*, title: str, back_href: str, events: Paged[AuditEvent], names: HistoryNames,
                 only_cell: str | None = None) -> History:
    """A page of events as sentences.

    `only_cell` ('2025-04 plan'): an entry's page shows only its own cell of an import's line event.
    """
    entries = {pk: {"period": e.period, "series": e.series, "line": e.line, "measure": e.measure} for pk, e in names.entry_names.items()}
    lines = {pk: title for pk, (title, _) in names.line_names.items()}
    measures = {pk: measure for pk, (_, measure) in names.line_names.items()}
    costs = {pk: f"the “{code}” unit cost from {month_name(valid_from)}" for pk, (code, valid_from) in names.cost_names.items()}
    items = []
    for e in events.items:
        who = e.user.display_name if e.user else e.actor
        if e.action == FIGURES_IMPORTED:
            line = {"line": lines.get(e.object_id, ""), "measure": measures.get(e.object_id, "GBP")}
            items += [
                HistoryItem(at=e.at, sentence=sentence, where=line["line"], reason=e.reason)
                for sentence in _imported_sentences(e.changes or {}, who, line, only_cell)
            ]
            continue
        sentence, where = _sentence(e, who, entries, lines, costs)
        items.append(HistoryItem(at=e.at, sentence=sentence, where=where, reason=e.reason))
    return History(
        title=title,
        back_href=back_href,
        items=items,
        count=events.count,
        page=events.number,
        pages=events.pages,
        previous_href=f"?page={events.number - 1}" if events.has_previous else "",
        next_href=f"?page={events.number + 1}" if events.has_next else "",
    )


@page_view
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """The audit trail of an initiative (with its lines and entries), a line (with its entries) or one object."""
    user = request.user
    only_cell = None
    if object_type == "initiative":
        found = find_initiative(user, object_id)
        events = history_data.initiative_events(found)
        title, back = f"History of {found.ref} {found.title}", reverse("web:initiative", args=[found.ref])
    elif object_type == "benefit" and object_id.isdigit():
        line = find_line(user, int(object_id))
        events = history_data.line_events(line)
        title, back = f"History of benefit line “{line.title}”", reverse("web:initiative", args=[line.initiative.ref]) + f"#line-{line.pk}"
    elif object_type == "entry":
        entry = visible_entry(user, int(object_id) if object_id.isdigit() else 0)
        if entry is None:
            raise NotFound(f"There is no entry {object_id[:20]}.")
        events = history_data.entry_history(entry)
        only_cell = cell_key(entry.period, entry.series)
        line = entry.benefit
        title = f"History of the {month_name(entry.period)} {entry.series} of “{line.title}”"
        back = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={FinancialYear.of(entry.period).label}#line-{line.pk}"
    elif object_type in OTHER_OBJECTS and object_id:
        events = history_data.object_events(object_type, object_id[:40])
        title, back = f"History of {object_type.replace('_', ' ')} {object_id[:40]}", reverse("web:dashboard")
    else:
        raise NotFound("There is no such history page.")
    shown = history_data.events_page(events, page_number(request.GET), HISTORY_PAGE_SIZE)
    page = history_page(title=title, back_href=back, events=shown, names=history_data.history_names(shown.items), only_cell=only_cell)
    return render_page(request, "benefits/history.jinja", {"page": page, "nav_current": "register"})


urlpatterns = [
    path("history/<str:object_type>/<str:object_id>/", history, name="history"),
]
