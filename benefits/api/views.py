"""API v1 views of the register, ledger, reference data, audit and sign-in (API.md, Resources).

Views are thin: parse (serializers, filters), authorise (PolicyPermission for the role; the services
for trust scope and segregation of duties), call one service, serialise. Reads use `.values()`
querysets with natural keys joined in SQL, so every list costs a constant number of queries.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits.errors import ValidationFailed
from benefits.finance.calendar import FinancialYear, is_period, months_between
from benefits.models import (
    AuditEvent,
    BenefitLine,
    ConfidenceWeight,
    Entry,
    Initiative,
    Organisation,
    Period,
    Target,
    UnitCost,
    Workstream,
)
from benefits.models.choices import PeriodStatus
from benefits.policy import Action
from benefits.selectors.periods import latest_closed_period
from benefits.services import entries as entry_services
from benefits.services import periods as period_services
from benefits.services import reference as reference_services
from benefits.services import register as register_services

from . import filters
from . import serializers as s
from .concurrency import VersionedMixin, expected_version
from .fields import FinancialYearField, parse_query
from .idempotency import IdempotencyMixin
from .permissions import AllowAnyone

ID = r"[0-9]{1,18}"
CODE = r"[A-Za-z0-9_-]{1,40}"


class ApiViewSet(IdempotencyMixin, VersionedMixin, viewsets.GenericViewSet):
    """Shared plumbing: `.values()` rows for reads, model instances for writes, one service per write.

    Subclasses give `model`, `serializer_class`, `lookup_field`, `rows()` (the read queryset of
    dicts) and the write methods' service calls; `versioned` puts ETag in the schema.
    """

    model: type
    versioned = True
    lookup_value_regex = ID
    parser_classes = [JSONParser]  # API.md: JSON in and out

    def rows(self):
        raise NotImplementedError

    def get_queryset(self):
        return self.rows()

    def lookup(self) -> dict:
        return {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}

    def row(self, **lookup) -> dict:
        row = self.rows().filter(**(lookup or self.lookup())).first()
        if row is None:
            raise Http404
        return row

    def instance(self):
        obj = self.model.objects.filter(**self.lookup()).first()
        if obj is None:
            raise Http404
        return obj

    def present(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.get_serializer(self.row(pk=obj.pk)).data
        return Response(data, status=status_code)

    def valid(self, serializer_class=None, *, partial: bool = False, data=None) -> dict:
        cls = serializer_class or self.get_serializer_class()
        serializer = cls(data=self.request.data if data is None else data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.row()).data)

    def refuse_changes(self, data: dict, current: dict, names: tuple[str, ...]) -> None:
        """Keys that name the object cannot be changed by PUT/PATCH: a different value is a 400."""
        errors = {n: ["This field cannot be changed."] for n in names if n in data and data[n] != current[n]}
        if errors:
            raise serializers.ValidationError(errors)


# --- sign in ---------------------------------------------------------------------------------


class TokenView(APIView):
    """POST username and password → the user's API token."""

    permission_classes = [AllowAnyone]
    authentication_classes: list = []
    parser_classes = [JSONParser]

    @extend_schema(
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer},
        auth=[],
        summary="Get an API token",
        description="Send it as `Authorization: Token <token>` on every other request.",
    )
    def post(self, request):
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError({"password": ["That username and password do not match an active user."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- organisations and workstreams -----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="One organisation"),
    create=extend_schema(summary="Add an organisation (admin)"),
    update=extend_schema(summary="Rename an organisation (admin)"),
    partial_update=extend_schema(summary="Rename an organisation (admin)"),
)
class OrganisationViewSet(ApiViewSet):
    model = Organisation
    serializer_class = s.OrganisationSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    write_action = Action.ADMINISTER

    def rows(self):
        return Organisation.objects.order_by("code").values("id", "code", "name", "version")

    def create(self, request):
        data = self.valid()
        org = register_services.save_organisation(user=request.user, code=data["code"], name=data["name"])
        return self.present(org, status.HTTP_201_CREATED)

    def update(self, request, code=None, partial=False):
        org = self.instance()
        version = expected_version(request)
        data = self.valid(partial=partial)
        self.refuse_changes(data, {"code": org.code}, ("code",))
        org = register_services.save_organisation(
            user=request.user, code=org.code, name=data.get("name", org.name), organisation=org, expected_version=version
        )
        return self.present(org)

    def partial_update(self, request, code=None):
        return self.update(request, code, partial=True)


@extend_schema_view(
    list=extend_schema(summary="List workstreams"),
    retrieve=extend_schema(summary="One workstream"),
    create=extend_schema(summary="Add a workstream"),
    update=extend_schema(summary="Change a workstream"),
    partial_update=extend_schema(summary="Change a workstream"),
    destroy=extend_schema(summary="Delete a workstream without initiatives"),
)
class WorkstreamViewSet(ApiViewSet):
    model = Workstream
    serializer_class = s.WorkstreamSerializer
    lookup_field = "code"
    lookup_value_regex = CODE
    write_action = Action.EDIT_WORKSTREAM

    def rows(self):
        return Workstream.objects.order_by("code").values("id", "code", "name", "sro", "version")

    def create(self, request):
        data = self.valid()
        ws = register_services.create_workstream(user=request.user, code=data["code"], name=data["name"], sro=data.get("sro", ""))
        return self.present(ws, status.HTTP_201_CREATED)

    def update(self, request, code=None, partial=False):
        ws = self.instance()
        version = expected_version(request)
        data = self.valid(partial=partial)
        self.refuse_changes(data, {"code": ws.code}, ("code",))
        changes = {k: v for k, v in data.items() if k in ("name", "sro")}
        ws = register_services.update_workstream(user=request.user, workstream=ws, changes=changes, expected_version=version)
        return self.present(ws)

    def partial_update(self, request, code=None):
        return self.update(request, code, partial=True)

    def destroy(self, request, code=None):
        ws = self.instance()
        register_services.delete_workstream(user=request.user, workstream=ws, expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- initiatives and benefit lines -----------------------------------------------------------


def initiative_rows(user):
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
class InitiativeViewSet(ApiViewSet):
    model = Initiative
    serializer_class = s.InitiativeSerializer
    filterset_class = filters.InitiativeFilter
    lookup_field = "ref"
    lookup_value_regex = CODE
    write_action = Action.EDIT_REGISTER

    def rows(self):
        return initiative_rows(self.request.user)

    def create(self, request):
        data = dict(self.valid())
        orgs = data.pop("organisations", [])
        initiative = register_services.create_initiative(user=request.user, fields=data, organisations=orgs)
        return self.present(initiative, status.HTTP_201_CREATED)

    def update(self, request, ref=None, partial=False):
        initiative = self.instance()
        version = expected_version(request)
        data = dict(self.valid(partial=partial))
        orgs = data.pop("organisations", None)
        if orgs is None and not partial:
            orgs = []  # PUT replaces: absent organisations means just the lead
        initiative = register_services.update_initiative(
            user=request.user, initiative=initiative, changes=data, organisations=orgs, expected_version=version
        )
        return self.present(initiative)

    def partial_update(self, request, ref=None):
        return self.update(request, ref, partial=True)

    def destroy(self, request, ref=None):
        register_services.delete_initiative(user=request.user, initiative=self.instance(), expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


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
class BenefitViewSet(ApiViewSet):
    model = BenefitLine
    serializer_class = s.BenefitSerializer
    filterset_class = filters.BenefitFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REGISTER

    def rows(self):
        return BenefitLine.objects.for_user(self.request.user, Action.VIEW).order_by("id").values(*BENEFIT_VALUES)

    def create(self, request):
        data = dict(self.valid())
        initiative = data.pop("initiative")
        line = register_services.create_benefit(user=request.user, initiative=initiative, fields=data)
        return self.present(line, status.HTTP_201_CREATED)

    def update(self, request, id=None, partial=False):
        line = self.instance()
        version = expected_version(request)
        data = dict(self.valid(partial=partial))
        initiative = data.pop("initiative", None)
        if initiative is not None and initiative.pk != line.initiative_id:
            raise serializers.ValidationError({"initiative": ["A benefit line cannot move to another initiative."]})
        line = register_services.update_benefit(user=request.user, benefit=line, changes=data, expected_version=version)
        return self.present(line)

    def partial_update(self, request, id=None):
        return self.update(request, id, partial=True)

    def destroy(self, request, id=None):
        register_services.delete_benefit(user=request.user, benefit=self.instance(), expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- entries ---------------------------------------------------------------------------------

ENTRY_VALUES = (
    "id",
    "benefit_id",
    "period",
    "series",
    "quantity",
    "value_gbp",
    "status",
    "version",
    "updated_by__username",
    "updated_at",
)


@extend_schema_view(
    list=extend_schema(summary="List entries"),
    retrieve=extend_schema(summary="One entry"),
    create=extend_schema(summary="Add an entry (one per benefit, period and series: a second is a 409)"),
    update=extend_schema(summary="Change an entry's quantity", request=s.EntryUpdateSerializer),
    partial_update=extend_schema(summary="Change an entry's quantity", request=s.EntryUpdateSerializer),
    destroy=extend_schema(summary="Delete an entry"),
)
class EntryViewSet(ApiViewSet):
    model = Entry
    serializer_class = s.EntrySerializer
    filterset_class = filters.EntryFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REGISTER
    write_actions = {"validate": Action.VALIDATE, "reject": Action.VALIDATE, "bulk_validate": Action.VALIDATE}

    def rows(self):
        return Entry.objects.for_user(self.request.user, Action.VIEW).order_by("id").values(*ENTRY_VALUES)

    def create(self, request):
        data = self.valid()
        entry = entry_services.create_entry(
            user=request.user, benefit=data["benefit"], period=data["period"], series=data["series"], quantity=data["quantity"]
        )
        return self.present(entry, status.HTTP_201_CREATED)

    def update(self, request, id=None, partial=False):
        entry = self.instance()
        version = expected_version(request)
        data = self.valid(s.EntryUpdateSerializer, partial=partial)
        self.refuse_changes(data, {"benefit": entry.benefit_id, "period": entry.period, "series": entry.series}, ("benefit", "period", "series"))
        if "quantity" not in data:
            return self.present(entry)
        entry = entry_services.update_entry(user=request.user, entry=entry, quantity=data["quantity"], expected_version=version)
        return self.present(entry)

    def partial_update(self, request, id=None):
        return self.update(request, id, partial=True)

    def destroy(self, request, id=None):
        entry_services.delete_entry(user=request.user, entry=self.instance(), expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: s.EntrySerializer}, summary="Submit a draft actual for validation")
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        entry = entry_services.submit_entry(user=request.user, entry=self.instance())
        return self.present(entry)

    @extend_schema(request=None, responses={200: s.EntrySerializer}, summary="Validate a submitted actual (finance; never your own)")
    @action(detail=True, methods=["post"])
    def validate(self, request, id=None):
        entry = entry_services.validate_entry(user=request.user, entry=self.instance())
        return self.present(entry)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.EntrySerializer}, summary="Send a submitted actual back to draft")
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        entry = self.instance()
        data = self.valid(s.ReasonSerializer)
        entry = entry_services.reject_entry(user=request.user, entry=entry, reason=data["reason"])
        return self.present(entry)

    @extend_schema(
        request=s.BulkEntriesSerializer,
        responses={200: s.BulkResultSerializer},
        summary="Create or update up to 5,000 entries in one transaction",
        description="Any bad row refuses the whole request: 400 with `errors.entries` = [{index, errors}] for each bad row.",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
            raise serializers.ValidationError({"entries": ['Send {"entries": [{"benefit", "period", "series", "quantity"}, …]}.']})
        rows = [
            entry_services.BulkRow(r.get("benefit"), r.get("period"), r.get("series"), r.get("quantity"))
            if isinstance(r, dict)
            else entry_services.BulkRow(None, None, None, None)  # type: ignore[arg-type]
            for r in body["entries"]
        ]
        return Response(entry_services.bulk_upsert_entries(user=request.user, rows=rows))

    @extend_schema(request=s.IdsSerializer, responses={200: s.CountSerializer}, summary="Submit several draft actuals, all or nothing")
    @action(detail=False, methods=["post"], url_path="bulk-submit")
    def bulk_submit(self, request):
        ids = self.valid(s.IdsSerializer)["ids"]
        return Response({"count": len(entry_services.submit_entries(user=request.user, ids=ids))})

    @extend_schema(request=s.IdsSerializer, responses={200: s.CountSerializer}, summary="Validate several submitted actuals, all or nothing")
    @action(detail=False, methods=["post"], url_path="bulk-validate")
    def bulk_validate(self, request):
        ids = self.valid(s.IdsSerializer)["ids"]
        return Response({"count": len(entry_services.validate_entries(user=request.user, ids=ids))})


# --- periods ---------------------------------------------------------------------------------


class PeriodQuery(serializers.Serializer):
    fy = FinancialYearField(required=False, help_text="Financial year, e.g. 2025/26; default the current one.")


def period_rows(months: list[str]) -> list[dict]:
    """Each month with its status derived from the latest closed period (closed months form a prefix)."""
    latest = latest_closed_period()
    stored = {p["period"]: p for p in Period.objects.filter(period__in=months).values("period", "closed_by__username", "closed_at")}
    out = []
    for month in months:
        closed = latest is not None and month <= latest
        row = stored.get(month, {})
        out.append(
            {
                "period": month,
                "status": PeriodStatus.CLOSED if closed else PeriodStatus.OPEN,
                "closed_by": row.get("closed_by__username") if closed else None,
                "closed_at": row.get("closed_at") if closed else None,
            }
        )
    return out


@extend_schema_view(
    list=extend_schema(summary="The 12 months of a financial year and whether each is closed", parameters=[PeriodQuery]),
    retrieve=extend_schema(summary="One month"),
)
class PeriodViewSet(IdempotencyMixin, viewsets.GenericViewSet):
    serializer_class = s.PeriodSerializer
    lookup_field = "period"
    lookup_value_regex = r"[0-9]{4}-[0-9]{2}"
    parser_classes = [JSONParser]
    write_action = Action.CLOSE_PERIOD
    queryset = Period.objects.none()  # rows are computed from the calendar

    def list(self, request):
        fy = parse_query(request, PeriodQuery).get("fy") or FinancialYear.of(timezone.localdate().strftime("%Y-%m"))
        rows = period_rows(months_between(fy.first, fy.last))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _month(self, period: str) -> str:
        if not is_period(period):
            raise ValidationFailed(f"'{period}' is not a month in the form YYYY-MM.", field="period", details={"period": ["Use YYYY-MM."]})
        return period

    def retrieve(self, request, period=None):
        return Response(self.get_serializer(period_rows([self._month(period)])[0]).data)

    @extend_schema(request=s.OptionalReasonSerializer, responses={200: s.PeriodSerializer}, summary="Close this month and every earlier one")
    @action(detail=True, methods=["post"])
    def close(self, request, period=None):
        data = s.OptionalReasonSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        period_services.close_period(user=request.user, period=self._month(period), reason=data.validated_data["reason"])
        return Response(self.get_serializer(period_rows([period])[0]).data)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.PeriodSerializer}, summary="Reopen the latest closed month")
    @action(detail=True, methods=["post"])
    def reopen(self, request, period=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period_services.reopen_period(user=request.user, period=self._month(period), reason=data.validated_data["reason"])
        return Response(self.get_serializer(period_rows([period])[0]).data)


# --- reference data --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List unit-cost versions"),
    retrieve=extend_schema(summary="One unit-cost version"),
    create=extend_schema(summary="Add a unit-cost version (later entries are revalued)"),
    update=extend_schema(summary="Change a unit-cost version"),
    partial_update=extend_schema(summary="Change a unit-cost version"),
    destroy=extend_schema(summary="Delete a unit-cost version"),
)
class UnitCostViewSet(ApiViewSet):
    model = UnitCost
    serializer_class = s.UnitCostSerializer
    filterset_class = filters.UnitCostFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return UnitCost.objects.order_by("code", "valid_from").values("id", "code", "name", "unit", "value_gbp", "valid_from", "source", "version")

    def create(self, request):
        cost = reference_services.create_unit_cost(user=request.user, fields=self.valid())
        return self.present(cost, status.HTTP_201_CREATED)

    def update(self, request, id=None, partial=False):
        cost = self.instance()
        version = expected_version(request)
        data = self.valid(partial=partial)
        self.refuse_changes(data, {"code": cost.code}, ("code",))
        cost = reference_services.update_unit_cost(user=request.user, unit_cost=cost, changes=data, expected_version=version)
        return self.present(cost)

    def partial_update(self, request, id=None):
        return self.update(request, id, partial=True)

    def destroy(self, request, id=None):
        reference_services.delete_unit_cost(user=request.user, unit_cost=self.instance(), expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The delivery-confidence weights"),
    retrieve=extend_schema(summary="One weight"),
    update=extend_schema(summary="Change a weight"),
    partial_update=extend_schema(summary="Change a weight"),
)
class ConfidenceWeightViewSet(ApiViewSet):
    model = ConfidenceWeight
    serializer_class = s.ConfidenceWeightSerializer
    lookup_field = "delivery_confidence"
    lookup_value_regex = r"[a-z_]{1,20}"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return ConfidenceWeight.objects.order_by("-weight", "delivery_confidence").values("id", "delivery_confidence", "weight", "version")

    def update(self, request, delivery_confidence=None, partial=False):
        row = self.instance()
        version = expected_version(request)
        data = self.valid(partial=partial)
        if "weight" in data:
            row = reference_services.update_confidence_weight(user=request.user, weight=row, value=data["weight"], expected_version=version)
        return self.present(row)

    def partial_update(self, request, delivery_confidence=None):
        return self.update(request, delivery_confidence, partial=True)


