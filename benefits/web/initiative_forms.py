"""Registering an initiative, changing it, and adding a benefit line: their forms and pages.

The forms parse; services.register holds the rules and its refusals are shown beside the fields.
A change carries the version the user saw, so a change someone else saved meanwhile is never
overwritten silently (412, with the newer values).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, NotAllowed, StaleVersion, ValidationFailed
from benefits.models.choices import MEASURES, BenefitClass, Confidence, ImpactStatus, Recurrence, Stage
from benefits.policy import Action, require
from benefits.selectors.accounts import first_trust
from benefits.selectors.reference import unit_cost_codes
from benefits.selectors.register import all_organisations, all_workstreams, initiative_trusts
from benefits.services import benefit_lines as line_services
from benefits.services import register as register_services

from .forms import NhsForm
from .http import forbidden_page, page_view, render_page
from .initiative import find_initiative, write_refusal


class InitiativeForm(NhsForm):
    title = forms.CharField(max_length=200, label="Title")
    description = forms.CharField(required=False, widget=forms.Textarea, label="Description")
    workstream = forms.ModelChoiceField(queryset=all_workstreams(), to_field_name="code", label="Workstream")
    lead_organisation = forms.ModelChoiceField(queryset=all_organisations(), to_field_name="code", label="Lead trust")
    organisations = forms.ModelMultipleChoiceField(
        queryset=all_organisations(), to_field_name="code", required=False, label="Other trusts involved"
    )
    stage = forms.ChoiceField(choices=Stage.choices, label="Stage")
    delivery_confidence = forms.ChoiceField(choices=Confidence.choices, label="Delivery confidence")
    start_date = forms.DateField(required=False, label="Start date")
    end_date = forms.DateField(required=False, label="End date")
    qia_status = forms.ChoiceField(choices=ImpactStatus.choices, label="Quality impact assessment")
    eia_status = forms.ChoiceField(choices=ImpactStatus.choices, label="Equality impact assessment")
    investment_one_off_gbp = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, label="One-off investment")
    investment_recurrent_gbp = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, label="Recurrent investment")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or after the start date.")
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = ("title", "description", "workstream", "lead_organisation", "stage", "delivery_confidence", "start_date",
                 "end_date", "qia_status", "eia_status", "investment_one_off_gbp", "investment_recurrent_gbp")
        out = {n: data.get(n) for n in names}
        for money in ("investment_one_off_gbp", "investment_recurrent_gbp"):
            if out[money] is None:
                out[money] = "0.00"
        out["description"] = out["description"] or ""
        return out


class BenefitLineForm(NhsForm):
    title = forms.CharField(max_length=200, label="Title")
    benefit_class = forms.ChoiceField(choices=BenefitClass.choices, label="Benefit class")
    recurrence = forms.ChoiceField(choices=Recurrence.choices, label="Recurrence")
    is_disbenefit = forms.BooleanField(required=False, label="This is a dis-benefit (a cost)")
    organisation = forms.ModelChoiceField(queryset=all_organisations(), to_field_name="code", required=False, label="Trust")
    measure = forms.ChoiceField(choices=[(m, m.replace("_", " ")) for m in MEASURES], label="Measure")
    unit_cost = forms.ChoiceField(required=False, label="Unit cost")
    attribution_pct = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                         label="Attribution")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_cost"].choices = [("", "None (measured in pounds)")] + [(c, c) for c in unit_cost_codes()]

    def service_fields(self) -> dict:
        d = self.cleaned_data
        out = {k: d.get(k) for k in ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost")}
        out["unit_cost"] = out["unit_cost"] or ""
        out["attribution_pct"] = d.get("attribution_pct") if d.get("attribution_pct") is not None else "100.00"
        return out


def _initiative_form_page(request, form, *, initiative=None, status=200):
    ctx = {
        "form": form,
        "initiative": initiative,
        "page_errors": form.summary() if form.is_bound and form.errors else [],
        "nav_current": "register",
    }
    return render_page(request, "benefits/initiative_form.jinja", ctx, status=status)


@page_view
@require_http_methods(["GET", "POST"])
def initiative_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.EDIT_REGISTER, what="register initiatives")
    if request.method == "GET":
        lead = first_trust(request.user)
        form = InitiativeForm(initial={"lead_organisation": lead.code if lead else "", "stage": "idea",
                                       "delivery_confidence": "amber", "qia_status": "not_started", "eia_status": "not_started"})
        return _initiative_form_page(request, form)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            initiative = register_services.create_initiative(
                user=request.user, fields=form.service_fields(), organisations=form.cleaned_data["organisations"]
            )
        except (ValidationFailed, Conflict, NotAllowed) as exc:
            form.add_error(exc.field if exc.field in form.fields else ("lead_organisation" if isinstance(exc, NotAllowed) else None), exc.message)
        else:
            messages.success(request, f"{initiative.ref} “{initiative.title}” is registered. Add its benefit lines next.")
            return redirect("web:initiative", initiative.ref)
    return _initiative_form_page(request, form, status=400)


@page_view
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = find_initiative(request.user, ref)
    trusts = initiative_trusts(initiative)
    if refusal := write_refusal(request.user, initiative, trusts):
        return forbidden_page(request, refusal.message)
    if request.method == "GET":
        i = initiative
        form = InitiativeForm(initial={
            "title": i.title, "description": i.description, "workstream": i.workstream.code,
            "lead_organisation": i.lead_organisation.code,
            "organisations": [o.code for o in trusts if o.pk != i.lead_organisation_id],
            "stage": i.stage, "delivery_confidence": i.delivery_confidence, "start_date": i.start_date, "end_date": i.end_date,
            "qia_status": i.qia_status, "eia_status": i.eia_status, "investment_one_off_gbp": i.investment_one_off_gbp,
            "investment_recurrent_gbp": i.investment_recurrent_gbp, "version": i.version,
        })
        return _initiative_form_page(request, form, initiative=initiative)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            register_services.update_initiative(
                user=request.user,
                initiative=initiative,
                changes=form.service_fields(),
                organisations=list(form.cleaned_data["organisations"]),
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as exc:
            form.add_error(None, exc.message)
            return _initiative_form_page(request, form, initiative=find_initiative(request.user, ref), status=412)
        except (ValidationFailed, Conflict) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Your changes to {initiative.ref} are saved.")
            return redirect("web:initiative", initiative.ref)
    return _initiative_form_page(request, form, initiative=initiative, status=400)


@page_view
@require_http_methods(["GET", "POST"])
def benefit_new(request: HttpRequest, ref: str) -> HttpResponse:
    initiative = find_initiative(request.user, ref)
    trusts = initiative_trusts(initiative)
    if refusal := write_refusal(request.user, initiative, trusts):
        return forbidden_page(request, refusal.message)
    if request.method == "GET":
        form = BenefitLineForm(initial={"organisation": initiative.lead_organisation.code, "measure": "GBP",
                                        "attribution_pct": "100.00", "benefit_class": "cashable", "recurrence": "recurrent"})
    else:
        form = BenefitLineForm(request.POST)
        if form.is_valid():
            try:
                line = line_services.create_benefit(user=request.user, initiative=initiative, fields=form.service_fields())
            except (ValidationFailed, Conflict) as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Benefit line “{line.title}” is added. Fill in its months below.")
                return redirect(reverse("web:initiative", args=[initiative.ref]) + f"#line-{line.pk}")
    ctx = {"form": form, "initiative": initiative, "organisations": trusts, "nav_current": "register",
           "page_errors": form.summary() if form.is_bound and form.errors else []}
    return render_page(request, "benefits/benefit_form.jinja", ctx, status=400 if form.is_bound else 200)


urlpatterns = [
    path("initiatives/new/", initiative_new, name="initiative_new"),
    path("initiatives/<str:ref>/edit/", initiative_edit, name="initiative_edit"),
    path("initiatives/<str:ref>/benefits/new/", benefit_new, name="benefit_new"),
]
