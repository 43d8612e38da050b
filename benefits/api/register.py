"""The register over the API (API.md, Resources): organisations, workstreams, initiatives, benefit lines.

Views are thin: parse (serializers, filters), authorise (PolicyPermission for the role; the services
for trust scope), call one service, answer the stored row. Reads use `.values()` querysets with
natural keys joined in SQL, so every list costs a constant number of queries.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from benefits.models import BenefitLine, Initiative, Organisation, Workstream
from benefits.models.choices import MEASURES, BenefitClass, Confidence, ImpactStatus, Stage
from benefits.policy import Action
from benefits.selectors.register import RegisterFilter
from benefits.services import benefit_lines as line_services
from benefits.services import register as register_services

from . import filters
from .base import CODE, ApiViewSet, CreateMixin, DestroyMixin, RowSerializer, UpdateMixin
from .fields import MoneyField, QuantityField

# --- serializers -------------------------------------------------------------------------------


class OrganisationSerializer(RowSerializer):
    code = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9_-]{0,9}$", max_length=10, help_text="ODS code, e.g. RYE.", error_messages={"invalid": "Use capital letters, digits, '-' or '_' (at most 10)."}
    )
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField(read_only=True)


class WorkstreamSerializer(RowSerializer):
    code = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9_-]{0,19}$", max_length=20, error_messages={"invalid": "Use capital letters, digits, '-' or '_' (at most 20)."}
    )
    name = serializers.CharField(max_length=200)
    sro = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Senior responsible owner.")
    version = serializers.IntegerField(read_only=True)


class InitiativeSerializer(RowSerializer):
    ref = serializers.CharField(read_only=True, help_text="Generated: AG-0001, AG-0002, …")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    workstream = serializers.SlugRelatedField(slug_field="code", queryset=Workstream.objects.all())
    lead_organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    organisations = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="Organisation codes; always includes the lead (defaults to it).",
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    delivery_confidence = serializers.ChoiceField(choices=Confidence.choices, required=False)
    owner = serializers.CharField(read_only=True, allow_null=True, help_text="Username of the user who registered it.")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    qia_status = serializers.ChoiceField(choices=ImpactStatus.choices, required=False)
    eia_status = serializers.ChoiceField(choices=ImpactStatus.choices, required=False)
    investment_one_off_gbp = MoneyField(required=False, min_value=Decimal("0"))
    investment_recurrent_gbp = MoneyField(required=False, min_value=Decimal("0"))
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    row_keys = {
        "workstream": "workstream__code",
        "lead_organisation": "lead_organisation__code",
        "organisations": "organisation_codes",
        "owner": "owner__username",
    }

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs


class BenefitSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    initiative = serializers.SlugRelatedField(slug_field="ref", queryset=Initiative.objects.all(), help_text="Initiative ref.")
    title = serializers.CharField(max_length=200)
    benefit_class = serializers.ChoiceField(choices=BenefitClass.choices)
    recurrence = serializers.ChoiceField(choices=[("recurrent", "Recurrent"), ("non_recurrent", "Non-recurrent")])
    is_disbenefit = serializers.BooleanField(required=False, default=False)
    organisation = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Defaults to the initiative's lead; must be one of its organisations.",
    )
    measure = serializers.ChoiceField(choices=[(m, m) for m in MEASURES], required=False, default="GBP")
    unit_cost = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Unit cost code; required unless measure is GBP."
    )
    attribution_pct = QuantityField(
        max_digits=5, required=False, max_value=Decimal("100"), help_text="0 to 100; default 100."
    )
    version = serializers.IntegerField(read_only=True)

    row_keys = {"initiative": "initiative__ref", "organisation": "organisation__code"}


# --- organisations and workstreams ---------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="One organisation"),
    create=extend_schema(summary="Add an organisation (admin)"),
    update=extend_schema(summary="Rename an organisation (admin)"),
    partial_update=extend_schema(summary="Rename an organisation (admin)"),
)
class OrganisationViewSet(CreateMixin, UpdateMixin, ApiViewSet):
    model = Organisation
    serializer_class = OrganisationSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    write_action = Action.ADMINISTER

    def rows(self):
        return Organisation.objects.order_by("code").values("id", "code", "name", "version")

    def add(self, data):
        return register_services.save_organisation(user=self.request.user, code=data["code"], name=data["name"])

    def change(self, org, data, *, version, partial):
        self.refuse_changes(data, {"code": org.code}, ("code",))
        return register_services.save_organisation(
            user=self.request.user, code=org.code, name=data.get("name", org.name), organisation=org, expected_version=version
        )


@extend_schema_view(
    list=extend_schema(summary="List workstreams"),
    retrieve=extend_schema(summary="One workstream"),
    create=extend_schema(summary="Add a workstream"),
    update=extend_schema(summary="Change a workstream"),
    partial_update=extend_schema(summary="Change a workstream"),
    destroy=extend_schema(summary="Delete a workstream without initiatives"),
)
class WorkstreamViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = Workstream
    serializer_class = WorkstreamSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    write_action = Action.EDIT_WORKSTREAM

    def rows(self):
        return Workstream.objects.order_by("code").values("id", "code", "name", "sro", "version")

    def add(self, data):
        return register_services.create_workstream(user=self.request.user, code=data["code"], name=data["name"], sro=data.get("sro", ""))

    def change(self, ws, data, *, version, partial):
        self.refuse_changes(data, {"code": ws.code}, ("code",))
        changes = {k: v for k, v in data.items() if k in ("name", "sro")}
        return register_services.update_workstream(user=self.request.user, workstream=ws, changes=changes, expected_version=version)

    def remove(self, ws, *, version):
        register_services.delete_workstream(user=self.request.user, workstream=ws, expected_version=version)


# --- initiatives and benefit lines ---------------------------------------------------------------


def initiative_rows(user):
    """The initiatives the user may read, as the API shows them: natural keys and organisation codes in SQL."""
    through = Initiative.organisations.through
    codes = ArraySubquery(
        through.objects.filter(initiative_id=OuterRef("pk")).order_by("organisation__code").values("organisation__code")
    )
    return (
        Initiative.objects.for_user(user, Action.VIEW)
        .order_by("ref")
        .values(
            "id",
            "ref",
            "title",
            "description",
            "workstream__code",
            "lead_organisation__code",
            "stage",
            "delivery_confidence",
            "owner__username",
            "start_date",
            "end_date",
            "qia_status",
            "eia_status",
            "investment_one_off_gbp",
            "investment_recurrent_gbp",
            "version",
            "created_at",
            "updated_at",
        )
        .annotate(organisation_codes=codes)
    )


@extend_schema_view(
    list=extend_schema(summary="List initiatives"),
    retrieve=extend_schema(summary="One initiative"),
    create=extend_schema(summary="Register an initiative"),
    update=extend_schema(summary="Change an initiative"),
    partial_update=extend_schema(summary="Change some fields of an initiative"),
    destroy=extend_schema(summary="Delete an initiative without benefit lines"),
)
class InitiativeViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = Initiative
    serializer_class = InitiativeSerializer
    filterset_class = RegisterFilter
    lookup_field = "ref"
    lookup_value_regex = CODE
    write_action = Action.EDIT_REGISTER

    def rows(self):
        return initiative_rows(self.request.user)

    def add(self, data):
        orgs = data.pop("organisations", [])
        return register_services.create_initiative(user=self.request.user, fields=data, organisations=orgs)

    def change(self, initiative, data, *, version, partial):
        orgs = data.pop("organisations", None)
        if orgs is None and not partial:
            orgs = []  # PUT replaces: absent organisations means just the lead
        return register_services.update_initiative(
            user=self.request.user, initiative=initiative, changes=data, organisations=orgs, expected_version=version
        )

    def remove(self, initiative, *, version):
        register_services.delete_initiative(user=self.request.user, initiative=initiative, expected_version=version)


BENEFIT_VALUES = (
    "id",
    "initiative__ref",
    "title",
    "benefit_class",
    "recurrence",
    "is_disbenefit",
    "organisation__code",
    "measure",
    "unit_cost",
    "attribution_pct",
    "version",
)


@extend_schema_view(
    list=extend_schema(summary="List benefit lines"),
    retrieve=extend_schema(summary="One benefit line"),
    create=extend_schema(summary="Add a benefit line to an initiative"),
    update=extend_schema(summary="Change a benefit line (its entries are revalued)"),
    partial_update=extend_schema(summary="Change some fields of a benefit line"),
    destroy=extend_schema(summary="Delete a benefit line and its unsettled entries"),
)
class BenefitViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = BenefitLine
    serializer_class = BenefitSerializer
    filterset_class = filters.BenefitFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REGISTER

    def rows(self):
        return BenefitLine.objects.for_user(self.request.user, Action.VIEW).order_by("id").values(*BENEFIT_VALUES)

    def add(self, data):
        initiative = data.pop("initiative")
        return line_services.create_benefit(user=self.request.user, initiative=initiative, fields=data)

    def change(self, line, data, *, version, partial):
        initiative = data.pop("initiative", None)
        if initiative is not None and initiative.pk != line.initiative_id:
            raise serializers.ValidationError({"initiative": ["A benefit line cannot move to another initiative."]})
        return line_services.update_benefit(user=self.request.user, benefit=line, changes=data, expected_version=version)

    def remove(self, line, *, version):
        line_services.delete_benefit(user=self.request.user, benefit=line, expected_version=version)
