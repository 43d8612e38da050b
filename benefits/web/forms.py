"""Forms: they parse what a page posts into the shapes services take; the services hold the rules.

Errors from a form's own parsing and from a service's ValidationFailed (by field) are shown
the same way: beside the field and in the NHS error summary.
"""

from __future__ import annotations

from django import forms

from benefits.models import Organisation, UnitCost, Workstream
from benefits.models.choices import MEASURES, BenefitClass, Confidence, ImpactStatus, Recurrence, Stage, TargetBasis

REQUIRED = "Enter {label}."
INCOMPLETE = "The form was incomplete. Open the page again from the list and make your change again."


def seen_version() -> forms.IntegerField:
    """The hidden version the user saw, which a service checks (optimistic locking); a garbled one is an incomplete form."""
    return forms.IntegerField(required=False, widget=forms.HiddenInput, error_messages={"invalid": INCOMPLETE})


class NhsForm(forms.Form):
    """Plain-English required messages, and the field values and errors as templates need them."""

    labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.fields.items():
            label = (f.label or name.replace("_", " ")).lower()
            f.error_messages["required"] = f.error_messages.get("required_text") or (
                f"Select {label}." if isinstance(f, (forms.ChoiceField, forms.ModelChoiceField)) else REQUIRED.format(label=label)
            )
            if isinstance(f, forms.DecimalField):
                f.error_messages["invalid"] = f"Enter {label} as a number, for example 1250.00."
                f.error_messages["min_value"] = f"Enter {label} of %(limit_value)s or more."
                f.error_messages["max_decimal_places"] = f"Enter {label} with at most %(max)s decimal places."
                f.error_messages["max_digits"] = f.error_messages["max_whole_digits"] = f"Enter {label} of fewer digits: it is too large."
            if isinstance(f, forms.DateField):
                f.error_messages["invalid"] = f"Enter {label} as a date, for example 2025-04-01."

    def value(self, name: str):
        bound = self[name]
        value = bound.value()
        return "" if value is None else value

    def error(self, name: str) -> str:
        errs = self.errors.get(name)
        return str(errs[0]) if errs else ""

    def summary(self) -> list[dict]:
        def href(name: str) -> str:
            return "#maincontent" if name == "__all__" or self.fields[name].widget.is_hidden else f"#{name}"

        return [{"text": str(errs[0]), "href": href(name)} for name, errs in self.errors.items()]

    def add_service_error(self, exc) -> None:
        """A service's refusal beside the field it names, led by that field's label (services name fields
        as the API does, `value_gbp`); a refusal of no field of this form goes at the top of the page."""
        field = exc.field if exc.field in self.fields else None
        message = exc.message
        if field:
            details = exc.details.get(field) if isinstance(exc.details, dict) else None
            detail = str(details[0]) if details else exc.message
            if not detail[1:2].isupper():  # "A target named …" reads on after the label; "RYE …" keeps its capitals
                detail = detail[0].lower() + detail[1:]
            message = f"{self.fields[field].label}: {detail}"
        self.add_error(field, message)


class LoginForm(NhsForm):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username."})
    password = forms.CharField(strip=False, error_messages={"required": "Enter your password."})


class InitiativeForm(NhsForm):
    title = forms.CharField(max_length=200, label="Title")
    description = forms.CharField(required=False, widget=forms.Textarea, label="Description")
    workstream = forms.ModelChoiceField(queryset=Workstream.objects.all(), to_field_name="code", label="Workstream")
    lead_organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), to_field_name="code", label="Lead trust")
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(), to_field_name="code", required=False, label="Other trusts involved"
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
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), to_field_name="code", required=False, label="Trust")
    measure = forms.ChoiceField(choices=[(m, m.replace("_", " ")) for m in MEASURES], label="Measure")
    unit_cost = forms.ChoiceField(required=False, label="Unit cost")
    attribution_pct = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                         label="Attribution")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = sorted(set(UnitCost.objects.values_list("code", flat=True)))
        self.fields["unit_cost"].choices = [("", "None (measured in pounds)")] + [(c, c) for c in codes]

    def service_fields(self) -> dict:
        d = self.cleaned_data
        out = {k: d.get(k) for k in ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost")}
        out["unit_cost"] = out["unit_cost"] or ""
        out["attribution_pct"] = d.get("attribution_pct") if d.get("attribution_pct") is not None else "100.00"
        return out


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


class ReasonForm(NhsForm):
    reason = forms.CharField(max_length=2000, label="Reason", widget=forms.Textarea)