@extend_schema_view(
    list=extend_schema(summary="List targets"),
    retrieve=extend_schema(summary="One target"),
    create=extend_schema(summary="Add a target"),
    update=extend_schema(summary="Change a target"),
    partial_update=extend_schema(summary="Change a target"),
    destroy=extend_schema(summary="Delete a target"),
)
class TargetViewSet(ApiViewSet):
    model = Target
    serializer_class = s.TargetSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return Target.objects.order_by("id").values(
            "id", "name", "amount_gbp", "benefit_classes", "basis", "start_period", "end_period", "version"
        )

    def create(self, request):
        target = reference_services.create_target(user=request.user, fields=self.valid())
        return self.present(target, status.HTTP_201_CREATED)

    def update(self, request, id=None, partial=False):
        target = self.instance()
        version = expected_version(request)
        data = dict(self.valid(partial=partial))
        target = reference_services.update_target(user=request.user, target=target, changes=data, expected_version=version)
        return self.present(target)

    def partial_update(self, request, id=None):
        return self.update(request, id, partial=True)

    def destroy(self, request, id=None):
        reference_services.delete_target(user=request.user, target=self.instance(), expected_version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- audit -----------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="The audit trail, newest first"), retrieve=extend_schema(summary="One audit event"))
class AuditViewSet(ApiViewSet):
    model = AuditEvent
    serializer_class = s.AuditEventSerializer
    filterset_class = filters.AuditFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    versioned = False

    def rows(self):
        return AuditEvent.objects.order_by("-at", "-id").values(
            "id", "at", "actor", "action", "object_type", "object_id", "changes", "reason"
        )
