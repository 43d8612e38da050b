"""Adding a target, and the change and delete pages of a unit cost version or a target.

A change form carries the version the user saw: a stale save (412) shows the values saved
meanwhile and never overwrites them silently; a delete is confirmed on a page that says what
it does, and a refusal is shown there in the service's words (services.reference decides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, StaleVersion, Unprocessable, ValidationFailed
from benefits.finance.calendar import add_months, month_name
from benefits.finance.rounding import pounds_pence, whole_pounds
from benefits.models.choices import BenefitClass, TargetBasis
from benefits.policy import Action, require
from benefits.selectors import reference as reference_data
from benefits.selectors.reference import UnitCostReach
from benefits.services import reference as reference_services

from .forms import INCOMPLETE
from .http import not_found_page, page_view, render_page
from .layout import label_of, version_of
from .reference import TargetForm, UnitCostChangeForm

if TYPE_CHECKING:
    from benefits.models import Target, UnitCost


# --- presenters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deletion:
    """What a confirm-delete page shows: the object, what deleting it does, and the form's target."""

    heading: str
    rows: list[tuple[str, str]]
    consequences: list[str]
    version: int
    action_href: str
    cancel_href: str
    button: str


@dataclass(frozen=True)
class Change:
    """What a change (or add) page shows around its form. After a stale save, `saved` holds the values
    someone else saved meanwhile, and `stale` says so in words; the form keeps what the user typed."""

    heading: str
    button: str
    cancel_href: str
    notes: list[str] = field(default_factory=list)
    stale: str = ""
    saved: list[tuple[str, str]] = field(default_factory=list)


def _unit_cost_rows(cost: UnitCost) -> list[tuple[str, str]]:
    return [("Code", cost.code), ("Name", cost.name), ("Value", f"{pounds_pence(cost.value_gbp)} per {cost.unit}"),
            ("Valid from", month_name(cost.valid_from)), ("Source", cost.source)]


def _target_rows(target: Target) -> list[tuple[str, str]]:
    return [("Name", target.name), ("Amount", whole_pounds(target.amount_gbp)),
            ("Benefit classes", ", ".join(label_of(BenefitClass, c) for c in target.benefit_classes)),
            ("Basis", label_of(TargetBasis, target.basis)),
            ("Window", f"{month_name(target.start_period)} to {month_name(target.end_period)}")]


def unit_cost_deletion(cost: UnitCost, reach: UnitCostReach) -> Deletion:
    """The version and what deleting it means (the service decides; this page only explains)."""
    later = reach.next_from
    months = f"from {month_name(cost.valid_from)}" + (f" to {month_name(add_months(later, -1))}" if later else " onwards")
    return Deletion(
        heading=f"Delete unit cost {cost.code} from {month_name(cost.valid_from)}?",
        rows=[*_unit_cost_rows(cost), ("Benefit lines measured with it", str(reach.lines))],
        consequences=[
            f"The entries this version values ({months}) are revalued with the version in force before it.",
            "The deletion is refused, and nothing changes, if its months are closed, if a validated actual or a "
            "closed month's figure would change, or if an entry would be left with no version to value it.",
            "The deletion is recorded in the unit cost's history.",
        ],
        version=cost.version,
        action_href=reverse("web:unit_cost_delete", args=[cost.pk]),
        cancel_href=reverse("web:unit_costs"),
        button="Delete this unit cost version",
    )


def target_deletion(target: Target) -> Deletion:
    return Deletion(
        heading=f"Delete target {target.name}?",
        rows=_target_rows(target),
        consequences=[
            "The target leaves the dashboard, and snapshots and board packs made from now on leave it out.",
            "Snapshots and board packs already made keep its figures, so they can still be reproduced.",
            "The deletion is recorded in the target's history.",
        ],
        version=target.version,
        action_href=reverse("web:target_delete", args=[target.pk]),
        cancel_href=reverse("web:targets"),
        button="Delete this target",
    )


def _stale_notice(what: str) -> str:
    return (
        f"Not saved: someone else changed {what} since you opened this page. The values saved now are shown below, "
        "and your changes are still in the form. Check them, then save again to replace the saved values, or cancel."
    )


