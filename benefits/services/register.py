"""Writes to the register: organisations, workstreams and initiatives (benefit lines: services/benefit_lines.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction

from benefits.errors import Conflict, NotAllowed, ValidationFailed
from benefits.models import (
    ImportBatch,
    Initiative,
    Organisation,
    User,
    Workstream,
)
from benefits.models.choices import BenefitClass, Confidence, ImpactStatus, Recurrence, Stage
from benefits.policy import Action, can, can_on_trusts, require

from . import audit
from .common import (
    clean_money,
    full_clean,
    insert_history_skipped,
    require_register_write,
    require_version,
    user_trust_ids,
)

INITIATIVE_FIELDS = (
    "title",
    "description",
    "workstream",
    "lead_organisation",
    "stage",
    "delivery_confidence",
    "start_date",
    "end_date",
    "qia_status",
    "eia_status",
    "investment_one_off_gbp",
    "investment_recurrent_gbp",
)

CHOICES = {
    "stage": Stage.values,
    "delivery_confidence": Confidence.values,
    "qia_status": ImpactStatus.values,
    "eia_status": ImpactStatus.values,
    "benefit_class": BenefitClass.values,
    "recurrence": Recurrence.values,
}


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field=field, details={field: [message]})


def check_choices(values: Mapping[str, Any]) -> None:
    for name, allowed in CHOICES.items():
        if name in values and values[name] not in allowed:
            raise invalid(name, f"'{values[name]}' is not a valid {name.replace('_', ' ')}; use one of {', '.join(allowed)}.")


# --- organisations and workstreams -----------------------------------------------------------


def save_organisation(
    *, user: User, code: str, name: str, organisation: Organisation | None = None, expected_version: int | None = None
) -> Organisation:
    require(user, Action.ADMINISTER, what="change organisations")
    with transaction.atomic():
        if organisation is None:
            org = Organisation(code=code, name=name)
            full_clean(org)
            if Organisation.objects.filter(code=code).exists():
                raise Conflict(f"Organisation {code} already exists.", field="code")
            org.save()
            audit.record(
                user=user,
                action="benefits.organisation.created",
                object_type="organisation",
                object_id=code,
                changes={"code": [None, code], "name": [None, name]},
            )
            return org
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        require_version(org, expected_version, f"Organisation {org.code}")
        before = audit.field_values(org, ["name"])
        org.name = name
        full_clean(org)
        org.version += 1
        org.save()
        audit.record(
            user=user,
            action="benefits.organisation.updated",
            object_type="organisation",
            object_id=org.code,
            changes=audit.diff(before, audit.field_values(org, ["name"])),
        )
        return org


def create_workstream(*, user: User, code: str, name: str, sro: str = "", import_batch: ImportBatch | None = None) -> Workstream:
    require(user, Action.EDIT_WORKSTREAM, what="create workstreams")
    ws = Workstream(code=code, name=name, sro=sro or "")
    full_clean(ws)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ws.save()
        except IntegrityError:
            raise Conflict(f"Workstream {code} already exists.", field="code") from None
        audit.record(
            user=user,
            action="benefits.workstream.created",
            object_type="workstream",
            object_id=code,
            changes={"code": [None, code], "name": [None, name], "sro": [None, ws.sro]},
            import_batch=import_batch,
        )
    return ws


def update_workstream(
    *, user: User, workstream: Workstream, changes: Mapping[str, Any], expected_version: int | None = None
) -> Workstream:
    require(user, Action.EDIT_WORKSTREAM, what="change workstreams")
    with transaction.atomic():
        ws = Workstream.objects.select_for_update().get(pk=workstream.pk)
        require_version(ws, expected_version, f"Workstream {ws.code}")
        before = audit.field_values(ws, ["name", "sro"])
        for name in ("name", "sro"):
            if name in changes:
                setattr(ws, name, changes[name])
        full_clean(ws)
        delta = audit.diff(before, audit.field_values(ws, ["name", "sro"]))
        if delta:
            ws.version += 1
            ws.save()
            audit.record(
                user=user, action="benefits.workstream.updated", object_type="workstream", object_id=ws.code, changes=delta
            )
    return ws


def delete_workstream(*, user: User, workstream: Workstream, expected_version: int | None = None) -> None:
    require(user, Action.EDIT_WORKSTREAM, what="delete workstreams")
    with transaction.atomic():
        ws = Workstream.objects.select_for_update().get(pk=workstream.pk)
        require_version(ws, expected_version, f"Workstream {ws.code}")
        if ws.initiatives.exists():
            raise Conflict(f"Workstream {ws.code} still has initiatives; move them to another workstream first.")
        audit.record(
            user=user,
            action="benefits.workstream.deleted",
            object_type="workstream",
            object_id=ws.code,
            changes={"name": [ws.name, None]},
        )
        ws.delete()


# --- initiatives -----------------------------------------------------------------------------


def _format_ref(number: int) -> str:
    return f"AG-{number:04d}"


def _new_initiative(
    user: User, fields: Mapping[str, Any], organisations: Iterable[Organisation]
) -> tuple[Initiative, set[Organisation]]:
    """An unsaved initiative checked by every create rule, with the trusts it will involve."""
    check_choices(fields)
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], "This field cannot be set.")
    for money in ("investment_one_off_gbp", "investment_recurrent_gbp"):
        if fields.get(money) is not None:
            fields = {**fields, money: clean_money(fields[money], money)}
    initiative = Initiative(owner=user, **{k: v for k, v in fields.items() if v is not None or k in ("start_date", "end_date")})
    orgs = set(organisations) | ({initiative.lead_organisation} if fields.get("lead_organisation") else set())
    # Related rows handed in as saved instances exist already: skip full_clean's query per foreign key.
    saved = [k for k in ("workstream", "lead_organisation") if getattr(fields.get(k), "pk", None) is not None]
    full_clean(initiative, exclude=["ref", "owner", *saved])
    _check_trusts(user, initiative.lead_organisation, orgs)
    return initiative, orgs


def _next_ref() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('benefits_initiative_ref_seq')")
        (number,) = cursor.fetchone()
    return _format_ref(number)


def _check_trusts(user: User, lead: Organisation, orgs: set[Organisation]) -> None:
    if not can_on_trusts(user, Action.EDIT_REGISTER, {o.pk for o in orgs}, user_trust_ids(user)):
        raise NotAllowed("An initiative you create or change must involve at least one of your own trusts.")


def _initiative_values(initiative: Initiative, orgs: Iterable[Organisation]) -> dict[str, Any]:
    values = audit.field_values(initiative, INITIATIVE_FIELDS)
    values["organisations"] = sorted(o.code for o in orgs)
    return values


def create_initiative(
    *,
    user: User,
    fields: Mapping[str, Any],
    organisations: Iterable[Organisation] = (),
    import_batch: ImportBatch | None = None,
) -> Initiative:
    """A new initiative at any stage (schemes under way arrive at every stage); `ref` is generated."""
    if not can(user, Action.EDIT_REGISTER):
        raise NotAllowed("Your role does not allow you to create initiatives.")
    initiative, orgs = _new_initiative(user, fields, organisations)
    with transaction.atomic():
        initiative.ref = _next_ref()
        initiative.save()
        initiative.organisations.set(orgs)
        initiative._trust_ids = {o.pk for o in orgs}
        values = _initiative_values(initiative, orgs)
        audit.record(
            user=user,
            action="benefits.initiative.created",
            object_type="initiative",
            object_id=initiative.ref,
            changes={k: [None, v] for k, v in values.items()},
            import_batch=import_batch,
        )
    return initiative


def create_initiatives(
    *,
    user: User,
    items: Sequence[tuple[Mapping[str, Any], Iterable[Organisation]]],
    import_batch: ImportBatch | None = None,
) -> list[Initiative]:
    """Many new initiatives with create_initiative's rules, in a few queries (imports of whole trackers)."""
    if not items:
        return []
    if not can(user, Action.EDIT_REGISTER):
        raise NotAllowed("Your role does not allow you to create initiatives.")
    prepared = [_new_initiative(user, fields, organisations) for fields, organisations in items]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('benefits_initiative_ref_seq') FROM generate_series(1, %s)", [len(prepared)])
            numbers = [n for (n,) in cursor.fetchall()]
        for (initiative, _), number in zip(prepared, sorted(numbers), strict=True):
            initiative.ref = _format_ref(number)
        with insert_history_skipped("benefits.Initiative", len(prepared)):
            created = Initiative.objects.bulk_create([i for i, _ in prepared], batch_size=2000)
        through = Initiative.organisations.through
        through.objects.bulk_create(
            [
                through(initiative_id=i.pk, organisation_id=o.pk)
                for i, orgs in zip(created, (o for _, o in prepared), strict=True)
                for o in orgs
            ],
            batch_size=5000,
        )
        events = []
        for initiative, orgs in zip(created, (o for _, o in prepared), strict=True):
            initiative._trust_ids = {o.pk for o in orgs}
            values = _initiative_values(initiative, orgs)
            events.append(
                audit.Event(
                    "benefits.initiative.created", "initiative", initiative.ref, {k: [None, v] for k, v in values.items()}
                )
            )
        audit.record_many(events, user=user, import_batch=import_batch)
    return created


