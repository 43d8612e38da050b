"""Finance's reference data: unit-cost versions, confidence weights and targets (all audited)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from benefits.errors import Conflict, NoVersionInForce, PeriodClosed, ValidationFailed
from benefits.models import BenefitLine, ConfidenceWeight, Entry, Target, UnitCost, User
from benefits.models.choices import BenefitClass, TargetBasis
from benefits.policy import Action, require
from benefits.selectors.periods import closed_months

from . import audit
from .common import clean_money, clean_period, full_clean, require_version
from .valuation import revalue_entries

UNIT_COST_FIELDS = ("code", "name", "unit", "value_gbp", "valid_from", "source")
TARGET_FIELDS = ("name", "amount_gbp", "benefit_classes", "basis", "start_period", "end_period")


def _require_effective_open(valid_from: str) -> None:
    closed = closed_months()
    if valid_from in closed:
        raise PeriodClosed(
            f"A unit cost version cannot take effect from {valid_from}: every month up to {closed.latest} is closed. "
            "Choose a month after the latest closed one.",
            field="valid_from",
        )


def _revalue_code(code: str) -> list[audit.Event]:
    lines = {line.pk: line for line in BenefitLine.objects.filter(unit_cost=code)}
    if not lines:
        return []
    entries = list(Entry.objects.select_for_update().filter(benefit_id__in=lines.keys()))
    return revalue_entries(entries, lines, closed=closed_months())


def create_unit_cost(*, user: User, fields: Mapping[str, Any]) -> UnitCost:
    """A new version of a unit cost; entries of later months are revalued (FINANCE.md)."""
    require(user, Action.EDIT_REFERENCE, what="change unit costs")
    values = {k: fields.get(k) for k in UNIT_COST_FIELDS}
    values["value_gbp"] = clean_money(values["value_gbp"], "value_gbp")
    values["valid_from"] = clean_period(values["valid_from"], "valid_from")
    cost = UnitCost(**values)
    full_clean(cost)
    with transaction.atomic():
        _require_effective_open(cost.valid_from)
        try:
            with transaction.atomic():
                cost.save()
        except IntegrityError:
            raise Conflict(
                f"Unit cost {cost.code} already has a version from {cost.valid_from}; change that one.", field="valid_from"
            ) from None
        audit.record(
            user=user,
            action="benefits.unit_cost.created",
            object_type="unit_cost",
            object_id=cost.pk,
            changes={k: [None, v] for k, v in audit.field_values(cost, UNIT_COST_FIELDS).items()},
        )
        audit.record_many(_revalue_code(cost.code), user=user)
    return cost


def update_unit_cost(
    *, user: User, unit_cost: UnitCost, changes: Mapping[str, Any], expected_version: int | None = None
) -> UnitCost:
    """Change one version; entries it values (before and after) are revalued (FINANCE.md).

    Refused whole when its value or month would move a settled figure: a closed month's, or a
    validated actual's (409); a name or source may change at any time.
    """
    require(user, Action.EDIT_REFERENCE, what="change unit costs")
    with transaction.atomic():
        cost = UnitCost.objects.select_for_update().get(pk=unit_cost.pk)
        label = f"Unit cost {cost.code} from {cost.valid_from}"
        require_version(cost, expected_version, label)
        before = audit.field_values(cost, UNIT_COST_FIELDS)
        for name, value in changes.items():
            if name not in UNIT_COST_FIELDS:
                raise ValidationFailed(
                    f"{name} cannot be changed.", field=name, details={name: ["This field cannot be changed."]}
                )
            if name == "code" and value != cost.code:
                raise ValidationFailed(
                    "A unit cost's code cannot be changed; add a new unit cost instead.",
                    field="code",
                    details={"code": ["Cannot be changed."]},
                )
            if name == "value_gbp":
                value = clean_money(value, "value_gbp")
            if name == "valid_from":
                value = clean_period(value, "valid_from")
            setattr(cost, name, value)
        full_clean(cost)
        delta = audit.diff(before, audit.field_values(cost, UNIT_COST_FIELDS))
        if not delta:
            return cost
        if "value_gbp" in delta or "valid_from" in delta:
            closed = closed_months()
            if before["valid_from"] in closed:
                raise PeriodClosed(
                    f"{label} cannot change its value or month: it values months up to {closed.latest}, which are closed. "
                    "Add a new version from an open month instead.",
                    field="value_gbp" if "value_gbp" in delta else "valid_from",
                )
            _require_effective_open(cost.valid_from)
        cost.version += 1
        try:
            with transaction.atomic():
                cost.save()
        except IntegrityError:
            raise Conflict(f"Unit cost {cost.code} already has a version from {cost.valid_from}.", field="valid_from") from None
        audit.record(user=user, action="benefits.unit_cost.updated", object_type="unit_cost", object_id=cost.pk, changes=delta)
        audit.record_many(_revalue_code(cost.code), user=user)
    return cost


def delete_unit_cost(*, user: User, unit_cost: UnitCost, expected_version: int | None = None) -> None:
    """Remove one version; the entries it valued are revalued with the version in force before it.

    Refused (nothing changes) when its months are closed, when a validated or closed figure would
    move, or when an entry would be left with no version in force (FINANCE.md's value rule).
    """
    require(user, Action.EDIT_REFERENCE, what="change unit costs")
    with transaction.atomic():
        cost = UnitCost.objects.select_for_update().get(pk=unit_cost.pk)
        label = f"Unit cost {cost.code} from {cost.valid_from}"
        require_version(cost, expected_version, label)
        closed = closed_months()
        if cost.valid_from in closed:
            raise PeriodClosed(
                f"{label} cannot be deleted: it values months up to {closed.latest}, which are closed. "
                "Add a new version from an open month instead."
            )
        audit.record(
            user=user,
            action="benefits.unit_cost.deleted",
            object_type="unit_cost",
            object_id=cost.pk,
            changes={k: [v, None] for k, v in audit.field_values(cost, UNIT_COST_FIELDS).items()},
        )
        cost.delete()
        try:
            events = _revalue_code(cost.code)
        except NoVersionInForce as exc:
            raise NoVersionInForce(
                f"{label} cannot be deleted: entries for {exc.period} of benefit lines measured with it would have "
                "no version in force to value them. Add a version from that month or earlier first, or remove those entries.",
                unit_cost=exc.unit_cost,
                period=exc.period,
                field=exc.field,
            ) from None
        audit.record_many(events, user=user)


def update_confidence_weight(
    *, user: User, weight: ConfidenceWeight, value: object, expected_version: int | None = None
) -> ConfidenceWeight:
    """Finance may change a weight; it applies to every later computation (FINANCE.md)."""
    require(user, Action.EDIT_REFERENCE, what="change confidence weights")
    number = clean_money(value, "weight")
    if number > 1:
        raise ValidationFailed("A weight is between 0 and 1.", field="weight", details={"weight": ["Must be between 0 and 1."]})
    with transaction.atomic():
        row = ConfidenceWeight.objects.select_for_update().get(pk=weight.pk)
        require_version(row, expected_version, f"The {row.delivery_confidence} weight")
        if row.weight == number:
            return row
        old = row.weight
        row.weight = number
        row.version += 1
        row.save()
        audit.record(
            user=user,
            action="benefits.confidence_weight.updated",
            object_type="confidence_weight",
            object_id=row.delivery_confidence,
            changes={"weight": [str(old), str(number)]},
        )
    return row


def update_confidence_weights(*, user: User, changes: Mapping[str, tuple[object, int | None]]) -> int:
    """Several weights at once (the weights page), all or nothing; returns how many changed.

    `changes` maps a delivery confidence to the weight typed and the version the page showed; a
    weight typed as it is stored is left alone.
    """
    require(user, Action.EDIT_REFERENCE, what="change confidence weights")
    changed = 0
    with transaction.atomic():
        for row in ConfidenceWeight.objects.filter(delivery_confidence__in=list(changes)).order_by("delivery_confidence"):
            value, version = changes[row.delivery_confidence]
            if _same_weight(value, row.weight):
                continue
            update_confidence_weight(user=user, weight=row, value=value, expected_version=version)
            changed += 1
    return changed


def _same_weight(value: object, weight: Decimal) -> bool:
    try:
        return Decimal(str(value).strip()) == weight
    except InvalidOperation:
        return False  # not a number: update_confidence_weight says so


def _clean_target(values: dict[str, Any]) -> dict[str, Any]:
    if "amount_gbp" in values:
        values["amount_gbp"] = clean_money(values["amount_gbp"], "amount_gbp", minimum=clean_money("0.01", "amount_gbp"))
    for name in ("start_period", "end_period"):
        if name in values:
            values[name] = clean_period(values[name], name)
    if "benefit_classes" in values:
        classes = values["benefit_classes"]
        if not isinstance(classes, (list, tuple)) or not classes or any(c not in BenefitClass.values for c in classes):
            raise ValidationFailed(
                "benefit_classes must be a non-empty list of cashable, non_cashable, societal.",
                field="benefit_classes",
                details={"benefit_classes": ["Give one or more of cashable, non_cashable, societal."]},
            )
        values["benefit_classes"] = sorted(set(classes))
    if "basis" in values and values["basis"] not in TargetBasis.values:
        raise ValidationFailed(
            "basis must be cumulative or annual_run_rate.",
            field="basis",
            details={"basis": [f"'{values['basis']}' is not one of cumulative, annual_run_rate."]},
        )
    return values


def _require_window(target: Target) -> None:
    """A target's last month is its first month or later (the one place this rule lives)."""
    if target.end_period < target.start_period:
        raise ValidationFailed(
            "end_period must be the same as or after start_period.",
            field="end_period",
            details={"end_period": ["Must be the same as or after the first month."]},
        )


def create_target(*, user: User, fields: Mapping[str, Any]) -> Target:
    require(user, Action.EDIT_REFERENCE, what="change targets")
    values = _clean_target({k: fields.get(k) for k in TARGET_FIELDS})
    target = Target(**values)
    full_clean(target)
    _require_window(target)
    with transaction.atomic():
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise Conflict(f"A target named '{target.name}' already exists.", field="name") from None
        audit.record(
            user=user,
            action="benefits.target.created",
            object_type="target",
            object_id=target.pk,
            changes={k: [None, v] for k, v in audit.field_values(target, TARGET_FIELDS).items()},
        )
    return target


def update_target(*, user: User, target: Target, changes: Mapping[str, Any], expected_version: int | None = None) -> Target:
    require(user, Action.EDIT_REFERENCE, what="change targets")
    values = _clean_target(dict(changes.items()))
    with transaction.atomic():
        row = Target.objects.select_for_update().get(pk=target.pk)
        require_version(row, expected_version, f"Target '{row.name}'")
        before = audit.field_values(row, TARGET_FIELDS)
        for name, value in values.items():
            if name not in TARGET_FIELDS:
                raise ValidationFailed(
                    f"{name} cannot be changed.", field=name, details={name: ["This field cannot be changed."]}
                )
            setattr(row, name, value)
        full_clean(row)
        _require_window(row)
        delta = audit.diff(before, audit.field_values(row, TARGET_FIELDS))
        if not delta:
            return row
        row.version += 1
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            raise Conflict(f"A target named '{row.name}' already exists.", field="name") from None
        audit.record(user=user, action="benefits.target.updated", object_type="target", object_id=row.pk, changes=delta)
    return row


def delete_target(*, user: User, target: Target, expected_version: int | None = None) -> None:
    require(user, Action.EDIT_REFERENCE, what="change targets")
    with transaction.atomic():
        row = Target.objects.select_for_update().get(pk=target.pk)
        require_version(row, expected_version, f"Target '{row.name}'")
        audit.record(
            user=user,
            action="benefits.target.deleted",
            object_type="target",
            object_id=row.pk,
            changes={k: [v, None] for k, v in audit.field_values(row, TARGET_FIELDS).items()},
        )
        row.delete()
