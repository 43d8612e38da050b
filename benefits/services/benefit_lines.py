"""Writes to benefit lines (FINANCE.md, "Benefit lines and their values"): a change to how a line is
valued revalues its entries, refused whole if a settled figure would move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from benefits.errors import Conflict
from benefits.finance.valuation import GBP
from benefits.models import BenefitLine, Entry, EntryStatusChange, ImportBatch, Initiative, UnitCost, User
from benefits.models.choices import MEASURES, EntryStatus

from . import audit
from .common import clean_money, closed_months, full_clean, insert_history_skipped, require_register_write, require_version
from .register import check_choices, invalid
from .valuation import revalue_entries

BENEFIT_FIELDS = (
    "title",
    "benefit_class",
    "recurrence",
    "is_disbenefit",
    "organisation",
    "measure",
    "unit_cost",
    "attribution_pct",
)
VALUE_FIELDS = ("is_disbenefit", "measure", "unit_cost", "attribution_pct")


def _check_line(line: BenefitLine, initiative_orgs: set[int], known_unit_costs: set[str] | None = None) -> None:
    check_choices({"benefit_class": line.benefit_class, "recurrence": line.recurrence})
    if line.measure not in MEASURES:
        raise invalid("measure", f"'{line.measure}' is not a measure; use one of {', '.join(MEASURES)}.")
    if line.measure == GBP:
        if line.unit_cost:
            raise invalid("unit_cost", "A line measured in GBP takes no unit cost.")
    else:
        if not line.unit_cost:
            raise invalid("unit_cost", f"A line measured in {line.measure} needs a unit cost.")
        known = known_unit_costs is not None and line.unit_cost in known_unit_costs
        if not known and not UnitCost.objects.filter(code=line.unit_cost).exists():
            raise invalid("unit_cost", f"There is no unit cost '{line.unit_cost}'.")
    if line.organisation_id not in initiative_orgs:
        raise invalid("organisation", "The line's organisation must be one of the initiative's organisations.")
    full_clean(line, exclude=["initiative", "organisation"])


def create_benefit(
    *, user: User, initiative: Initiative, fields: Mapping[str, Any], import_batch: ImportBatch | None = None
) -> BenefitLine:
    """A benefit line; its organisation defaults to the initiative's lead (API.md)."""
    _require_line_fields(fields)
    with transaction.atomic():
        initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
        require_register_write(user, initiative)
        line = _new_line(initiative, fields, set(initiative.organisations.values_list("id", flat=True)))
        line.save()
        audit.record(
            user=user,
            action="benefits.benefit.created",
            object_type="benefit",
            object_id=line.pk,
            changes=_created_changes(line),
            import_batch=import_batch,
        )
    return line


def _new_line(
    initiative: Initiative, fields: Mapping[str, Any], trust_ids: set[int], known_unit_costs: set[str] | None = None
) -> BenefitLine:
    """An unsaved line with every create rule applied: create_benefit and create_benefits share it."""
    values = {k: v for k, v in fields.items() if v is not None}
    if "attribution_pct" in values:
        values["attribution_pct"] = clean_money(values["attribution_pct"], "attribution_pct")
    line = BenefitLine(initiative=initiative, **values)
    if line.organisation_id is None:
        line.organisation_id = initiative.lead_organisation_id
    line.unit_cost = line.unit_cost or ""
    _check_line(line, trust_ids, known_unit_costs)
    return line


def _require_line_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(BENEFIT_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], "This field cannot be set.")


def _created_changes(line: BenefitLine) -> dict[str, list[Any]]:
    values = audit.field_values(line, BENEFIT_FIELDS)
    values["initiative"] = line.initiative.ref
    return {k: [None, v] for k, v in values.items()}


