"""Finance's reference data: unit cost versions, confidence weights and targets, listed, added and
changed (the change and delete pages of a version or a target are web/reference_changes.py).

Services.reference holds the rules (revaluing entries, closed months, versions); these pages parse,
call it and show its refusals beside the fields.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, DomainError, ValidationFailed
from benefits.finance.calendar import month_name
from benefits.finance.rounding import pounds_pence, whole_pounds
from benefits.models.choices import BenefitClass, Confidence, TargetBasis
from benefits.policy import Action, can, require
from benefits.selectors import reference as reference_data
from benefits.services import reference as reference_services

from .forms import NhsForm, seen_version
from .http import page_view, render_page
from .layout import CONFIDENCE_TAG, label_of, version_of

if TYPE_CHECKING:
    from benefits.models import ConfidenceWeight, Target, UnitCost


class UnitCostForm(NhsForm):
    code = forms.CharField(max_length=40, label="Code")
    name = forms.CharField(max_length=200, label="Name")
    unit = forms.CharField(max_length=30, label="Unit")
    value_gbp = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Value in pounds")
    valid_from = forms.CharField(max_length=7, label="Valid from (month)")
    source = forms.CharField(widget=forms.Textarea, label="Source")


class UnitCostChangeForm(UnitCostForm):
    """A version's code is its identity: a different code is a new unit cost, added on the unit costs page."""

    code = None
    version = seen_version()


class TargetForm(NhsForm):
    name = forms.CharField(max_length=200, label="Name")
    amount_gbp = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, label="Amount in pounds")
    benefit_classes = forms.MultipleChoiceField(choices=BenefitClass.choices, label="Benefit classes")
    basis = forms.ChoiceField(choices=TargetBasis.choices, label="Basis")
    start_period = forms.CharField(max_length=7, label="First month")
    end_period = forms.CharField(max_length=7, label="Last month")
    version = seen_version()
    # "Last month before first month" is the service's rule; its refusal lands on end_period.


# --- presenters ----------------------------------------------------------------------------------


def unit_costs_page(costs: list[UnitCost]) -> dict:
    """The versions grouped by code, each with its history, change and delete links."""
    grouped: dict[str, list[dict]] = defaultdict(list)
    for c in costs:
        grouped[c.code].append(
            {"id": c.pk, "name": c.name, "unit": c.unit, "value": pounds_pence(c.value_gbp), "valid_from": month_name(c.valid_from),
             "source": c.source, "history_href": reverse("web:history", args=["unit_cost", c.pk]),
             "edit_href": reverse("web:unit_cost_edit", args=[c.pk]), "delete_href": reverse("web:unit_cost_delete", args=[c.pk])}
        )
    return {"codes": [{"code": k, "versions": v, "name": v[-1]["name"]} for k, v in grouped.items()]}


def weights_page(weights: list[ConfidenceWeight]) -> list[dict]:
    return [
        {"key": w.delivery_confidence, "label": label_of(Confidence, w.delivery_confidence), "weight": f"{w.weight:.2f}",
         "version": w.version, "tag": CONFIDENCE_TAG.get(w.delivery_confidence, "")}
        for w in weights
    ]


def targets_page(targets: list[Target]) -> list[dict]:
    return [
        {"id": t.pk, "name": t.name, "amount": whole_pounds(t.amount_gbp),
         "classes": ", ".join(label_of(BenefitClass, c) for c in t.benefit_classes),
         "basis": "Annual run rate" if t.basis == "annual_run_rate" else "Cumulative",
         "window": f"{month_name(t.start_period)} to {month_name(t.end_period)}",
         "edit_href": reverse("web:target_edit", args=[t.pk]),
         "delete_href": reverse("web:target_delete", args=[t.pk]),
         "history_href": reverse("web:history", args=["target", t.pk])}
        for t in targets
    ]


# --- views ---------------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def unit_costs(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)
    allowed = can(request.user, Action.EDIT_REFERENCE)
    form = UnitCostForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.EDIT_REFERENCE, what="change unit costs")
        if form.is_valid():
            try:
                cost = reference_services.create_unit_cost(user=request.user, fields=form.cleaned_data)
            except (ValidationFailed, Conflict) as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Unit cost {cost.code} from {month_name(cost.valid_from)} is added; later entries are revalued.")
                return redirect("web:unit_costs")
    ctx = {"page": unit_costs_page(reference_data.unit_cost_versions()), "form": form, "can_edit": allowed, "nav_current": "reference",
           "page_errors": form.summary() if form.is_bound and form.errors else []}
    return render_page(request, "benefits/unit_costs.jinja", ctx, status=400 if form.is_bound and form.errors else 200)


@page_view
@require_http_methods(["GET", "POST"])
def confidence_weights(request: HttpRequest) -> HttpResponse:
    allowed = can(request.user, Action.EDIT_REFERENCE)
    errors = []
    if request.method == "POST":
        require(request.user, Action.EDIT_REFERENCE, what="change confidence weights")
        typed = {
            key[len("weight-"):]: (value.strip(), version_of(request.POST.get(f"version-{key[len('weight-'):]}", "")))
            for key, value in request.POST.items()
            if key.startswith("weight-") and value.strip()
        }
        try:
            changed = reference_services.update_confidence_weights(user=request.user, changes=typed)
        except DomainError as exc:
            errors.append({"text": exc.message, "href": "#weights"})
        else:
            messages.success(request, f"{changed} weight{'s' if changed != 1 else ''} changed." if changed else "Nothing had changed.")
            return redirect("web:confidence_weights")
    ctx = {"weights": weights_page(reference_data.confidence_weights()), "can_edit": allowed, "nav_current": "reference", "page_errors": errors}
    return render_page(request, "benefits/confidence_weights.jinja", ctx, status=400 if errors else 200)


@page_view
def targets(request: HttpRequest) -> HttpResponse:
    ctx = {"targets": targets_page(reference_data.all_targets()), "can_edit": can(request.user, Action.EDIT_REFERENCE), "nav_current": "reference"}
    return render_page(request, "benefits/targets.jinja", ctx)


urlpatterns = [
    path("finance/unit-costs/", unit_costs, name="unit_costs"),
    path("finance/confidence-weights/", confidence_weights, name="confidence_weights"),
    path("finance/targets/", targets, name="targets"),
]
