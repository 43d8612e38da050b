"""What every resource viewset of the API shares (API.md, Conventions): rows out, services in.

- `RowSerializer`: output from the plain dicts of `.values()` querysets, one converter per field
  (NOTES.md: DRF's per-field machinery costs several times a bare view on a long list). Each serializer lists its
  fields explicitly and is used both ways: `read_only=True` fields are ignored on input, the rest are
  validated and handed to a service. Related objects appear by natural key (code, ref, username).
- `ApiViewSet`: reads (`list`, `retrieve`) from the subclass's `rows()`; `instance()` for writes,
  `valid()` for bodies, `present()` to answer with the stored row.
- `CreateMixin`, `UpdateMixin`, `DestroyMixin`: POST, PUT/PATCH and DELETE in one place, each calling
  the viewset's `add`, `change` or `remove` (one service call). A viewset gets a route only for the
  mixins it lists, as with DRF's own mixins. The order of the checks is the contract's: 404 for a
  missing object, then If-Match (428/412), then the body (400).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from .concurrency import VersionedMixin, expected_version
from .idempotency import IdempotencyMixin

ID = r"[0-9]{1,18}"
CODE = r"[A-Za-z0-9_-]{1,40}"


# --- output from rows --------------------------------------------------------------------------


def _decimal(value: Any) -> Any:
    return None if value is None else str(value)


def _date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def _identity(value: Any) -> Any:
    return value


def _converter(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.DecimalField):
        return _decimal
    if isinstance(field, serializers.DateTimeField):
        return _datetime
    if isinstance(field, serializers.DateField):
        return _date
    return _identity


# drf-spectacular publishes this docstring as the description of every row serializer's schema.
class RowSerializer(serializers.Serializer):
    """Output from a dict row (a `.values()` result) or a model instance, one converter per field.

    `row_keys` maps a field to the key it has in the row when that differs from the field name
    (e.g. `{"workstream": "workstream__code"}`).
    """

    row_keys: dict[str, str] = {}

    def _plan(self) -> list[tuple[str, str, Callable[[Any], Any]]]:
        plan = getattr(self, "_row_plan", None)
        if plan is None:
            plan = [
                (name, self.row_keys.get(name, name), _converter(field))
                for name, field in self.fields.items()
                if not field.write_only
            ]
            self._row_plan = plan
        return plan

    def to_representation(self, instance):
        if isinstance(instance, dict):
            return {name: convert(instance.get(key)) for name, key, convert in self._plan()}
        return super().to_representation(instance)


# Rejecting an actual and reopening a month need a reason. (No docstring on serializers that have
# none today: drf-spectacular publishes it, and an inherited one, as the schema's description.)
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: shown to the programme office and kept in the audit.")


# --- viewsets ------------------------------------------------------------------------------------


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


# The write mixins have comments, not docstrings: drf-spectacular publishes the first docstring in a
# view's MRO as every operation's description, and the schema shows ApiViewSet's.


# POST: the validated body goes to `add(data)`, which returns the new object; 201 with its row.
class CreateMixin:
    def create(self, request, *args, **kwargs):
        return self.present(self.add(dict(self.valid())), status.HTTP_201_CREATED)

    def add(self, data: dict):
        raise NotImplementedError


# PUT and PATCH: `change(obj, data, version=, partial=)` with the If-Match version; 200 with the row.
# `update_serializer_class` validates the body when it differs from the output serializer.
class UpdateMixin:
    update_serializer_class: type[serializers.Serializer] | None = None

    def update(self, request, *args, partial: bool = False, **kwargs):
        obj = self.instance()
        version = expected_version(request)
        data = dict(self.valid(self.update_serializer_class, partial=partial))
        return self.present(self.change(obj, data, version=version, partial=partial))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def change(self, obj, data: dict, *, version: int, partial: bool):
        raise NotImplementedError


# DELETE: `remove(obj, version=)` with the If-Match version; 204.
class DestroyMixin:
    def destroy(self, request, *args, **kwargs):
        obj = self.instance()
        self.remove(obj, version=expected_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def remove(self, obj, *, version: int) -> None:
        raise NotImplementedError