def create_benefits(
    *, user: User, items: Sequence[tuple[Initiative, Mapping[str, Any]]], import_batch: ImportBatch | None = None
) -> list[BenefitLine]:
    """Many new benefit lines with create_benefit's rules, in a few queries (imports of whole trackers)."""
    if not items:
        return []
    with transaction.atomic():
        ids = {i.pk for i, _ in items}
        initiatives = {
            i.pk: i
            for i in Initiative.objects.select_for_update(of=("self",)).filter(pk__in=ids).prefetch_related("organisations")
        }
        trust_ids = {pk: {o.pk for o in i.organisations.all()} for pk, i in initiatives.items()}
        for pk, initiative in initiatives.items():
            initiative._trust_ids = trust_ids[pk]
            require_register_write(user, initiative)
        known = set(UnitCost.objects.filter(code__in={f.get("unit_cost") or "" for _, f in items}).values_list("code", flat=True))
        lines: list[BenefitLine] = []
        for initiative, fields in items:
            _require_line_fields(fields)
            initiative = initiatives[initiative.pk]
            lines.append(_new_line(initiative, fields, trust_ids[initiative.pk], known))
        with insert_history_skipped("benefits.BenefitLine", len(lines)):
            created = BenefitLine.objects.bulk_create(lines, batch_size=2000)
        events = [audit.Event("benefits.benefit.created", "benefit", str(line.pk), _created_changes(line)) for line in created]
        audit.record_many(events, user=user, import_batch=import_batch)
    return created


def update_benefit(
    *,
    user: User,
    benefit: BenefitLine,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    import_batch: ImportBatch | None = None,
) -> BenefitLine:
    """Change a line; a change to how it is valued revalues its entries (refused if a settled one moves)."""
    unknown = set(changes) - set(BENEFIT_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], "This field cannot be changed.")
    with transaction.atomic():
        line = BenefitLine.objects.select_related("initiative").select_for_update(of=("self",)).get(pk=benefit.pk)
        require_register_write(user, line.initiative)
        require_version(line, expected_version, f"Benefit line {line.pk}")
        before = audit.field_values(line, BENEFIT_FIELDS)
        for name, value in changes.items():
            if name == "attribution_pct" and value is not None:
                value = clean_money(value, "attribution_pct")
            if name == "unit_cost" and value is None:
                value = ""
            setattr(line, name, value)
        _check_line(line, set(line.initiative.organisations.values_list("id", flat=True)))
        delta = audit.diff(before, audit.field_values(line, BENEFIT_FIELDS))
        if not delta:
            return line
        events: list[audit.Event] = []
        if set(delta) & set(VALUE_FIELDS):
            entries = list(Entry.objects.select_for_update().filter(benefit=line))
            events = revalue_entries(entries, {line.pk: line}, closed=closed_months())
        line.version += 1
        line.save()
        audit.record(
            user=user,
            action="benefits.benefit.updated",
            object_type="benefit",
            object_id=line.pk,
            changes=delta,
            import_batch=import_batch,
        )
        audit.record_many(events, user=user, import_batch=import_batch)
    return line


def delete_benefit(*, user: User, benefit: BenefitLine, expected_version: int | None = None) -> None:
    """Delete a line and its entries, unless any of them is settled (validated or in a closed month)."""
    with transaction.atomic():
        line = BenefitLine.objects.select_related("initiative").select_for_update(of=("self",)).get(pk=benefit.pk)
        require_register_write(user, line.initiative)
        require_version(line, expected_version, f"Benefit line {line.pk}")
        entries = Entry.objects.filter(benefit=line)
        if entries.filter(Q(status=EntryStatus.VALIDATED) | closed_months().q()).exists():
            raise Conflict(f"Benefit line {line.pk} has validated actuals or figures in closed months, so it cannot be deleted.")
        events = [
            audit.Event("benefits.entry.deleted", "entry", str(e.pk), {"quantity": [str(e.quantity), None]}) for e in entries
        ]
        EntryStatusChange.objects.filter(entry__benefit=line).delete()
        entries.delete()
        audit.record_many(events, user=user)
        audit.record(
            user=user,
            action="benefits.benefit.deleted",
            object_type="benefit",
            object_id=line.pk,
            changes={k: [v, None] for k, v in audit.field_values(line, BENEFIT_FIELDS).items()},
        )
        line.delete()