def unit_cost_change(cost: UnitCost, *, stale: bool = False) -> Change:
    what = f"unit cost {cost.code} from {month_name(cost.valid_from)}"
    return Change(
        heading=f"Change {what}",
        button="Save unit cost version",
        cancel_href=reverse("web:unit_costs"),
        notes=[
            "A new value or month revalues the entries this version values, and those of the months it no longer covers.",
            "The change is refused, and nothing changes, if a closed month's figure or a validated actual would change; "
            "add a new version from an open month instead. The name, unit and source can always be corrected.",
        ],
        stale=_stale_notice(what) if stale else "",
        saved=_unit_cost_rows(cost) if stale else [],
    )


def target_change(target: Target | None, *, stale: bool = False) -> Change:
    """The add page when `target` is None, else its change page."""
    if target is None:
        return Change(heading="Add a target", button="Add target", cancel_href=reverse("web:targets"),
                      notes=["The dashboard, snapshots and board packs made from now on report progress towards it."])
    return Change(
        heading=f"Change target {target.name}",
        button="Save target",
        cancel_href=reverse("web:targets"),
        stale=_stale_notice(f"target {target.name}") if stale else "",
        saved=_target_rows(target) if stale else [],
    )


# --- the two kinds of page ------------------------------------------------------------------------


def _change_page(request: HttpRequest, *, find, missing: str, form_class, initial, present, save, done, template: str,
                 back: str) -> HttpResponse:
    """A change form: GET pre-filled, with the version the user saw in a hidden field; POST to the API's own
    update service. Field errors and the service's refusals are shown beside the fields in its words (400,
    409); a stale version (412) shows the values saved meanwhile and carries their version, so that saving
    again is the user's choice, never a silent overwrite."""
    obj = find()
    if obj is None:
        return not_found_page(request, missing)
    stale, status = False, 200
    if request.method == "GET":
        form = form_class(initial={**initial(obj), "version": obj.version})
    else:
        form, status = form_class(request.POST), 400
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise ValidationFailed(INCOMPLETE)
                saved = save(obj, changes, version)
            except StaleVersion:
                obj = find()
                if obj is None:
                    return not_found_page(request, missing)
                stale, status = True, 412
                form = form_class(_with_version(request.POST, obj.version))
                form.is_valid()
                form.add_error(None, present(obj, stale=True).stale)
            except (ValidationFailed, Conflict, Unprocessable) as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, done(saved) if saved.version != version else "Nothing had changed.")
                return redirect(back)
    ctx = {"form": form, "page": present(obj, stale=stale), "nav_current": "reference",
           "page_errors": form.summary() if form.errors else []}
    return render_page(request, template, ctx, status=status)


def _with_version(posted, version: int):
    """The user's post again, carrying the version now saved (a stale form is shown with the newer values)."""
    data = posted.copy()
    data["version"] = str(version)
    return data


def _confirm_delete(request: HttpRequest, *, find, missing: str, present, delete, done, back: str) -> HttpResponse:
    """A confirm page (GET) whose form (POST, with the version the user saw) calls the API's own
    delete service; a refusal is shown on the same page in the service's words, with the current values."""
    obj = find()
    if obj is None:
        return not_found_page(request, missing)
    errors = []
    if request.method == "POST":
        version = version_of(request.POST.get("version", ""))
        try:
            if version is None:
                raise ValidationFailed("The confirmation was incomplete. Check the details below and confirm again.")
            delete(obj, version)
        except (Conflict, Unprocessable, StaleVersion, ValidationFailed) as exc:
            errors.append({"text": exc.message, "href": "#confirm"})
            obj = find()
            if obj is None:
                return not_found_page(request, missing)
        else:
            messages.success(request, done(obj))
            return redirect(back)
    ctx = {"page": present(obj), "nav_current": "reference", "page_errors": errors}
    return render_page(request, "benefits/confirm_delete.jinja", ctx, status=409 if errors else 200)


# --- views ---------------------------------------------------------------------------------------


