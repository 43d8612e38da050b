"""Rollups, target progress and snapshots (API.md, Resources): thin views over the selectors.

Every figure comes from `benefits.selectors` (the same functions the pages and the board pack
call); these views only parse the query, pick the selector and shape nothing themselves.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits.errors import NotFound
from benefits.models import RollupSnapshot, Target
from benefits.models.choices import SnapshotTrigger
from benefits.policy import Action
from benefits.selectors.rollups import GROUPINGS, compute_rollup
from benefits.selectors.targets import target_progress
from benefits.services import snapshots as snapshot_services

from .fields import FinancialYearField, MoneyField, PeriodField, parse_query
from .idempotency import IdempotencyMixin

MAX_ID = 2**63 - 1


# ---- query parameters ---------------------------------------------------------------------------


class RollupQuery(serializers.Serializer):
    fy = FinancialYearField(help_text="Financial year, e.g. 2025/26.")
    as_at = PeriodField(help_text="The as-at month, inside `fy`, e.g. 2025-06.")
    group_by = serializers.ChoiceField(choices=GROUPINGS, required=False, help_text="Leave out for the total only.")

    def validate(self, data):
        snapshot_services.clean_fy_as_at(data["fy"].label, data["as_at"])  # as_at must lie in fy → 400 naming as_at
        return data


class ProgressQuery(serializers.Serializer):
    as_at = PeriodField(help_text="The as-at month, e.g. 2025-06.")


class SnapshotListQuery(serializers.Serializer):
    fy = FinancialYearField(required=False)
    as_at = PeriodField(required=False)
    trigger = serializers.ChoiceField(choices=SnapshotTrigger.choices, required=False)
    trigger_key = serializers.CharField(required=False, max_length=120)


# ---- response bodies (documentation of what the selectors' as_json() return) --------------------


class FiguresSerializer(serializers.Serializer):
    plan_ytd = MoneyField()
    actual_ytd = MoneyField()
    unvalidated_ytd = MoneyField()
    variance_ytd = MoneyField()
    plan_fy = MoneyField()
    forecast_fy = MoneyField()
    risk_adjusted_fy = MoneyField()
    fye = MoneyField()
    pipeline_fy = MoneyField()


class RollupRowSerializer(FiguresSerializer):
    key = serializers.CharField(help_text="Organisation or workstream code, or the coded value grouped by.")
    label = serializers.CharField(help_text="The name people read.")


class RollupSerializer(serializers.Serializer):
    fy = serializers.CharField()
    as_at = serializers.CharField()
    group_by = serializers.ChoiceField(choices=GROUPINGS, allow_null=True)
    rows = RollupRowSerializer(many=True)
    total = FiguresSerializer()


class TrajectoryPointSerializer(serializers.Serializer):
    period = serializers.CharField()
    plan = MoneyField()
    actual = MoneyField(allow_null=True, help_text="Null after the as-at month.")
    outturn = MoneyField()


class TargetProgressSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    name = serializers.CharField()
    amount_gbp = MoneyField()
    basis = serializers.CharField()
    as_at = serializers.CharField()
    achieved = MoneyField()
    forecast = MoneyField()
    risk_adjusted = MoneyField()
    pct_achieved = MoneyField(allow_null=True)
    pct_forecast = MoneyField(allow_null=True)
    pct_risk_adjusted = MoneyField(allow_null=True)
    on_track = serializers.BooleanField()
    trajectory = TrajectoryPointSerializer(many=True)


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = RollupSnapshot
        fields = ["id", "fy", "as_at", "taken_at", "trigger"]
        read_only_fields = fields


class SnapshotRollupsSerializer(serializers.Serializer):
    none = RollupSerializer(help_text="The total only.")
    organisation = RollupSerializer()
    workstream = RollupSerializer()
    benefit_class = RollupSerializer()
    stage = RollupSerializer()
    delivery_confidence = RollupSerializer()


class SnapshotDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fy = serializers.CharField()
    as_at = serializers.CharField()
    taken_at = serializers.DateTimeField()
    trigger = serializers.ChoiceField(choices=SnapshotTrigger.choices)
    rollups = SnapshotRollupsSerializer()
    targets = TargetProgressSerializer(many=True)


class SnapshotRequestSerializer(serializers.Serializer):
    fy = FinancialYearField()
    as_at = PeriodField()


class SnapshotQueuedSerializer(serializers.Serializer):
    fy = serializers.CharField()
    as_at = serializers.CharField()
    trigger = serializers.ChoiceField(choices=SnapshotTrigger.choices)
    trigger_key = serializers.CharField(help_text="Find the snapshot with rollups/snapshots/?trigger_key=… once it is taken.")
    status = serializers.CharField(help_text="Always `queued`.")


# ---- views --------------------------------------------------------------------------------------


class RollupView(APIView):
    @extend_schema(
        operation_id="rollups_retrieve",
        parameters=[RollupQuery],
        responses={200: RollupSerializer},
        summary="Rollup figures as at a month (FINANCE.md, Rollup figures)",
    )
    def get(self, request):
        query = parse_query(request, RollupQuery)
        rollup = compute_rollup(fy=query["fy"], as_at=query["as_at"], group_by=query.get("group_by"))
        return Response(rollup.as_json())


class TargetProgressView(APIView):
    @extend_schema(
        operation_id="targets_progress_retrieve",
        parameters=[ProgressQuery],
        responses={200: TargetProgressSerializer},
        summary="Progress against a target as at a month, with its trajectory (FINANCE.md, Targets)",
    )
    def get(self, request, pk: int):
        query = parse_query(request, ProgressQuery)
        target = Target.objects.filter(pk=pk).first() if pk <= MAX_ID else None
        if target is None:
            raise NotFound(f"There is no target {pk}.")
        return Response(target_progress(target=target, as_at=query["as_at"]).as_json())


class SnapshotListView(IdempotencyMixin, ListAPIView):
    serializer_class = SnapshotSerializer
    write_action = Action.TAKE_SNAPSHOT

    def get_queryset(self):
        query = parse_query(self.request, SnapshotListQuery)
        snapshots = RollupSnapshot.objects.defer("payload").order_by("-taken_at", "-id")
        if "fy" in query:
            snapshots = snapshots.filter(fy=query["fy"].label)
        for name in ("as_at", "trigger", "trigger_key"):
            if name in query:
                snapshots = snapshots.filter(**{name: query[name]})
        return snapshots

    @extend_schema(
        parameters=[SnapshotListQuery],
        summary="Stored rollup snapshots, newest first",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SnapshotRequestSerializer,
        responses={202: SnapshotQueuedSerializer},
        summary="Take a snapshot now (finance and admin); it is stored in the background",
    )
    def post(self, request):
        body = SnapshotRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fy, as_at = body.validated_data["fy"], body.validated_data["as_at"]
        key = snapshot_services.request_snapshot(user=request.user, fy=fy.label, as_at=as_at)
        location = f"{request.path}?trigger_key={key}"
        return Response(
            {"fy": fy.label, "as_at": as_at, "trigger": SnapshotTrigger.MANUAL, "trigger_key": key, "status": "queued"},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


class SnapshotDetailView(APIView):
    @extend_schema(
        operation_id="rollups_snapshots_retrieve",
        responses={200: SnapshotDetailSerializer, 404: OpenApiResponse(description="No such snapshot.")},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        summary="One snapshot: every grouping of the rollup and each target's progress",
    )
    def get(self, request, id: int):
        snapshot = RollupSnapshot.objects.filter(pk=id).first() if id <= MAX_ID else None
        if snapshot is None:
            raise NotFound(f"There is no snapshot {id}.")
        return Response(
            {
                "id": snapshot.pk,
                "fy": snapshot.fy,
                "as_at": snapshot.as_at,
                "taken_at": serializers.DateTimeField().to_representation(snapshot.taken_at),
                "trigger": snapshot.trigger,
                "rollups": snapshot.payload["rollups"],
                "targets": snapshot.payload["targets"],
            }
        )


urlpatterns = [
    path("rollups/", RollupView.as_view(), name="rollups"),
    path("rollups/snapshots/", SnapshotListView.as_view(), name="snapshot-list"),
    path("rollups/snapshots/<int:id>/", SnapshotDetailView.as_view(), name="snapshot-detail"),
    path("targets/<int:pk>/progress/", TargetProgressView.as_view(), name="target-progress"),
]
