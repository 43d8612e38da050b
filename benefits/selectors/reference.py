"""Reference data as finance keeps it: unit cost versions, confidence weights, targets, and what
deleting a unit cost version would touch (the service decides; the page explains)."""

from __future__ import annotations

from typing import NamedTuple

from benefits.models import BenefitLine, ConfidenceWeight, Target, UnitCost


def unit_cost_versions() -> list[UnitCost]:
    """Every unit cost version, by code and then month."""
    return list(UnitCost.objects.order_by("code", "valid_from"))


def unit_cost_version(cost_id: int) -> UnitCost | None:
    return UnitCost.objects.filter(pk=cost_id).first()


def unit_cost_codes() -> list[str]:
    """The unit cost codes, each once, in order: what a benefit line may be measured with."""
    return sorted(set(UnitCost.objects.values_list("code", flat=True)))


class UnitCostReach(NamedTuple):
    """Where a version's months end (the next version's first month, or None) and how many lines use its code."""

    next_from: str | None
    lines: int


def unit_cost_reach(cost: UnitCost) -> UnitCostReach:
    """What a version values: its months up to the next version of its code, for the lines measured with it."""
    later = (
        UnitCost.objects.filter(code=cost.code, valid_from__gt=cost.valid_from)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    return UnitCostReach(later, BenefitLine.objects.filter(unit_cost=cost.code).count())


def confidence_weights() -> list[ConfidenceWeight]:
    """The weights, heaviest first (green to red)."""
    return list(ConfidenceWeight.objects.order_by("-weight"))


def all_targets() -> list[Target]:
    return list(Target.objects.order_by("id"))


def target(target_id: int) -> Target | None:
    return Target.objects.filter(pk=target_id).first()
