"""What every page form shares: plain-English messages and the values and errors templates need.

Each area's forms live in its own module (initiative_forms.py, reference.py, accounts.py); they parse
what a page posts into the shapes services take, and the services hold the rules. Errors from a
form's own parsing and from a service's ValidationFailed (by field) are shown the same way: beside
the field and in the NHS error summary.
"""

from __future__ import annotations

from django import forms

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
