"""Board packs (API.md, Resources "board-packs"): request one (202), poll it, download the PDF.

Thin views: the service queues and builds; these only parse, call and present.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from benefits.errors import Conflict, NotFound
from benefits.models import BoardPack
from benefits.models.choices import JobStatus
from benefits.policy import Action
from benefits.services import board_packs as board_pack_services

from .fields import PeriodField
from .idempotency import IdempotencyMixin

MAX_ID = 2**63 - 1


class BoardPackSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    snapshot = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The rollup snapshot the figures come from (set once the build has taken it)."
    )

    class Meta:
        model = BoardPack
        fields = [
            "id",
            "as_at",
            "status",
            "progress",
            "error",
            "pages",
            "sha256",
            "size_bytes",
            "snapshot",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class BoardPackRequestSerializer(serializers.Serializer):
    as_at = PeriodField(help_text="The month the pack reports, e.g. 2025-10.")


class AnyAccept(BaseContentNegotiation):
    """The PDF view answers the file, or a JSON error, whatever `Accept` says (no 406 for
    `Accept: application/pdf`)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _pack(pk: int) -> BoardPack:
    pack = BoardPack.objects.select_related("created_by").filter(pk=pk).first() if pk <= MAX_ID else None
    if pack is None:
        raise NotFound(f"There is no board pack {pk}.")
    return pack


class BoardPackListView(IdempotencyMixin, ListAPIView):
    """Board packs, newest first; POST asks for a new one (202), built in the background."""

    serializer_class = BoardPackSerializer
    write_action = Action.GENERATE_BOARD_PACK

    def get_queryset(self):
        return BoardPack.objects.select_related("created_by").order_by("-created_at", "-id")

    @extend_schema(summary="Board packs, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=BoardPackRequestSerializer,
        responses={202: BoardPackSerializer},
        summary="Request a board pack for a month (executives and admins); it is built in the background",
    )
    def post(self, request):
        body = BoardPackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pack = board_pack_services.request_board_pack(user=request.user, as_at=body.validated_data["as_at"])
        return Response(
            BoardPackSerializer(pack).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(f"{request.path}{pack.pk}/")},
        )


class BoardPackDetailView(APIView):
    """One board pack: its status, progress (0-100), error, and once done its pages, size and sha256."""

    @extend_schema(responses={200: BoardPackSerializer}, summary="One board pack: poll its status and progress")
    def get(self, request, id: int):
        return Response(BoardPackSerializer(_pack(id)).data)


class BoardPackPdfView(APIView):
    """The pack's PDF as an attachment; 409 until the pack is done. The same bytes every time."""

    content_negotiation_class = AnyAccept

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF, as attachment board-pack-YYYY-MM.pdf; always the same bytes."
            ),
        },
        summary="Download the PDF (409 until the pack is done)",
    )
    def get(self, request, id: int):
        pack = _pack(id)
        if pack.status != JobStatus.DONE or not pack.file:
            hint = {
                JobStatus.QUEUED: "it is queued to be built",
                JobStatus.RUNNING: f"it is being built ({pack.progress}% done)",
                JobStatus.FAILED: "it failed to build; request a new one",
            }.get(pack.status, "it is not ready")
            raise Conflict(f"Board pack {pack.pk} has no PDF yet: {hint}. Try again when its status is done.")
        response = FileResponse(
            pack.file.open("rb"),
            as_attachment=True,
            filename=board_pack_services.filename(pack),
            content_type="application/pdf",
        )
        response["ETag"] = f'"{pack.sha256}"'
        return response


urlpatterns = [
    path("board-packs/", BoardPackListView.as_view(), name="board-pack-list"),
    path("board-packs/<int:id>/", BoardPackDetailView.as_view(), name="board-pack-detail"),
    path("board-packs/<int:id>/pdf/", BoardPackPdfView.as_view(), name="board-pack-pdf"),
]
