"""The audit trail over the API (API.md, Resources "audit"): read-only, newest first, every change to
every object, written by the services in the same transaction as the change (STYLE.md, convention 4).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from benefits.models import AuditEvent

from . import filters
from .base import ApiViewSet, RowSerializer


class AuditEventSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    user = serializers.CharField(read_only=True, help_text="Username, or the name of a system run.")
    action = serializers.CharField(read_only=True, help_text="Dotted, e.g. benefits.entry.validated.")
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        read_only=True,
        help_text='{"field": [old, new]}',
    )
    reason = serializers.CharField(read_only=True)

    row_keys = {"user": "actor"}


@extend_schema_view(list=extend_schema(summary="The audit trail, newest first"), retrieve=extend_schema(summary="One audit event"))
class AuditViewSet(ApiViewSet):
    model = AuditEvent
    serializer_class = AuditEventSerializer
    filterset_class = filters.AuditFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    versioned = False

    def rows(self):
        return AuditEvent.objects.order_by("-at", "-id").values(
            "id", "at", "actor", "action", "object_type", "object_id", "changes", "reason"
        )