@page_view
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="add targets")
    form, status = TargetForm(initial={"basis": "cumulative"}), 200
    if request.method == "POST":
        form, status = TargetForm(request.POST), 400
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                added = reference_services.create_target(user=request.user, fields=fields)
            except (ValidationFailed, Conflict) as exc:
                form.add_service_error(exc)
                status = exc.status
            else:
                messages.success(request, f"Target “{added.name}” is added; the dashboard reports progress towards it.")
                return redirect("web:targets")
    ctx = {"form": form, "page": target_change(None), "nav_current": "reference",
           "page_errors": form.summary() if form.errors else []}
    return render_page(request, "benefits/target_form.jinja", ctx, status=status)


@page_view
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, target_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="change targets")
    return _change_page(
        request,
        find=lambda: reference_data.target(target_id),
        missing=f"There is no target {target_id}; it may have been deleted.",
        form_class=TargetForm,
        initial=lambda t: {"name": t.name, "amount_gbp": t.amount_gbp, "benefit_classes": t.benefit_classes, "basis": t.basis,
                           "start_period": t.start_period, "end_period": t.end_period},
        present=target_change,
        save=lambda found, changes, version: reference_services.update_target(
            user=request.user, target=found, changes=changes, expected_version=version),
        done=lambda saved: f"Target “{saved.name}” is saved.",
        template="benefits/target_form.jinja",
        back=reverse("web:targets"),
    )


@page_view
@require_http_methods(["GET", "POST"])
def unit_cost_edit(request: HttpRequest, cost_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="change unit costs")
    return _change_page(
        request,
        find=lambda: reference_data.unit_cost_version(cost_id),
        missing=f"There is no unit cost version {cost_id}; it may have been deleted.",
        form_class=UnitCostChangeForm,
        initial=lambda c: {"name": c.name, "unit": c.unit, "value_gbp": c.value_gbp, "valid_from": c.valid_from, "source": c.source},
        present=unit_cost_change,
        save=lambda cost, changes, version: reference_services.update_unit_cost(
            user=request.user, unit_cost=cost, changes=changes, expected_version=version),
        done=lambda cost: f"Unit cost {cost.code} from {month_name(cost.valid_from)} is saved; the entries it values are revalued.",
        template="benefits/unit_cost_form.jinja",
        back=reverse("web:unit_costs"),
    )


@page_view
@require_http_methods(["GET", "POST"])
def unit_cost_delete(request: HttpRequest, cost_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="delete unit costs")
    return _confirm_delete(
        request,
        find=lambda: reference_data.unit_cost_version(cost_id),
        missing=f"There is no unit cost version {cost_id}; it may have been deleted already.",
        present=lambda cost: unit_cost_deletion(cost, reference_data.unit_cost_reach(cost)),
        delete=lambda cost, version: reference_services.delete_unit_cost(user=request.user, unit_cost=cost, expected_version=version),
        done=lambda cost: f"Unit cost {cost.code} from {month_name(cost.valid_from)} is deleted; the entries it valued are revalued.",
        back=reverse("web:unit_costs"),
    )


@page_view
@require_http_methods(["GET", "POST"])
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    require(request.user, Action.EDIT_REFERENCE, what="delete targets")
    return _confirm_delete(
        request,
        find=lambda: reference_data.target(target_id),
        missing=f"There is no target {target_id}; it may have been deleted already.",
        present=target_deletion,
        delete=lambda found, version: reference_services.delete_target(user=request.user, target=found, expected_version=version),
        done=lambda deleted: f"Target “{deleted.name}” is deleted.",
        back=reverse("web:targets"),
    )


urlpatterns = [
    path("finance/unit-costs/<int:cost_id>/", unit_cost_edit, name="unit_cost_edit"),
    path("finance/unit-costs/<int:cost_id>/delete/", unit_cost_delete, name="unit_cost_delete"),
    path("finance/targets/new/", target_new, name="target_new"),
    path("finance/targets/<int:target_id>/", target_edit, name="target_edit"),
    path("finance/targets/<int:target_id>/delete/", target_delete, name="target_delete"),
]
