"""Test data built through the services, so tests exercise the same rules as users do."""

from __future__ import annotations

from decimal import Decimal

import factory

from benefits.models import Organisation, User, Workstream
from benefits.models.choices import Role
from benefits.services import benefit_lines as line_services
from benefits.services import entries as entry_services
from benefits.services import reference as reference_services
from benefits.services import register as register_services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.PROGRAMME_OFFICE
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def orgs(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set([Organisation.objects.get(code=c) if isinstance(c, str) else c for c in extracted])


class WorkstreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workstream
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WS{n}")
    name = factory.LazyAttribute(lambda o: f"Workstream {o.code}")
    sro = "Jo Bloggs"


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def make_initiative(
    user: User,
    *,
    lead: str = "RYE",
    orgs: tuple[str, ...] = (),
    stage: str = "delivery",
    confidence: str = "amber",
    workstream: Workstream | None = None,
    title: str = "A scheme",
):
    return register_services.create_initiative(
        user=user,
        fields={
            "title": title,
            "workstream": workstream or WorkstreamFactory(code="PROC", name="Joint procurement"),
            "lead_organisation": org(lead),
            "stage": stage,
            "delivery_confidence": confidence,
        },
        organisations=[org(c) for c in orgs],
    )


def make_line(user: User, initiative, **fields):
    defaults = {"title": "Saving", "benefit_class": "cashable", "recurrence": "recurrent", "measure": "GBP"}
    defaults.update(fields)
    if isinstance(defaults.get("organisation"), str):
        defaults["organisation"] = org(defaults["organisation"])
    return line_services.create_benefit(user=user, initiative=initiative, fields=defaults)


def put(user: User, line, series: str, months: dict[str, str] | list[str], quantity: str | None = None) -> list:
    """Create entries of one series: `{"2025-04": "10.00", …}` or a list of months with one quantity."""
    items = months.items() if isinstance(months, dict) else [(m, quantity) for m in months]
    return [entry_services.create_entry(user=user, benefit=line, period=p, series=series, quantity=Decimal(q)) for p, q in items]


def make_unit_cost(user: User, code: str = "conveyance_avoided", value: str = "250.00", valid_from: str = "2025-04"):
    return reference_services.create_unit_cost(
        user=user,
        fields={
            "code": code,
            "name": code.replace("_", " ").capitalize(),
            "unit": "conveyances",
            "value_gbp": Decimal(value),
            "valid_from": valid_from,
            "source": "Test source",
        },
    )
