"""Imports and exports (API.md, "Imports and exports"): thin views over services.imports, selectors.exports and excel."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits.errors import NotFound
from benefits.excel.exports import register_workbook, rollup_workbook
from benefits.excel.template import template_workbook, template_years
from benefits.excel.writer import XLSX, xlsx_response
from benefits.models import ImportBatch
from benefits.policy import Action
from benefits.selectors.exports import register_export, template_choices, visible_initiatives
from benefits.selectors.register import RegisterFilter
from benefits.selectors.rollups import compute_all_rollups
from benefits.services.imports import ImportRefused, import_workbook

from .errors import ErrorSerializer
from .fields import FinancialYearField, PeriodField, parse_query
from .idempotency import IdempotencyMixin
from .pagination import paginate

MAX_ID = 2**63 - 1
TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}


def batch_json(batch: ImportBatch) -> dict:
    return {
        "id": batch.pk,
        "filename": batch.filename,
        "sha256": batch.sha256,
        "created_by": batch.created_by.username,
        "created_at": batch.created_at.isoformat(),
        "counts": batch.counts,
    }


def refused_body(exc: ImportRefused) -> dict:
    """API.md: 400 `{"errors": [{"sheet", "row", "column", "message"}, …]}` (plus the usual code and message)."""
    return {"code": "invalid", "message": exc.message, "errors": [p.as_json() for p in exc.problems]}


# ---- documentation of the bodies ---------------------------------------------------------------


class ImportCountsSerializer(serializers.Serializer):
    initiatives = serializers.IntegerField()
    benefits = serializers.IntegerField()
    entries = serializers.IntegerField()


class ImportChangeSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    column = serializers.CharField()
    old = serializers.CharField(allow_null=True, help_text="The tracker's value now (null when created).")
    new = serializers.CharField(allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    id = serializers.IntegerField(required=False, help_text="The import's id (commit only).")
    created = ImportCountsSerializer()
    updated = ImportCountsSerializer()
    unchanged = serializers.IntegerField(help_text="Rows that change nothing.")
    rows = serializers.IntegerField()
    changes = ImportChangeSerializer(many=True)
    changes_total = serializers.IntegerField(help_text="Every change; `changes` lists the first 1,000.")
    changes_truncated = serializers.BooleanField()
    already_imported = serializers.IntegerField(required=False, help_text="Set when these exact bytes were imported before.")


class ImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_null=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportErrorsSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = ImportProblemSerializer(many=True)


class ImportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    counts = serializers.JSONField()


class ImportBatchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ImportBatchSerializer(many=True)


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The workbook (.xlsx) in the import layout.")
    dry_run = serializers.BooleanField(default=True, help_text="true (default): say what would change, write nothing.")


# A refused file lists cell problems; a malformed request (no file, bad dry_run) names its fields.
IMPORT_REFUSED = PolymorphicProxySerializer(
    component_name="ImportRefused",
    serializers=[ImportErrorsSerializer, ErrorSerializer],
    resource_type_field_name=None,
)

XLSX_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY, description="An Excel workbook (.xlsx).")


# ---- views ---------------------------------------------------------------------------------------


class ImportTemplateView(APIView):
    @extend_schema(
        summary="The empty workbook in the import layout, with drop-down lists",
        responses={(200, XLSX): XLSX_RESPONSE},
        tags=["imports"],
    )
    def get(self, request):
        data = template_workbook(template_years(timezone.localdate()), template_choices())
        return xlsx_response(data, "benefits-import-template.xlsx")


class ImportListView(IdempotencyMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]
    write_action = Action.EDIT_REGISTER

    @extend_schema(
        operation_id="v1_imports_list",
        summary="Committed imports, newest first",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Rows per page, 1 to 500 (default 50)."),
        ],
        responses=ImportBatchPageSerializer,
        tags=["imports"],
    )
    def get(self, request):
        batches = ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")
        response = paginate(request, batches, self)
        response.data["results"] = [batch_json(b) for b in response.data["results"]]
        return response

    @extend_schema(
        summary="Import a tracker: dry run by default, or commit all or nothing",
        request={"multipart/form-data": UploadSerializer},
        responses={200: ImportResultSerializer, 201: ImportResultSerializer, 400: IMPORT_REFUSED},
        tags=["imports"],
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the workbook as the multipart field 'file'."]})
        raw = str(request.data.get("dry_run", "true")).strip().lower()
        if raw not in TRUE | FALSE:
            raise ValidationError({"dry_run": [f"'{raw[:20]}' is not true or false."]})
        dry_run = raw in TRUE
        data = upload.read()
        try:
            result = import_workbook(user=request.user, data=data, filename=upload.name or "upload.xlsx", dry_run=dry_run)
        except ImportRefused as exc:
            return Response(refused_body(exc), status=status.HTTP_400_BAD_REQUEST)
        body = result.as_json(dry_run=dry_run)
        code = status.HTTP_201_CREATED if (not dry_run and result.batch is not None) else status.HTTP_200_OK
        return Response(body, status=code)


class ImportDetailView(APIView):
    @extend_schema(summary="One committed import", responses=ImportBatchSerializer, tags=["imports"])
    def get(self, request, pk: int):
        if pk > MAX_ID:
            raise NotFound(f"There is no import {pk}.")
        batch = ImportBatch.objects.select_related("created_by").filter(pk=pk).first()
        if batch is None:
            raise NotFound(f"There is no import {pk}.")
        return Response(batch_json(batch))


class RegisterExportQuery(serializers.Serializer):
    fy = FinancialYearField(required=False, help_text="One financial year, e.g. 2025/26; leave out for every year with figures.")


class RegisterExportView(APIView):
    @extend_schema(
        summary="The register with its profiles, in the import layout",
        parameters=[
            OpenApiParameter("fy", str, description="Financial year, e.g. 2025/26."),
            *[OpenApiParameter(name, str, description=f"As for initiatives/: {name}.") for name in RegisterFilter.Meta.fields],
        ],
        responses={(200, XLSX): XLSX_RESPONSE},
        tags=["exports"],
    )
    def get(self, request):
        query = parse_query(request, RegisterExportQuery)
        filterset = RegisterFilter(request.query_params, queryset=visible_initiatives(request.user))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        fy = query.get("fy")
        export = register_export(initiatives=filterset.qs, fy=fy)
        suffix = f"-{fy.sheet_name}" if fy else ""
        return xlsx_response(register_workbook(export), f"benefits-register{suffix}.xlsx")


class RollupExportQuery(serializers.Serializer):
    fy = FinancialYearField(help_text="Financial year, e.g. 2025/26.")
    as_at = PeriodField(help_text="The as-at month, inside `fy`.")

    def validate(self, data):
        if data["as_at"] not in data["fy"]:
            raise ValidationError({"as_at": [f"{data['as_at']} is not in financial year {data['fy'].label}."]})
        return data


class RollupExportView(APIView):
    @extend_schema(
        summary="Every rollup grouping on its own sheet (figures equal to rollups/)",
        parameters=[RollupExportQuery],
        responses={(200, XLSX): XLSX_RESPONSE},
        tags=["exports"],
    )
    def get(self, request):
        query = parse_query(request, RollupExportQuery)
        fy, as_at = query["fy"], query["as_at"]
        data = rollup_workbook(compute_all_rollups(fy=fy, as_at=as_at), fy=fy, as_at=as_at)
        return xlsx_response(data, f"benefits-rollup-{query['as_at']}.xlsx")


urlpatterns = [
    path("imports/template/", ImportTemplateView.as_view(), name="import-template"),
    path("imports/", ImportListView.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("exports/register.xlsx", RegisterExportView.as_view(), name="export-register"),
    path("exports/rollup.xlsx", RollupExportView.as_view(), name="export-rollup"),
]