def update_initiative(
    *,
    user: User,
    initiative: Initiative,
    changes: Mapping[str, Any],
    organisations: Iterable[Organisation] | None = None,
    expected_version: int | None = None,
    reason: str = "",
    import_batch: ImportBatch | None = None,
) -> Initiative:
    """Change an initiative; any stage may be set, every change audited (API.md)."""
    check_choices(changes)
    unknown = set(changes) - set(INITIATIVE_FIELDS)
    if unknown:
        raise invalid(sorted(unknown)[0], "This field cannot be changed.")
    with transaction.atomic():
        obj = Initiative.objects.select_for_update().get(pk=initiative.pk)
        require_register_write(user, obj)
        require_version(obj, expected_version, f"Initiative {obj.ref}")
        current_orgs = set(obj.organisations.all())
        before = _initiative_values(obj, current_orgs)
        for name, value in changes.items():
            if name in ("investment_one_off_gbp", "investment_recurrent_gbp") and value is not None:
                value = clean_money(value, name)
            setattr(obj, name, value)
        full_clean(obj, exclude=["ref", "owner"])
        new_orgs = (set(organisations) if organisations is not None else set(current_orgs)) | {obj.lead_organisation}
        if new_orgs != current_orgs:
            _check_trusts(user, obj.lead_organisation, new_orgs)
            dropped = {o.pk for o in current_orgs - new_orgs}
            if dropped and obj.benefits.filter(organisation_id__in=dropped).exists():
                raise Conflict(
                    "A trust that some of this initiative's benefit lines accrue to cannot be removed; "
                    "move those lines to another trust first.",
                    field="organisations",
                )
        after = _initiative_values(obj, new_orgs)
        delta = audit.diff(before, after)
        if not delta:
            return obj
        obj.version += 1
        obj.save()
        if new_orgs != current_orgs:
            obj.organisations.set(new_orgs)
        obj._trust_ids = {o.pk for o in new_orgs}
        audit.record(
            user=user,
            action="benefits.initiative.updated",
            object_type="initiative",
            object_id=obj.ref,
            changes=delta,
            reason=reason,
            import_batch=import_batch,
        )
    return obj


def delete_initiative(*, user: User, initiative: Initiative, expected_version: int | None = None) -> None:
    with transaction.atomic():
        obj = Initiative.objects.select_for_update().get(pk=initiative.pk)
        require_register_write(user, obj)
        require_version(obj, expected_version, f"Initiative {obj.ref}")
        if obj.benefits.exists():
            raise Conflict(
                f"{obj.ref} still has benefit lines; delete them first, or set its stage to cancelled to keep its history."
            )
        values = _initiative_values(obj, obj.organisations.all())
        audit.record(
            user=user,
            action="benefits.initiative.deleted",
            object_type="initiative",
            object_id=obj.ref,
            changes={k: [v, None] for k, v in values.items()},
        )
        obj.organisations.clear()
        obj.delete()
